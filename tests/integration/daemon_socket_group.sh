#!/bin/bash
# The control socket's group. Under the unit the socket is born with the
# right group (Group=photorig) and SystemCallFilter=~@privileged refuses
# chown: photorigd must not chown a socket whose group is already [daemon]
# group (every start under systemd logged "cannot give ... to group photorig:
# Operation not permitted"), and must still report a change it needs and is
# refused. chown_eperm.so, preloaded, refuses chown as the filter does.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
: "${PHOTORIG_BUILD:?PHOTORIG_BUILD must name the build tree}"
SHIM=$PHOTORIG_BUILD/tests/chown_eperm.so
[ -f "$SHIM" ] || { echo "no $SHIM: skipped"; exit 77; }
[ -z "${PHOTORIG_WRAPPER:-}" ] || { echo "under PHOTORIG_WRAPPER: skipped (the preload is the test)"; exit 77; }
OWN=$(id -gn)
OTHER=$(getent group nogroup | cut -d: -f1)

# start_refusing_chown: daemon_start with chown refused (the client and the
# helpers it runs get the library too; they never chown)
start_refusing_chown() {
	export LD_PRELOAD=$SHIM
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	daemon_start
	local rc=$?
	unset LD_PRELOAD
	return $rc
}

# 1. the socket's group is already the configured one: no chown, no warning
rig_dir right
ini_set daemon group "$OWN"
start_refusing_chown || { fail "daemon start"; finish; exit 1; }
[ "$(stat -c %G "$SOCK")" = "$OWN" ] && pass "socket group $OWN" || fail "socket group $(stat -c %G "$SOCK")"
expect_status 0 "served" -- pr status
daemon_stop
grep -q 'cannot give' "$RIG/daemon.log" &&
	fail "chown tried although the group was right: $(grep 'cannot give' "$RIG/daemon.log")" ||
	pass "no chown (and no warning) when the group is already right"

# 2. a group to change to, refused: the warning stays, naming the group
if [ -n "$OTHER" ] && [ "$OTHER" != "$OWN" ]; then
	rig_dir other
	ini_set daemon group "$OTHER"
	start_refusing_chown || { fail "daemon start (group $OTHER)"; finish; exit 1; }
	daemon_stop
	grep -q "warning: cannot give .*control.sock to group $OTHER: Operation not permitted" "$RIG/daemon.log" &&
		pass "a refused change of group is still reported" ||
		fail "no warning for a refused chown: $(grep -i sock "$RIG/daemon.log")"
else
	echo "no group 'nogroup' here: the refused change is not checked"
fi
finish
