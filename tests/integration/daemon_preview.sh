# Preview frames (the operator page's framing and focusing aid) through the
# protocol: {"op":"preview","camera":NAME} on sim cameras, and on a
# simulated PTP/IP camera through the real libgphoto2. A preview is a
# decodable JPEG with a sharpness score; with a plate, the mask the frame
# would get (its foreground close to a real shot's); it is never stored:
# the session and the state folder are the same before and after.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

preview() { sock_request "$(printf '{"v":1,"id":7,"op":"preview","camera":"%s"}' "$1")"; }
files() { find "$RIG/sessions" "$RIG/state" -type f -printf '%p %s\n' | sort; }

rig_dir rig
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" width 640; ini_set "camera $c" height 480; done
daemon_start || { fail "daemon start"; finish; exit 1; }
OUT=$(preview cam02)
printf '%s' "$OUT" | jq -e '.ok and .camera == "cam02" and .width == 640 and .height == 480 and .sharpness > 0' >/dev/null &&
	pass "a preview of cam02: 640x480, sharpness $(printf '%s' "$OUT" | jq .sharpness)" ||
	fail "preview: $(printf '%s' "$OUT" | jq -c 'del(.jpeg)')"
printf '%s' "$OUT" | jq -r .jpeg | base64 -d > "$TMP/p.jpg"
file "$TMP/p.jpg" | grep -q 'JPEG image data.* 640x480' && pass "the frame is a 640x480 JPEG" ||
	fail "frame: $(file "$TMP/p.jpg")"
printf '%s' "$OUT" | jq -e '(.mask_png == null) and (.mask_note | test("no plate"))' >/dev/null &&
	pass "no plate yet: no mask, and the page is told why" || fail "mask without a plate"

expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start pv
expect_status 0 "a set" -- pr capture
# the set's contact sheet is written after the set, by its own thread
wait_for 30 grep -q sheet_written "$RIG/sessions/pv/journal.jsonl" || fail "no contact sheet"
before=$(files)
OUT=$(preview cam02)
printf '%s' "$OUT" | jq -r .mask_png | base64 -d > "$TMP/m.png"
file "$TMP/m.png" | grep -q 'PNG image data, 640 x 480, 8-bit grayscale' && pass "with a plate: the mask as a PNG" ||
	fail "mask: $(printf '%s' "$OUT" | jq -c 'del(.jpeg, .mask_png)')"
fg=$(printf '%s' "$OUT" | jq .foreground)
shot=$(jq '.sets[0].shots[] | select(.camera == "cam02") | .mask_stats.foreground' "$RIG/sessions/pv/manifest.json")
awk "BEGIN { d = $fg - $shot; exit !(d < 0.01 && d > -0.01 && $fg > 0.01) }" &&
	pass "the preview's mask falls where the shot's did (foreground $fg, the shot's $shot)" ||
	fail "foreground $fg, the shot's $shot"
a=$(preview cam01 | jq -r .jpeg | md5sum); b=$(preview cam01 | jq -r .jpeg | md5sum)
[ "$a" != "$b" ] && pass "each preview is a fresh frame" || fail "the same frame twice"
sleep 0.5
[ "$(files)" = "$before" ] && pass "previews are never stored (session and state unchanged)" ||
	fail "files changed: $(diff <(echo "$before") <(files))"
OUT=$(preview nocam)
printf '%s' "$OUT" | jq -e '.ok == false and (.error | test("no camera position .nocam."))' >/dev/null &&
	pass "an unknown camera is named" || fail "unknown camera: $OUT"
daemon_stop

# gphoto2: the real libgphoto2 asks the PTP/IP camera for a live-view frame
if [ -n "${PTPIP_SIM_BIN:-}" ]; then
	. "$(dirname "$0")/gphoto2.inc"
	sim_start 0 127.0.0.71 0 GPV-7001 || { fail "PTP/IP simulator"; finish; exit 1; }
	gphoto2_rig gp "cam01=GPV-7001@127.0.0.71:${SIMPORT[0]}"
	daemon_start || { fail "daemon start (gphoto2)"; finish; exit 1; }
	wait_for 30 sh -c "\"$P\" cameras --socket \"$SOCK\" | grep -q '^cam01 .* ready'" || fail "cam01: $(pr cameras)"
	OUT=$(preview cam01)
	echo "  gphoto2 preview: $(printf '%s' "$OUT" | jq -c 'del(.jpeg, .mask_png)')"
	if printf '%s' "$OUT" | jq -e '.ok' >/dev/null; then
		pass "gphoto2: a preview frame through libgphoto2"
	else
		printf '%s' "$OUT" | jq -e '.error | test("cam01")' >/dev/null &&
			pass "gphoto2: the camera's refusal is said in words" || fail "gphoto2 preview: $OUT"
	fi
	expect_status 0 "the camera still captures after a preview" -- pr session start g1
	pr capture >/dev/null 2>&1
	jq -e '.sets[0].shots[0].state == "saved"' "$RIG/sessions/g1/manifest.json" >/dev/null &&
		pass "gphoto2: a set after the preview is saved" || fail "no shot after the preview"
	daemon_stop
fi
finish
