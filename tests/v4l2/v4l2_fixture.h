/* photorig tests: a fake sysfs tree and /dev for the v4l2 driver test.
 *
 * Laid out as the kernel does for a UVC camera: the node's `device` link
 * points at the USB interface (1-N:1.0), whose parent USB device (1-N)
 * holds `serial`; class/video4linux/videoK links to the node. Device nodes
 * are empty regular files, which the simulated camera plugin claims. */
#ifndef PHOTORIG_V4L2_FIXTURE_H
#define PHOTORIG_V4L2_FIXTURE_H

/* mkdir -p */
void v4l2fx_mkdirs(const char *path);
/* Node videoK of USB device 1-usbport with this serial, and devroot/videoK. */
void v4l2fx_add_node(const char *sysroot, const char *devroot, int node, int usbport,
		     const char *serial);
/* Unplug: the class link and the device node go. */
void v4l2fx_remove_node(const char *sysroot, const char *devroot, int node);
/* rm -r */
void v4l2fx_rmtree(const char *dir);

#endif
