/* photorigd: one thread per camera position.
 *
 * Each thread owns its driver handle and makes every blocking call on it;
 * it takes jobs from its own queue (a capture of one set, or N plate
 * frames), and reports back through the report queue. Originals are written
 * here (originals.c), atomically, as soon as the camera delivers them: before
 * masking, before the loop even hears of them, so a file is never lost
 * because some later stage failed; when the disk is full they are held in
 * memory until there is room again.
 *
 * Recovery is per camera, in its own thread, so it never holds up the
 * others or the loop. A capture that fails with CAM_EGONE or CAM_ETIMEOUT
 * (the driver already retried a busy camera) makes the camera
 * "recovering": the loop leaves it out of new sets while the thread closes
 * it (a stalled PTP/IP camera costs ~2.5 s there) and opens it again, by
 * serial; a hung USB camera is reset first. A camera that does not come
 * back is "offline": new sets name it as missing, and the thread tries to
 * attach it again with back-off (1 s doubling to 30 s: each failed PTP/IP
 * open leaks memory inside libgphoto2), so a camera plugged back in
 * returns to its position without a restart. A camera another process
 * holds (PR_EACCES) is retried only at the longest interval; a driver that
 * is not compiled in, never. */
#define _GNU_SOURCE
#include "rig.h"

#include "daemon.h"
#include "hwtrig.h"
#include "loop.h"
#include "originals.h"
#include "sync.h"
#include "trigger_priority.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cam_gphoto2.h"
#include "imageio.h"
#include "camera_settings.h"
#include "preview.h"
#include "log.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000

static void camera_copy(struct pr_camera_config *dst, const struct pr_camera_config *src)
{
	*dst = *src;
	dst->settings = NULL;
	dst->nsettings = 0;
	if (src->nsettings) {
		dst->settings = calloc(src->nsettings, sizeof(*dst->settings));
		if (dst->settings) {
			memcpy(dst->settings, src->settings, src->nsettings * sizeof(*dst->settings));
			dst->nsettings = src->nsettings;
		}
	}
}

void rig_settings_text(const struct pr_camera_config *c, char *buf, size_t size)
{
	size_t n = 0;
	n += (size_t)snprintf(buf, size, "driver=%s\n", pr_cam_driver_name(c->driver));
	if (c->width && n < size)
		n += (size_t)snprintf(buf + n, size - n, "width=%u\nheight=%u\n", c->width, c->height);
	if (c->driver == PR_CAM_SIM && n < size)
		n += (size_t)snprintf(buf + n, size - n, "seed=%u\nnoise=%g\n", c->seed, c->noise);
	if (c->driver == PR_CAM_SIM && c->sim_scene[0] && n < size)
		n += (size_t)snprintf(buf + n, size - n, "scene=%s\n", c->sim_scene);
	for (uint32_t i = 0; i < c->nsettings && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "set.%s=%s\n", c->settings[i].key,
				      c->settings[i].value);
}

struct report *rig_report(struct cam_slot *s, enum report_type type)
{
	struct report *r = calloc(1, sizeof(*r));
	if (!r) {
		LOG_ERR("camera %s: out of memory for a report", s->cfg.name);
		return NULL;
	}
	r->type = type;
	r->cam = s->index;
	r->generation = s->generation;
	return r;
}

/* The next attach attempt after a failure with code rc. */
static void schedule_retry(struct cam_slot *s, int rc)
{
	s->t_attempts++;
	if (rc == CAM_ENOTCOMPILED || !s->drv) {
		s->t_retry_ns = 0; /* nothing will change until a rebuild */
		return;
	}
	if (rc == PR_EACCES)
		s->t_backoff_ms = BACKOFF_MAX_MS; /* held by another process: no spinning */
	else if (!s->t_backoff_ms)
		s->t_backoff_ms = BACKOFF_MIN_MS;
	else if ((s->t_backoff_ms *= 2) > BACKOFF_MAX_MS)
		s->t_backoff_ms = BACKOFF_MAX_MS;
	s->t_retry_ns = mono_ns() + (int64_t)s->t_backoff_ms * 1000000;
}

/* Tells the loop the camera's state (REP_ATTACHED). */
static void post_state(struct cam_slot *s, enum slot_state st, int rc, const struct cam_info *info,
		       const char *msg)
{
	struct report *r = rig_report(s, REP_ATTACHED);
	if (!r)
		return;
	r->rc = rc;
	r->slot_state = st;
	r->attempts = s->t_attempts;
	r->retry_ns = st == SLOT_OFFLINE ? s->t_retry_ns : 0;
	if (info)
		r->info = *info;
	snprintf(r->msg, sizeof(r->msg), "%s", msg ? msg : "");
	report_post(s->d, r);
}

