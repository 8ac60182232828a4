#!/bin/bash
# Crash consistency of photorigd: RUNS times, photorigd is killed with
# SIGKILL while a client keeps it busy (captures mostly; now and then
# plates, a new or an old session, a reload that changes a camera's
# latency), then started again. Half the kills come at a random time, half
# a few milliseconds after an event a watcher saw (a set triggered, a file
# saved, a mask written, a set or a sheet finished), so that they also land
# in the short moments: an original or a mask being written, the journal
# and manifest lines after it. In one run in four the next start is killed
# too, before it answers (config, plates, journal replay, settling what the
# first kill cut short). Before the runs, moments a kill almost never hits
# are made by hand: the originals of a RAW+JPEG camera renamed into place
# but not journaled, with the journal line half-written, and temporary
# files of every kind (one in the sheets of a session just left).
# After every restart that gets as far as answering, once it has settled,
# every session is checked:
#   - every file the journal records as saved is on disk under its name,
#     once, with the journaled size and FNV-1a 64 hash (recomputed here by
#     tests/tools/file_digest, not by the daemon); no two hold the same bytes;
#     no original on disk is missing from the journal
#   - no partial file under a final name: no temporary file is left and
#     every image in the session decodes
#   - set numbers run 1..N; every set ended once, complete or naming its
#     missing cameras; a set the kill cut short says interrupted, no other
#   - journal and manifest agree set by set and shot by shot; every mask
#     file and sheet the manifest names exists
#   - the session continues: the active session is the one recorded when
#     photorigd was killed, and its next set follows its last journaled set
# What the kill interrupted is read from what it left (temporary files, a
# journal line cut short, sets open, an original not yet journaled, the
# log) and tallied by phase.
#
# usage: crash.sh [--runs N] [--seed S] [--build DIR] [--max-delay MS]
#   --runs N        runs (default 100): a kill each, a second in one in four
#   --seed S        the random choices (delays, requests); printed, so a run
#                   can be repeated (the daemon's own timing still varies)
#   --build DIR     a build tree, when PHOTORIG_BIN, PHOTORIGD_BIN and
#                   PHOTORIG_BUILD are not set (ctest sets them)
#   --max-delay MS  longest time a client works before a kill (default 3000)
# Exit 0 when no invariant was broken, 1 otherwise (the work folder is kept
# and named).
RUNS=100 SEED="" BUILD="" MAX_DELAY=3000
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	--max-delay) MAX_DELAY=$2; shift 2 ;;
	-h | --help) sed -n '2,/^RUNS=/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "crash.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case "$RUNS$MAX_DELAY" in *[!0-9]*) echo "crash.sh: --runs and --max-delay take numbers" >&2; exit 2 ;; esac
if [ -n "$BUILD" ]; then
	BUILD=$(cd "$BUILD" && pwd) || exit 2
	export PHOTORIG_BIN=$BUILD/tools/photorig PHOTORIGD_BIN=$BUILD/daemon/photorigd
	export PHOTORIG_BUILD=$BUILD
fi
HERE=$(cd "$(dirname "$0")" && pwd)
export PHOTORIG_SOURCE=${PHOTORIG_SOURCE:-$(cd "$HERE/../.." && pwd)}
. "$HERE/../integration/lib.inc"
. "$HERE/../integration/daemon.inc"
DIGEST=${PHOTORIG_BUILD:-}/tests/file_digest
[ -x "$DIGEST" ] || { echo "crash.sh: no $DIGEST: build the file_digest target"; exit 1; }
command -v jq >/dev/null || { echo "crash.sh: jq is needed"; exit 77; }
JQ() { jq -L "$HERE" "$@"; }
export LC_ALL=C # sort and comm agree on the order

[ -n "$SEED" ] || SEED=$(( $(date +%s%N) % 1000000000 ))
case "$SEED" in *[!0-9]*) echo "crash.sh: --seed takes a number" >&2; exit 2 ;; esac
RANDOM=$SEED
echo "crash.sh: $RUNS runs, seed $SEED (again: --seed $SEED)"

