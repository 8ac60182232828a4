# photorigd when the output disk fills up, on a 4-camera sim rig whose
# sessions live on a small tmpfs (mounted in a private mount namespace, so
# no other process sees it; exit 77, skipped, where namespaces or tmpfs
# mounts are refused):
#  1. below [daemon] min_free_mb a capture is refused, naming the folder,
#     its free space and the threshold; status says DISK FULL; when the
#     space returns the daemon notices by itself and captures again;
#  2. the disk fills up in the middle of a set (the cameras take 2 s, the
#     disk is filled meanwhile): the originals that found no room leave no
#     file, temporary or final; the journal names them as held; the daemon
#     refuses the next set; when the space returns the held originals are
#     written byte for byte, masked, and the session goes on;
#  3. photorigd stops while it holds originals: they go to the spill folder
#     in the state folder, and the next start brings them into the session;
#  4. a turntable scan: refused below the threshold; paused with the reason
#     when the disk fills between steps; resumed by itself with the space;
#  4c. beyond [daemon] hold_max_mb the originals that find no room go to
#     the spill folder at once, and into the session with the space; where
#     the spill folder cannot be written either, they are journaled as lost;
#  5. photorigd killed (SIGKILL) while it holds originals: the restart
#     journals exactly those as lost.
# Throughout: every original the journal names is whole and has the
# journal's size and hash; journal and manifest agree; no restart is needed.
. "$(dirname "$0")/mountns.inc"
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
OUTDIR=$RIG/sessions
mkdir -p "$OUTDIR"
mount -t tmpfs -o size=128m photorig-out "$OUTDIR" || { echo "skip: cannot mount a tmpfs" >&2; exit 77; }
LPID=""
trap 'daemon_kill; [ -z "$LPID" ] || kill "$LPID" 2>/dev/null; umount -l "$OUTDIR" 2>/dev/null; rm -rf "$TMP"' EXIT
FILLER=$OUTDIR/filler
for c in cam01 cam02 cam03 cam04; do
	ini_set "camera $c" width 640
	ini_set "camera $c" height 480
	ini_set "camera $c" latency_ms 2000
done
ini_set daemon min_free_mb 4

# fill_to BYTES: leave about BYTES free on the tmpfs. A writer of the
# daemon's (a contact sheet) may take space meanwhile: measure again and
# top up until at most BYTES + 64 KB are free.
fill_to() {
	local avail i
	rm -f "$FILLER".*
	for i in $(seq 1 50); do
		avail=$(df -B1 --output=avail "$OUTDIR" | tail -1)
		[ "$avail" -le $(($1 + 65536)) ] && return 0
		fallocate -l $((avail - $1)) "$FILLER.$i" 2>/dev/null || rm -f "$FILLER.$i"
	done
	echo "cannot fill $OUTDIR to $1 bytes free"
	return 1
}

# originals_ok DIR: every file the journal saved has its size and FNV-1a 64
# hash, ends as a JPEG does, and no original is under a final name that the
# journal does not name as saved.
originals_ok() {
	python3 - "$1" <<'EOF'
import glob, json, os, sys
d = sys.argv[1]
bad = 0
saved = set()
for line in open(os.path.join(d, "journal.jsonl")):
    o = json.loads(line)
    if o.get("ev") != "file_saved":
        continue
    for f in [o] + o.get("extra_files", []):
        saved.add(f["file"])
        try:
            data = open(os.path.join(d, f["file"]), "rb").read()
        except OSError:
            print("  missing:", f["file"]); bad = 1; continue
        h = 0xcbf29ce484222325
        for b in data:
            h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
        if len(data) != f["size"] or "fnv1a64:%016x" % h != f["hash"] or data[-2:] != b"\xff\xd9":
            print("  differs from the journal or not whole:", f["file"]); bad = 1
for p in glob.glob(os.path.join(d, "cam*", "*.jpg")):
    if os.path.relpath(p, d) not in saved:
        print("  on disk but not journaled:", os.path.relpath(p, d)); bad = 1
sys.exit(bad)
EOF
}

