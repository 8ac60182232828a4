# While clients hammer the operator page with 1000 requests (pages, scripts,
# protocol requests, session files; from four loopback addresses), a
# capture's trigger is not held up: the time from a capture request on the
# control socket to the set's first trigger is measured with the page idle
# and while it is hammered (tests/web/hammer.py). The figures go to the
# build folder's tests/web_hammer/result.json; the check is loose (the
# machine may be busy with other work): the median delay under the hammer
# stays within 250 ms of the idle one, and every request is answered.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/web.inc"

web_rig rig
daemon_start || { fail "daemon start"; finish; exit 1; }
web_wait_up || { fail "the page is not served"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start hammer
ART=${PHOTORIG_BUILD:-$TMP}/tests/web_hammer
mkdir -p "$ART"
if python3 "$PHOTORIG_SOURCE/tests/web/hammer.py" "$SOCK" "$URL" "$PASSWORD" "$RIG/sessions/hammer" 8 \
	> "$ART/result.json" 2> "$TMP/hammer.err"; then
	pass "measured"
else
	fail "hammer: $(cat "$TMP/hammer.err")"; finish; exit 1
fi
jq -c '{idle_ms, hammered_ms, delay_median_ms, delay_max_ms}' "$ART/result.json"
jq -c '.rounds[] | {seconds, codes, trigger_ms, hammer_still_running_at_trigger}' "$ART/result.json"
jq -e '[.rounds[].codes | to_entries[] | select(.key | test("^[0-9]+$") | not)] | length == 0' \
	"$ART/result.json" >/dev/null && pass "every hammer request got an HTTP answer" ||
	fail "requests without an answer: $(jq -c '[.rounds[].codes]' "$ART/result.json")"
jq -e '[.rounds[].codes["200"]] | all(. >= 200)' "$ART/result.json" >/dev/null &&
	pass "the page served the hammer (at least 200 of each 1000 with 200 OK)" || fail "too few served"
jq -e '[.rounds[] | select(.hammer_still_running_at_trigger)] | length >= 6' "$ART/result.json" >/dev/null &&
	pass "the captures triggered while the hammer ran" || fail "the hammer ended before the triggers"
jq -e '.delay_median_ms < 250' "$ART/result.json" >/dev/null &&
	pass "the trigger is not held up by the hammer (median delay $(jq .delay_median_ms "$ART/result.json") ms)" ||
	fail "trigger delayed: $(jq -c . "$ART/result.json")"
expect_status 0 "photorigd still answers" -- pr status
daemon_stop && [ "$DSTATUS" -eq 0 ] && pass "clean stop" || fail "stop: $DSTATUS"
finish
