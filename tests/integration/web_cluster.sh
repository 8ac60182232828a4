# The operator page of a node in a cluster (two photorigd nodes of two sim
# cameras each, joined through a real Mosquitto): in Debian's chromium, the
# page of ws1 shows every node's cameras, and when ws2 is killed its
# cameras stand out as offline (tests/web/cluster_test.py). A screenshot is
# kept in the build folder's tests/web_page/.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/cluster.inc"
. "$(dirname "$0")/web.inc"

for tool in chromium chromedriver; do
	command -v "$tool" >/dev/null || { fail "$tool is not installed (tools/setup-debian.sh)"; finish; exit 1; }
done
broker_start || { fail "mosquitto starts"; finish; exit 1; }
node_dir ws2 2
node_start ws2 || { fail "node ws2 starts"; finish; exit 1; }
node_dir ws1 2
WPORT=$(free_port)
URL=http://127.0.0.1:$WPORT
PASSWORD="cluster page secret"
printf '\n[web]\nlisten = 127.0.0.1:%s\n' "$WPORT" >> "$RIG/photorig.ini"
mkdir -p "$RIG/state"
printf '%s\n' "$PASSWORD" | "$P" web-password --file "$RIG/state/web-password" >/dev/null
node_start ws1 || { fail "node ws1 starts"; finish; exit 1; }
wait_for 20 sh -c "curl -s -o /dev/null '$URL/'" || { fail "the page of ws1"; finish; exit 1; }
ART=${PHOTORIG_BUILD:-$TMP}/tests/web_page
mkdir -p "$ART"
coproc BROWSER { python3 "$PHOTORIG_SOURCE/tests/web/cluster_test.py" "$URL" "$PASSWORD" "$ART" "$TMP/profile" 2>&1; }
BPID=$BROWSER_PID # bash forgets it once the coprocess ends
while IFS= read -r -t 120 line <&"${BROWSER[0]}"; do
	case $line in
	kill) node_kill ws2; echo done >&"${BROWSER[1]}" ;;
	ok:*) pass "${line#ok: }" ;;
	FAIL:*) fail "${line#FAIL: }" ;;
	*) echo "$line" ;;
	esac
done
wait "$BPID" 2>/dev/null
[ -s "$ART/cluster-1280x800.png" ] && pass "screenshot kept" || fail "no screenshot"
node_stop ws1 && [ "$NSTATUS" -eq 0 ] && pass "ws1 stops cleanly" || fail "ws1 stop: $NSTATUS"
finish
