#!/bin/bash
# Cluster soak: one rig of three photorigd nodes (ws1, ws2, ws3) of two sim
# cameras each, joined by a real Mosquitto on 127.0.0.1 at a free port.
# Plates and a session through ws1, then N sets shot through ws1's socket in
# batches; between batches, at random (from the seed): a node other than the
# coordinator is killed with SIGKILL, the next batch is shot without it, and
# it is restarted a few seconds later (with --mid-batch-kills, also killed
# at a random moment during a batch); or the broker is stopped for a few
# seconds and restarted. At the end, with the nodes stopped:
#   - each node's session (tests/soak/soak_check.py): every file it journaled
#     as saved is on its disk with its size and FNV-1a hash, every image
#     decodes, no set number begun twice, no temporary file left, journal and
#     manifest agree;
#   - the rig manifest (tests/soak/cluster_check.py): N sets, each number once,
#     each complete or naming exactly the NODE/CAMERAs without a file, and
#     every file it names is the node's own, saved, on its disk.
# Prints a summary (sets, complete/incomplete, kills, broker restarts, images
# delivered and on disk, lost, wall time) and exits 1 on any failed check.
#
#   tests/soak/cluster_soak.sh [--sets N] [--seed S] [--batch B] [--build DIR] [--keep]
#                          [--mid-batch-kills]
#
# --build (default $PHOTORIG_BUILD or build/) must hold photorigd, photorig
# and tests/file_digest. Exits 77 if mosquitto is not installed. Every wait
# is bounded; the seed is printed so a run's choices can be replayed (the
# timing of the daemons is real, so two runs with one seed differ in detail).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SETS=200 SEED=$((RANDOM * 32768 + RANDOM)) BATCH=5 BUILD=${PHOTORIG_BUILD:-$SRC/build} KEEP= MIDKILL=0
usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "$1"; }
while [ $# -gt 0 ]; do
	case $1 in
	--sets) SETS=$2; shift ;;
	--seed) SEED=$2; shift ;;
	--batch) BATCH=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--keep) KEEP=1 ;;
	--mid-batch-kills) MIDKILL=1 ;;
	-h|--help) usage 0 ;;
	*) echo "cluster_soak: unknown option $1" >&2; usage 2 ;;
	esac
	shift
done
case $SETS$SEED$BATCH in *[!0-9]*) echo "cluster_soak: --sets, --seed and --batch take numbers" >&2; exit 2 ;; esac
[ "$SETS" -ge 1 ] && [ "$BATCH" -ge 1 ] || { echo "cluster_soak: --sets and --batch are at least 1" >&2; exit 2; }
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "cluster_soak: no build folder" >&2; exit 2; }
export PHOTORIG_BIN=$BUILD/tools/photorig PHOTORIGD_BIN=$BUILD/daemon/photorigd PHOTORIG_SOURCE=$SRC
DIGEST=$BUILD/tests/file_digest
for f in "$PHOTORIG_BIN" "$PHOTORIGD_BIN" "$DIGEST"; do
	[ -x "$f" ] || { echo "cluster_soak: $f is missing (build photorigd photorig file_digest)" >&2; exit 2; }
done
for t in jq python3 timeout; do
	command -v "$t" >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
. "$SRC/tests/integration/lib.inc"
. "$SRC/tests/integration/daemon.inc"
. "$SRC/tests/integration/cluster.inc"
trap 'cluster_kill_all; [ -n "$KEEP" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT
START=$(date +%s)
echo "cluster soak: $SETS sets in batches of $BATCH, seed $SEED, build $BUILD"
RANDOM=$SEED

broker_start || { fail "mosquitto starts"; finish; exit 1; }
for n in ws1 ws2 ws3; do
	node_dir "$n" 2
	# as integ_cluster_rig: a vanished node given up after the set's time,
	# T = now + 400 ms (the machine's cores are shared)
	sed -i 's/^plate_frames = 2$/plate_frames = 2\nset_timeout_ms = 3000/' "$TMP/$n/photorig.ini"
	printf 'lead_ms = 400\n' >> "$TMP/$n/photorig.ini"
	node_start "$n" || { fail "node $n starts"; finish; exit 1; }
