/* photorigd: one handler per request of the control protocol.
 *
 * Quick requests (status, cameras, session_*, reload, watch) are answered at
 * once. plate and capture start a rig operation that is answered when it is
 * done, with progress events to the requester meanwhile; only one rig
 * operation runs at a time, a second is refused as busy (with what is
 * running), never queued behind the operator's back. */
#define _GNU_SOURCE
#include "ops.h"

#include "daemon.h"
#include "events.h"
#include "capture.h"
#include "disk.h"
#include "loop.h"
#include "plate_op.h"
#include "pool.h"
#include "rig.h"
#include "rig_op.h"
#include "scan.h"
#include "session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "camera_settings.h"
#include "preview.h"
#include "cluster.h"
#include "cluster_scan.h"
#include "remask.h"
#include "log.h"
#include "suspect.h"
#include "unmasked.h"

static const char *const slot_words[] = { "attaching", "ready", "offline", "recovering" };

static json_object *camera_json(const struct daemon *d, uint32_t i)
{
	const struct cam_slot *s = &d->slots[i];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(s->cfg.name));
	json_object_object_add(o, "driver", json_object_new_string(pr_cam_driver_name(s->cfg.driver)));
	json_object_object_add(o, "state", json_object_new_string(slot_words[s->state]));
	json_object_object_add(o, "serial", json_object_new_string(s->info.serial));
	json_object_object_add(o, "model", json_object_new_string(s->info.model));
	json_object_object_add(o, "port", json_object_new_string(s->info.port));
	json_object_object_add(o, "busy", json_object_new_boolean(s->busy));
	json_object_object_add(o, "frames", json_object_new_int64((int64_t)s->frames_delivered));
	json_object_object_add(o, "method", json_object_new_string(
						    pr_mask_method_name(d->cfg.cameras[i].mask.method)));
	if (s->error[0])
		json_object_object_add(o, "error", json_object_new_string(s->error));
	/* recovery: failed attaches in a row and when the next one is due */
	json_object_object_add(o, "attempts", json_object_new_int64(s->attempts));
	if (s->state == SLOT_OFFLINE && s->retry_ns) {
		int64_t left = s->retry_ns - mono_ns();
		json_object_object_add(o, "next_retry_s",
				       json_object_new_double(left > 0 ? (double)left / 1e9 : 0.0));
	}
	json_object *p = plate_store_json(d, (int)i);
	json_object_object_add(o, "plate", p ? p : NULL);
	if (plate_error(d, (int)i))
		json_object_object_add(o, "plate_error", json_object_new_string(plate_error(d, (int)i)));
	return o;
}

static void op_status(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	json_object *r = pr_proto_reply_ok(req->id);
	json_object_object_add(r, "rig", json_object_new_string(d->cfg.rig.name));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "config", json_object_new_string(d->config_path));
	json_object_object_add(r, "uptime_s", json_object_new_double(
						       (double)(mono_ns() - d->started_ns) / 1e9));
	json_object_object_add(r, "cameras", json_object_new_int((int)d->nslots));
	json_object_object_add(r, "attached", json_object_new_int(rig_attached(d)));
	json_object_object_add(r, "ready", json_object_new_boolean(d->ready_sent));
	json_object_object_add(r, "stopping", json_object_new_boolean(d->stopping));
	if (d->session) {
		json_object *s = json_object_new_object();
		json_object_object_add(s, "name", json_object_new_string(d->session->name));
		json_object_object_add(s, "dir", json_object_new_string(d->session->dir));
		json_object_object_add(s, "next_set", json_object_new_int64(d->session->next_set));
		json_object_object_add(r, "session", s);
	} else {
		json_object_object_add(r, "session", NULL);
	}
	if (d->op.kind != OP_NONE) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "what", json_object_new_string(d->op.kind == OP_PLATE
									? "plate" : "capture"));
		json_object_object_add(o, "done", json_object_new_int64(d->op.done));
		json_object_object_add(o, "total", json_object_new_int64(d->op.total));
		json_object_object_add(r, "busy", o);
	} else {
		json_object_object_add(r, "busy", NULL);
	}
	json_object_object_add(r, "scan", cluster_scan_json(d));
	json_object_object_add(r, "disk", disk_json(d));
	json_object_object_add(r, "mask_queue", json_object_new_int64(pool_in_flight(d)));
	json_object_object_add(r, "clients", json_object_new_int(events_clients(d)));
	json_object *plates = json_object_new_array();
	for (uint32_t i = 0; i < d->nslots; i++) {
		json_object *p = json_object_new_object();
		json_object *pl = plate_store_json(d, (int)i);
		json_object_object_add(p, "camera", json_object_new_string(d->slots[i].cfg.name));
		json_object_object_add(p, "plate", pl ? pl : NULL);
		if (plate_error(d, (int)i))
			json_object_object_add(p, "plate_error",
					       json_object_new_string(plate_error(d, (int)i)));
		json_object_array_add(plates, p);
	}
	json_object_object_add(r, "plates", plates);
	if (cluster_enabled(d))
		json_object_object_add(r, "cluster", cluster_status_json(d));
	json_object_object_add(r, "suspect", suspect_status_json(d));
	events_reply(d, requester, r);
}

