/* photorig drivers: `gphoto2`, DSLRs and mirrorless cameras over USB and
 * PTP/IP through libgphoto2.
 *
 * open     find the camera (port, or by serial over every candidate port,
 *          or the one detected camera), apply and verify the settings
 * arm      before the release barrier: refuse a broken session, check the
 *          capture target, consume stale events
 * capture  trigger, collect every file of the capture, download, delete
 * reset    USB reset of a hung camera (libusb seam in gp_usb.c)
 *
 * Recovery is the daemon's, escalating: CAM_EBUSY is what remains after the
 * driver's own bounded busy retries; CAM_EGONE and CAM_ETIMEOUT mean close
 * and open again (by serial, so the camera may come back at another port);
 * if opening keeps failing on USB, reset() then open; then offline, and
 * re-attach attempts with back-off (each failed PTP/IP open costs memory
 * inside libgphoto2; a refused TCP connect does not).
 *
 * Bounded costs: PTP/IP I/O gives up after a fixed 2.5 s inside
 * libgphoto2, so a stalled camera's trigger returns after ~2.5 s, and
 * close() on it costs another ~2.5 s (gp_camera_exit talks to it). The
 * driver logs nothing; everything it has to say is in struct pr_error. */
#define _GNU_SOURCE
#include "cam_gphoto2.h"
#include "clock.h"
#include "gp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double gpd_now_ms(void)
{
	return (double)pr_clock_ns(CLOCK_MONOTONIC) / 1e6;
}

/* libgphoto2 reports details ("Could not claim the USB device") through the
 * context; keep the last one for the error message. */
static void on_gp_error(GPContext *ctx, const char *text, void *data)
{
	(void)ctx;
	struct cam_handle *h = data;
	if (text)
		snprintf(h->gp_msg, sizeof(h->gp_msg), "%s", text);
}

static int is_link_error(int r)
{
	/* GP_ERROR: ptp2 turns a PTP/IP read of a closed socket into "PTP
	 * General Error"; mid-capture, only a re-open is safe after it. */
	return r == GP_ERROR || r == GP_ERROR_IO || r == GP_ERROR_IO_READ || r == GP_ERROR_IO_WRITE ||
	       r == GP_ERROR_IO_INIT || r == GP_ERROR_IO_UPDATE || r == GP_ERROR_IO_USB_FIND ||
	       r == GP_ERROR_IO_USB_CLEAR_HALT || r == GP_ERROR_IO_LOCK ||
	       r == GP_ERROR_IO_SUPPORTED_USB || r == GP_ERROR_CAMERA_ERROR ||
	       r == GP_ERROR_MODEL_NOT_FOUND;
}

int gpd_fail(struct cam_handle *h, int r, const char *what, double elapsed_ms,
	     struct pr_error *err)
{
	int code;
	const char *hint = "";
	if (r == GP_ERROR_CAMERA_BUSY) {
		code = CAM_EBUSY;
	} else if (r == GP_ERROR_TIMEOUT || (is_link_error(r) && elapsed_ms >= GPD_STALL_MS)) {
		/* The camera stopped answering: its PTP session is lost. */
		code = CAM_ETIMEOUT;
		h->broken = 1;
		hint = ": no answer, re-open it";
	} else if (is_link_error(r)) {
		code = CAM_EGONE;
		h->broken = 1;
		hint = ": connection lost, re-open it";
	} else if (r == GP_ERROR_NO_MEMORY) {
		code = PR_ENOMEM;
	} else if (r == GP_ERROR_NOT_SUPPORTED) {
		code = PR_EUNSUPPORTED;
	} else {
		code = PR_EIO;
	}
	char detail[300] = "";
	if (h->gp_msg[0])
		snprintf(detail, sizeof(detail), " (%s)", h->gp_msg);
	h->gp_msg[0] = '\0';
	return pr_error_set(err, code, "camera %s (serial %s, %s): %s: %s%s%s", h->name,
			    h->serial[0] ? h->serial : "?", h->port[0] ? h->port : "no port", what,
			    gp_result_as_string(r), detail, hint);
}

int cam_gphoto2_add_candidate_port(const char *port)
{
	return gpd_add_candidate(port);
}

static void gp_close(struct cam_handle **hp)
{
	if (!hp || !*hp)
		return;
	struct cam_handle *h = *hp;
	gpd_close_camera(h);
	if (h->ctx)
		gp_context_unref(h->ctx);
	free(h);
	*hp = NULL;
}

static int gp_open(const struct cam_params *p, struct cam_handle **out, struct pr_error *err)
{
	*out = NULL;
	struct cam_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", p->name);
	snprintf(h->name, sizeof(h->name), "%s", p->name ? p->name : "?");
	h->usb_bus = h->usb_dev = -1;
	h->timeout_ms = p->timeout_ms ? p->timeout_ms : GPD_DEFAULT_TIMEOUT_MS;
	h->delete_after = p->delete_after_download;
	h->ctx = gp_context_new();
	if (!h->ctx) {
		free(h);
		return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", p->name);
	}
	gp_context_set_error_func(h->ctx, on_gp_error, h);
	int rc = gpd_open(h, p, err);
	if (!rc)
		rc = gpcfg_apply(h, p->settings, p->nsettings, err);
	if (rc) {
		gp_close(&h);
		return rc;
	}
	*out = h;
	return 0;
}