# This shell starts few processes itself: the checks, the tallies and the
# waits for events run in subshells. With thousands of short-lived children
# in one shell and process ids wrapping at 32768 under load, bash 5.2 once
# waited forever for a pipeline whose processes had all exited.
WORK=$TMP/work
mkdir -p "$WORK"
touch "$WORK/interrupted" "$WORK/decoded" "$WORK/phases" "$WORK/flags" "$WORK/violations.log"
WPID="" WATCHPID=""
trap 'daemon_kill; stop_watcher; workload_stop; if [ "$(violations)" = 0 ]; then rm -rf "$TMP"; else echo "work folder kept: $TMP"; fi' EXIT

# rand N: R = a random whole number in [0, N)
rand() { R=$(( ((RANDOM << 15) | RANDOM) % $1 )); }
# now_ms: NOW = the time in ms (no process started)
now_ms() { NOW=$(( ${EPOCHREALTIME/./} / 1000 )); }
# violation TEXT: a broken invariant (from any subshell: they go to a file)
violation() { echo "VIOLATION (run $RUN): $*" | tee -a "$WORK/violations.log"; }
violations() { wc -l < "$WORK/violations.log"; }

rig_dir rig
for c in cam01 cam02 cam03 cam04; do
	ini_set "camera $c" width 640
	ini_set "camera $c" height 480
done
# one mask worker, so masks queue up behind the captures; cam03 and cam04
# slow, so kills land while a set waits for them
ini_set daemon worker_threads 1
ini_set "camera cam03" latency_ms 150
ini_set "camera cam04" latency_ms 300
SESSIONS=$RIG/sessions
ACTIVE_FILE=$RIG/state/active_session

# launch: start photorigd in the background; LOGOFF is where its log begins.
launch() {
	LOGOFF=$(stat -c %s "$RIG/daemon.log" 2>/dev/null || echo 0)
	"$D" -c "$RIG/photorig.ini" >>"$RIG/daemon.log" 2>&1 &
	DPID=$!
	now_ms
	LAUNCHED=$NOW
}

# answering: wait (<= 60 s) until the launched daemon answers; STARTUP_MS is
# how long that took, the window start-up kills are drawn from.
answering() {
	local ms
	if ms=$(
		now_ms
		while [ $((NOW - LAUNCHED)) -lt $((60000 * ${TIME_SCALE:-1})) ]; do
			if "$P" status --socket "$SOCK" >/dev/null 2>&1; then
				now_ms
				echo $((NOW - LAUNCHED))
				exit 0
			fi
			kill -0 "$DPID" 2>/dev/null || exit 1
			sleep 0.01
			now_ms
		done
		exit 2); then
		STARTUP_MS=$ms
		return 0
	fi
	if kill -0 "$DPID" 2>/dev/null; then
		echo "photorigd did not answer within 60 s"
	else
		echo "photorigd died at start:"; tail -20 "$RIG/daemon.log"
		wait "$DPID" 2>/dev/null
		DPID=""
	fi
	return 1
}

# complete_lines FILE: FILE without a last line a crash cut short.
complete_lines() { head -n "$(wc -l < "$1")" "$1"; }

# open_sets JOURNAL: the sets begun and not ended in JOURNAL's complete lines.
open_sets() {
	complete_lines "$1" | jq -s -r '(map(select(.ev == "set_begun") | .set) -
		map(select(.ev == "set_end") | .set))[]' 2>/dev/null
}

# settled: nothing left to do (no request, no mask, no set open in the
# active session, no temporary file being written).
settled() {
	local st
	st=$("$P" status --json --socket "$SOCK" 2>/dev/null) || return 1
	printf '%s' "$st" | jq -e '.busy == null and .mask_queue == 0' >/dev/null || return 1
	local a
	a=$(printf '%s' "$st" | jq -r '.session.name // empty')
	[ -z "$a" ] || [ -z "$(open_sets "$SESSIONS/$a/journal.jsonl")" ] || return 1
	no_temp_files "$RIG/state" && { [ -z "$a" ] || no_temp_files "$SESSIONS/$a"; }
}

