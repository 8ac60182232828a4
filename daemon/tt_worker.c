/* photorigd: the turntable thread.
 *
 * A turntable driver's rotate() blocks until the motion is done (seconds,
 * up to [turntable] timeout_ms when the controller falls silent), so the
 * epoll loop never calls it: one thread owns the driver handle, takes one
 * turn at a time and reports the outcome through the report queue
 * (REP_TURNED), like the camera threads.
 *
 * The handle is opened at the first turn, not at start-up: a daemon with a
 * table switched off still serves plates and captures. After any error the
 * handle is closed, so the next turn (the operator's `scan resume`) opens
 * the port again: a controller that was power-cycled, re-plugged or
 * restarted is met fresh (greeting or handshake) instead of through a line
 * whose replies may be out of step. */
#define _GNU_SOURCE
#include "tt_worker.h"

#include "daemon.h"
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "turntable.h"

struct tt_job {
	struct pr_turntable_config cfg;   /* a copy: a reload may change d->cfg */
	uint32_t scan, step;
	double by, target;
};

struct ttw {
	struct daemon *d;
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct tt_job *job;               /* under lock: the next turn */
	int quit;                         /* under lock */
	atomic_int busy;                  /* a turn is queued or running */
	/* thread only */
	const struct turntable_driver *drv;
	struct tt_handle *h;
	struct pr_turntable_config open_cfg;
};

static int open_table(struct ttw *w, const struct pr_turntable_config *c, struct pr_error *err)
{
	w->drv = tt_driver_find(pr_turntable_driver_name(c->driver));
	if (!w->drv)
		return pr_error_set(err, PR_EUNSUPPORTED, "no turntable driver '%s' ([turntable] "
				    "driver)", pr_turntable_driver_name(c->driver));
	struct tt_params p = {
		.device = c->device, .baud = c->baud, .degrees_per_unit = c->degrees_per_unit,
		.feed = c->feed, .rotate_cmd = c->rotate_cmd, .done_reply = c->done_reply,
		.error_reply = c->error_reply, .timeout_ms = (uint32_t)c->timeout_ms,
	};
	int rc = w->drv->open(&p, &w->h, err);
	if (!rc) {
		w->open_cfg = *c;
		LOG_INFO("turntable %s opened (%s)", c->device[0] ? c->device : "sim",
			 pr_turntable_driver_name(c->driver));
	}
	return rc;
}

static void run_turn(struct ttw *w, struct tt_job *job)
{
	struct pr_error err = { 0 };
	int rc = 0;
	/* a reload that changed the table's settings: open it again */
	if (w->h && memcmp(&w->open_cfg, &job->cfg, sizeof(job->cfg)))
		w->drv->close(&w->h);
	if (!w->h)
		rc = open_table(w, &job->cfg, &err);
	if (!rc)
		rc = w->drv->rotate(w->h, job->by, &err);
	if (rc && w->h)
		w->drv->close(&w->h); /* the next turn makes contact again */
	struct report *r = calloc(1, sizeof(*r));
	if (!r) {
		LOG_ERR("turntable: out of memory for a report");
		return;
	}
	r->type = REP_TURNED;
	r->rc = rc;
	r->scan = job->scan;
	r->set = job->step;
	r->angle = job->target;
	snprintf(r->msg, sizeof(r->msg), "%s", rc ? err.msg : "");
	report_post(w->d, r);
}

static void *tt_thread(void *arg)
{
	struct ttw *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->job && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		struct tt_job *job = w->job;
		w->job = NULL;
		int quit = w->quit;
		pthread_mutex_unlock(&w->lock);
		if (job) {
			run_turn(w, job);
			free(job);
			atomic_store(&w->busy, 0);
		}
		if (quit && !job)
			break;
	}
	if (w->h)
		w->drv->close(&w->h);
	return NULL;
}

int ttw_start(struct daemon *d)
{
	struct ttw *w = calloc(1, sizeof(*w));
	if (!w)
		return PR_ENOMEM;
	w->d = d;
	atomic_init(&w->busy, 0);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, tt_thread, w)) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		free(w);
		return PR_ENOMEM;
	}
	w->started = 1;
	d->ttw = w;
	return 0;
}

/* A turn in progress finishes first (bounded by the driver's timeout). */
void ttw_stop(struct daemon *d)
{
	struct ttw *w = d->ttw;
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	free(w->job);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
	d->ttw = NULL;
}

int ttw_rotate(struct daemon *d, uint32_t scan, uint32_t step, double by, double target)
{
	struct ttw *w = d->ttw;
	if (!w || atomic_load(&w->busy))
		return PR_EINVAL;
	struct tt_job *job = calloc(1, sizeof(*job));
	if (!job)
		return PR_ENOMEM;
	job->cfg = d->cfg.turntable;
	job->scan = scan;
	job->step = step;
	job->by = by;
	job->target = target;
	atomic_store(&w->busy, 1);
	pthread_mutex_lock(&w->lock);
	w->job = job;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int ttw_busy(const struct daemon *d)
{
	return d->ttw && atomic_load(&d->ttw->busy);
}
