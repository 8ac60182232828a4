# A turntable scan of a rig of three nodes (sim cameras, a real Mosquitto,
# the simulated GRBL turntable) through its faults. Two nodes with a
# turntable: a scan request is refused naming both. Then the table on ws2
# only, a scan of 8 steps started through ws3: ws1 killed with SIGKILL
# mid-scan makes the steps shot without it incomplete naming ws1/cam01 and
# ws1/cam02, shot once each (no retry for a node that is offline), while the
# scan goes on; restarted, ws1 rejoins and takes part again. Then the broker
# stopped while the table settles: the scan pauses before its set, saying
# why; the broker back, it goes on by itself. Then the broker stopped while
# a set is in flight (T is 1.5 s ahead): the other nodes' reports are lost,
# the set is incomplete naming their cameras, and once the broker is back
# that step is shot again, complete. The scan keeps its number to its last
# step. No set number is begun twice on any node, every node's
# journal, manifest and files agree, and the table ends at 315 degrees.
# With ws2 stopped, a scan request through ws1 says ws2 is offline; with ws2
# back without its table, that no node has one, naming the three.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/cluster.inc"
: "${PHOTORIG_SERIAL_SIM:?PHOTORIG_SERIAL_SIM must name the photorig-serial-sim program}"
declare -A SIMS=()
sims_stop() { local n; for n in "${!SIMS[@]}"; do kill -TERM "${SIMS[$n]}" 2>/dev/null; wait "${SIMS[$n]}" 2>/dev/null; done; }
trap '[ -n "${KEEP:-}" ] && cp -a "$TMP" "$KEEP"; sims_stop; cluster_kill_all; rm -rf "$TMP"' EXIT

# table NODE: a simulated GRBL controller on NODE's serial link, and its section
table() {
	local dir=$TMP/$1
	printf '\n[turntable]\ndriver = grbl\ndevice = %s\nsteps = 8\ndegrees = 360\nsettle_ms = 1500\ntimeout_ms = 2000\n' \
		"$dir/serial" >> "$dir/photorig.ini"
	"$PHOTORIG_SERIAL_SIM" grbl --link "$dir/serial" --transcript "$dir/transcript" --greet --time-scale 0.05 \
		>>"$dir/sim.log" 2>&1 &
	SIMS[$1]=$!
	wait_for 10 test -L "$dir/serial"
}

broker_start || { fail "mosquitto starts"; finish; exit 1; }
for n in ws1 ws2 ws3; do
	node_dir "$n" 2
	sed -i 's/^plate_frames = 2$/plate_frames = 2\nset_timeout_ms = 3000/' "$TMP/$n/photorig.ini"
	printf 'lead_ms = 1500\n' >> "$TMP/$n/photorig.ini"
done
cp "$TMP/ws3/photorig.ini" "$TMP/ws3.ini"
table ws2 && table ws3 || { fail "serial sims start"; finish; exit 1; }
for n in ws1 ws2 ws3; do node_start "$n" || { fail "node $n starts"; finish; exit 1; }; done
all_online() { node_online ws1 ws2 && node_online ws1 ws3 && node_online ws2 ws1 && node_online ws2 ws3 &&
	node_online ws3 ws1 && node_online ws3 ws2; }
wait_for 20 all_online && pass "three nodes see one another" || fail "nodes not joined: $(cl_status ws1)"
expect_status 1 "scan status through ws1 with two turntables in the rig" -- on ws1 scan status
expect_output 'nodes ws2, ws3 each have a turntable: a scan of rig studio needs exactly one' "refused naming both"

# ws3 without its table from now on
node_stop ws3
kill -TERM "${SIMS[ws3]}"; wait "${SIMS[ws3]}" 2>/dev/null; unset "SIMS[ws3]"
cp "$TMP/ws3.ini" "$TMP/ws3/photorig.ini"
node_start ws3 || { fail "ws3 restarts"; finish; exit 1; }
wait_for 20 all_online || fail "ws3 did not rejoin"
expect_status 0 "plates through ws3" -- on ws3 plate --frames 2
for n in ws1 ws2; do wait_for 30 plates_on "$n" 2 || fail "no plates on $n"; done
expect_status 0 "session through ws3" -- on ws3 session start turn-2
wait_for 10 in_session ws1 turn-2 && wait_for 10 in_session ws2 turn-2 || fail "the session did not reach every node"

