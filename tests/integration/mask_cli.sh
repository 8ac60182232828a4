# photorig mask from the command line: the contract other programs call,
# the files it writes, and a clear error (never a crash) for every bad input.
. "$(dirname "$0")/lib.inc"
P=$PHOTORIG_BIN

"$P" scene --out "$TMP/in" --frames 2 --shots 2 --shadow >/dev/null || { echo "scene failed"; exit 1; }
IN=$TMP/in

# --- the normal path -----------------------------------------------------------
expect_status 0 "mask two shots with all conventions" -- \
	"$P" mask --plate "$IN/plate_00.png" --plate "$IN/plate_01.png" --out "$TMP/out" \
	--conventions metashape,realitycapture,colmap "$IN/shot_00.png" "$IN/shot_01.png"
expect_output '^.*shot_00\.png +fg [0-9.]+% +[0-9.]+ s' "one line per shot with foreground % and time"
for f in masks/shot_00.png shot_00.tif shot_00_mask.png shot_00.png.mask.png masks/shot_00.png.png \
	masks/shot_01.png shot_01.tif; do
	if [ -s "$TMP/out/$f" ]; then pass "wrote $f"; else fail "missing $f"; fi
done
if cmp -s "$TMP/out/masks/shot_00.png" "$TMP/out/shot_00_mask.png"; then pass "convention copies identical"; else fail "convention copies differ"; fi
# alicevision's masksFolder/STEM.png is masks/S.png: accepted, adds no file
expect_status 0 "--conventions alicevision" -- \
	"$P" mask --plate "$IN/plate_00.png" --no-tiff --out "$TMP/av" --conventions alicevision "$IN/shot_00.png"
[ "$(cd "$TMP/av" && find . -type f | sort | tr '\n' ' ')" = "./masks/shot_00.png " ] &&
	pass "alicevision: masks/shot_00.png and nothing else" || fail "alicevision wrote: $(cd "$TMP/av" && find . -type f)"
if ls -A "$TMP/out" "$TMP/out/masks" | grep -q '\.tmp$'; then fail "temporary files left"; else pass "no temporary files left"; fi
expect_status 0 "masks score F >= 0.95 against the truth" -- \
	"$P" eval --truth "$IN/truth/shot_00.png" --mask "$TMP/out/masks/shot_00.png" --json
F=$(printf '%s' "$OUT" | grep -oE '"f": *[0-9.]+' | head -1 | grep -oE '[0-9.]+$')
if awk "BEGIN{exit !($F >= 0.95)}"; then pass "F $F"; else fail "F $F < 0.95"; fi

# a saved plate model is accepted in place of the frames
expect_status 0 "save the plate model" -- \
	"$P" mask --plate "$IN/plate_00.png" --save-plate "$TMP/cam.prplate" --out "$TMP/o2" "$IN/shot_00.png"
expect_status 0 "mask with the saved model" -- \
	"$P" mask --plate "$TMP/cam.prplate" --out "$TMP/o3" "$IN/shot_00.png"
if cmp -s "$TMP/o2/masks/shot_00.png" "$TMP/o3/masks/shot_00.png"; then pass "saved model gives the same mask"; else fail "saved model mask differs"; fi

# invert
expect_status 0 "invert" -- "$P" mask --plate "$IN/plate_00.png" --invert --no-tiff --out "$TMP/inv" "$IN/shot_00.png"
expect_status 0 "inverted mask scores ~0 F against the truth" -- \
	"$P" eval --truth "$IN/truth/shot_00.png" --mask "$TMP/inv/masks/shot_00.png" --json
F=$(printf '%s' "$OUT" | grep -oE '"f": *[0-9.]+' | head -1 | grep -oE '[0-9.]+$')
if awk "BEGIN{exit !($F < 0.1)}"; then pass "inverted F $F"; else fail "inverted F $F"; fi

# --- bad input: each a clear message and a non-zero exit, others still done ---
cp "$IN/shot_00.png" "$TMP/good.png"
head -c 5000 "$IN/shot_00.png" > "$TMP/truncated.png"
"$P" scene --out "$TMP/jpg" --frames 1 --jpeg 90 >/dev/null
head -c 3000 "$TMP/jpg/shot_00.jpg" > "$TMP/truncated.jpg"
printf 'II*\0garbage that is not an image at all' > "$TMP/notimage.tif"
"$P" scene --out "$TMP/small" --size 320x240 --frames 1 >/dev/null

expect_status 1 "missing shot, the others still masked" -- \
	"$P" mask --plate "$IN/plate_00.png" --out "$TMP/bad1" "$TMP/nope.png" "$TMP/good.png"
expect_output 'nope\.png' "the missing file is named"
if [ -s "$TMP/bad1/masks/good.png" ]; then pass "good shot still written"; else fail "good shot not written after a bad one"; fi

expect_status 1 "truncated JPEG" -- "$P" mask --plate "$TMP/jpg/plate_00.jpg" --out "$TMP/bad2" "$TMP/truncated.jpg"
expect_output 'truncated\.jpg' "the truncated JPEG is named"
expect_status 1 "truncated PNG" -- "$P" mask --plate "$IN/plate_00.png" --out "$TMP/bad2" "$TMP/truncated.png"
expect_output 'truncated\.png' "the truncated PNG is named"
expect_status 1 "TIFF that is not an image" -- "$P" mask --plate "$IN/plate_00.png" --out "$TMP/bad3" "$TMP/notimage.tif"
expect_output 'notimage\.tif' "the bad TIFF is named"
expect_status 1 "plate of another size" -- "$P" mask --plate "$TMP/small/plate_00.png" --out "$TMP/bad4" "$IN/shot_00.png"
expect_output '640x480.*320x240' "both sizes are named"
expect_status 1 "unreadable plate" -- "$P" mask --plate "$TMP/truncated.png" --out "$TMP/bad5" "$IN/shot_00.png"
expect_output 'truncated\.png' "the bad plate is named"
echo "not a folder" > "$TMP/afile"
expect_status 1 "output folder that cannot be made" -- "$P" mask --plate "$IN/plate_00.png" --out "$TMP/afile/out" "$IN/shot_00.png"
expect_output 'afile' "the output folder is named"
expect_status 2 "unknown option" -- "$P" mask --plate "$IN/plate_00.png" --out "$TMP/o" --frobnicate "$IN/shot_00.png"
expect_output "frobnicate" "the unknown option is named"
expect_status 2 "bad tolerance" -- "$P" mask --plate "$IN/plate_00.png" --out "$TMP/o" --tolerance -3 "$IN/shot_00.png"
expect_status 2 "bad region" -- "$P" mask --plate "$IN/plate_00.png" --out "$TMP/o" --include "rect:1,2,3" "$IN/shot_00.png"
expect_output "region" "the region is named"
expect_status 2 "bad convention" -- "$P" mask --plate "$IN/plate_00.png" --out "$TMP/o" --conventions metashape,photoshop "$IN/shot_00.png"
expect_output "photoshop" "the convention is named"
expect_status 2 "no shot" -- "$P" mask --plate "$IN/plate_00.png" --out "$TMP/o"
expect_status 0 "help" -- "$P" mask --help
for opt in --plate --out --method --tolerance --invert --include --exclude --key-color --conventions --compression; do
	expect_output -- "$opt" "help documents $opt"
done

finish
