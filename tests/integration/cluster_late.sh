# A node's report of a rig set that reaches the coordinator late. ws3's link
# to the broker goes through a relay the test freezes (SIGSTOP) as soon as
# ws3 has begun a rig set, so nothing ws3 says of that set reaches the
# coordinator ws1, which gives ws3 up at the set's deadline and writes the
# set incomplete.
#  1. ws3 is stopped the moment its cam01 and cam02 files are in its journal
#     (its cam03 delivers 1.5 s after T, so the set has not ended), then
#     killed (SIGKILL) and restarted: it settles the set from its journal
#     and reports it; ws1's rig manifest then names ws3's two files, their
#     size and hash those on disk, and only ws3/cam03 missing. The restarted
#     ws3 does not call the set local.
#  2. Forged late reports (a set ws1 does not know, another session, a file
#     twice) are dropped and logged, never counted.
#  3. ws3 ends a set whose report is lost in the frozen relay; ws3 is killed
#     and comes back while the broker is away: the report waits in ws3 and
#     reaches ws1 once the broker is back; the set is complete.
#  4. The same, but the coordinator ws1 is killed and restarted too: it reads
#     its rig sets back from its rig manifest, takes the late report, and its
#     next set is added to the manifest, the earlier ones kept.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/cluster.inc"
RELAY_PID=""
trap 'relay_kill; cluster_kill_all; [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT
DIGEST=$PHOTORIG_BUILD/tests/file_digest
[ -x "$DIGEST" ] || { echo "skipped: $DIGEST not built"; exit 77; }

relay_kill() {
	[ -n "$RELAY_PID" ] || return 0
	kill -KILL "$RELAY_PID" 2>/dev/null
	wait "$RELAY_PID" 2>/dev/null
	RELAY_PID=""
}
# relay_start: a relay to the broker; ws3's config points at it.
relay_start() {
	rm -f "$TMP/relay.port"
	python3 "$(dirname "$0")/tcp_relay.py" "$TMP/relay.port" "$MQ_PORT" &
	RELAY_PID=$!
	wait_for 10 test -s "$TMP/relay.port" || return 1
	sed -i "s|^broker = .*|broker = mqtt://127.0.0.1:$(cat "$TMP/relay.port")|" "$TMP/ws3/photorig.ini"
}
ws3_direct() { sed -i "s|^broker = .*|broker = mqtt://127.0.0.1:$MQ_PORT|" "$TMP/ws3/photorig.ini"; }

broker_start || { fail "mosquitto starts"; finish; exit 1; }
for n in ws1 ws3; do
	node_dir "$n" 2
	sed -i 's/^plate_frames = 2$/plate_frames = 2\nset_timeout_ms = 3000/' "$TMP/$n/photorig.ini"
	# T = now + 1 s: room for the test to freeze ws3's relay after the arm
	printf 'lead_ms = 1000\n' >> "$TMP/$n/photorig.ini"
done
# ws3's third camera delivers 1.5 s after T: its sets end that late
sed -i 's/^set_timeout_ms = 3000$/set_timeout_ms = 5000/' "$TMP/ws3/photorig.ini"
sed -i 's/^\[cluster\]$/[camera cam03]\ndriver = sim\nseed = 306\nwidth = 320\nheight = 240\nlatency_ms = 1500\n\n[cluster]/' \
	"$TMP/ws3/photorig.ini"
relay_start || { fail "relay starts"; finish; exit 1; }
for n in ws1 ws3; do node_start "$n" || { fail "node $n starts"; finish; exit 1; }; done
joined() { node_online ws1 ws3 && node_online ws3 ws1; }
wait_for 20 joined && pass "ws1 and ws3 see each other" || fail "nodes not joined: $(cl_status ws1)"
expect_status 0 "plates through ws1" -- on ws1 plate --frames 2
wait_for 60 plates_on ws3 3 && pass "ws3 recorded its plates" || fail "no plates on ws3"
expect_status 0 "session started through ws1" -- on ws1 session start late-1
wait_for 10 in_session ws3 late-1 && pass "ws3 follows into session late-1" || fail "no session on ws3"

R=$TMP/ws1/sessions/late-1/rig_manifest.json
S3=$TMP/ws3/sessions/late-1
L1=$TMP/ws1/daemon.log
L3=$TMP/ws3/daemon.log

