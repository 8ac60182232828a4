/* photorigd: masking a session's shots again (remask.h).
 *
 * A shot is held as its set record and its position in the set: a set
 * record stays where it is for as long as its session is open (session.h),
 * and every tick checks that the active session is still the one the
 * remask began on (the same record, not only the same name: session start
 * and stop are refused meanwhile, and this says so should that change). */
#define _GNU_SOURCE
#include "remask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "daemon.h"
#include "events.h"
#include "journal.h"
#include "log.h"
#include "pool.h"
#include "rig_op.h"
#include "scan.h"
#include "session.h"

struct remask_shot {
	struct set_rec *set;
	uint32_t shot;
	int submitted, finished;
};

static struct remask {
	int active;
	uint64_t requester;
	int64_t req_id;
	char session[PR_PROTO_NAME_MAX + 1];
	const struct session *sess;
	struct remask_shot *shots;
	uint32_t n, next, done;
} rm;

int remask_running(void)
{
	return rm.active;
}

void remask_fini(void)
{
	free(rm.shots);
	memset(&rm, 0, sizeof(rm));
}

static int in_list(const char *list, const char *name)
{
	if (!list[0])
		return 1;
	size_t n = strlen(name);
	for (const char *s = list; *s;) {
		size_t len = strcspn(s, ",");
		if (len == n && !strncmp(s, name, n))
			return 1;
		s += len + (s[len] == ',');
	}
	return 0;
}

/* Every name of the list is a configured camera position; else its name. */
static const char *unknown_camera(const struct daemon *d, const char *list, char *buf,
				  size_t size)
{
	for (const char *s = list; *s;) {
		size_t len = strcspn(s, ",");
		int found = 0;
		for (uint32_t i = 0; i < d->cfg.ncameras && !found; i++)
			found = strlen(d->cfg.cameras[i].name) == len &&
				!strncmp(d->cfg.cameras[i].name, s, len);
		if (!found) {
			snprintf(buf, size, "%.*s", (int)(len > 64 ? 64 : len), s);
			return buf;
		}
		s += len + (s[len] == ',');
	}
	return NULL;
}

static void progress(struct daemon *d)
{
	json_object *e = pr_proto_event(PR_EV_PROGRESS, rm.req_id, 1);
	json_object_object_add(e, "what", json_object_new_string("remask"));
	json_object_object_add(e, "done", json_object_new_int64(rm.done));
	json_object_object_add(e, "total", json_object_new_int64(rm.n));
	events_reply(d, rm.requester, e);
}

static void finish(struct daemon *d, json_object *reply)
{
	events_reply(d, rm.requester, reply);
	json_object *line = json_object_new_object();
	json_object_object_add(line, "ev", json_object_new_string("remask_done"));
	json_object_object_add(line, "shots", json_object_new_int64(rm.n));
	if (d->session && !strcmp(d->session->name, rm.session)) {
		journal_append(d->session, line);
		journal_sync(d->session);
	}
	json_object_put(line);
	LOG_NOTICE("remask of session %s: %u shot%s done", rm.session, rm.n, rm.n == 1 ? "" : "s");
	remask_fini();
}