done
all_online() { node_online ws1 ws2 && node_online ws1 ws3 && node_online ws2 ws1 && node_online ws3 ws1; }
wait_for 20 all_online || { fail "nodes not joined: $(cl_status ws1)"; finish; exit 1; }
expect_status 0 "plates through ws1" -- on ws1 plate --frames 2
for n in ws2 ws3; do wait_for 30 plates_on "$n" 2 || fail "no plates on $n"; done
expect_status 0 "session started through ws1" -- on ws1 session start soak
wait_for 10 in_session ws2 soak && wait_for 10 in_session ws3 soak || fail "the session did not reach every node"
[ "$FAILS" = 0 ] || { finish; exit 1; }

R=$TMP/ws1/sessions/soak/rig_manifest.json
rig_done() { [ -f "$R" ] && [ "$(jq '[.sets[] | select(.finished)] | length' "$R" 2>/dev/null)" -ge "$1" ]; }
back() { connected ws1 && connected ws2 && connected ws3 && all_online; }
shot=0 kills=0 midkills=0 restarts=0 batches=0 cap_fail=0
while [ "$shot" -lt "$SETS" ]; do
	b=$BATCH
	[ $((SETS - shot)) -lt "$b" ] && b=$((SETS - shot))
	roll=$((RANDOM % 4))
	victim=
	if [ "$shot" -gt 0 ] && [ "$roll" = 0 ]; then
		victim=ws$((2 + RANDOM % 2))
		node_kill "$victim"
		kills=$((kills + 1))
		killed_at=$(date +%s)
		echo "batch $((batches + 1)): SIGKILL $victim"
		wait_for 15 node_online ws1 "$victim" false || fail "ws1 does not see $victim gone"
	elif [ "$shot" -gt 0 ] && [ "$roll" = 1 ]; then
		away=$((2 + RANDOM % 4))
		echo "batch $((batches + 1)): broker stopped for $away s"
		broker_stop
		wait_for 10 connected ws1 false || fail "ws1 still connected with the broker stopped"
		sleep "$away"
		broker_start || { fail "mosquitto restarts"; break; }
		restarts=$((restarts + 1))
		wait_for 40 back || fail "not reconnected after the broker restart: $(cl_status ws1)"
	fi
	timeout $((60 + 30 * b)) "$P" capture --count "$b" --socket "$TMP/ws1/run/control.sock" \
		> "$TMP/cap.out" 2>&1 &
	cap=$!
	if [ "$shot" -gt 0 ] && [ "$roll" = 2 ] && [ "$MIDKILL" = 1 ]; then
		# in the middle of the batch: at a random moment of its first sets
		victim=ws$((2 + RANDOM % 2))
		sleep "$((RANDOM % 3)).$((RANDOM % 10))"
		node_kill "$victim"
		kills=$((kills + 1)) midkills=$((midkills + 1))
		killed_at=$(date +%s)
		echo "batch $((batches + 1)): SIGKILL $victim during the batch"
	fi
	if ! wait "$cap"; then
		cap_fail=$((cap_fail + 1))
		fail "batch $((batches + 1)) (sets $((shot + 1))..$((shot + b))): $(tail -3 "$TMP/cap.out")"
	fi
	shot=$((shot + b))
	batches=$((batches + 1))
	wait_for 60 rig_done "$shot" || fail "the rig manifest has not finished $shot sets"
	if [ -n "$victim" ]; then
		# restarted a few seconds after the kill, the batch shot meanwhile
		d=$((2 + RANDOM % 3 - ($(date +%s) - killed_at)))
		[ "$d" -gt 0 ] && sleep "$d"
		node_start "$victim" || { fail "$victim restarts"; break; }
		wait_for 20 node_online ws1 "$victim" && wait_for 10 in_session "$victim" soak ||
			fail "$victim did not rejoin session soak"
	fi
	[ $((batches % 10)) = 0 ] && echo "  $shot sets shot, $kills kills, $restarts broker restarts ($(($(date +%s) - START)) s)"