# cut_off SET WAIT: capture one rig set through ws1; freeze ws3's relay once
# ws3 has begun SET; stop ws3 (SIGSTOP) once its cam01 and cam02 files of SET
# are journaled (WAIT "files"), or once SET has ended (WAIT "end"). STOPPED_AT
# says whether ws3 had ended the set by then.
cut_off() {
	local set=$1 until=$2
	timeout 120 "$P" capture --count 1 --socket "$TMP/ws1/run/control.sock" >"$TMP/capture.out" 2>&1 &
	local cap=$!
	STOPPED_AT=$(python3 - "$S3/journal.jsonl" "$set" "$RELAY_PID" "${NODE_PID[ws3]}" "$until" <<-'EOF'
	import json, os, signal, sys, time
	path, want, relay, node = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
	until = sys.argv[5]
	def lines():
	    try:
	        with open(path) as f:
	            return [json.loads(l) for l in f if l.endswith("\n")]
	    except (OSError, ValueError):
	        return []
	end = time.monotonic() + 90
	frozen = False
	while time.monotonic() < end:
	    js = [o for o in lines() if o.get("set") == want]
	    if not frozen and any(o["ev"] == "set_begun" for o in js):
	        os.kill(relay, signal.SIGSTOP)
	        frozen = True
	    saved = {o["camera"] for o in js if o["ev"] == "file_saved"}
	    ended = any(o["ev"] == "set_end" for o in js)
	    if frozen and (ended if until == "end" else {"cam01", "cam02"} <= saved):
	        os.kill(node, signal.SIGSTOP)
	        print("after set end" if ended else "before set end")
	        sys.exit(0)
	    time.sleep(0.002)
	print("timeout")
	EOF
	)
	wait "$cap"
	echo "ws3 stopped $STOPPED_AT ($(tail -1 "$TMP/capture.out"))"
}
set_of() { jq -c --argjson s "$1" '.sets[] | select(.set == $s)' "$R" 2>/dev/null; }
given_up() { [ "$(set_of "$1" | jq -r '.finished')" = true ]; }
ws3_shots() { set_of "$1" | jq '[.shots[] | select(.node == "ws3")] | length'; }
ws3_recorded() { [ "$(ws3_shots "$1")" = "$2" ]; }

# check_recorded SET N MISSING: ws1's rig manifest names ws3's N files of SET
# as on ws3's disk, and MISSING (JSON) as the set's missing cameras
check_recorded() {
	local set=$1 nfiles=$2 missing=$3 bad=0 cam f size hash got
	wait_for 60 ws3_recorded "$set" "$nfiles" && pass "set $set: the rig manifest names ws3's $nfiles files" ||
		{ fail "set $set: ws3's files in the rig manifest: $(set_of "$set")"; return; }
	while read -r cam f size hash; do
		got=$(cd "$S3" && "$DIGEST" "$f")
		[ "$got" = "$hash $size $f" ] || { fail "ws3/$cam: $f on disk is '$got', the rig says $hash $size"; bad=1; }
		j=$(jq -r --argjson s "$set" --arg c "$cam" 'select(.ev == "file_saved" and .set == $s and
			.camera == $c) | "\(.hash) \(.size) \(.file)"' "$S3/journal.jsonl")
		[ "$j" = "$got" ] || { fail "ws3/$cam: journal '$j', disk '$got'"; bad=1; }
	done < <(set_of "$set" | jq -r '.shots[] | select(.node == "ws3") | "\(.camera) \(.file) \(.size) \(.hash)"')
	[ "$bad" = 0 ] && pass "set $set: ws3's files on disk have the size and hash the rig manifest names"
	local complete=false
	[ "$missing" = '[]' ] && complete=true
	[ "$(set_of "$set" | jq -c '[.complete, .missing]')" = "[$complete,$missing]" ] &&
		pass "set $set: complete $complete, missing $missing in the rig manifest" ||
		fail "set $set: $(set_of "$set" | jq -c '[.complete, .missing, .nodes]')"
	grep -q "late report of set $set from node ws3" "$L1" && pass "ws1 logged the late report of set $set" ||
		fail "ws1's log has no late report of set $set"
	! grep -q "set $set of session late-1 was shot by this node alone" "$L3" &&
		pass "set $set: ws3 does not call it local" || fail "ws3 called rig set $set local"
}

# 1. ws3 cut off during set 1, killed, restarted with the broker there
cut_off 1 files
[ "$STOPPED_AT" = "before set end" ] && pass "ws3 journaled 2 files of set 1, then was cut off before its end" ||
	fail "ws3 was not cut off in set 1 as planned ($STOPPED_AT): $(tail -5 "$L3")"
wait_for 40 given_up 1 && pass "ws1 gave ws3 up and finished set 1" || fail "set 1 not finished: $(set_of 1)"
[ "$(ws3_shots 1)" = 0 ] && [ "$(set_of 1 | jq -c '.missing')" = '["ws3/cam01","ws3/cam02","ws3/cam03"]' ] &&
	pass "set 1 written incomplete, naming ws3's cameras" || fail "set 1: $(set_of 1 | jq -c '[.missing, .complete]')"
node_kill ws3
relay_kill
ws3_direct
node_start ws3 || { fail "ws3 restarts"; finish; exit 1; }
grep -q "set 1 was cut short by a restart" "$L3" && pass "ws3 settled set 1 from its journal after the restart" ||
	fail "ws3 did not settle set 1"
check_recorded 1 2 '["ws3/cam03"]'

