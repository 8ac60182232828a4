# Shots saved but not masked are named wherever results show. A 4-camera sim
# rig: cam01 and cam02 get plates, cam03's plate file is garbage (present but
# unreadable), cam04 has none. `cameras` and `status` show cam03's plate as
# unreadable with the loader's reason; `capture` names cam03 and cam04 as
# saved but not masked, with why, and exits 3 (its own status, --json too);
# `watch` prints mask_skipped; the set's contact sheet shows both photos
# (distinct tiles, no outline) instead of blank missing tiles.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
: "${PHOTORIG_BUILD:?PHOTORIG_BUILD must name the build tree}"
PROBE=$PHOTORIG_BUILD/tests/img_probe
[ -x "$PROBE" ] || { echo "no $PROBE: build the img_probe target"; exit 1; }

rig_dir rig
mkdir -p "$RIG/state/plates"
printf 'this is not a plate model\n' >"$RIG/state/plates/cam03.prplate"
daemon_start || { fail "daemon start"; finish; exit 1; }

expect_status 0 "cameras" -- pr cameras
expect_output 'cam03 .*PLATE UNREADABLE: ' "cameras: cam03's plate is unreadable, with the reason"
if printf '%s\n' "$OUT" | grep 'cam04' | grep -q 'no plate'; then pass "cameras: cam04 has no plate"
else fail "cameras: cam04 line: $OUT"; fi
expect_status 0 "status" -- pr status
expect_output 'cam03 +PLATE UNREADABLE: ' "status: cam03's plate is unreadable"
[ "$(pr cameras --json | jq -r '.cameras[] | select(.name == "cam03") | .plate_error' | grep -c .)" = 1 ] &&
	pass "cameras --json: plate_error" || fail "cameras --json has no plate_error for cam03"

expect_status 0 "plate cam01" -- pr plate --frames 2 --camera cam01
expect_status 0 "plate cam02" -- pr plate --frames 2 --camera cam02
expect_status 0 "session start" -- pr session start unmasked
S=$RIG/sessions/unmasked

pr watch >"$TMP/watch.txt" 2>&1 &
WPID=$!
sleep 0.5
expect_status 3 "capture with two cameras unmasked exits 3" -- pr capture
expect_output 'set 1: complete' "the set is complete"
expect_output 'cam03: saved, NOT MASKED: plate unreadable' "capture names cam03: plate unreadable"
expect_output 'cam04: saved, NOT MASKED: no plate' "capture names cam04: no plate"
if printf '%s\n' "$OUT" | grep -qE 'cam0[12]: saved, NOT MASKED'; then fail "capture names a masked camera: $OUT"
else pass "masked cameras are not named"; fi
expect_status 3 "capture --json exits 3 too" -- pr capture --json
[ "$(printf '%s\n' "$OUT" | jq -r '.sets[0].unmasked | map(.camera + ":" + .reason) | join(",")')" = \
	"cam03:plate unreadable,cam04:no plate" ] && pass "--json: sets[].unmasked" ||
	fail "--json unmasked: $OUT"
pr capture --help >"$TMP/help.txt"
grep -q '3  every set complete, but some shots saved without a mask' "$TMP/help.txt" &&
	pass "capture --help documents exit status 3" || fail "capture --help: $(cat "$TMP/help.txt")"
grep -q 'exits 3\|\*\*3 when every set' "$PHOTORIG_SOURCE/README.md" &&
	pass "README documents exit status 3" || fail "README does not document exit 3"

wait_for 30 grep -q 'set 1: contact sheet' "$TMP/watch.txt" || fail "no sheet event for set 1"
grep -q 'set 1: cam04 saved, NOT MASKED: no plate' "$TMP/watch.txt" &&
	pass "watch: cam04 saved, not masked" || fail "watch: $(cat "$TMP/watch.txt")"
grep -q 'set 1: cam03 saved, NOT MASKED: plate unreadable' "$TMP/watch.txt" &&
	pass "watch: cam03 saved, not masked" || fail "watch lacks cam03"
kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null

SHEET=$S/sheets/set_0001.png
[ -s "$SHEET" ] || fail "no $SHEET"
"$PROBE" tiles "$SHEET" 4 1280 960 >"$TMP/tiles.txt" || fail "tiles not probed"
cat "$TMP/tiles.txt"
read -r _ h1 o1 < <(sed -n 1p "$TMP/tiles.txt")
read -r _ h3 o3 < <(sed -n 3p "$TMP/tiles.txt")
read -r _ h4 o4 < <(sed -n 4p "$TMP/tiles.txt")
[ "$o1" -gt 50 ] && pass "cam01's tile has its outline" || fail "cam01 outline $o1"
[ "$h3" != "$h4" ] && pass "cam03 and cam04 tiles show their photos (they differ)" ||
	fail "cam03 and cam04 tiles are identical (blank missing tiles)"
[ "$o3" = 0 ] && [ "$o4" = 0 ] && pass "unmasked tiles have no outline" || fail "outline on unmasked tiles: $o3 $o4"
# the offline rebuild (photorig sheet SESSION --set 1) shows the photos too
expect_status 0 "photorig sheet SESSION --set 1 --out" -- "$P" sheet "$S" --set 1 --out "$TMP/set1.png"
"$PROBE" tiles "$TMP/set1.png" 4 1280 960 >"$TMP/tiles2.txt" || fail "offline tiles not probed"
[ "$(sed -n 3p "$TMP/tiles2.txt" | awk '{print $2}')" != "$(sed -n 4p "$TMP/tiles2.txt" | awk '{print $2}')" ] &&
	pass "offline sheet: cam03 and cam04 show their photos" || fail "offline sheet: $(cat "$TMP/tiles2.txt")"
[ "$(jq -r '.sets[0].shots[] | select(.camera == "cam04") | .state' "$S/manifest.json")" = saved ] &&
	pass "manifest: cam04's shot saved" || fail "manifest: cam04 not saved"

daemon_stop
finish
