/* photorig drivers, gphoto2: one capture.
 *
 * gp_camera_capture is not used: in libgphoto2 2.5.30 it ignores an error
 * from InitiateCapture (busy, I/O, timeout) and then waits for events
 * forever. Instead gp_camera_trigger_capture, which returns the error,
 * and our own event loop against a CLOCK_MONOTONIC deadline, because
 * gp_camera_wait_for_event returns "timeout" after about 1 ms on PTP/IP
 * whatever timeout it is given.
 *
 * With a hardware trigger (a relay or trigger box on the remote-shutter
 * port) the camera is not fired here: gpcap_collect only waits for the
 * files the wire made it write.
 *
 * A capture may write several files (RAW+JPEG): every GP_EVENT_FILE_ADDED
 * until GP_EVENT_CAPTURE_COMPLETE (or a short quiet spell, for cameras that
 * never send it) is downloaded into memory, then deleted from the camera if
 * configured. Files are deleted only once all of them are in memory, so a
 * failure part-way leaves them on the card, not nowhere. */
#define _GNU_SOURCE
#include "gp_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUSY_RETRIES 10
#define BUSY_SLEEP_MS 100
#define POLL_MS 50           /* wait_for_event's own timeout (USB honours it) */
#define QUIET_MS 300         /* no CAPTURE_COMPLETE: this long without a new file ends it */
#define DRAIN_MAX 64

struct pending {
	CameraFilePath path;
	int64_t arrival_ns;
};

