/* photorigd: a preview frame of one camera (see preview.h). */
#define _GNU_SOURCE
#include "preview.h"

#include "daemon.h"
#include "events.h"
#include "rig.h"
#include "rig_op.h"
#include "scan.h"
#include "sync.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imageio.h"
#include "log.h"

/* Loop only: requests waiting for their camera. */
struct preview_call {
	struct preview_call *next;
	uint64_t id;
	uint64_t client;
	int64_t req_id;
};

static struct preview_call *calls;
static uint64_t next_call_id = 1;

static void refuse(struct daemon *d, uint64_t requester, const struct pr_request *req, const char *why)
{
	events_reply(d, requester, pr_proto_reply_error(req->id, 1, "preview: %s", why));
}

void preview_request(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	char why[512];
	int cam = -1;
	for (uint32_t i = 0; i < d->nslots; i++)
		if (!strcmp(d->slots[i].cfg.name, req->camera))
			cam = (int)i;
	const struct pr_camera_config *cc = pr_config_camera(&d->cfg, req->camera);
	if (cam < 0 || !cc) {
		snprintf(why, sizeof(why), "no camera position '%s'", req->camera);
		refuse(d, requester, req, why);
		return;
	}
	if (d->stopping) {
		refuse(d, requester, req, "photorigd is stopping");
		return;
	}
	/* the camera's thread would be busy when the set's trigger comes */
	if (d->op.kind != OP_NONE || scan_running(d)) {
		snprintf(why, sizeof(why), "busy: a %s is running; preview when it is done",
			 scan_running(d) ? "turntable scan" : d->op.kind == OP_PLATE
			 ? "plate recording" : "capture");
		refuse(d, requester, req, why);
		return;
	}
	struct preview_call *k = calloc(1, sizeof(*k));
	struct cam_job *job = calloc(1, sizeof(*job));
	struct preview_args *a = calloc(1, sizeof(*a));
	if (!k || !job || !a) {
		free(k);
		free(job);
		free(a);
		refuse(d, requester, req, "out of memory");
		return;
	}
	a->mask = cc->mask;
	a->mask.threads = 1; /* a camera thread: leave the cores to the mask workers */
	if (cc->mask.method == PR_MASK_PLATE && d->plates)
		a->plate = plate_ref_get(d->plates[cam]);
	k->id = next_call_id++;
	k->client = requester;
	k->req_id = req->id;
	k->next = calls;
	calls = k;
	job->type = JOB_PREVIEW;
	job->call_id = k->id;
	job->preview = a;
	rig_post(&d->slots[cam], job);
}

void preview_on_report(struct daemon *d, struct report *r)
{
	struct preview_call **pp = &calls, *k = NULL;
	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->id == r->call_id) {
			k = *pp;
			break;
		}
	if (!k)
		return;
	*pp = k->next;
	json_object *reply;
	if (r->rc) {
		reply = pr_proto_reply_error(k->req_id, 1, "preview: %s", r->msg);
	} else {
		reply = pr_proto_reply_ok(k->req_id);
		json_object_object_foreach(r->json, key, val)
			json_object_object_add(reply, key, json_object_get(val));
	}
	events_reply(d, k->client, reply);
	free(k);
}

void preview_fini(void)
{
	while (calls) {
		struct preview_call *k = calls;
		calls = k->next;
		free(k);
	}
}

/* ---- camera thread ---- */

static char *base64(const uint8_t *data, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < n ? (uint32_t)data[i + 1] << 8 : 0) |
			     (i + 2 < n ? data[i + 2] : 0);
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* Variance of the 4-neighbour Laplacian of the luminance: the usual focus
 * measure (a blurred frame has weak second derivatives everywhere). */
static double sharpness(const struct pr_image *rgb)
{
	uint32_t w = rgb->width, h = rgb->height;
	if (w < 3 || h < 3)
		return 0;
	float *grey = malloc((size_t)w * h * sizeof(*grey));
	if (!grey)
		return 0;
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *restrict p = pr_image_row(rgb, y);
		float *restrict g = grey + (size_t)y * w;
		for (uint32_t x = 0; x < w; x++)
			g[x] = 0.299f * p[3 * x] + 0.587f * p[3 * x + 1] + 0.114f * p[3 * x + 2];
	}
	double sum = 0, sum2 = 0;
	for (uint32_t y = 1; y + 1 < h; y++) {
		const float *restrict g = grey + (size_t)y * w, *restrict up = g - w, *restrict dn = g + w;
		for (uint32_t x = 1; x + 1 < w; x++) {
			double l = g[x - 1] + g[x + 1] + up[x] + dn[x] - 4.0 * g[x];
			sum += l;
			sum2 += l * l;
		}
	}
	free(grey);
	double n = (double)(w - 2) * (h - 2), mean = sum / n;
	return sum2 / n - mean * mean;
}

/* Nearest-neighbour scaling of 8-bit pixels (channels 1 or 3): enough for
 * a preview on a screen, and cheap on the camera's thread. */
static int scale(const uint8_t *src, uint32_t sw, uint32_t sh, size_t sstride, int ch,
		 uint32_t dw, uint32_t dh, struct pr_image *out, struct pr_error *err)
{
	int rc = pr_image_alloc(out, dw, dh, (uint8_t)ch, 8, err);
	if (rc)
		return rc;
	for (uint32_t y = 0; y < dh; y++) {
		const uint8_t *s = src + (size_t)((uint64_t)y * sh / dh) * sstride;
		uint8_t *restrict d = pr_image_row(out, y);
		for (uint32_t x = 0; x < dw; x++)
			memcpy(d + (size_t)x * ch, s + (size_t)((uint64_t)x * sw / dw) * ch, (size_t)ch);
	}
	return 0;
}