# The client: requests one after the other until $WORK/stop appears; a
# failed request (the daemon killed, busy, …) is followed by a short pause.
workload() {
	RANDOM=$1
	local k=0 r n s
	while [ ! -e "$WORK/stop" ]; do
		k=$((k + 1))
		r=$((RANDOM % 100))
		if [ $r -lt 70 ]; then
			n=$((1 + RANDOM % 4))
			echo "capture" > "$WORK/client.now"
			pr capture --count $n
		elif [ $r -lt 78 ]; then
			echo "plate" > "$WORK/client.now"
			pr plate --frames 2
		elif [ $r -lt 86 ]; then
			echo "reload" > "$WORK/client.now"
			ini_set "camera cam04" latency_ms $(( (RANDOM % 4) * 250 ))
			pr reload
		elif [ $r -lt 93 ]; then
			echo "session start (new)" > "$WORK/client.now"
			pr session start "crash-$2-$k"
		else
			echo "session start (old)" > "$WORK/client.now"
			s=$(ls "$SESSIONS" | sort)
			n=$(printf '%s\n' "$s" | wc -l)
			pr session start "$(printf '%s\n' "$s" | sed -n "$((1 + RANDOM % n))p")"
		fi >>"$WORK/client.log" 2>&1 || sleep 0.05
		echo "between requests" > "$WORK/client.now"
	done
}

workload_start() {
	rm -f "$WORK/stop"
	echo "between requests" > "$WORK/client.now"
	workload "$1" "$2" &
	WPID=$!
}

# workload_stop: the client stops after its request in flight (<= 30 s;
# then it is killed, if it is still there: never a process id it has left).
workload_stop() {
	[ -n "$WPID" ] || return 0
	touch "$WORK/stop"
	if ! (for i in $(seq 1 300); do kill -0 "$WPID" 2>/dev/null || exit 0; sleep 0.1; done; exit 1); then
		kill -KILL "$WPID" 2>/dev/null
	fi
	wait "$WPID" 2>/dev/null
	WPID=""
}

# stop_watcher: the watcher ends when the daemon does (it is not killed:
# its process id may belong to another process by then).
stop_watcher() {
	[ -n "$WATCHPID" ] || return 0
	wait "$WATCHPID" 2>/dev/null
	WATCHPID=""
}

# originals DIR: the originals on disk in a session's camera folders
# (not the masked outputs beside them).
originals() {
	find "$1" -mindepth 2 -maxdepth 2 -type f -path "$1/cam*/*" ! -name '.*' ! -name '*.tif' \
		! -name '*_mask.png' ! -name '*.mask.png' -printf '%P\n' | sort
}

# journal_files DIR: "hash size file" for every file DIR's journal records as
# saved.
journal_files() {
	complete_lines "$1/journal.jsonl" | JQ -s -r 'include "crash_check"; saved_files
		| "\(.hash) \(.size) \(.file)"' | sort
}

