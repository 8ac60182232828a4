# photorig session list: each session's sets, complete sets, size on disk
# and last activity, through photorigd, and the same numbers read from the
# sessions folder when photorigd does not answer (--config names its
# config). Size is what du counts (allocated blocks, folders included, a
# hard link once); last activity the newest file's time.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session one" -- pr session start one
expect_status 0 "two sets in one" -- pr capture --count 2
# a session is left once its masks are written, its sheets once made
settled() { [ "$(jq '[.sets[].shots[] | select(.mask == "written")] | length' "$RIG/sessions/$1/manifest.json" 2>/dev/null)" = "$2" ] &&
	[ -s "$RIG/sessions/$1/sheets/set_000$3.png" ] && no_temp_files "$RIG/sessions/$1"; }
wait_for 60 settled one 8 2 || fail "session one not settled"
expect_status 0 "session two" -- pr session start two
expect_status 0 "one set in two" -- pr capture --count 1
wait_for 60 settled two 4 1 || fail "session two not settled"
# the sheet thread writes the session sheet after the set's: wait until
# nothing in the folders changes for a second
quiet() { local a b; a=$(du -s -B1 "$RIG/sessions"; find "$RIG/sessions" -type f -printf '%T@\n' | sort -n | tail -1)
	sleep 1; b=$(du -s -B1 "$RIG/sessions"; find "$RIG/sessions" -type f -printf '%T@\n' | sort -n | tail -1); [ "$a" = "$b" ]; }
wait_for 30 quiet || fail "the sessions folder kept changing"
expect_status 0 "session list (daemon)" -- pr session list --json
LIVE=$OUT
check() { # JSON WHERE
	local json=$1 where=$2 n dir bytes du last newest
	for n in one two; do
		dir=$RIG/sessions/$n
		read -r sets complete bytes last < <(jq -r --arg n $n '.sessions[] | select(.name == $n) | "\(.sets) \(.complete) \(.bytes) \(.last_ns)"' <<<"$json")
		want=$([ $n = one ] && echo 2 || echo 1)
		[ "$sets $complete" = "$want $want" ] && pass "$where: $n has $want set(s), $want complete" || fail "$where: $n: $sets sets, $complete complete"
		du=$(du -s -B1 "$dir" | cut -f1)
		[ "$bytes" = "$du" ] && pass "$where: $n size $bytes bytes, as du says" || fail "$where: $n size $bytes, du $du"
		newest=$(find "$dir" -type f -printf '%T@\n' | sort -n | tail -1 | cut -d. -f1)
		[ "$((last / 1000000000))" = "$newest" ] && pass "$where: $n last activity is its newest file" ||
			fail "$where: $n last activity $last, newest file $newest"
	done
}
check "$LIVE" daemon
[ "$(jq -r '.sessions[] | select(.active) | .name' <<<"$LIVE")" = two ] && pass "daemon: two is active" || fail "active: $LIVE"
expect_status 0 "session list, text" -- pr session list
expect_output '^two +1 +1 +[0-9.]+ [kMG]?B +20[0-9-]+ [0-9:]+  \[active\]$' "text line with sets, size, time, active"

daemon_stop
expect_status 0 "session list with photorigd stopped" -- "$P" session list --socket "$SOCK" --config "$RIG/photorig.ini" --json
OFF=$OUT
[ "$(jq -r .offline <<<"$OFF")" = true ] && pass "offline listing says so" || fail "offline: $OFF"
check "$OFF" offline
# the same sessions, sets and folders (a stopping daemon may still write a line)
same='[.sessions[] | {name, dir, sets, complete}]'
[ "$(jq -c "$same" <<<"$OFF")" = "$(jq -c "$same" <<<"$LIVE")" ] &&
	pass "offline and daemon listings name the same sessions and sets" || fail "differ: $OFF vs $LIVE"
expect_status 0 "offline, text" -- "$P" session list --socket "$SOCK" --config "$RIG/photorig.ini"
expect_output "photorigd does not answer: read from $RIG/sessions" "names where it read"
# photorig's global -c/--config reads the config first (for the socket) and
# refuses an unreadable one as a usage error
expect_status 2 "offline without a readable config" -- "$P" session list --socket "$SOCK" --config "$TMP/none.ini"
expect_output "not a valid photorigd config" "says why"
finish
