# photorigd's outputs for people on a 4-camera sim rig: after a set, its
# contact sheet (4 labelled tiles, laid out as core/outputs/sheet.c computes, each
# tile its own camera's shot and outline), the session sheet, the sheet's
# path printed by `photorig watch`; backdrop composites over #ffffff for
# every camera but the one with backdrop = none; journal and manifest name
# them; `photorig sheet SESSION` rebuilds sheets offline from the files.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
: "${PHOTORIG_BUILD:?PHOTORIG_BUILD must name the build tree}"
PROBE=$PHOTORIG_BUILD/tests/img_probe
[ -x "$PROBE" ] || { echo "no $PROBE: build the img_probe target"; exit 1; }

rig_dir rig
ini_set rig backdrop '#ffffff'
ini_set rig backdrop_format png
ini_set "camera cam04" backdrop none
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates recorded" -- pr plate --frames 3
expect_status 0 "session start" -- pr session start sheets
S=$RIG/sessions/sheets

pr watch >"$TMP/watch.txt" 2>&1 &
WPID=$!
sleep 0.5
expect_status 0 "one capture set" -- pr capture --count 1
expect_output 'set 1: complete' "set 1 complete"
wait_for 30 grep -q 'contact sheet' "$TMP/watch.txt" || fail "no sheet_written event within 30 s"
SHEET=$S/sheets/set_0001.png
if grep -qF "set 1: contact sheet $SHEET" "$TMP/watch.txt"; then pass "photorig watch printed the sheet's path"
else fail "watch did not print $SHEET: $(cat "$TMP/watch.txt")"; fi

# --- the set's sheet ----------------------------------------------------------
[ -s "$SHEET" ] && pass "sheet written: sheets/set_0001.png" || fail "no $SHEET"
[ -s "$S/sheets/session.png" ] && pass "session sheet written" || fail "no session sheet"
if [ "$(od -An -tx1 -N8 "$SHEET" | tr -d ' ')" = 89504e470d0a1a0a ]; then pass "the sheet is a PNG"; else fail "not a PNG"; fi
WANT=$("$PROBE" sheet-size 4 1280 960)
GOT=$("$PROBE" size "$SHEET")
[ -n "$WANT" ] && [ "$GOT" = "$WANT" ] && pass "sheet $GOT: one labelled row of 4 tiles (core layout)" ||
	fail "sheet is $GOT, the core lays out 4 tiles as $WANT"
"$PROBE" tiles "$SHEET" 4 1280 960 >"$TMP/tiles.txt" || fail "tiles not probed"
cat "$TMP/tiles.txt"
[ "$(awk '{print $2}' "$TMP/tiles.txt" | sort -u | wc -l)" = 4 ] &&
	pass "the 4 tiles differ from each other" || fail "some tiles are identical: $(cat "$TMP/tiles.txt")"
[ "$(awk '$3 > 50' "$TMP/tiles.txt" | wc -l)" = 4 ] &&
	pass "every tile has its mask outline drawn" || fail "a tile has no outline: $(cat "$TMP/tiles.txt")"
[ "$(awk '{print $3}' "$TMP/tiles.txt" | sort -u | wc -l)" -ge 2 ] &&
	pass "the outlines differ where the masks differ" || fail "every outline is the same size"
# the label and captions: text pixels (light grey/white) above and below the tiles
[ "$(jq -r '.sets[0].sheet' "$S/manifest.json")" = sheets/set_0001.png ] &&
	pass "manifest names the set's sheet" || fail "manifest: sheet $(jq -r '.sets[0].sheet' "$S/manifest.json")"
[ "$(jq -s '[.[] | select(.ev == "sheet_written" and .file == "sheets/set_0001.png")] | length' "$S/journal.jsonl")" = 1 ] &&
	pass "journal: sheet_written" || fail "journal lacks sheet_written"

