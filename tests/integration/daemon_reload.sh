# SIGHUP and `photorig reload`: a broken config is refused and the running
# one kept (the reason logged with file:line); a valid one is applied,
# re-attaching the cameras when they changed.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" width 320; ini_set "camera $c" height 240; done
daemon_start || { fail "daemon start"; finish; exit 1; }
cp "$RIG/photorig.ini" "$TMP/good.ini"

# broken: an unknown key and a value out of range
ini_set rig bogus_key 1
ini_set rig plate_frames 1000
kill -HUP "$DPID"
if wait_for 10 grep -q 'is not valid; the running config is kept' "$RIG/daemon.log"; then
	pass "SIGHUP with a broken config: refused"; else fail "no refusal logged"; fi
grep -qE 'photorig.ini:[0-9]+.*bogus_key' "$RIG/daemon.log" && pass "the log names file:line and the key" || fail "log lacks file:line: $(cat "$RIG/daemon.log")"
expect_status 0 "still serving" -- pr status
expect_output 'rig demo: 4/4 cameras' "old config kept"
expect_status 1 "photorig reload with a broken config" -- pr reload
expect_output 'photorig reload: config not reloaded \(the running one is kept\): .*photorig.ini:[0-9]+' "reload says why, with file:line"
expect_status 0 "plates on the old config" -- pr plate --frames 1

# valid: a new rig name and tolerance; cameras unchanged, so plates still fit
cp "$TMP/good.ini" "$RIG/photorig.ini"
ini_set rig name renamed
ini_set rig tolerance 7
kill -HUP "$DPID"
if wait_for 10 sh -c "'$P' status --socket '$SOCK' | grep -q 'rig renamed'"; then
	pass "SIGHUP with a valid config: applied"; else fail "new rig name not applied"; fi
expect_status 0 "status" -- pr status
expect_output 'cam01 +plate [0-9a-f]{16}' "plates kept across the reload"

# cameras changed: one more position, attached by the reload
printf '\n[camera cam05]\ndriver = sim\nseed = 505\nwidth = 320\nheight = 240\n' > "$TMP/cam05"
awk -v add="$(cat "$TMP/cam05")" '/^\[turntable\]/ { print add; print "" } { print }' "$RIG/photorig.ini" > "$TMP/new.ini"
cp "$TMP/new.ini" "$RIG/photorig.ini"
expect_status 0 "photorig reload with a new camera" -- pr reload
expect_output 'config reloaded: rig renamed' "reload confirmed"
if wait_for 10 sh -c "'$P' cameras --socket '$SOCK' | grep -qE 'cam05 +sim +ready'"; then
	pass "cam05 attached by the reload"; else fail "cam05 not attached: $("$P" cameras --socket "$SOCK")"; fi
expect_status 0 "session" -- pr session start after-reload
expect_status 3 "capture: cam05 has no plate: its shot is saved, unmasked (exit 3)" -- pr capture
expect_output 'cam05: saved, NOT MASKED: no plate' "capture names cam05 as not masked"
expect_status 0 "plate for cam05 only" -- pr plate --camera cam05 --frames 1
expect_status 0 "capture with 5 cameras" -- pr capture
[ -s "$RIG/sessions/after-reload/cam05/cam05_0002.jpg" ] && pass "cam05 file written" || fail "no cam05 file"
[ "$(jq -r '.sets[0].shots[4].mask' "$RIG/sessions/after-reload/manifest.json")" = skipped ] &&
	pass "the shot without a plate is recorded as not masked" || fail "unmasked shot not recorded"
[ "$(jq -r '.sets[0].complete' "$RIG/sessions/after-reload/manifest.json")" = true ] &&
	pass "its set is still complete (every file saved)" || fail "set 1 should be complete"

daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "exit status $DSTATUS"
finish