# held_files DIR: the originals the journal says are held (not yet written).
held_files() {
	jq -r 'select(.ev == "file_failed" and .held == true) | .files[]' "$1/journal.jsonl" |
		while read -r f; do [ -e "$1/$f" ] || echo "$f"; done
}

# capture_while_filling N: a capture (set N) in the background; once the
# set is triggered, while the cameras take their 2 s, the disk is filled to
# about 100 KB free: room for one or two 640x480 originals, not four. The
# client's output goes to $TMP/capN.out, its exit status to CAPRC.
capture_while_filling() {
	pr capture > "$TMP/cap$1.out" 2>&1 &
	local cpid=$!
	wait_for 10 grep -q "\"ev\":\"set_begun\",\"set\":$1," "$S/journal.jsonl" || fail "set $1 not triggered"
	fill_to $((100 * 1024)) || fail "fill"
	wait $cpid; CAPRC=$?
}

idle() { pr status | grep -q '^idle' && pr status | grep -q 'masks in the queue: 0'; }
# settled N: set N's masks and contact sheets are written (filling the disk
# while they are still being written would make what fits a matter of luck)
settled() {
	wait_for 30 idle &&
		wait_for 30 sh -c "jq -e 'select(.ev == \"sheet_written\" and .set == $1)' '$S/journal.jsonl' | grep -q ."
}
disk_full() { pr status | grep -q '^DISK FULL'; }
# next_set_filling: NEXT is the next set's number; once the set before has
# settled, set NEXT is shot while the disk fills (capture_while_filling)
next_set_filling() {
	NEXT=$(pr status | sed -n 's/.*next set \([0-9]*\).*/\1/p')
	settled $((NEXT - 1)) || fail "set $((NEXT - 1))'s masks and sheets did not finish"
	capture_while_filling "$NEXT"
}

# systemd's STATUS lines, through a stand-in for its notification socket
"${PHOTORIG_NOTIFY_LISTEN:-false}" "$TMP/notify.sock" 600 > "$TMP/notify.out" 2>/dev/null &
LPID=$!
wait_for 5 test -S "$TMP/notify.sock" || echo "no notification listener: STATUS lines not checked"
NOTIFY_SOCKET=$TMP/notify.sock daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 2
expect_status 0 "session" -- pr session start df-1
S=$OUTDIR/df-1
expect_status 0 "set 1 with room to spare" -- pr capture
expect_output 'set 1: complete' "set 1 complete"
expect_status 0 "status" -- pr status
expect_output "disk: [0-9.]+ MB free in $S \(min_free_mb 4\)" "status shows the free space and the threshold"

# ---- 1. below the threshold: refused, then resumed by itself ----
fill_to $((2 * 1048576)) || fail "fill"
expect_status 1 "capture with 2 MB free is refused" -- pr capture
expect_output "disk full" "the refusal says disk full"
expect_output "$S has [0-9.]+ MB free, \[daemon\] min_free_mb = 4" "and names the folder, its free space and the threshold"
[ "$(jq -c 'select(.ev == "set_begun")' "$S/journal.jsonl" | wc -l)" = 1 ] && pass "no set was begun" || fail "a set was begun on a full disk"
expect_status 0 "status" -- pr status
expect_output '^DISK FULL: captures refused .*below \[daemon\] min_free_mb = 4' "status shows DISK FULL and why"
grep -q 'disk full: .* has [0-9.]* MB free, below \[daemon\] min_free_mb = 4' "$RIG/daemon.log" && pass "logged" || fail "not logged"
if grep -q '^READY=1' "$TMP/notify.out" 2>/dev/null; then
	grep -q '^STATUS=4/4 cameras, session df-1, set 1, DISK FULL: captures refused' "$TMP/notify.out" &&
		pass "systemd's STATUS line says DISK FULL" || fail "STATUS: $(grep STATUS "$TMP/notify.out")"
fi
rm -f "$FILLER".*
# no request meanwhile: the daemon's own timer notices the space
wait_for 20 grep -q 'disk space back: .* captures are accepted again' "$RIG/daemon.log" &&
	pass "the daemon noticed the space by itself" || fail "disk space not noticed"
