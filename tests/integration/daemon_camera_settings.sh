# Camera settings through photorigd on a 4-camera sim rig (the sim keeps
# iso, shutterspeed, aperture and whitebalance): `photorig camera NAME
# settings` lists each with its current and allowed values (the protocol's
# exact reply shape with --json); `camera NAME set` and `camera all set`
# print the value each camera reads back, and the list shows it after; a
# value the camera does not offer fails naming the allowed ones; a camera
# whose config has two bad set.* lines is offline with both named in one
# message; an unknown camera and a bad command line are refused.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
ini_set "camera cam02" set.iso 123
ini_set "camera cam02" set.bogus 1
ini_set "camera cam02" set.aperture 8
ini_set "camera cam03" set.iso 800
daemon_start || { fail "daemon start"; finish; exit 1; }
wait_for 20 sh -c "\"$P\" cameras --socket \"$SOCK\" | grep -q '^cam04 .* ready'" || fail "cam04 not ready"

# --- every bad set.* key of a camera at once ------------------------------------
expect_status 0 "cameras" -- pr cameras
expect_output 'camera cam02: 2 bad settings: set.iso = 123 is not a value the camera offers; allowed: 100, 200, 400, 800, 1600, 3200; set.bogus: no such setting' \
	"cam02's two bad settings named in one message"
expect_status 0 "photorigd -n still parses it (values are the camera's to judge)" -- "$D" -n -c "$RIG/photorig.ini"

# --- listing ----------------------------------------------------------------------
expect_status 0 "camera cam01 settings" -- pr camera cam01 settings
expect_output '^cam01:$' "names the camera"
expect_output '^  iso += 100 +ISO Speed \(radio\) choices: 100, 200, 400, 800, 1600, 3200$' "iso: current value, label, type, choices"
expect_output '^  whitebalance += Auto ' "whitebalance listed"
expect_status 0 "camera cam03 settings --json" -- pr camera cam03 settings --json
[ "$(printf '%s\n' "$OUT" | jq -c '.cameras[0] | {camera, s: .settings[0]}')" = \
  '{"camera":"cam03","s":{"key":"iso","label":"ISO Speed","type":"radio","value":"800","choices":["100","200","400","800","1600","3200"]}}' ] &&
	pass "--json: the protocol's reply shape, cam03's set.iso = 800 applied" || fail "--json: $OUT"
expect_status 1 "camera cam02 settings: cam02 is offline" -- pr camera cam02 settings
expect_output 'camera cam02 is not attached' "says why"
expect_status 1 "all settings: one camera offline fails the command" -- pr camera all settings --json
[ "$(printf '%s\n' "$OUT" | jq -r '[.cameras[] | select(.settings) | .camera] | join(",")')" = "cam01,cam03,cam04" ] &&
	pass "all: the attached cameras listed, in config order" || fail "all: $OUT"

# --- setting ----------------------------------------------------------------------
expect_status 0 "camera cam01 set iso 400" -- pr camera cam01 set iso 400
expect_output '^cam01: iso = 400$' "the value read back"
expect_status 0 "list after set" -- pr camera cam01 settings --json
[ "$(printf '%s\n' "$OUT" | jq -r '.cameras[0].settings[] | select(.key == "iso") | .value')" = 400 ] &&
	pass "cam01 keeps iso 400" || fail "cam01 iso: $OUT"
expect_status 1 "camera all set whitebalance daylight (cam02 offline)" -- pr camera all set whitebalance daylight
expect_output '^cam01: whitebalance = Daylight$' "cam01 took it (its own spelling read back)"
expect_output '^cam04: whitebalance = Daylight$' "cam04 took it"
expect_output '^cam02: FAILED: camera cam02 is not attached' "cam02 named as failed"
expect_status 0 "camera_set --json" -- pr camera cam04 set shutterspeed 1/500 --json
[ "$(printf '%s\n' "$OUT" | jq -c '.results')" = '[{"camera":"cam04","ok":true,"value":"1/500"}]' ] &&
	pass "--json: results with the value read back" || fail "--json: $OUT"
expect_status 1 "a value the camera does not offer" -- pr camera cam01 set iso 401
expect_output 'set.iso = 401 is not a value the camera offers; allowed: 100, 200, 400' "names the allowed values"
expect_status 1 "an unknown camera" -- pr camera cam99 settings
expect_output "no camera position 'cam99' \(the rig has: cam01 cam02 cam03 cam04\)" "names the rig's cameras"
expect_status 2 "a bad command line" -- pr camera cam01 set iso
expect_status 0 "camera --help" -- pr camera --help
expect_output 'camera NAME\|all set KEY VALUE' "help names both forms"

daemon_stop
[ "$DSTATUS" = 0 ] && pass "photorigd stopped cleanly" || fail "photorigd exit $DSTATUS"
finish