done

# A node's rig sets that ended but whose report its coordinator has not
# answered yet (its rig_reports.jsonl against its journal): a node restarted
# late in the run may still be sending a late report.
reports_pending() {
	local f=$TMP/$1/sessions/soak/rig_reports.jsonl j=$TMP/$1/sessions/soak/journal.jsonl
	[ -f "$f" ] || return 0
	comm -12 <(comm -23 <(jq -r 'select(.ev == "armed") | .set' "$f" 2>/dev/null | sort -u) \
		<(jq -r 'select(.ev != "armed") | .set' "$f" 2>/dev/null | sort -u)) \
		<(jq -r 'select(.ev == "set_end") | .set' "$j" 2>/dev/null | sort -u)
}
reports_answered() { [ -z "$(reports_pending ws2)$(reports_pending ws3)" ]; }

# stop the nodes cleanly: nothing is being written while the files are checked
wait_for 60 rig_done "$shot" || true
wait_for 30 reports_answered ||
	echo "reports not answered yet: ws2 $(reports_pending ws2 | tr '\n' ' ')ws3 $(reports_pending ws3 | tr '\n' ' ')"
for n in ws1 ws2 ws3; do node_stop "$n" || fail "$n did not stop on SIGTERM"; done
: > "$TMP/no-plates"
mkdir -p "$TMP/no-served"
delivered=0 on_disk=0 lost=0 nodeargs=()
for n in ws1 ws2 ws3; do
	S=$TMP/$n/sessions/soak
	nodeargs+=(--node "$n=$S")
	python3 "$SRC/tests/soak/soak_check.py" --session "$S" --digest "$DIGEST" \
		--served-root "$TMP/no-served" --deleted-log /dev/null --plates "$TMP/no-plates" \
		--sim cam01 --sim cam02 --gaps-ok > "$TMP/check-$n.out" 2>&1
	rc=$?
	v() { sed -n "s/^$1=//p" "$TMP/check-$n.out"; }
	j=$(v originals_journaled) o=$(v originals_on_disk)
	l=$(grep -cE 'PROBLEM: (LOST|journaled original .* is not on disk|.* on disk .* bytes, journal)' "$TMP/check-$n.out")
	delivered=$((delivered + ${j:-0})); on_disk=$((on_disk + ${o:-0})); lost=$((lost + l))
	echo "$n: $(v sets) sets ($(v sets_complete) complete), $j journaled, $o on disk, $(v image_files) images decoded, $(v undecodable) undecodable, $(v problems) problems"
	[ "$rc" = 0 ] && pass "$n: journal, manifest and disk agree" ||
		{ fail "$n: soak_check"; grep PROBLEM "$TMP/check-$n.out" | head -10; }
done
python3 "$SRC/tests/soak/cluster_check.py" --rig "$R" "${nodeargs[@]}" --cameras cam01,cam02 \
	--sets "$shot" > "$TMP/check-rig.out" 2>&1
rc=$?
rv() { sed -n "s/^$1=//p" "$TMP/check-rig.out"; }
[ "$rc" = 0 ] && pass "the rig manifest agrees with every node" ||
	{ fail "rig manifest"; grep PROBLEM "$TMP/check-rig.out" | head -10; }
lost=$((lost + $(grep -c 'PROBLEM: LOST' "$TMP/check-rig.out")))
[ "$lost" = 0 ] && pass "no image lost" || fail "$lost images lost"
echo "summary: seed=$SEED sets=$shot rig_complete=$(rv rig_complete) rig_incomplete=$(rv rig_incomplete)" \
	"kills=$kills mid_batch_kills=$midkills broker_restarts=$restarts capture_failures=$cap_fail rig_shots=$(rv rig_shots)" \
	"delivered=$delivered on_disk=$on_disk lost=$lost wall_s=$(($(date +%s) - START))"
finish
