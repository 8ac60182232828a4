#!/bin/bash
# tests/system/deb.sh BUILD_DIR: the Debian package on this machine.
#
# BUILD_DIR is a build configured with -DCMAKE_INSTALL_PREFIX=/usr (and
# built); the package is made there with `cpack -G DEB` unless a
# photorig_*.deb is already in it. Installs it with dpkg -i, then checks: the
# programs, the user and group, the folders, the starting config (a conffile),
# `photorigd -n -c /etc/photorig/photorig.ini`, `systemd-analyze verify` on
# the installed unit, the man pages and the README the unit names, the
# declared dependencies; a reinstall keeps an edited config; `dpkg -r`
# removes the programs and the unit and leaves the state folder; `dpkg -P`
# removes the config and still leaves the state folder. Then puts the machine
# back as it was: whatever the test created (package, user, group, folders)
# is removed, what existed before is left alone.
#
# Needs root (dpkg): exits 77 (skipped) otherwise, or when photorig is
# already installed here. Not part of ctest: it installs a package on the
# machine that runs it. Exit 0 when every check passed, 1 otherwise.
set -u
BUILD=${1:?usage: tests/system/deb.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd) || exit 1
if [ "$(id -u)" -ne 0 ]; then echo "deb.sh: needs root (dpkg -i): skipped"; exit 77; fi
command -v dpkg >/dev/null || { echo "deb.sh: no dpkg here: skipped"; exit 77; }
pkg_state() { dpkg-query -W -f '${db:Status-Status}' photorig 2>/dev/null || echo not-installed; }
if [ "$(pkg_state)" != not-installed ]; then
	echo "deb.sh: photorig is already installed on this machine: skipped (dpkg -r photorig first)"
	exit 77
fi
FAILS=0
PASSES=0
pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }

# What exists before, so that cleaning up removes only what the test made.
had_user=0; getent passwd photorig >/dev/null && had_user=1
had_group=0; getent group photorig >/dev/null && had_group=1
had_state=0; [ -e /var/lib/photorig ] && had_state=1
had_etc=0; [ -e /etc/photorig ] && had_etc=1
cleanup() {
	# whatever state a failed step left it in (unpacked, half-configured...)
	[ "$(pkg_state)" = not-installed ] || dpkg -P photorig >/dev/null 2>&1
	[ "$had_state" = 1 ] || rm -rf /var/lib/photorig
	[ "$had_etc" = 1 ] || rm -rf /etc/photorig
	[ "$had_user" = 1 ] || userdel photorig 2>/dev/null
	[ "$had_group" = 1 ] || groupdel photorig 2>/dev/null
	true
}
trap cleanup EXIT

DEB=$(ls "$BUILD"/photorig_*.deb 2>/dev/null | head -1)
if [ -z "$DEB" ]; then
	grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr$' "$BUILD/CMakeCache.txt" ||
		{ echo "deb.sh: $BUILD is not configured with -DCMAKE_INSTALL_PREFIX=/usr"; exit 1; }
	(cd "$BUILD" && timeout 600 cpack -G DEB >cpack.log 2>&1) ||
		{ echo "deb.sh: cpack -G DEB failed:"; tail -20 "$BUILD/cpack.log"; exit 1; }
	DEB=$(ls "$BUILD"/photorig_*.deb | head -1)
fi
echo "package: $DEB"

# ---- the package's control data ----
ctl=$(dpkg-deb -f "$DEB")
deps=$(dpkg-deb -f "$DEB" Depends)
for d in libgphoto2 libturbojpeg libtiff libpng libjson-c libinih libsystemd libv4l systemd acl; do
	printf '%s\n' "$deps" | grep -q "$d" && pass "depends on $d" || fail "Depends lacks $d: $deps"
done
dpkg-deb --ctrl-tarfile "$DEB" | tar -t | sed 's|^\./||' | sort > /tmp/deb-ctl.$$
for f in postinst prerm postrm conffiles; do
	grep -qx "$f" /tmp/deb-ctl.$$ && pass "control has $f" || fail "control lacks $f"
done
rm -f /tmp/deb-ctl.$$
dpkg-deb -I "$DEB" conffiles | grep -qx /etc/photorig/photorig.ini &&
	pass "/etc/photorig/photorig.ini is a conffile" || fail "conffiles: $(dpkg-deb -I "$DEB" conffiles)"
[ -n "$ctl" ] || fail "no control data"

# ---- dpkg -i ----
# dpkg -i does not fetch dependencies: name the missing ones first
missing=""
for d in $(printf '%s\n' "$deps" | tr ',' '\n' | sed 's/([^)]*)//; s/|.*//; s/ //g'); do
	[ "$(dpkg-query -W -f '${db:Status-Status}' "$d" 2>/dev/null)" = installed ] || missing="$missing $d"
