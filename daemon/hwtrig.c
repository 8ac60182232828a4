/* photorigd: capture sets fired by a hardware trigger.
 *
 * With [trigger] driver = usbrelay | serialbox, the cameras' remote-shutter
 * ports are wired to a relay board or a trigger box, the only way to get
 * sub-millisecond sync across bodies. A set then pulses the trigger instead
 * of calling each camera's capture():
 *
 *   loop: set begun -> camera jobs (arm, then collect) + one pulse, all
 *         parties of the same release barrier (sync.c)
 *   trigger thread: waits at the barrier (every camera armed), fires
 *         (focus, shutter pulse, release), records fired_ns (CLOCK_REALTIME
 *         when the shutter line closed) and wakes the cameras
 *   camera threads: wait for the pulse (bounded by set_timeout_ms), then
 *         the driver's collect(since = fired_ns): the files the camera
 *         wrote after the pulse, matched to the set by time
 *   loop: set_fired {set, fired_ns} journaled; the set completes as ever
 *
 * A pulse that fails (box unplugged, no reply) fails every camera of the
 * set with the trigger's words; the handle is closed and opened again at
 * the next set. The trigger device is opened at the first set, so a rig
 * with the box switched off still starts. */
#define _GNU_SOURCE
#include "hwtrig.h"

#include "daemon.h"
#include "events.h"
#include "journal.h"
#include "loop.h"
#include "rig.h"
#include "session.h"
#include "sync.h"
#include "trigger_priority.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "trigger.h"

struct hwfire {
	atomic_int refs;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state;                /* 0 waiting, 1 fired, -1 failed (under lock) */
	int64_t fired_ns;
	char error[512];
	uint32_t set;
	int64_t deadline_ns;      /* CLOCK_MONOTONIC: cameras give up waiting then */
	struct go *go;            /* the trigger thread's reference */
	struct hwfire *next;      /* trigger thread's queue */
};

struct hwtrig {
	struct daemon *d;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct hwfire *head, *tail; /* under lock */
	int quit;
	struct pr_trigger_config cfg;     /* of the open handle */
	const struct trigger_driver *drv;
	struct trig_handle *h;
};

int hwtrig_enabled(const struct daemon *d)
{
	return d->trig && d->cfg.trigger.driver != PR_TRIG_NONE;
}

void hwfire_put(struct hwfire *f)
{
	if (!f || atomic_fetch_sub(&f->refs, 1) != 1)
		return;
	go_put(f->go);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	free(f);
}

struct hwfire *hwtrig_prepare(struct daemon *d, uint32_t set, int cameras)
{
	struct hwfire *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	/* one reference per camera job, one for the trigger thread */
	atomic_init(&f->refs, cameras + 1);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadline_ns is monotonic */
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, &ca);
	pthread_condattr_destroy(&ca);
	f->set = set;
	f->deadline_ns = mono_ns() + (int64_t)d->cfg.rig.set_timeout_ms * 1000000;
	return f;
}

