#!/bin/sh
# Run a test with the simulated-camera libv4l2 plugin visible to libv4l2.
#
# libv4l2 loads plugins only from its compiled-in directory. Rather than
# install a test plugin there, this runs the test in a private mount
# namespace (unshare) where the build's plugin directory is bound over
# libv4l2's: the host's directory is never written, and no other process
# can load the plugin. Exit 77 (skipped) where namespaces are not allowed.
#
# usage: run_v4l2_test.sh BUILD_PLUGIN_DIR LIBV4L2_PLUGIN_DIR TEST [ARGS...]
set -u
if [ "${PHOTORIG_V4L2_NS:-}" != 1 ]; then
	flags="--mount"
	[ "$(id -u)" = 0 ] || flags="--mount --map-root-user"
	if ! unshare $flags true 2>/dev/null; then
		echo "skip: no mount namespace here (unshare $flags refused)" >&2
		exit 77
	fi
	PHOTORIG_V4L2_NS=1 exec unshare $flags "$0" "$@"
fi
src=$1 dst=$2
shift 2
if [ ! -d "$dst" ]; then
	echo "skip: libv4l2's plugin directory $dst does not exist" >&2
	exit 77
fi
mount --bind "$src" "$dst" || { echo "skip: cannot bind $src over $dst" >&2; exit 77; }
# PHOTORIG_WRAPPER (tests/valgrind.sh): a command to run the test under,
# split into words on purpose
PHOTORIG_V4L2SIM_PLUGIN="$dst/photorig-v4l2sim.so" exec ${PHOTORIG_WRAPPER:-} "$@"
