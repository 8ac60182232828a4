#!/bin/bash
# Build the libFuzzer targets with clang and run each for a bounded time.
#
#   tests/fuzz/run.sh [SECONDS]        default 60 s per target
#
# Environment: FUZZ_BUILD (build folder, default build-fuzz in the source
# tree), FUZZ_TARGETS (default all five), FUZZ_OUT (where the grown corpus,
# logs and crash inputs go, default $FUZZ_BUILD/fuzz-out).
#
# The seed corpus (tests/fuzz/corpus/TARGET/) and the regressions
# (tests/fuzz/regressions/TARGET/) are read, never written: libFuzzer adds
# the inputs it finds to a scratch copy. Targets run one after the other (the
# machine's cores are shared). Prints executions per target; exits 1 if any
# target crashed, naming the input that did it: copy that input into
# tests/fuzz/regressions/TARGET/ with the fix, and ctest replays it forever.
set -euo pipefail
SECONDS_PER_TARGET=${1:-60}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${FUZZ_BUILD:-$SRC/build-fuzz}
OUT=${FUZZ_OUT:-$BUILD/fuzz-out}
TARGETS=${FUZZ_TARGETS:-fuzz_protocol fuzz_config fuzz_plate fuzz_image fuzz_cluster fuzz_web_files}
CC_FUZZ=${CC_FUZZ:-$(command -v clang || command -v clang-14 || true)}
[ -n "$CC_FUZZ" ] || { echo "run.sh: clang is needed (apt-get install clang libclang-rt-14-dev)"; exit 2; }

# Only the fuzz targets and the libraries they link are built.
CC=$CC_FUZZ cmake -S "$SRC" -B "$BUILD" -DPHOTORIG_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# shellcheck disable=SC2086
cmake --build "$BUILD" -j"$(nproc)" --target $TARGETS >/dev/null

mkdir -p "$OUT"
summary=()
crashed=0
for t in $TARGETS; do
	work=$OUT/$t
	mkdir -p "$work/corpus" "$work/artifacts"
	# -timeout: one input taking 10 s is a finding (a decompression bomb or
	# worse), even under ASan on a busy machine
	opts=(-max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048
	      -print_final_stats=1 -artifact_prefix="$work/artifacts/")
	[ -f "$SRC/tests/fuzz/$t.dict" ] && opts+=(-dict="$SRC/tests/fuzz/$t.dict")
	# The plate loader must never allocate more than the file can hold: a
	# 64-byte header may not buy a gigabyte (real plates are < 256 MB).
	[ "$t" = fuzz_plate ] && opts+=(-malloc_limit_mb=256)
	dirs=("$work/corpus" "$SRC/tests/fuzz/corpus/$t")
	[ -d "$SRC/tests/fuzz/regressions/$t" ] && dirs+=("$SRC/tests/fuzz/regressions/$t")
	echo "== $t: ${SECONDS_PER_TARGET}s"
	rc=0
	# ASan's leak check stays on: a leak on an error path is a finding too
	"$BUILD/tests/fuzz/$t" "${opts[@]}" "${dirs[@]}" >"$work/log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1 | sed 's/cov: //')
	ncorp=$(find "$work/corpus" -type f | wc -l)
	# libFuzzer keeps inputs slower than 10% of -timeout but lets them pass:
	# say so, they are worth a look (copy one into regressions/ with a fix)
	nslow=$(grep -c '^Slowest unit' "$work/log" || true)
	verdict=ok
	[ "$nslow" -gt 0 ] && verdict="ok, $nslow slow inputs (see $work/artifacts/slow-unit-*)"
	if [ "$rc" -ne 0 ]; then
		verdict="CRASH (exit $rc)"
		crashed=1
		grep -E '^==[0-9]+==ERROR|SUMMARY|runtime error|property broken|Test unit written' "$work/log" | head -8
		echo "   log: $work/log"
	fi
	summary+=("$(printf '%-14s %12s execs %8s/s  cov %6s  corpus +%-5s %s' "$t" "${execs:-?}" \
		"${speed:-?}" "${cov:-?}" "$ncorp" "$verdict")")
done
echo "== fuzz summary (${SECONDS_PER_TARGET}s per target)"
printf '%s\n' "${summary[@]}"
exit $crashed
