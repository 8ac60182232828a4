# photorigd -n: every shipped config is printed normalised (as the expected
# files say, and the output parses again to the same); a broken config exits
# 1 with file:line messages; and a daemon refuses a socket another one holds.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

CFG=$PHOTORIG_SOURCE/config
for name in demo rig turntable; do
	expect_status 0 "photorigd -n $name.ini" -- "$D" -n -c "$CFG/$name.ini"
	sed "s|@CONFIG_DIR@|$CFG|g" "$PHOTORIG_SOURCE/tests/config/$name.expected" > "$TMP/$name.want"
	if [ "$OUT" = "$(cat "$TMP/$name.want")" ]; then pass "$name: normalised output as expected"
	else fail "$name: output differs: $(diff <(printf '%s\n' "$OUT") "$TMP/$name.want" | head -5)"; fi
	printf '%s\n' "$OUT" > "$TMP/$name.norm.ini"
	expect_status 0 "$name: the normalised output parses again" -- "$D" -n -c "$TMP/$name.norm.ini"
	[ "$OUT" = "$(cat "$TMP/$name.want")" ] && pass "$name: and prints the same" || fail "$name: second print differs"
done

printf '[daemon]\nsocket = run/s.sock\nworker_threads = 500\n\n[rig]\nfile_template = {camera}\n\n[camera a]\ndriver = nikon\n' > "$TMP/bad.ini"
expect_status 1 "photorigd -n on a broken config" -- "$D" -n -c "$TMP/bad.ini"
expect_output "bad.ini:3: .*worker_threads" "names file:line and key of the range error"
expect_output "bad.ini:9: .*driver" "names file:line of the unknown driver"
expect_output "bad.ini:6: .*file_template" "names file:line of the template error"
expect_status 1 "a missing config" -- "$D" -n -c "$TMP/nope.ini"
expect_output "nope.ini" "names the file"
expect_status 1 "the daemon does not start on a broken config" -- "$D" -c "$TMP/bad.ini"
expect_status 2 "unknown option" -- "$D" --frobnicate
expect_status 0 "help" -- "$D" --help

# a second daemon on the same socket is refused before touching any camera
rig_dir rig
daemon_start || fail "first daemon"
expect_status 1 "a second daemon on the same socket" -- "$D" -c "$RIG/photorig.ini"
expect_output "another photorigd is already listening on $SOCK" "says why"
expect_status 0 "the first one still serves" -- pr status

# a camera that cannot be attached (its device is missing here, or its
# driver is not compiled in) is offline and says why, and the rest works
rig_dir v4l
printf '\n[camera usb]\ndriver = v4l2\ndevice = /dev/video0\n' > "$TMP/v4l.add"
awk -v add="$(cat "$TMP/v4l.add")" '/^\[turntable\]/ { print add; print "" } { print }' "$RIG/photorig.ini" > "$TMP/v4l.ini"
cp "$TMP/v4l.ini" "$RIG/photorig.ini"
FIRST=$DPID
daemon_start || fail "daemon with a v4l2 camera"
expect_status 0 "cameras" -- pr cameras
expect_output "usb +v4l2 +offline" "the v4l2 camera is offline"
expect_output "(/dev/video0 is not there|driver 'v4l2' is not compiled in: rebuild photorig with -DPHOTORIG_WITH_V4L2=ON)" "and says why"
expect_output "cam01 +sim +ready" "the other cameras are ready"
daemon_stop
DPID=$FIRST
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "exit status $DSTATUS"
finish