static void add_b64(json_object *o, const char *key, const uint8_t *data, size_t n)
{
	char *b = base64(data, n);
	if (b)
		json_object_object_add(o, key, json_object_new_string(b));
	free(b);
}

/* Mask the frame against the plate and add the mask, scaled to the
 * preview's size, to o; or say why not. */
static void mask_preview(const struct preview_args *a, const struct pr_image *rgb, uint32_t pw,
			 uint32_t ph, json_object *o)
{
	struct pr_error err = { 0 };
	const struct pr_plate *plate = a->plate ? &a->plate->plate : NULL;
	if (a->mask.method == PR_MASK_PLATE && !plate) {
		json_object_object_add(o, "mask_note", json_object_new_string(
					       "no plate yet: record one to see where the mask falls"));
		return;
	}
	struct pr_image same = { 0 };
	const struct pr_image *shot = rgb;
	if (plate && (plate->width != rgb->width || plate->height != rgb->height)) {
		/* a live view smaller than the shots: compared at the plate's size
		 * when the two have the same shape */
		double ra = (double)rgb->width / rgb->height, rb = (double)plate->width / plate->height;
		if (fabs(ra - rb) > 0.01 * rb ||
		    scale(rgb->pixels, rgb->width, rgb->height, rgb->stride, 3, plate->width,
			  plate->height, &same, &err)) {
			char why[200];
			snprintf(why, sizeof(why), "the preview frame (%ux%u) has another shape than the "
				 "plate (%ux%u)", rgb->width, rgb->height, plate->width, plate->height);
			json_object_object_add(o, "mask_note", json_object_new_string(why));
			return;
		}
		shot = &same;
	}
	struct pr_mask_result res = { 0 };
	struct pr_image small = { 0 };
	uint8_t *png = NULL;
	size_t n = 0;
	int rc = pr_mask_compute(&a->mask, plate, shot, &res, &err);
	if (!rc)
		rc = scale(res.mask, res.width, res.height, res.width, 1, pw, ph, &small, &err);
	if (!rc)
		rc = pr_encode_png_grey8_memory(small.pixels, pw, ph, small.stride, &png, &n, &err);
	if (rc) {
		json_object_object_add(o, "mask_note", json_object_new_string(err.msg));
	} else {
		json_object_object_add(o, "foreground", json_object_new_double(res.stats.foreground));
		add_b64(o, "mask_png", png, n);
	}
	free(png);
	pr_image_free(&small);
	pr_mask_result_free(&res);
	pr_image_free(&same);
}

static int take(struct cam_slot *s, const struct preview_args *a, json_object *o,
		struct pr_error *err)
{
	struct cam_frame f = { 0 };
	struct pr_image img = { 0 }, rgb = { 0 }, small = { 0 };
	uint8_t *jpeg = NULL;
	size_t n = 0;
	int rc;
	if (!s->handle)
		return pr_error_set(err, CAM_EGONE, "camera %s is not attached (photorig cameras "
				    "says why)", s->cfg.name);
	if (!s->drv->preview)
		return pr_error_set(err, PR_EUNSUPPORTED, "camera %s: the %s driver has no preview",
				    s->cfg.name, s->drv->name);
	rc = s->drv->preview(s->handle, &f, err);
	if (!rc)
		rc = pr_decode_memory(f.data, f.size, "preview frame", &img, err);
	if (!rc)
		rc = pr_image_to_rgb8(&img, &rgb, err);
	uint32_t pw = 0, ph = 0;
	if (!rc) {
		pw = rgb.width > PREVIEW_MAX_WIDTH ? PREVIEW_MAX_WIDTH : rgb.width;
		ph = (uint32_t)((uint64_t)rgb.height * pw / rgb.width);
		ph = ph ? ph : 1;
		rc = scale(rgb.pixels, rgb.width, rgb.height, rgb.stride, 3, pw, ph, &small, err);
	}
	if (!rc)
		rc = pr_encode_jpeg_memory(&small, 85, &jpeg, &n, err);
	if (!rc) {
		json_object_object_add(o, "camera", json_object_new_string(s->cfg.name));
		json_object_object_add(o, "width", json_object_new_int64(pw));
		json_object_object_add(o, "height", json_object_new_int64(ph));
		json_object_object_add(o, "source_width", json_object_new_int64(rgb.width));
		json_object_object_add(o, "source_height", json_object_new_int64(rgb.height));
		json_object_object_add(o, "sharpness", json_object_new_double(sharpness(&rgb)));
		add_b64(o, "jpeg", jpeg, n);
		mask_preview(a, &rgb, pw, ph, o);
	}
	free(jpeg);
	pr_image_free(&small);
	pr_image_free(&rgb);
	pr_image_free(&img);
	cam_frame_free(&f);
	return rc;
}

void preview_run(struct cam_slot *s, const struct cam_job *job)
{
	struct preview_args *a = job->preview;
	struct report *r = rig_report(s, REP_PREVIEW);
	if (r) {
		struct pr_error err = { 0 };
		json_object *o = json_object_new_object();
		r->call_id = job->call_id;
		r->rc = take(s, a, o, &err);
		if (r->rc)
			snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
		r->json = o;
		report_post(s->d, r);
	}
	plate_ref_put(a->plate);
	free(a);
}