/* Open and identify the camera; tell the loop either way. */
static int attach(struct cam_slot *s)
{
	struct pr_error err = { 0 };
	struct cam_setting set[PR_CONFIG_MAX_SETTINGS];
	const struct pr_camera_config *c = &s->cfg;
	for (uint32_t i = 0; i < c->nsettings && i < PR_CONFIG_MAX_SETTINGS; i++) {
		set[i].key = c->settings[i].key;
		set[i].value = c->settings[i].value;
	}
	struct cam_params p = {
		.name = c->name, .serial = c->serial, .port = c->port, .device = c->device,
		.settings = set, .nsettings = c->nsettings, .width = c->width, .height = c->height,
		.timeout_ms = c->timeout_ms, .delete_after_download = c->delete_after_download,
		.seed = c->seed, .latency_ms = c->latency_ms,
		.noise = c->noise, .scene = c->sim_scene,
		.pixel_format = c->pixel_format, .fps = c->fps,
		.controls_warn = c->on_refused_control == PR_REFUSED_WARN,
	};
	struct cam_info info = { 0 };
	int rc;
	if (!s->drv)
		rc = pr_error_set(&err, PR_EUNSUPPORTED, "camera %s: unknown driver", c->name);
	else if (!(rc = s->drv->open(&p, &s->handle, &err)) &&
		 (rc = s->drv->identify(s->handle, &info, &err)))
		s->drv->close(&s->handle);
	if (!rc)
		rig_v4l2_attached(s); /* once per attach: refused controls, automatic modes */
	if (!rc) {
		if (s->t_attempts)
			LOG_NOTICE("camera %s: attached again after %u failed attempt%s", c->name,
				   s->t_attempts, s->t_attempts == 1 ? "" : "s");
		s->t_attempts = 0;
		s->t_backoff_ms = 0;
		s->t_retry_ns = 0;
		snprintf(s->t_port, sizeof(s->t_port), "%s", info.port);
		post_state(s, SLOT_READY, 0, &info, NULL);
		return 0;
	}
	schedule_retry(s, rc);
	if (s->t_retry_ns)
		LOG_WARN("camera %s offline (attempt %u): %s; next attempt in %u s", c->name,
			 s->t_attempts, err.msg, s->t_backoff_ms / 1000);
	else
		LOG_WARN("camera %s offline: %s", c->name, err.msg);
	post_state(s, SLOT_OFFLINE, rc, NULL, err.msg);
	return rc;
}

/* After a capture failed with CAM_EGONE or CAM_ETIMEOUT: close the camera
 * and open it again (by serial), resetting a hung USB camera first. The
 * loop has been told "recovering" before the failed shot, so the sets it
 * starts meanwhile do not wait for this camera. */
static void recover(struct cam_slot *s, int why)
{
	struct pr_error err = { 0 };
	const char *name = s->cfg.name;
	if (why == CAM_ETIMEOUT && s->drv->reset && !strncmp(s->t_port, "usb:", 4)) {
		LOG_NOTICE("camera %s: no answer: resetting %s", name, s->t_port);
		int rc = s->drv->reset(s->handle, &err);
		if (rc)
			LOG_WARN("camera %s: reset failed: %s", name, err.msg);
	}
	int64_t t0 = mono_ns();
	s->drv->close(&s->handle);
	LOG_NOTICE("camera %s: closed in %.1f s; opening it again", name,
		   (double)(mono_ns() - t0) / 1e9);
	attach(s);
}