# evidence KIND: what the kill interrupted, read from what it left before
# the restart sweeps it. Tallies every sign seen, and the first as the phase.
evidence() {
	local log flags=() a dir j n
	log=$(tail -c +"$((LOGOFF + 1))" "$RIG/daemon.log")
	a=$(cat "$ACTIVE_FILE" 2>/dev/null)
	if [ "$1" = start-up ]; then
		if [ -n "$a" ] && ! grep -q 'journal replayed' <<<"$log"; then
			flags+=("start-up, before the journal was replayed")
		elif [ -n "$a" ] && grep -q 'cut short by a restart' <<<"$log" &&
			[ -n "$(open_sets "$SESSIONS/$a/journal.jsonl")" ]; then
			flags+=("start-up, settling the sets the last kill cut short")
		else
			flags+=("start-up, after replay and settling")
		fi
	fi
	for dir in "$SESSIONS"/*/; do
		dir=${dir%/}
		[ -f "$dir/journal.jsonl" ] || continue
		j=$dir/journal.jsonl
		if [ -n "$(comm -23 <(originals "$dir") <(journal_files "$dir" | cut -d' ' -f3- | sort))" ]; then
			flags+=("an original saved, not yet journaled")
		fi
		find "$dir" -path "$dir/cam*" -name '.*.jpg.*.tmp' | grep -q . && flags+=("writing an original")
		[ -s "$j" ] && [ "$(tail -c 1 "$j" | od -An -tx1 | tr -d ' ')" != 0a ] &&
			flags+=("writing a journal line (cut short)")
		find "$dir" -maxdepth 1 -name '.manifest.json.*.tmp' | grep -q . && flags+=("writing the manifest")
		find "$dir" -path "$dir/cam*" \( -name '.*.tif.*.tmp' -o -name '.*.png.*.tmp' \) | grep -q . &&
			flags+=("writing mask outputs")
		find "$dir/sheets" -name '.*.tmp' 2>/dev/null | grep -q . && flags+=("writing a contact sheet")
		for n in $(open_sets "$j"); do
			echo "${dir##*/} $n" >> "$WORK/interrupted"
			complete_lines "$j" | jq -s -e --argjson n "$n" '
				([.[] | select(.set == $n and .ev == "set_begun")][0].shots | length) >
				([.[] | select(.set == $n and (.ev == "file_saved" or .ev == "file_failed"))] | length)' \
				>/dev/null && flags+=("a set in flight, cameras still to deliver")
			complete_lines "$j" | jq -s -e --argjson n "$n" '
				([.[] | select(.set == $n and .ev == "file_saved")] | length) >
				([.[] | select(.set == $n and (.ev | startswith("mask_")))] | length)' \
				>/dev/null && flags+=("masks pending")
		done
	done
	find "$RIG/state" -name '.*.tmp' | grep -q . && flags+=("writing a plate or the active session")
	[ ${#flags[@]} -gt 0 ] || flags+=("idle: $(cat "$WORK/client.now" 2>/dev/null)")
	printf '%s\n' "${flags[@]}" | sort -u >> "$WORK/flags"
	echo "${flags[0]}" >> "$WORK/phases"
}

# check_session_dir DIR: the invariants of one session (journal, manifest,
# files); prints and counts what is broken.
check_session_dir() {
	local dir=$1 name=${1##*/} v want got
	local j=$dir/journal.jsonl
	if [ -s "$j" ] && [ "$(tail -c 1 "$j" | od -An -tx1 | tr -d ' ')" != 0a ]; then
		# only a session never resumed since (one a kill cut while it was
		# being created) can keep a cut line: replay cuts it
		[ "$name" != "$ACTIVE" ] || violation "$name: the journal still ends in a partial line"
	fi
	complete_lines "$j" | jq -s -c . > "$WORK/journal.json" 2>"$WORK/jq.err" ||
		{ violation "$name: journal unreadable: $(cat "$WORK/jq.err")"; return; }
	local interrupted
	interrupted=$(awk -v s="$name" '$1 == s { print $2 }' "$WORK/interrupted" | sort -un | jq -s -c .)
	JQ -r --argjson interrupted "$interrupted" 'include "crash_check"; violations($interrupted)' \
		"$WORK/journal.json" > "$WORK/violations" || violation "$name: jq failed on the journal"
	while IFS= read -r v; do
		violation "$name: $v"
	done < "$WORK/violations"

	# journal and manifest, set by set
	if [ -f "$dir/manifest.json" ]; then
		JQ -c -S 'include "crash_check"; journal_sets' "$WORK/journal.json" > "$WORK/j.sets" &&
			JQ -c -S 'include "crash_check"; manifest_sets' "$dir/manifest.json" > "$WORK/m.sets" ||
			violation "$name: jq failed on the journal or the manifest"
		sort -o "$WORK/j.sets" "$WORK/j.sets"
		sort -o "$WORK/m.sets" "$WORK/m.sets"
		while IFS= read -r v; do
			violation "$name: journal and manifest differ: $v"
		done < <(diff "$WORK/j.sets" "$WORK/m.sets" | grep '^[<>]' | head -5)
		[ "$(jq '.sets_finished' "$dir/manifest.json")" = "$(wc -l < "$WORK/j.sets")" ] ||
			violation "$name: manifest sets_finished $(jq '.sets_finished' "$dir/manifest.json"), journal $(wc -l < "$WORK/j.sets")"
	elif jq -e 'any(.ev == "set_end")' "$WORK/journal.json" >/dev/null; then
		violation "$name: finished sets but no manifest.json"
	fi

	# the journaled files: there, whole, byte for byte
	journal_files "$dir" > "$WORK/want"
	(cd "$dir" && cut -d' ' -f3- "$WORK/want" | "$DIGEST") | sort > "$WORK/got"
	while IFS= read -r v; do
		violation "$name: $v"
	done < <(diff "$WORK/want" "$WORK/got" | grep '^[<>]' | sed 's/^</journal:/; s/^>/on disk:/' | head -10)
	DELIVERED=$((DELIVERED + $(wc -l < "$WORK/want")))
	ONDISK=$((ONDISK + $(comm -12 "$WORK/want" "$WORK/got" | wc -l)))
	# no original the journal does not know
	while IFS= read -r v; do
		violation "$name: $v is on disk but not journaled as saved"
	done < <(comm -23 <(originals "$dir") <(cut -d' ' -f3- "$WORK/want" | sort))
	while IFS= read -r v; do
		violation "$name: temporary file left: $v"
	done < <(find "$dir" -name '.*.tmp')
	# every file the manifest names exists
	if [ -f "$dir/manifest.json" ]; then
		while IFS= read -r v; do
			[ -s "$dir/$v" ] || violation "$name: the manifest names $v, which is not there"
		done < <(jq -r '.sets[] | (.shots[].mask_files // [] | .[]), (.sheet // empty)' "$dir/manifest.json")
	fi
	# every image decodes (each file once, unless it changed since)
	find "$dir" -type f ! -name '.*' ! -name journal.jsonl ! -name manifest.json \
		-printf '%p %s %T@\n' | sort > "$WORK/files"
	comm -23 "$WORK/files" "$WORK/decoded" > "$WORK/new"
	if [ -s "$WORK/new" ]; then
		while IFS= read -r v; do
			violation "$name: $v"
		done < <(cut -d' ' -f1 "$WORK/new" | "$DIGEST" --decode | grep -v ' ok$')
		sort -m "$WORK/decoded" "$WORK/new" > "$WORK/decoded.new" && mv "$WORK/decoded.new" "$WORK/decoded"
	fi
	SETS=$((SETS + $(jq '[.[] | select(.ev == "set_end")] | length' "$WORK/journal.json")))
	INTERRUPTED=$((INTERRUPTED + $(jq '[.[] | select(.ev == "set_end" and .interrupted)] | length' "$WORK/journal.json")))
	RECOVERED=$((RECOVERED + $(jq '[.[] | select(.ev == "file_saved" and .recovered)] | length' "$WORK/journal.json")))
}

# check: after a restart, wait (<= 120 s) until the daemon settled, then
# check the active session's continuation and every session's invariants,
# in a subshell: the figures come back in $WORK/figures.
check() {
	(check_all)
	. "$WORK/figures"
	CHECKS=$((CHECKS + 1))
}

check_all() {
	SETS=0 DELIVERED=0 ONDISK=0 INTERRUPTED=0 RECOVERED=0 ACTIVE="" NEXT=""
	trap 'echo "SETS=$SETS DELIVERED=$DELIVERED ONDISK=$ONDISK INTERRUPTED=$INTERRUPTED RECOVERED=$RECOVERED ACTIVE=$ACTIVE NEXT=$NEXT" > "$WORK/figures"' EXIT
	if ! wait_for 120 settled; then
		violation "photorigd did not settle within 120 s: $("$P" status --socket "$SOCK" 2>&1 | tr '\n' ' ')"
		return
	fi
	local st want_next
	st=$("$P" status --json --socket "$SOCK")
	ACTIVE=$(printf '%s' "$st" | jq -r '.session.name // empty')
	[ "$ACTIVE" = "$ACTIVE_AT_KILL" ] ||
		violation "the active session is '$ACTIVE', '$ACTIVE_AT_KILL' when photorigd was killed"
	if [ -n "$ACTIVE" ]; then
		want_next=$(( $(jq -s '[.[] | select(.ev == "set_begun") | .set] | max // 0' \
			"$SESSIONS/$ACTIVE/journal.jsonl") + 1 ))
		NEXT=$(printf '%s' "$st" | jq -r '.session.next_set')
		[ "$NEXT" = "$want_next" ] || violation "$ACTIVE: next set $NEXT, the journal's last set + 1 is $want_next"
	fi
	no_temp_files "$RIG/state" || violation "temporary file left in $RIG/state"
	local dir
	for dir in "$SESSIONS"/*/; do
		[ -f "$dir/journal.jsonl" ] && check_session_dir "${dir%/}"
	done
}

# sleep_ms MS
sleep_ms() { sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }

# kill_daemon KIND: SIGKILL now; the client stops; what was interrupted is
# tallied; the sets left open must come back marked interrupted.
kill_daemon() {
	if [ -n "$DPID" ]; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	DPID=""
	KILLS=$((KILLS + 1))
	workload_stop
	stop_watcher
	ACTIVE_AT_KILL=$(cat "$ACTIVE_FILE" 2>/dev/null)
	(evidence "$1")
	PHASE=$(tail -n 1 "$WORK/phases")
}

# ---- set up: plates and a first session, checked
RUN=0 KILLS=0 CHECKS=0 STARTUP_MS=100 KILLS_STARTUP=0
launch
answering || { echo "photorigd does not start"; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start crash-0
ACTIVE_AT_KILL=crash-0
check
expect_status 0 "a first set" -- pr capture
check
# Moments a random kill almost never hits, made by hand: a journal
# cut where a kill between an original's rename and its journal line would
# cut it, with that line half-written (a SIGKILL does not tear a short
# write; a power cut can), and temporary files of every kind. The journal
# up to any line is what a kill at that line leaves. At the restart, before
# the daemon answers: the files swept wherever they are (the contact sheets'
# folder too, which nothing else sweeps in a session with no further set),
# the line cut, the originals journaled as recovered with their own hashes
# (the JPEG as the file to mask, the RAW as its extra), set 2 settled as
# interrupted and complete, its masks made again.
S0=$SESSIONS/crash-0
expect_status 0 "a session beside" -- pr session start crash-side
expect_status 0 "back to crash-0" -- pr session start crash-0
expect_status 0 "set 2" -- pr capture
daemon_kill
J0=$S0/journal.jsonl
k=$(jq -n '[inputs | input_line_number as $n | select(.ev == "file_saved" and .set == 2 and
	.camera == "cam04") | $n][0]' "$J0")
hash2=$(jq -r 'select(.ev == "file_saved" and .set == 2 and .camera == "cam04") | .hash' "$J0")
{ head -n $((k - 1)) "$J0"; sed -n "${k}p" "$J0" | head -c 50; } > "$WORK/j.cut"
cp "$WORK/j.cut" "$J0"
echo "crash-0 2" >> "$WORK/interrupted"
# as from a RAW+JPEG camera, a second file of the shot (a RAW is a TIFF
# container: a TIFF stands in for it), saved before the JPEG's line
cp "$S0/cam04/cam04_0001.tif" "$S0/cam04/cam04_0002.cr2"
raw2=$("$DIGEST" "$S0/cam04/cam04_0002.cr2" | cut -d' ' -f1)
# (the sheet thread may still be writing the sheet of a session the
# operator just left when the kill comes)
mkdir -p "$SESSIONS/crash-side/sheets"
for f in "$S0/.manifest.json.AbC123.tmp" "$S0/cam01/.cam01_0003.jpg.AbC123.tmp" \
	"$S0/cam02/masks/.cam02_0002.png.AbC123.tmp" "$S0/sheets/.set_0002.png.AbC123.tmp" \
	"$SESSIONS/crash-side/sheets/.session.png.AbC123.tmp" "$RIG/state/.active_session.AbC123.tmp"; do
	echo partial > "$f"
done
launch
answering || { echo "photorigd does not restart"; exit 1; }
left=$(find "$RIG" -name '.*.tmp')
[ -z "$left" ] && pass "temporary files swept at the restart" || fail "left after the restart: $left"
grep -q 'journal ends in a partial line' "$RIG/daemon.log" && pass "the half-written line cut" ||
	fail "no partial line cut"
check
[ "$(jq -r 'select(.ev == "file_saved" and .set == 2 and .camera == "cam04" and .recovered) |
	"\(.file) \(.hash) \(.extra_files | map("\(.file) \(.hash)") | join(" "))"' "$J0")" = \
	"cam04/cam04_0002.jpg $hash2 cam04/cam04_0002.cr2 $raw2" ] &&
	pass "cam04's files of set 2 journaled as recovered, the JPEG to mask, the RAW beside it, their hashes" ||
	fail "cam04's files of set 2: $(grep '"file_saved","set":2,"camera":"cam04"' "$J0")"
[ "$(jq -c 'select(.ev == "set_end" and .set == 2) | [.complete, .interrupted]' "$J0")" = "[true,true]" ] &&
	pass "set 2 complete and interrupted" || fail "set 2: $(grep '"set_end","set":2' "$J0")"

# aim EVENT: wait (<= 4 * MAX_DELAY ms) until a watcher has seen EVENT
# 1 to 3 times since the client started, then 0 to 40 ms more. The moments
# worth a kill are short (an original being written, the few lines after
# it, a mask's files): a kill aimed just after an event lands in them far
# more often than one at a uniformly random time. EVENT "renamed": the kill
# comes the moment one camera's original of the set just triggered appears
# under its final name (a loop of shell builtins, microseconds), before the
# daemon has journaled it.
AIMS=("triggered" "saved" "masked" "complete, spread" "contact sheet" "renamed")
aim() {
	local n t0 t f set
	rand 3
	n=$((R + 1))
	now_ms
	t0=$NOW
	t=$1
	[ "$t" != renamed ] || t=triggered
	(while [ "$(grep -c -- "$t" "$WORK/watch.log")" -lt "$n" ] && now_ms &&
		[ $((NOW - t0)) -lt $((4 * MAX_DELAY)) ]; do
		sleep 0.005
	done)
	case $1 in
	renamed)
		rand 4
		t=cam0$((R + 1))
		# the file template is demo.ini's {camera}_{set:04}
		f=$(set=$(grep -m "$n" -- 'triggered' "$WORK/watch.log" | tail -1 |
			sed -n 's/^set \([0-9]*\):.*/\1/p')
			echo "$SESSIONS/$(cat "$ACTIVE_FILE")/$t/${t}_$(printf '%04d' "${set:-0}").jpg")
		local deadline=$((SECONDS + 5))
		until [ -e "$f" ] || [ $SECONDS -ge $deadline ]; do :; done
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null # reaped here, or bash says "Killed" about it
		DPID=""
		;;
	triggered)
		# when cam01/cam02 (20 ms) or cam03 (150 ms) write their originals
		rand 2
		t=$(( R ? 150 : 20 ))
		rand 21
		sleep_ms $((t + R))
		;;
	*)
		rand 41
		sleep_ms "$R"
		;;
	esac
	now_ms
	DELAY=$((NOW - t0))
}