done
[ -z "$missing" ] || { echo "deb.sh: dependencies not installed here:$missing (apt-get install$missing)"; exit 1; }
if out=$(timeout 300 dpkg -i "$DEB" 2>&1); then pass "dpkg -i"; else fail "dpkg -i: $out"; exit 1; fi
for f in /usr/bin/photorig /usr/sbin/photorigd; do
	[ -x "$f" ] && pass "$f installed" || fail "$f missing"
done
UNIT=/usr/lib/systemd/system/photorigd.service
[ -f "$UNIT" ] || UNIT=/lib/systemd/system/photorigd.service
[ -f "$UNIT" ] && pass "unit installed at $UNIT" || fail "no photorigd.service installed"
getent passwd photorig >/dev/null && pass "user photorig (sysusers)" || fail "no user photorig"
getent group photorig >/dev/null && pass "group photorig (sysusers)" || fail "no group photorig"
[ "$(stat -c %U:%G /var/lib/photorig/sessions 2>/dev/null)" = photorig:photorig ] &&
	pass "/var/lib/photorig/sessions owned by photorig (tmpfiles)" ||
	fail "/var/lib/photorig/sessions: $(ls -ld /var/lib/photorig/sessions 2>&1)"
[ -f /etc/photorig/photorig.ini ] && pass "starting config installed" || fail "no /etc/photorig/photorig.ini"
if out=$(photorigd -n -c /etc/photorig/photorig.ini 2>&1); then
	pass "photorigd -n -c /etc/photorig/photorig.ini"
else
	fail "photorigd -n: $out"
fi
if out=$(systemd-analyze verify "$UNIT" 2>&1) && [ -z "$out" ]; then
	pass "systemd-analyze verify $UNIT (no message)"
else
	fail "systemd-analyze verify: $out"
fi
grep -q '^ExecReload=/usr/bin/photorig reload$' "$UNIT" && pass "ExecReload=/usr/bin/photorig reload" ||
	fail "ExecReload: $(grep ExecReload "$UNIT")"
doc=$(sed -n 's|^Documentation=.*file:\([^ ]*\).*|\1|p' "$UNIT")
[ -n "$doc" ] && [ -f "$doc" ] && pass "the unit's Documentation= file exists ($doc)" ||
	fail "Documentation= names '$doc', not installed"
for m in photorig.1 photorigd.8 photorig.ini.5; do
	sec=${m##*.}
	[ -f "/usr/share/man/man$sec/$m" ] || [ -f "/usr/share/man/man$sec/$m.gz" ] &&
		pass "man page $m" || fail "man page $m missing"
done
[ -f /usr/share/doc/photorig/examples/rig.ini ] && pass "examples installed" || fail "no examples"

# ---- an edited config survives a reinstall (conffile) ----
echo "; edited by deb.sh" >> /etc/photorig/photorig.ini
if out=$(timeout 300 dpkg -i --force-confold "$DEB" 2>&1); then pass "dpkg -i again"; else fail "reinstall: $out"; fi
grep -q 'edited by deb.sh' /etc/photorig/photorig.ini && pass "the edited config is kept" ||
	fail "the reinstall replaced the edited config"

# ---- dpkg -r: programs go, state stays ----
mkdir -p /var/lib/photorig/sessions/deb-test && echo kept > /var/lib/photorig/sessions/deb-test/capture
if out=$(timeout 300 dpkg -r photorig 2>&1); then pass "dpkg -r"; else fail "dpkg -r: $out"; fi
for f in /usr/bin/photorig /usr/sbin/photorigd "$UNIT"; do
	[ ! -e "$f" ] && pass "$f removed" || fail "$f still there after dpkg -r"
done
[ "$(cat /var/lib/photorig/sessions/deb-test/capture 2>/dev/null)" = kept ] &&
	pass "dpkg -r leaves the state folder" || fail "the state folder was touched by dpkg -r"
[ -f /etc/photorig/photorig.ini ] && pass "dpkg -r keeps the config" || fail "dpkg -r removed the config"
if out=$(timeout 300 dpkg -P photorig 2>&1); then pass "dpkg -P"; else fail "dpkg -P: $out"; fi
[ ! -e /etc/photorig/photorig.ini ] && pass "dpkg -P removes the config" || fail "config left after purge"
[ -f /var/lib/photorig/sessions/deb-test/capture ] && pass "dpkg -P leaves the state folder" ||
	fail "the state folder was removed by dpkg -P"

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
