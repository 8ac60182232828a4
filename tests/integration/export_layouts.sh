# photorig export for metashape, realitycapture and meshroom: the exact
# trees (every photo once, every mask under its tool's name, nothing else
# where the tool looks for photos), built from a 4-camera sim session of 3
# sets in which cam04 has no plate (so its shots are saved, not masked).
# Also: unmasked shots left out and listed, or given an all-keep mask;
# --sets and --cameras; --copy; re-running replaces an earlier export in one
# step; a failed export leaves the earlier one whole and no temporary folder;
# a folder that is not an export is never replaced; flat names that collide
# are refused; incomplete sets in or out.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
: "${PHOTORIG_BUILD:?PHOTORIG_BUILD must name the build tree}"
PROBE=$PHOTORIG_BUILD/tests/img_probe
[ -x "$PROBE" ] || { echo "no $PROBE: build the img_probe target"; exit 1; }

rig_dir rig
daemon_start || { fail "daemon start"; finish; exit 1; }
for c in cam01 cam02 cam03; do
	expect_status 0 "plate $c" -- pr plate --frames 3 --camera "$c"
done
expect_status 0 "session start" -- pr session start shoe
# 3: saved, but some shots not masked (cam04 has no plate)
expect_status 3 "three capture sets, cam04 unmasked" -- pr capture --count 3
S=$RIG/sessions/shoe
settled() { [ "$(jq '[.sets[].shots[] | select(.mask == "written" or .mask == "skipped")] | length' "$S/manifest.json" 2>/dev/null)" = 12 ]; }
wait_for 60 settled || fail "masks not settled: $(jq -c '[.sets[].shots[] | .mask]' "$S/manifest.json")"
daemon_stop
[ "$(jq '[.sets[].shots[] | select(.mask == "written")] | length' "$S/manifest.json")" = 9 ] &&
	pass "9 shots masked, cam04's 3 not (no plate)" || fail "$(jq -c '[.sets[].shots[] | [.camera, .mask]]' "$S/manifest.json")"

names() { # CAMS SETS FORMAT: one line per shot, FORMAT with %c camera, %n name, %s stem
	local c s
	for c in $1; do for s in $2; do
		local stem; stem=$(printf '%s_%04d' "$c" "$s")
		printf '%s\n' "$3" | sed "s/%c/$c/g; s/%n/$stem.jpg/g; s/%s/$stem/g"
	done; done
}
tree() { (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort); }
same_tree() { # DIR WANT WHAT
	local got; got=$(tree "$1")
	if [ "$got" = "$(sort <<<"$2")" ]; then pass "$3"
	else fail "$3: $(diff <(sort <<<"$2") <(printf '%s\n' "$got") | tr '\n' ' ')"; fi
}
MASKED="cam01 cam02 cam03"
ALL="cam01 cam02 cam03 cam04"
E=$TMP/exp

# --- metashape: images/NAME, masks/STEM_mask.png --------------------------------
expect_status 0 "export metashape" -- "$P" export "$S" --for metashape --out "$E/ms"
expect_output "exported 9 photos" "9 photos"
for s in 1 2 3; do expect_output "left out: set $s cam04 cam04/cam04_000$s.jpg: not masked" "set $s cam04 listed as left out"; done
same_tree "$E/ms" "$(printf 'README.txt\nimages\nmasks\n'; names "$MASKED" "1 2 3" 'images/%n
masks/%s_mask.png')" "metashape tree exact"
grep -qF "$E/ms/masks/{filename}_mask.png" "$E/ms/README.txt" && pass "metashape README: import template" ||
	fail "README: $(cat "$E/ms/README.txt")"
grep -q "cam04/cam04_0002.jpg: not masked" "$E/ms/README.txt" && pass "README lists what was left out" || fail "README lacks the left-out list"

# every photo is the session's original, every mask the session's mask of that photo
ok=1
for c in $MASKED; do for s in 1 2 3; do
	st=$(printf '%s_%04d' $c $s)
	[ "$(stat -c %i "$E/ms/images/$st.jpg")" = "$(stat -c %i "$S/$c/$st.jpg")" ] || { ok=0; echo "  $st.jpg not linked"; }
	cmp -s "$E/ms/masks/${st}_mask.png" "$S/$c/masks/$st.png" || { ok=0; echo "  ${st}_mask.png differs"; }
done; done
[ $ok = 1 ] && pass "metashape: each photo is its original (hard link), each mask its own" || fail "metashape files"

# --- realitycapture: NAME and NAME.mask.png, nothing else -------------------------
expect_status 0 "export realitycapture" -- "$P" export "$S" --for realitycapture --out "$E/rc"
same_tree "$E/rc" "$(printf 'README.txt\n'; names "$MASKED" "1 2 3" '%n
%n.mask.png')" "realitycapture tree exact (only photos, their masks, README.txt)"
cmp -s "$E/rc/cam03_0002.jpg.mask.png" "$S/cam03/masks/cam03_0002.png" && pass "rc mask is its photo's" || fail "rc mask differs"

# --- meshroom: images/NAME, masks/STEM.png ---------------------------------------
expect_status 0 "export meshroom" -- "$P" export "$S" --for meshroom --out "$E/mr"
same_tree "$E/mr" "$(printf 'README.txt\nimages\nmasks\n'; names "$MASKED" "1 2 3" 'images/%n
masks/%s.png')" "meshroom tree exact"
grep -qF "FeatureExtraction:masksFolder='$E/mr/masks'" "$E/mr/README.txt" && pass "meshroom README: masksFolder" || fail "meshroom README"

