#!/bin/sh
# The photorig demo: photorigd running a simulated four-camera rig. It copies
# config/demo.ini into a fresh folder (every relative path in it then lives
# there), starts the daemon on it, records each camera position's plate,
# starts a session, captures three sets, scores the masks against the sim
# cameras' exact truth, and stops the daemon cleanly.
# Usage: tools/demo.sh [BUILD_DIR] [OUTPUT_DIR]
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
OUT=${2:-$(mktemp -d "${TMPDIR:-/tmp}/photorig-demo.XXXXXX")}
P="$BUILD/tools/photorig"
D="$BUILD/daemon/photorigd"
for f in "$P" "$D"; do
	[ -x "$f" ] || { echo "demo: $f not found: build first (see README)" >&2; exit 1; }
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cp "$SRC/config/demo.ini" "$OUT/photorig.ini"
SOCK="$OUT/run/control.sock"
LOG="$OUT/photorigd.log"

echo "photorig demo in $OUT"
echo "starting photorigd -c $OUT/photorig.ini (log: $LOG)"
# PHOTORIG_SIM_TRUTH=1: the sim cameras also write each shot's exact alpha
PHOTORIG_SIM_TRUTH=1 "$D" -c "$OUT/photorig.ini" > "$LOG" 2>&1 &
DPID=$!
stop_daemon() {
	kill -0 "$DPID" 2>/dev/null || return 0
	kill -TERM "$DPID"
	i=0
	while kill -0 "$DPID" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$DPID" 2>/dev/null; then
		echo "photorigd did not stop within 60 s: killing it" >&2
		kill -KILL "$DPID"
	fi
	wait "$DPID"
}
trap 'stop_daemon' EXIT INT TERM

i=0
until "$P" status --socket "$SOCK" > /dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$DPID" 2>/dev/null; then
		echo "demo: photorigd did not come up; its log:" >&2
		cat "$LOG" >&2
		exit 1
	fi
	sleep 0.1
done

run() { echo; echo "\$ photorig $*"; "$P" "$@" --socket "$SOCK"; }
run status
run plate
run session start demo
run capture --count 3
run cameras

S="$OUT/sessions/demo"
echo
echo "masks scored against the sim cameras' truth (CDnet F-measure):"
for cam in cam01 cam02 cam03 cam04; do
	"$P" eval --truth "$S/$cam/truth" --mask "$S/$cam/masks" | tail -n 1 | sed "s/^total/  $cam/"
done

echo
echo "stopping photorigd (SIGTERM: files in flight are finished first)"
trap - EXIT INT TERM
status=0
stop_daemon || status=$?
echo "photorigd exited with status $status"
echo
echo "outputs are in $S:"
echo "  CAMERA/CAMERA_NNNN.jpg   the originals, as the cameras delivered them"
echo "  CAMERA/CAMERA_NNNN.tif   RGBA TIFFs with the soft mask as alpha"
echo "  CAMERA/masks/*.png       masks (255 = object), and Metashape, RealityCapture and"
echo "                           COLMAP names beside them"
echo "  journal.jsonl            every event of the session, one JSON line each"
echo "  manifest.json            per set: files, serials, trigger times, spread, plate id,"
echo "                           mask statistics"
echo "  sheets/set_NNNN.png      a contact sheet per set: every camera's shot with its mask"
echo "                           outline; sheets/session.png, one row per set"
echo "plates: $OUT/state/plates; the daemon's log: $LOG"
exit $status