static void sleep_ms(double ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { (time_t)(ms / 1000), (long)((ms - (time_t)(ms / 1000) * 1000) * 1e6) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void gpcap_drain(struct cam_handle *h)
{
	for (int i = 0; i < DRAIN_MAX; i++) {
		CameraEventType type = GP_EVENT_UNKNOWN;
		void *data = NULL;
		int r = gp_camera_wait_for_event(h->cam, 1, &type, &data, h->ctx);
		free(data);
		if (r < GP_OK || type == GP_EVENT_TIMEOUT)
			return;
	}
}

/* Triggers, retrying a busy camera a bounded number of times. The first
 * attempt is the synchronised one: released() follows it, whatever its
 * outcome, so retries and waits never run at the caller's trigger priority. */
static int trigger(struct cam_handle *h, const struct cam_request *req, double deadline,
		   int64_t *trigger_ns, struct pr_error *err)
{
	for (int attempt = 0;; attempt++) {
		double t0 = gpd_now_ms();
		*trigger_ns = cam_now_realtime_ns();
		int r = gp_camera_trigger_capture(h->cam, h->ctx);
		if (attempt == 0)
			cam_released(req);
		if (r >= GP_OK)
			return 0;
		if (r != GP_ERROR_CAMERA_BUSY)
			return gpd_fail(h, r, "trigger", gpd_now_ms() - t0, err);
		if (attempt + 1 >= BUSY_RETRIES || gpd_now_ms() + BUSY_SLEEP_MS >= deadline)
			return pr_error_set(err, CAM_EBUSY, "camera %s (%s): still busy after %d "
					    "triggers", h->name, h->serial, attempt + 1);
		sleep_ms(BUSY_SLEEP_MS);
	}
}

/* Collects the capture's files from events until done or the deadline. */
static int collect(struct cam_handle *h, double deadline, struct pending *files, int *nfiles,
		   struct pr_error *err)
{
	double last_file = 0;
	for (;;) {
		double now = gpd_now_ms();
		if (*nfiles > 0 && now - last_file >= QUIET_MS)
			return 0;
		if (now >= deadline)
			return *nfiles ? 0
				       : pr_error_set(err, CAM_ETIMEOUT, "camera %s (%s): no file "
						      "within %u ms of the trigger", h->name,
						      h->serial, h->timeout_ms);
		CameraEventType type = GP_EVENT_UNKNOWN;
		void *data = NULL;
		int wait = (int)(deadline - now) < POLL_MS ? (int)(deadline - now) + 1 : POLL_MS;
		int r = gp_camera_wait_for_event(h->cam, wait, &type, &data, h->ctx);
		if (r < GP_OK) {
			free(data);
			return gpd_fail(h, r, "wait for the file", gpd_now_ms() - now, err);
		}
		if (type == GP_EVENT_FILE_ADDED && data) {
			if (*nfiles < GPD_MAX_FILES) {
				files[*nfiles].path = *(CameraFilePath *)data;
				files[*nfiles].path.name[sizeof(files[0].path.name) - 1] = '\0';
				files[*nfiles].path.folder[sizeof(files[0].path.folder) - 1] = '\0';
				files[*nfiles].arrival_ns = cam_now_realtime_ns();
				(*nfiles)++;
			}
			last_file = gpd_now_ms();
		} else if (type == GP_EVENT_CAPTURE_COMPLETE && *nfiles > 0) {
			free(data);
			return 0;
		} else if (type == GP_EVENT_TIMEOUT && gpd_now_ms() - now < 1) {
			/* PTP/IP returned at once: do not spin a core. */
			sleep_ms(1);
		}
		free(data);
	}
}

static void set_ext(struct cam_frame *f, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t k = 0;
	if (dot)
		for (dot++; *dot && k + 1 < sizeof(f->ext); dot++)
			if (isalnum((unsigned char)*dot))
				f->ext[k++] = (char)tolower((unsigned char)*dot);
	f->ext[k] = '\0';
	if (!k)
		snprintf(f->ext, sizeof(f->ext), "bin");
}

static int download(struct cam_handle *h, const struct pending *p, struct cam_frame *f,
		    struct pr_error *err)
{
	CameraFile *file = NULL;
	int r = gp_file_new(&file);
	if (r < GP_OK)
		return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
	double t0 = gpd_now_ms();
	r = gp_camera_file_get(h->cam, p->path.folder, p->path.name, GP_FILE_TYPE_NORMAL, file,
			       h->ctx);
	const char *bytes = NULL;
	unsigned long n = 0;
	int rc = 0;
	if (r >= GP_OK)
		r = gp_file_get_data_and_size(file, &bytes, &n);
	if (r < GP_OK) {
		char what[160];
		snprintf(what, sizeof(what), "download %.120s", p->path.name);
		rc = gpd_fail(h, r, what, gpd_now_ms() - t0, err);
	} else if (!(f->data = malloc(n ? n : 1))) {
		rc = pr_error_set(err, PR_ENOMEM, "camera %s: out of memory for %lu bytes", h->name, n);
	} else {
		if (n)
			memcpy(f->data, bytes, n);
		f->size = n;
		f->arrival_ns = p->arrival_ns;
		set_ext(f, p->path.name);
	}
	gp_file_unref(file);
	return rc;
}

/* The files of one shot, announced by events from now until the deadline:
 * downloaded, chained into out, deleted from the camera if configured. */
static int deliver(struct cam_handle *h, double deadline, int64_t trigger_ns,
		   struct cam_frame *out, struct pr_error *err)
{
	struct pending files[GPD_MAX_FILES];
	int nfiles = 0;
	int rc = collect(h, deadline, files, &nfiles, err);
	if (rc)
		return rc;
	/* Download every file; the first goes into out, the rest are chained. */
	struct cam_frame *last = NULL;
	int got = 0;
	for (int i = 0; i < nfiles && !rc; i++) {
		struct cam_frame *f = i == 0 ? out : calloc(1, sizeof(*f));
		if (!f) {
			rc = pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
			break;
		}
		f->trigger_ns = trigger_ns;
		rc = download(h, &files[i], f, err);
		if (rc) {
			if (f != out)
				free(f);
			break;
		}
		if (last)
			last->next = f;
		last = f;
		got++;
	}
	if (rc && got == 0)
		return rc;
	/* Some files are in memory: deliver them. What failed stays on the
	 * camera; the handle is broken, so the next call says re-open. */
	if (rc)
		return 0;
	for (int i = 0; i < nfiles && h->delete_after; i++) {
		double t0 = gpd_now_ms();
		int r = gp_camera_file_delete(h->cam, files[i].path.folder, files[i].path.name, h->ctx);
		if (r < GP_OK) {
			/* The files are safe in memory; a card that fills up is
			 * better than a lost capture. Later calls will tell. */
			struct pr_error ignored;
			gpd_fail(h, r, "delete", gpd_now_ms() - t0, &ignored);
			break;
		}
	}
	return 0;
}

int gpcap_capture(struct cam_handle *h, const struct cam_request *req, struct cam_frame *out,
		  struct pr_error *err)
{
	double deadline = gpd_now_ms() + h->timeout_ms;
	int64_t trigger_ns = 0;
	int rc = trigger(h, req, deadline, &trigger_ns, err);
	return rc ? rc : deliver(h, deadline, trigger_ns, out, err);
}

int gpcap_collect(struct cam_handle *h, int64_t since_ns, struct cam_frame *out,
		  struct pr_error *err)
{
	/* A wired trigger fired the camera at since_ns; arm() drained the
	 * events from before, so every file announced from here is this
	 * shot's. */
	return deliver(h, gpd_now_ms() + h->timeout_ms, since_ns, out, err);
}