# --- backdrop composites --------------------------------------------------------
for c in cam01 cam02 cam03; do
	f=$S/$c/${c}_0001_backdrop.png
	if [ -s "$f" ]; then pass "$c: composite written"; else fail "$c: no $f"; continue; fi
	"$PROBE" object "$f" "$S/$c/masks/${c}_0001.png" >"$TMP/px.txt" || { fail "$c: composite not probed"; continue; }
	read -r _ r g b < <(grep corner "$TMP/px.txt")
	[ "$r $g $b" = "255 255 255" ] && pass "$c: background corner is white" || fail "$c: corner is $r $g $b"
	read -r _ r g b < <(grep object "$TMP/px.txt")
	[ $((r + g + b)) -lt 720 ] && pass "$c: object pixel $r $g $b is not white" || fail "$c: object pixel is white ($r $g $b)"
	[ "$(jq -r --arg c "$c" '.sets[0].shots[] | select(.camera == $c) | .backdrop_file' "$S/manifest.json")" = "$c/${c}_0001_backdrop.png" ] &&
		pass "$c: manifest names the composite" || fail "$c: manifest lacks backdrop_file"
	grep -q "set 1: $c backdrop $c/${c}_0001_backdrop.png" "$TMP/watch.txt" &&
		pass "$c: watch printed the composite" || fail "$c: no backdrop_written event"
done
[ "$(jq -s '[.[] | select(.ev == "mask_written" and .backdrop_file != null)] | length' "$S/journal.jsonl")" = 3 ] &&
	pass "journal: 3 composites" || fail "journal composites"
if ls "$S/cam04" | grep -q backdrop; then fail "cam04 (backdrop = none) has a composite"; else pass "cam04 (backdrop = none): no composite"; fi
[ "$(jq -r '.sets[0].shots[] | select(.camera == "cam04") | .backdrop_file' "$S/manifest.json")" = null ] &&
	pass "cam04: none in the manifest" || fail "cam04: manifest names a composite"
if check_session "$S"; then pass "journal, manifest and files agree"; else fail "journal, manifest and files disagree"; fi

# --- a second set: the session sheet grows a row -------------------------------
H1=$("$PROBE" size "$S/sheets/session.png")
expect_status 0 "second set" -- pr capture --count 1
wait_for 30 test -s "$S/sheets/set_0002.png" || fail "no sheet for set 2"
wait_for 30 grep -q 'set 2: contact sheet' "$TMP/watch.txt" || fail "no event for set 2"
H2=$("$PROBE" size "$S/sheets/session.png")
[ "${H1%x*}" = "${H2%x*}" ] && [ "${H2#*x}" -gt "${H1#*x}" ] && pass "session sheet grew a row: $H1 -> $H2" ||
	fail "session sheet $H1 -> $H2"
no_temp_files "$S" && pass "no temporary files" || fail "temporary files left"

# --- reload: contact sheets off, no composites ---------------------------------
ini_set rig contact_sheets false
ini_set rig backdrop ''
expect_status 0 "reload" -- pr reload
expect_status 0 "third set" -- pr capture --count 1
sleep 1
[ -e "$S/sheets/set_0003.png" ] && fail "a sheet with contact_sheets = false" || pass "contact_sheets = false: no sheet"
ls "$S"/cam0?/*_0003_backdrop.* >/dev/null 2>&1 && fail "a composite after backdrop was unset" || pass "backdrop unset: no composite"

# --- offline: photorig sheet SESSION [--set N], without the daemon --------------
kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean stop" || fail "stop: status $DSTATUS"
cp "$SHEET" "$TMP/daemon_set1.png"
rm -f "$S/sheets/set_0001.png"
expect_status 0 "offline sheet of set 1" -- "$P" sheet "$S" --set 1
expect_output "$S/sheets/set_0001.png" "prints its path"
[ "$("$PROBE" size "$S/sheets/set_0001.png")" = "$WANT" ] && pass "offline set sheet has the daemon's layout" ||
	fail "offline set sheet is $("$PROBE" size "$S/sheets/set_0001.png")"
"$PROBE" tiles "$S/sheets/set_0001.png" 4 1280 960 >"$TMP/tiles2.txt"
[ "$(awk '{print $3}' "$TMP/tiles.txt")" = "$(awk '{print $3}' "$TMP/tiles2.txt")" ] &&
	pass "offline tiles outline the same masks" || fail "offline outlines differ: $(cat "$TMP/tiles2.txt")"
expect_status 0 "offline session sheet" -- "$P" sheet "$S"
expect_output "$S/sheets/session.png" "prints the session sheet's path"
S3=$("$PROBE" size "$S/sheets/session.png")
[ "${S3#*x}" -gt "${H2#*x}" ] && pass "offline session sheet has 3 rows ($S3)" || fail "offline session sheet $S3"
expect_status 1 "a set that does not exist" -- "$P" sheet "$S" --set 9
expect_output 'no set 9' "says so"
expect_status 0 "the file form still works" -- "$P" sheet --out "$TMP/f.png" \
	"$S/cam01/cam01_0001.jpg:$S/cam01/masks/cam01_0001.png:cam01"
finish
