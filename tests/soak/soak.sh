#!/bin/bash
# Soak with faults: photorigd on a rig of 8 simulated cameras (4 PTP/IP
# cameras through the real libgphoto2, 4 sim cameras) shoots N capture sets
# (default 1000) while faults are injected at random, then checks that
# nothing was lost (tests/soak/soak_check.py) and that RSS and open file
# descriptors stayed flat.
#
#   tests/soak/soak.sh [--sets N] [--seed S] [--build DIR] [--no-disk-fault]
#                      [--faults KIND,...|none] [--keep]
#
# --no-disk-fault leaves disk_full out; --faults injects only the kinds named
# ("none": a baseline run without faults); --keep keeps the work folder.
#
# Faults (each kind at least once, then one every ~4 capture batches):
#   cam_drop     a PTP/IP camera killed (SIGKILL) in the middle of a capture,
#                back 1-5 s later at its address, same serial
#   cam_stall    a PTP/IP camera frozen (SIGSTOP) mid-capture for 3-12 s
#   cam_busy     a PTP/IP camera restarted answering DeviceBusy to its next
#                1-14 captures (up to 9 the driver's retries absorb)
#   sim_slow     a sim camera's latency_ms raised above set_timeout_ms (files
#                arrive after their set ended) by a reload, for 1-3 batches
#   slow_disk    5-15 s of a disk throttled to 4 MB/s and 50 writes/s (cgroup
#                v1 blkio on the loop device) with a writer fsyncing 1 MB
#                files on the same filesystem; the writer alone on tmpfs
#   disk_full    the output filesystem filled to the last block mid-capture,
#                freed 4-10 s later: captures are refused meanwhile (counted
#                as refused, not lost) and resume once there is room; half
#                the fills come 1 s into a set with a sim camera 3 s slow, so
#                an original arrives on the full disk (held, written later)
#   hup_storm    20-200 SIGHUPs, a few ms apart, during captures; one storm
#                in three reloads a changed [rig] tolerance, one in four
#                meets a broken config (the running one is kept)
#   client_flood a client flooding status requests, 300 idle connections
#                and 20 watchers, all vanishing after 3 s
#
# The output_root is a filesystem of its own (ext4 on a loop device when
# root, else tmpfs) in a private mount namespace; exit 77 (skipped) where
# namespaces are refused or photorig was built without gphoto2. The seed
# (printed) fixes the faults' kinds, order and timing; the run itself is
# real time, so two runs with one seed differ in detail.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SETS=1000 SEED=$((RANDOM * 32768 + RANDOM)) BUILD=${PHOTORIG_BUILD:-$SRC/build}
DISK_FAULT=1 KEEP= ONLY=
usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "$1"; }
while [ $# -gt 0 ]; do
	case $1 in
	--sets) SETS=$2; shift ;;
	--seed) SEED=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--no-disk-fault) DISK_FAULT= ;;
	--faults) ONLY=$2; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage 0 ;;
	*) echo "soak: unknown option $1" >&2; usage 2 ;;
	esac
	shift
done
case $SETS$SEED in *[!0-9]*) echo "soak: --sets and --seed take numbers" >&2; exit 2 ;; esac

export PHOTORIG_BIN=$BUILD/tools/photorig PHOTORIGD_BIN=$BUILD/daemon/photorigd
export PTPIP_SIM_BIN=$BUILD/tools/photorig-ptpip-sim PHOTORIG_SOURCE=$SRC
CTL_STRESS=$BUILD/tests/ctl_stress FILE_DIGEST=$BUILD/tests/file_digest
for f in "$PHOTORIG_BIN" "$PHOTORIGD_BIN" "$CTL_STRESS" "$FILE_DIGEST"; do
	[ -x "$f" ] || { echo "soak: $f is missing (build photorigd photorig ctl_stress file_digest)" >&2; exit 2; }
done
if [ ! -x "$PTPIP_SIM_BIN" ]; then
	echo "skip: photorig was built without the gphoto2 driver (no $PTPIP_SIM_BIN)"
	exit 77
fi
for t in jq python3 unshare; do
	command -v "$t" >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
# a private mount namespace: the output filesystem, its fillers and its
# loop device are nobody else's business, and vanish with the run
if [ "${PHOTORIG_SOAK_NS:-}" != 1 ]; then
	flags="--mount --propagation private"
	[ "$(id -u)" = 0 ] || flags="$flags --map-root-user"
	if ! unshare $flags true 2>/dev/null; then
		echo "skip: no mount namespace here (unshare $flags refused)"
		exit 77
	fi
	args=(--sets "$SETS" --seed "$SEED" --build "$BUILD")
	[ -n "$DISK_FAULT" ] || args+=(--no-disk-fault)
	[ -z "$ONLY" ] || args+=(--faults "$ONLY")
	[ -z "$KEEP" ] || args+=(--keep)
	PHOTORIG_SOAK_NS=1 exec unshare $flags bash "$0" "${args[@]}"
fi

. "$SRC/tests/integration/lib.inc"
. "$SRC/tests/integration/daemon.inc"
. "$SRC/tests/integration/gphoto2.inc"
. "$SRC/tests/soak/soak_faults.inc"
RANDOM=$SEED
echo "soak: $SETS sets, seed $SEED, build $BUILD, work folder $TMP"

PTP_CAMS=(cam01 cam02 cam03 cam04)
PTP_SERIALS=(SOAK-P1 SOAK-P2 SOAK-P3 SOAK-P4)
PTP_ADDRS=(127.0.0.161 127.0.0.162 127.0.0.163 127.0.0.164)
SIM_CAMS=(cam05 cam06 cam07 cam08)
NCAMS=8

