# photorigd's control socket under hostile and careless clients: two at
# once, one that vanishes mid-request, malformed JSON, a 10 MB line, unknown
# requests, path tricks in names, a stranger; each answered or refused
# clearly, and the daemon serves the next request.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
ini_set camera\ cam01 width 640
# latency_ms: each set takes at least half a second, so a capture seen
# running is still running when the next client asks
for c in cam01 cam02 cam03 cam04; do
	ini_set "camera $c" width 640; ini_set "camera $c" height 480; ini_set "camera $c" latency_ms 500
done
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start clients

# raw REQUEST-LINES: what the daemon answers to exactly these bytes
raw() { printf '%s' "$1" | "$P" raw --socket "$SOCK" --timeout 10; }

# --- two clients at once ---------------------------------------------------
pr watch --json > "$TMP/watch.out" 2>&1 &
WPID=$!
wait_for 10 grep -q . "$TMP/watch.out" 2>/dev/null
pr capture --count 4 > "$TMP/cap.out" 2>&1 &
CPID=$!
# busy_with N: photorigd is running a capture of N sets. The other clients
# ask only once it is: started together, the one-set capture below could
# reach the daemon first, and the four-set one was refused as busy.
busy_with() { "$P" status --socket "$SOCK" --json | jq -e --argjson n "$1" '.busy.what == "capture" and .busy.total == $n' >/dev/null; }
wait_for 30 busy_with 4 || fail "the capture of 4 sets did not start: $(cat "$TMP/cap.out")"
busy=0 ok=0
for i in $(seq 1 5); do
	pr status >/dev/null 2>&1 && ok=$((ok + 1))
	if pr capture >"$TMP/busy.out" 2>&1; then :; else grep -q 'busy: a capture is running' "$TMP/busy.out" && busy=1; fi
	kill -0 $CPID 2>/dev/null || break
done
wait $CPID; rc=$?
[ $rc = 0 ] && pass "capture of 4 sets while other clients ask (exit 0)" || fail "capture: exit $rc: $(cat "$TMP/cap.out")"
[ $ok -ge 1 ] && pass "status answered $ok times during the capture" || fail "status not answered during a capture"
[ $busy = 1 ] && pass "a second capture is refused as busy, saying what runs" || fail "second capture not refused clearly: $(cat "$TMP/busy.out")"
wait_for 10 grep -q '"set_complete".*"set":4' "$TMP/watch.out"
for ev in set_started file_saved mask_written set_complete; do
	grep -q "\"event\":\"$ev\"" "$TMP/watch.out" && pass "watcher got $ev" || fail "watcher missed $ev"
done
[ "$(grep -c '"event":"file_saved"' "$TMP/watch.out")" = 16 ] && pass "watcher: 16 files saved" || fail "watcher: $(grep -c file_saved "$TMP/watch.out") files"
kill $WPID; wait $WPID 2>/dev/null

# --- a client that vanishes mid-request --------------------------------------
pr capture --count 2 > /dev/null 2>&1 &
CPID=$!
wait_for 30 busy_with 2 || fail "the capture of 2 sets did not start"
kill -KILL $CPID; wait $CPID 2>/dev/null
wait_for 60 sh -c "'$P' status --socket '$SOCK' --json | jq -e '.busy == null' >/dev/null"
expect_status 0 "daemon serves after a client vanished mid-capture" -- pr status
expect_output 'next set 7' "the vanished client's sets were still shot"
[ "$(jq '.sets_finished' "$RIG/sessions/clients/manifest.json")" = 6 ] && pass "its sets are in the manifest" || fail "manifest after vanished client"

# a watcher that never reads does not stall captures (its writer holds the
# fifo open; it reads nothing from the socket while stdin is open)
mkfifo "$TMP/fifo"
"$P" raw --socket "$SOCK" --timeout 1 < "$TMP/fifo" > /dev/null 2>&1 &
SPID=$!
exec 7> "$TMP/fifo"
printf '{"v":1,"id":1,"op":"watch"}\n' >&7
sleep 0.3
expect_status 0 "capture with a watcher that never reads" -- timeout 60 "$P" capture --count 2 --socket "$SOCK"
exec 7>&-
kill $SPID 2>/dev/null; wait $SPID 2>/dev/null

