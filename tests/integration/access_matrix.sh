# photorigd's control socket against the access-control and hostile-request
# matrix of issue 8 (daemon_clients.sh covers the everyday misuse: malformed
# JSON, a 10 MB line, "../x", a vanished client, a stranger against a root
# daemon; this extends it, not repeats it).
#
# The daemon runs as an unprivileged user created for the test, with
# [daemon] group set to a group created for the test, so each peer rule is
# exercised by a real, distinct identity:
#   root                            served
#   the daemon's own user           served (no group membership)
#   a supplementary group member    served (SO_PEERGROUPS)
#   a member by primary group only  served (SO_PEERCRED gid)
#   a stranger                      refused by the socket's mode, and by the
#                                   credential check when the mode is loosened
# then hostile requests: path tricks in names, the line limit to the byte,
# many medium lines, 2000 idle connections, a flooding client; after each,
# the daemon serves, and its open fds and RSS are back where they were.
# Needs root (it creates and removes the users); skipped (77) otherwise.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null || ! command -v setpriv >/dev/null; then
	echo "SKIP: needs root, useradd and setpriv"; exit 77
fi
STRESS=${PHOTORIG_BUILD:?}/tests/ctl_stress
[ -x "$STRESS" ] || { echo "ctl_stress not built at $STRESS"; exit 1; }

