# Camera threads release their shutters at real-time priority and leave it
# once the trigger is sent (daemon/trigger_priority.c):
#  - where it is allowed (root with CAP_SYS_NICE here; LimitRTPRIO=1 under
#    the systemd unit), no refusal is logged, and after the sets every
#    thread is back at SCHED_OTHER;
#  - as an unprivileged user with RLIMIT_RTPRIO 0, the refusal is logged
#    once, however many cameras and sets, and every set still completes.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! command -v prlimit >/dev/null; then
	echo "SKIP: needs root, setpriv and prlimit"; exit 77
fi
REFUSED='shutters are released at the normal priority'

# not_other: daemon threads whose scheduling policy (field 41 of stat) is
# not SCHED_OTHER (0), as "TID:POLICY" words
not_other() {
	local t
	for t in /proc/"$DPID"/task/*; do
		sed 's/^.*) //' "$t/stat" | awk -v tid="${t##*/}" '$39 != 0 { printf "%s:%s ", tid, $39 }'
	done
}

# rig NAME: the sim rig at 320x240 in $TMP/NAME
rig() {
	rig_dir "$1"
	for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" width 320; ini_set "camera $c" height 240; done
}
# three_sets NAME: plates, then 3 sets
three_sets() {
	expect_status 0 "$1: plates" -- pr plate --frames 1
	expect_status 0 "$1: session" -- pr session start prio
	expect_status 0 "$1: 3 sets" -- pr capture --count 3
	expect_output 'set 3: complete' "$1: set 3 complete"
}

if chrt -f 1 true 2>/dev/null; then
	rig allowed
	daemon_start || { fail "daemon start"; finish; exit 1; }
	three_sets allowed
	grep -q "$REFUSED" "$RIG/daemon.log" && fail "refusal logged though real-time priority is allowed" ||
		pass "real-time priority allowed: no refusal logged"
	nthreads=$(ls /proc/"$DPID"/task | wc -l)
	rt=$(not_other)
	[ "$nthreads" -ge 5 ] && [ -z "$rt" ] && pass "all $nthreads threads back at SCHED_OTHER after the sets" ||
		fail "threads: $nthreads, not SCHED_OTHER: $rt"
	daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "exit $DSTATUS"
else
	echo "# root may not use real-time priority here: that half is not run"
fi

rig refused
chown -R nobody:nogroup "$RIG"
chmod o+x "$TMP" # nobody must reach its folder
PHOTORIG_SIM_TRUTH=1 prlimit --rtprio=0 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$D" -c "$RIG/photorig.ini" >>"$RIG/daemon.log" 2>&1 &
DPID=$!
wait_for 30 sh -c "'$P' status --socket '$SOCK' >/dev/null 2>&1" || { fail "photorigd as nobody did not answer"; cat "$RIG/daemon.log"; finish; exit 1; }
three_sets refused
n=$(grep -c "$REFUSED" "$RIG/daemon.log")
[ "$n" = 1 ] && pass "refusal logged once for 4 cameras × 3 sets" || fail "refusal logged $n times"
grep "$REFUSED" "$RIG/daemon.log" | grep -q 'LimitRTPRIO=1' && pass "the message says how to allow it" ||
	fail "message: $(grep "$REFUSED" "$RIG/daemon.log")"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "exit $DSTATUS"
finish
