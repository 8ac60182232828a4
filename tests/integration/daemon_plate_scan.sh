#!/bin/bash
# Plates per turntable step. Four sim cameras look at an object on a printed
# platter that turns with it (scene = platter). A 12-step scan is masked
# once against a single plate (taken at 0 degrees) and once after
# `photorig plate --scan` recorded a plate per step: the manifest names the
# plate each shot was masked against, and the masks, scored against the sim
# cameras' exact truth, are clearly better with a plate per step. The angle
# plates are files in the state folder and are found again after a restart.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
for c in cam01 cam02 cam03 cam04; do
	ini_set "camera $c" width 320
	ini_set "camera $c" height 240
	ini_set "camera $c" scene platter
done
ini_set turntable settle_ms 0
ini_set rig plate_frames 3
daemon_start || { fail "daemon start"; finish; exit 1; }

# F over the four cameras of session $1 (TP, FP, FN summed over every shot)
session_f() {
	local s=$RIG/sessions/$1 c tp=0 fp=0 fn=0 out
	for c in cam01 cam02 cam03 cam04; do
		out=$("$P" eval --truth "$s/$c/truth" --mask "$s/$c/masks" --json) || return 1
		tp=$((tp + $(echo "$out" | jq '.total.tp')))
		fp=$((fp + $(echo "$out" | jq '.total.fp')))
		fn=$((fn + $(echo "$out" | jq '.total.fn')))
	done
	awk -v tp="$tp" -v fp="$fp" -v fn="$fn" 'BEGIN { printf "%.4f\n", 2 * tp / (2 * tp + fp + fn) }'
}

scan_session() {
	expect_status 0 "session $1" -- pr session start "$1"
	expect_status 0 "scan in $1" -- pr scan start --steps 12 --degrees 360 --settle-ms 0
	wait_for 120 sh -c "'$P' scan status --json --socket '$SOCK' | jq -e '.scan.state == \"done\"' >/dev/null" ||
		fail "scan in $1 did not finish"
	wait_for 60 sh -c "jq -e '.sets_finished == 12' '$RIG/sessions/$1/manifest.json' >/dev/null" ||
		fail "$1: 12 sets not finished"
	wait_for 60 sh -c "[ \$(ls '$RIG/sessions/$1/cam04/masks' | wc -l) -ge 12 ]" ||
		fail "$1: masks not written"
}

# 1. one plate, at 0 degrees: every shot is masked against it
expect_status 0 "single plates" -- pr plate
scan_session one
[ "$(jq -r '[.sets[].shots[] | .mask_stats.plate] | unique | join(" ")' "$RIG/sessions/one/manifest.json")" = \
	"plates/cam01.prplate plates/cam02.prplate plates/cam03.prplate plates/cam04.prplate" ] &&
	pass "one plate: the manifest names each camera's single plate" ||
	fail "one plate: $(jq -c '[.sets[].shots[] | .mask_stats.plate] | unique' "$RIG/sessions/one/manifest.json")"
expect_status 0 "session stop" -- pr session stop

# 2. a plate per step
expect_status 0 "plate --scan" -- pr plate --scan --steps 12 --degrees 360 --settle-ms 0 --frames 3
expect_output 'step 12 at 330 degrees' "plate --scan names its steps"
expect_output 'cam04 +plate [0-9a-f]{16}, 3 frames \(plates/cam04/angle-330.000.prplate\)' \
	"plate --scan names each plate's file"
n=$(ls "$RIG/state/plates/cam02/" 2>/dev/null | grep -c '^angle-...\....\.prplate$')
[ "$n" = 12 ] && pass "12 angle plates of cam02 in the state folder" || fail "cam02 angle plates: $n"
[ -f "$RIG/state/plates/cam02/angle-090.000.prplate" ] && pass "named by angle" ||
	fail "no angle-090.000 plate: $(ls "$RIG/state/plates/cam02")"
cmp -s "$RIG/state/plates/cam02/angle-000.000.prplate" "$RIG/state/plates/cam02/angle-090.000.prplate" &&
	fail "the plates at 0 and 90 degrees are the same" || pass "plates differ by angle"
scan_session perstep
got=$(jq -r '.sets[] | "\(.angle) \(.shots[] | select(.camera == "cam03") | .mask_stats.plate)"' \
	"$RIG/sessions/perstep/manifest.json")
want=$(for i in $(seq 0 11); do printf '%d plates/cam03/angle-%07.3f.prplate\n' $((i * 30)) $((i * 30)); done)
[ "$got" = "$want" ] && pass "each step masked against the plate of its angle (manifest)" ||
	fail "manifest plates: $got"
jq -se 'map(select(.ev == "mask_written" and .camera == "cam01" and .set == 2)) | length == 1 and .[0].plate == "plates/cam01/angle-030.000.prplate"' \
	"$RIG/sessions/perstep/journal.jsonl" >/dev/null && pass "the journal names it too" ||
	fail "journal: $(grep mask_written "$RIG/sessions/perstep/journal.jsonl" | head -2)"

# 3. the masks against the sim's truth
f_one=$(session_f one) && f_step=$(session_f perstep) || fail "eval failed"
echo "mask F over 12 steps x 4 cameras: one plate $f_one, a plate per step $f_step"
awk -v a="$f_one" -v b="$f_step" 'BEGIN { exit !(b >= a + 0.05 && b >= 0.9) }' &&
	pass "a plate per step is clearly better ($f_step against $f_one)" ||
	fail "per-step F $f_step is not clearly above one-plate F $f_one"

# 4. the angle plates survive a restart; the table was brought back to 0
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean stop" || fail "stop $DSTATUS"
daemon_start || { fail "daemon restart"; finish; exit 1; }
grep -q 'camera cam01: 12 turntable plates loaded' "$RIG/daemon.log" &&
	pass "angle plates loaded at start" || fail "not loaded: $(grep -i plate "$RIG/daemon.log" | tail -3)"
expect_status 0 "cameras" -- pr cameras --json
expect_output '"angle_plates":12' "cameras lists 12 angle plates"

# 5. photorigd stopping ends a plate scan after the step in progress, and
# the client is told how far it got and where the table was left
n0=$(grep -c 'plate scan: step 1 of 12' "$RIG/daemon.log")
"$P" plate --scan --steps 12 --settle-ms 1500 --frames 2 --socket "$SOCK" >"$RIG/pscan.out" 2>&1 &
CPID=$!
wait_for 20 sh -c "[ \$(grep -c 'plate scan: step 1 of 12' '$RIG/daemon.log') -gt $n0 ]" ||
	fail "the second plate scan did not start"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "stop during a plate scan: clean stop" ||
	fail "stop during a plate scan: $DSTATUS"
wait "$CPID"
[ $? = 1 ] && grep -q 'photorigd is stopping; plates were recorded for [0-9]* of 12 steps, and the table stands at' \
	"$RIG/pscan.out" && pass "the client is told the plate scan ended and why" ||
	fail "client: $(cat "$RIG/pscan.out")"
finish