# 2. forged late reports: dropped and logged, never counted
F=$(set_of 1 | jq -c '.shots[] | select(.node == "ws3")' | head -1)
[ -n "$F" ] || F='{"camera":"cam01","serial":"x","file":"cam01/cam01_0001.jpg","size":1,"hash":"fnv1a64:0000000000000001","trigger_ns":1}'
ev() {
	jq -cn --argjson f "$F" --argjson set "$1" --arg s "$2" '{v: 1, kind: "event", rig: "studio",
		from: "ws3", to: "ws1", sent_ns: 1, event: "file_saved", session: $s, set: $set,
		camera: $f.camera, serial: $f.serial, file: $f.file, size: $f.size,
		hash: ($f.hash | ltrimstr("fnv1a64:")), trigger_ns: $f.trigger_ns}'
}
mq_pub photorig/studio/event/ws3 -m "$(ev 1 late-1)"
mq_pub photorig/studio/event/ws3 -m "$(ev 999 late-1)"
mq_pub photorig/studio/event/ws3 -m "$(ev 1 other)"
dropped() { grep -q "late report from node ws3 dropped: $1" "$L1"; }
wait_for 10 dropped ".*already recorded" && pass "a file reported twice is dropped and logged" ||
	fail "no duplicate drop in ws1's log"
wait_for 10 dropped "set 999 " && pass "a report for a set ws1 does not know is dropped and logged" ||
	fail "no unknown-set drop in ws1's log"
wait_for 10 dropped ".*session other" && pass "a report for another session is dropped and logged" ||
	fail "no other-session drop in ws1's log"
[ "$(ws3_shots 1)" = 2 ] && [ "$(jq '[.sets[] | select(.set == 999)] | length' "$R")" = 0 ] &&
	pass "none of them counted" || fail "forged reports counted: $(set_of 1 | jq -c '.shots')"

# 3. ws3 ends set 2 with its report lost in the frozen relay, and comes back
# while the broker is away: its report waits, and reaches ws1 once the
# broker is back
relay_start || fail "relay starts again"
node_stop ws3
node_start ws3 || { fail "ws3 restarts through the relay"; finish; exit 1; }
wait_for 20 joined || fail "ws3 did not rejoin: $(cl_status ws1)"
cut_off 2 end
[ "$STOPPED_AT" = "after set end" ] && pass "ws3 ended set 2, its report cut off" ||
	fail "ws3 was not cut off in set 2 as planned ($STOPPED_AT)"
wait_for 40 given_up 2 && [ "$(ws3_shots 2)" = 0 ] && pass "ws1 gave ws3 up in set 2" || fail "set 2: $(set_of 2)"
broker_stop
node_kill ws3
relay_kill
ws3_direct
node_start ws3 || { fail "ws3 restarts with the broker away"; finish; exit 1; }
answers() { on ws3 status >/dev/null 2>&1; }
wait_for 30 answers && sleep 2
[ "$(ws3_shots 2)" = 0 ] && pass "set 2 still lacks ws3's files while the broker is away" ||
	fail "set 2 recorded while the broker was away?"
broker_start || { fail "mosquitto restarts"; finish; exit 1; }
check_recorded 2 3 '[]'

# 4. the coordinator itself restarts while ws3's report of set 3 is on its
# way: ws1 reads its rig sets back from its rig manifest and takes the late
# report; its next set adds to the manifest instead of replacing it
relay_start || fail "relay starts again"
node_stop ws3
node_start ws3 || { fail "ws3 restarts through the relay"; finish; exit 1; }
wait_for 30 joined || fail "ws3 did not rejoin: $(cl_status ws1)"
cut_off 3 end
wait_for 40 given_up 3 && [ "$(ws3_shots 3)" = 0 ] && pass "ws1 gave ws3 up in set 3" || fail "set 3: $(set_of 3)"
node_kill ws1
node_kill ws3
relay_kill
ws3_direct
node_start ws1 || { fail "ws1 restarts"; finish; exit 1; }
node_start ws3 || { fail "ws3 restarts"; finish; exit 1; }
check_recorded 3 3 '[]'
grep -q "3 rig sets of session late-1 read back" "$L1" && pass "ws1 read its 3 rig sets back after its restart" ||
	fail "ws1 did not read its rig sets back"
wait_for 20 joined || fail "nodes not joined again: $(cl_status ws1)"
expect_status 0 "set 4 through the restarted ws1" -- on ws1 capture --count 1
wait_for 40 given_up 4 || fail "set 4 not finished: $(set_of 4)"
[ "$(jq -c '[.sets[] | [.set, (.shots | length), .complete]]' "$R")" = '[[1,4,false],[2,5,true],[3,5,true],[4,5,true]]' ] &&
	pass "the rig manifest keeps sets 1..3 and adds set 4" || fail "rig sets: $(jq -c '[.sets[] | [.set, (.shots | length), .complete]]' "$R")"

for n in ws1 ws3; do node_stop "$n"; done
finish