expect_status 0 "scan start through ws3 (detached)" -- on ws3 scan start --steps 8 --degrees 360 --detach
expect_output 'the turntable is on node ws2' "the reply names the node with the turntable"
done_ge() { [ "$(on ws2 scan status --json 2>/dev/null | jq -r '.scan.steps_done // 0')" -ge "$1" ]; }
wait_for 60 done_ge 2 && pass "2 steps done" || fail "scan: $(on ws2 scan status)"
node_kill ws1
pass "ws1 killed with SIGKILL after step $(on ws2 scan status --json | jq .scan.steps_done)"
wait_for 90 done_ge 5 && pass "the scan goes on without ws1" || fail "scan stuck: $(on ws2 scan status)"
node_start ws1 || { fail "ws1 restarts"; finish; exit 1; }
wait_for 20 node_online ws2 ws1 && pass "ws1 rejoins" || fail "ws1 not back"

# the broker away while the table settles before a step
phase_is() { [ "$(on ws2 scan status --json 2>/dev/null | jq -r '.scan.phase')" = "$1" ]; }
wait_for 60 phase_is settling || fail "no settle seen: $(on ws2 scan status)"
before=$(on ws2 scan status --json | jq .scan.steps_done)
broker_stop
paused() { [ "$(on ws2 scan status --json | jq -r '.scan.state')" = paused ]; }
wait_for 20 paused && pass "the broker away: the scan pauses" || fail "not paused: $(on ws2 scan status)"
expect_status 0 "scan status on ws2" -- on ws2 scan status
expect_output 'paused: the broker mqtt://127.0.0.1:[0-9]+ is out of reach.*goes on by itself' "says why"
[ "$(on ws2 scan status --json | jq .scan.steps_done)" = "$before" ] && pass "no step shot without the broker" ||
	fail "steps went on without the broker"
sleep 2
broker_start || { fail "mosquitto restarts"; finish; exit 1; }
running() { [ "$(on ws2 scan status --json | jq -r '.scan.state')" = running ]; }
wait_for 40 running && pass "the broker back: the scan goes on by itself" || fail "still: $(on ws2 scan status)"

# the broker away while a set is in flight: before T, so every report is lost
wait_for 60 phase_is shooting || fail "no set seen: $(on ws2 scan status)"
inflight=$(on ws2 scan status --json | jq .scan.steps_done)
broker_stop
pass "broker stopped during the set of step $inflight (0-based)"
wait_for 30 paused && pass "the scan pauses once the set is settled" || fail "not paused: $(on ws2 scan status)"
sleep 2
broker_start || { fail "mosquitto restarts"; finish; exit 1; }
scan_done() { [ "$(on ws2 scan status --json 2>/dev/null | jq -r '.scan.state')" = done ]; }
wait_for 120 scan_done && pass "the broker back: the scan goes on by itself to its end" ||
	fail "scan: $(on ws2 scan status)"
on ws2 scan status --json > "$TMP/st.json"
[ "$(jq -r '.scan | "\(.scan) \(.steps_done) \(.table_angle)"' "$TMP/st.json")" = "1 8 315" ] &&
	pass "scan 1, 8 steps, the table at 315 degrees" || fail "scan: $(jq -c .scan "$TMP/st.json")"
expect_status 1 "scan stop through ws1 after the end" -- on ws1 scan stop
expect_output 'node ws2: no scan to stop' "answered by ws2"

R=$TMP/ws2/sessions/turn-2/rig_manifest.json
S2=$TMP/ws2/sessions/turn-2
wait_for 30 sh -c "jq -e '[.sets[] | select(.finished | not)] | length == 0' '$R' >/dev/null" ||
	fail "rig sets not finished: $(jq -c '.sets[] | [.set, .finished]' "$R")"
# the step each set settled, from the scan's journal on ws2
jq -r 'select(.ev == "scan_step") | "\(.step) \(.set) \(.complete) \(.attempts)"' "$S2/journal.jsonl" > "$TMP/steps"
[ "$(cut -d' ' -f1 "$TMP/steps" | tr '\n' ' ')" = "0 1 2 3 4 5 6 7 " ] && pass "each of the 8 steps settled once" ||
	fail "steps: $(cat "$TMP/steps")"