if grep -q '^READY=1' "$TMP/notify.out" 2>/dev/null; then
	wait_for 5 sh -c "tail -1 '$TMP/notify.out' | grep -q '^STATUS=4/4 cameras, session df-1, set 1\$'" &&
		pass "and no longer once the space is back" || fail "STATUS: $(tail -1 "$TMP/notify.out")"
fi
expect_status 0 "capture after the space returned, same daemon" -- pr capture
expect_output 'set 2: complete' "set 2 complete"
kill -0 "$DPID" && pass "no restart was needed" || fail "the daemon is gone"

# ---- 2. the disk fills up while the cameras are taking the set ----
settled 2 || fail "set 2's masks and sheets did not finish"
capture_while_filling 3
[ $CAPRC = 1 ] && grep -q 'set 3: INCOMPLETE' "$TMP/cap3.out" && pass "set 3 reported incomplete (exit 1)" ||
	fail "set 3: exit $CAPRC, $(cat "$TMP/cap3.out")"
HELD=$(held_files "$S")
NHELD=$(printf '%s\n' "$HELD" | grep -c .)
[ "$NHELD" -ge 1 ] && pass "$NHELD original(s) of set 3 found no room and are held: $(echo $HELD)" ||
	fail "no original of set 3 was held; journal: $(grep '"set":3' "$S/journal.jsonl")"
REASONS=$(jq -r 'select(.ev == "file_failed" and .set == 3 and .held == true) | .reason' "$S/journal.jsonl")
[ "$(printf '%s\n' "$REASONS" | grep -c 'No space left on device.*kept in memory')" = "$NHELD" ] &&
	pass "the journal says why and that they are kept" ||
	fail "journal reason: $(jq -r 'select(.ev == "file_failed" and .set == 3) | .reason' "$S/journal.jsonl")"
wait_for 30 idle || fail "masks of set 3 did not finish"
wait_for 10 no_temp_files "$S" && pass "no temporary file left" || fail "temporary files left: $(find "$S" -name '.*.tmp')"
originals_ok "$S" && pass "every journaled original is whole and as journaled; no other original under a final name" ||
	fail "originals differ from the journal"
expect_status 0 "status" -- pr status
expect_output '^DISK FULL' "status shows DISK FULL"
expect_output "$NHELD originals? \([0-9.]+ MB\) held in memory" "and how many originals it holds"
expect_status 1 "the next capture is refused" -- pr capture
expect_output "disk full.*$S has [0-9.]+ MB free.*held in memory wait to be written" "naming the folder and the held originals"
[ "$(jq -c 'select(.ev == "set_begun")' "$S/journal.jsonl" | wc -l)" = 3 ] && pass "no set 4 begun" || fail "a set was begun"

rm -f "$FILLER".*
wait_for 20 sh -c "[ -z \"\$(jq -r 'select(.ev == \"file_failed\" and .held == true) | .files[]' '$S/journal.jsonl' |
	while read -r f; do [ -e '$S/'\$f ] || echo \$f; done)\" ]" &&
	pass "the held originals are written once there is room" || fail "held originals not written: $(held_files "$S")"
wait_for 20 sh -c "! '$P' status --socket '$SOCK' | grep -q '^DISK FULL'" && pass "the disk-full state is left" || fail "still DISK FULL"
[ "$(jq -c 'select(.ev == "file_saved" and .set == 3 and .held == true)' "$S/journal.jsonl" | wc -l)" = "$NHELD" ] &&
	pass "each journaled as saved (held, late)" || fail "held files not journaled"
wait_for 30 idle || fail "masks did not finish"
wait_for 10 sh -c "[ \"\$(jq '[.sets[] | select(.set == 3) | .shots[] | select(.mask == \"written\")] | length' '$S/manifest.json')\" = 4 ]" &&
	pass "every original of set 3 is masked, including those made again after the disk was full" ||
	fail "set 3 masks: $(jq -c '.sets[] | select(.set == 3) | [.shots[].mask]' "$S/manifest.json")"
