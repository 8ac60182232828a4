# photorigd with four gphoto2 cameras: simulated PTP/IP cameras driven
# through the real libgphoto2. Plates, then a session of 5 sets: every
# original byte-identical to what its camera served, in its own position's
# folder, masked against its own plate. Then the simulators come back with
# their addresses swapped: each position still gets its own camera's files,
# bound by serial.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/gphoto2.inc"

SERIALS=(GPA-1001 GPB-2002 GPC-3003 GPD-4004)
ADDRS=(127.0.0.41 127.0.0.42 127.0.0.43 127.0.0.44)
for i in 0 1 2 3; do
	make_scene "${SERIALS[$i]}" $((11 + i)) || { fail "scene"; finish; exit 1; }
	sim_start "$i" "${ADDRS[$i]}" 0 "${SERIALS[$i]}" || { fail "simulator $i"; finish; exit 1; }
done
pass "4 simulated PTP/IP cameras"
cams=""
for i in 0 1 2 3; do cams="$cams cam0$((i + 1))=${SERIALS[$i]}@${ADDRS[$i]}:${SIMPORT[$i]}"; done
gphoto2_rig rig "$cams"
expect_status 0 "photorigd -n accepts the gphoto2 rig" -- "$D" -n -c "$RIG/photorig.ini"
daemon_start || { fail "daemon start"; finish; exit 1; }
wait_for 30 sh -c "\"$P\" status --socket \"$SOCK\" | grep -q '4/4 cameras attached'" &&
	pass "all 4 cameras attached" || fail "not attached: $(pr cameras)"
expect_status 0 "cameras" -- pr cameras
for i in 0 1 2 3; do
	expect_output "cam0$((i + 1)) +gphoto2 +ready +${SERIALS[$i]}" "cam0$((i + 1)) bound to ${SERIALS[$i]}"
done

expect_status 0 "plates through the cameras" -- pr plate --frames 3
expect_output 'cam04 +plate [0-9a-f]{16}, 3 frames, 640x480' "each camera has its plate"
expect_status 0 "session start" -- pr session start gp-1
expect_status 0 "5 capture sets" -- pr capture --count 5
n=$(printf '%s\n' "$OUT" | grep -c ': complete, trigger spread')
[ "$n" = 5 ] && pass "every set complete" || fail "$n of 5 sets complete: $OUT"

S=$RIG/sessions/gp-1
for i in 0 1 2 3; do
	c=cam0$((i + 1))
	[ "$(ls "$S/$c"/*.jpg 2>/dev/null | wc -l)" = 5 ] && pass "$c: 5 originals" ||
		fail "$c: $(ls "$S/$c" 2>&1)"
	originals_from "$S" "$c" "${SERIALS[$i]}" && pass "$c: byte-identical to ${SERIALS[$i]}'s shots" ||
		fail "$c: originals differ from what ${SERIALS[$i]} served"
	pid=$(pr cameras --json | jq -r --arg n "$c" '.cameras[] | select(.name == $n) | .plate.id')
	m=$(jq --arg c "$c" --arg p "$pid" '[.sets[].shots[] | select(.camera == $c and .mask == "written" and .mask_stats.plate_id == $p)] | length' "$S/manifest.json")
	[ "$m" = 5 ] && pass "$c: 5 masks against its own plate $pid" || fail "$c: $m masks with plate $pid"
	truth=$(truth_for "$S" "$c" "${SERIALS[$i]}")
	expect_status 0 "$c masks scored" -- "$P" eval --truth "$truth" --mask "$S/$c/masks" --json
	F=$(printf '%s' "$OUT" | jq '.total.f')
	N=$(printf '%s' "$OUT" | jq '.total.files')
	if [ "$N" = 5 ] && awk "BEGIN{exit !($F >= 0.9)}"; then pass "$c: F $F over 5 masks"; else fail "$c: F $F over $N masks"; fi
	s=$(jq -r --arg c "$c" '[.sets[].shots[] | select(.camera == $c) | .serial] | unique | join(",")' "$S/manifest.json")
	[ "$s" = "${SERIALS[$i]}" ] && pass "$c: manifest names serial $s" || fail "$c: manifest serials $s"
done
[ "$(jq '[.sets[].shots[] | select(.arrive_ns >= .trigger_ns and .trigger_ns > 0)] | length' "$S/manifest.json")" = 20 ] &&
	pass "manifest: trigger and arrival times of 20 files" || fail "manifest times"
if check_session "$S"; then pass "journal, manifest and files agree"; else fail "journal, manifest and files disagree"; fi
no_temp_files_settled "$S" && pass "no temporary files" || fail "temporary files left"
[ "$(ls "$TMP"/served-*/ 2>/dev/null | grep -c JPG)" -ge 32 ] && pass "the cameras served 32 files" ||
	fail "served: $(ls "$TMP"/served-*/ | grep -c JPG)"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "stop: status $DSTATUS"

# The cameras come back with their addresses swapped (0<->1, 2<->3): each
# position must find its own camera by serial at the other address.
sims_kill
for i in 0 1 2 3; do OLDPORT[$i]=${SIMPORT[$i]}; done
for i in 0 1 2 3; do
	j=$((i ^ 1))
	sim_start "$i" "${ADDRS[$j]}" "${OLDPORT[$j]}" "${SERIALS[$i]}" ||
		{ fail "simulator $i at ${ADDRS[$j]}"; finish; exit 1; }
done
pass "simulators restarted with their addresses swapped"
daemon_start || { fail "daemon restart"; finish; exit 1; }
wait_for 40 sh -c "\"$P\" status --socket \"$SOCK\" | grep -q '4/4 cameras attached'" &&
	pass "all 4 cameras attached again" || fail "not attached: $(pr cameras)"
expect_status 0 "cameras after the swap" -- pr cameras
for i in 0 1 2 3; do
	j=$((i ^ 1))
	expect_output "cam0$((i + 1)) +gphoto2 +ready +${SERIALS[$i]}" "cam0$((i + 1)) still bound to ${SERIALS[$i]}"
done
p=$(pr cameras --json | jq -r '.cameras[] | select(.name == "cam01") | .port')
case $p in
ptpip:${ADDRS[1]}:*) pass "cam01 found at cam02's old address ($p)" ;;
*) fail "cam01 port $p" ;;
esac
# new simulators count captures from 1 again: their plates come first
expect_status 0 "plates after the swap" -- pr plate --frames 3
expect_status 0 "session start after the swap" -- pr session start gp-swap
expect_status 0 "2 capture sets after the swap" -- pr capture --count 2
S2=$RIG/sessions/gp-swap
for i in 0 1 2 3; do
	c=cam0$((i + 1))
	[ "$(ls "$S2/$c"/*.jpg 2>/dev/null | wc -l)" = 2 ] && pass "$c: 2 originals after the swap" || fail "$c: $(ls "$S2/$c" 2>&1)"
	originals_from "$S2" "$c" "${SERIALS[$i]}" && pass "$c: still ${SERIALS[$i]}'s files" ||
		fail "$c: files of another camera after the swap"
done
if check_session "$S2"; then pass "journal, manifest and files agree after the swap"; else fail "after the swap: disagree"; fi
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "stop: status $DSTATUS"
finish
