# Access to the operator page, with curl: a password is set, so every route
# answers 401 without a login; a POST without the CSRF token 403; path
# tricks on the session files (.., %2e%2e, absolute paths, a symlink out of
# the session folder) 404; an oversized request 413; a flood 429. The
# cookie is HttpOnly and SameSite=Strict. TLS with a configured certificate
# and key; auth = none only on loopback, with a warning.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
. "$(dirname "$0")/web.inc"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

web_rig rig
daemon_start || { fail "daemon start"; finish; exit 1; }
web_wait_up || { fail "the page is not served"; finish; exit 1; }
pr plate --frames 2 >/dev/null && pr session start acc >/dev/null && pr capture >/dev/null ||
	fail "a set to serve"
S=$RIG/sessions/acc
F=$(jq -r '.sets[0].shots[0].file' "$S/manifest.json")

# no login: 401 everywhere, whatever the route (existing, not, POST)
bad=""
for r in / /index.html /app.js /style.css /login.html /api/session /events /files/acc/manifest.json \
	"/files/acc/$F" /files/acc/../../photorig.ini /nothing /api; do
	c=$(code --max-time 5 "$URL$r")
	[ "$c" = 401 ] || bad="$bad GET $r=$c"
done
for r in /api /logout /nothing /files/acc/manifest.json; do
	c=$(code --max-time 5 -d '{"v":1,"id":1,"op":"status"}' "$URL$r")
	[ "$c" = 401 ] || bad="$bad POST $r=$c"
done
c=$(code -b "prsid=$(printf '%064d' 0)" "$URL/api/session")
[ "$c" = 401 ] || bad="$bad forged-cookie=$c"
[ -z "$bad" ] && pass "without a login every route answers 401" || fail "not 401:$bad"
c=$(code -d password=wrong "$URL/login")
[ "$c" = 401 ] && pass "a wrong password: 401" || fail "wrong password: $c"

# log in: the cookie's attributes
H=$(curl -s -D - -o /dev/null -c "$JAR" --data-urlencode "password=$PASSWORD" "$URL/login")
printf '%s' "$H" | grep -qi '^Set-Cookie: prsid=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict' &&
	pass "the session cookie is HttpOnly and SameSite=Strict" || fail "cookie: $H"
