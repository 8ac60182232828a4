/* photorig drivers: the `v4l2` driver's parts (cam_v4l2.c open/capture,
 * v4l2_format.c format negotiation, v4l2_controls.c control locking,
 * v4l2_identity.c serial numbers from sysfs). Not for other modules. */
#ifndef PHOTORIG_V4L2_INTERNAL_H
#define PHOTORIG_V4L2_INTERNAL_H

#include <limits.h>
#include <linux/videodev2.h>
#include <stddef.h>
#include <stdint.h>

#include "cam_v4l2.h"

#define V4D_NBUFFERS 4          /* asked of REQBUFS: enough to keep streaming while one is copied */
#define V4D_MAX_BUFFERS 16      /* most the driver accepts back */
#define V4D_MAX_CTRLS 32
#define V4D_DEFAULT_TIMEOUT_MS 10000

struct v4d_buffer {
	void *start;
	size_t length;
};

/* One locked control as read back. */
struct v4d_ctrl {
	uint32_t id;
	char key[48];
	int32_t value;
};

struct cam_handle {
	char name[64];
	char path[256];            /* the node opened */
	char serial[64];
	char model[64];            /* QUERYCAP card */
	char bus_info[64];
	int fd;                    /* from v4l2_open, -1 when closed */
	int broken;                /* ENODEV seen: only close() is useful */
	uint32_t timeout_ms;
	int controls_warn;
	/* format */
	uint32_t fourcc;           /* the camera's format */
	uint32_t out_fourcc;       /* what libv4l2 hands us: MJPEG as is, else RGB24 */
	uint32_t width, height, bytesperline, sizeimage;
	uint32_t interval_us;
	/* streaming */
	struct v4d_buffer buf[V4D_MAX_BUFFERS];
	uint32_t nbuf;
	int streaming;
	/* controls */
	struct v4d_ctrl ctrls[V4D_MAX_CTRLS];
	uint32_t nctrls;
	char warnings[1024];
	struct cam_v4l2_frame_info last;
};

/* v4l2_ioctl, retried on EINTR. */
int v4d_ioctl(struct cam_handle *h, unsigned long req, void *arg);
/* The error for a failed ioctl: CAM_EGONE for a vanished device (marks h
 * broken), else code, with "camera NAME (PATH): what: strerror". */
int v4d_fail(struct cam_handle *h, int code, const char *what, struct pr_error *err);
/* Is this errno a device that went away? */
int v4d_errno_gone(int e);
/* "YUYV" from a fourcc (out holds 5 bytes); printable only. */
const char *v4d_fourcc_str(uint32_t fourcc, char out[5]);
/* Append a sentence to h->warnings. */
void v4d_warn(struct cam_handle *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* v4l2_format.c: choose and set pixel format, size, frame interval. */
int v4d_format_setup(struct cam_handle *h, const struct cam_params *p, struct pr_error *err);

/* v4l2_controls.c: apply the set.* controls and lock the automatic ones;
 * read them back into h->ctrls. */
int v4d_controls_lock(struct cam_handle *h, const struct cam_setting *set, uint32_t nset,
		      struct pr_error *err);
/* Read the locked controls again; put back any that changed. */
int v4d_controls_recheck(struct cam_handle *h, struct pr_error *err);
/* v4l2_menu.c: a control's kind for list_settings, a menu's items (the
 * current one, cur, also into it->value). */
const char *v4d_ctrl_type(uint32_t t);
int v4d_menu_choices(struct cam_handle *h, const struct v4l2_queryctrl *q, int32_t cur,
		     struct cam_setting_info *it);
/* list_settings / set_setting: every control with its value, range or menu. */
int cam_v4l2_list_settings(struct cam_handle *h, struct cam_settings_list *out,
			   struct pr_error *err);
int cam_v4l2_set_setting(struct cam_handle *h, const char *key, const char *value,
			 char *readback, size_t size, struct pr_error *err);

/* v4l2_identity.c: the USB serial of /dev/videoN (or a by-id link to it),
 * "" when sysfs does not say. */
void v4d_serial_of(const char *sysfs_root, const char *devpath, char *serial, size_t size);

#endif
