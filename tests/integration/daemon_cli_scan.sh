# Scans from the command line: `scan start` follows the scan live until it
# ends; `session stop` right after waits for the masks still in flight
# instead of refusing; Ctrl-C detaches from a scan without stopping it;
# `scan stop` during a step says the scan stops after it (no time left), and
# a stopped scan names no step in hand.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/scan.inc"

scan_rig rig
# large frames: the last set's masks are still being made when the scan ends
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" width 2400; ini_set "camera $c" height 1800; done
sim_start grbl --greet --time-scale 0.05 || { fail "serial sim"; finish; exit 1; }
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start cli-scan
expect_status 0 "scan start follows the scan to its end" -- pr scan start --steps 2 --settle-ms 50
expect_output 'scan 1 of session cli-scan finished: 2 of 2 steps shot' "and says how it ended"
expect_status 0 "session stop right after waits for the masks" -- pr session stop
expect_output 'waiting for [0-9]+ masks? of the last sets' "it said it waits"
expect_output 'session cli-scan stopped after 2 set' "then stopped the session"
[ "$(jq '[.sets[].shots[] | select(.mask == "written")] | length' "$RIG/sessions/cli-scan/manifest.json")" = 8 ] &&
	pass "all 8 masks written" || fail "masks: $(jq -c '[.sets[].shots[].mask]' "$RIG/sessions/cli-scan/manifest.json")"

# --- Ctrl-C detaches; scan stop says what happens --------------------------------
expect_status 0 "session 2" -- pr session start cli-scan-2
"$P" scan start --steps 6 --settle-ms 4000 --socket "$SOCK" > "$TMP/follow.out" 2>&1 &
FPID=$!
wait_for 30 grep -q 'started' "$TMP/follow.out" || fail "scan did not start: $(cat "$TMP/follow.out")"
kill -INT "$FPID"
for i in $(seq 1 100); do kill -0 "$FPID" 2>/dev/null || break; sleep 0.1; done
wait "$FPID"; st=$?
[ "$st" = 0 ] && grep -q 'detached: scan 1 goes on in photorigd' "$TMP/follow.out" &&
	pass "Ctrl-C detached (exit 0, said so)" || fail "Ctrl-C: exit $st: $(cat "$TMP/follow.out")"
scan_is running && pass "the scan goes on" || fail "scan state $(scan_state)"
wait_for 30 sh -c "\"$P\" scan status --socket \"$SOCK\" --json | jq -e '.scan.phase == \"settling\"' >/dev/null" ||
	fail "never settling"
expect_status 0 "scan stop" -- pr scan stop
if printf '%s\n' "$OUT" | grep -q 'left'; then fail "scan stop answers with time left: $OUT"
else pass "scan stop does not count time left"; fi
expect_output 'stopped after [0-9] of 6 steps|stops after the step in progress' "it says what happens"
wait_for 30 scan_is stopped && pass "the scan stopped" || fail "scan state $(scan_state)"
expect_status 0 "scan status" -- pr scan status
expect_output 'stopped after [0-9] of 6 steps' "a stopped scan: how far it got"
if printf '%s\n' "$OUT" | grep -q ' at [0-9.]* degrees'; then fail "a stopped scan names a step: $OUT"
else pass "no step in hand named"; fi
daemon_stop
finish
