# photorig bench --rig runs photorigd on simulated cameras end to end: the
# figures line, the kept folder with the config it wrote (the sim cameras'
# scene conditions included) and the session the sets were shot into.
# Timings are not asserted: they depend on the machine and its load.
. "$(dirname "$0")/lib.inc"
P=$PHOTORIG_BIN
export TMPDIR=$TMP # the bench's folders, kept or not, stay in this test's own

expect_status 0 "a 2-camera rig under conditions" -- timeout 120 "$P" bench --rig --cameras 2 \
	--size 320x240 --sets 3 --conditions "background=foliage,shadow=0.2,jpeg=85" --keep
expect_output '^ +2 cameras 320x240: +[0-9.]+ sets/min \(3 sets in [0-9.]+ s\); trigger->last file median [0-9]+ ms' \
	"the figures line names cameras, size, sets and latency"
expect_output 'spread median [0-9.]+ ms, worst [0-9.]+ ms' "the figures line gives the spread"
kept=$(printf '%s\n' "$OUT" | sed -n 's/^ *kept: //p')
if [ -d "$kept" ]; then pass "--keep keeps the folder"; else fail "no kept folder in: $OUT"; fi
n=$(grep -c '^scene = "background=foliage,shadow=0.2,jpeg=85"$' "$kept/photorig.ini" 2>/dev/null)
if [ "$n" = 2 ]; then pass "both sim cameras render under the conditions"; else
	fail "scene key in $n camera sections of $kept/photorig.ini"; fi
m=$kept/sessions/bench/manifest.json
if python3 - "$m" <<'PY'
import json, sys
sets = json.load(open(sys.argv[1]))["sets"]
assert len(sets) == 3, f"{len(sets)} sets"
for s in sets:
    assert s["complete"], f"set {s['set']} incomplete"
    assert len(s["shots"]) == 2, f"set {s['set']}: {len(s['shots'])} shots"
PY
then pass "3 complete sets of 2 shots in the session"; else fail "manifest $m"; fi

expect_status 2 "unknown conditions are refused before photorigd starts" -- \
	"$P" bench --rig --conditions "background=velvet"
expect_output 'conditions: .*background' "the refusal names the bad item"
expect_status 0 "help" -- "$P" bench --rig --help
expect_output '--conditions' "the help lists --conditions"

finish
