#!/bin/bash
# Integration test for `photorig eval`: scores the real leaves alpha against
# itself and against the shot, checks folder pairing, JSON, and that size
# mismatches and bad options fail with the documented exit codes.
set -u
BIN=${PHOTORIG_BIN:?PHOTORIG_BIN must name the photorig binary}
SRC=${PHOTORIG_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
DATA="$SRC/tests/data/leaves"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/wrap.inc"
BIN=$PHOTORIG_BIN
fail() { echo "FAIL: $*" >&2; exit 1; }

# run CMD...: sets rc, out, err (bounded: eval never waits on anything)
run() {
	timeout $((60 * TIME_SCALE)) "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

[ -f "$DATA/alpha.png" ] || fail "missing $DATA/alpha.png"

# 1. a mask equal to its truth scores perfectly
run "$BIN" eval --truth "$DATA/alpha.png" --mask "$DATA/alpha.png"
[ "$rc" = 0 ] || fail "identical pair: exit $rc: $err"
echo "$out" | grep -Eq '^F-measure +1\.000000$' || fail "identical pair: F is not 1: $out"
echo "$out" | grep -Eq '^PWC +0\.000000$' || fail "identical pair: PWC is not 0: $out"
echo "$out" | grep -Eq '^IoU +1\.000000$' || fail "identical pair: IoU is not 1: $out"

# 2. with the README's scoring band the pixel counts shrink but F stays 1
run "$BIN" eval -t "$DATA/alpha.png" -m "$DATA/alpha.png" --unknown-band 40,215 --json
[ "$rc" = 0 ] || fail "band: exit $rc: $err"
echo "$out" | grep -q '"f": 1.000000' || fail "band: F is not 1: $out"
echo "$out" | grep -Eq '"unknown": [1-9]' || fail "band: no unknown pixels: $out"

# 3. a different image of the same size scores below 1 (the shot's red channel)
run "$BIN" eval --truth "$DATA/alpha.png" --mask "$DATA/shot.jpg"
[ "$rc" = 0 ] || fail "shot as mask: exit $rc: $err"
echo "$out" | grep -Eq '^F-measure +1\.000000$' && fail "shot as mask scored perfectly"

# 4. size mismatch: exit 1, both files named
base64 -d >"$TMP/small.png" <<'PNG'
iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAAAAACRn/EaAAAADklEQVR4nGP4DwQMcAIAWbUL9bVeYTAAAAAASUVORK5CYII=
PNG
run "$BIN" eval --truth "$DATA/alpha.png" --mask "$TMP/small.png"
[ "$rc" = 1 ] || fail "size mismatch: exit $rc, expected 1"
echo "$err" | grep -q "alpha.png" || fail "size mismatch: truth not named: $err"
echo "$err" | grep -q "small.png" || fail "size mismatch: mask not named: $err"

# 5. unreadable file: exit 1
run "$BIN" eval --truth "$DATA/alpha.png" --mask "$TMP/none.png"
[ "$rc" = 1 ] || fail "missing mask: exit $rc, expected 1"

# 6. unknown option: exit 2, option named; missing --mask: exit 2
run "$BIN" eval --truth "$DATA/alpha.png" --mask "$DATA/alpha.png" --frobnicate
[ "$rc" = 2 ] || fail "unknown option: exit $rc, expected 2"
echo "$err" | grep -q -- "--frobnicate" || fail "unknown option not named: $err"
run "$BIN" eval --truth "$DATA/alpha.png"
[ "$rc" = 2 ] || fail "missing --mask: exit $rc, expected 2"
run "$BIN" eval --truth "$DATA/alpha.png" --mask "$DATA/alpha.png" --unknown-band 200,100
[ "$rc" = 2 ] || fail "bad band: exit $rc, expected 2"

# 7. --help documents every option
run "$BIN" eval --help
[ "$rc" = 0 ] || fail "--help: exit $rc"
for opt in --truth --mask --unknown-band --no-cdnet-unknown --json --help; do
	echo "$out" | grep -q -- "$opt" || fail "--help does not mention $opt"
done

# 8. folders: pairs by stem (S.png with S_mask.png), totals over all pixels
mkdir -p "$TMP/truth" "$TMP/masks"
cp "$DATA/alpha.png" "$TMP/truth/a.png"
cp "$DATA/alpha.png" "$TMP/truth/b.png"
cp "$DATA/alpha.png" "$TMP/masks/a_mask.png"
cp "$DATA/alpha.png" "$TMP/masks/b.png"
cp "$TMP/small.png" "$TMP/masks/unrelated.png"
run "$BIN" eval --truth "$TMP/truth" --mask "$TMP/masks"
[ "$rc" = 0 ] || fail "folders: exit $rc: $err"
echo "$out" | grep -q "a.png: .*F 1.0000" || fail "folders: a not scored: $out"
echo "$out" | grep -q "b.png: .*F 1.0000" || fail "folders: b not scored: $out"
echo "$out" | grep -q "^total (2 files): .*F 1.0000" || fail "folders: no total: $out"
run "$BIN" eval --truth "$TMP/truth" --mask "$TMP/masks" --json
[ "$rc" = 0 ] || fail "folders json: exit $rc"
echo "$out" | grep -q '"total": {"files": 2' || fail "folders json: $out"
# a truth without its mask is an error, the rest is still scored
cp "$DATA/alpha.png" "$TMP/truth/c.png"
run "$BIN" eval --truth "$TMP/truth" --mask "$TMP/masks"
[ "$rc" = 1 ] || fail "missing folder mask: exit $rc, expected 1"
echo "$err" | grep -q "c.png" || fail "missing folder mask not named: $err"
echo "$out" | grep -q "^total (2 files)" || fail "missing folder mask: others not scored: $out"

echo "eval integration: ok"