trap soak_cleanup EXIT
soak_cleanup() {
	faults_stop
	sims_kill
	daemon_kill
	umount "${RIG:-/nonexistent}/sessions" 2>/dev/null
	[ -n "$KEEP" ] && echo "soak: kept $TMP" || rm -rf "$TMP"
}

# ---- the rig -------------------------------------------------------------
for i in 0 1 2 3; do
	cam_start "$i" 0 || { fail "PTP/IP camera $i did not start"; finish; exit 1; }
done
cams=""
for i in 0 1 2 3; do
	cams="$cams ${PTP_CAMS[$i]}=${PTP_SERIALS[$i]}@${PTP_ADDRS[$i]}:${SIMPORT[$i]}"
done
gphoto2_rig rig "$cams"
for i in 0 1 2 3; do
	printf '[camera %s]\ndriver = sim\nwidth = 640\nheight = 480\nseed = %d\n\n' \
		"${SIM_CAMS[$i]}" $((505 + 101 * i)) >> "$RIG/photorig.ini"
done
# zstd keeps a 640x480 RGBA TIFF at ~0.3 MB instead of 1.2 MB: 1000 sets fit
# in ~3.2 GB
ini_set rig tiff_compression zstd
ini_set rig conventions metashape
# captures are refused below 32 MB free (disk_full fills to the last block)
ini_set daemon min_free_mb 32
disk_setup || { fail "no output filesystem"; finish; exit 1; }
echo "soak: output on $DISK_KIND ($DISK_MB MB); slow disk: $SLOW_DISK_HOW"

daemon_start || { fail "daemon start"; finish; exit 1; }
wait_for 60 all_attached || { fail "not all cameras attached: $(pr cameras)"; finish; exit 1; }
pr plate --frames 3 >/dev/null || { fail "plates: $(pr plate --frames 3 2>&1)"; finish; exit 1; }
# the plate frames were taken and handed over, but are kept only as plates
for f in "$TMP"/served-*/run-*/IMG_*.JPG; do sha256sum < "$f" | cut -d' ' -f1; done > "$TMP/plates.sha256"
pr session start soak >/dev/null || { fail "session start"; finish; exit 1; }
S=$RIG/sessions/soak

# ---- the run -------------------------------------------------------------
fault_plan
SETS_DONE=0 BATCH=0 CAPTURE_ERRORS=0 NEXT_SAMPLE=0 T0=$SECONDS
: > "$TMP/samples.tsv"
while [ "$SETS_DONE" -lt "$SETS" ]; do
	BATCH=$((BATCH + 1))
	fault_maybe
	k=$((1 + RANDOM % 3))
	[ "$k" -le $((SETS - SETS_DONE)) ] || k=$((SETS - SETS_DONE))
	before=$SETS_DONE
	capture_batch "$k" || break
	if [ "$SETS_DONE" -ge "$NEXT_SAMPLE" ] && sample; then
		NEXT_SAMPLE=$((SETS_DONE + SAMPLE_EVERY))
	fi
	[ $((SETS_DONE / 50)) = $((before / 50)) ] ||
		echo "soak: $SETS_DONE sets, $((SECONDS - T0)) s, faults: $(faults_summary)"
done
RUN_S=$((SECONDS - T0))

# every fault undone, every camera back, then the last sample
faults_finish
wait_for 90 all_attached && pass "all $NCAMS cameras attached at the end" ||
	fail "cameras at the end: $(pr cameras)"
wait_for 60 mask_queue_empty || fail "masks still pending after 60 s"
wait_for 30 disk_room || fail "still disk full or holding originals: $(pr status --json | jq -c .disk)"
sample 1 || fail "no final sample"
daemon_stop && [ "$DSTATUS" = 0 ] && pass "photorigd stopped cleanly" ||
	fail "photorigd stop: status $DSTATUS"
grep -E 'AddressSanitizer|runtime error|LeakSanitizer' "$RIG/daemon.log" | head -5 |
	while read -r l; do fail "sanitizer: $l"; done

# ---- the verdict ---------------------------------------------------------
check_args=(--session "$S" --digest "$FILE_DIGEST" --served-root "$TMP"
	--deleted-log "$TMP/deleted.log" --plates "$TMP/plates.sha256")
for i in 0 1 2 3; do check_args+=(--ptpip "${PTP_CAMS[$i]}=${PTP_SERIALS[$i]}"); done
for c in "${SIM_CAMS[@]}"; do check_args+=(--sim "$c"); done
python3 "$SRC/tests/soak/soak_check.py" "${check_args[@]}" > "$TMP/check.out"
CHECK_RC=$?
grep '^PROBLEM' "$TMP/check.out" | head -30
[ "$CHECK_RC" = 0 ] && pass "cameras, journal, manifest and disk agree" ||
	fail "soak_check found $(sed -n 's/^problems=//p' "$TMP/check.out") problems"
check_session "$S" && pass "check_session: journal, manifest and files agree" ||
	fail "check_session"
no_temp_files "$S" && pass "no temporary files" || fail "temporary files left"
if [ -n "${FAULTS[disk_full]:-}" ]; then
	[ "$REFUSED" -gt 0 ] && pass "$REFUSED sets refused while the disk was full ($REFUSED_REQ requests)" ||
		fail "no capture was refused although the disk was filled ${FAULTS[disk_full]} times"
	# never refused 30 s after a freeing (capture_batch stops the run then)
	[ "$RESUMES" -gt 0 ] && pass "captures resumed after the disk was freed (at most $RESUME_WORST_MS ms after)" ||
		fail "captures never resumed after the disk was freed"
fi
[ "$CAPTURE_ERRORS" = 0 ] && pass "no capture failed for another reason than a fault" ||
	fail "$CAPTURE_ERRORS captures failed unexpectedly (see $TMP/captures.log)"
growth_check
summary
finish
