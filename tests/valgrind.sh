#!/bin/bash
# photorig's integration tests with every photorig and photorigd process
# under valgrind's memcheck, and the C tests of tests/gphoto2 and
# tests/v4l2 run under it: invalid reads and writes, use of uninitialised
# values, bad frees and definite leaks are errors.
#
# usage: tests/valgrind.sh BUILD_DIR [TEST_REGEX]
#
# TEST_REGEX picks tests by their ctest names (grep -E); by default every
# integration script (integ_*) and the C tests of tests/gphoto2 and
# tests/v4l2 (gphoto2_*, v4l2_*), none left out: the timing-sensitive ones
# pass with their waits scaled, and access_matrix's RSS bound holds with
# valgrind's own memory in it. Tests a run cannot do (no root, no mount
# namespace) say "skipped" as they do outside valgrind.
#
# Configures BUILD_DIR without sanitizers (valgrind cannot run ASan
# programs), builds it, runs the tests one at a time (valgrind makes them
# CPU-bound and 20-50 times slower) and writes one valgrind log per process
# to BUILD_DIR/valgrind/TEST/PID.log. Prints per test its result and the
# errors valgrind found; exits 1 if a test failed or valgrind found
# anything. VALGRIND_EXTRA adds options (e.g. --track-origins=yes);
# PHOTORIG_TIME_SCALE (default 10) stretches the tests' waits.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:?usage: tests/valgrind.sh BUILD_DIR [TEST_REGEX]}
FILTER=${2:-^(integ_|gphoto2_|v4l2_)}
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }

cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHOTORIG_SANITIZE=OFF >/dev/null &&
	cmake --build "$B" -j2 >/dev/null || { echo "build of $B failed"; exit 1; }
B=$(cd "$B" && pwd)
LOGS=$B/valgrind
rm -rf "$LOGS"
mkdir -p "$LOGS"

export PHOTORIG_TIME_SCALE=${PHOTORIG_TIME_SCALE:-10}
# --error-exitcode: a program with errors fails its test too, not only this
# summary. Only definite leaks count: a daemon stopped mid-work may rightly
# hold reachable blocks at exit.
VG="valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite"
VG+=" --errors-for-leak-kinds=definite --num-callers=40 --gen-suppressions=all"
VG+=" --suppressions=$SRC/tests/valgrind.supp ${VALGRIND_EXTRA:-}"

ctest --test-dir "$B" --show-only=json-v1 > "$LOGS/tests.json"
mapfile -t TESTS < <(jq -r '.tests[].name' "$LOGS/tests.json" | grep -E -- "$FILTER")
[ ${#TESTS[@]} -gt 0 ] || { echo "no test matches $FILTER"; exit 1; }

# run_test NAME LOGDIR: the test's command as ctest has it (environment,
# working folder, time limit times the scale). An integration script gets
# the wrapper in PHOTORIG_WRAPPER and puts it in front of every photorig
# and photorigd it runs (tests/integration/wrap.inc), as does
# tests/v4l2/run_v4l2_test.sh for its test program; a test program is run
# under valgrind itself.
run_test() {
	local name=$1 log=$2 spec dir limit wrapper="$VG --log-file=$2/%p.log"
	spec=$(jq -c --arg n "$name" '.tests[] | select(.name == $n)' "$LOGS/tests.json")
	mapfile -t cmd < <(jq -r '.command[]' <<<"$spec")
	mapfile -t envs < <(jq -r '.properties[]? | select(.name == "ENVIRONMENT") | .value[]' <<<"$spec")
	dir=$(jq -r '(.properties[]? | select(.name == "WORKING_DIRECTORY") | .value) // empty' <<<"$spec")
	limit=$(jq -r '(.properties[]? | select(.name == "TIMEOUT") | .value) // 600' <<<"$spec")
	case ${cmd[0]##*/} in
	sh|bash) ;;
	*) cmd=($wrapper "${cmd[@]}") ;;
	esac
	(cd "${dir:-$B}" && env ${envs[@]+"${envs[@]}"} PHOTORIG_WRAPPER="$wrapper" \
		timeout -k 10 $((${limit%.*} * PHOTORIG_TIME_SCALE)) "${cmd[@]}")
}

# errors_in LOGDIR: one line per error valgrind reported there.
errors_in() {
	grep -hE '^==[0-9]+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|.* definitely lost in|Process terminating with default action of signal [0-9]+ \(SIG(SEGV|BUS|ABRT|FPE|ILL)\))' \
		"$1"/*.log 2>/dev/null | sed 's/^==[0-9]*== //'
}

bad=0
SUMMARY=$LOGS/summary.txt
for t in "${TESTS[@]}"; do
	log=$LOGS/$t
	mkdir -p "$log"
	chmod 1777 "$log"  # tests run programs as other users too
	start=$(date +%s)
	run_test "$t" "$log" >"$log/test.out" 2>&1
	case $? in 0) result=passed ;; 77) result=skipped ;; 124|137) result=TIMEOUT ;; *) result=FAILED ;; esac
	procs=$(find "$log" -name '*.log' | wc -l)
	nerr=$(errors_in "$log" | wc -l)
	# any other kind of error still shows in a process's ERROR SUMMARY
	summed=$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log"/*.log 2>/dev/null |
		tr -d , | awk '{n += $1} END {print n + 0}')
	[ "$summed" -le "$nerr" ] || nerr=$summed
	line=$(printf '%-34s %-7s %4ds %4d processes %3d valgrind errors' \
		"$t" "$result" $(($(date +%s) - start)) "$procs" "$nerr")
	echo "$line" | tee -a "$SUMMARY"
	errors_in "$log" | sort | uniq -c | sed 's/^/      /' | tee -a "$SUMMARY"
	case $result in passed|skipped) ;; *) bad=1; tail -n 30 "$log/test.out" | sed 's/^/    | /' ;; esac
	[ "$nerr" = 0 ] || bad=1
done
echo "logs: $LOGS (summary.txt)"
exit $bad