CSRF=$(curl -s -b "$JAR" "$URL/api/session" | jq -r .csrf)
[ ${#CSRF} = 64 ] && pass "a CSRF token comes with the login" || fail "csrf: $CSRF"
[ "$(code -b "$JAR" "$URL/")" = 200 ] && pass "logged in, the page loads" || fail "page after login"

# CSRF: a POST without the token, or with a wrong one, is refused and not run
n0=$(jq '.sets_finished' "$S/manifest.json")
c1=$(code -b "$JAR" -d '{"v":1,"id":1,"op":"capture"}' "$URL/api")
c2=$(code -b "$JAR" -H "X-CSRF-Token: $(printf '%064d' 7)" -d '{"v":1,"id":1,"op":"capture"}' "$URL/api")
c3=$(code -b "$JAR" -d '' "$URL/logout")
sleep 1
n1=$(jq '.sets_finished' "$S/manifest.json")
[ "$c1 $c2 $c3" = "403 403 403" ] && [ "$n0" = "$n1" ] &&
	pass "a POST without the CSRF token, or with a wrong one: 403, nothing done" ||
	fail "csrf: $c1 $c2 $c3, sets $n0 -> $n1"
r=$(web_api '{"v":1,"id":9,"op":"status"}')
[ "$(printf '%s' "$r" | jq -r '.ok, .id')" = "$(printf 'true\n9')" ] &&
	pass "with the token, a request goes through the control protocol's dispatch" || fail "api: $r"
r=$(web_api '{"v":1,"id":10,"op":"flyaway"}')
printf '%s' "$r" | jq -e '.ok == false and (.error | test("unknown"))' >/dev/null &&
	pass "an unknown request is refused as on the socket: $(printf '%s' "$r" | jq -r .error)" || fail "bad op: $r"

# path tricks: 404, and a real file of the session: 200
ln -s /etc "$S/out"
ln -s "$RIG/photorig.ini" "$S/cam01/ini.jpg"
mkdir -p "$RIG/sessions/nosession" && echo x > "$RIG/sessions/nosession/f.txt"
bad=""
for r in /files/acc/../../photorig.ini /files/acc/%2e%2e/%2e%2e/photorig.ini \
	/files/acc/%2E%2E/photorig.ini /files/acc/..%2f..%2fphotorig.ini /files//etc/passwd \
	/files/acc//etc/passwd "/files/acc/$RIG/photorig.ini" /files/acc/out/passwd \
	/files/acc/cam01/ini.jpg /files/nosession/f.txt /files/../rig/photorig.ini /files/acc/./manifest.json \
	/files/acc /files/acc/ /files/%2e%2e/rig/photorig.ini "/files/acc/cam01/%00x"; do
	c=$(code --path-as-is -b "$JAR" "$URL$r")
	[ "$c" = 404 ] || bad="$bad $r=$c"
done
[ -z "$bad" ] && pass "path tricks (.., %2e%2e, absolute, symlinks out, not a session): 404" ||
	fail "not 404:$bad"
c=$(curl -s -o "$TMP/got" -w '%{http_code}' -b "$JAR" "$URL/files/acc/$F")
[ "$c" = 200 ] && cmp -s "$TMP/got" "$S/$F" && pass "a session file is served byte for byte" ||
	fail "session file: $c"

# oversized: 413, declared or chunked
head -c 100000 /dev/zero | tr '\0' ' ' > "$TMP/big"
c1=$(code -b "$JAR" -H "X-CSRF-Token: $CSRF" --data-binary @"$TMP/big" "$URL/api")
c2=$(code -b "$JAR" -H "X-CSRF-Token: $CSRF" -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big" "$URL/api")
[ "$c1 $c2" = "413 413" ] && pass "an oversized request: 413 (with a length and chunked)" || fail "oversized: $c1 $c2"
c=$(code -b "$JAR" -H "X-$(head -c 40000 /dev/zero | tr '\0' a): 1" "$URL/")
[ "${c:0:1}" = 4 ] && pass "oversized headers are refused ($c)" || fail "big header: $c"

# a flood from one address: 429 beyond the rate, the daemon still answers
for i in $(seq 1 400); do printf 'url = "%s/api/session"\noutput = "/dev/null"\n' "$URL"; done > "$TMP/flood"
codes=$(curl -s -b "$JAR" -K "$TMP/flood" -w '%{http_code}\n' --parallel --parallel-max 8 | sort | uniq -c)
printf '%s' "$codes" | grep -q ' 429$' && pass "a flood gets 429 beyond the rate: $(echo $codes)" ||
	fail "no 429: $codes"
pr status >/dev/null && pass "the control socket still answers" || fail "socket after flood"
daemon_stop

# TLS with a configured certificate and key
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$RIG/key.pem" -out "$RIG/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 >/dev/null 2>&1
printf 'tls_cert = %s\ntls_key = %s\n' "$RIG/cert.pem" "$RIG/key.pem" >> "$RIG/photorig.ini"
daemon_start || { fail "daemon start with TLS"; finish; exit 1; }
U=https://127.0.0.1:$WPORT
wait_for 20 sh -c "curl -s -o /dev/null --cacert '$RIG/cert.pem' '$U/'"
[ "$(code --cacert "$RIG/cert.pem" "$U/")" = 401 ] && pass "TLS: the page is served over HTTPS" || fail "https"
H=$(curl -s -D - -o /dev/null --cacert "$RIG/cert.pem" --data-urlencode "password=$PASSWORD" "$U/login")
printf '%s' "$H" | grep -qi 'Set-Cookie: prsid=.*; Secure' && pass "TLS: the cookie is Secure" || fail "cookie: $H"
[ "$(code "http://127.0.0.1:$WPORT/")" = 000 ] && pass "TLS: no plain HTTP" || fail "plain http answered"
daemon_stop

# auth = none: only on loopback, with a warning
rig_dir none
printf '\n[web]\nlisten = 10.1.2.3:8080\nauth = none\n' >> "$RIG/photorig.ini"
expect_status 1 "auth = none on a non-loopback address: the config is refused" -- "$D" -n -c "$RIG/photorig.ini"
expect_output 'auth = none: only allowed when listen is a loopback address' "and says why"
rig_dir none2
NPORT=$(free_port)
printf '\n[web]\nlisten = 127.0.0.1:%s\nauth = none\n' "$NPORT" >> "$RIG/photorig.ini"
daemon_start || { fail "daemon start (auth none)"; finish; exit 1; }
wait_for 20 sh -c "curl -s -o /dev/null http://127.0.0.1:$NPORT/"
grep -q 'warning.*auth = none' "$RIG/daemon.log" && pass "auth = none on loopback: logged as a warning" ||
	fail "no warning: $(grep web: "$RIG/daemon.log")"
[ "$(code "http://127.0.0.1:$NPORT/")" = 200 ] && pass "auth = none: the page without a login" || fail "auth none"
[ "$(code -d '{"v":1,"id":1,"op":"status"}' "http://127.0.0.1:$NPORT/api")" = 403 ] &&
	pass "auth = none still needs the CSRF token" || fail "auth none csrf"
daemon_stop
finish
