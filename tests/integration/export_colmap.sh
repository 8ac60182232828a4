# photorig export --for colmap, checked by the real COLMAP: photorigd on the
# 4-camera sim rig records plates and shoots 3 sets; the export (found by
# the session's name through the daemon) is fed to `colmap
# feature_extractor` with --ImageReader.mask_path, and its database (read
# with libsqlite3 by colmap_db_probe) must hold exactly 12 images in 4
# cameras, every image with its mask and keypoints, and no keypoint where
# its mask is 0. The same export without mask_path must have keypoints on
# the background of every image, so that the check can fail.
# Skipped (77) only when colmap is not installed (tools/setup-debian.sh
# installs it).
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
: "${PHOTORIG_BUILD:?PHOTORIG_BUILD must name the build tree}"
if ! command -v colmap >/dev/null; then
	echo "SKIP: colmap is not installed (Debian package colmap; tools/setup-debian.sh installs it)"
	exit 77
fi
PROBE=$PHOTORIG_BUILD/tests/colmap_db_probe
[ -x "$PROBE" ] || { echo "no $PROBE: build the colmap_db_probe target (needs libsqlite3-dev)"; exit 1; }
export QT_QPA_PLATFORM=offscreen

rig_dir rig
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates recorded" -- pr plate --frames 3
expect_status 0 "session start" -- pr session start vase
expect_status 0 "three capture sets" -- pr capture --count 3
S=$RIG/sessions/vase
masked() { [ "$(jq '[.sets[].shots[] | select(.mask == "written")] | length' "$S/manifest.json" 2>/dev/null)" = 12 ]; }
wait_for 60 masked && pass "12 shots masked" || fail "not 12 masked shots: $(jq -c '[.sets[].shots[] | .mask]' "$S/manifest.json")"

E=$TMP/export/colmap
mkdir -p "$TMP/export"
expect_status 0 "export by session name, through the daemon" -- \
	"$P" export vase --for colmap --out "$E" --socket "$SOCK"
expect_output "exported 12 photos with masks for colmap into $E" "12 photos exported"
daemon_stop

# --- the tree: images/CAMERA/NAME, masks/CAMERA/NAME.png, nothing else --------
want=$(for c in cam01 cam02 cam03 cam04; do for s in 1 2 3; do
	n=$(printf '%s_%04d.jpg' $c $s); echo "images/$c/$n"; echo "masks/$c/$n.png"; done; done; echo README.txt)
got=$(cd "$E" && find . -type f | sed 's|^\./||')
[ "$(sort <<<"$want")" = "$(sort <<<"$got")" ] && pass "exactly images/CAM/NAME, masks/CAM/NAME.png and README.txt" ||
	fail "tree differs: $(diff <(sort <<<"$want") <(sort <<<"$got") | tr '\n' ' ')"
[ "$(stat -c %i "$E/images/cam02/cam02_0003.jpg")" = "$(stat -c %i "$S/cam02/cam02_0003.jpg")" ] &&
	pass "photos are hard links to the session's originals" || fail "photo is not a hard link"
cmp -s "$E/masks/cam02/cam02_0003.jpg.png" "$S/cam02/masks/cam02_0003.png" &&
	pass "masks are the session's masks" || fail "mask differs from the session's"
grep -qF -- "--ImageReader.mask_path '$E/masks'" "$E/README.txt" &&
	grep -qF -- "--ImageReader.single_camera_per_folder 1" "$E/README.txt" &&
	pass "README.txt gives the feature_extractor command" || fail "README.txt: $(cat "$E/README.txt")"

# --- COLMAP itself, with the README's options (headless, no GPU) ---------------
extract() { # DB [mask options...]
	local db=$1; shift
	colmap feature_extractor --database_path "$db" --image_path "$E/images" \
		--ImageReader.single_camera_per_folder 1 --SiftExtraction.use_gpu 0 \
		--SiftExtraction.num_threads 2 "$@" >"$db.log" 2>&1
}
if extract "$TMP/masked.db" --ImageReader.mask_path "$E/masks"; then pass "colmap feature_extractor with mask_path"
else fail "colmap feature_extractor failed: $(tail -5 "$TMP/masked.db.log")"; fi
if extract "$TMP/plain.db"; then pass "colmap feature_extractor without mask_path"
else fail "colmap feature_extractor (no masks) failed: $(tail -5 "$TMP/plain.db.log")"; fi

"$PROBE" "$TMP/masked.db" "$E/masks" >"$TMP/masked.txt" || fail "masked database not read"
"$PROBE" "$TMP/plain.db" "$E/masks" >"$TMP/plain.txt" || fail "plain database not read"
cat "$TMP/masked.txt"
[ "$(sed -n 1p "$TMP/masked.txt")" = "cameras 4" ] && pass "4 COLMAP cameras" || fail "$(sed -n 1p "$TMP/masked.txt")"
[ "$(sed 1d "$TMP/masked.txt" | wc -l)" = 12 ] && pass "exactly 12 images" || fail "$(sed 1d "$TMP/masked.txt" | wc -l) images"
# one camera per camera position: every image of a folder on its folder's camera
[ "$(sed 1d "$TMP/masked.txt" | awk '{split($1, p, "/"); print p[1], $2}' | sort -u | wc -l)" = 4 ] &&
	[ "$(sed 1d "$TMP/masked.txt" | awk '{print $2}' | sort -u | wc -l)" = 4 ] &&
	pass "each camera position is one COLMAP camera" || fail "cameras and folders do not pair one to one"
[ "$(sed 1d "$TMP/masked.txt" | awk '$5 == "mask"' | wc -l)" = 12 ] &&
	pass "every image has its mask at mask_path/REL.png" || fail "images without a mask"
[ "$(sed 1d "$TMP/masked.txt" | awk '$3 > 0' | wc -l)" = 12 ] &&
	pass "every image has keypoints (on the object)" || fail "an image without keypoints"
bad=$(sed 1d "$TMP/masked.txt" | awk '$4 != 0 {print $1 ": " $4}')
[ -z "$bad" ] && pass "no keypoint lies where its mask is 0" || fail "keypoints on masked-out pixels: $bad"
# the check can fail: unmasked, every image has keypoints on the background
cat "$TMP/plain.txt"
[ "$(sed 1d "$TMP/plain.txt" | awk '$4 > 0' | wc -l)" = 12 ] &&
	pass "without mask_path every image has keypoints on the background" ||
	fail "without masks some image has no background keypoint: $(cat "$TMP/plain.txt")"
finish
