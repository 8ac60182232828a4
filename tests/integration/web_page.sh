# The operator page in a real browser: Debian's chromium, headless, driven
# by chromedriver (tests/web/page_test.py) on a 4-camera sim rig, one of
# whose cameras shoots 3 stops over its plate (its shots are suspect). Screenshots
# at 1280x800 and 768x1024 are kept in the build folder's
# tests/web_page/ (with chromedriver's log).
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/web.inc"

for tool in chromium chromedriver curl python3; do
	command -v "$tool" >/dev/null || { fail "$tool is not installed (tools/setup-debian.sh)"; finish; exit 1; }
done
web_rig rig
# cam04 exposes its shots 3 stops over its plate: they are suspect (mostly clipped)
ini_set "camera cam04" scene "ev=3"
daemon_start || { fail "daemon start"; finish; exit 1; }
web_wait_up || { fail "the page is not served"; cat "$RIG/daemon.log"; finish; exit 1; }
grep -q "web: the operator page is at http://127.0.0.1:$WPORT/" "$RIG/daemon.log" &&
	pass "photorigd says where the page is" || fail "no page line in the log"
ART=${PHOTORIG_BUILD:-$TMP}/tests/web_page
rm -rf "$ART"
mkdir -p "$ART"
if python3 "$PHOTORIG_SOURCE/tests/web/page_test.py" "$URL" "$PASSWORD" "$ART" "$TMP/profile"; then
	pass "browser test"
else
	fail "browser test (see above; screenshots and logs in $ART)"
	tail -20 "$RIG/daemon.log"
fi
ls "$ART"/page-1280x800.png "$ART"/page-768x1024.png >/dev/null 2>&1 &&
	pass "screenshots kept in $ART" || fail "screenshots missing"
isos=""
for c in cam01 cam02 cam03 cam04; do
	isos="$isos $(pr camera "$c" settings --json | jq -r '.cameras[0].settings[] | select(.key == "iso") | .value')"
done
[ "$isos" = " 400 400 400 400" ] && pass "photorig reads iso 400 back from every camera after the page's change" ||
	fail "iso after the page set 400 on all:$isos"
S=$RIG/sessions/web-1
wait_for 60 sh -c "jq -e '.sets_finished == 5' '$S/manifest.json' >/dev/null" &&
	pass "the page's capture and 4-step scan are in the session's manifest" ||
	fail "manifest: $(jq -c '.sets_finished' "$S/manifest.json" 2>&1)"
daemon_stop && [ "$DSTATUS" -eq 0 ] && pass "photorigd stops cleanly with the page open" ||
	fail "stop: status $DSTATUS"
finish
