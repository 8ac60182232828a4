# kill -9 in the middle of a set, then restart: no partial file under a final
# name, the interrupted set settled (files that made it journaled and masked,
# the missing camera named), journal and manifest consistent, and the
# session continues with the next set number.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" width 640; ini_set "camera $c" height 480; done
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
# cam04 now takes 4 s per shot: a wide window inside every set
ini_set "camera cam04" latency_ms 4000
expect_status 0 "reload: cam04 slow" -- pr reload
wait_for 10 sh -c "'$P' cameras --socket '$SOCK' | grep -qE 'cam04 +sim +ready'"
expect_status 0 "session" -- pr session start crash-1
expect_status 0 "set 1" -- pr capture
S=$RIG/sessions/crash-1

pr capture --count 3 > "$TMP/cap.out" 2>&1 &
CPID=$!
if wait_for 20 test -s "$S/cam01/cam01_0002.jpg"; then pass "set 2 under way (cam01 delivered)"; else fail "set 2 did not start"; fi
sleep 0.5
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null; DPID=""
wait $CPID; rc=$?
[ $rc = 1 ] && pass "the client reports the lost daemon (exit 1)" || fail "client exit $rc"
grep -q 'photorigd closed the connection' "$TMP/cap.out" && pass "in words" || fail "client said: $(cat "$TMP/cap.out")"
[ -e "$S/cam04/cam04_0002.jpg" ] && fail "cam04's set-2 file exists though it was killed first" || pass "cam04's file never appeared"

# every original under a final name is a whole JPEG (ends with FFD9)
bad=0
for f in "$S"/cam0?/*.jpg; do
	[ "$(tail -c 2 "$f" | od -An -tx1 | tr -d ' ')" = ffd9 ] || { bad=1; echo "partial: $f"; }
done
[ $bad = 0 ] && pass "no partial original under a final name" || fail "partial originals"

daemon_start || { fail "restart"; finish; exit 1; }
grep -q 'journal replayed' "$RIG/daemon.log" && pass "journal replayed" || fail "no replay"
grep -q 'session crash-1 resumed' "$RIG/daemon.log" && pass "session found again" || fail "session not resumed"
wait_for 30 sh -c "jq -e '.sets_finished == 2' '$S/manifest.json' >/dev/null"
expect_status 0 "status" -- pr status
expect_output 'session crash-1 in .*, next set 3' "next set is 3"
[ "$(jq -r '.sets[] | select(.set == 2) | .interrupted' "$S/manifest.json")" = true ] && pass "set 2 marked interrupted" || fail "set 2 not marked"
[ "$(jq -r '.sets[] | select(.set == 2) | .complete' "$S/manifest.json")" = false ] && pass "set 2 incomplete" || fail "set 2 complete?"
[ "$(jq -r '.sets[] | select(.set == 2) | .missing | join(",")' "$S/manifest.json")" = cam04 ] && pass "cam04 named as missing" || fail "missing: $(jq -c '.sets[1].missing' "$S/manifest.json")"
[ "$(jq '[.sets[] | select(.set == 2) | .shots[] | select(.mask == "written")] | length' "$S/manifest.json")" = 3 ] &&
	pass "the 3 delivered originals of set 2 are masked after the restart" || fail "set 2 masks"
# checked once the restarted daemon has masked what the crash left: until
# then its own outputs are rightly being written through temporary files
no_temp_files_settled "$S" && pass "temporary files swept at restart" || fail "temporary files left"
check_session "$S" && pass "journal, manifest and files agree" || fail "journal, manifest and files disagree"

expect_status 0 "capture continues" -- pr capture
expect_output 'set 3: complete' "with set 3"
[ -s "$S/cam04/cam04_0003.jpg" ] && pass "cam04_0003.jpg" || fail "cam04_0003.jpg missing"
check_session "$S" && pass "still consistent" || fail "inconsistent after set 3"

# SIGTERM in the middle of a set: the set in flight is finished (cam04's
# file still arrives 4 s later), no new set starts, the client is told
pr capture --count 3 > "$TMP/cap2.out" 2>&1 &
CPID=$!
wait_for 20 test -s "$S/cam01/cam01_0004.jpg" && pass "set 4 under way" || fail "set 4 did not start"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "SIGTERM mid-set: clean exit" || fail "exit status $DSTATUS"
wait $CPID; rc=$?
[ $rc = 1 ] && grep -q 'photorigd is stopping after 1 of 3 sets' "$TMP/cap2.out" &&
	pass "the client is told the daemon stopped after set 4" || fail "client: exit $rc, $(cat "$TMP/cap2.out")"
[ -s "$S/cam04/cam04_0004.jpg" ] && pass "cam04's file of the set in flight was saved" || fail "cam04_0004.jpg lost"
[ "$(jq -r '.sets[] | select(.set == 4) | .complete' "$S/manifest.json")" = true ] && pass "set 4 complete" || fail "set 4 not complete"
[ -e "$S/cam01/cam01_0005.jpg" ] && fail "a new set started while stopping" || pass "no new set after SIGTERM"
check_session "$S" && pass "consistent after SIGTERM" || fail "inconsistent after SIGTERM"

# a contact sheet a kill cut short is swept at the restart too, though no
# set follows to make the sheet thread sweep its folder
echo partial > "$S/sheets/.set_0005.png.AbC123.tmp"
daemon_start || { fail "restart"; finish; exit 1; }
no_temp_files "$S" && pass "a sheet's temporary file swept at the restart" ||
	fail "a sheet's temporary file left: $(find "$S" -name '.*.tmp')"
finish
