/* photorigd: where the replies to a request go.
 *
 * A request comes from a control-socket client or from the operator page.
 * Both go through ops_dispatch, which answers by client id (events_reply); a
 * page request is a client without a socket whose messages (the reply, and
 * the progress events of a long operation) are handed to a function on the
 * loop thread instead of being written to a socket. So the page can do
 * exactly what the protocol can, through the same code. */
#ifndef PHOTORIGD_SINK_H
#define PHOTORIGD_SINK_H

#include <json-c/json.h>

struct daemon;
struct client;

struct reply_sink {
	/* Loop thread. msg is borrowed: take a reference to keep it. */
	void (*deliver)(struct daemon *d, void *ctx, json_object *msg);
};

/* A client of the dispatch that is not a socket: never evicted, not counted
 * against max_clients. NULL when out of memory. */
struct client *ctl_sink_open(struct daemon *d, const struct reply_sink *sink, void *ctx);
/* No more messages go to the sink; freed at the end of the loop round. */
void ctl_sink_close(struct daemon *d, struct client *c);

#endif