static void op_cameras(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	json_object *r = pr_proto_reply_ok(req->id), *a = json_object_new_array();
	for (uint32_t i = 0; i < d->nslots; i++)
		json_object_array_add(a, camera_json(d, i));
	cluster_cameras_json(d, a);
	json_object_object_add(r, "cameras", a);
	events_reply(d, requester, r);
}

static int refuse_busy(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	if (d->stopping) {
		events_reply(d, requester, pr_proto_reply_error(req->id, 1, "photorigd is stopping"));
		return 1;
	}
	if (scan_running(d)) {
		events_reply(d, requester, pr_proto_reply_error(
				 req->id, 1, "busy: a turntable scan is running; pause it first "
				 "(photorig scan pause)"));
		return 1;
	}
	if (remask_running()) {
		events_reply(d, requester, pr_proto_reply_error(
				 req->id, 1, "busy: a remask is running; try again when it is finished"));
		return 1;
	}
	if (d->op.kind != OP_NONE) {
		events_reply(d, requester, pr_proto_reply_error(
				 req->id, 1, "busy: a %s is running (%u of %u done); try again when "
				 "it is finished", d->op.kind == OP_PLATE ? "plate recording" : "capture",
				 d->op.done, d->op.total));
		return 1;
	}
	return 0;
}

/* Originals held for disk space belong to the active session's sets. */
static int refuse_held(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	uint32_t held = disk_held_shots(d);
	if (!held)
		return 0;
	events_reply(d, requester, pr_proto_reply_error(
			 req->id, 1, "busy: %u original%s of session %s wait%s for disk space in %s; "
			 "free some space first", held, held == 1 ? "" : "s", d->session->name,
			 held == 1 ? "s" : "", d->disk.path));
	return 1;
}

static void op_session_start(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	char why[512];
	if (refuse_busy(d, requester, req))
		return;
	if (d->session && strcmp(d->session->name, req->name) && refuse_held(d, requester, req))
		return;
	/* masks still running belong to the active session's sets */
	if (d->session && strcmp(d->session->name, req->name) && pool_in_flight(d)) {
		events_reply(d, requester, pr_proto_reply_error(
				 req->id, 1, "busy: %u mask%s of session %s still being written; try "
				 "again in a moment", pool_in_flight(d), pool_in_flight(d) == 1 ? "" : "s",
				 d->session->name));
		return;
	}
	if (session_open(d, req->name, why, sizeof(why))) {
		events_reply(d, requester, pr_proto_reply_error(req->id, 1, "session '%s': %s",
								   req->name, why));
		return;
	}
	json_object *r = pr_proto_reply_ok(req->id);
	json_object_object_add(r, "session", json_object_new_string(d->session->name));
	json_object_object_add(r, "dir", json_object_new_string(d->session->dir));
	json_object_object_add(r, "next_set", json_object_new_int64(d->session->next_set));
	events_reply(d, requester, r);
	cluster_session_changed(d, 1, d->session->name);
}

