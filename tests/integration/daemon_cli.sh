# The client's habits on a 4-camera sim rig: global options before or after
# the command; -c FILE finds the socket in photorigd's config; "did you
# mean" for a mistyped command; every command's --help; `watch` reconnects
# after photorigd restarts and says so; `capture --count 3` prints each set
# as it ends (set 1 before the capture is over); `photorig sheet NAME` finds
# the session by its name; a capture with no camera attached is refused,
# naming each camera's state, and uses no set number.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
ini_set "camera cam01" latency_ms 1500 # each set takes 1.5 s at least
daemon_start || { fail "daemon start"; finish; exit 1; }

# --- global options anywhere, -c FILE -----------------------------------------
expect_status 0 "photorig --socket PATH status" -- "$P" --socket "$SOCK" status
expect_output '^rig demo: ' "status answered"
expect_status 0 "photorig --json --socket PATH status" -- "$P" --json --socket "$SOCK" status
[ "$(printf '%s\n' "$OUT" | jq -r .rig)" = demo ] && pass "--json before the command" || fail "--json: $OUT"
expect_status 0 "photorig status --socket PATH --json" -- "$P" status --socket "$SOCK" --json
[ "$(printf '%s\n' "$OUT" | jq -r .rig)" = demo ] && pass "options after the command" || fail "after: $OUT"
expect_status 0 "photorig -c CONFIG status" -- "$P" -c "$RIG/photorig.ini" status
expect_output '^rig demo: ' "-c before the command: the socket from the daemon's config"
expect_status 0 "photorig cameras --config CONFIG" -- "$P" cameras --config "$RIG/photorig.ini"
expect_output '^cam04 ' "--config after the command"
(cd / && "$P" status -c "${RIG#/}" >/dev/null 2>&1) && fail "a relative -c from / found the rig" ||
	pass "-c takes a file path (relative to the current folder)"
expect_status 2 "-c with a file that is no config" -- "$P" -c /etc/hostname status
expect_output 'not a valid photorigd config' "says so"

# --- did you mean, help ---------------------------------------------------------
expect_status 2 "a mistyped command" -- "$P" stauts
expect_output "unknown command 'stauts': did you mean 'status'\?" "did you mean 'status'"
expect_status 2 "another" -- "$P" --socket "$SOCK" captur --count 2
expect_output "did you mean 'capture'\?" "did you mean 'capture'"
printf '[daemon]\nstate_dir = s\n[rig]\nplate_frams = 3\n' > "$TMP/typo.ini"
expect_status 1 "photorigd -n with a mistyped key" -- "$D" -n -c "$TMP/typo.ini"
expect_output "plate_frams: unknown key: did you mean 'plate_frames'\?" "photorigd -n: did you mean"
for c in status cameras camera detect plate capture session scan watch reload raw bench sheet mask eval scene; do
	OUT=$("$P" "$c" --help 2>&1); st=$?
	[ "$st" = 0 ] && printf '%s\n' "$OUT" | grep -q "^usage: photorig $c" && pass "$c --help" ||
		fail "$c --help: exit $st: $(printf '%s\n' "$OUT" | head -2)"
done
"$P" bench --help | grep -q -- '--rig' && pass "bench --help mentions --rig" || fail "bench --help lacks --rig"
OUT=$("$P" watch --help)
printf '%s\n' "$OUT" | grep -q -- '--socket PATH' && printf '%s\n' "$OUT" | grep -q -- '--json' &&
	printf '%s\n' "$OUT" | grep -q -- '--no-reconnect' && pass "watch --help lists its options" ||
	fail "watch --help: $OUT"
"$P" --help | grep -q -- '-c FILE' && pass "photorig --help names the global options" || fail "no global options"

# --- watch reconnects after a restart -------------------------------------------
"$P" watch --socket "$SOCK" > "$TMP/watch.out" 2>&1 &
WPID=$!
sleep 0.5
daemon_stop
daemon_start || { fail "daemon restart"; finish; exit 1; }
wait_for 20 grep -q 'reconnected to photorigd' "$TMP/watch.out" &&
	pass "watch reconnected after the restart" || fail "watch: $(cat "$TMP/watch.out")"
grep -q 'photorigd went away; trying to reconnect' "$TMP/watch.out" && pass "and said so first" ||
	fail "watch did not say it lost photorigd"
kill -0 "$WPID" 2>/dev/null && pass "watch is still running" || fail "watch exited"

# --- capture --count prints each set as it ends --------------------------------
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start habits
pr capture --count 3 > "$TMP/cap.out" 2>&1 &
CPID=$!
wait_for 30 grep -q '^set 1: complete' "$TMP/cap.out" || fail "no set 1 line"
kill -0 "$CPID" 2>/dev/null && pass "set 1 printed while the capture goes on" ||
	fail "set 1 appeared only at the end: $(cat "$TMP/cap.out")"
wait "$CPID"; st=$?
[ "$st" = 0 ] && pass "capture --count 3 exit 0" || fail "capture exit $st: $(cat "$TMP/cap.out")"
[ "$(grep -c '^set [123]: complete' "$TMP/cap.out")" = 3 ] && pass "each set printed once" ||
	fail "sets printed: $(cat "$TMP/cap.out")"
wait_for 20 grep -q 'set 3: complete' "$TMP/watch.out" && pass "watch saw the sets after the restart" ||
	fail "watch: $(tail -5 "$TMP/watch.out")"
kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null

# --- sheet NAME finds the session -------------------------------------------------
rm -f "$RIG/sessions/habits/sheets/session.png"
expect_status 0 "photorig sheet habits (a session's name)" -- "$P" sheet habits --socket "$SOCK"
[ -s "$RIG/sessions/habits/sheets/session.png" ] && pass "the session's sheet rebuilt in its folder" ||
	fail "no session.png: $OUT"
expect_status 1 "photorig sheet of a session that does not exist" -- "$P" sheet nosuch -c "$RIG/photorig.ini"
expect_output "photorigd has no session 'nosuch'" "says so"
daemon_stop

# --- a capture with no camera attached is refused ----------------------------------
rig_dir dead
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" set.iso 123; done
daemon_start || { fail "daemon start (dead rig)"; finish; exit 1; }
wait_for 20 sh -c "[ \$(\"$P\" cameras --socket \"$SOCK\" | grep -c ' offline ') = 4 ]" ||
	fail "cameras not offline: $(pr cameras)"
expect_status 0 "session" -- pr session start nocams
expect_status 1 "capture with no camera attached" -- pr capture
expect_output 'no camera is attached, so no set was shot' "refused with a clear reason"
expect_output 'cam03 offline: camera cam03: 1 bad setting: set.iso = 123' "naming each camera's state"
expect_status 1 "again" -- pr capture --count 2
expect_status 0 "status" -- pr status
expect_output 'session nocams in .*, next set 1$' "no set number used"
[ ! -e "$RIG/sessions/nocams/manifest.json" ] || [ "$(jq '.sets | length' "$RIG/sessions/nocams/manifest.json")" = 0 ] &&
	pass "no set in the manifest" || fail "manifest: $(cat "$RIG/sessions/nocams/manifest.json")"
daemon_stop
finish
