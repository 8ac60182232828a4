# The cluster link against a real Mosquitto (Debian's, started here on
# 127.0.0.1 at a free port with a password file and an ACL): three nodes of
# two sim cameras each see one another; `cameras` on one node lists every
# node's cameras as NODE/CAMERA; a node killed with SIGKILL is shown offline
# (its Last Will) and comes back; malformed, oversized and other-rig
# messages are dropped and logged while the rig serves; the broker stopped
# for 10 s and restarted: the nodes reconnect by themselves and `status`
# shows the outage; wrong credentials: a clear error naming the broker and
# the user.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/cluster.inc"

broker_start || { fail "mosquitto starts"; finish; exit 1; }
pass "mosquitto runs on 127.0.0.1:$MQ_PORT"
for n in ws1 ws2 ws3; do
	node_dir "$n" 2
	node_start "$n" || { fail "node $n starts"; finish; exit 1; }
done
pass "three nodes answer on their sockets"

all_online() { node_online ws1 ws2 && node_online ws1 ws3 && node_online ws2 ws1 && node_online ws3 ws2; }
wait_for 20 all_online && pass "every node sees the others online" ||
	fail "nodes do not see one another: $(cl_status ws1)"
connected ws1 && pass "ws1 is connected" || fail "ws1 not connected: $(cl_status ws1)"
OUT=$(mosquitto_sub -h 127.0.0.1 -p "$MQ_PORT" -u "$MQ_USER" -P "$MQ_PASS" \
	-t "photorig/$CLUSTER_RIG/state/ws2" -C 1 -W 5 2>&1)
expect_output '"kind":"state".*"from":"ws2".*"online":true' "ws2's state is retained on the broker"
expect_output '"name":"cam01"' "the state names ws2's cameras"

expect_status 0 "cameras on ws1" -- on ws1 cameras --json
for n in ws1 ws2 ws3; do for c in cam01 cam02; do
	expect_output "\"name\":\"$n/$c\"" "ws1 lists $n/$c"
done; done
n=$(printf '%s' "$OUT" | jq '.cameras | length')
[ "$n" = 6 ] && pass "6 cameras in the rig" || fail "$n cameras listed"
expect_status 0 "cameras on ws1 in words" -- on ws1 cameras
expect_output 'ws3/cam02 +- +ready' "the client prints remote cameras"
expect_status 0 "status on ws1 in words" -- on ws1 status
expect_output 'cluster: node ws1 of rig studio, broker mqtt://127.0.0.1' "status names node, rig, broker"
expect_output 'ws2 +online, 2/2 cameras' "status shows ws2 online"
expect_output 'CLOCK NOT SYNCHRONISED|CLOCK ESTIMATED ERROR|clock synchronised' \
	"status shows each node's clock state"

# hostile messages on the command topic: dropped and logged, the rig serves
printf 'this is not json' > "$TMP/bad.txt"
head -c 70000 /dev/zero | tr '\0' ' ' > "$TMP/big.txt"
mq_pub "photorig/$CLUSTER_RIG/cmd/all" -f "$TMP/bad.txt"
mq_pub "photorig/$CLUSTER_RIG/cmd/all" -f "$TMP/big.txt"
mq_pub "photorig/$CLUSTER_RIG/state/ws9" -m \
	'{"v":1,"kind":"state","rig":"other","from":"ws9","online":true}'
mq_pub "photorig/$CLUSTER_RIG/state/ws9" -m \
	'{"v":1,"kind":"state","rig":"studio","from":"ws2","online":false}'
dropped() { [ "$(cl_status ws1 | jq -r '.dropped')" -ge 4 ]; }
wait_for 10 dropped && pass "4 hostile messages dropped" || fail "dropped: $(cl_status ws1)"
L=$TMP/ws1/daemon.log
grep -q 'dropped a message on photorig/studio/cmd/all: malformed JSON' "$L" &&
	pass "the malformed message is logged" || fail "no log line for the malformed message"
grep -q 'dropped a message on photorig/studio/cmd/all: oversized (70000 bytes, the limit is 65536)' "$L" &&
	pass "the oversized message is logged" || fail "no log line for the oversized message"
