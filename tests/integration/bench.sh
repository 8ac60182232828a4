# photorig bench runs end to end and prints every stage line. Timings are
# not asserted: they depend on the machine and on what else runs on it.
. "$(dirname "$0")/lib.inc"
P=$PHOTORIG_BIN

expect_status 0 "bench on a small generated scene" -- "$P" bench --size 320x240 --repeat 1
expect_output '320x240.*best of 1' "the header names the size and best-of-N"
while IFS= read -r s; do
	expect_output "^ *$s +[0-9]+\.[0-9] +[0-9]+\.[0-9]" "stage line: $s"
done <<'STAGES'
decode
naive
mask
fit
classify
clean-up
alpha
matte
mask --no-drift
mask --no-shadow
mask --no-matte
mask --no-feather
tiff encode
png encode
plate model
STAGES
expect_output '^mask .*[0-9.]+x naive' "the mask line gives its ratio to naive"

expect_status 0 "bench --json" -- "$P" bench --size 320x240 --repeat 1 --threads 1 --json
expect_output '"mask_to_naive": [0-9.]+' "JSON carries the ratio to naive"
expect_output '"threads": 1' "JSON carries the thread count"

# the given-files form: a plate frame, then shots
"$P" scene --out "$TMP/in" --size 320x240 --frames 1 --shots 2 --jpeg 92 >/dev/null || fail "scene"
expect_status 0 "bench on files" -- "$P" bench --repeat 1 "$TMP/in/plate_00.jpg" \
	"$TMP/in/shot_00.jpg" "$TMP/in/shot_01.jpg"
expect_output 'shot_01\.jpg' "every shot gets its block"
"$P" scene --out "$TMP/small" --size 160x120 --frames 1 >/dev/null || fail "small scene"
expect_status 1 "a shot of another size" -- "$P" bench --repeat 1 "$TMP/in/plate_00.jpg" "$TMP/small/shot_00.png"
expect_output '160x120.*320x240' "both sizes are named"
expect_status 2 "a plate without a shot" -- "$P" bench "$TMP/in/plate_00.jpg"
expect_status 2 "bad size" -- "$P" bench --size 10x10
expect_status 0 "help" -- "$P" bench --help

finish
