/* photorig drivers: `sim`, a simulated camera.
 *
 * It renders the generated scene of core/scene/scene.h from its own viewpoint (the
 * seed picks the background, the object's shape and placement), with sensor
 * noise, a slight exposure drift from frame to frame and a capture latency,
 * and delivers a JPEG file as a real camera does. Plates are the empty
 * background; shots have the object, turned by the request's angle.
 * Everything is deterministic from the seed and the frame number.
 *
 * The `scene` key adds the hard conditions of core/scene/scene.h (a hand in some
 * plate frames, foliage, a printed platter turning with the object, small
 * painted objects, deep tinted shadows, clipped exposure, a JPEG quality):
 * plates are then rendered at the request's angle too, so a platter turned
 * to a scan step's angle is what a plate of that step shows.
 *
 * Truth for tests: with want_truth the frame also carries the shot's exact
 * alpha (the daemon writes it to CAMERA/truth/STEM.png when the environment
 * variable PHOTORIG_SIM_TRUTH=1 is set; see daemon/rig.c).
 *
 * The frame is rendered and encoded in arm(), before the release barrier,
 * as a real camera prepares (focus, metering) before the shutter: after the
 * release only the trigger time is read and the latency slept, so the
 * measured spread is the release's, not that of four renders competing for
 * the cores. Without arm() (a caller that skips it), capture() renders. */
#define _GNU_SOURCE
#include "camera.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cam_sim_settings.h"
#include "imageio.h"
#include "scene.h"

#define SIM_DEFAULT_W 1280
#define SIM_DEFAULT_H 960
#define SIM_JPEG_QUALITY 92
/* "slight": 0.35% brightness, one sigma. More inflates the per-pixel noise a
 * plate measures over its frames (core/mask/plate.c folds frame-to-frame exposure
 * changes into the noise), which weakens masking on dark-on-dark objects. */
#define SIM_DRIFT_EV 0.005f

struct cam_handle {
	char name[64];
	char serial[64];
	struct pr_scene_params scene;
	uint32_t latency_ms;
	int quality;              /* JPEG quality of the delivered files */
	int open;
	struct cam_frame armed;   /* rendered by arm(), delivered by capture() */
	int have_armed;
	struct cam_request armed_req;
	struct sim_settings settings;
	uint32_t previews;        /* previews rendered: their noise stream */
};

/* FNV-1a: a stable seed from a position name when none is configured. */
static uint32_t name_seed(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h ? h : 1;
}

static int sim_open(const struct cam_params *p, struct cam_handle **out, struct pr_error *err)
{
	struct cam_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", p->name);
	snprintf(h->name, sizeof(h->name), "%s", p->name);
	pr_scene_defaults(&h->scene);
	h->scene.width = p->width ? p->width : SIM_DEFAULT_W;
	h->scene.height = p->height ? p->height : SIM_DEFAULT_H;
	h->scene.seed = p->seed ? p->seed : name_seed(p->name);
	h->scene.noise_sigma = (float)p->noise;
	h->scene.drift = SIM_DRIFT_EV;
	h->latency_ms = p->latency_ms;
	h->quality = SIM_JPEG_QUALITY;
	if (p->scene && p->scene[0]) {
		struct pr_error perr;
		if (pr_scene_options_parse(p->scene, &h->scene, &perr)) {
			pr_error_set(err, PR_EINVAL, "camera %s: scene: %s", p->name, perr.msg);
			free(h);
			return PR_EINVAL;
		}
		/* jpeg=Q is the quality the camera delivers, not a second pass */
		if (h->scene.jpeg_quality)
			h->quality = h->scene.jpeg_quality;
		h->scene.jpeg_quality = 0;
	}
	if (p->serial && p->serial[0])
		snprintf(h->serial, sizeof(h->serial), "%s", p->serial);
	else
		snprintf(h->serial, sizeof(h->serial), "SIM%08X", (unsigned)h->scene.seed);
	/* check the size and noise now, not at the first capture */
	if (h->scene.width < 32 || h->scene.height < 32 || h->scene.width > PR_IMAGE_MAX_SIDE ||
	    h->scene.height > PR_IMAGE_MAX_SIDE ||
	    (uint64_t)h->scene.width * h->scene.height > PR_IMAGE_MAX_PIXELS) {
		pr_error_set(err, PR_ESIZE, "camera %s: sim size %ux%u is outside 32..%u", p->name,
			     h->scene.width, h->scene.height, PR_IMAGE_MAX_SIDE);
		free(h);
		return PR_ESIZE;
	}
	int rc = sim_settings_init(&h->settings, p->name, p->settings, p->nsettings, err);
	if (rc) {
		free(h);
		return rc;
	}
	h->open = 1;
	*out = h;
	return 0;
}

static int sim_identify(struct cam_handle *h, struct cam_info *info, struct pr_error *err)
{
	(void)err;
	memset(info, 0, sizeof(*info));
	snprintf(info->serial, sizeof(info->serial), "%s", h->serial);
	snprintf(info->model, sizeof(info->model), "photorig sim %ux%u", h->scene.width,
		 h->scene.height);
	snprintf(info->port, sizeof(info->port), "sim:%u", (unsigned)h->scene.seed);
	return 0;
}

static void sleep_until(const struct timespec *t)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR)
		;
}

