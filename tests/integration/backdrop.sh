# photorig mask --backdrop and photorig sheet from the command line: the
# composite files and their names, crops, image backdrops, contact sheets,
# and clear errors for bad values.
. "$(dirname "$0")/lib.inc"
P=$PHOTORIG_BIN

# PNG width and height from the IHDR chunk
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{printf "%dx%d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'; }
is_jpeg() { [ "$(od -An -tx1 -N3 "$1" | tr -d ' ')" = "ffd8ff" ]; }

for i in 1 2 3 4; do
	"$P" scene --out "$TMP/c$i" --seed $((i * 11)) --frames 2 --size 320x240 >/dev/null ||
		{ echo "scene failed"; exit 1; }
done
IN=$TMP/c1

expect_status 0 "mask with a white backdrop" -- \
	"$P" mask --plate "$IN/plate_00.png" --plate "$IN/plate_01.png" --out "$TMP/o1" \
	--backdrop '#ffffff' "$IN/shot_00.png"
if is_jpeg "$TMP/o1/shot_00_backdrop.jpg"; then pass "wrote S_backdrop.jpg (JPEG)"; else fail "no JPEG composite"; fi
for f in masks/shot_00.png shot_00.tif; do
	if [ -s "$TMP/o1/$f" ]; then pass "still wrote $f"; else fail "missing $f"; fi
done

expect_status 0 "PNG composite, cropped 10% at 4:5" -- \
	"$P" mask --plate "$IN/plate_00.png" --out "$TMP/o2" --backdrop 2050C0 \
	--backdrop-format png --crop-margin 10% --aspect 4:5 "$IN/shot_00.png"
S=$(png_size "$TMP/o2/shot_00_backdrop.png")
W=${S%x*} H=${S#*x}
if [ $((W * 5)) -eq $((H * 4)) ] && [ "$W" -lt 320 ]; then pass "crop $S is 4:5"; else fail "crop $S is not a 4:5 crop"; fi
if [ "$(png_size "$TMP/o2/masks/shot_00.png")" = 320x240 ]; then pass "mask keeps the full frame"; else fail "mask was cropped"; fi

expect_status 0 "image backdrop, quality 70, no decontamination" -- \
	"$P" mask --plate "$IN/plate_00.png" --out "$TMP/o3" --backdrop "$TMP/c2/plate_00.png" \
	--backdrop-quality 70 --no-decontaminate --crop-margin 12px "$IN/shot_00.png"
if is_jpeg "$TMP/o3/shot_00_backdrop.jpg"; then pass "image backdrop composite"; else fail "no image backdrop composite"; fi

expect_status 0 "help documents the backdrop" -- "$P" mask --help
expect_output 'S_backdrop\.jpg' "help names the output file"
expect_output '--aspect W:H' "help has --aspect"

# --- bad values ---------------------------------------------------------------
expect_status 1 "backdrop file missing" -- \
	"$P" mask --plate "$IN/plate_00.png" --out "$TMP/b1" --backdrop "$TMP/none.jpg" "$IN/shot_00.png"
expect_output 'none\.jpg' "the missing backdrop is named"
expect_status 2 "bad format" -- \
	"$P" mask --plate "$IN/plate_00.png" --out "$TMP/b2" --backdrop '#fff000' --backdrop-format gif "$IN/shot_00.png"
expect_status 2 "bad quality" -- \
	"$P" mask --plate "$IN/plate_00.png" --out "$TMP/b2" --backdrop '#fff000' --backdrop-quality 101 "$IN/shot_00.png"
expect_status 2 "bad margin" -- \
	"$P" mask --plate "$IN/plate_00.png" --out "$TMP/b2" --backdrop '#fff000' --crop-margin 5pt "$IN/shot_00.png"
expect_output 'crop margin' "the margin is explained"
expect_status 2 "bad aspect" -- \
	"$P" mask --plate "$IN/plate_00.png" --out "$TMP/b2" --backdrop '#fff000' --aspect 4x5 "$IN/shot_00.png"
expect_status 2 "crop without a backdrop" -- \
	"$P" mask --plate "$IN/plate_00.png" --out "$TMP/b2" --crop-margin 5% "$IN/shot_00.png"

# --- contact sheets -----------------------------------------------------------
for i in 1 2 3 4; do
	"$P" mask --plate "$TMP/c$i/plate_00.png" --out "$TMP/m$i" --no-tiff "$TMP/c$i/shot_00.png" >/dev/null
done
expect_status 0 "sheet of four cameras" -- "$P" sheet --out "$TMP/sheet.png" --row "set 0001" \
	"$TMP/c1/shot_00.png:$TMP/m1/masks/shot_00.png:cam01" "$TMP/c2/shot_00.png:$TMP/m2/masks/shot_00.png:cam02" \
	"$TMP/c3/shot_00.png:$TMP/m3/masks/shot_00.png:cam03" "$TMP/c4/shot_00.png:$TMP/m4/masks/shot_00.png:cam04"
expect_output 'sheet\.png' "prints the sheet's path"
# 4 cells of 320 + 2*3 px frame, 8 px gaps; header 22, 3 caption lines of 18 + 4
if [ "$(png_size "$TMP/sheet.png")" = "1344x342" ]; then pass "sheet 1344x342"; else fail "sheet is $(png_size "$TMP/sheet.png")"; fi
expect_status 0 "folder form with --masks, two rows" -- "$P" sheet --out "$TMP/s2.png" --masks "$TMP/m1" \
	--tile-width 160 --row "set 1" "$TMP/c1/shot_00.png" --row "set 2" "$TMP/c1/shot_00.png"
expect_status 1 "a tile without its mask" -- "$P" sheet --out "$TMP/s3.png" --masks "$TMP/nomasks" \
	"$TMP/c1/shot_00.png" "$TMP/c2/shot_00.png:$TMP/m2/masks/shot_00.png"
expect_output 'nomasks/masks/shot_00\.png' "the unreadable tile's mask is named"
if [ -s "$TMP/s3.png" ]; then pass "sheet still written with a MISSING tile"; else fail "no sheet"; fi
expect_status 2 "sheet without --out" -- "$P" sheet "$TMP/c1/shot_00.png:$TMP/m1/masks/shot_00.png"
if ls -A "$TMP" "$TMP/o1" "$TMP/o2" | grep -q '\.tmp$'; then fail "temporary files left"; else pass "no temporary files left"; fi
finish