void remask_request(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	char bad[72];
	const char *why = NULL;
	if (rm.active)
		why = "busy: a remask is running; try again when it is finished";
	else if (scan_running(d))
		why = "busy: a turntable scan is running; pause it first (photorig scan pause)";
	else if (d->op.kind != OP_NONE)
		why = "busy: a capture or plate recording is running; try again when it is finished";
	else if (!d->session || strcmp(d->session->name, req->name))
		why = "not photorigd's active session (remask it offline: photorig remask "
		      "SESSION --offline)";
	else if (unknown_camera(d, req->cameras, bad, sizeof(bad)))
		why = "unknown camera";
	if (why) {
		events_reply(d, requester, pr_proto_reply_error(
				 req->id, 1, "remask %s: %s%s%s", req->name, why,
				 !strcmp(why, "unknown camera") ? " " : "",
				 !strcmp(why, "unknown camera") ? bad : ""));
		return;
	}
	struct session *s = d->session;
	uint32_t from = req->set_from ? req->set_from : 1, to = req->set_to ? req->set_to : UINT32_MAX;
	for (int pass = 0; pass < 2; pass++) { /* count, then fill */
		rm.n = 0;
		for (uint32_t i = 0; i < s->nsets; i++) {
			struct set_rec *set = s->sets[i];
			if (!set->finished || set->number < from || set->number > to)
				continue;
			for (uint32_t k = 0; k < set->nshots; k++) {
				struct shot_rec *r = &set->shots[k];
				if (r->state != SHOT_SAVED || !in_list(req->cameras, r->camera))
					continue;
				if (pass)
					rm.shots[rm.n] = (struct remask_shot){ set, k, 0, 0 };
				rm.n++;
			}
		}
		if (!pass && !(rm.shots = calloc(rm.n + 1, sizeof(*rm.shots)))) {
			events_reply(d, requester, pr_proto_reply_error(req->id, 1, "out of memory"));
			return;
		}
	}
	if (!rm.n) {
		remask_fini();
		events_reply(d, requester, pr_proto_reply_error(
				 req->id, 1, "remask %s: no saved shot in those sets and cameras",
				 req->name));
		return;
	}
	rm.active = 1;
	rm.requester = requester;
	rm.req_id = req->id;
	snprintf(rm.session, sizeof(rm.session), "%s", s->name);
	rm.sess = s;
	json_object *line = json_object_new_object();
	json_object_object_add(line, "ev", json_object_new_string("remask_begun"));
	json_object_object_add(line, "set_from", json_object_new_int64(from));
	json_object_object_add(line, "set_to", json_object_new_int64(to == UINT32_MAX ? 0 : to));
	json_object_object_add(line, "cameras", json_object_new_string(req->cameras));
	json_object_object_add(line, "shots", json_object_new_int64(rm.n));
	journal_append(s, line);
	json_object_put(line);
	LOG_NOTICE("remask of session %s: %u shot%s", s->name, rm.n, rm.n == 1 ? "" : "s");
	remask_tick(d);
}

void remask_tick(struct daemon *d)
{
	if (!rm.active)
		return;
	if (d->session != rm.sess) {
		finish(d, pr_proto_reply_error(rm.req_id, 1, "remask %s: the session was closed "
					       "after %u of %u shots", rm.session, rm.done, rm.n));
		return;
	}
	/* hand over as many as the pool takes now */
	while (rm.next < rm.n && pool_free_slots(d)) {
		struct remask_shot *x = &rm.shots[rm.next++];
		x->submitted = !capture_mask_again(d, x->set, x->shot, "remask");
	}
	uint32_t done = 0;
	for (uint32_t i = 0; i < rm.next; i++) {
		struct remask_shot *x = &rm.shots[i];
		if (!x->finished)
			x->finished = !x->submitted || x->set->shots[x->shot].mask != MASK_PENDING;
		done += x->finished;
	}
	if (done != rm.done) {
		rm.done = done;
		progress(d);
	}
	if (rm.next < rm.n || done < rm.n)
		return;
	json_object *r = pr_proto_reply_ok(rm.req_id), *shots = json_object_new_array();
	uint32_t written = 0;
	for (uint32_t i = 0; i < rm.n; i++) {
		const struct set_rec *set = rm.shots[i].set;
		const struct shot_rec *s = &set->shots[rm.shots[i].shot];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "set", json_object_new_int64(set->number));
		json_object_object_add(o, "camera", json_object_new_string(s->camera));
		json_object_object_add(o, "mask", json_object_new_boolean(s->mask == MASK_WRITTEN));
		if (s->mask == MASK_WRITTEN)
			json_object_object_add(o, "foreground",
					       json_object_new_double(s->stats.foreground));
		else
			json_object_object_add(o, "note", json_object_new_string(
							  s->note[0] ? s->note : "not masked"));
		written += s->mask == MASK_WRITTEN;
		json_object_array_add(shots, o);
	}
	if (written < rm.n) {
		json_object_put(r);
		r = pr_proto_reply_error(rm.req_id, 1, "remask %s: %u of %u shots not masked (see "
					 "shots)", rm.session, rm.n - written, rm.n);
	}
	json_object_object_add(r, "session", json_object_new_string(rm.session));
	json_object_object_add(r, "remasked", json_object_new_int64(written));
	json_object_object_add(r, "shots", shots);
	manifest_write(d);
	finish(d, r);
}
