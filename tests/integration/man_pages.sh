#!/bin/bash
# The man pages (man/*.[158]) render without a groff warning, carry their
# NAME line (what apropos and lexgrog read), and name what an operator looks
# for in them: the unit's reload, the socket, the config's sections.
. "$(dirname "$0")/lib.inc"
MAN=$PHOTORIG_SOURCE/man
if ! command -v groff >/dev/null; then
	echo "groff not installed: skipped"; exit 77
fi
for page in photorig.1 photorigd.8 photorig.ini.5; do
	f=$MAN/$page
	[ -f "$f" ] || { fail "$page missing"; continue; }
	warn=$(LC_ALL=C groff -man -ww -z "$f" 2>&1)
	[ -z "$warn" ] && pass "$page renders without warnings" || fail "$page: $warn"
	text=$(LC_ALL=C groff -man -Tutf8 "$f" 2>/dev/null | sed 's/.\x08//g')
	name=${page%.*}
	printf '%s\n' "$text" | grep -A1 '^NAME' | grep -q "^ *$name - " &&
		pass "$page has its NAME line" || fail "$page: no 'NAME: $name - ...' line"
done
grep -q 'systemctl reload photorigd' "$MAN/photorigd.8" && pass "photorigd(8) names the reload" ||
	fail "photorigd(8) does not say how to reload"
for s in daemon rig 'camera NAME' turntable trigger web; do
	grep -q "^\.SH \"\[$s\]\"" "$MAN/photorig.ini.5" && pass "photorig.ini(5) has [$s]" ||
		fail "photorig.ini(5) lacks [$s]"
done
finish
