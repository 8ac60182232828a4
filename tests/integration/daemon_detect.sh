# photorig detect: two simulated PTP/IP cameras given by address and a
# simulated V4L2 camera (the libv4l2 plugin of the driver test, in a private
# mount namespace as daemon_v4l2.sh sets it up) are listed with driver,
# model, serial and port or device; the [camera NAME] sections it prints,
# pasted into a config, attach all three in photorigd, each bound by serial.
# An address where no camera answers is listed as not identified, with the
# reason. Exit 77 where namespaces are refused.
. "$(dirname "$0")/mountns.inc"
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"

: "${PHOTORIG_BUILD:?PHOTORIG_BUILD must name the build tree}"
PLUGINS=$PHOTORIG_BUILD/tests/v4l2-plugins
LIBV4L2_PLUGINS=$(pkg-config --variable=libdir libv4l2)/libv4l/plugins
SIM=${PTPIP_SIM_BIN:-$PHOTORIG_BUILD/tools/photorig-ptpip-sim}
if [ ! -f "$PLUGINS/photorig-v4l2sim.so" ] || [ ! -d "$LIBV4L2_PLUGINS" ] || [ ! -x "$SIM" ]; then
	echo "skip: no v4l2 simulator plugin, libv4l2 plugin directory or PTP/IP simulator" >&2
	exit 77
fi
mount --bind "$PLUGINS" "$LIBV4L2_PLUGINS" || { echo "skip: cannot bind the plugin directory" >&2; exit 77; }
OLDDEV=$(mktemp -d /tmp/photorig-olddev.XXXXXX)
SIMPIDS=""
sims_stop() { local p; for p in $SIMPIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; SIMPIDS=""; }
trap 'daemon_kill; sims_stop; rm -rf "$TMP"; umount -l "$OLDDEV" 2>/dev/null; rmdir "$OLDDEV" 2>/dev/null' EXIT
FS=$TMP/sys
mkdir -p "$FS/class/video4linux" "$FS/devices/usb1"
mount --bind /dev "$OLDDEV" && mount -t tmpfs photorig-dev /dev &&
	for e in "$OLDDEV"/*; do ln -s "$e" "/dev/${e##*/}" || break; done &&
	mount --bind "$FS/class" /sys/class ||
	{ echo "skip: cannot mount the fake /dev or /sys/class" >&2; exit 77; }
# libgphoto2's USB port library never frees its device list: not ours
echo 'leak:libusb_get_device_list' > "$TMP/lsan.supp"
cat "$PHOTORIG_SOURCE/tests/integration/gphoto2.lsan.supp" >> "$TMP/lsan.supp"
export LSAN_OPTIONS="suppressions=$TMP/lsan.supp:print_suppressions=0"
# slow unwinding names the frames of libgphoto2's camlibs, which the suppressions match
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

# one V4L2 camera on USB port 1-1, /dev/video0
usb=$FS/devices/usb1/1-1
mkdir -p "$usb/1-1:1.0/video4linux/video0"
echo V4L-DET-01 > "$usb/serial"
echo 0 > "$usb/1-1:1.0/video4linux/video0/index"
ln -sfn "../../../1-1:1.0" "$usb/1-1:1.0/video4linux/video0/device"
ln -sfn "$usb/1-1:1.0/video4linux/video0" "$FS/class/video4linux/video0"
: > /dev/video0
SC=$TMP/scene
"$P" scene --out "$SC" --frames 2 --shots 1 --size 640x480 --jpeg 90 >/dev/null ||
	{ fail "photorig scene"; finish; exit 1; }
export PHOTORIG_V4L2SIM_CONFIG=$TMP/v4l2sim.conf PHOTORIG_V4L2SIM_CONTROL=$TMP/v4l2sim.ctl
: > "$PHOTORIG_V4L2SIM_CONTROL"
echo "/dev/video0 YUYV:640x480 card=SimCam-Detect jpegs=$SC/plate_01.jpg" > "$PHOTORIG_V4L2SIM_CONFIG"

