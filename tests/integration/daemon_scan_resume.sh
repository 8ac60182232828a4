# A scan survives kill -9 and turntable faults. Kill photorigd while step 5
# settles, restart: the scan is found paused in the journal; scan resume
# shoots steps 5..11 at their angles, no step shot twice or missed, and the
# table is not turned twice for a step (the GRBL transcript). A controller
# that answers error: or falls silent pauses the scan with the reason in
# scan status; nothing captured is lost; once the fault is cleared (the
# controller restarted), resume completes the scan.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/scan.inc"

all_steps_once() {
	local got want
	want=$(for i in $(seq 0 11); do echo "$i $((i * 30)) true"; done)
	got=$(manifest_angles "$1")
	[ "$got" = "$want" ] && pass "$2: 12 sets, one per step, at 0..330 degrees" || fail "$2: manifest: $got"
}

# ---- kill -9 at step 5 ----
scan_rig crash
ini_set turntable settle_ms 1500
sim_start grbl --greet --time-scale 0.05 || { fail "serial sim"; finish; exit 1; }
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "session" -- pr session start crash
expect_status 0 "scan start" -- pr scan start --detach
S=$RIG/sessions/crash
# -s and any(): jq -e alone answers for the journal's last line only
wait_for 60 sh -c "jq -e -s 'any(.[]; .ev == \"scan_turned\" and .step == 5)' '$S/journal.jsonl' >/dev/null" &&
	pass "the table reached step 5" || fail "step 5 not reached"
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null; DPID=""
[ "$(jq -s '[.[] | select(.ev == "set_begun")] | length' "$S/journal.jsonl")" = 5 ] && pass "killed with steps 0..4 shot" || fail "sets at kill: $(jq -s '[.[] | select(.ev == "set_begun")] | length' "$S/journal.jsonl")"
daemon_start || { fail "restart"; finish; exit 1; }
expect_status 0 "scan status after the restart" -- pr scan status
expect_output 'paused' "the scan is found paused"
expect_output 'paused: photorigd stopped during the scan .* continues at step 6 of 12' "with the reason"
expect_status 0 "scan resume" -- pr scan resume
wait_for 120 scan_is done && pass "scan done after resume" || fail "state $(scan_state)"
wait_for 30 sh -c "jq -e '.sets_finished == 12' '$S/manifest.json' >/dev/null"
all_steps_once "$S" "crash"
cmp -s "$RIG/transcript" <(grbl_moves 1 11) && pass "crash: the table turned exactly once per step" ||
	fail "crash: G-code: $(diff <(grbl_moves 1 11) "$RIG/transcript" | head)"
check_session "$S" && pass "crash: journal, manifest and files agree" || fail "crash: disagree"
daemon_stop; sim_stop

# ---- the controller refuses the third turn (error:20) ----
scan_rig refuse
sim_start grbl --greet --time-scale 0.05 --error-at-move 3 || { fail "serial sim"; finish; exit 1; }
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "scan start without a session" -- pr scan start --detach
expect_output 'session scan-[0-9]{8}-[0-9]{6}' "opens a session of its own"
S=$(ls -d "$RIG"/sessions/scan-*)
wait_for 60 scan_is paused && pass "error: pauses the scan" || fail "state $(scan_state)"
expect_status 0 "scan status" -- pr scan status
expect_output 'paused: turntable .*error:20.*trusted at 60 degrees.*turns it to 90 degrees and continues at step 4 of 12' "status says why, and what resume does"
wait_for 30 sh -c "jq -e '.sets_finished == 3' '$S/manifest.json' >/dev/null" &&
	pass "the 3 sets before the fault are kept" || fail "sets before the fault: $(jq .sets_finished "$S/manifest.json")"
expect_status 0 "scan resume" -- pr scan resume
wait_for 120 scan_is done && pass "refuse: scan done after resume" || fail "state $(scan_state)"
wait_for 30 sh -c "jq -e '.sets_finished == 12' '$S/manifest.json' >/dev/null"
all_steps_once "$S" "refuse"
cmp -s "$RIG/transcript" <(grbl_moves 1 2; printf 'G91\nG1 X30 F3600\n'; grbl_moves 3 11) &&
	pass "refuse: the refused turn is sent again, nothing else twice" || fail "refuse: G-code: $(cat "$RIG/transcript" | head -20)"
check_session "$S" && pass "refuse: journal, manifest and files agree" || fail "refuse: disagree"
daemon_stop; sim_stop

# ---- the controller falls silent after two turns ----
scan_rig mute
sim_start grbl --greet --time-scale 0.05 --mute-after-moves 2 || { fail "serial sim"; finish; exit 1; }
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "session" -- pr session start mute
expect_status 0 "scan start" -- pr scan start --detach
S=$RIG/sessions/mute
wait_for 60 scan_is paused && pass "silence pauses the scan" || fail "state $(scan_state)"
expect_status 0 "scan status" -- pr scan status
expect_output 'paused: turntable .*(no answer|no reply|timed out|within).*continues at step 4 of 12' "status says the table fell silent"
[ "$(jq '.sets_finished' "$S/manifest.json")" = 3 ] && pass "the 3 sets before the silence are kept" || fail "sets kept"
expect_status 1 "a paused scan must be resumed or stopped before another" -- pr scan start --detach
expect_output 'is paused at step 4 of 12' "says so"
# the operator power-cycles the controller: a fresh one on the same link
sim_stop
mv "$RIG/transcript" "$RIG/transcript.before"
sim_start grbl --greet --time-scale 0.05 || { fail "serial sim restart"; finish; exit 1; }
expect_status 0 "scan resume" -- pr scan resume
wait_for 120 scan_is done && pass "mute: scan done after resume" || fail "state $(scan_state)"
wait_for 30 sh -c "jq -e '.sets_finished == 12' '$S/manifest.json' >/dev/null"
all_steps_once "$S" "mute"
cmp -s "$RIG/transcript" <(grbl_moves 3 11) && pass "mute: the new controller got steps 4..12's turns" ||
	fail "mute: G-code: $(head -20 "$RIG/transcript")"
check_session "$S" && pass "mute: journal, manifest and files agree" || fail "mute: disagree"
daemon_stop
finish
