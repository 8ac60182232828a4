/* photorigd: one thread per camera position.
 *
 * Each thread owns its driver handle and makes every blocking call on it;
 * it takes jobs from its own queue (a capture of one set, or N plate
 * frames), and reports back through the report queue. Originals are written
 * here, atomically, as soon as the camera delivers them: before masking,
 * before the loop even hears of them, so a file is never lost because some
 * later stage failed.
 *
 * A camera that fails to open stays "offline"; every new job tries to open
 * it again (logs rate-limited), so a camera plugged back in returns to its
 * position without a restart. */
#define _GNU_SOURCE
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "imageio.h"
#include "log.h"

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
	for (uint32_t i = 0; i < c->nsettings && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "set.%s=%s\n", c->settings[i].key,
				      c->settings[i].value);
}

static struct report *report_new(struct cam_slot *s, enum report_type type)
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
		.noise = c->noise,
	};
	struct report *r = report_new(s, REP_ATTACHED);
	int rc;
	if (!s->drv)
		rc = pr_error_set(&err, PR_EUNSUPPORTED, "camera %s: unknown driver", c->name);
	else if (!(rc = s->drv->open(&p, &s->handle, &err)) &&
		 (rc = s->drv->identify(s->handle, r ? &r->info : &(struct cam_info){ 0 }, &err)))
		s->drv->close(&s->handle);
	if (r) {
		r->rc = rc;
		snprintf(r->msg, sizeof(r->msg), "%s", rc ? err.msg : "");
		report_post(s->d, r);
	}
	if (rc)
		LOG_RATELIMITED(PR_LOG_WARNING, "camera %s: %s", c->name, err.msg);
	return rc;
}

static void write_truth(struct cam_slot *s, const struct cam_job *job, const struct pr_image *t)
{
	/* stem is CAMERA/NAME: the truth goes to CAMERA/truth/NAME.png */
	const char *slash = strrchr(job->stem, '/');
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct pr_error err;
	pathf(dir, sizeof(dir), "%s/%.*s/truth", job->session_dir,
		 (int)(slash ? slash - job->stem : 0), job->stem);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/%s.png", dir, slash ? slash + 1 : job->stem);
	if (pr_write_png_grey8(path, t->pixels, t->width, t->height, t->stride, &err))
		LOG_WARN("camera %s: truth not written: %s", s->cfg.name, err.msg);
}

static void run_shot(struct cam_slot *s, struct cam_job *job)
{
	struct pr_error err = { 0 };
	struct cam_frame frame = { 0 };
	struct cam_request req = { .kind = CAM_SHOT, .index = job->index, .angle_deg = job->angle,
				   .want_truth = job->want_truth };
	struct report *r = report_new(s, REP_SHOT);
	int rc = 0;
	if (!s->handle)
		rc = attach(s);
	if (!rc && s->drv->arm)
		rc = s->drv->arm(s->handle, &req, &err);
	else if (rc)
		pr_error_set(&err, rc, "camera %s is offline", s->cfg.name);
	/* wait even after a failure: the others must not wait for us */
	go_wait(job->go);
	if (!rc)
		rc = s->drv->capture(s->handle, &req, &frame, &err);
	if (rc == CAM_EGONE)
		s->drv->close(&s->handle); /* re-opened by the next job */
	if (!rc) {
		char path[PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/%s", job->session_dir, job->stem);
		/* the camera's folder: made with the session, or now if the camera
		 * was added by a reload */
		*strrchr(path, '/') = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			LOG_RATELIMITED(PR_LOG_WARNING, "cannot create %s: %s", path, strerror(errno));
		snprintf(path, sizeof(path), "%s/%s.%s", job->session_dir, job->stem, frame.ext);
		rc = pr_atomic_write(path, frame.data, frame.size, &err);
		if (!rc && r) {
			snprintf(r->file, sizeof(r->file), "%s.%s", job->stem, frame.ext);
			r->size = frame.size;
			r->hash = hash_fnv1a64(frame.data, frame.size, HASH_FNV_INIT);
		}
		if (!rc && frame.truth.pixels)
			write_truth(s, job, &frame.truth);
	}
	if (r) {
		r->set = job->set;
		r->rc = rc;
		r->trigger_ns = frame.trigger_ns;
		r->arrive_ns = cam_now_realtime_ns();
		snprintf(r->msg, sizeof(r->msg), "%s", rc ? err.msg : "");
		report_post(s->d, r);
	}
	cam_frame_free(&frame);
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
		struct cam_request req = { .kind = CAM_PLATE, .index = i };
		struct pr_image img = { 0 };
		char name[96];
		snprintf(name, sizeof(name), "%s plate frame %u", s->cfg.name, i + 1);
		if (s->drv->arm && (rc = s->drv->arm(s->handle, &req, &err)))
			break;
		rc = s->drv->capture(s->handle, &req, &frame, &err);
		if (!rc)
			rc = pr_decode_memory(frame.data, frame.size, name, &img, &err);
		if (!rc)
			rc = pr_plate_builder_add(&b, &img, name, &err);
		pr_image_free(&img);
		cam_frame_free(&frame);
		struct report *p = report_new(s, REP_PLATE_PROGRESS);
		if (p) {
			p->frame = i + 1;
			p->frames = job->frames;
			p->rc = rc;
			report_post(s->d, p);
		}
	}
	if (rc == CAM_EGONE)
		s->drv->close(&s->handle);
	if (!rc && !(ref = calloc(1, sizeof(*ref))))
		rc = pr_error_set(&err, PR_ENOMEM, "out of memory");
	if (!rc) {
		atomic_init(&ref->refs, 1);
		rc = pr_plate_builder_finish(&b, &ref->plate, &err);
	}
	if (!rc) {
		snprintf(ref->plate.settings, sizeof(ref->plate.settings), "%s", job->settings);
		rc = pr_plate_save(&ref->plate, job->plate_path, &err);
	}
	pr_plate_builder_free(&b);
	if (rc && ref) {
		plate_ref_put(ref);
		ref = NULL;
	}
	struct report *r = report_new(s, REP_PLATE_DONE);
	if (r) {
		r->rc = rc;
		r->plate = ref;
		r->frames = job->frames;
		snprintf(r->msg, sizeof(r->msg), "%s", rc ? err.msg : "");
		report_post(s->d, r);
	} else {
		plate_ref_put(ref);
	}
}

static void *cam_thread(void *arg)
{
	struct cam_slot *s = arg;
	attach(s);
	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (!s->jobs)
			pthread_cond_wait(&s->cond, &s->lock);
		struct cam_job *job = s->jobs;
		s->jobs = job->next;
		if (!s->jobs)
			s->jobs_tail = NULL;
		pthread_mutex_unlock(&s->lock);
		enum job_type type = job->type;
		if (type == JOB_SHOT)
			run_shot(s, job);
		else if (type == JOB_PLATE)
			run_plate(s, job);
		go_put(job->go);
		free(job);
		if (type == JOB_QUIT)
			break;
	}
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
	for (uint32_t i = 0; i < d->nslots; i++) {
		struct cam_slot *s = &d->slots[i];
		s->d = d;
		s->index = (int)i;
		s->generation = d->generation;
		camera_copy(&s->cfg, &d->cfg.cameras[i]);
		s->drv = cam_driver_find(pr_cam_driver_name(s->cfg.driver));
		s->state = SLOT_ATTACHING;
		pthread_mutex_init(&s->lock, NULL);
		pthread_cond_init(&s->cond, NULL);
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
