# photorig sends its request again when photorigd closed the connection as
# idle before reading it: at max_clients, under a storm of connections, a
# client that has connected but not yet written can be the one idle longest.
# photorigd never closes a client whose request it has (waiting or in
# flight), so nothing of it ran. At most 3 tries; a refusal for another
# reason is not retried. A stand-in daemon (python3) plays photorigd.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
SOCK=$TMP/fake.sock
IDLE="closed: idle while photorigd is at max_clients (2) and another client connected"
FPID=""
trap '[ -z "$FPID" ] || kill "$FPID" 2>/dev/null; rm -rf "$TMP"' EXIT

# fake N MESSAGE: a stand-in photorigd that closes its first N connections
# with MESSAGE (no id, as photorigd does), then answers one status request;
# it logs how many connections it saw.
fake() {
	rm -f "$SOCK"
	python3 - "$SOCK" "$1" "$2" > "$TMP/fake.log" 2>&1 <<'EOF' &
import json, socket, sys
path, refuse, msg = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
s.settimeout(20)
seen = 0
while True:
    c, _ = s.accept()
    seen += 1
    print("connections", seen, flush=True)
    if seen <= refuse:
        c.sendall((json.dumps({"v": 1, "ok": False, "error": msg}) + "\n").encode())
        c.close()
        continue
    req = json.loads(c.makefile().readline())
    reply = {"v": 1, "id": req["id"], "ok": True, "rig": "fake", "cameras": 0, "attached": 0}
    c.sendall((json.dumps(reply) + "\n").encode())
    c.close()
    break
EOF
	FPID=$!
	wait_for 10 test -S "$SOCK"
}
seen() { tail -1 "$TMP/fake.log" | awk '{ print $2 }'; }

fake 2 "$IDLE"
expect_status 0 "closed as idle twice, served at the third connection" -- "$P" status --socket "$SOCK"
expect_output 'rig fake' "the reply is the daemon's"
[ "$(seen)" = 3 ] && pass "three connections" || fail "connections: $(seen)"
wait "$FPID" 2>/dev/null

fake 2 "$IDLE"
OUT=$("$P" status --json --socket "$SOCK" 2>/dev/null)
[ "$(printf '%s\n' "$OUT" | jq -s 'length')" = 1 ] && [ "$(printf '%s\n' "$OUT" | jq -r .rig)" = fake ] &&
	pass "--json prints the reply only, not the messages of the closed connections" ||
	fail "--json printed: $OUT"
wait "$FPID" 2>/dev/null

fake 5 "$IDLE"
expect_status 1 "closed as idle three times: the client gives up" -- "$P" status --socket "$SOCK"
expect_output "photorigd refused: closed: idle while" "and says why"
[ "$(seen)" = 3 ] && pass "after three connections" || fail "connections: $(seen)"
kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null

fake 1 "too many clients (max_clients = 2, all busy)"
expect_status 1 "refused as too many: not sent again" -- "$P" status --socket "$SOCK"
expect_output "too many clients" "the refusal is shown"
[ "$(seen)" = 1 ] && pass "one connection" || fail "connections: $(seen)"
kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null
FPID=""
finish
