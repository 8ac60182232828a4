/* photorig drivers: finding the cameras attached to this machine, for
 * `photorig detect`, before any config names them.
 *
 * gphoto2: every camera libgphoto2 detects on USB, and PTP/IP cameras at
 * the addresses given (a network camera cannot be found without its
 * address); each is opened once through the gphoto2 driver to read its
 * serial and model, then closed. V4L2: every video capture node under
 * dev_root, asked for its card name (QUERYCAP, through libv4l2) and its USB
 * serial (sysfs); nothing about the camera is changed. A camera that is
 * found but cannot be opened (another program holds it) is listed with the
 * reason in error. */
#ifndef PHOTORIG_CAM_DETECT_H
#define PHOTORIG_CAM_DETECT_H

#include <stddef.h>

#include "camera.h"

struct cam_found {
	char driver[16];          /* "gphoto2", "v4l2" */
	char model[64];
	char serial[64];          /* "" when the camera has none */
	char port[128];           /* gphoto2 port (usb:BUS,DEV, ptpip:HOST...), V4L2 device */
	char error[256];          /* "" when identified */
};

struct cam_found_list {
	struct cam_found *items;
	size_t n, cap;
};

struct cam_found *cam_found_add(struct cam_found_list *l, const char *driver);
void cam_found_free(struct cam_found_list *l);

/* ptpip: addresses "HOST[:PORT[:EVENTPORT]]". CAM_ENOTCOMPILED without the driver. */
int cam_detect_gphoto2(const char *const *ptpip, size_t nptpip, struct cam_found_list *out,
		       struct pr_error *err);
/* sysfs_root, dev_root: NULL for /sys and /dev. */
int cam_detect_v4l2(const char *sysfs_root, const char *dev_root, struct cam_found_list *out,
		    struct pr_error *err);

#endif