static int gp_identify(struct cam_handle *h, struct cam_info *info, struct pr_error *err)
{
	if (!h || !h->cam)
		return pr_error_set(err, CAM_EGONE, "camera is not open");
	snprintf(info->serial, sizeof(info->serial), "%s", h->serial);
	snprintf(info->model, sizeof(info->model), "%s", h->model);
	snprintf(info->port, sizeof(info->port), "%s", h->port);
	return 0;
}

static int usable(struct cam_handle *h, struct pr_error *err)
{
	if (!h || !h->cam)
		return pr_error_set(err, CAM_EGONE, "camera %s: not open (after a reset): re-open it",
				    h ? h->name : "?");
	if (h->broken)
		return pr_error_set(err, CAM_EGONE, "camera %s (serial %s): the connection failed "
				    "earlier: re-open it", h->name, h->serial);
	return 0;
}

static int gp_arm(struct cam_handle *h, const struct cam_request *req, struct pr_error *err)
{
	(void)req;
	int rc = usable(h, err);
	if (rc)
		return rc;
	if (h->target_key[0]) {
		rc = gpcfg_verify(h, h->target_key, h->target_value, err);
		if (rc == PR_EINVAL) {
			/* It flipped (to RAM, say, after a menu visit): put it back for
			 * the next set, but fail this one, so the operator hears of it
			 * instead of finding files missing from the card. */
			char key[sizeof(h->target_key)], want[sizeof(h->target_value)];
			snprintf(key, sizeof(key), "%s", h->target_key);
			snprintf(want, sizeof(want), "%s", h->target_value);
			struct cam_setting s = { key, want };
			struct pr_error again;
			gpcfg_apply(h, &s, 1, &again);
			snprintf(h->target_key, sizeof(h->target_key), "%s", key);
			snprintf(h->target_value, sizeof(h->target_value), "%s", want);
		}
		if (rc)
			return rc;
	}
	gpcap_drain(h);
	return 0;
}

static int gp_capture(struct cam_handle *h, const struct cam_request *req, struct cam_frame *out,
		      struct pr_error *err)
{
	int rc = usable(h, err);
	return rc ? rc : gpcap_capture(h, req, out, err);
}

static int gp_collect(struct cam_handle *h, const struct cam_request *req, int64_t since_ns,
		      struct cam_frame *out, struct pr_error *err)
{
	(void)req;
	int rc = usable(h, err);
	return rc ? rc : gpcap_collect(h, since_ns, out, err);
}

static int gp_reset(struct cam_handle *h, struct pr_error *err)
{
	if (!h)
		return pr_error_set(err, PR_EINVAL, "no camera");
	char port[sizeof(h->port)];
	snprintf(port, sizeof(port), "%s", h->port);
	if (h->usb_bus < 0)
		return gp_usb_reset_port(h->name, port, err); /* says why not */
	/* Let go of the device first: libgphoto2 holds the interface. */
	gpd_close_camera(h);
	return gp_usb_reset_port(h->name, port, err);
}

static int gp_list_settings(struct cam_handle *h, struct cam_settings_list *out,
			    struct pr_error *err)
{
	return gpset_list(h, out, err);
}

static int gp_set_setting(struct cam_handle *h, const char *key, const char *value,
			  char *readback, size_t size, struct pr_error *err)
{
	if (!h || !h->cam || h->broken)
		return pr_error_set(err, CAM_EGONE, "camera %s is not open", h ? h->name : "?");
	return gpcfg_set_one(h, key, value, readback, size, err);
}

/* libgphoto2's preview capture: a live-view frame (JPEG) on cameras that
 * have one; nothing is written to the card. */
static int gp_preview(struct cam_handle *h, struct cam_frame *out, struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = usable(h, err);
	if (rc)
		return rc;
	CameraFile *file = NULL;
	if (gp_file_new(&file) < GP_OK)
		return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
	double t0 = gpd_now_ms();
	int r = gp_camera_capture_preview(h->cam, file, h->ctx);
	const char *bytes = NULL;
	unsigned long n = 0;
	if (r >= GP_OK)
		r = gp_file_get_data_and_size(file, &bytes, &n);
	if (r == GP_ERROR_NOT_SUPPORTED)
		rc = pr_error_set(err, PR_EUNSUPPORTED, "camera %s (%s): no live view: libgphoto2 "
				  "cannot take a preview frame from this camera", h->name, h->model);
	else if (r < GP_OK)
		rc = gpd_fail(h, r, "preview capture", gpd_now_ms() - t0, err);
	else if (!n || !(out->data = malloc(n)))
		rc = pr_error_set(err, n ? PR_ENOMEM : PR_EIO, "camera %s: %s", h->name,
				  n ? "out of memory" : "an empty preview frame");
	else {
		memcpy(out->data, bytes, n);
		out->size = n;
		snprintf(out->ext, sizeof(out->ext), "jpg");
	}
	gp_file_unref(file);
	return rc;
}

const struct cam_driver cam_gphoto2_driver = {
	.name = "gphoto2",
	.open = gp_open,
	.identify = gp_identify,
	.arm = gp_arm,
	.capture = gp_capture,
	.close = gp_close,
	.reset = gp_reset,
	.collect = gp_collect,
	.list_settings = gp_list_settings,
	.set_setting = gp_set_setting,
	.preview = gp_preview,
};
