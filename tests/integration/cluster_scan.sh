# A turntable scan of a whole rig: three photorigd nodes of two sim cameras
# each joined by a real Mosquitto, the simulated GRBL turntable (a real pty)
# attached to ws2 only. Plates and a session through ws1, then a scan of 6
# steps started through ws1's socket: ws1 sends it to ws2, which turns the
# table and fires each step as a set of the rig on every node at its time T.
# Checked: `photorig scan start` on ws1 follows the scan step by step to its
# end; every step's set is complete with every node's files on disk; the
# angles (0, 60, ... 300) are in the rig manifest, in every node's manifest
# and journal; the controller received exactly 5 turns of 60 degrees and the
# table ends at 300 degrees; a capture pressed on ws3 during the scan is
# refused as busy; status through ws1 shows the scan; pause and resume
# through ws3 act on it; scan status through ws3 tells the scan's end.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/cluster.inc"
: "${PHOTORIG_SERIAL_SIM:?PHOTORIG_SERIAL_SIM must name the photorig-serial-sim program}"
SIMPID=""
sim_stop() { [ -n "$SIMPID" ] && kill -TERM "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null; SIMPID=""; }
FPID=""
trap '[ -n "${KEEP:-}" ] && cp -a "$TMP" "$KEEP"; [ -n "$FPID" ] && kill "$FPID" 2>/dev/null; sim_stop; cluster_kill_all; rm -rf "$TMP"' EXIT

broker_start || { fail "mosquitto starts"; finish; exit 1; }
for n in ws1 ws2 ws3; do
	node_dir "$n" 2
	# T = now + 400 ms and 3 s per set: 2 cores shared with sanitizer builds
	sed -i 's/^plate_frames = 2$/plate_frames = 2\nset_timeout_ms = 3000/' "$TMP/$n/photorig.ini"
	printf 'lead_ms = 400\n' >> "$TMP/$n/photorig.ini"
done
TT=$TMP/ws2
printf '\n[turntable]\ndriver = grbl\ndevice = %s\nsteps = 12\ndegrees = 360\nsettle_ms = 100\ntimeout_ms = 2000\n' \
	"$TT/serial" >> "$TT/photorig.ini"
"$PHOTORIG_SERIAL_SIM" grbl --link "$TT/serial" --transcript "$TT/transcript" --greet --time-scale 0.05 \
	>>"$TT/sim.log" 2>&1 &
SIMPID=$!
wait_for 10 test -L "$TT/serial" || { fail "serial sim starts: $(cat "$TT/sim.log")"; finish; exit 1; }
for n in ws1 ws2 ws3; do
	node_start "$n" || { fail "node $n starts"; finish; exit 1; }
done
all_online() { node_online ws1 ws2 && node_online ws1 ws3 && node_online ws2 ws1 && node_online ws2 ws3 &&
	node_online ws3 ws2; }
wait_for 20 all_online && pass "three nodes see one another" || fail "nodes not joined: $(cl_status ws1)"

expect_status 0 "plates through ws1" -- on ws1 plate --frames 2
for n in ws2 ws3; do
	wait_for 30 plates_on "$n" 2 && pass "$n recorded its plates too" || fail "no plates on $n"
done
expect_status 0 "session started through ws1" -- on ws1 session start turn-1
wait_for 10 in_session ws2 turn-1 && wait_for 10 in_session ws3 turn-1 && pass "ws2 and ws3 follow into session turn-1" ||
	fail "the session did not reach every node"

# the scan, started and followed through ws1, which has no turntable
timeout 240 "$P" scan start --steps 6 --degrees 360 --settle-ms 100 --socket "$TMP/ws1/run/control.sock" \
	> "$TMP/follow.out" 2>&1 &
FPID=$!
wait_for 30 grep -q 'scan 1 of session turn-1 started: 6 steps over 360 degrees' "$TMP/follow.out" &&
	pass "scan start through ws1: ws2's scan runs" || fail "scan start: $(cat "$TMP/follow.out")"
expect_status 1 "a capture through ws3 during the scan" -- on ws3 capture
expect_output 'busy' "is refused as busy"
expect_status 0 "status through ws1 during the scan" -- on ws1 status
expect_output '^scan 1 running \((turning|settling|shooting|idle)\): step [0-9]+ of 6' "ws1's status shows ws2's scan"
# pause and resume through ws3: the rig's hold is given back while paused
expect_status 0 "scan pause through ws3" -- on ws3 scan pause
state_on_ws2() { [ "$(on ws2 scan status --json | jq -r '.scan.state')" = "$1" ]; }
wait_for 30 state_on_ws2 paused && pass "ws2's scan paused" || fail "not paused: $(on ws2 scan status)"
expect_status 0 "scan resume through ws3" -- on ws3 scan resume
state_on_ws2 running && pass "ws2's scan runs again" || fail "not resumed: $(on ws2 scan status)"
for i in $(seq 1 2400); do kill -0 "$FPID" 2>/dev/null || break; sleep 0.1; done
wait "$FPID"; st=$?
FPID=""
cat "$TMP/follow.out"
[ "$st" = 0 ] && pass "scan start on ws1 returned 0 once the scan ended" || fail "scan start exit $st"
grep -q '^scan 1: 3 of 6 steps done' "$TMP/follow.out" && grep -q '^scan 1: 6 of 6 steps done' "$TMP/follow.out" &&
	pass "ws1's client drew each step of ws2's scan" || fail "no step lines on ws1"
grep -q '^scan 1 of session turn-1 finished: 6 of 6 steps shot$' "$TMP/follow.out" &&
	pass "ws1's client said how the scan ended" || fail "no end line on ws1"

expect_status 0 "scan status through ws3" -- on ws3 scan status
expect_output 'scan 1 of session turn-1 finished: 6 of 6 steps shot' "ws3 tells the scan's end"
on ws2 scan status --json > "$TMP/st.json"
[ "$(jq -r '.scan | "\(.state) \(.steps_done) \(.table_angle)"' "$TMP/st.json")" = "done 6 300" ] &&
	pass "the table ends at 300 degrees" || fail "scan on ws2: $(jq -c .scan "$TMP/st.json")"
moves=$(for i in 1 2 3 4 5; do printf 'G91\nG1 X60 F3600\nG4 P0\n'; done)
[ "$(cat "$TT/transcript")" = "$moves" ] && pass "the controller got exactly 5 turns of 60 degrees" ||
	fail "G-code: $(head -20 "$TT/transcript")"

R=$TMP/ws2/sessions/turn-1/rig_manifest.json
rig_done() { [ -f "$R" ] && [ "$(jq '[.sets[] | select(.finished)] | length' "$R")" -ge 6 ]; }
wait_for 30 rig_done && pass "ws2's rig manifest has 6 finished sets" || fail "rig manifest: $(head -c 2000 "$R")"
want=$(for i in 0 1 2 3 4 5; do echo "$i $((i * 60)) true 6"; done)
got=$(jq -r '.sets[] | "\(.step) \(.angle) \(.complete) \(.shots | length)"' "$R")
[ "$got" = "$want" ] && pass "rig manifest: steps 0..5 at 0, 60, ... 300 degrees, complete, 6 shots each" ||
	fail "rig manifest: $got"
[ "$(jq -r '[.sets[].set] | map(tostring) | join(",")' "$R")" = "1,2,3,4,5,6" ] &&
	pass "rig sets numbered 1..6, once each" || fail "set numbers: $(jq -c '[.sets[].set]' "$R")"
for n in ws1 ws2 ws3; do
	S=$TMP/$n/sessions/turn-1
	wait_for 30 sh -c "jq -e '.sets_finished == 6' '$S/manifest.json' >/dev/null" || fail "$n: 6 sets not finished"
	want=$(for i in 0 1 2 3 4 5; do echo "$i $((i * 60)) true"; done)
	got=$(jq -r '.sets[] | "\(.step) \(.angle) \(.complete)"' "$S/manifest.json")
	[ "$got" = "$want" ] && pass "$n's manifest: 6 complete sets at 0, 60, ... 300 degrees" || fail "$n manifest: $got"
	[ "$(jq -r 'select(.ev == "set_begun") | .angle' "$S/journal.jsonl" | tr '\n' ' ')" = "0 60 120 180 240 300 " ] &&
		pass "$n's journal names each set's angle" || fail "$n journal angles"
	check_session "$S" && pass "$n: journal, manifest and files on disk agree" || fail "$n: session check"
	[ "$(find "$S/cam01" "$S/cam02" -name '*.jpg' | wc -l)" = 12 ] && pass "$n: 12 originals on disk" ||
		fail "$n: $(find "$S" -name '*.jpg' | wc -l) originals"
	a=$(jq -r --arg n "$n" '.sets[] | .set as $s | .shots[] | select(.node == $n) |
		"\($s) \(.camera) \(.file) \(.size) \(.hash)"' "$R" | sort)
	b=$(jq -r '.sets[] | .set as $s | .shots[] | select(.state == "saved") |
		"\($s) \(.camera) \(.file) \(.size) \(.hash)"' "$S/manifest.json" | sort)
	[ -n "$a" ] && [ "$a" = "$b" ] && pass "$n: the rig manifest names its shots as its manifest does" ||
		{ fail "$n: rig manifest and node manifest differ"; diff <(echo "$a") <(echo "$b") | head -5; }
done
# the sim cameras of ws3 saw the object turn with the table
J=$TMP/ws3/sessions/turn-1/cam01
[ -s "$J/cam01_0001.jpg" ] && [ -s "$J/cam01_0004.jpg" ] && ! cmp -s "$J/cam01_0001.jpg" "$J/cam01_0004.jpg" &&
	pass "ws3's cameras saw the object turn" || fail "ws3's object did not turn (or no files)"
for n in ws1 ws2 ws3; do
	node_stop "$n" && [ "$NSTATUS" = 0 ] && pass "$n stops cleanly" || fail "$n stop $NSTATUS"
done
finish
