/* photorig drivers: the gphoto2 driver's internals, shared by its files.
 *
 * cam_gphoto2.c   the ops table, error mapping, recovery entry points
 * gp_detect.c     global lists and lock, port parsing, candidates, bind by serial
 * gp_config.c     settings applied through the widget tree and verified
 * gp_capture.c    trigger, event loop, download, delete
 * gp_usb.c        the libusb seam (reset) and who holds /dev/bus/usb/BBB/DDD
 *
 * Threading: everything that touches libgphoto2's shared state (abilities
 * and port lists, camlib/iolib loading in gp_camera_init and gp_camera_exit)
 * runs under gpd_lock(). An opened camera is used only from the thread that
 * owns its handle, without the lock, so cameras capture in parallel.
 *
 * Tests include this header to reach the seams (struct gp_usb_ops, the
 * candidate ports, the /proc scan). */
#ifndef PHOTORIG_GP_INTERNAL_H
#define PHOTORIG_GP_INTERNAL_H

#include <gphoto2/gphoto2.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "camera.h"

#define GPD_DEFAULT_TIMEOUT_MS 10000
/* libgphoto2's PTP/IP reads and writes give up after a fixed 2.5 s; a call
 * that failed after at least this long was a stall, not a dropped link. */
#define GPD_STALL_MS 2000
#define GPD_MAX_FILES 8          /* files one capture may write (RAW+JPEG = 2) */

struct cam_handle {
	char name[64];            /* camera position, for messages */
	char serial[64];
	char model[64];
	char port[128];           /* libgphoto2 port path of the bound camera */
	int usb_bus, usb_dev;     /* -1 unless a USB camera */
	Camera *cam;              /* NULL once closed or reset */
	GPContext *ctx;
	char gp_msg[256];         /* libgphoto2's last error text for this camera */
	uint32_t timeout_ms;
	int delete_after;
	/* set.capturetarget, checked before every set; "" = not configured */
	char target_key[64];
	char target_value[192];
	/* The PTP session is out of step (I/O error or timeout mid-operation):
	 * every later call fails fast with CAM_EGONE until a re-open. */
	int broken;
};

/* ---- gp_detect.c ---- */
void gpd_lock(void);
void gpd_unlock(void);
/* gp_fd0.c: descriptor 0 on /dev/null, and close(0) made harmless, once
 * before libgphoto2 first runs (lock held); put 0 back after a close. */
void gpd_protect_fd0(void);
void gpd_guard_fd0(void);
/* Finds and opens the camera p describes (by serial over every candidate
 * port, or the given port), fills h's identity. Takes the lock itself. */
int gpd_open(struct cam_handle *h, const struct cam_params *p, struct pr_error *err);
/* gp_camera_exit + unref under the lock; forgets h's port. Safe twice. */
void gpd_close_camera(struct cam_handle *h);
/* A PTP/IP port to try when looking for a serial (the daemon passes every
 * configured port, so a camera found at another position's address still
 * binds). Returns 0, PR_EINVAL for a port that is not ptpip:, PR_ENOSPC. */
int gpd_add_candidate(const char *port);
void gpd_forget_candidates(void);    /* tests */
/* "ptpip:HOST[:PORT[:EVENTPORT]]" -> host and command port (15740 default). */
int gpd_parse_ptpip(const char *port, char *host, size_t hostsz, int *cmd_port);
/* TCP connect to host:port within timeout_ms: 0, or a negative errno. */
int gpd_tcp_probe(const char *host, int port, int timeout_ms);

/* ---- gp_config.c ---- */
/* Applies every setting, reads each back and verifies it. */
int gpcfg_apply(struct cam_handle *h, const struct cam_setting *set, uint32_t n,
		struct pr_error *err);
/* Reads key and compares with want (as gpcfg_apply stored it). */
int gpcfg_verify(struct cam_handle *h, const char *key, const char *want, struct pr_error *err);
/* Reads a text/radio widget's current value as text. GP_* result. */
int gpcfg_read(struct cam_handle *h, const char *key, char *buf, size_t bufsz);
int gpcfg_widget_text(CameraWidget *w, char *buf, size_t bufsz);
/* camera_set: set key (checked against its choices), read it back. */
int gpcfg_set_one(struct cam_handle *h, const char *key, const char *value, char *readback,
		  size_t size, struct pr_error *err);
/* gp_settings.c: every widget of the camera's config tree (list_settings). */
int gpset_list(struct cam_handle *h, struct cam_settings_list *out, struct pr_error *err);

/* ---- gp_capture.c ---- */
int gpcap_capture(struct cam_handle *h, const struct cam_request *req, struct cam_frame *out,
		  struct pr_error *err);
/* The files a hardware trigger made the camera write after since_ns. */
int gpcap_collect(struct cam_handle *h, int64_t since_ns, struct cam_frame *out,
		  struct pr_error *err);
/* Consumes events left from earlier (a timed-out capture's late file). */
void gpcap_drain(struct cam_handle *h);

/* ---- cam_gphoto2.c ---- */
/* Maps a GP_* result of `what` to a photorig code and message; marks the
 * handle broken when the session cannot be trusted. elapsed_ms tells a
 * stall (I/O timeout) from a dropped link. */
int gpd_fail(struct cam_handle *h, int gp_result, const char *what, double elapsed_ms,
	     struct pr_error *err);
double gpd_now_ms(void);

/* ---- gp_usb.c ---- */
/* The libusb seam: tests replace it with gp_usb_set_ops. */
struct gp_usb_ops {
	/* Reset the USB device at bus/dev. 0, or a negative errno
	 * (-ENODEV: no such device, -EACCES: no permission). */
	int (*reset)(int bus, int dev);
};
extern const struct gp_usb_ops gp_usb_libusb_ops;
/* NULL restores libusb. */
void gp_usb_set_ops(const struct gp_usb_ops *ops);
/* "usb:BUS,DEV" -> numbers. 0 or PR_EINVAL. */
int gp_usb_parse_port(const char *port, int *bus, int *dev);
/* Resets the device behind a usb: port through the seam. PR_EUNSUPPORTED
 * for other ports; CAM_EGONE if the device is gone (re-open by serial). */
int gp_usb_reset_port(const char *name, const char *port, struct pr_error *err);

struct gp_holder {
	pid_t pid;
	char name[64];            /* argv[0]'s base name, else comm */
};
/* Processes other than this one with path open (scans /proc/PID/fd).
 * Returns how many were found (up to max filled), or a negative errno. */
int gp_usb_find_holders(const char *path, struct gp_holder *out, int max);
/* The sentence for a camera another process holds: who has path
 * (/dev/bus/usb/BBB/DDD) open, and how to release it. Fills buf. */
void gp_usb_held_message(const char *path, char *buf, size_t bufsz);

#endif