originals_ok "$S" && pass "the written originals are byte for byte what the cameras delivered" || fail "originals differ"
wait_for 10 no_temp_files "$S" && pass "no temporary file" || fail "temporary files"
check_session "$S" && pass "journal, manifest and files agree" || fail "journal, manifest and files disagree"
expect_status 0 "capture resumes" -- pr capture
expect_output 'set 4: complete' "set 4 complete, numbering continues"
kill -0 "$DPID" && pass "still the same daemon" || fail "the daemon is gone"

# ---- 3. stopped while holding originals: the spill folder ----
settled 4 || fail "set 4's masks and sheets did not finish"
capture_while_filling 5
HELD5=$(jq -r 'select(.ev == "file_failed" and .set == 5 and .held == true) | .files[]' "$S/journal.jsonl")
[ -n "$HELD5" ] && pass "set 5 holds $(echo $HELD5)" || fail "nothing held in set 5"
wait_for 30 idle || fail "masks of set 5 did not finish"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "SIGTERM while holding originals: clean exit" || fail "exit status $DSTATUS"
bad=0
for f in $HELD5; do [ -s "$RIG/state/held/df-1/$f" ] || { bad=1; echo "not spilled: $f"; }; done
[ $bad = 0 ] && pass "the held originals were written to the spill folder" || fail "spill"
grep -q "is kept in $RIG/state/held/df-1/" "$RIG/daemon.log" && pass "the log says where" || fail "spill not logged"
rm -f "$FILLER".*
daemon_start || { fail "restart"; finish; exit 1; }
wait_for 10 sh -c "[ \"\$(jq -c 'select(.ev == \"file_saved\" and .set == 5 and .held == true)' '$S/journal.jsonl' | wc -l)\" = $(echo $HELD5 | wc -w) ]" &&
	pass "the restart brought them into the session and journaled them" || fail "not restored"
[ ! -e "$RIG/state/held/df-1" ] && pass "the spill folder is empty again" || fail "spill folder left: $(find "$RIG/state/held")"
wait_for 30 idle || fail "masks after the restart did not finish"
originals_ok "$S" && pass "restored originals are as the cameras delivered them" || fail "restored originals differ"
check_session "$S" && pass "journal, manifest and files agree after the restart" || fail "inconsistent after the restart"
expect_status 0 "capture after the restart" -- pr capture
expect_output 'set 6: complete' "set 6 complete"

# ---- 4. a turntable scan (the sim table) ----
scan_state() { pr scan status --json 2>/dev/null | jq -r '.scan.state // "none"'; }
scan_is() { [ "$(scan_state)" = "$1" ]; }
settled 6 || fail "set 6's masks and sheets did not finish"
fill_to $((2 * 1048576)) || fail "fill"
expect_status 1 "a scan start with 2 MB free is refused" -- pr scan start --detach --steps 3 --settle-ms 100
expect_output "disk full.*min_free_mb = 4" "saying why"
rm -f "$FILLER".*
expect_status 0 "scan start with room" -- pr scan start --detach --steps 3 --settle-ms 100
wait_for 20 grep -q '"ev":"set_begun","set":7' "$S/journal.jsonl" || fail "the first step's set did not begin"
fill_to $((2 * 1048576)) || fail "fill"
wait_for 30 scan_is paused && pass "the scan paused before the next step" || fail "scan state $(scan_state)"
expect_status 0 "scan status" -- pr scan status
expect_output "disk full.*$S has [0-9.]+ MB free.*goes on at step 2 of 3 by itself" "with the reason and what happens next"
rm -f "$FILLER".*
wait_for 60 scan_is done && pass "the scan resumed by itself and finished" || fail "scan state $(scan_state)"
wait_for 30 idle || fail "masks of the scan did not finish"
wait_for 10 sh -c "[ \"\$(jq -c '[.sets[] | select(.scan == 1) | .step] | unique' '$S/manifest.json')\" = '[0,1,2]' ]" &&
	pass "every step has its set" || fail "scan sets: $(jq -c '[.sets[] | select(.scan == 1) | .step]' "$S/manifest.json")"
