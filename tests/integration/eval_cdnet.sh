#!/bin/bash
# Integration test for `photorig eval --cdnet`: a generated recording in the
# CDnet change-detection layout (photorig scene --cdnet: plate frames, then
# shots with a cast shadow, a region of interest that leaves out a band, the
# outline unknown) is masked and scored, and every count is checked against
# cdnet_count.py, which reads the ground truth, ROI.bmp and the written masks
# with code of its own. Then the layout's errors: a temporal ROI with no
# frame before it, a missing ground-truth file, a ROI of the wrong size, bad
# options.
set -u
BIN=${PHOTORIG_BIN:?PHOTORIG_BIN must name the photorig binary}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$HERE/wrap.inc"
BIN=$PHOTORIG_BIN
fail() { echo "FAIL: $*" >&2; exit 1; }

run() {
	timeout $((120 * TIME_SCALE)) "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}
# json KEY: the number KEY in $out
json() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$out" "$1"; }

REC=$TMP/rec
run "$BIN" scene --cdnet --out "$REC" --size 320x240 --frames 5 --shots 4 --step 40 \
	--shadow --seed 7 --jpeg 92
[ "$rc" = 0 ] || fail "scene --cdnet: exit $rc: $err"
for f in ROI.bmp temporalROI.txt input/in000001.jpg input/in000009.jpg \
	groundtruth/gt000001.png groundtruth/gt000009.png; do
	[ -f "$REC/$f" ] || fail "scene --cdnet did not write $f"
done
[ "$(cat "$REC/temporalROI.txt")" = "6 9" ] || fail "temporalROI.txt: $(cat "$REC/temporalROI.txt")"

# 1. scored; the counts are those of an independent count of the masks
run "$BIN" eval --cdnet "$REC" --plate-frames 5 --masks-out "$TMP/bin" --json
[ "$rc" = 0 ] || fail "eval --cdnet: exit $rc: $err"
ours=$out
[ "$(json frames)" = 4 ] || fail "frames scored: $out"
[ "$(json plate_first)" = 1 ] && [ "$(json plate_last)" = 5 ] || fail "plate frames: $out"
[ "$(json roi)" = True ] || fail "ROI.bmp not read: $out"
ls "$TMP/bin"/bin00000[6-9].png >/dev/null || fail "masks not written: $(ls "$TMP/bin")"
[ ! -e "$TMP/bin/bin000005.png" ] || fail "a plate frame was masked"
theirs=$(python3 "$HERE/cdnet_count.py" "$REC" "$TMP/bin") || fail "cdnet_count.py failed"
python3 - "$ours" "$theirs" <<'PY' || fail "photorig's counts differ from the independent count"
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for k in ("tp", "fp", "fn", "tn", "shadow_pixels", "shadow_fp"):
    if a[k] != b[k]:
        sys.exit(f"{k}: photorig {a[k]}, independent {b[k]}")
for k in ("recall", "precision", "f", "pwc", "shadow_fpr"):
    if abs(a[k] - b[k]) > 1e-5:
        sys.exit(f"{k}: photorig {a[k]}, independent {b[k]}")
# the recording has an object, a shadow and a left-out band: all were seen
if b["tp"] < 1000 or b["shadow_pixels"] < 100:
    sys.exit(f"too little scored: {b}")
# a clean generated scene masks well; a mask of nothing or everything does not
if not 0.8 < a["f"] <= 1.0:
    sys.exit(f"F {a['f']} on a clean scene")
print("counts agree:", b)
PY
# the left-out band and the unknown outline are not counted
w=320; h=240
total=$((4 * w * h))
counted=$(( $(json tp) + $(json fp) + $(json fn) + $(json tn) ))
[ "$counted" -lt $((total - 4 * h * (w / 16))) ] || fail "the ROI's band was counted: $counted"

# 2. the text report names every figure
run "$BIN" eval --cdnet "$REC" --plate-frames 5
[ "$rc" = 0 ] || fail "text: exit $rc: $err"
for word in recall precision F-measure PWC "shadow FPR" "plate        frames 1..5"; do
	echo "$out" | grep -q "$word" || fail "text report lacks '$word': $out"
done

# 3. more plate frames than there are before the ROI: all of them, no more
run "$BIN" eval --cdnet "$REC" --plate-frames 50 --json
[ "$rc" = 0 ] || fail "plate-frames 50: exit $rc: $err"
[ "$(json plate_frames)" = 5 ] || fail "plate-frames 50 used $(json plate_frames)"
run "$BIN" eval --cdnet "$REC" --plate-frames 2 --json
[ "$(json plate_first)" = 4 ] || fail "plate-frames 2 should take frames 4..5: $out"

# 4. without ROI.bmp the whole frame counts
mv "$REC/ROI.bmp" "$TMP/ROI.bmp"
run "$BIN" eval --cdnet "$REC" --plate-frames 5 --json
[ "$rc" = 0 ] || fail "no ROI: exit $rc: $err"
[ "$(json roi)" = False ] || fail "no ROI: $out"
mv "$TMP/ROI.bmp" "$REC/ROI.bmp"

# 5. errors name what is wrong
cp -r "$REC" "$TMP/bad"
echo "1 9" >"$TMP/bad/temporalROI.txt"
run "$BIN" eval --cdnet "$TMP/bad"
[ "$rc" = 1 ] && echo "$err" | grep -q "no frame comes before" || fail "ROI from 1: $rc $err"
echo "6 nine" >"$TMP/bad/temporalROI.txt"
run "$BIN" eval --cdnet "$TMP/bad"
[ "$rc" = 1 ] && echo "$err" | grep -q "temporalROI.txt" || fail "bad temporalROI: $rc $err"
echo "6 9" >"$TMP/bad/temporalROI.txt"
rm "$TMP/bad/groundtruth/gt000008.png"
run "$BIN" eval --cdnet "$TMP/bad"
[ "$rc" = 1 ] && echo "$err" | grep -q "gt000008.png" || fail "missing gt: $rc $err"
cp "$REC/groundtruth/gt000008.png" "$TMP/bad/groundtruth/"
"$BIN" scene --cdnet --out "$TMP/small" --size 64x48 --frames 1 --shots 1 >/dev/null ||
	fail "small scene"
cp "$TMP/small/ROI.bmp" "$TMP/bad/ROI.bmp"
run "$BIN" eval --cdnet "$TMP/bad"
[ "$rc" = 1 ] && echo "$err" | grep -q "ROI.bmp is 64x48" || fail "ROI size: $rc $err"
run "$BIN" eval --cdnet "$REC" --plate-frames 0
[ "$rc" = 2 ] || fail "--plate-frames 0: exit $rc"
run "$BIN" eval --cdnet "$REC" --frobnicate
[ "$rc" = 2 ] && echo "$err" | grep -q -- "--frobnicate" || fail "unknown option: $rc $err"
run "$BIN" eval --cdnet "$TMP/none"
[ "$rc" = 1 ] || fail "missing folder: exit $rc"
run "$BIN" eval --help
echo "$out" | grep -q -- "--cdnet" || fail "eval --help does not mention --cdnet"
run "$BIN" eval --cdnet "$REC" --help
for opt in --plate-frames --tolerance --masks-out --json; do
	echo "$out" | grep -q -- "$opt" || fail "--cdnet --help lacks $opt"
done

echo "eval --cdnet integration: ok"