/* Render the requested frame as the JPEG file the camera would deliver. */
static int render(struct cam_handle *h, const struct cam_request *req, struct cam_frame *out,
		  struct pr_error *err)
{
	struct pr_image img;
	struct pr_scene_truth truth = { 0 };
	struct pr_scene_params sp = h->scene;
	int rc;
	memset(out, 0, sizeof(*out));
	if (req->kind == CAM_PLATE) {
		sp.angle_deg = (float)req->angle_deg; /* a platter turns with the table */
		rc = pr_scene_render_plate(&sp, req->index, &img, err);
	} else {
		sp.shot_index = req->index;
		sp.angle_deg = (float)req->angle_deg;
		rc = pr_scene_render_shot(&sp, &img, req->want_truth ? &truth : NULL, err);
	}
	if (rc)
		return rc;
	rc = pr_encode_jpeg_memory(&img, h->quality, &out->data, &out->size, err);
	pr_image_free(&img);
	if (!rc && truth.alpha) {
		rc = pr_image_alloc(&out->truth, truth.width, truth.height, 1, 8, err);
		if (!rc)
			for (uint32_t y = 0; y < truth.height; y++)
				memcpy(pr_image_row(&out->truth, y),
				       truth.alpha + (size_t)y * truth.width, truth.width);
	}
	pr_scene_truth_free(&truth);
	if (rc) {
		cam_frame_free(out);
		return rc;
	}
	snprintf(out->ext, sizeof(out->ext), "jpg");
	return 0;
}

static int same_request(const struct cam_request *a, const struct cam_request *b)
{
	return a->kind == b->kind && a->index == b->index && a->angle_deg == b->angle_deg &&
	       a->want_truth == b->want_truth;
}

static int sim_arm(struct cam_handle *h, const struct cam_request *req, struct pr_error *err)
{
	if (!h || !h->open)
		return pr_error_set(err, CAM_EGONE, "camera is not open");
	if (h->have_armed) {
		cam_frame_free(&h->armed);
		h->have_armed = 0;
	}
	int rc = render(h, req, &h->armed, err);
	if (!rc) {
		h->have_armed = 1;
		h->armed_req = *req;
	}
	return rc;
}

static int sim_capture(struct cam_handle *h, const struct cam_request *req, struct cam_frame *out,
		       struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!h || !h->open)
		return pr_error_set(err, CAM_EGONE, "camera is not open");
	struct timespec done;
	clock_gettime(CLOCK_MONOTONIC, &done);
	int64_t trigger = cam_now_realtime_ns();
	cam_released(req);
	done.tv_sec += h->latency_ms / 1000;
	done.tv_nsec += (long)(h->latency_ms % 1000) * 1000000L;
	if (done.tv_nsec >= 1000000000L) {
		done.tv_sec++;
		done.tv_nsec -= 1000000000L;
	}
	int rc = 0;
	if (h->have_armed && same_request(&h->armed_req, req)) {
		*out = h->armed;
		memset(&h->armed, 0, sizeof(h->armed));
		h->have_armed = 0;
	} else {
		rc = render(h, req, out, err);
	}
	if (rc)
		return rc;
	out->trigger_ns = trigger;
	sleep_until(&done);
	return 0;
}

/* A hardware trigger fired the (simulated) camera at since_ns: the frame it
 * prepared is the one the pulse took, delivered after the latency. */
static int sim_collect(struct cam_handle *h, const struct cam_request *req, int64_t since_ns,
		       struct cam_frame *out, struct pr_error *err)
{
	int rc = sim_capture(h, req, out, err);
	if (!rc)
		out->trigger_ns = since_ns;
	return rc;
}

static void sim_close(struct cam_handle **hp)
{
	if (!hp || !*hp)
		return;
	cam_frame_free(&(*hp)->armed);
	free(*hp);
	*hp = NULL;
}

static int sim_list_settings(struct cam_handle *h, struct cam_settings_list *out,
			     struct pr_error *err)
{
	if (!h || !h->open)
		return pr_error_set(err, CAM_EGONE, "camera is not open");
	return sim_settings_list(&h->settings, out, err);
}

static int sim_set_setting(struct cam_handle *h, const char *key, const char *value,
			   char *readback, size_t size, struct pr_error *err)
{
	if (!h || !h->open)
		return pr_error_set(err, CAM_EGONE, "camera is not open");
	return sim_settings_set(&h->settings, h->name, key, value, readback, size, err);
}

/* A shot of the scene as it is now, from a noise stream of its own so that
 * previews never repeat a shot's frame. */
static int sim_preview(struct cam_handle *h, struct cam_frame *out, struct pr_error *err)
{
	if (!h || !h->open)
		return pr_error_set(err, CAM_EGONE, "camera is not open");
	struct cam_request req = { .kind = CAM_SHOT, .index = 0x40000000u + h->previews++ };
	return render(h, &req, out, err);
}

const struct cam_driver cam_sim_driver = {
	.name = "sim",
	.open = sim_open,
	.identify = sim_identify,
	.arm = sim_arm,
	.capture = sim_capture,
	.close = sim_close,
	.collect = sim_collect,
	.list_settings = sim_list_settings,
	.set_setting = sim_set_setting,
	.preview = sim_preview,
};