check_session "$S" && pass "journal, manifest and files agree after the scan" || fail "inconsistent after the scan"

# ---- 4b. the space returns together with a reload that changes the cameras ----
# The cameras' threads write what they hold when the space returns, and a
# reload that changes the cameras replaces those threads: written by a
# camera of the rig before, the held originals are still journaled, masked
# and in the manifest (found by the soak: they stayed on disk unjournaled).
held_gone() { [ -z "$(held_files "$S")" ]; }
next_set_filling
HELDR=$(held_files "$S")
[ -n "$HELDR" ] && pass "set $NEXT holds $(echo $HELDR)" || fail "nothing held in set $NEXT"
wait_for 30 idle || fail "masks of set $NEXT did not finish"
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" latency_ms 1000; done
rm -f "$FILLER".*
# photorigd looks at the disk every 2 s as well as at each request: when it
# saw the space first, it is writing and masking the held originals as the
# reload arrives, and the reload is put off ("busy") until that work is done.
# Either way the new config must be applied (a put-off reload waited for the
# next capture or plate before).
n0=$(grep -c 'config reloaded from' "$RIG/daemon.log")
OUT=$(pr reload 2>&1)
rc=$?
if [ $rc = 0 ]; then
	pass "space back, and a reload that changes every camera (applied at once)"
elif [ $rc = 1 ] && printf '%s' "$OUT" | grep -q 'busy: the new config changes the cameras'; then
	pass "space back, and a reload that changes every camera (put off: the held originals were being written)"
else
	fail "space back, and a reload that changes every camera: exit $rc: $OUT"
fi
wait_for 30 sh -c "[ \$(grep -c 'config reloaded from' '$RIG/daemon.log') -gt $n0 ]" &&
	pass "the new config is applied" || fail "the reload was never applied"
wait_for 20 held_gone && pass "the held originals are written" || fail "still held: $(held_files "$S")"
# held_journaled: each of HELDR journaled as saved (held)
held_journaled() {
	local f saved
	saved=$(jq -r 'select(.ev == "file_saved" and .held == true) | .file' "$S/journal.jsonl")
	for f in $HELDR; do printf '%s\n' "$saved" | grep -qxF "$f" || return 1; done
}
wait_for 10 held_journaled && pass "each journaled as saved, by the cameras of the rig before the reload" ||
	fail "held originals not journaled: $(echo $HELDR)"
wait_for 30 idle || fail "masks did not finish"
originals_ok "$S" && pass "no original on disk that the journal does not name" || fail "originals differ from the journal"
check_session "$S" && pass "journal, manifest and files agree after the reload" || fail "inconsistent after the reload"
for c in cam01 cam02 cam03 cam04; do ini_set "camera $c" latency_ms 2000; done
expect_status 0 "cameras as before" -- pr reload
expect_status 0 "a set with room" -- pr capture

# ---- 4c. beyond [daemon] hold_max_mb: the spill folder at once ----
# With no memory allowed for held originals, those that find no room go to
# STATE_DIR/held/SESSION/ at once, journaled as held, and come into the
# session with the space; where the spill folder cannot be written either,
# the journal says they are lost, and why.
SPILL=$RIG/state/held/df-1
ini_set daemon hold_max_mb 0
expect_status 0 "reload: hold_max_mb = 0" -- pr reload
next_set_filling
HELDS=$(held_files "$S")
[ -n "$HELDS" ] && pass "set $NEXT holds $(echo $HELDS)" || fail "nothing held in set $NEXT"
bad=0
for f in $HELDS; do [ -s "$SPILL/$f" ] || { bad=1; echo "not in the spill folder: $f"; }; done
[ $bad = 0 ] && pass "written to the spill folder at once, the daemon still running" || fail "not spilled at once"
REASONS=$(jq -r "select(.ev == \"file_failed\" and .set == $NEXT and .held == true) | .reason" "$S/journal.jsonl")
[ "$(printf '%s\n' "$REASONS" | grep -c "hold_max_mb = 0.*kept in $SPILL")" = "$(echo $HELDS | wc -w)" ] &&
	pass "the journal names the limit and where each is kept" || fail "reasons: $REASONS"