# --- malformed and hostile requests ------------------------------------------
OUT=$(raw 'this is not json
')
expect_output '"ok":false,"error":"malformed JSON' "malformed JSON answered"
OUT=$(raw '{"v":1,"id":5,"op":"explode"}
')
expect_output '"id":5,"ok":false,"error":"unknown request .explode.' "unknown request answered with its id"
OUT=$(raw '{"v":2,"id":6,"op":"status"}
')
expect_output '"id":6,"ok":false,"error":"protocol version 2 not supported' "version mismatch answered"
OUT=$(raw '{"v":1,"id":7,"op":"capture","count":"many"}
')
expect_output '"id":7,"ok":false,"error":"field .count. must be a whole number' "wrong type answered"
OUT=$(raw '{"v":1,"id":8,"op":"session_start","name":"../x"}
')
expect_output '"id":8,"ok":false,"error":"field .name.: bad name' "session name ../x refused"
[ -e "$RIG/x" ] || [ -e "$RIG/sessions/../x" ] && fail "../x created a folder" || pass "no folder outside the output root"
expect_status 2 "the client refuses ../x itself" -- pr session start ../x
expect_output "not a session name" "says why"
# a 10 MB line, then a good request on the same connection
OUT=$( { head -c 10000000 /dev/zero | tr '\0' 'a'; printf '\n{"v":1,"id":9,"op":"status"}\n'; } |
	"$P" raw --socket "$SOCK" --timeout 20)
expect_output '"ok":false,"error":"request too long \(more than 65536 bytes\)' "10 MB line refused as too long"
expect_output '"id":9,"ok":true' "the next request on that connection is served"
# many requests in one write
OUT=$(raw '{"v":1,"id":10,"op":"status"}
{"v":1,"id":11,"op":"cameras"}
')
expect_output '"id":10,"ok":true' "pipelined request 1"
expect_output '"id":11,"ok":true' "pipelined request 2"
expect_status 0 "the daemon still serves" -- pr status

# --- a request waiting unread is not idle ------------------------------------
# photorigd stopped; a status request sent, then 3 more connections: woken
# with room for two more clients, the daemon accepts all four before it
# reads any client, and must close idle ones for the newcomers, never the
# one with a request. (Clients still connected, such as a watcher, keep
# their slots: watchers are never closed.)
others=$(($(pr status --json | jq .clients) - 1))
ini_set daemon max_clients $((others + 2))
expect_status 0 "max_clients: room for two more" -- pr reload
# connections waiting to be accepted
backlog_is() { [ "$(ss -xlH | awk -v s="$SOCK" '$5 == s { print $3 }')" = "$1" ]; }
kill -STOP "$DPID"
pr status > "$TMP/early.out" 2>&1 &
EPID=$!
wait_for 10 backlog_is 1 && sleep 0.3
"${PHOTORIG_BUILD:?}/tests/ctl_stress" hold "$SOCK" 3 5 > "$TMP/hold.out" 2>/dev/null &
HPID=$!
wait_for 10 backlog_is 4 || fail "the idle connections did not connect"
kill -CONT "$DPID"
wait $EPID && pass "the client whose request waited is served" ||
	fail "the client whose request waited: $(cat "$TMP/early.out")"
wait $HPID
grep -q 'evicted=2 ' "$TMP/hold.out" && pass "two idle connections closed for the others" ||
	fail "idle connections: $(cat "$TMP/hold.out")"
ini_set daemon max_clients 32
expect_status 0 "max_clients 32 again" -- pr reload

# --- a stranger ---------------------------------------------------------------
chmod 755 "$TMP" "$RIG" "$RIG/run"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
expect_status 1 "nobody cannot open the socket (mode 0660)" -- as_nobody "$P" status --socket "$SOCK"
expect_output "access denied to $SOCK" "the client says access is denied"
chmod 666 "$SOCK"
expect_status 1 "nobody is refused by the daemon's credential check" -- as_nobody "$P" status --socket "$SOCK"
expect_output 'photorigd refused: access denied: uid 65534 is not root' "the daemon says who is refused and why"
chmod 660 "$SOCK"
expect_status 0 "root still served" -- pr status

[ "$(jq '[.sets[] | select(.complete)] | length' "$RIG/sessions/clients/manifest.json")" = 8 ] && pass "all 8 sets complete" || fail "sets incomplete"
check_session "$RIG/sessions/clients" && pass "journal, manifest and files agree" || fail "session disagrees"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "exit status $DSTATUS"
finish
