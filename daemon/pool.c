/* photorigd: the mask worker pool.
 *
 * Masking is the slow part of a set (decode, mask, feathered alpha, a TIFF),
 * so it runs here, never in the camera threads or the loop: a slow mask
 * never delays the next trigger. The queue is bounded (a ring of `capacity`
 * jobs); the loop checks for room before it starts a set (capture.c), so
 * when masking falls far behind, the next trigger waits rather than a job
 * being dropped. A job names a file already on disk, not pixels, so the
 * queue holds no images: memory is bounded by the number of workers.
 *
 * Each mask also splits its rows across threads (pr_parallel_rows); with as
 * many workers as cores that would oversubscribe the CPU, so each mask gets
 * cores / workers threads (at least 1). */
#define _GNU_SOURCE
#include "pool.h"

#include "daemon.h"
#include "backdrops.h"
#include "sheets.h"
#include "sync.h"
#include "clock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "imageio.h"
#include "log.h"
#include "suspect.h"
#include "parallel.h"

#define WORKER_NICE 10

struct pool {
	struct daemon *d;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct mask_job **ring;
	unsigned capacity, head, count, busy;
	int stopping;
	int nthreads;
	pthread_t *threads;
};

/* The backdrop composite of a masked shot. Its failure is logged, and the
 * masks stand: they are what photogrammetry needs. */
static void composite(struct mask_job *job, const char *name, const struct pr_image *shot,
		      const struct pr_mask_result *res, struct report *r)
{
	struct pr_error err = { 0 };
	char path[PATH_MAX + 300];
	job->composite.threads = job->params.threads;
	if (pr_composite_write(job->out_dir, name, shot, res,
			       job->plate ? &job->plate->plate : NULL, &job->composite, path,
			       sizeof(path), &err)) {
		LOG_WARN("backdrop composite of %s not written: %s", job->path, err.msg);
		return;
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (pathf(r->backdrop, sizeof(r->backdrop), "%s", base))
		LOG_WARN("backdrop composite %s: name too long for the journal", path);
}

static void run_job(struct pool *p, struct mask_job *job)
{
	struct pr_error err = { 0 };
	struct pr_image shot = { 0 };
	struct pr_mask_result res = { 0 };
	struct report *r = calloc(1, sizeof(*r));
	double t0 = pr_monotonic_s();
	const char *name = strrchr(job->path, '/') ? strrchr(job->path, '/') + 1 : job->path;
	int rc = pr_decode_file(job->path, &shot, &err);
	if (!rc)
		rc = pr_mask_compute_named(&job->params, &job->plate->plate, &shot, name, &res, &err);
	if (!rc)
		rc = pr_outputs_write(job->out_dir, name, &shot, &res, &job->output, &err);
	if (rc)
		LOG_WARN("mask of %s failed: %s", job->path, err.msg);
	/* the shot and mask are in memory only here: the extra outputs now */
	if (r && !rc && job->backdrop)
		composite(job, name, &shot, &res, r);
	if (r && !rc)
		suspect_check(&shot, &res, r->suspect, sizeof(r->suspect));
	if (r && job->tiles)
		r->tiles = sheets_tiles_make(job->camera, &shot, &res, job->params.invert, rc,
					     shot.pixels ? "mask failed" : "shot unreadable");
	if (r && r->suspect[0])
		suspect_flag_tiles(r->tiles);
	if (r) {
		r->type = REP_MASK;
		r->set = job->set;
		r->cam = job->cam;
		r->generation = job->generation;
		r->rc = rc;
		r->stats = res.stats;
		r->seconds = pr_monotonic_s() - t0;
		snprintf(r->msg, sizeof(r->msg), "%s", rc ? err.msg : "");
		report_post(p->d, r);
	}
	pr_mask_result_free(&res);
	pr_image_free(&shot);
	plate_ref_put(job->plate);
	backdrop_ref_put(job->backdrop);
	free(job);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	/* Masking is CPU work that can wait; a camera thread releasing a
	 * shutter cannot. A lower priority (per thread on Linux) keeps the
	 * workers from delaying a trigger when the cores are busy. */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE))
		LOG_DEBUG("mask worker keeps its priority: %s", strerror(errno));
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->count && !p->stopping)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!p->count)
			break; /* stopping, and the queue is drained */
		struct mask_job *job = p->ring[p->head];
		p->head = (p->head + 1) % p->capacity;
		p->count--;
		p->busy++;
		pthread_mutex_unlock(&p->lock);
		run_job(p, job);
		pthread_mutex_lock(&p->lock);
		p->busy--;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int pool_start(struct daemon *d, int threads, unsigned capacity)
{
	struct pool *p = calloc(1, sizeof(*p));
	if (!p)
		return PR_ENOMEM;
	p->d = d;
	p->capacity = capacity ? capacity : 1;
	p->nthreads = threads > 0 ? threads : pr_cpu_count();
	p->ring = calloc(p->capacity, sizeof(*p->ring));
	p->threads = calloc((size_t)p->nthreads, sizeof(*p->threads));
	if (!p->ring || !p->threads) {
		free(p->ring);
		free(p->threads);
		free(p);
		return PR_ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	int started = 0;
	for (int i = 0; i < p->nthreads; i++)
		if (!pthread_create(&p->threads[started], NULL, worker, p))
			started++;
	if (!started) {
		LOG_ERR("cannot start any mask worker thread");
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
		free(p->ring);
		free(p->threads);
		free(p);
		return PR_ENOMEM;
	}
	p->nthreads = started;
	d->pool = p;
	LOG_INFO("%d mask worker%s, queue of %u", started, started == 1 ? "" : "s", p->capacity);
	return 0;
}

int pool_submit(struct daemon *d, struct mask_job *job)
{
	struct pool *p = d->pool;
	int cores = pr_cpu_count();
	job->params.threads = cores / p->nthreads > 1 ? cores / p->nthreads : 1;
	pthread_mutex_lock(&p->lock);
	if (p->count == p->capacity || p->stopping) {
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	p->ring[(p->head + p->count) % p->capacity] = job;
	p->count++;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

unsigned pool_free_slots(struct daemon *d)
{
	struct pool *p = d->pool;
	pthread_mutex_lock(&p->lock);
	unsigned n = p->capacity - p->count;
	pthread_mutex_unlock(&p->lock);
	return n;
}

unsigned pool_in_flight(struct daemon *d)
{
	struct pool *p = d->pool;
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	unsigned n = p->count + p->busy;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void pool_stop(struct daemon *d)
{
	struct pool *p = d->pool;
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p->ring);
	free(p->threads);
	free(p);
	d->pool = NULL;
}
