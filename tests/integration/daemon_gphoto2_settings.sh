# Camera settings of a gphoto2 camera: a simulated PTP/IP camera driven
# through the real libgphoto2. `photorig camera NAME settings` walks the
# camera's widget tree (as gphoto2 --list-config / --get-config do): iso with
# its current value and the camera's choices; `camera NAME set iso 400` reads
# 400 back from the camera, and the camera keeps it; a value it does not
# offer names the allowed ones. A second position whose config has two bad
# set.* lines is offline with both named in one message.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/gphoto2.inc"

sim_start 0 127.0.0.61 0 GPS-6001 || { fail "simulator 0"; finish; exit 1; }
sim_start 1 127.0.0.62 0 GPS-6002 || { fail "simulator 1"; finish; exit 1; }
gphoto2_rig rig "cam01=GPS-6001@127.0.0.61:${SIMPORT[0]} cam02=GPS-6002@127.0.0.62:${SIMPORT[1]}"
ini_set "camera cam02" set.iso 250
ini_set "camera cam02" set.nosuchsetting 1
daemon_start || { fail "daemon start"; finish; exit 1; }
wait_for 30 sh -c "\"$P\" cameras --socket \"$SOCK\" | grep -q '^cam01 .* ready'" &&
	pass "cam01 attached" || fail "cam01: $(pr cameras)"
wait_for 30 sh -c "\"$P\" cameras --socket \"$SOCK\" | grep -q '2 bad settings'" &&
	pass "cam02: its two bad settings named at once" || fail "cam02: $(pr cameras)"
expect_status 0 "cameras" -- pr cameras
expect_output 'set.iso = 250 is not a value the camera offers; allowed: 100, 200, 400, 800, 1600, 3200' "the bad value with the allowed ones"
expect_output "set.nosuchsetting: the camera \(.*\) has no setting 'nosuchsetting'" "the unknown key in the same message"

expect_status 0 "camera cam01 settings" -- pr camera cam01 settings --json
iso=$(printf '%s\n' "$OUT" | jq -c '.cameras[0].settings[] | select(.key == "iso") | {type, value, choices}')
[ "$iso" = '{"type":"radio","value":"100","choices":["100","200","400","800","1600","3200"]}' ] &&
	pass "iso from the widget tree: radio, 100, the camera's choices" || fail "iso: $iso"
n=$(printf '%s\n' "$OUT" | jq '.cameras[0].settings | length')
[ "$n" -ge 5 ] && pass "$n settings listed" || fail "only $n settings"
printf '%s\n' "$OUT" | jq -e '.cameras[0].settings[] | select(.key == "serialnumber" and .value == "GPS-6001")' >/dev/null &&
	pass "read-only status widgets too (serialnumber GPS-6001)" || fail "no serialnumber"
expect_status 0 "camera cam01 set iso 400" -- pr camera cam01 set iso 400
expect_output '^cam01: iso = 400$' "the camera reads back 400"
expect_status 0 "list after set" -- pr camera cam01 settings --json
[ "$(printf '%s\n' "$OUT" | jq -r '.cameras[0].settings[] | select(.key == "iso") | .value')" = 400 ] &&
	pass "the camera keeps iso 400" || fail "iso after set"
expect_status 1 "iso 250 is refused" -- pr camera cam01 set iso 250
expect_output 'allowed: 100, 200, 400, 800, 1600, 3200' "with the allowed values"
expect_status 1 "a key the camera does not have" -- pr camera cam01 set nosuchsetting 1
expect_output "has no setting 'nosuchsetting'" "says so"
expect_status 0 "a capture still works after" -- pr session start s1
expect_status 1 "capture (cam02 offline: incomplete)" -- pr capture
expect_output 'set 1: INCOMPLETE, missing: cam02' "the set ran without cam02"
expect_output 'cam01: saved, NOT MASKED: no plate' "cam01's shot saved, not masked"

daemon_stop
finish
