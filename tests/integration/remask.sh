# photorig remask: after one camera's plate is recorded again, a remask
# rewrites exactly that camera's masks (hashes of every output before and
# after; the other cameras' come out byte for byte the same), never touches
# an original, and leaves journal and manifest agreeing. Once through
# photorigd (the active session), once offline with photorigd stopped (the
# plates and settings of its config); photorigd started again replays the
# offline remask's journal lines into the same manifest.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

rig_dir rig
daemon_start || { fail "daemon start"; finish; exit 1; }
expect_status 0 "plates" -- pr plate --frames 3
expect_status 0 "session start" -- pr session start pot
expect_status 0 "two sets" -- pr capture --count 2
S=$RIG/sessions/pot
settled() { [ "$(jq '[.sets[].shots[] | select(.mask == "written")] | length' "$S/manifest.json" 2>/dev/null)" = 8 ] && no_temp_files "$S"; }
wait_for 60 settled || fail "masks not written"

# every mask output (masks/, TIFFs, convention copies) and every original, hashed
outputs() { (cd "$S" && find cam0? -type f \( -name '*.png' -o -name '*.tif' \) ! -path '*/truth/*' ! -name '*_backdrop*' | sort | xargs sha256sum); }
originals() { (cd "$S" && find cam0? -maxdepth 1 -name '*.jpg' | sort | xargs sha256sum); }
changed() { # BEFORE AFTER: the cameras whose outputs changed, and how many files
	join <(printf '%s\n' "$1" | awk '{print $2, $1}') <(printf '%s\n' "$2" | awk '{print $2, $1}') |
		awk '$2 != $3 {split($1, p, "/"); print p[1]}' | sort | uniq -c | awk '{print $2 ":" $1}' | tr '\n' ' '
}
plate_ids() { jq -r '.sets[].shots[] | "\(.camera) \(.mask_stats.plate_id)"' "$S/manifest.json" | sort -u; }
O0=$(originals); H0=$(outputs); P0=$(plate_ids)
NOUT=$(printf '%s\n' "$H0" | grep -c cam02/)
[ "$NOUT" -ge 4 ] && pass "cam02 has $NOUT mask outputs for 2 sets" || fail "cam02 outputs: $NOUT"

# --- through photorigd ---------------------------------------------------------
expect_status 0 "record cam02's plate again" -- pr plate --frames 2 --camera cam02
expect_status 2 "--sets 2-1 refused" -- pr remask pot --sets 2-1
expect_status 1 "--offline refused for the active session" -- pr remask pot --offline --config "$RIG/photorig.ini"
expect_output "active session" "says why"
expect_status 0 "remask through photorigd" -- pr remask pot
expect_output "8 shot\(s\) masked again by photorigd" "8 shots masked again"
H1=$(outputs)
[ "$(changed "$H0" "$H1")" = "cam02:$NOUT " ] && pass "exactly cam02's $NOUT outputs were rewritten" ||
	fail "changed: $(changed "$H0" "$H1")"
[ "$(originals)" = "$O0" ] && pass "originals untouched" || fail "an original changed"
P1=$(plate_ids)
[ "$(diff <(echo "$P0") <(echo "$P1") | grep -c '^>')" = 1 ] && grep -q "^cam02 " <(diff <(echo "$P0") <(echo "$P1") | sed -n 's/^> //p') &&
	pass "manifest: only cam02's plate id changed" || fail "plate ids: $P0 -> $P1"
[ "$(jq -s '[.[] | select(.ev == "remask_begun")] | length' "$S/journal.jsonl")" = 1 ] &&
	[ "$(jq -s '[.[] | select(.ev == "remask_done" and .shots == 8)] | length' "$S/journal.jsonl")" = 1 ] &&
	pass "journal: remask_begun and remask_done" || fail "journal lacks the remask"
[ "$(jq -s 'map(select(.ev == "mask_written")) | length' "$S/journal.jsonl")" = 16 ] &&
	pass "journal: 8 more mask_written" || fail "mask_written lines: $(jq -s 'map(select(.ev == "mask_written")) | length' "$S/journal.jsonl")"
check_session "$S" && pass "journal, manifest and files agree" || fail "journal, manifest and files disagree"
no_temp_files "$S" && pass "no temporary file" || fail "temporary files left"

# --- offline ----------------------------------------------------------------------
expect_status 0 "record cam03's plate again" -- pr plate --frames 2 --camera cam03
daemon_stop
H1=$(outputs); P1=$(plate_ids)
expect_status 0 "remask offline, photorigd stopped" -- "$P" remask pot --socket "$SOCK" --config "$RIG/photorig.ini"
expect_output "8 shots masked again offline" "8 shots masked again"
H2=$(outputs)
[ "$(changed "$H1" "$H2")" = "cam03:$NOUT " ] && pass "offline: exactly cam03's $NOUT outputs were rewritten" ||
	fail "offline changed: $(changed "$H1" "$H2")"
[ "$(originals)" = "$O0" ] && pass "offline: originals untouched" || fail "offline: an original changed"
P2=$(plate_ids)
[ "$(diff <(echo "$P1") <(echo "$P2") | sed -n 's/^> //p' | cut -d' ' -f1 | sort -u)" = cam03 ] &&
	pass "offline: manifest: only cam03's plate id changed" || fail "plate ids: $P1 -> $P2"
[ "$(jq -s 'map(select(.ev == "mask_written" and .remask)) | length' "$S/journal.jsonl")" = 8 ] &&
	pass "offline: journal has 8 mask_written with remask" || fail "offline journal lines"
check_session "$S" && pass "offline: journal, manifest and files agree" || fail "offline: disagree"
no_temp_files "$S" && pass "offline: no temporary file" || fail "offline: temporary files left"
# the journal is the truth: photorigd replays it into the manifest the offline remask wrote
M2=$(jq -c '[.sets[].shots[] | [.camera, .mask, .mask_stats.plate_id, .mask_stats.foreground]]' "$S/manifest.json")
daemon_start || fail "daemon restart"
wait_for 10 test -S "$SOCK"
M3=$(jq -c '[.sets[].shots[] | [.camera, .mask, .mask_stats.plate_id, .mask_stats.foreground]]' "$S/manifest.json")
[ "$M2" = "$M3" ] && pass "photorigd's manifest from the journal equals the offline one" ||
	fail "manifest after replay differs: $M2 vs $M3"
expect_status 1 "a session photorigd does not have" -- pr remask nosuch --config "$RIG/photorig.ini"
finish