static void run_shot(struct cam_slot *s, struct cam_job *job)
{
	struct pr_error err = { 0 };
	struct cam_frame frame = { 0 };
	struct cam_request req = { .kind = CAM_SHOT, .index = job->index, .angle_deg = job->angle,
				   .want_truth = job->want_truth,
				   .released = trigger_priority_drop };
	struct report *r = rig_report(s, REP_SHOT);
	int rc = 0;
	/* An offline camera is not opened here: that could hold every other
	 * camera at the barrier. Its thread re-attaches it on its back-off. */
	if (!s->handle)
		rc = pr_error_set(&err, CAM_EGONE, "camera %s is offline", s->cfg.name);
	else if (s->drv->arm)
		rc = s->drv->arm(s->handle, &req, &err);
	/* wait even after a failure: the others must not wait for us */
	go_wait(job->go);
	if (rc || job->hw) /* no trigger to send: the trigger box sends it */
		trigger_priority_drop();
	if (!rc)
		rc = job->hw ? hwtrig_collect(s, job, &req, &frame, &err)
			     : s->drv->capture(s->handle, &req, &frame, &err);
	trigger_priority_drop(); /* for a driver that never called released() */
	int lost = s->handle && (rc == CAM_EGONE || rc == CAM_ETIMEOUT);
	if (lost) {
		/* before the shot's report: the loop must not put this camera in
		 * the next set while it is being re-opened */
		LOG_WARN("camera %s: set %u: %s", s->cfg.name, job->set, err.msg);
		post_state(s, SLOT_RECOVERING, rc, NULL, err.msg);
	}
	int64_t trigger_ns = frame.trigger_ns; /* a held frame moves out of frame */
	if (!rc)
		rc = originals_save(s, job, &frame, r, &err);
	if (!rc)
		rig_v4l2_shot(s, r);
	if (r) {
		r->set = job->set;
		r->rc = rc;
		r->trigger_ns = trigger_ns;
		if (!r->arrive_ns)
			r->arrive_ns = cam_now_realtime_ns();
		r->held_shots = s->t_held_shots;
		r->held_bytes = s->t_held_bytes;
		snprintf(r->msg, sizeof(r->msg), "%s", rc ? err.msg : "");
		report_post(s->d, r);
	}
	cam_frame_free(&frame);
	if (lost)
		recover(s, rc);
}

static void run_plate(struct cam_slot *s, struct cam_job *job)
{
	struct pr_error err = { 0 };
	struct pr_plate_builder b;
	struct plate_ref *ref = NULL;
	int rc = 0;
	pr_plate_builder_init(&b);
	if (!s->handle && (rc = attach(s)))
		pr_error_set(&err, rc, "camera %s is offline", s->cfg.name);
	for (uint32_t i = 0; !rc && i < job->frames; i++) {
		struct cam_frame frame = { 0 };
		struct cam_request req = { .kind = CAM_PLATE, .index = i, .angle_deg = job->angle };
		struct pr_image img = { 0 };
		char name[96];
		snprintf(name, sizeof(name), "%s plate frame %u", s->cfg.name, i + 1);
		if (s->drv->arm && (rc = s->drv->arm(s->handle, &req, &err)))
			break;
		rc = s->drv->capture(s->handle, &req, &frame, &err);
		if (!rc)
			rc = pr_decode_memory(frame.data, frame.size, name, &img, &err);
		if (!rc)
			rc = pr_plate_builder_take(&b, &img, name, &err);
		pr_image_free(&img);
		cam_frame_free(&frame);
		struct report *p = rig_report(s, REP_PLATE_PROGRESS);
		if (p) {
			p->frame = i + 1;
			p->frames = job->frames;
			p->rc = rc;
			report_post(s->d, p);
		}
	}
	int lost = s->handle && (rc == CAM_EGONE || rc == CAM_ETIMEOUT);
	if (lost)
		post_state(s, SLOT_RECOVERING, rc, NULL, err.msg);
	if (!rc && !(ref = calloc(1, sizeof(*ref))))
		rc = pr_error_set(&err, PR_ENOMEM, "out of memory");
	if (!rc) {
		atomic_init(&ref->refs, 1);
		rc = pr_plate_builder_finish(&b, &ref->plate, &err);
	}
	if (!rc) {
		snprintf(ref->plate.settings, sizeof(ref->plate.settings), "%s", job->settings);
		/* a V4L2 camera's control values: each shot is compared with them */
		rig_v4l2_plate_settings(s, ref->plate.settings, sizeof(ref->plate.settings));
		rc = pr_plate_save(&ref->plate, job->plate_path, &err);
	}
	pr_plate_builder_free(&b);
	if (rc && ref) {
		plate_ref_put(ref);
		ref = NULL;
	}
	struct report *r = rig_report(s, REP_PLATE_DONE);
	if (r) {
		r->rc = rc;
		r->plate = ref;
		r->frames = job->frames;
		snprintf(r->msg, sizeof(r->msg), "%s", rc ? err.msg : "");
		report_post(s->d, r);
	} else {
		plate_ref_put(ref);
	}
	if (lost)
		recover(s, rc);
}

/* Waits for a job; while the camera is offline, wakes for its next attach
 * attempt. Returns the job, or NULL when it is time to attach. */
