# The operator key and the hardware trigger. Key: evdev events written to a
# FIFO that photorigd opens as its key device fire exactly one set per
# press: none on release, auto-repeat or a bounce. Trigger: with a serial
# trigger box (the ESPER simulator on a pty) a capture set pulses the box
# instead of firing the cameras: the exact bytes reach the box, the set
# completes, and the pulse time is in the journal and manifest.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/scan.inc"

# ev SEC USEC TYPE CODE VALUE: one struct input_event (64-bit)
events() {
	python3 -c '
import struct, sys
out = b""
for sec, code, value, usec in ((10, 28, 1, 0), (10, 28, 2, 300000), (10, 28, 2, 400000), (10, 28, 0, 500000),
                               (11, 28, 1, 0), (11, 28, 0, 20000), (11, 28, 1, 40000), (11, 28, 0, 60000),
                               (12, 30, 1, 0), (12, 30, 0, 100000),
                               (13, 28, 1, 0), (13, 28, 2, 500000), (13, 28, 0, 900000)):
    out += struct.pack("qqHHi", sec, usec, 1, code, value) + struct.pack("qqHHi", sec, usec, 0, 0, 0)
sys.stdout.buffer.write(out)'
}

rig_dir key
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" width 320; ini_set "camera $c" height 240; done
mkfifo "$RIG/pedal"
ini_set trigger key_device "$RIG/pedal"
ini_set trigger key_code 28
ini_set trigger key_action capture
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "session" -- pr session start pedal
S=$RIG/sessions/pedal
# 3 presses of key 28 (one with auto-repeat, one with a bounce 40 ms later),
# one press of another key, releases: 3 sets
events > "$RIG/pedal"
wait_for 30 sh -c "jq -e '.sets_finished >= 3' '$S/manifest.json' >/dev/null 2>&1" && pass "sets fired by the key" || fail "no sets from the key"
sleep 2
[ "$(jq '.sets_finished' "$S/manifest.json")" = 3 ] && pass "exactly one set per press (3), none on release, repeat, bounce or another key" ||
	fail "sets: $(jq '.sets_finished' "$S/manifest.json")"
[ "$(jq '.sets_complete' "$S/manifest.json")" = 3 ] && pass "all complete" || fail "incomplete"
daemon_stop

rig_dir box
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" width 320; ini_set "camera $c" height 240; done
ini_set trigger driver serialbox
ini_set trigger device "$RIG/serial"
sim_start esper || { fail "trigger box sim"; finish; exit 1; }
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "session" -- pr session start box
# no plates here: the shots are saved but not masked, capture's own status 3
expect_status 3 "a capture set through the trigger box" -- pr capture --count 2
expect_output 'set 2: complete' "both sets complete"
expect_output 'cam01: saved, NOT MASKED: no plate' "named as not masked"
S=$RIG/sessions/box
printf 'm0\ns111111\nf111111\nb0100\nF1\nS\nF0\nF1\nS\nF0\n' > "$TMP/box.want"
cmp -s "$RIG/transcript" "$TMP/box.want" && pass "the box got exactly: Simple Mode set-up, then F1 S F0 per set" ||
	fail "box bytes: $(od -c "$RIG/transcript" | head -5)"
[ "$(jq '[.sets[] | select(.fired_ns > 0)] | length' "$S/manifest.json")" = 2 ] && pass "manifest: pulse time of each set" || fail "no fired_ns"
[ "$(jq '[.sets[].shots[] | select(.trigger_ns > 0)] | length' "$S/manifest.json")" = 8 ] && pass "every file matched to its pulse" || fail "trigger_ns"
check_session "$S" && pass "journal, manifest and files agree" || fail "disagree"
daemon_stop
finish