down=0; later=0
while read -r step set complete attempts; do
	miss=$(jq -r --argjson s "$set" '.sets[] | select(.set == $s) | .missing | join(",")' "$R")
	angle=$(jq -r --argjson s "$set" '.sets[] | select(.set == $s) | .angle' "$R")
	[ "$angle" = "$((step * 45))" ] || fail "set $set: angle $angle for step $step"
	if [ "$miss" = "ws1/cam01,ws1/cam02" ]; then
		down=$((down + 1))
		[ "$complete" = false ] && [ "$attempts" = 1 ] || fail "step $step without ws1: complete $complete, $attempts sets"
	elif [ -n "$miss" ]; then
		fail "step $step (set $set) misses $miss"
	fi
	[ "$step" -ge "$before" ] && { [ -z "$miss" ] && later=$((later + 1)) || fail "step $step after the broker: $miss"; }
	if [ "$step" = "$inflight" ]; then
		first=$(jq -r --argjson t "$step" '[.sets[] | select(.step == $t)][0] | "\(.complete) \(.missing | sort | join(","))"' "$R")
		# settled without ws1's and ws3's reports; they may join it late once the broker is back
		case "$first" in "false ws1/cam01,ws1/cam02,ws3/cam01,ws3/cam02" | "true ") ok=1 ;; *) ok=0 ;; esac
		[ "$ok" = 1 ] && [ "$attempts" = 2 ] && [ "$complete" = true ] &&
			pass "step $step: its set in flight ($first) was shot again once the broker was back, complete" ||
			fail "step $step in flight: first set $first, then $attempts sets, complete $complete"
	fi
done < "$TMP/steps"
[ "$down" -ge 1 ] && pass "$down steps shot while ws1 was down: incomplete naming ws1/cam01, ws1/cam02, shot once" ||
	fail "no step named ws1 missing: $(cat "$TMP/steps")"
[ "$later" -ge 1 ] && pass "the steps after the broker's return are complete on every node" || fail "no step after the broker"
[ "$(jq -r 'select(.ev == "scan_paused") | .reason' "$S2/journal.jsonl" | grep -c 'broker')" = 2 ] &&
	pass "the two pauses for the broker are in ws2's journal" || fail "broker pauses journaled: $(grep scan_paused "$S2/journal.jsonl")"
[ "$(jq -r 'select(.ev | startswith("scan_")) | .scan' "$S2/journal.jsonl" | sort -u)" = 1 ] &&
	pass "one scan, number 1, from start to end" || fail "scan numbers in ws2's journal"
for n in ws1 ws2 ws3; do
	S=$TMP/$n/sessions/turn-2
	[ -z "$(jq -r 'select(.ev == "set_begun") | .set' "$S/journal.jsonl" | sort | uniq -d)" ] &&
		pass "$n: no set number begun twice" || fail "$n: a set number begun twice"
	[ -z "$(jq -r 'select(.ev == "set_begun") | select(.angle == null) | .set' "$S/journal.jsonl")" ] &&
		pass "$n: every set it shot names its angle" || fail "$n: a set without its angle"
done
node_stop ws2 && [ "$NSTATUS" = 0 ] || fail "ws2 stop $NSTATUS"
wait_for 10 node_online ws1 ws2 false || fail "ws1 still sees ws2"
expect_status 1 "scan status through ws1 with ws2 stopped" -- on ws1 scan status
expect_output 'node ws2, which has the turntable, is offline' "says the turntable's node is offline"
# ws2 back without its table: no node of the rig has one
sed -i '/^\[turntable\]/,$d' "$TMP/ws2/photorig.ini"
node_start ws2 || fail "ws2 restarts"
no_table() { ! on ws1 scan status >/dev/null 2>&1; on ws1 scan status 2>&1 | grep -q 'no node of rig studio has a turntable'; }
wait_for 20 no_table && pass "no turntable in the rig: refused naming the nodes" || fail "$(on ws1 scan status 2>&1)"
on ws1 scan status 2>&1 | grep -q 'its nodes: ws1, ws[23], ws[23]$' && pass "the refusal names ws1, ws2, ws3" ||
	fail "$(on ws1 scan status 2>&1)"
node_stop ws2 && [ "$NSTATUS" = 0 ] || fail "ws2 stop $NSTATUS"
for n in ws1 ws2 ws3; do
	[ "$n" = ws2 ] || { node_stop "$n" && [ "$NSTATUS" = 0 ] || fail "$n stop $NSTATUS"; }
	check_session "$TMP/$n/sessions/turn-2" && pass "$n: journal, manifest and files agree" || fail "$n: session check"
done
finish
