/* photorigd: where the daemon's messages go.
 *
 * Modules never write to a client. They publish an event for every watcher
 * (events_publish) or send a reply or progress to the one requester of a
 * request (events_reply, by requester id). Front ends subscribe a sink: the
 * control socket (ctl.c) does, and any other front end (a web page, a link
 * to other nodes) plugs in the same way without touching the capture path.
 * Requester ids come from one counter (events_new_requester), so they are
 * unique across front ends and a sink ignores ids that are not its own.
 *
 * Loop thread only, like the rest of the daemon's state. */
#ifndef PHOTORIGD_EVENTS_H
#define PHOTORIGD_EVENTS_H

#include <json-c/json.h>
#include <stdint.h>

struct daemon;

struct event_sink {
	void *ctx;
	/* An event for every watcher of this front end; msg is borrowed. */
	void (*broadcast)(void *ctx, json_object *msg);
	/* A message for one requester, if it is this front end's; borrowed. */
	void (*send)(void *ctx, uint64_t requester, json_object *msg);
	/* Make requester a watcher, if it is this front end's. */
	void (*watch)(void *ctx, uint64_t requester);
	/* How many clients this front end serves now (status). */
	int (*clients)(void *ctx);
};

#define EVENTS_SINKS_MAX 4
struct events {
	struct event_sink sinks[EVENTS_SINKS_MAX];
	int nsinks;
	uint64_t next_requester;
};

/* 0, or -1 when EVENTS_SINKS_MAX sinks are subscribed already. */
int events_subscribe(struct daemon *d, const struct event_sink *sink);
uint64_t events_new_requester(struct daemon *d);
/* Both take msg. */
void events_publish(struct daemon *d, json_object *msg);
void events_reply(struct daemon *d, uint64_t requester, json_object *msg);
void events_watch(struct daemon *d, uint64_t requester);
int events_clients(const struct daemon *d);

#endif