# --- --unmasked keep: cam04's shots with an all-keep mask of their size -----------
expect_status 0 "export --unmasked keep" -- "$P" export "$S" --for meshroom --out "$E/keep" --unmasked keep
expect_output "exported 12 photos" "12 photos"
same_tree "$E/keep" "$(printf 'README.txt\nimages\nmasks\n'; names "$ALL" "1 2 3" 'images/%n
masks/%s.png')" "meshroom tree with all 12"
[ "$("$PROBE" size "$E/keep/masks/cam04_0001.png")" = "$("$PROBE" size "$S/cam04/cam04_0001.jpg")" ] &&
	pass "all-keep mask has its photo's size" || fail "all-keep mask size"
read -r W H < <("$PROBE" size "$E/keep/masks/cam04_0001.png" | tr x ' ')
px=""; for xy in "0 0" "$((W / 2)) $((H / 2))" "$((W - 1)) $((H - 1))"; do px="$px$("$PROBE" pixel "$E/keep/masks/cam04_0001.png" $xy);"; done
[ "$px" = "255 255 255;255 255 255;255 255 255;" ] && pass "all-keep mask is 255" || fail "all-keep mask pixels: $px"

# --- --sets, --cameras, --copy -------------------------------------------------------
expect_status 0 "export --sets 2-3 --cameras cam01,cam03 --copy" -- \
	"$P" export "$S" --for colmap --out "$E/sub" --sets 2-3 --cameras cam01,cam03 --copy
same_tree "$E/sub" "$(printf 'README.txt\nimages\nmasks\nimages/cam01\nimages/cam03\nmasks/cam01\nmasks/cam03\n'; names "cam01 cam03" "2 3" 'images/%c/%n
masks/%c/%n.png')" "colmap subset tree exact"
[ "$(stat -c %i "$E/sub/images/cam01/cam01_0002.jpg")" != "$(stat -c %i "$S/cam01/cam01_0002.jpg")" ] &&
	cmp -s "$E/sub/images/cam01/cam01_0002.jpg" "$S/cam01/cam01_0002.jpg" &&
	pass "--copy: same bytes, own file" || fail "--copy made no copy"
expect_status 2 "--cameras with an unknown camera" -- "$P" export "$S" --for colmap --out "$E/x" --cameras cam09
expect_output "no camera 'cam09'" "names the unknown camera"
expect_status 2 "--sets 3-1 refused" -- "$P" export "$S" --for colmap --out "$E/x" --sets 3-1
expect_status 1 "nothing to export" -- "$P" export "$S" --for colmap --out "$E/x" --cameras cam04
[ ! -e "$E/x" ] && pass "no folder for a refused export" || fail "$E/x was made"

# --- re-run, atomicity -----------------------------------------------------------------
old=$(stat -c %i "$E/ms/README.txt")
expect_status 0 "export again over the earlier one" -- "$P" export "$S" --for metashape --out "$E/ms" --sets 1
same_tree "$E/ms" "$(printf 'README.txt\nimages\nmasks\n'; names "$MASKED" "1" 'images/%n
masks/%s_mask.png')" "re-run replaced the export whole (set 1 only)"
[ "$(stat -c %i "$E/ms/README.txt")" != "$old" ] && pass "new README" || fail "README not replaced"
before=$(tree "$E/ms")
mv "$S/cam02/masks/cam02_0003.png" "$TMP/aside.png"
expect_status 1 "export fails on a missing mask file" -- "$P" export "$S" --for metashape --out "$E/ms"
expect_output "cam02_0003.png" "names the missing file"
mv "$TMP/aside.png" "$S/cam02/masks/cam02_0003.png"
[ "$(tree "$E/ms")" = "$before" ] && pass "the earlier export is untouched by a failed one" || fail "earlier export changed"
[ -z "$(ls -A "$E" | grep '^\.')" ] && pass "no temporary folder left" || fail "left: $(ls -A "$E")"
mkdir -p "$E/mine"; echo keep >"$E/mine/notes.txt"
expect_status 1 "a folder that is not an export is refused" -- "$P" export "$S" --for colmap --out "$E/mine"
expect_output "not an earlier photorig export" "says why"
[ "$(cat "$E/mine/notes.txt")" = keep ] && pass "its files untouched" || fail "notes.txt changed"

# --- flat names must be unique ----------------------------------------------------
mkdir -p "$TMP/dup/a" "$TMP/dup/b"
cp "$S/cam01/cam01_0001.jpg" "$TMP/dup/a/x.jpg"; cp "$S/cam02/cam02_0001.jpg" "$TMP/dup/b/x.jpg"
mkdir -p "$TMP/dup/a/masks" "$TMP/dup/b/masks"
cp "$S/cam01/masks/cam01_0001.png" "$TMP/dup/a/masks/x.png"; cp "$S/cam02/masks/cam02_0001.png" "$TMP/dup/b/masks/x.png"
cat >"$TMP/dup/manifest.json" <<'J'
{"v": 1, "session": "dup", "sets": [{"set": 1, "complete": false, "shots": [
 {"camera": "a", "state": "saved", "file": "a/x.jpg", "mask": "written", "mask_files": ["a/masks/x.png"]},
 {"camera": "b", "state": "saved", "file": "b/x.jpg", "mask": "written", "mask_files": ["b/masks/x.png"]},
 {"camera": "c", "state": "missing", "mask": "none"}]}]}
J
expect_status 1 "two shots named x.jpg in a flat layout are refused" -- "$P" export "$TMP/dup" --for realitycapture --out "$E/dup"
expect_output "would both be x.jpg" "names the collision"
expect_status 0 "the same in COLMAP's folder per camera is fine" -- "$P" export "$TMP/dup" --for colmap --out "$E/dupc"
expect_status 1 "--incomplete skip leaves the incomplete set out" -- "$P" export "$TMP/dup" --for colmap --out "$E/dupi" --incomplete skip
finish
