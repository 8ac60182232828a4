/* photorigd: the event bus (events.h). A handful of sinks at most, so a
 * plain array: publishing costs one call per front end. */
#include "events.h"

#include "daemon.h"

int events_subscribe(struct daemon *d, const struct event_sink *sink)
{
	struct events *ev = &d->events;
	if (ev->nsinks >= EVENTS_SINKS_MAX)
		return -1;
	ev->sinks[ev->nsinks++] = *sink;
	return 0;
}

uint64_t events_new_requester(struct daemon *d)
{
	return ++d->events.next_requester;
}

void events_publish(struct daemon *d, json_object *msg)
{
	for (int i = 0; i < d->events.nsinks; i++)
		d->events.sinks[i].broadcast(d->events.sinks[i].ctx, msg);
	json_object_put(msg);
}

void events_reply(struct daemon *d, uint64_t requester, json_object *msg)
{
	for (int i = 0; i < d->events.nsinks; i++)
		d->events.sinks[i].send(d->events.sinks[i].ctx, requester, msg);
	json_object_put(msg);
}

void events_watch(struct daemon *d, uint64_t requester)
{
	for (int i = 0; i < d->events.nsinks; i++)
		d->events.sinks[i].watch(d->events.sinks[i].ctx, requester);
}

int events_clients(const struct daemon *d)
{
	int n = 0;
	for (int i = 0; i < d->events.nsinks; i++)
		n += d->events.sinks[i].clients(d->events.sinks[i].ctx);
	return n;
}