wait_for 30 idle || fail "masks of set $NEXT did not finish"
rm -f "$FILLER".*
wait_for 20 held_gone && pass "with the space they come into the session" || fail "still held: $(held_files "$S")"
HELDR=$HELDS
wait_for 10 held_journaled && pass "each journaled as saved (held)" || fail "not journaled: $(echo $HELDS)"
wait_for 10 test ! -e "$SPILL" && pass "the spill folder is empty again" || fail "spill folder left: $(find "$SPILL")"
wait_for 30 idle || fail "masks did not finish"
originals_ok "$S" && pass "they are byte for byte what the cameras delivered" || fail "originals differ"
check_session "$S" && pass "journal, manifest and files agree" || fail "inconsistent"
expect_status 0 "a set with room" -- pr capture
# the spill folder cannot be made: a file stands in its way
rm -rf "$RIG/state/held"
echo "in the way" > "$RIG/state/held"
next_set_filling
LOSTS=$(jq -r "select(.ev == \"file_failed\" and .set == $NEXT and .lost == true) | .reason" "$S/journal.jsonl")
NLOST=$(printf '%s\n' "$LOSTS" | grep -c 'LOST: .*hold_max_mb = 0.*writing it to .* failed too')
[ "$NLOST" -ge 1 ] && pass "$NLOST original(s) journaled as lost, saying why" ||
	fail "set $NEXT: $(grep "\"set\":$NEXT," "$S/journal.jsonl" | grep file_)"
[ -z "$(held_files "$S")" ] && pass "none named as held" || fail "named as held: $(held_files "$S")"
rm -f "$FILLER".* "$RIG/state/held"
wait_for 20 sh -c "! '$P' status --socket '$SOCK' | grep -q '^DISK FULL'" && pass "the disk-full state is left" || fail "still DISK FULL"
wait_for 30 idle || fail "masks did not finish"
check_session "$S" && pass "journal, manifest and files agree with the lost originals" || fail "inconsistent"
ini_set daemon hold_max_mb 1024
expect_status 0 "reload: hold_max_mb = 1024" -- pr reload
expect_status 0 "a set with room" -- pr capture

# ---- 5. killed while holding originals ----
next_set_filling
HELDK=$(held_files "$S")
[ -n "$HELDK" ] && pass "set $NEXT holds $(echo $HELDK)" || fail "nothing held in set $NEXT"
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null; DPID=""
rm -f "$FILLER".*
daemon_start || { fail "restart after SIGKILL"; finish; exit 1; }
LOST=$(jq -r "select(.ev == \"file_failed\" and .set == $NEXT and .lost == true) | .camera" "$S/journal.jsonl" | sort | tr '\n' ' ')
WANT=$(for f in $HELDK; do echo "${f%%/*}"; done | sort | tr '\n' ' ')
[ -n "$LOST" ] && [ "$LOST" = "$WANT" ] && pass "the journal names exactly the originals lost with the daemon: $LOST" ||
	fail "lost: '$LOST', held were '$WANT'"
[ "$(jq "[.sets[] | select(.set == $NEXT) | .shots[] | select(.note // \"\" | test(\"LOST\"))] | length" "$S/manifest.json")" = "$(echo $HELDK | wc -w)" ] &&
	pass "and so does the manifest" || fail "manifest: $(jq -c ".sets[] | select(.set == $NEXT)" "$S/manifest.json")"
wait_for 30 idle || fail "masks after the restart did not finish"
check_session "$S" && pass "journal, manifest and files agree after SIGKILL" || fail "inconsistent after SIGKILL"
expect_status 0 "capture after SIGKILL" -- pr capture
expect_output "set $((NEXT + 1)): complete" "set $((NEXT + 1)) complete"
wait_for 10 no_temp_files "$S" && pass "no temporary file at the end" || fail "temporary files at the end"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "clean exit" || fail "exit status $DSTATUS"
grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$RIG/daemon.log" && fail "sanitizer reports" || pass "no sanitizer report"
finish
