# photorigd and systemd: READY=1 once the cameras are attached, STATUS= lines
# with cameras/session/set, WATCHDOG=1 pings at half of WatchdogSec,
# RELOADING=1 on SIGHUP, STOPPING=1 on SIGTERM; "<N>" priority prefixes on
# log lines when stderr is the journal. Also plate_required.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
: "${PHOTORIG_NOTIFY_LISTEN:?}"

rig_dir rig
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" width 320; ini_set "camera $c" height 240; done
ini_set rig plate_required true
"$PHOTORIG_NOTIFY_LISTEN" "$TMP/notify.sock" 120 > "$TMP/notify.out" &
LPID=$!
wait_for 5 test -S "$TMP/notify.sock"
: > "$RIG/daemon.log"
JS="$(stat -c %d "$RIG/daemon.log"):$(stat -c %i "$RIG/daemon.log")"
NOTIFY_SOCKET=$TMP/notify.sock WATCHDOG_USEC=400000 JOURNAL_STREAM=$JS daemon_start || { fail "start"; finish; exit 1; }

wait_for 10 grep -q '^READY=1' "$TMP/notify.out" && pass "READY=1" || fail "no READY=1: $(cat "$TMP/notify.out")"
grep -q '^STATUS=4/4 cameras, no session' "$TMP/notify.out" && pass "STATUS names the cameras" || fail "status: $(cat "$TMP/notify.out")"
wait_for 5 sh -c "[ \$(grep -c '^WATCHDOG=1' '$TMP/notify.out') -ge 3 ]" && pass "WATCHDOG=1 pings" || fail "watchdog pings: $(grep -c WATCHDOG "$TMP/notify.out")"
grep -qE '^<5>photorigd .*rig demo' "$RIG/daemon.log" && pass "journal priority prefix <5> on notices" || fail "log: $(head -3 "$RIG/daemon.log")"
grep -q '^photorigd: ' "$RIG/daemon.log" && fail "plain lines while under the journal" || pass "no plain lines under the journal"

expect_status 0 "session" -- pr session start notify-1
expect_status 1 "capture refused without plates (plate_required)" -- pr capture
expect_output 'no plate for cam01, cam02, cam03, cam04, and plate_required is set' "names the cameras without a plate"
expect_status 0 "plates" -- pr plate --frames 1
expect_status 0 "capture 2 sets" -- pr capture --count 2
wait_for 5 grep -q '^STATUS=4/4 cameras, session notify-1, set 2' "$TMP/notify.out" && pass "STATUS with session and set" || fail "no session status"

kill -HUP "$DPID"
wait_for 5 grep -q '^RELOADING=1' "$TMP/notify.out" && pass "RELOADING=1 on SIGHUP" || fail "no RELOADING=1"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "exit $DSTATUS"
grep -q '^STOPPING=1' "$TMP/notify.out" && pass "STOPPING=1 on SIGTERM" || fail "no STOPPING=1"
kill $LPID 2>/dev/null; wait $LPID 2>/dev/null
finish