for RUN in $(seq 1 "$RUNS"); do
	# a watcher to aim by, and the client
	"$P" watch --socket "$SOCK" > "$WORK/watch.log" 2>&1 &
	WATCHPID=$!
	rand 32768
	workload_start "$R" "$RUN"
	# half the kills at a random time within MAX_DELAY ms, half aimed
	rand 2
	if [ "$R" = 0 ]; then
		rand $((MAX_DELAY + 1))
		DELAY=$R
		sleep_ms "$DELAY"
		AIMED=""
	else
		rand ${#AIMS[@]}
		AIMED=${AIMS[$R]}
		aim "$AIMED"
		AIMED=" aimed after '$AIMED'"
	fi
	touch "$WORK/stop"
	kill_daemon running
	WHAT="killed after $DELAY ms$AIMED ($PHASE)"
	# one run in four kills the next start too, before it answers (drawn
	# from the time the last start took): config, plates, journal replay,
	# settling what the first kill cut short
	rand 4
	if [ "$R" = 0 ]; then
		launch
		rand $((STARTUP_MS * 3 / 2 + 1))
		sleep_ms "$R"
		kill_daemon start-up
		KILLS_STARTUP=$((KILLS_STARTUP + 1))
		WHAT="$WHAT, start-up killed after $R ms ($PHASE)"
	fi
	launch
	if ! answering; then
		violation "photorigd did not come back"
		break
	fi
	before=$(violations)
	now_ms
	t=$NOW
	check
	now_ms
	WHAT="$WHAT; checked in $((NOW - t)) ms"
	t=$(violations)
	printf 'run %d/%d: %s; %s: %d sets, %d images journaled, %d on disk as journaled, %d interrupted sets, %d files recovered%s\n' \
		"$RUN" "$RUNS" "$WHAT" "${ACTIVE:-no session}" "$SETS" "$DELIVERED" "$ONDISK" \
		"$INTERRUPTED" "$RECOVERED" "$([ "$t" = "$before" ] || echo ", $((t - before)) VIOLATIONS")"
done

# the session continues: one more set takes the next number, then a clean stop
if [ -n "$DPID" ] && [ -n "$ACTIVE" ]; then
	expect_status 0 "a set after the last restart" -- pr capture
	expect_output "set $NEXT: complete" "it is set $NEXT"
	daemon_stop && [ "$DSTATUS" = 0 ] && pass "SIGTERM: clean exit" || fail "exit status $DSTATUS"
	ACTIVE_AT_KILL=$ACTIVE
	launch
	answering && check
fi

# a sanitizer build reports there what it found, and goes on (UBSan)
while IFS= read -r v; do
	violation "sanitizer: $v"
done < <(grep -h -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$RIG/daemon.log" "$WORK/client.log" \
	2>/dev/null | head -20)

echo
echo "=== crash consistency: seed $SEED"
echo "runs: $RUN; kills: $KILLS ($KILLS_STARTUP at start-up); restarts checked: $CHECKS"
echo "what the kills interrupted (first sign):"
sort "$WORK/phases" | uniq -c | sort -rn | sed 's/^/  /'
echo "every sign seen (a kill can show several):"
sort "$WORK/flags" | uniq -c | sort -rn | sed 's/^/  /'
echo "sessions: $(ls "$SESSIONS" | wc -l); sets finished: $SETS ($INTERRUPTED interrupted by a kill)"
echo "images journaled as saved: $DELIVERED; on disk, whole and byte-identical: $ONDISK; recovered after a kill: $RECOVERED"
echo "journal lines cut at restart: $(grep -c 'journal ends in a partial line' "$RIG/daemon.log"); temporary files swept: $(grep -o 'removed [0-9]* unfinished' "$RIG/daemon.log" | awk '{ n += $2 } END { print n + 0 }')"
echo "invariant violations: $(violations)"
[ "$(violations)" = 0 ] && [ "$FAILS" = 0 ]
