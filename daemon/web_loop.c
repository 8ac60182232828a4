/* photorigd, the operator page: the loop's side.
 *
 * Connection threads queue page requests (web_req_submit) and poke an
 * eventfd; the loop takes them (web_on_event) and runs each through
 * ops_dispatch under a requester id of its own, exactly as a control-socket
 * line: the same decoding, the same checks, the same handlers. The page is
 * a front end of the event bus (events.h): the reply to that id comes back
 * through it (at once, or when a capture or plate recording ends), is turned
 * into text and handed to the waiting connection thread. Progress events of
 * the request, and every event the daemon publishes, go into a ring of SSE
 * lines that the /events streams read. */
#define _GNU_SOURCE
#include "daemon.h"
#include "events.h"
#include "ops.h"
#include "web.h"
#include "web_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

/* Requests handed to ops_dispatch and not yet answered (loop only). */
static struct web_req *inflight[256];

void web_req_put(struct web *w, struct web_req *r)
{
	(void)w;
	if (--r->refs > 0)
		return;
	free(r->body);
	free(r->reply);
	free(r);
}

void web_req_submit(struct web *w, struct web_req *r)
{
	uint64_t one = 1;
	pthread_mutex_lock(&w->lock);
	r->refs = 2;
	if (w->queue_tail)
		w->queue_tail->next = r;
	else
		w->queue = r;
	w->queue_tail = r;
	pthread_mutex_unlock(&w->lock);
	if (write(w->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		LOG_RATELIMITED(PR_LOG_ERR, "web: eventfd: %s", strerror(errno));
}

/* Put one event line in the ring for the /events streams. */
static void publish(struct web *w, json_object *msg)
{
	const char *js = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(js) + 16;
	char *line = malloc(n);
	if (!line)
		return;
	snprintf(line, n, "data: %s\n\n", js);
	pthread_mutex_lock(&w->lock);
	free(w->events[w->event_seq % WEB_EVENTS_RING]);
	w->events[w->event_seq % WEB_EVENTS_RING] = line;
	w->event_seq++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void finish(struct web *w, struct web_req *r, json_object *msg)
{
	char *text = strdup(json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	for (size_t i = 0; i < sizeof(inflight) / sizeof(inflight[0]); i++)
		if (inflight[i] == r)
			inflight[i] = NULL;
	pthread_mutex_lock(&w->lock);
	r->reply = text;
	r->done = 1;
	pthread_cond_broadcast(&w->cond);
	web_req_put(w, r);
	pthread_mutex_unlock(&w->lock);
}

/* The page's side of the event bus (events.h). The callbacks find the page
 * through the_loop_web, which web_loop_drop clears: the bus has no
 * unsubscribe, and photorigd may still publish while it stops. */
static struct web *the_loop_web;

static void bus_broadcast(void *ctx, json_object *msg)
{
	(void)ctx;
	if (the_loop_web)
		publish(the_loop_web, msg);
}

/* A reply or progress for a requester: one of the page's requests, or not ours. */
static void bus_send(void *ctx, uint64_t requester, json_object *msg)
{
	struct web *w = the_loop_web;
	(void)ctx;
	if (!w)
		return;
	for (size_t i = 0; i < sizeof(inflight) / sizeof(inflight[0]); i++) {
		struct web_req *r = inflight[i];
		if (!r || r->requester != requester)
			continue;
		if (pr_json_str(msg, "event", NULL))
			publish(w, msg); /* progress of this request: the page shows it */
		else
			finish(w, r, msg);
		return;
	}
}

/* The page's requests never watch (refused in run_one): its events come
 * from the broadcasts, on GET /events. */
static void bus_watch(void *ctx, uint64_t requester)
{
	(void)ctx;
	(void)requester;
}

static int bus_clients(void *ctx)
{
	(void)ctx;
	int n = 0;
	for (size_t i = 0; i < sizeof(inflight) / sizeof(inflight[0]); i++)
		n += inflight[i] != NULL;
	return n;
}

int web_bus_subscribe(struct web *w)
{
	static int subscribed;
	const struct event_sink sink = { .ctx = NULL, .broadcast = bus_broadcast, .send = bus_send,
					 .watch = bus_watch, .clients = bus_clients };
	if (!subscribed && events_subscribe(w->d, &sink))
		return -1;
	subscribed = 1;
	the_loop_web = w;
	return 0;
}

static void run_one(struct web *w, struct web_req *r)
{
	struct pr_request req;
	struct pr_error err = { 0 };
	int64_t id = 0;
	int has_id = 0;
	json_object *reply = NULL;
	int rc = pr_proto_decode_request(r->body, r->len, &req, &id, &has_id, &err);
	if (rc)
		reply = pr_proto_reply_error(id, has_id, "%s", err.msg);
	else if (req.op == PR_OP_WATCH)
		/* a page request gets one reply; the page's event stream is GET /events */
		reply = pr_proto_reply_error(id, has_id, "watch: the page receives events from "
					     "GET /events");
	if (!reply) {
		size_t slot = 0;
		while (slot < sizeof(inflight) / sizeof(inflight[0]) && inflight[slot])
			slot++;
		if (slot == sizeof(inflight) / sizeof(inflight[0]))
			reply = pr_proto_reply_error(id, has_id, "busy: too many page requests in "
						     "flight; try again in a moment");
		else
			inflight[slot] = r;
	}
	if (reply) {
		finish(w, r, reply);
		json_object_put(reply);
		return;
	}
	LOG_DEBUG("web: request %s", pr_op_name(req.op));
	r->requester = events_new_requester(w->d);
	ops_dispatch(w->d, r->requester, &req);
}

void web_loop_take(struct web *w)
{
	uint64_t n;
	if (read(w->evfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		LOG_RATELIMITED(PR_LOG_ERR, "web: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&w->lock);
	struct web_req *r = w->queue;
	w->queue = w->queue_tail = NULL;
	pthread_mutex_unlock(&w->lock);
	while (r) {
		struct web_req *next = r->next;
		r->next = NULL;
		run_one(w, r);
		r = next;
	}
}

/* Stopping: requests still waiting for the daemon get no reply; their
 * connection threads are told by w->stopping. */
void web_loop_drop(struct web *w)
{
	the_loop_web = NULL;
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < sizeof(inflight) / sizeof(inflight[0]); i++) {
		struct web_req *r = inflight[i];
		if (!r)
			continue;
		inflight[i] = NULL;
		web_req_put(w, r);
	}
	struct web_req *r = w->queue;
	w->queue = w->queue_tail = NULL;
	while (r) {
		struct web_req *next = r->next;
		web_req_put(w, r);
		r = next;
	}
	pthread_mutex_unlock(&w->lock);
}