grep -q "for another rig ('other'; this is 'studio')" "$L" &&
	pass "the other rig's message is logged" || fail "no log line for the other rig's message"
grep -q "a state from 'ws2' does not belong on this topic" "$L" &&
	pass "a forged sender is logged" || fail "no log line for the forged sender"
node_online ws1 ws2 && pass "ws2 still online for ws1 (the forged offline was not believed)" ||
	fail "a forged message changed ws1's view of ws2"
node_online ws1 ws9 true 2>/dev/null && fail "ws9 appeared" || pass "no node ws9 appeared"
kill -0 "${NODE_PID[ws1]}" && pass "ws1 still runs" || fail "ws1 died"
expect_status 0 "ws1 still serves: plates" -- on ws1 plate --frames 2
expect_status 0 "and a session" -- on ws1 session start link-1
expect_status 0 "and a capture" -- on ws1 capture
expect_output 'set 1: complete' "ws1's set is complete"

# SIGKILL: the broker publishes the Will
node_kill ws3
wait_for 15 node_online ws1 ws3 false && pass "ws3 killed: ws1 sees it offline (Last Will)" ||
	fail "ws3 still online for ws1: $(cl_status ws1)"
expect_status 0 "cameras on ws1 with ws3 gone" -- on ws1 cameras --json
expect_output '"name":"ws3/cam01","camera":"cam01","node":"ws3","state":"node offline"' \
	"ws3's cameras are listed as offline"
node_start ws3 || fail "ws3 restarts"
wait_for 15 node_online ws1 ws3 && pass "ws3 back online for ws1" || fail "ws3 did not rejoin"

# the broker away for 10 s
broker_stop
wait_for 10 connected ws1 false && pass "ws1 notices the broker is gone" || fail "ws1 still connected"
OUT=$(cl_status ws1)
expect_output '"connected":false' "status shows the link down"
expect_output '"outages":\[\{"from_ns":[0-9]+,"to_ns":null' "status shows an open outage"
expect_status 0 "ws1 shoots on its own meanwhile" -- on ws1 capture
sleep 10
broker_start || fail "mosquitto restarts"
back() { connected ws1 && connected ws2 && connected ws3; }
wait_for 30 back && pass "every node reconnected by itself" || fail "not reconnected: $(cl_status ws1)"
wait_for 10 all_online && pass "and sees the others again" || fail "nodes not seen again"
OUT=$(cl_status ws1)
secs=$(printf '%s' "$OUT" | jq '[.outages[] | select(.to_ns != null)] | last | .seconds')
awk -v s="$secs" 'BEGIN { exit !(s >= 9.5) }' && pass "the outage is reported: $secs s" ||
	fail "outage not reported: $OUT"
grep -q 'the broker mqtt://127.0.0.1:[0-9]* is back after' "$L" && pass "the gap is logged" ||
	fail "no log line for the gap"

# wrong credentials: a clear error naming the broker and the user
node_dir ws4 1 wrong-password
node_start ws4 || fail "ws4 starts (the broker is not needed to serve the socket)"
refused() { grep -q "refused user 'photorig'" "$TMP/ws4/daemon.log"; }
wait_for 10 refused && pass "wrong credentials logged" || fail "no refusal logged: $(cat "$TMP/ws4/daemon.log")"
grep -q "cluster: the broker mqtt://127.0.0.1:$MQ_PORT refused user 'photorig': Connection Refused: not authorised" \
	"$TMP/ws4/daemon.log" && pass "the error names the broker and the user" ||
	fail "unclear error: $(grep cluster "$TMP/ws4/daemon.log")"
OUT=$(cl_status ws4)
expect_output '"connected":false' "ws4 is not connected"
expect_output 'refused user' "ws4's status says why"
node_online ws1 ws4 true 2>/dev/null && fail "ws4 joined with a wrong password" ||
	pass "ws4 did not join"

# a clean stop says offline itself
node_stop ws2
[ "$NSTATUS" = 0 ] && pass "ws2 stops cleanly" || fail "ws2 exit $NSTATUS"
wait_for 10 node_online ws1 ws2 false && pass "ws1 sees ws2 offline after its stop" ||
	fail "ws2 still online"
finish
