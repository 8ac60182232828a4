# RAW+JPEG from a camera to a photogrammetry tool: a simulated PTP/IP
# camera serving RAW+JPEG pairs (photorig-ptpip-sim --raw-jpeg: each capture
# writes IMG_NNNN.JPG and a valid IMG_NNNN.DNG at 3/2 of its size), driven
# by photorigd through the real libgphoto2. Each shot's JPEG is masked and
# its DNG saved beside it as the shot's extra file, byte-identical to what
# the camera served; photorig export --image raw then hands the DNGs over
# with masks named for them and of the size libraw develops them to.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/gphoto2.inc"
PROBE=$PHOTORIG_BUILD/tests/img_probe
RAWP=$PHOTORIG_BUILD/tests/raw_probe
for x in "$PROBE" "$RAWP"; do
	[ -x "$x" ] || { echo "no $x: build the img_probe and raw_probe targets"; exit 1; }
done

make_scene RJ-5005 21 || { fail "scene"; finish; exit 1; }
sim_start 0 127.0.0.51 0 RJ-5005 --raw-jpeg || { fail "simulator"; finish; exit 1; }
gphoto2_rig rig "cam01=RJ-5005@127.0.0.51:${SIMPORT[0]}"
daemon_start || { fail "daemon start"; finish; exit 1; }
wait_for 30 sh -c "\"$P\" status --socket \"$SOCK\" | grep -q '1/1 cameras attached'" &&
	pass "the RAW+JPEG camera attached" || fail "not attached: $(pr cameras)"
expect_status 0 "plate through the camera" -- pr plate --frames 3
expect_status 0 "session start" -- pr session start rawjpeg
expect_status 0 "2 capture sets" -- pr capture --count 2
S=$RIG/sessions/rawjpeg
settled() { [ "$(jq '[.sets[].shots[] | select(.mask == "written")] | length' "$S/manifest.json" 2>/dev/null)" = 2 ]; }
wait_for 60 settled || fail "masks: $(jq -c '[.sets[].shots[] | .mask]' "$S/manifest.json")"
daemon_stop

ok=1
for s in 1 2; do
	jpg=$(jq -r --argjson s $s '.sets[] | select(.set == $s) | .shots[0].file' "$S/manifest.json")
	raw=$(jq -r --argjson s $s '.sets[] | select(.set == $s) | .shots[0].extra_files[0].file // ""' "$S/manifest.json")
	case "$jpg,$raw" in
	*.jpg,*.dng) ;;
	*) ok=0; echo "  set $s: file '$jpg', extra '$raw'"; continue;;
	esac
	served=$(md5sum "$TMP/served-RJ-5005"/*.DNG | awk '{print $1}')
	printf '%s\n' "$served" | grep -qx "$(md5sum <"$S/$raw" | awk '{print $1}')" ||
		{ ok=0; echo "  $raw: not a DNG the camera served"; }
	read -r jw jh < <("$PROBE" size "$S/$jpg" | tr x ' ')
	[ "$("$RAWP" "$S/$raw")" = "$(((jw * 3 / 2) & ~1))x$(((jh * 3 / 2) & ~1))" ] ||
		{ ok=0; echo "  $raw: libraw reads '$("$RAWP" "$S/$raw" 2>&1)', JPEG ${jw}x${jh}"; }
done
[ $ok = 1 ] && pass "each shot: the JPEG masked, the camera's DNG its extra file, libraw reads it at 3/2 of the JPEG" ||
	fail "RAW+JPEG shots"
if check_session "$S"; then pass "journal, manifest and files agree"; else fail "journal, manifest and files disagree"; fi

E=$TMP/exp
for tool in realitycapture colmap; do
	expect_status 0 "export --image raw for $tool" -- "$P" export "$S" --for "$tool" --out "$E/$tool" --image raw
	expect_output "exported 2 photos" "$tool: 2 RAW photos"
done
ok=1
for s in 1 2; do
	st=$(printf 'cam01_%04d' $s)
	for m in "$E/realitycapture/$st.dng.mask.png" "$E/colmap/masks/cam01/$st.dng.png"; do
		[ "$("$PROBE" size "$m" 2>&1)" = "$("$RAWP" "$S/cam01/$st.dng")" ] ||
			{ ok=0; echo "  $m: $("$PROBE" size "$m" 2>&1), libraw: $("$RAWP" "$S/cam01/$st.dng")"; }
	done
	[ "$(stat -c %i "$E/colmap/images/cam01/$st.dng")" = "$(stat -c %i "$S/cam01/$st.dng")" ] ||
		{ ok=0; echo "  images/cam01/$st.dng: not the session's DNG"; }
done
[ $ok = 1 ] && pass "RAW masks named for the DNGs, of the size libraw develops them to" || fail "RAW masks"
finish
