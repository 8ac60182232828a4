#!/bin/bash
# tests/system/nspawn.sh BUILD_DIR|PACKAGE.deb: photorigd under a real
# systemd. Opt-in and slow (minutes; not part of ctest).
#
# A minimal Debian 12 tree (debootstrap --variant=minbase plus systemd, made
# once and cached in $PHOTORIG_NSPAWN_CACHE, default /var/cache/photorig-nspawn,
# outside the repository) is copied, the package installed into the copy with
# apt (its dependencies from the mirror this machine's apt uses; downloaded
# packages cached too), and the copy booted with `systemd-nspawn -b
# --register=no`. Inside, through nsenter into the container's namespaces:
#   - photorigd.service enabled and started: active, Type=notify, a status line;
#   - plates and a capture through the socket, the files on disk;
#   - `systemctl reload` applies a changed config, and fails (the running
#     config kept) on a config with an error;
#   - a user outside group photorig is refused, one inside is served;
#   - `systemctl stop` ends with status 0;
#   - the journal of the boot: no line at warning or above but those the
#     container causes and those of the deliberately refused reload (ALLOWED
#     below, each printed with its reason when seen).
# BUILD_DIR: a build configured with -DCMAKE_INSTALL_PREFIX=/usr; its
# photorig_*.deb is used, or made with cpack. Needs root; exits 77 (skipped,
# with the reason) without root, debootstrap or systemd-nspawn, or where the
# container cannot boot. Exit 0 when every check passed, 1 otherwise.
set -u
ARG=${1:?usage: tests/system/nspawn.sh BUILD_DIR|PACKAGE.deb}
CACHE=${PHOTORIG_NSPAWN_CACHE:-/var/cache/photorig-nspawn}
skip() { echo "nspawn.sh: skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, systemd-nspawn)"
command -v systemd-nspawn >/dev/null || skip "no systemd-nspawn (apt-get install systemd-container)"
command -v debootstrap >/dev/null || [ -d "$CACHE/bookworm" ] || skip "no debootstrap (apt-get install debootstrap)"
command -v nsenter >/dev/null || skip "no nsenter (util-linux)"

if [ -f "$ARG" ]; then
	DEB=$(cd "$(dirname "$ARG")" && pwd)/$(basename "$ARG")
else
	BUILD=$(cd "$ARG" && pwd) || exit 1
	DEB=$(ls "$BUILD"/photorig_*.deb 2>/dev/null | head -1)
	if [ -z "$DEB" ]; then
		grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr$' "$BUILD/CMakeCache.txt" ||
			{ echo "nspawn.sh: $BUILD is not configured with -DCMAKE_INSTALL_PREFIX=/usr"; exit 1; }
		(cd "$BUILD" && timeout 600 cpack -G DEB >cpack.log 2>&1) ||
			{ echo "nspawn.sh: cpack failed:"; tail -20 "$BUILD/cpack.log"; exit 1; }
		DEB=$(ls "$BUILD"/photorig_*.deb | head -1)
	fi
fi
echo "package: $DEB"

FAILS=0
PASSES=0
pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }

# ---- the cached Debian 12 tree ----
mkdir -p "$CACHE/apt-archives"
if [ ! -x "$CACHE/bookworm/lib/systemd/systemd" ]; then
	# the mirror this machine's apt uses (deb822 or one-line sources)
	MIRROR=${PHOTORIG_DEBIAN_MIRROR:-$(sed -n 's|^URIs: *\([^ ]*debian\)/*$|\1|p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}
	[ -n "$MIRROR" ] || MIRROR=$(sed -n 's|^deb \[*[^]]*\]* *\(http[^ ]*\) bookworm .*|\1|p' \
		/etc/apt/sources.list 2>/dev/null | head -1)
	MIRROR=${MIRROR:-http://deb.debian.org/debian}
	echo "debootstrap bookworm from $MIRROR into $CACHE/bookworm (once; minutes)"
	rm -rf "$CACHE/bookworm.tmp"
	timeout 3600 debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,udev \
		bookworm "$CACHE/bookworm.tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
		{ tail -5 "$CACHE/debootstrap.log"; skip "debootstrap failed (log: $CACHE/debootstrap.log)"; }
	mv "$CACHE/bookworm.tmp" "$CACHE/bookworm"
fi

# Without systemd on the host (a build container) there is no bus to ask for
# a scope: the container stays in nspawn's own cgroup (--keep-unit).
NSPAWN=(systemd-nspawn -q --register=no)
[ -d /run/systemd/system ] || NSPAWN+=(--keep-unit)

WORK=$(mktemp -d /var/tmp/photorig-nspawn.XXXXXX)
ROOT=$WORK/root
NSPID=""
cleanup() {
	if [ -n "$NSPID" ] && kill -0 "$NSPID" 2>/dev/null; then
		kill -TERM "$NSPID" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$NSPID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$NSPID" 2>/dev/null
		wait "$NSPID" 2>/dev/null
	fi
	[ -n "${KEEP:-}" ] && { echo "kept: $WORK"; return; }
	rm -rf "$WORK"
}
trap cleanup EXIT
cp -a "$CACHE/bookworm" "$ROOT"
# (a host name without "photorig", so that the journal check matches messages only)
echo bookworm-test > "$ROOT/etc/hostname"
# (not /tmp: nspawn mounts a fresh tmpfs there)
cp "$DEB" "$ROOT/var/tmp/photorig.deb"

# ---- install the package (not booted: nspawn as a chroot with the host's network) ----
echo "installing the package into the tree (apt, dependencies from the mirror)"
if ! timeout 900 "${NSPAWN[@]}" -D "$ROOT" --bind="$CACHE/apt-archives:/var/cache/apt/archives" \
	sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
	       apt-get install -y -qq --no-install-recommends /var/tmp/photorig.deb' >"$WORK/install.log" 2>&1; then
	if grep -qiE 'operation not permitted|failed to .*namespace|cgroup' "$WORK/install.log" &&
	   ! grep -q 'Setting up photorig' "$WORK/install.log"; then
		tail -5 "$WORK/install.log"; skip "systemd-nspawn is refused here"
	fi
	tail -20 "$WORK/install.log"; fail "apt-get install photorig.deb in the tree"; exit 1
fi
pass "package installed with its dependencies ($(grep -c '^Setting up' "$WORK/install.log") packages set up)"

# ---- boot ----
echo "booting: systemd-nspawn -b --register=no"
"${NSPAWN[@]}" -b -D "$ROOT" --private-network --console=passive \
	>"$WORK/boot.log" 2>&1 &
NSPID=$!
# the container's init: the process named systemd among nspawn's children
INIT=""
for _ in $(seq 1 300); do
	for c in $(pgrep -P "$NSPID"); do
		[ "$(cat /proc/"$c"/comm 2>/dev/null)" = systemd ] && INIT=$c
	done
	[ -n "$INIT" ] && break
	kill -0 "$NSPID" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$INIT" ]; then
	tail -10 "$WORK/boot.log"
	skip "the container did not boot (systemd-nspawn -b refused here?)"
fi
# in_ct CMD...: run CMD inside the container, as root, with its PATH
in_ct() {
	timeout 120 nsenter -t "$INIT" -m -u -i -n -p -C -- \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}
# systemctl needs the manager's private socket: wait (bounded) for it
for _ in $(seq 1 600); do in_ct test -S /run/systemd/private && break; sleep 0.1; done
state=$(in_ct systemctl is-system-running --wait 2>&1)
echo "system state: $state"
case "$state" in
running|degraded) pass "booted ($state)" ;;
*) fail "boot: $state"; tail -20 "$WORK/boot.log" ;;
esac
[ "$state" = degraded ] && echo "  failed units: $(in_ct systemctl --failed --no-legend --plain | tr '\n' ';')"

# ---- the service ----
if out=$(in_ct systemctl enable --now photorigd 2>&1); then pass "systemctl enable --now photorigd"
else fail "enable --now: $out"; fi
show() { in_ct systemctl show -p "$1" --value photorigd; }
for _ in $(seq 1 100); do [ "$(show ActiveState)" = active ] && break; sleep 0.1; done
[ "$(show ActiveState)" = active ] && pass "photorigd active" || fail "photorigd is $(show ActiveState)"
[ "$(show Type)" = notify ] && pass "Type=notify" || fail "Type=$(show Type)"
for _ in $(seq 1 100); do show StatusText | grep -q 'cameras' && break; sleep 0.2; done
st=$(show StatusText)
echo "  status line: $st"
printf '%s' "$st" | grep -q '2/2 cameras' && pass "status line: $st" || fail "status line: '$st'"

# ---- plates and a capture through the socket ----
if out=$(in_ct photorig plate 2>&1); then pass "photorig plate"; else fail "plate: $out"; fi
if out=$(in_ct photorig session start nspawn 2>&1); then pass "session start"; else fail "session start: $out"; fi
if out=$(in_ct photorig capture 2>&1); then pass "photorig capture: $out"; else fail "capture: $out"; fi
n=$(in_ct find /var/lib/photorig/sessions/nspawn -name '*_0001.jpg' | wc -l)
[ "$n" = 2 ] && pass "two originals on disk" || fail "originals: $n: $(in_ct find /var/lib/photorig/sessions/nspawn | head)"
n=$(in_ct find /var/lib/photorig/sessions/nspawn -path '*/masks/*_0001.png' | wc -l)
[ "$n" -ge 2 ] && pass "masks on disk" || fail "masks: $n"
[ "$(in_ct stat -c %U /var/lib/photorig/sessions/nspawn)" = photorig ] && pass "session owned by photorig" ||
	fail "session owner: $(in_ct stat -c %U /var/lib/photorig/sessions/nspawn)"

# ---- reload: a changed config applies, a broken one is refused ----
in_ct sed -i 's/^name = rig$/name = reloaded/' /etc/photorig/photorig.ini
if out=$(in_ct systemctl reload photorigd 2>&1); then pass "systemctl reload"; else fail "reload: $out"; fi
in_ct photorig status | grep -q 'reloaded' && pass "the reloaded config is applied (rig name)" ||
	fail "status after reload: $(in_ct photorig status)"
in_ct sed -i 's/^name = reloaded$/name = reloaded\nbogus_key = 1/' /etc/photorig/photorig.ini
if out=$(in_ct systemctl reload photorigd 2>&1); then
	fail "a reload of a config with an error succeeded"
else
	pass "a reload of a config with an error fails"
fi
[ "$(show ActiveState)" = active ] && pass "still active with the running config" ||
	fail "after a refused reload: $(show ActiveState)"
in_ct journalctl -u photorigd --no-pager -o cat | grep -q 'bogus_key' &&
	pass "the journal names the error" || fail "the refused key is not in the journal"
in_ct sh -c 'sed -i "/^bogus_key/d" /etc/photorig/photorig.ini'
if out=$(in_ct systemctl reload photorigd 2>&1); then pass "reload of the repaired config"; else fail "reload: $out"; fi

# ---- socket access ----
in_ct useradd -M -s /bin/sh outsider
in_ct useradd -M -s /bin/sh -G photorig rigop
out=$(in_ct runuser -u outsider -- photorig status 2>&1)
rc=$?
[ "$rc" = 1 ] && printf '%s' "$out" | grep -q 'access denied' && pass "a user outside the group is refused: $out" ||
	fail "outsider: exit $rc: $out"
if out=$(in_ct runuser -u rigop -- photorig status 2>&1); then pass "a member of group photorig is served"
else fail "rigop (in group photorig): $out"; fi

# ---- stop ----
if out=$(in_ct systemctl stop photorigd 2>&1); then pass "systemctl stop"; else fail "stop: $out"; fi
[ "$(show ExecMainStatus)" = 0 ] && pass "exit status 0" || fail "ExecMainStatus=$(show ExecMainStatus)"
[ "$(show Result)" = success ] && pass "Result=success" || fail "Result=$(show Result)"

# ---- the journal ----
# Lines at warning or above that are expected, each with its reason: the
# container's own, and those of the deliberately refused reload above.
ALLOWED=(
	"Failed to set fd limit to 65536: Operation not permitted|the container's: dbus-daemon may not raise its open-file limit (no CAP_SYS_RESOURCE in a container)"
	"is not valid; the running config is kept|the test's: the deliberately broken config (bogus_key) is refused"
	"bogus_key|the test's: the refused key, named"
	"Reload failed for photorigd.service|the test's: systemd reports the refused reload"
	"Control process exited, code=exited, status=1/FAILURE|the test's: photorig reload exits 1 for the refused config"
)
in_ct journalctl -b --no-pager -o short-monotonic > "$WORK/journal.txt"
in_ct journalctl -b --no-pager -p warning -o short-monotonic > "$WORK/warnings.txt"
echo "  journal: $(wc -l < "$WORK/journal.txt") lines, $(grep -vc '^-- ' "$WORK/warnings.txt") at warning or above:"
sed 's/^/    /' "$WORK/warnings.txt"
bad=$(grep -v '^-- ' "$WORK/warnings.txt")
for a in "${ALLOWED[@]}"; do
	n=$(printf '%s\n' "$bad" | grep -c -- "${a%%|*}")
	[ "$n" = 0 ] || echo "  expected ($n line(s)): ${a#*|}"
	bad=$(printf '%s\n' "$bad" | grep -v -- "${a%%|*}")
done
bad=$(printf '%s\n' "$bad" | sed '/^$/d')
[ -z "$bad" ] && pass "no other line at warning or above in the journal" || fail "unexpected warnings: $bad"
# Not a warning (notice), but the container's: no real-time budget here
in_ct journalctl -u photorigd --no-pager -o cat | grep 'real-time priority refused' | sed 's/^/  notice, the container'"'"'s (no real-time budget): /'
in_ct journalctl -u photorigd --no-pager -o cat | grep -q 'cannot give' &&
	fail "the socket's chown was tried and refused" || pass "no chown of the control socket"
in_ct journalctl -u photorigd --no-pager -o cat | sed 's/^/    photorigd: /' | head -40

in_ct systemctl poweroff >/dev/null 2>&1
for _ in $(seq 1 300); do kill -0 "$NSPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$NSPID" 2>/dev/null; then fail "the container did not power off within 30 s"
else wait "$NSPID"; pass "container powered off"; NSPID=""; fi
cp "$WORK/journal.txt" "${CACHE}/last-journal.txt" 2>/dev/null
echo "$PASSES passed, $FAILS failed (the container's journal: $CACHE/last-journal.txt)"
[ "$FAILS" = 0 ]
