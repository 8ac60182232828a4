# systemd/photorigd.service: hardened to an exposure of 2.0 or lower, and
# valid for systemd-analyze verify (with ExecStart pointing at this build).
. "$(dirname "$0")/lib.inc"
: "${PHOTORIGD_BIN:?}"
UNIT=$PHOTORIG_SOURCE/systemd/photorigd.service
if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze not installed: skipped"; exit 77
fi
expect_status 0 "systemd-analyze security" -- systemd-analyze security --offline=true "$UNIT"
SCORE=$(printf '%s\n' "$OUT" | sed -n 's/.*Overall exposure level for photorigd.service: \([0-9.]*\).*/\1/p')
if [ -n "$SCORE" ] && awk "BEGIN{exit !($SCORE <= 2.0)}"; then pass "exposure $SCORE <= 2.0"; else fail "exposure '$SCORE'"; fi
: "${PHOTORIG_BIN:?}"
sed "s|/usr/sbin/photorigd|$PHOTORIGD_BIN|; s|/usr/bin/photorig |$PHOTORIG_BIN |" "$UNIT" > "$TMP/photorigd.service"
# --man=no: the man pages the unit names are not installed from a build tree
# (tests/system/deb.sh verifies the installed unit with them)
expect_status 0 "systemd-analyze verify" -- systemd-analyze verify --man=no "$TMP/photorigd.service"
for k in Type=notify WatchdogSec= User=photorig RuntimeDirectory=photorig StateDirectory=photorig DeviceAllow=char-usb_device; do
	grep -q "^$k" "$UNIT" && pass "unit has $k" || fail "unit lacks $k"
done
# a minimal system has no kill(1): the reload is the client's, which waits
# for the daemon's answer
grep -q '^ExecReload=/usr/bin/photorig reload$' "$UNIT" && pass "ExecReload runs photorig reload" ||
	fail "ExecReload: $(grep ExecReload "$UNIT")"
grep -q '^ExecReload=.*kill' "$UNIT" && fail "ExecReload still needs kill(1)"
grep -q 'ID_USB_INTERFACES}=="\*:060101:\*".*GROUP="photorig".*ENV{ID_GPHOTO2}=""' "$PHOTORIG_SOURCE/systemd/60-photorig.rules" &&
	pass "udev: PTP cameras to group photorig, hidden from gvfs" || fail "udev rule"
finish
