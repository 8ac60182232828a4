/* photorigd: the two primitives that cross threads.
 *
 *  - The report queue: camera threads and mask workers append a struct
 *    report under a mutex and write the eventfd; the loop wakes on the
 *    eventfd and takes the whole list at once. Reports keep their order.
 *  - The "go" of a capture set: every camera is armed first, then all are
 *    released at one CLOCK_MONOTONIC instant (see daemon.h). A condvar
 *    rather than a pthread_barrier, because a barrier cannot time out: one
 *    hung camera would hold every other camera of the rig. Threads leave
 *    go_wait at trigger priority (trigger_priority.c). */
#define _GNU_SOURCE
#include "sync.h"

#include "daemon.h"
#include "sheets.h"
#include "trigger_priority.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

int report_init(struct daemon *d)
{
	d->rep_head = d->rep_tail = NULL;
	if (pthread_mutex_init(&d->rep_lock, NULL))
		return PR_ENOMEM;
	d->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return d->evfd < 0 ? PR_EIO : 0;
}

void report_post(struct daemon *d, struct report *r)
{
	r->next = NULL;
	pthread_mutex_lock(&d->rep_lock);
	if (d->rep_tail)
		d->rep_tail->next = r;
	else
		d->rep_head = r;
	d->rep_tail = r;
	pthread_mutex_unlock(&d->rep_lock);
	uint64_t one = 1;
	/* EAGAIN means the counter is already non-zero: the loop will wake */
	if (write(d->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		LOG_RATELIMITED(PR_LOG_ERR, "cannot wake the main loop: %s", strerror(errno));
}

struct report *report_take_all(struct daemon *d)
{
	uint64_t n;
	if (read(d->evfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		LOG_RATELIMITED(PR_LOG_ERR, "eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&d->rep_lock);
	struct report *r = d->rep_head;
	d->rep_head = d->rep_tail = NULL;
	pthread_mutex_unlock(&d->rep_lock);
	return r;
}

void report_fini(struct daemon *d)
{
	struct report *r = report_take_all(d);
	while (r) {
		struct report *next = r->next;
		plate_ref_put(r->plate);
		sheets_tiles_free(r->tiles);
		json_object_put(r->json);
		free(r);
		r = next;
	}
	if (d->evfd >= 0)
		close(d->evfd);
	d->evfd = -1;
	pthread_mutex_destroy(&d->rep_lock);
}

struct go {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int expected, armed, released, refs;
	struct timespec created, release_at;
	int64_t fixed_ns;         /* go_release_at (mono), 0: none */
};

static void ts_add_ns(struct timespec *t, int64_t ns)
{
	int64_t v = (int64_t)t->tv_nsec + ns;
	t->tv_sec += (time_t)(v / 1000000000LL);
	t->tv_nsec = (long)(v % 1000000000LL);
	if (t->tv_nsec < 0) {
		t->tv_nsec += 1000000000L;
		t->tv_sec--;
	}
}

struct go *go_new(int expected)
{
	struct go *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&g->lock, NULL);
	g->expected = expected;
	g->refs = 1;
	clock_gettime(CLOCK_MONOTONIC, &g->created);
	return g;
}

/* Called with the lock held: every waiting thread sleeps until release_at. */
static void release_locked(struct go *g)
{
	clock_gettime(CLOCK_MONOTONIC, &g->release_at);
	ts_add_ns(&g->release_at, (int64_t)GO_LEAD_US * 1000);
	int64_t at = (int64_t)g->release_at.tv_sec * 1000000000LL + g->release_at.tv_nsec;
	if (g->fixed_ns > at) { /* the rig's T: every node of the rig releases then */
		g->release_at.tv_sec = (time_t)(g->fixed_ns / 1000000000LL);
		g->release_at.tv_nsec = (long)(g->fixed_ns % 1000000000LL);
	}
	g->released = 1;
	pthread_cond_broadcast(&g->cond);
}

void go_wait(struct go *g)
{
	pthread_mutex_lock(&g->lock);
	if (++g->armed >= g->expected && !g->released)
		release_locked(g);
	struct timespec deadline = g->created;
	ts_add_ns(&deadline, (int64_t)GO_ARM_TIMEOUT_MS * 1000000);
	while (!g->released) {
		if (pthread_cond_timedwait(&g->cond, &g->lock, &deadline) == ETIMEDOUT &&
		    !g->released) {
			LOG_WARN("%d of %d cameras armed after %d ms: releasing those", g->armed,
				 g->expected, GO_ARM_TIMEOUT_MS);
			release_locked(g);
		}
	}
	struct timespec at = g->release_at;
	pthread_mutex_unlock(&g->lock);
	/* woken at release_at ahead of whatever else keeps the cores busy */
	trigger_priority_raise();
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
		;
}

void go_release_at(struct go *g, int64_t mono_ns)
{
	pthread_mutex_lock(&g->lock);
	g->fixed_ns = mono_ns;
	pthread_mutex_unlock(&g->lock);
}

struct go *go_ref(struct go *g)
{
	pthread_mutex_lock(&g->lock);
	g->refs++;
	pthread_mutex_unlock(&g->lock);
	return g;
}

void go_put(struct go *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	int last = --g->refs == 0;
	pthread_mutex_unlock(&g->lock);
	if (last) {
		pthread_cond_destroy(&g->cond);
		pthread_mutex_destroy(&g->lock);
		free(g);
	}
}

struct plate_ref *plate_ref_get(struct plate_ref *p)
{
	if (p)
		atomic_fetch_add(&p->refs, 1);
	return p;
}

void plate_ref_put(struct plate_ref *p)
{
	if (p && atomic_fetch_sub(&p->refs, 1) == 1) {
		pr_plate_free(&p->plate);
		free(p);
	}
}

int pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? PR_EINVAL : 0;
}