# two PTP/IP cameras
mkdir -p "$TMP/ptp-images"
cp "$SC"/plate_0?.jpg "$SC"/shot_0?.jpg "$TMP/ptp-images/"
ADDRS=""
for k in 1 2; do
	: > "$TMP/ptpsim$k.log"
	"$SIM" --address 127.0.0.$((70 + k)) --port 0 --serial "PTP-DET-$k" \
		--images "$TMP/ptp-images" >"$TMP/ptpsim$k.log" 2>&1 &
	SIMPIDS="$SIMPIDS $!"
	wait_for 10 grep -q '^READY' "$TMP/ptpsim$k.log" || { fail "simulator $k"; finish; exit 1; }
	port=$(sed -n 's/^READY .* port=\([0-9]*\).*/\1/p' "$TMP/ptpsim$k.log")
	ADDRS="$ADDRS 127.0.0.$((70 + k)):$port:$port"
done

expect_status 0 "photorig detect" -- "$P" detect --ptpip $ADDRS
printf '%s\n' "$OUT"
expect_output '^3 cameras found:' "three cameras found"
expect_output 'gphoto2 +.* serial PTP-DET-1 +port ptpip:127.0.0.71:' "PTP/IP camera 1 with its serial and address"
expect_output 'gphoto2 +.* serial PTP-DET-2 +port ptpip:127.0.0.72:' "PTP/IP camera 2"
expect_output 'v4l2 +SimCam-Detect +serial V4L-DET-01 +device /dev/video0' "the V4L2 camera with model, serial, device"
expect_output '^serial = V4L-DET-01$' "a stanza keyed by the V4L2 camera's serial"
expect_output '^serial = PTP-DET-2$' "a stanza keyed by a PTP/IP camera's serial"
STANZAS=$(printf '%s\n' "$OUT" | sed -n '/^# Paste/,$p')
[ "$(printf '%s\n' "$STANZAS" | grep -c '^\[camera cam0[1-3]\]$')" = 3 ] && pass "three [camera] sections" ||
	fail "sections: $STANZAS"
expect_status 0 "detect --json" -- "$P" detect --ptpip $ADDRS --json
[ "$(printf '%s\n' "$OUT" | jq -r '[.cameras[].serial] | sort | join(",")')" = "PTP-DET-1,PTP-DET-2,V4L-DET-01" ] &&
	pass "--json: the three serials" || fail "--json: $OUT"

# the stanzas, pasted as they are, attach the three cameras
rig_dir rig
sed -n '/^\[daemon\]/,/^\[camera/p' "$PHOTORIG_SOURCE/config/demo.ini" | sed '$d' > "$RIG/photorig.ini"
printf '%s\n' "$STANZAS" >> "$RIG/photorig.ini"
expect_status 0 "photorigd -n accepts the pasted sections" -- "$D" -n -c "$RIG/photorig.ini"
daemon_start || { fail "daemon start"; finish; exit 1; }
wait_for 30 sh -c "[ \$(\"$P\" cameras --socket \"$SOCK\" | grep -c ' ready ') = 3 ]" &&
	pass "photorigd attached all three" || fail "cameras: $(pr cameras)"
expect_status 0 "cameras" -- pr cameras
for s in PTP-DET-1 PTP-DET-2 V4L-DET-01; do
	expect_output "ready +$s " "bound to $s"
done

# an address where no camera answers is listed with the reason, not dropped
expect_status 0 "detect with an address where nothing answers" -- "$P" detect --ptpip 127.0.0.79:1
expect_output 'ptpip:127.0.0.79:1 +NOT IDENTIFIED: no camera answers at ptpip:127.0.0.79:1' \
	"the silent address is named with why"
expect_output '^1 camera|^2 cameras found' "the V4L2 camera is still listed"
daemon_stop
finish