static struct cam_job *next_job(struct cam_slot *s)
{
	pthread_mutex_lock(&s->lock);
	while (!s->jobs) {
		if (s->handle || !s->t_retry_ns) {
			pthread_cond_wait(&s->cond, &s->lock);
			continue;
		}
		struct timespec ts = { (time_t)(s->t_retry_ns / 1000000000),
				       (long)(s->t_retry_ns % 1000000000) };
		if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) == ETIMEDOUT && !s->jobs) {
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
	}
	struct cam_job *job = s->jobs;
	s->jobs = job->next;
	if (!s->jobs)
		s->jobs_tail = NULL;
	pthread_mutex_unlock(&s->lock);
	return job;
}

static void *cam_thread(void *arg)
{
	struct cam_slot *s = arg;
	attach(s);
	for (;;) {
		struct cam_job *job = next_job(s);
		if (!job) {
			attach(s);
			continue;
		}
		enum job_type type = job->type;
		if (type == JOB_SHOT)
			run_shot(s, job);
		else if (type == JOB_PLATE)
			run_plate(s, job);
		else if (type == JOB_FLUSH)
			originals_flush(s);
		else if (type == JOB_SETTINGS)
			camsettings_run(s, job);
		else if (type == JOB_PREVIEW)
			preview_run(s, job);
		go_put(job->go);
		hwfire_put(job->hw);
		free(job);
		if (type == JOB_QUIT)
			break;
	}
	originals_spill(s);
	if (s->drv && s->handle)
		s->drv->close(&s->handle);
	return NULL;
}

void rig_post(struct cam_slot *s, struct cam_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&s->lock);
	if (s->jobs_tail)
		s->jobs_tail->next = job;
	else
		s->jobs = job;
	s->jobs_tail = job;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

int rig_start(struct daemon *d)
{
	d->generation++;
	d->nslots = d->cfg.ncameras;
	d->slots = calloc(d->nslots ? d->nslots : 1, sizeof(*d->slots));
	if (!d->slots)
		return PR_ENOMEM;
	/* Every PTP/IP address of the rig is a place to look for each serial:
	 * cameras whose addresses swapped still bind to their own positions. */
	for (uint32_t i = 0; i < d->cfg.ncameras; i++) {
		const struct pr_camera_config *c = &d->cfg.cameras[i];
		if (c->driver == PR_CAM_GPHOTO2 && !strncmp(c->port, "ptpip:", 6) &&
		    cam_gphoto2_add_candidate_port(c->port))
			LOG_WARN("camera %s: port %s not added to the serial search", c->name, c->port);
	}
	for (uint32_t i = 0; i < d->nslots; i++) {
		struct cam_slot *s = &d->slots[i];
		s->d = d;
		s->index = (int)i;
		s->generation = d->generation;
		camera_copy(&s->cfg, &d->cfg.cameras[i]);
		s->drv = cam_driver_find(pr_cam_driver_name(s->cfg.driver));
		s->state = SLOT_ATTACHING;
		pathf(s->spill_dir, sizeof(s->spill_dir), "%s/held", d->cfg.daemon.state_dir);
		pthread_mutex_init(&s->lock, NULL);
		/* monotonic: back-off deadlines are mono_ns() values */
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&s->cond, &ca);
		pthread_condattr_destroy(&ca);
		if (pthread_create(&s->thread, NULL, cam_thread, s)) {
			s->state = SLOT_OFFLINE;
			snprintf(s->error, sizeof(s->error), "cannot start its thread: %s",
				 strerror(errno));
			LOG_ERR("camera %s: %s", s->cfg.name, s->error);
			continue;
		}
		s->thread_started = 1;
	}
	return 0;
}

void rig_stop(struct daemon *d)
{
	for (uint32_t i = 0; i < d->nslots; i++) {
		struct cam_slot *s = &d->slots[i];
		struct cam_job *q = calloc(1, sizeof(*q));
		if (s->thread_started && q) {
			q->type = JOB_QUIT;
			rig_post(s, q);
		} else {
			free(q);
		}
	}
	for (uint32_t i = 0; i < d->nslots; i++) {
		struct cam_slot *s = &d->slots[i];
		if (s->thread_started)
			pthread_join(s->thread, NULL);
		while (s->jobs) {
			struct cam_job *j = s->jobs;
			s->jobs = j->next;
			go_put(j->go);
			hwfire_put(j->hw);
			free(j);
		}
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->cond);
		free(s->cfg.settings);
	}
	free(d->slots);
	d->slots = NULL;
	d->nslots = 0;
}

int rig_attached(const struct daemon *d)
{
	int n = 0;
	for (uint32_t i = 0; i < d->nslots; i++)
		n += d->slots[i].state == SLOT_READY;
	return n;
}