static void op_session_stop(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	if (refuse_busy(d, requester, req))
		return;
	if (!d->session) {
		events_reply(d, requester, pr_proto_reply_error(req->id, 1, "no session is active"));
		return;
	}
	if (refuse_held(d, requester, req))
		return;
	/* masks of the last set may still be running: they need the session */
	if (pool_in_flight(d)) {
		json_object *r = pr_proto_reply_error(
			req->id, 1, "busy: %u mask%s still being written; try again in a moment",
			pool_in_flight(d), pool_in_flight(d) == 1 ? "" : "s");
		/* the client waits for them (photorig session stop) */
		json_object_object_add(r, "masks_in_flight", json_object_new_int64(pool_in_flight(d)));
		events_reply(d, requester, r);
		return;
	}
	json_object *r = pr_proto_reply_ok(req->id);
	json_object_object_add(r, "session", json_object_new_string(d->session->name));
	json_object_object_add(r, "dir", json_object_new_string(d->session->dir));
	json_object_object_add(r, "sets", json_object_new_int64(d->session->next_set - 1));
	cluster_session_changed(d, 0, d->session->name);
	session_close(d, 1);
	events_reply(d, requester, r);
}

void ops_dispatch(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	char why[1024];
	json_object *r;
	LOG_DEBUG("request %s (id %lld)", pr_op_name(req->op), (long long)req->id);
	disk_poll(d, 1); /* the disk-full state is as fresh as the request */
	switch (req->op) {
	case PR_OP_STATUS:
		op_status(d, requester, req);
		break;
	case PR_OP_CAMERAS:
		op_cameras(d, requester, req);
		break;
	case PR_OP_PLATE:
		/* every camera of the rig: the other nodes record theirs too */
		if (!refuse_busy(d, requester, req) && !plate_begin(d, requester, req) &&
		    !req->camera[0])
			cluster_plate_started(d, req->frames);
		break;
	case PR_OP_CAPTURE:
		if (!refuse_busy(d, requester, req))
			capture_begin(d, requester, req);
		break;
	case PR_OP_SESSION_START:
		op_session_start(d, requester, req);
		break;
	case PR_OP_SESSION_STOP:
		op_session_stop(d, requester, req);
		break;
	case PR_OP_SESSION_LIST:
		r = pr_proto_reply_ok(req->id);
		json_object_object_add(r, "sessions", session_list(d));
		events_reply(d, requester, r);
		break;
	case PR_OP_RELOAD:
		if (daemon_reload(d, why, sizeof(why)))
			r = pr_proto_reply_error(req->id, 1, "%s", why);
		else
			r = pr_proto_reply_ok(req->id);
		json_object_object_add(r, "rig", json_object_new_string(d->cfg.rig.name));
		events_reply(d, requester, r);
		break;
	case PR_OP_WATCH:
		events_watch(d, requester);
		r = pr_proto_reply_ok(req->id);
		json_object_object_add(r, "watching", json_object_new_boolean(1));
		events_reply(d, requester, r);
		break;
	case PR_OP_SCAN_START:
	case PR_OP_SCAN_PAUSE:
	case PR_OP_SCAN_RESUME:
	case PR_OP_SCAN_STOP:
	case PR_OP_SCAN_STATUS:
		cluster_scan_request(d, requester, req); /* a rig's: the turntable's node runs it */
		break;
	case PR_OP_CAMERA_SETTINGS:
	case PR_OP_CAMERA_SET:
		camsettings_request(d, requester, req);
		break;
	case PR_OP_PREVIEW:
		preview_request(d, requester, req);
		break;
	case PR_OP_REMASK:
		remask_request(d, requester, req);
		break;
	case PR_OP_COUNT:
		break;
	}
}
