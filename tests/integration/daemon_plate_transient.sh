#!/bin/bash
# A hand in some plate frames is reported wherever the plate is recorded.
# cam01's sim camera renders an operator's hand in 2 of its 5 plate frames
# (scene = transient=0.4); cam02's frames are clean. The plate builder
# leaves the hand out and says how much of the frame the frames disagreed
# on, and where: `photorig plate` prints it (and plate --scan per step),
# status and cameras carry it, the session's journal has it (plate_saved),
# and the box it gives holds the hand the sim drew (its exact truth, from
# photorig scene with the same seed).
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
HERE=$(cd "$(dirname "$0")" && pwd)

rig_dir rig
for c in cam01 cam02 cam03 cam04; do
	ini_set "camera $c" width 320
	ini_set "camera $c" height 240
done
ini_set "camera cam01" scene "transient=0.4"
ini_set turntable settle_ms 0
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "session" -- pr session start hands
"$P" watch --socket "$SOCK" > "$RIG/watch.out" 2>&1 &
WPID=$!
sleep 0.3

expect_status 0 "plate" -- pr plate --frames 5
line1=$(printf '%s\n' "$OUT" | grep '^cam01 ')
line2=$(printf '%s\n' "$OUT" | grep '^cam02 ')
echo "$line1"
echo "$line1" | grep -qE 'TRANSIENT: the frames disagreed on [0-9.]+% of the pixels, x [0-9]+\.\.[0-9]+ y [0-9]+\.\.[0-9]+' &&
	pass "plate: cam01's transient printed with its share and place" || fail "plate: cam01: $line1"
echo "$line2" | grep -q TRANSIENT && fail "plate: cam02 has no transient: $line2" ||
	pass "plate: cam02's clean frames report none"

expect_status 0 "status" -- pr status --json
share1=$(printf '%s' "$OUT" | jq '.plates[] | select(.camera == "cam01") | .plate.transient.share')
share2=$(printf '%s' "$OUT" | jq '.plates[] | select(.camera == "cam02") | .plate.transient.share')
awk -v s="$share1" 'BEGIN { exit !(s > 0.002 && s < 0.3) }' && pass "status: cam01 share $share1" ||
	fail "status: cam01 share '$share1'"
[ "$share2" = 0 ] && pass "status: cam02 share 0" || fail "status: cam02 share '$share2'"
expect_status 0 "status text" -- pr status
expect_output 'cam01 .*TRANSIENT' "status text names cam01's transient"
expect_status 0 "cameras" -- pr cameras --json
[ "$(printf '%s' "$OUT" | jq '.cameras[] | select(.name == "cam01") | .plate.transient.share')" = "$share1" ] &&
	pass "cameras: the same share" || fail "cameras: $(printf '%s' "$OUT" | jq -c '.cameras[0].plate.transient')"

J=$RIG/sessions/hands/journal.jsonl
box=$(jq -sr 'map(select(.ev == "plate_saved" and .camera == "cam01")) | .[0].transient | "\(.x) \(.y) \(.w) \(.h)"' "$J")
[ "$(jq -s 'map(select(.ev == "plate_saved")) | length' "$J")" = 4 ] &&
	pass "journal: plate_saved for each camera" || fail "journal: $(grep plate_saved "$J" | head -2)"
[ "$(jq -s 'map(select(.ev == "plate_saved" and .camera == "cam01")) | .[0].transient.share' "$J")" = "$share1" ] &&
	pass "journal: cam01's transient" || fail "journal: cam01 transient"

wait_for 10 grep -q 'cam02: plate saved' "$RIG/watch.out"
kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
grep -q '^cam01: plate saved, TRANSIENT: the frames disagreed on' "$RIG/watch.out" &&
	pass "watch: cam01's transient" || fail "watch: $(grep cam01 "$RIG/watch.out")"
grep '^cam02: plate saved' "$RIG/watch.out" | grep -q TRANSIENT && fail "watch: cam02 transient" ||
	pass "watch: cam02 none"

# the box holds the hand the sim drew (frames 2 and 4 of 5, seed 101)
"$P" scene --out "$TMP/truth" --size 320x240 --seed 101 --frames 5 --transient 0.4 >/dev/null ||
	fail "scene"
python3 - "$TMP/truth/truth" $box <<PY && pass "the reported box holds the hand ($box)" || fail "box $box"
import sys
sys.path.insert(0, "$HERE")
from cdnet_count import read_png_grey
d, bx, by, bw, bh = sys.argv[1], *map(int, sys.argv[2:6])
inside = total = 0
for f in ("plate_02.png", "plate_04.png"):
    w, h, a = read_png_grey(f"{d}/{f}")
    for i, v in enumerate(a):
        if v >= 128:
            x, y = i % w, i // w
            total += 1
            inside += bx <= x < bx + bw and by <= y < by + bh
print(f"hand pixels {total}, inside the box {inside}")
sys.exit(0 if total > 500 and inside >= 0.95 * total and bw * bh < 6 * total else 1)
PY

# plate --scan reports it per step too
expect_status 0 "plate --scan" -- pr plate --scan --steps 2 --frames 5
expect_output 'cam01 +plate [0-9a-f]+, 5 frames \(plates/cam01/angle-180.000.prplate\), TRANSIENT' \
	"plate --scan: cam01's transient at each step"
[ "$(jq -s 'map(select(.ev == "plate_saved" and .angle == 180)) | length' "$J")" = 4 ] &&
	pass "journal: the turntable plates too" || fail "journal: turntable plates"
grep -q 'camera cam01: plate: the frames disagreed on' "$RIG/daemon.log" && pass "logged" ||
	fail "not logged"
daemon_stop
finish