void hwtrig_fire(struct daemon *d, struct hwfire *f, struct go *go)
{
	struct hwtrig *t = d->trig;
	if (!f)
		return;
	f->go = go_ref(go);
	pthread_mutex_lock(&t->lock);
	if (t->tail)
		t->tail->next = f;
	else
		t->head = f;
	t->tail = f;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

static int open_trigger(struct hwtrig *t, const struct pr_trigger_config *c, struct pr_error *err)
{
	t->drv = trig_driver_find(pr_trigger_driver_name(c->driver));
	if (!t->drv)
		return pr_error_set(err, PR_EUNSUPPORTED, "no trigger driver '%s'",
				    pr_trigger_driver_name(c->driver));
	struct trig_params p = {
		.device = c->device, .channel_focus = c->channel_focus,
		.channel_shutter = c->channel_shutter, .pulse_ms = (uint32_t)c->pulse_ms,
		.no_focus = c->driver == PR_TRIG_USBRELAY && !c->channel_focus,
	};
	int rc = t->drv->open(&p, &t->h, err);
	if (!rc) {
		t->cfg = *c;
		LOG_INFO("trigger %s opened (%s)", c->device[0] ? c->device : "(first board)",
			 pr_trigger_driver_name(c->driver));
	}
	return rc;
}

static void fire_one(struct hwtrig *t, struct hwfire *f)
{
	struct pr_error err = { 0 };
	struct pr_trigger_config c = t->d->cfg.trigger; /* read-only while a set runs */
	int64_t fired = 0;
	go_wait(f->go); /* every camera armed: release together */
	int rc = 0;
	if (t->h && memcmp(&t->cfg, &c, sizeof(c)))
		t->drv->close(&t->h);
	if (!t->h)
		rc = open_trigger(t, &c, &err);
	if (!rc)
		rc = t->drv->fire(t->h, &fired, &err);
	trigger_priority_drop();
	if (rc && t->h)
		t->drv->close(&t->h);
	pthread_mutex_lock(&f->lock);
	f->state = rc ? -1 : 1;
	f->fired_ns = fired;
	snprintf(f->error, sizeof(f->error), "%s", rc ? err.msg : "");
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	struct report *r = calloc(1, sizeof(*r));
	if (r) {
		r->type = REP_FIRED;
		r->cam = -1;
		r->set = f->set;
		r->rc = rc;
		r->fired_ns = fired;
		snprintf(r->msg, sizeof(r->msg), "%s", rc ? err.msg : "");
		report_post(t->d, r);
	}
}

static void *trig_thread(void *arg)
{
	struct hwtrig *t = arg;
	for (;;) {
		pthread_mutex_lock(&t->lock);
		while (!t->head && !t->quit)
			pthread_cond_wait(&t->cond, &t->lock);
		struct hwfire *f = t->head;
		if (f && !(t->head = f->next))
			t->tail = NULL;
		pthread_mutex_unlock(&t->lock);
		if (!f)
			break;
		fire_one(t, f);
		hwfire_put(f);
	}
	if (t->h)
		t->drv->close(&t->h);
	return NULL;
}

int hwtrig_start(struct daemon *d)
{
	struct hwtrig *t = calloc(1, sizeof(*t));
	if (!t)
		return PR_ENOMEM;
	t->d = d;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	if (pthread_create(&t->thread, NULL, trig_thread, t)) {
		free(t);
		return PR_ENOMEM;
	}
	d->trig = t;
	return 0;
}

/* Pulses still queued are fired first (their cameras wait for them). */
void hwtrig_stop(struct daemon *d)
{
	struct hwtrig *t = d->trig;
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->quit = 1;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	free(t);
	d->trig = NULL;
}

int hwtrig_collect(struct cam_slot *s, struct cam_job *job, const struct cam_request *req,
		   struct cam_frame *frame, struct pr_error *err)
{
	struct hwfire *f = job->hw;
	struct timespec until = { f->deadline_ns / 1000000000LL, f->deadline_ns % 1000000000LL };
	pthread_mutex_lock(&f->lock);
	int rc = 0;
	while (!f->state && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&f->cond, &f->lock, &until);
	int state = f->state;
	int64_t since = f->fired_ns;
	char why[sizeof(f->error)];
	snprintf(why, sizeof(why), "%s", f->error);
	pthread_mutex_unlock(&f->lock);
	if (state == 0)
		return pr_error_set(err, CAM_ETIMEOUT, "camera %s: the hardware trigger did not fire "
				    "within the set's timeout", s->cfg.name);
	if (state < 0)
		return pr_error_set(err, PR_EIO, "camera %s: not fired: %s", s->cfg.name, why);
	if (!s->drv->collect)
		return pr_error_set(err, PR_EUNSUPPORTED, "camera %s: the %s driver cannot collect "
				    "the files of a hardware trigger", s->cfg.name, s->drv->name);
	return s->drv->collect(s->handle, req, since, frame, err);
}

void hwtrig_on_fired(struct daemon *d, struct report *r)
{
	struct set_rec *set = session_find_set(d, r->set);
	if (r->rc) {
		LOG_WARN("set %u: hardware trigger: %s", r->set, r->msg);
		json_object *e = pr_proto_event(PR_EV_ERROR, 0, 0);
		json_object_object_add(e, "set", json_object_new_int64(r->set));
		json_object_object_add(e, "camera", json_object_new_string("trigger"));
		json_object_object_add(e, "error", json_object_new_string(r->msg));
		events_publish(d, e);
		return;
	}
	if (!set)
		return;
	set->fired_ns = r->fired_ns;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ev", json_object_new_string("set_fired"));
	json_object_object_add(o, "set", json_object_new_int64(r->set));
	json_object_object_add(o, "fired_ns", json_object_new_int64(r->fired_ns));
	journal_append(d->session, o);
	json_object_put(o);
}
