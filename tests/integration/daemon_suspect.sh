#!/bin/bash
# Suspect shots. cam02's sim camera exposes its shots 3 stops over its plate
# (scene = ev=3): its shots come out mostly clipped. Each is still masked and
# written, but reported as suspect, with why, wherever results show: the
# manifest and journal (suspect), `watch`, `status`, and the contact sheet
# (the tile framed red with a SUSPECT badge), also when the sheet is made
# again offline. The other cameras' shots are not suspect.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
PROBE=$PHOTORIG_BUILD/tests/img_probe
[ -x "$PROBE" ] || { echo "no $PROBE: build the img_probe target"; exit 1; }

rig_dir rig
for c in cam01 cam02 cam03 cam04; do
	ini_set "camera $c" width 320
	ini_set "camera $c" height 240
done
ini_set "camera cam02" scene "ev=3"
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start bright
"$P" watch --socket "$SOCK" > "$RIG/watch.out" 2>&1 &
WPID=$!
sleep 0.3
expect_status 0 "capture" -- pr capture
S=$RIG/sessions/bright
wait_for 30 sh -c "jq -e '.sets_finished == 1 and ([.sets[0].shots[] | select(.mask == \"written\")] | length == 4)' '$S/manifest.json' >/dev/null" ||
	fail "set 1 not masked"
wait_for 10 grep -q 'cam02 masked' "$RIG/watch.out"
kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null

why=$(jq -r '.sets[0].shots[] | select(.camera == "cam02") | .mask_stats.suspect' "$S/manifest.json")
echo "cam02: $why"
echo "$why" | grep -qE '^mostly clipped: (9[0-9]|100)% of the pixels' && pass "manifest: cam02 suspect, mostly clipped" ||
	fail "manifest: cam02 suspect '$why'"
[ "$(jq '[.sets[0].shots[] | select(.mask_stats.suspect != null)] | length' "$S/manifest.json")" = 1 ] &&
	pass "manifest: only cam02 is suspect" || fail "manifest: $(jq -c '[.sets[0].shots[] | .mask_stats.suspect]' "$S/manifest.json")"
jq -se 'map(select(.ev == "mask_written" and .camera == "cam02")) | length == 1 and (.[0].suspect | startswith("mostly clipped"))' \
	"$S/journal.jsonl" >/dev/null && pass "journal: suspect" || fail "journal: no suspect"
grep -q 'set 1: cam02 masked, .*SUSPECT: mostly clipped' "$RIG/watch.out" && pass "watch: SUSPECT" ||
	fail "watch: $(grep cam02 "$RIG/watch.out")"
grep 'set 1: cam01 masked' "$RIG/watch.out" | grep -q SUSPECT && fail "watch: cam01 suspect" ||
	pass "watch: cam01 not suspect"
expect_status 0 "status" -- pr status
expect_output 'SUSPECT masks in the session: 1' "status: one suspect mask"
expect_output 'set 1 cam02: mostly clipped' "status: which and why"
expect_status 0 "status --json" -- pr status --json
[ "$(printf '%s' "$OUT" | jq '.suspect.count')" = 1 ] && pass "status --json: count 1" ||
	fail "status --json: $(printf '%s' "$OUT" | jq -c .suspect)"

# the set's contact sheet: tile 2 (cam02) framed red, tile 1 not (red frames
# a suspect tile, and a stale one, which cam02's also is; unit_mask_suspect
# checks the SUSPECT badge itself). Tiles of 320 px shots are 320 px wide in
# frames of 3 px, 8 px apart, from x = 8.
SHEET=$S/sheets/set_0001.png
wait_for 10 test -f "$SHEET" || fail "no sheet"
frame_of() { "$PROBE" pixel "$1" $((8 + $2 * (326 + 8) + 1)) 150; }
[ "$(frame_of "$SHEET" 1)" = "224 40 40" ] && pass "sheet: cam02's tile framed red" ||
	fail "sheet: cam02 frame $(frame_of "$SHEET" 1)"
[ "$(frame_of "$SHEET" 0)" = "224 40 40" ] && fail "sheet: cam01's tile framed red" ||
	pass "sheet: cam01's tile not framed red"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean stop" || fail "stop $DSTATUS"
rm -f "$SHEET"
expect_status 0 "offline sheet" -- "$P" sheet "$S" --set 1
[ "$(frame_of "$SHEET" 1)" = "224 40 40" ] && pass "offline sheet: cam02's tile framed red" ||
	fail "offline sheet: cam02 frame $(frame_of "$SHEET" 1)"
finish
