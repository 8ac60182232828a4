# photorigd through a session longer than its first allocation of set
# records (64): 150 sets in one capture request, on a 4-camera sim rig with
# tiny images. A set's last file starts the next set; the code that handled
# that file then finishes its own set, so set records must not move while
# sets are added (they did: a heap-use-after-free under ASan, and in a
# release build a second set_end for a set, with another verdict, found by
# tests/soak/soak.sh). Every set ends once, complete; journal, manifest and
# files agree.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
for c in cam01 cam02 cam03 cam04; do
	ini_set "camera $c" width 64
	ini_set "camera $c" height 48
	ini_set "camera $c" latency_ms 0
done
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start long
expect_status 0 "150 sets in one request" -- pr capture --count 150
expect_output 'set 150: complete' "the last set is complete"
S=$RIG/sessions/long
ends=$(jq -r 'select(.ev == "set_end") | .set' "$S/journal.jsonl" | sort -n | uniq -c | awk '$1 != 1' | wc -l)
n=$(jq -r 'select(.ev == "set_end" and .complete) | .set' "$S/journal.jsonl" | sort -un | wc -l)
[ "$ends" = 0 ] && [ "$n" = 150 ] && pass "each of the 150 sets ended once, complete" ||
	fail "$ends sets ended more than once; $n complete"
[ "$(jq .sets_complete "$S/manifest.json")" = 150 ] && pass "the manifest has 150 complete sets" ||
	fail "manifest: $(jq -c '{sets_finished, sets_complete}' "$S/manifest.json")"
check_session "$S" && pass "journal, manifest and files agree" || fail "session disagrees"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "exit status $DSTATUS"
finish
