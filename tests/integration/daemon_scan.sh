# A 12-step turntable scan: sim cameras, the GRBL simulator on a real pty.
# 12 complete sets at 0, 30, ... 330 degrees in the manifest and journal,
# the exact G-code the controller received, progress events for watchers
# and scan status with its reason-free "done". `scan start` follows the scan
# live until it ends (a line per step, then how it ended, no "step 12 at 0
# degrees"); text `status` shows the running scan.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/scan.inc"

scan_rig rig
sim_start grbl --greet --time-scale 0.05 || { fail "serial sim"; finish; exit 1; }
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start turn-1
"$P" watch --socket "$SOCK" > "$RIG/watch.out" 2>&1 &
WPID=$!
sleep 0.3
pr scan start --steps 12 --degrees 360 --settle-ms 100 > "$RIG/follow.out" 2>&1 &
FPID=$!
wait_for 30 grep -q 'scan 1 of session turn-1 started: 12 steps over 360 degrees' "$RIG/follow.out" &&
	pass "scan start: the scan runs" || fail "scan start: $(cat "$RIG/follow.out")"
expect_status 0 "status during the scan" -- pr status
expect_output '^scan 1 running \((turning|settling|shooting|idle)\): step [0-9]+ of 12 at [0-9.]+ degrees' \
	"text status shows the running scan"
if printf '%s\n' "$OUT" | grep -qx idle; then fail "status says idle during a scan"; else pass "status does not say idle"; fi
expect_status 1 "a capture during the scan is refused" -- pr capture
expect_output 'busy: a turntable scan is running' "as busy"
wait_for 120 scan_is done && pass "scan done" || fail "scan state $(scan_state)"
for i in $(seq 1 100); do kill -0 "$FPID" 2>/dev/null || break; sleep 0.1; done
wait "$FPID"; st=$?
cat "$RIG/follow.out"
[ "$st" = 0 ] && pass "scan start returned 0 once the scan ended" || fail "scan start exit $st"
grep -q '^scan 1: 12 of 12 steps done' "$RIG/follow.out" && grep -q '^scan 1: 5 of 12 steps done' "$RIG/follow.out" &&
	pass "scan start printed each step live" || fail "no step lines"
grep -q '^scan 1 of session turn-1 finished: 12 of 12 steps shot$' "$RIG/follow.out" &&
	pass "scan start said how it ended" || fail "no end line"
kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
S=$RIG/sessions/turn-1
wait_for 30 sh -c "jq -e '.sets_finished == 12' '$S/manifest.json' >/dev/null" || fail "12 sets not finished"

want=$(for i in $(seq 0 11); do echo "$i $((i * 30)) true"; done)
got=$(manifest_angles "$S")
[ "$got" = "$want" ] && pass "12 complete sets at 0, 30, ... 330 degrees" || fail "manifest: $got"
[ "$(jq '.sets_complete' "$S/manifest.json")" = 12 ] && pass "manifest: 12 complete" || fail "sets_complete"
[ "$(jq -r '.scan | "\(.state) \(.steps) \(.degrees) \(.settle_ms) \(.steps_done)"' "$S/manifest.json")" = "done 12 360 100 12" ] &&
	pass "manifest records the scan's plan" || fail "manifest scan: $(jq -c .scan "$S/manifest.json")"
[ "$(jq -c 'select(.ev == "scan_started") | [.steps, .degrees, .settle_ms]' "$S/journal.jsonl")" = "[12,360,100]" ] &&
	pass "journal records the plan" || fail "journal plan"
[ "$(jq -r 'select(.ev == "set_begun") | .angle' "$S/journal.jsonl" | tr '\n' ' ')" = "0 30 60 90 120 150 180 210 240 270 300 330 " ] &&
	pass "journal records each set's angle" || fail "journal angles"
if cmp -s "$RIG/transcript" <(grbl_moves 1 11); then pass "the G-code sent is exactly 11 turns of 30 degrees"
else fail "G-code: $(diff <(grbl_moves 1 11) "$RIG/transcript" | head)"; fi
check_session "$S" && pass "journal, manifest and files agree" || fail "journal, manifest and files disagree"
# the sim cameras saw the object turn: step 0 and step 6 differ
cmp -s "$S/cam01/cam01_0001.jpg" "$S/cam01/cam01_0007.jpg" && fail "the object did not turn" || pass "the object turned"

grep -qE 'scan 1: step, step 5 of 12 at 120 degrees, 5 done, ETA [0-9]+ s' "$RIG/watch.out" &&
	pass "watch shows step i of N with an ETA" || fail "watch: $(grep scan "$RIG/watch.out" | head -5)"
grep -q 'scan 1: finished' "$RIG/watch.out" && pass "watch shows the end" || fail "no finish event"
expect_status 0 "scan status" -- pr scan status
expect_output 'finished: 12 of 12 steps shot' "status: 12 of 12"
if printf '%s\n' "$OUT" | grep -q 'step 12 at'; then fail "a finished scan names a step in hand: $OUT"
else pass "a finished scan names no step in hand"; fi
grep -q 'scan 1: finished, 12 of 12 steps done' "$RIG/watch.out" && pass "watch: finished, 12 of 12" ||
	fail "watch end: $(grep finished "$RIG/watch.out")"
expect_status 0 "scan status --json" -- pr scan status --json
expect_output '"state":"done"' "JSON state"
expect_status 1 "resume a finished scan" -- pr scan resume
expect_output 'no paused scan' "nothing to resume"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean stop" || fail "stop $DSTATUS"
finish
