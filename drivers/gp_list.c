/* photorig drivers, gphoto2: the cameras attached, for `photorig detect`
 * (see cam_detect.h). Each port is opened through the driver itself, so a
 * camera is identified exactly as photorigd will bind it (serial from the
 * config widgets, model from the camera). */
#define _GNU_SOURCE
#include "cam_detect.h"
#include "gp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DETECT_TIMEOUT_MS 5000

static void identify_port(const char *port, struct cam_found_list *out)
{
	struct cam_found *f = cam_found_add(out, "gphoto2");
	if (!f)
		return;
	snprintf(f->port, sizeof(f->port), "%s", port);
	struct cam_params p = { .name = "detect", .serial = "", .port = port, .device = "",
				.timeout_ms = DETECT_TIMEOUT_MS };
	struct cam_handle *h = NULL;
	struct pr_error err = { 0 };
	struct cam_info info;
	int rc = cam_gphoto2_driver.open(&p, &h, &err);
	if (!rc)
		rc = cam_gphoto2_driver.identify(h, &info, &err);
	if (rc) {
		/* "camera detect: " says nothing here */
		const char *why = strncmp(err.msg, "camera detect: ", 15) ? err.msg : err.msg + 15;
		snprintf(f->error, sizeof(f->error), "%.*s", (int)sizeof(f->error) - 1, why);
	} else {
		snprintf(f->model, sizeof(f->model), "%s", info.model);
		snprintf(f->serial, sizeof(f->serial), "%s", info.serial);
		snprintf(f->port, sizeof(f->port), "%s", info.port);
	}
	cam_gphoto2_driver.close(&h);
}

int cam_detect_gphoto2(const char *const *ptpip, size_t nptpip, struct cam_found_list *out,
		       struct pr_error *err)
{
	GPContext *ctx = gp_context_new();
	CameraList *list = NULL;
	if (!ctx || gp_list_new(&list) < GP_OK) {
		if (ctx)
			gp_context_unref(ctx);
		return pr_error_set(err, PR_ENOMEM, "out of memory");
	}
	gpd_lock();
	int r = gp_camera_autodetect(list, ctx);
	gpd_unlock();
	int n = r < GP_OK ? 0 : gp_list_count(list);
	char (*ports)[128] = calloc((size_t)n + 1, sizeof(*ports));
	int nports = 0;
	for (int i = 0; ports && i < n; i++) {
		const char *v = NULL;
		/* PTP/IP entries are the libgphoto2 list's generic ones: only given addresses count */
		if (gp_list_get_value(list, i, &v) >= GP_OK && v && !strncmp(v, "usb:", 4))
			snprintf(ports[nports++], sizeof(ports[0]), "%s", v);
	}
	gp_list_free(list);
	gp_context_unref(ctx);
	for (int i = 0; i < nports; i++)
		identify_port(ports[i], out);
	free(ports);
	for (size_t i = 0; i < nptpip; i++) {
		char port[128];
		snprintf(port, sizeof(port), "%s%s", strncmp(ptpip[i], "ptpip:", 6) ? "ptpip:" : "",
			 ptpip[i]);
		identify_port(port, out);
	}
	if (r < GP_OK && r != GP_ERROR_NOT_SUPPORTED)
		return pr_error_set(err, PR_EIO, "libgphoto2 could not list USB cameras: %s",
				    gp_result_as_string(r));
	return 0;
}
