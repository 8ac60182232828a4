#!/bin/bash
# Trigger spread of a gphoto2 rig through the real daemon: N simulated PTP/IP
# cameras (photorig-ptpip-sim, one loopback address each), one photorigd
# with N gphoto2 camera positions, K capture sets. Each simulator logs the
# moment every InitiateCapture arrived (CLOCK_MONOTONIC, shared by all of
# them on this machine); a set's spread is the last arrival minus the first.
#
# usage: tools/bench_ptpip_rig.sh [--build DIR] [--cameras N] [--sets K]
#   --build DIR   build folder holding daemon/photorigd, tools/photorig and
#                 tools/photorig-ptpip-sim (default: build-rel, else build)
# Prints median / p90 / max of the spread as the cameras saw it, and of the
# spread photorigd recorded (trigger_ns in the manifest); then, with
# photorigd stopped, the spread of the usual alternative on the same
# simulators (one `gphoto2 --trigger-capture` process per camera, in a
# loop; min(K, 5) rounds) and the ratio of the two medians.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=""
N=4
K=30
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift 2 ;;
	--cameras) N=$2; shift 2 ;;
	--sets) K=$2; shift 2 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench_ptpip_rig: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$BUILD" ] || { [ -x "$SRC/build-rel/daemon/photorigd" ] && BUILD=$SRC/build-rel || BUILD=$SRC/build; }
D=$BUILD/daemon/photorigd
P=$BUILD/tools/photorig
SIM=$BUILD/tools/photorig-ptpip-sim
for b in "$D" "$P" "$SIM"; do
	[ -x "$b" ] || { echo "bench_ptpip_rig: $b not built" >&2; exit 2; }
done
if [ "$N" -lt 1 ] || [ "$N" -gt 100 ] || [ "$K" -lt 1 ]; then
	echo "bench_ptpip_rig: --cameras 1..100, --sets >= 1" >&2; exit 2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/photorig-bench.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

conf=$TMP/photorig.ini
printf '[daemon]\nsocket = run/control.sock\nstate_dir = state\noutput_root = sessions\n' > "$conf"
printf 'log_level = notice\ngroup =\n\n[rig]\nname = bench\nset_timeout_ms = 20000\n\n' >> "$conf"
for i in $(seq 1 "$N"); do
	addr=127.0.$(( (100 + i) / 250 )).$(( (100 + i) % 250 + 2 ))
	"$SIM" --address "$addr" --port 0 --serial "BENCH-$i" --log "$TMP/triggers.log" \
		>"$TMP/sim-$i.out" 2>"$TMP/sim-$i.err" &
	PIDS+=($!)
	port=""
	for _ in $(seq 1 100); do
		port=$(sed -n 's/^READY .* port=\([0-9]*\).*/\1/p' "$TMP/sim-$i.out")
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { echo "simulator $i did not start: $(cat "$TMP/sim-$i.err")" >&2; exit 1; }
	printf '[camera cam%02d]\ndriver = gphoto2\nserial = BENCH-%d\nport = ptpip:%s:%s:%s\n' \
		"$i" "$i" "$addr" "$port" "$port" >> "$conf"
	printf 'delete_after_download = true\n\n' >> "$conf"
done
printf '[turntable]\ndriver = none\n\n[trigger]\ndriver = none\n' >> "$conf"

"$D" -c "$conf" >"$TMP/daemon.log" 2>&1 &
PIDS+=($!)
SOCK=$TMP/run/control.sock
for _ in $(seq 1 600); do
	"$P" status --socket "$SOCK" 2>/dev/null | grep -q "$N/$N cameras attached" && break
	sleep 0.1
done
"$P" status --socket "$SOCK" | grep -q "$N/$N cameras attached" ||
	{ echo "the cameras did not attach:"; cat "$TMP/daemon.log"; exit 1; }
"$P" session start bench --socket "$SOCK" >/dev/null || exit 1
start=$(date +%s%N)
# no plates here: 3 is capture's "complete, saved but not masked"
"$P" capture --count "$K" --socket "$SOCK" >"$TMP/capture.out" 2>&1
st=$?
[ "$st" = 0 ] || [ "$st" = 3 ] || { echo "capture failed:"; cat "$TMP/capture.out"; exit 1; }
end=$(date +%s%N)

stats() { # values (ms) on stdin -> "median M  p90 P  max X  (n)"
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "no data"; exit }
		m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.9 + 0.999)]; if (p == "") p = v[NR]
		printf "median %.3f ms  p90 %.3f ms  max %.3f ms  (%d sets)\n", m, p, v[NR], NR }'
}
echo "$N cameras, $K sets, $(( (end - start) / 1000000 )) ms for the sets ($(awk -v k="$K" -v t="$(( (end - start) / 1000000 ))" 'BEGIN{printf "%.1f", k * 60000 / t}') sets/min)"
# spreads FIRST LAST: per capture number in FIRST..LAST that every camera
# logged, the last arrival minus the first (ms), one a line
spreads() {
	awk -v first="$1" -v last="$2" -v n="$N" '/status=ok/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		c = f["capture"] + 0; t = f["mono"] + 0
		if (c < first || c > last) next
		if (!(c in lo) || t < lo[c]) lo[c] = t
		if (!(c in hi) || t > hi[c]) hi[c] = t
		cnt[c]++ }
		END { for (c in cnt) if (cnt[c] == n) printf "%.6f\n", (hi[c] - lo[c]) * 1000 }' "$TMP/triggers.log"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", v[int((NR + 1) / 2)] }'; }
printf 'trigger spread at the cameras: '
spreads 1 "$K" | stats
printf 'trigger spread photorigd recorded: '
jq -r '.sets[].spread_ms' "$TMP/sessions/bench/manifest.json" | stats
grep -q 'released at the normal priority' "$TMP/daemon.log" &&
	echo "(photorigd was refused real-time priority for its triggers: run as root or with LimitRTPRIO=1)"

# The reference: what rigs do without photorigd, one gphoto2 process per
# camera fired in a loop. Same simulators, photorigd stopped first.
if ! command -v gphoto2 >/dev/null; then
	echo "sequential gphoto2 loop: skipped (gphoto2 not installed)"
	exit 0
fi
kill -TERM "${PIDS[-1]}" && wait "${PIDS[-1]}" 2>/dev/null
unset 'PIDS[-1]'
R=$(( K < 5 ? K : 5 ))
for _ in $(seq 1 "$R"); do
	for i in $(seq 1 "$N"); do
		port=$(sed -n 's/^READY .* port=\([0-9]*\).*/\1/p' "$TMP/sim-$i.out")
		addr=$(sed -n 's/^READY address=\([^ ]*\).*/\1/p' "$TMP/sim-$i.out")
		gphoto2 --camera "PTP/IP Camera" --port "ptpip:$addr:$port:$port" --trigger-capture \
			>>"$TMP/gphoto2.out" 2>&1 || { echo "gphoto2 failed:"; tail -5 "$TMP/gphoto2.out"; exit 1; }
	done
done
printf 'trigger spread of a sequential gphoto2 loop: '
spreads $(( K + 1 )) $(( K + R )) | stats
ours=$(spreads 1 "$K" | median)
loop=$(spreads $(( K + 1 )) $(( K + R )) | median)
awk -v a="$ours" -v b="$loop" 'BEGIN { if (a > 0) printf "median spread: the loop %.0f times photorigd'"'"'s\n", b / a }'