# Unique names (parallel runs, leftovers of a killed run never collide).
T=$$
G=prg$T DU=prd$T MU=prm$T PU=prp$T SU=prs$T
cleanup() {
	daemon_kill
	for u in $DU $MU $PU $SU; do userdel "$u" 2>/dev/null; done
	groupdel "$G" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
groupadd --system "$G"
useradd --system -M -N -g nogroup -G "$G" -s /usr/sbin/nologin "$DU"  # the daemon
useradd --system -M -N -g nogroup -G "$G" -s /usr/sbin/nologin "$MU"  # member
useradd --system -M -N -g "$G" -s /usr/sbin/nologin "$PU"             # primary group
useradd --system -M -N -g nogroup -s /usr/sbin/nologin "$SU"          # stranger
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
as_only_uid() { local u=$1; shift; setpriv --reuid="$u" --regid=nogroup --clear-groups "$@"; }

rig_dir rig
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" width 320; ini_set "camera $c" height 240; done
ini_set daemon group "$G"
MAXC=16
ini_set daemon max_clients $MAXC
chmod 711 "$TMP"
chown -R "$DU" "$RIG"

# daemon_start of daemon.inc, as the daemon's user. Under ASan a small
# quarantine, so that RSS measures the daemon's memory rather than 256 MB of
# freed blocks ASan keeps to catch use-after-free (2000 clients churn that).
# Smaller than the second round's bound (8 MB): the quarantine's content
# moves between size classes from round to round, and with 16 MB the second
# round grew by the quarantine's own 16 MB every time on a busy machine.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=2 PHOTORIG_SIM_TRUTH=1 setpriv --reuid="$DU" --regid=nogroup --init-groups "$D" -c "$RIG/photorig.ini" \
	>>"$TMP/daemon.log" 2>&1 &
DPID=$!
wait_for 30 sh -c "[ -S '$SOCK' ] && '$P' status --socket '$SOCK' >/dev/null 2>&1" ||
	{ fail "daemon start as $DU"; cat "$TMP/daemon.log"; finish; exit 1; }
pass "photorigd runs as the unprivileged user $DU, [daemon] group = $G"
[ "$(stat -c '%U %G %a' "$SOCK")" = "$DU $G 660" ] && pass "socket is $DU:$G mode 0660" ||
	fail "socket owner/mode: $(stat -c '%U %G %a' "$SOCK")"

nfds() { ls "/proc/$DPID/fd" 2>/dev/null | wc -l; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$DPID/status"; }
alive() { kill -0 "$DPID" 2>/dev/null && "$P" status --socket "$SOCK" >/dev/null 2>&1; }
FD0=$(nfds)
RSS0=$(rss_kb)
echo "baseline: $FD0 open fds, RSS $RSS0 kB"

# --- socket peers ---------------------------------------------------------------
expect_status 0 "root is served" -- "$P" status --socket "$SOCK"
expect_status 0 "the daemon's own user is served (no group)" -- as_only_uid "$DU" "$P" status --socket "$SOCK"
expect_status 0 "a supplementary member of $G is served" -- as "$MU" "$P" status --socket "$SOCK"
expect_status 0 "a member by primary group $G is served" -- as "$PU" "$P" status --socket "$SOCK"
expect_status 1 "a stranger cannot open the socket (mode 0660)" -- as "$SU" "$P" status --socket "$SOCK"
expect_output "access denied to $SOCK" "the stranger is told access is denied"
chmod 666 "$SOCK"
expect_status 1 "a stranger on a loosened socket is refused by the credential check" -- \
	as "$SU" "$P" status --socket "$SOCK"
expect_output "photorigd refused: access denied: uid $(id -u "$SU") is not root, photorigd's user or a member of group '$G'" \
	"the refusal names the uid and the group"
expect_status 1 "a stranger's session start is refused" -- as "$SU" "$P" session start pwn --socket "$SOCK"
expect_output 'refused: access denied' "with the same clear message"
[ ! -e "$RIG/sessions/pwn" ] && pass "no session started by the stranger" || fail "stranger started a session"
chmod 660 "$SOCK"
alive && pass "daemon unharmed by refused peers" || fail "daemon after peers"
echo "RSS after peers: $(rss_kb) kB"

# --- path tricks in names -------------------------------------------------------
# each a JSON string literal; every one must be refused, naming the field
names=('../../etc/x' '/etc' 'a/b' '..' '.' '.hidden' '\u002e\u002e' '\u002e\u002e/x'
	'\u2024\u2024' '\uff0e\uff0e' 'caf\u00e9' 'a\u0000b' 'a\\b' 'a b' '' '~root' '$(id)'
	'cam01\n' 'x\u202e' "$(printf 'x%.0s' $(seq 1 65))" "$(printf 'y%.0s' $(seq 1 5000))")
snapshot() { find "$TMP" -mindepth 1 ! -name daemon.log ! -name before ! -name after | sort; }
snapshot > "$TMP/before"
id=100 bad=0
for n in "${names[@]}"; do
	id=$((id + 1))
	for req in "\"op\":\"session_start\",\"name\":\"$n\"" "\"op\":\"plate\",\"camera\":\"$n\""; do
		OUT=$(printf '{"v":1,"id":%d,%s}\n' "$id" "$req" | "$P" raw --socket "$SOCK" --timeout 10)
		field=name; [[ $req == *plate* ]] && field=camera
		printf '%s\n' "$OUT" | grep -qE "\"id\":$id,\"ok\":false,\"error\":\"field '$field'" ||
			{ bad=$((bad + 1)); echo "  not refused: $req -> $OUT"; }
	done
done
[ $bad = 0 ] && pass "${#names[@]} hostile names refused in session_start and plate, each naming the field" ||
	fail "$bad hostile names not refused"
snapshot > "$TMP/after"
diff -q "$TMP/before" "$TMP/after" >/dev/null && [ ! -e /etc/x ] && pass "no file or folder created by them" ||
	fail "files appeared: $(diff "$TMP/before" "$TMP/after")"
long=$(printf 'n%.0s' $(seq 1 64))
expect_status 0 "a 64-character name (the limit) is a session" -- "$P" session start "$long" --socket "$SOCK"
[ -d "$RIG/sessions/$long" ] && pass "its folder is under the output root" || fail "64-char session folder"
expect_status 0 "session stopped" -- "$P" session stop --socket "$SOCK"
echo "RSS after names: $(rss_kb) kB"

# --- the line limit to the byte, many medium lines --------------------------------
line_of() { # line_of ID BYTES: a status request padded with spaces to BYTES
	local head="{\"v\":1,\"id\":$1,\"op\":\"status\""
	printf '%s%*s}\n' "$head" $(($2 - ${#head} - 1)) ''
}
OUT=$(line_of 201 65536 | "$P" raw --socket "$SOCK" --timeout 10)
expect_output '"id":201,"ok":true' "a request of exactly 65536 bytes is served"
OUT=$(line_of 202 65537 | "$P" raw --socket "$SOCK" --timeout 10)
expect_output '"error":"request too long' "a request of 65537 bytes is refused as too long"
# 150 lines of 60 KB (9 MB) on one connection: each within the limit
OUT=$(for i in $(seq 1 150); do line_of $((300 + i)) 60000; done | "$P" raw --socket "$SOCK" --timeout 60)
n=$(printf '%s\n' "$OUT" | grep -c '"ok":true')
[ "$n" = 150 ] && pass "150 lines of 60 KB on one connection: all 150 answered" || fail "medium lines: $n of 150 answered"
alive && pass "daemon serves after 9 MB of requests" || fail "daemon after medium lines"
echo "RSS after long lines: $(rss_kb) kB"

# --- 2000 idle connections ---------------------------------------------------------
"$STRESS" hold "$SOCK" 2000 10 > "$TMP/hold.out" 2> "$TMP/hold.err" &
HPID=$!
wait_for 30 grep -q 'connections made' "$TMP/hold.err"
cat "$TMP/hold.err"
FDH=$(nfds)
[ "$FDH" -le $((FD0 + MAXC + 2)) ] && pass "2000 held connections: the daemon holds $FDH fds (baseline $FD0, max_clients $MAXC)" ||
	fail "daemon holds $FDH fds with 2000 idle connections (baseline $FD0)"
served=0 worst=0
for i in 1 2 3; do
	t0=$(date +%s%N)
	"$P" status --socket "$SOCK" >/dev/null 2>&1 && served=$((served + 1))
	ms=$(( ($(date +%s%N) - t0) / 1000000 )); [ $ms -gt $worst ] && worst=$ms
done
[ $served = 3 ] && pass "status served 3 of 3 times while 2000 idle connections are held (slowest $worst ms)" ||
	fail "status served $served of 3 times under 2000 idle connections"
wait $HPID
cat "$TMP/hold.out"
read -r made open closed_msg silent < <(sed -E 's/.*made=([0-9]+).*open=([0-9]+) closed_msg=([0-9]+).*closed_silent=([0-9]+).*/\1 \2 \3 \4/' "$TMP/hold.out")
[ "$made" = 2000 ] && [ "$open" -le $MAXC ] && [ "$silent" = 0 ] && [ $((open + closed_msg)) = 2000 ] &&
	pass "of 2000: $open kept (<= max_clients), $closed_msg closed each with a message, none silently" ||
	fail "idle connections: $(cat "$TMP/hold.out")"
wait_for 10 sh -c "[ \$(ls /proc/$DPID/fd | wc -l) -le $FD0 ]" &&
	pass "fds back to $(nfds) after the idle connections closed (baseline $FD0)" || fail "fd leak: $(nfds) open, baseline $FD0"

echo "RSS after idle connections: $(rss_kb) kB"

# all slots busy (watchers are never evicted): a newcomer is refused, saying why
WPIDS=()
for i in $(seq 1 $MAXC); do "$P" watch --socket "$SOCK" >/dev/null 2>&1 & WPIDS+=($!); done
wait_for 30 sh -c "[ \$(ls /proc/$DPID/fd | wc -l) -ge $((FD0 + MAXC)) ]"
sleep 0.5
expect_status 1 "with $MAXC watchers, a new client is refused" -- "$P" status --socket "$SOCK"
expect_output "too many clients \(max_clients = $MAXC, all busy\)" "the refusal says max_clients and why"
kill "${WPIDS[@]}" 2>/dev/null; wait "${WPIDS[@]}" 2>/dev/null
wait_for 10 alive && pass "served again once the watchers left" || fail "daemon after watchers"

# --- a client flooding status requests ------------------------------------------------
"$STRESS" flood "$SOCK" 6 > "$TMP/flood.out" &
FPID=$!
sleep 0.5
"$STRESS" ping "$SOCK" 40 > "$TMP/ping.out"
wait $FPID
echo "flood: $(cat "$TMP/flood.out"); other client: $(cat "$TMP/ping.out")"
read -r sent ok limited other dropped < <(sed -E 's/sent=([0-9]+) ok=([0-9]+) limited=([0-9]+) other=([0-9]+) dropped=([0-9]+)/\1 \2 \3 \4 \5/' "$TMP/flood.out")
[ "$limited" -gt 0 ] && [ "$ok" -le 900 ] && [ "$other" = 0 ] && [ $((ok + limited)) = "$sent" ] &&
	pass "flood of $sent requests in 6 s: $ok served, $limited answered 'too many requests'" ||
	fail "flood not limited: $(cat "$TMP/flood.out")"
read -r failed worst < <(sed -E 's/.*failed=([0-9]+) worst_ms=([0-9]+).*/\1 \2/' "$TMP/ping.out")
[ "$failed" = 0 ] && [ "$worst" -lt 1000 ] &&
	pass "another client's 40 status requests during the flood: all served, slowest $worst ms (< 1 s)" ||
	fail "other client starved: $(cat "$TMP/ping.out")"

# --- unharmed ----------------------------------------------------------------------------
wait_for 10 sh -c "[ \$(ls /proc/$DPID/fd | wc -l) -le $FD0 ]" && pass "fds at the end: $(nfds) (baseline $FD0)" ||
	fail "fds at the end: $(nfds), baseline $FD0"
# The first round grows RSS while the allocator's caches (and, under ASan,
# the quarantine) fill; a second round of the heaviest stages must not.
RSS1=$(rss_kb)
[ $((RSS1 - RSS0)) -lt 65536 ] && pass "RSS grew $(( (RSS1 - RSS0) / 1024 )) MB over the matrix (< 64 MB)" ||
	fail "RSS grew from $RSS0 to $RSS1 kB"
"$STRESS" hold "$SOCK" 2000 3 > "$TMP/hold2.out" 2>/dev/null
"$STRESS" flood "$SOCK" 3 > "$TMP/flood2.out"
wait_for 10 sh -c "[ \$(ls /proc/$DPID/fd | wc -l) -le $FD0 ]"
RSS2=$(rss_kb)
echo "RSS: $RSS0 kB at start, $RSS1 kB after the matrix, $RSS2 kB after a second round; fds $(nfds)"
[ $((RSS2 - RSS1)) -lt 8192 ] && [ "$(nfds)" -le "$FD0" ] &&
	pass "second round of 2000 idle connections and a flood: RSS +$(( (RSS2 - RSS1) / 1024 )) MB (< 8), fds flat" ||
	fail "second round: RSS $RSS1 -> $RSS2 kB, fds $(nfds) (baseline $FD0)"
grep -q 'refused: access denied' "$TMP/daemon.log" && pass "refusals are logged" || fail "no refusal in the log"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit after the matrix" || fail "exit status $DSTATUS"
grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$TMP/daemon.log" && fail "sanitizer report in the daemon log" ||
	pass "no sanitizer report from the daemon"
finish
