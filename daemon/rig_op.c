/* photorigd: the rig operation in hand (rig_op.h). Only one plate or
 * capture request runs at a time; its progress goes to its requester as it
 * goes, and its one reply ends it. Ending it is also when a reload that
 * waited for the rig to be free is made. */
#include "rig_op.h"

#include <string.h>

#include "daemon.h"
#include "events.h"
#include "loop.h"
#include "protocol.h"

void op_reply(struct daemon *d, json_object *msg)
{
	uint64_t client = d->op.client;
	json_object_put(d->op.results);
	memset(&d->op, 0, sizeof(d->op));
	events_reply(d, client, msg);
	if (d->reload_pending) {
		char why[512];
		d->reload_pending = 0;
		daemon_reload(d, why, sizeof(why));
	}
}

void op_progress(struct daemon *d)
{
	json_object *e = pr_proto_event(PR_EV_PROGRESS, d->op.req_id, 1);
	json_object_object_add(e, "what", json_object_new_string(d->op.kind == OP_PLATE ? "plate"
								 : "capture"));
	json_object_object_add(e, "done", json_object_new_int64(d->op.done));
	json_object_object_add(e, "total", json_object_new_int64(d->op.total));
	events_reply(d, d->op.client, e);
}
