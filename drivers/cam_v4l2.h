/* photorig drivers: what the `v4l2` driver offers beyond struct cam_driver.
 *
 * V4L2 cameras hold their exposure, gain, white balance and focus in
 * controls that the camera (or someone with v4l2-ctl) may change between a
 * plate and a shot. The driver locks them at open, reads them back, and
 * gives the daemon their values as text to store with a plate and to
 * compare each shot against. */
#ifndef PHOTORIG_CAM_V4L2_H
#define PHOTORIG_CAM_V4L2_H

#include <stddef.h>
#include <stdint.h>

#include "camera.h"

/* The locked controls as read back from the camera (at open, and again at
 * every arm()), one "v4l2.KEY=VALUE\n" line each, in a fixed order: the
 * text to append to a plate's settings. Truncated to size (always
 * terminated). Returns 0, or CAM_EGONE when h is not open. */
int cam_v4l2_controls_text(struct cam_handle *h, char *buf, size_t size);

/* Compare a plate's settings text with a shot's (either may hold other,
 * non-"v4l2." lines, which are ignored). Returns 0 when every v4l2 control
 * has the same value in both, else 1, with why naming the first
 * differences ("exposure_absolute 156 -> 300"). */
int cam_v4l2_controls_compare(const char *plate_text, const char *shot_text, char *why,
			      size_t size);

/* Warnings from open (controls the camera refused, with on_refused_control
 * = warn; automatic modes it would not leave): "" if none. The driver logs
 * nothing itself; the daemon should log these once per attach. */
const char *cam_v4l2_warnings(struct cam_handle *h);

/* The last delivered frame, for logs and manifests. */
struct cam_v4l2_frame_info {
	uint32_t sequence;          /* the camera's frame counter */
	int64_t capture_mono_ns;    /* buffer timestamp, CLOCK_MONOTONIC */
	int64_t trigger_mono_ns;    /* when capture() was called, CLOCK_MONOTONIC */
	uint32_t stale_dropped;     /* frames older than the trigger given back */
	uint32_t fourcc;            /* the camera's pixel format */
	uint32_t width, height;
	uint32_t interval_us;       /* frame interval, 0 = unknown */
};
int cam_v4l2_last_frame(struct cam_handle *h, struct cam_v4l2_frame_info *out);

/* Find the /dev node of the V4L2 capture device whose USB device has this
 * serial, looking under sysfs_root/class/video4linux (NULL = "/sys") and
 * naming the node under dev_root (NULL = "/dev"). 0, or CAM_EGONE with the
 * serials that were found. */
int cam_v4l2_find_serial(const char *sysfs_root, const char *dev_root, const char *serial,
			 char *path, size_t size, struct pr_error *err);

#endif
