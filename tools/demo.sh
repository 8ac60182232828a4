#!/bin/sh
# The photorig demo: a simulated four-camera rig, each camera position with
# its own background plate, masked and scored against the known truth.
# Usage: tools/demo.sh [BUILD_DIR] [OUTPUT_DIR]
set -eu
BUILD=${1:-build}
OUT=${2:-$(mktemp -d "${TMPDIR:-/tmp}/photorig-demo.XXXXXX")}
P="$BUILD/tools/photorig"
[ -x "$P" ] || { echo "demo: $P not found: build first (see README)" >&2; exit 1; }

echo "photorig demo: 4 simulated camera positions, 3 plate frames and 3 shots each"
seed=1
for cam in cam01 cam02 cam03 cam04; do
	# each camera position sees its own background; cam03 casts a shadow,
	# cam04's shots are 1/3 EV brighter and warmer than its plate
	extra=""
	[ "$cam" = cam03 ] && extra="--shadow"
	[ "$cam" = cam04 ] && extra="--ev 0.33 --wb 1.04,1,0.95"
	# shellcheck disable=SC2086
	"$P" scene --out "$OUT/$cam/in" --seed $seed --frames 3 --shots 3 --step 40 --jpeg 92 $extra >/dev/null
	"$P" mask --plate "$OUT/$cam/in/plate_00.jpg" --plate "$OUT/$cam/in/plate_01.jpg" \
		--plate "$OUT/$cam/in/plate_02.jpg" --out "$OUT/$cam/out" \
		--conventions metashape,realitycapture,colmap "$OUT/$cam/in"/shot_*.jpg
	"$P" eval --truth "$OUT/$cam/in/truth" --mask "$OUT/$cam/out/masks" | tail -n 1 | sed "s/^/$cam /"
	seed=$((seed + 1))
done
echo
echo "outputs are in $OUT/CAMERA/out: masks/*.png (255 = object), *.tif (RGBA, soft alpha),"
echo "and the same masks under Metashape, RealityCapture and COLMAP names."
