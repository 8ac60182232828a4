/* photorigd: capture orchestration.
 *
 * `capture --count N` runs N sets one after the other. A set arms every
 * camera and releases them together (sync.c); the next set starts as soon as
 * every camera of this one has delivered (or the set timed out), while the
 * masks of earlier sets are still being computed. A set is finished when
 * every file and every mask is in: then set_end is journaled and synced, the
 * manifest rewritten and watchers told. The request is answered once all
 * its sets are finished: ok only when every set was complete.
 *
 * Nothing is dropped: a file arriving after its set timed out is still
 * journaled (marked late); a mask job waits for room in the pool's queue
 * before its set is triggered. */
#define _GNU_SOURCE
#include "capture.h"
#include "capture_internal.h"

#include "daemon.h"
#include "backdrops.h"
#include "disk.h"
#include "events.h"
#include "hwtrig.h"
#include "journal.h"
#include "loop.h"
#include "naming.h"
#include "originals.h"
#include "pool.h"
#include "rig.h"
#include "rig_op.h"
#include "scan.h"
#include "session.h"
#include "sheets.h"
#include "sync.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "imageio.h"
#include "cluster.h"
#include "log.h"
#include "plate_angles.h"
#include "unmasked.h"

/* Why a camera is left out of a new set: it is offline (its thread
 * re-attaches it with back-off) or being re-opened. NULL when it can shoot. */
static const char *slot_away(const struct cam_slot *sl)
{
	return sl->state == SLOT_OFFLINE ? "is offline"
	       : sl->state == SLOT_RECOVERING ? "is being re-opened" : NULL;
}

int camera_index(const struct daemon *d, const char *name)
{
	for (uint32_t i = 0; i < d->cfg.ncameras; i++)
		if (!strcmp(d->cfg.cameras[i].name, name))
			return (int)i;
	return -1;
}

void journal_shot(struct daemon *d, const char *ev, const struct set_rec *set,
		  const struct shot_rec *r, json_object *extra)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ev", json_object_new_string(ev));
	json_object_object_add(o, "set", json_object_new_int64(set->number));
	json_object_object_add(o, "camera", json_object_new_string(r->camera));
	if (extra) {
		json_object_object_foreach(extra, key, val)
			json_object_object_add(o, key, json_object_get(val));
		json_object_put(extra);
	}
	journal_append(d->session, o);
	json_object_put(o);
}

void event_shot(struct daemon *d, enum pr_event ev, const struct set_rec *set,
		const struct shot_rec *r, const char *what)
{
	json_object *e = pr_proto_event(ev, 0, 0);
	json_object_object_add(e, "session", json_object_new_string(d->session->name));
	json_object_object_add(e, "set", json_object_new_int64(set->number));
	json_object_object_add(e, "camera", json_object_new_string(r->camera));
	if (what)
		json_object_object_add(e, ev == PR_EV_ERROR ? "error" : "file",
				       json_object_new_string(what));
	events_publish(d, e);
}

static void op_check_done(struct daemon *d)
{
	struct rig_op *op = &d->op;
	if (op->kind != OP_CAPTURE || op->set_open || op->sets_finished < op->sets_started)
		return;
	if (op->done < op->total && !op->aborted)
		return;
	json_object *msg;
	int incomplete = 0;
	for (size_t i = 0; i < json_object_array_length(op->results); i++)
		incomplete += !pr_json_bool(json_object_array_get_idx(op->results, i), "complete", 0);
	if (op->aborted)
		msg = pr_proto_reply_error(op->req_id, 1, "%s after %u of %u set%s", op->error,
					   op->done, op->total, op->total == 1 ? "" : "s");
	else if (incomplete)
		msg = pr_proto_reply_error(op->req_id, 1, "%d of %u set%s incomplete: see 'missing'%s",
					   incomplete, op->total, op->total == 1 ? "" : "s",
					   d->disk.full ? "; the disk is full (photorig status)" : "");
	else
		msg = pr_proto_reply_ok(op->req_id);
	json_object_object_add(msg, "session", json_object_new_string(d->session->name));
	json_object_object_add(msg, "sets", json_object_get(op->results));
	op_reply(d, msg);
}

void set_try_finish(struct daemon *d, struct set_rec *set)
{
	if (set->finished || set->files_pending > 0 || set->masks_pending > 0)
		return;
	set->finished = 1;
	set->complete = 1;
	for (uint32_t i = 0; i < set->nshots; i++)
		if (set->shots[i].state != SHOT_SAVED)
			set->complete = 0;
	json_object *summary = journal_set_json(d, set);
	json_object *line = json_object_new_object();
	json_object_object_add(line, "ev", json_object_new_string("set_end"));
	json_object_object_add(line, "set", json_object_new_int64(set->number));
	json_object_object_add(line, "complete", json_object_new_boolean(set->complete));
	if (set->interrupted)
		json_object_object_add(line, "interrupted", json_object_new_boolean(1));
	json_object *v;
	json_object_object_get_ex(summary, "missing", &v);
	json_object_object_add(line, "missing", json_object_get(v));
	json_object_object_get_ex(summary, "spread_ms", &v);
	json_object_object_add(line, "spread_ms", json_object_get(v));
	journal_append(d->session, line);
	json_object_put(line);
	journal_sync(d->session);
	manifest_write(d);
	cluster_set_finished(d, set);
	sheets_set_finished(d, set);
	if (!set->complete)
		LOG_WARN("session %s: set %u incomplete", d->session->name, set->number);
	json_object *e = pr_proto_event(PR_EV_SET_COMPLETE, 0, 0);
	json_object_object_add(e, "session", json_object_new_string(d->session->name));
	json_object_object_foreach(summary, key, val)
		json_object_object_add(e, key, json_object_get(val));
	json_object_object_add(e, "unmasked", unmasked_json(set));
	events_publish(d, e);
	struct rig_op *op = &d->op;
	if (op->kind == OP_CAPTURE && op->sets_started && set->number >= op->first_set) {
		op->sets_finished++;
		json_object *res = json_object_new_object();
		json_object *miss;
		json_object_object_get_ex(summary, "missing", &miss);
		json_object_object_add(res, "set", json_object_new_int64(set->number));
		json_object_object_add(res, "complete", json_object_new_boolean(set->complete));
		json_object_object_add(res, "missing", json_object_get(miss));
		json_object_object_add(res, "unmasked", unmasked_json(set));
		json_object_object_get_ex(summary, "spread_ms", &v);
		json_object_object_add(res, "spread_ms", json_object_get(v));
		json_object_array_add(op->results, res);
		unmasked_set_result(d, res);
	}
	json_object_put(summary);
	op_check_done(d);
}

/* Create, journal and trigger one set. A scan set carries its angle (the
 * sim cameras turn their object by it) and its step. NULL when out of
 * memory. The set may already have no file pending (no camera free). */
static struct set_rec *trigger_set(struct daemon *d, uint32_t scan, int32_t step, double angle)
{
	struct session *s = d->session;
	struct set_rec *set = session_new_set(d);
	if (!set || !(set->shots = calloc(d->nslots ? d->nslots : 1, sizeof(*set->shots)))) {
		if (set)
			session_drop_new_set(s);
		return NULL;
	}
	/* the trigger source: this node's own, or the rig's number and time T */
	struct trigger_plan plan;
	cluster_set_plan(d, &plan);
	set->number = plan.set ? plan.set : s->next_set;
	s->next_set = set->number + 1;
	set->started_ns = cam_now_realtime_ns();
	set->deadline_mono_ns = mono_ns() + (int64_t)d->cfg.rig.set_timeout_ms * 1000000;
	set->nshots = d->nslots;
	set->scan = scan;
	set->step = step;
	set->has_angle = step >= 0;
	set->angle = step >= 0 ? angle : 0;

	json_object *line = json_object_new_object(), *shots = json_object_new_array();
	int expected = 0;
	for (uint32_t i = 0; i < d->nslots; i++) {
		struct cam_slot *sl = &d->slots[i];
		struct shot_rec *r = &set->shots[i];
		char name[200];
		snprintf(r->camera, sizeof(r->camera), "%s", sl->cfg.name);
		snprintf(r->serial, sizeof(r->serial), "%s", sl->info.serial);
		uint32_t seq = session_take_seq(s, r->camera);
		if (naming_expand(d->cfg.rig.file_template, s->name, set->number, r->camera,
				  r->serial, seq, set->started_ns, name, sizeof(name)))
			snprintf(name, sizeof(name), "%s_%06u", r->camera, set->number);
		snprintf(r->stem, sizeof(r->stem), "%s/%s", r->camera, name);
		json_object *o = json_object_new_object();
		json_object_object_add(o, "camera", json_object_new_string(r->camera));
		json_object_object_add(o, "serial", json_object_new_string(r->serial));
		json_object_object_add(o, "stem", json_object_new_string(r->stem));
		json_object_object_add(o, "seq", json_object_new_int64(seq));
		json_object_array_add(shots, o);
		expected += !sl->busy && !slot_away(sl);
	}
	json_object_object_add(line, "ev", json_object_new_string("set_begun"));
	json_object_object_add(line, "set", json_object_new_int64(set->number));
	json_object_object_add(line, "time_ns", json_object_new_int64(set->started_ns));
	if (set->has_angle) {
		json_object_object_add(line, "scan", json_object_new_int64(scan));
		json_object_object_add(line, "step", json_object_new_int64(step));
		json_object_object_add(line, "angle", json_object_new_double(angle));
	}
	json_object_object_add(line, "shots", shots);
	journal_append(s, line);
	json_object_put(line);

	json_object *e = pr_proto_event(PR_EV_SET_STARTED, 0, 0);
	json_object_object_add(e, "session", json_object_new_string(s->name));
	json_object_object_add(e, "set", json_object_new_int64(set->number));
	json_object_object_add(e, "cameras", json_object_new_int(expected));
	if (set->has_angle)
		json_object_object_add(e, "angle", json_object_new_double(angle));
	events_publish(d, e);

	/* with a hardware trigger the pulse is one more party at the barrier */
	struct hwfire *hw = hwtrig_enabled(d) && expected ? hwtrig_prepare(d, set->number, expected)
							  : NULL;
	struct go *go = go_new(expected + (hw ? 1 : 0));
	if (go && plan.release_mono_ns)
		go_release_at(go, plan.release_mono_ns);
	for (uint32_t i = 0; i < d->nslots; i++) {
		struct cam_slot *sl = &d->slots[i];
		struct shot_rec *r = &set->shots[i];
		struct cam_job *job = go && (hw || !hwtrig_enabled(d)) ? calloc(1, sizeof(*job)) : NULL;
		if (sl->busy || slot_away(sl) || !job) {
			free(job);
			r->state = SHOT_MISSING;
			if (slot_away(sl))
				snprintf(r->note, sizeof(r->note), "camera %s %s: %.160s", sl->cfg.name,
					 slot_away(sl), sl->error);
			else
				snprintf(r->note, sizeof(r->note), "%s", sl->busy
				 ? "camera still busy with an earlier capture"
				 : hwtrig_enabled(d) && !hw ? "the hardware trigger could not be started"
				 : "out of memory");
			json_object *o = json_object_new_object();
			json_object_object_add(o, "reason", json_object_new_string(r->note));
			json_object_object_add(o, "missing", json_object_new_boolean(1));
			journal_shot(d, "file_failed", set, r, o);
			continue;
		}
		job->type = JOB_SHOT;
		job->set = set->number;
		job->index = set->number;
		job->angle = set->angle;
		job->go = go_ref(go);
		job->hw = hw;
		job->want_truth = d->want_truth;
		job->hold_max_bytes = (uint64_t)d->cfg.daemon.hold_max_mb << 20;
		snprintf(job->session_dir, sizeof(job->session_dir), "%s", s->dir);
		snprintf(job->stem, sizeof(job->stem), "%s", r->stem);
		sl->busy = 1;
		set->files_pending++;
		rig_post(sl, job);
	}
	/* the pulse fires once every camera armed (go) or the set is given up */
	hwtrig_fire(d, hw, go);
	go_put(go);
	LOG_INFO("session %s: set %u triggered (%d camera%s)%s", s->name, set->number, expected,
		 expected == 1 ? "" : "s", hw ? " by the hardware trigger" : "");
	return set;
}

static void start_set(struct daemon *d)
{
	struct rig_op *op = &d->op;
	op->waiting_queue = 0;
	struct set_rec *set = trigger_set(d, 0, -1, 0);
	if (!set) {
		op->aborted = 1;
		snprintf(op->error, sizeof(op->error), "out of memory");
		op_check_done(d);
		return;
	}
	if (!op->sets_started)
		op->first_set = set->number;
	op->sets_started++;
	op->current_set = set->number;
	op->set_open = 1;
	if (!set->files_pending) {
		op->set_open = 0;
		op->done++;
		set_try_finish(d, set);
	}
}

struct set_rec *capture_scan_set(struct daemon *d, uint32_t scan, uint32_t step, double angle)
{
	if (!d->session)
		return NULL;
	struct set_rec *set = trigger_set(d, scan, (int32_t)step, angle);
	if (set && !set->files_pending)
		set_try_finish(d, set); /* the caller sees files_pending == 0 */
	return set;
}

/* Start the op's next set when the mask queue has room for all of it. */
static void next_set(struct daemon *d)
{
	struct rig_op *op = &d->op;
	if (op->kind != OP_CAPTURE || op->set_open)
		return;
	if (d->stopping && !op->aborted) {
		op->aborted = 1;
		snprintf(op->error, sizeof(op->error), "photorigd is stopping");
	}
	if (op->aborted || op->done >= op->total) {
		op_check_done(d);
		return;
	}
	/* every set checks the space anew: one that filled the disk stops the rest */
	char why[1024];
	if (disk_check(d, why, sizeof(why))) {
		op->aborted = 1;
		snprintf(op->error, sizeof(op->error), "%.990s; capture stopped", why);
		op_check_done(d);
		return;
	}
	if (!cluster_may_start_set(d)) { /* the rig's last set: other nodes still report */
		op->waiting_queue = 1;
		return;
	}
	if (pool_free_slots(d) < d->nslots) {
		if (!op->waiting_queue)
			LOG_NOTICE("masking is behind: set %u waits for room in the mask queue",
				   d->session->next_set);
		op->waiting_queue = 1;
		return;
	}
	start_set(d);
}

int capture_begin(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	json_object *err = NULL;
	if (!d->session)
		err = pr_proto_reply_error(req->id, 1, "no session: start one with 'photorig "
					   "session start NAME'");
	else if (!d->nslots)
		err = pr_proto_reply_error(req->id, 1, "the rig has no cameras");
	/* a set no camera can shoot would use up a set number for nothing */
	char why[1024];
	if (!err && unmasked_no_camera(d, why, sizeof(why)))
		err = pr_proto_reply_error(req->id, 1, "%s", why);
	if (!err && d->cfg.rig.plate_required) {
		char names[512] = "";
		for (uint32_t i = 0; i < d->nslots; i++)
			if (d->cfg.cameras[i].mask.method == PR_MASK_PLATE && !d->plates[i])
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 names[0] ? ", " : "", d->slots[i].cfg.name);
		if (names[0])
			err = pr_proto_reply_error(req->id, 1, "no plate for %s, and plate_required "
						   "is set: record plates first (photorig plate)", names);
	}
	if (!err && disk_check(d, why, sizeof(why)))
		err = pr_proto_reply_error(req->id, 1, "%s", why);
	if (err) {
		events_reply(d, requester, err);
		return -1;
	}
	memset(&d->op, 0, sizeof(d->op));
	d->op.kind = OP_CAPTURE;
	d->op.client = requester;
	d->op.req_id = req->id;
	d->op.total = req->count;
	d->op.results = json_object_new_array();
	next_set(d);
	return 0;
}

int capture_local(struct daemon *d, const char *who)
{
	/* presses during the key's own sets queue one set each */
	if (d->op.kind == OP_CAPTURE && !d->op.client && !d->op.aborted && !d->stopping) {
		d->op.total++;
		LOG_INFO("%s: one more set queued (%u of %u)", who, d->op.done, d->op.total);
		next_set(d);
		return 0;
	}
	if (!d->session || !d->nslots || d->op.kind != OP_NONE || scan_running(d) || d->stopping) {
		LOG_NOTICE("%s: no capture (%s)", who, !d->session ? "no session is active"
			   : !d->nslots ? "the rig has no cameras" : d->stopping ? "stopping"
			   : "the rig is busy");
		return -1;
	}
	char why[1024];
	if (unmasked_no_camera(d, why, sizeof(why))) {
		LOG_NOTICE("%s: no capture: %s", who, why);
		return -1;
	}
	if (disk_check(d, why, sizeof(why))) {
		LOG_NOTICE("%s: no capture: %s", who, why);
		return -1;
	}
	memset(&d->op, 0, sizeof(d->op));
	d->op.kind = OP_CAPTURE;
	d->op.total = 1;
	d->op.results = json_object_new_array();
	LOG_INFO("%s: capture set %u", who, d->session->next_set);
	next_set(d);
	return 0;
}

/* Every camera of the op's current set has delivered or timed out. */
static void files_done(struct daemon *d, struct set_rec *set)
{
	struct rig_op *op = &d->op;
	if (set->step >= 0) {
		scan_on_files(d, set);
		return;
	}
	if (op->kind == OP_CAPTURE && op->set_open && op->current_set == set->number) {
		op->set_open = 0;
		op->done++;
		op_progress(d);
		next_set(d);
	}
}

/* A held original written when the space returned by a camera thread that
 * a reload has since replaced (it writes what it holds before it quits):
 * its set was shot by that rig, so r->cam still indexes the set's shots,
 * and the file must be that shot's. Any other report from a replaced rig is
 * stale. */
static int held_by_old_rig(const struct set_rec *set, const struct report *r)
{
	const char *stem = set->shots[r->cam].stem;
	size_t n = strlen(stem);
	return r->from_held == FROM_CAMERA && !strncmp(r->file, stem, n) &&
	       (r->file[n] == '.' || r->file[n] == '_');
}

void capture_on_shot(struct daemon *d, struct report *r)
{
	/* a shot from the spill folder (originals.c) is no news of the camera */
	if (r->from_held != FROM_SPILL && r->generation == d->generation && r->cam >= 0 &&
	    (uint32_t)r->cam < d->nslots) {
		struct cam_slot *sl = &d->slots[r->cam];
		if (r->from_held == FROM_CAPTURE)
			sl->busy = 0;
		sl->held_shots = r->held_shots;
		sl->held_bytes = r->held_bytes;
		if (r->from_held == FROM_CAMERA && (r->rc || !r->held_shots))
			sl->flush_posted = 0; /* done, or to be tried again */
	}
	if (r->write_failed)
		disk_write_failed(d, r->rc, r->msg);
	struct set_rec *set = session_find_set(d, r->set);
	if (!set || (uint32_t)r->cam >= set->nshots ||
	    (r->generation != d->generation && !held_by_old_rig(set, r))) {
		LOG_WARN("a file for set %u arrived with no open session set: %s", r->set,
			 r->rc ? r->msg : r->file);
		return;
	}
	struct shot_rec *s = &set->shots[r->cam];
	int was_waiting = s->state == SHOT_WAITING;
	if (r->rc == 0) {
		d->slots[r->cam].frames_delivered++;
		s->late = !was_waiting;
		s->state = SHOT_SAVED;
		s->note[0] = '\0';
		snprintf(s->file, sizeof(s->file), "%.*s", (int)sizeof(s->file) - 1, r->file);
		s->size = r->size;
		s->hash = r->hash;
		s->trigger_ns = r->trigger_ns;
		s->arrive_ns = r->arrive_ns;
		s->nextra = r->nextra < SHOT_EXTRA_MAX ? r->nextra : SHOT_EXTRA_MAX;
		memcpy(s->extra, r->extra, s->nextra * sizeof(s->extra[0]));
		json_object *o = journal_file_json(s);
		json_object_object_add(o, "trigger_ns", json_object_new_int64(s->trigger_ns));
		json_object_object_add(o, "arrive_ns", json_object_new_int64(s->arrive_ns));
		if (s->late)
			json_object_object_add(o, "late", json_object_new_boolean(1));
		if (r->from_held)
			json_object_object_add(o, "held", json_object_new_boolean(1));
		s->held = 0;
		capture_v4l2_check(d, set, s, r, o);
		journal_shot(d, "file_saved", set, s, o);
		event_shot(d, PR_EV_FILE_SAVED, set, s, s->file);
		/* an original the disk had no room for is masked like any other */
		if (!set->finished || r->from_held)
			mask_submit(d, set, (uint32_t)r->cam);
		if (set->finished)
			manifest_write(d); /* a late file of a finished set */
	} else if (was_waiting || (r->held && s->state == SHOT_MISSING)) {
		s->state = SHOT_FAILED;
		if (snprintf(s->note, sizeof(s->note), "%s", r->msg) >= (int)sizeof(s->note))
			LOG_DEBUG("note of set %u cut short", set->number);
		json_object *o = json_object_new_object();
		json_object_object_add(o, "reason", json_object_new_string(r->msg));
		json_object_object_add(o, "missing", json_object_new_boolean(0));
		if (r->held)
			originals_note_held(s, r, o);
		if (r->lost)
			json_object_object_add(o, "lost", json_object_new_boolean(1));
		journal_shot(d, "file_failed", set, s, o);
		event_shot(d, PR_EV_ERROR, set, s, r->msg);
		LOG_WARN("set %u, camera %s: %s", set->number, s->camera, r->msg);
	}
	if (was_waiting && --set->files_pending == 0)
		files_done(d, set);
	set_try_finish(d, set);
}

void capture_tick(struct daemon *d)
{
	struct session *s = d->session;
	if (d->op.kind == OP_CAPTURE && d->op.waiting_queue)
		next_set(d);
	if (!s)
		return;
	int64_t now = mono_ns();
	for (uint32_t i = s->nsets; i-- > 0;) {
		struct set_rec *set = s->sets[i];
		if (set->finished || set->files_pending <= 0 || now < set->deadline_mono_ns)
			continue;
		for (uint32_t k = 0; k < set->nshots; k++) {
			struct shot_rec *r = &set->shots[k];
			if (r->state != SHOT_WAITING)
				continue;
			r->state = SHOT_MISSING;
			snprintf(r->note, sizeof(r->note), "no file within %d ms (set_timeout_ms)",
				 d->cfg.rig.set_timeout_ms);
			json_object *o = json_object_new_object();
			json_object_object_add(o, "reason", json_object_new_string(r->note));
			json_object_object_add(o, "missing", json_object_new_boolean(1));
			journal_shot(d, "file_failed", set, r, o);
			event_shot(d, PR_EV_ERROR, set, r, r->note);
			LOG_WARN("set %u: camera %s missing: %s", set->number, r->camera, r->note);
		}
		set->files_pending = 0;
		files_done(d, set);
		set_try_finish(d, set);
	}
}

void capture_finish_recovered(struct daemon *d)
{
	struct session *s = d->session;
	for (uint32_t i = 0; i < s->nsets; i++) {
		struct set_rec *set = s->sets[i];
		if (set->finished)
			continue;
		set->interrupted = 1;
		LOG_NOTICE("session %s: set %u was cut short by a restart: settling it", s->name,
			   set->number);
		for (uint32_t k = 0; k < set->nshots; k++) {
			struct shot_rec *r = &set->shots[k];
			if (r->state != SHOT_WAITING)
				continue;
			/* files the crash left saved but not journaled (recover.c) */
			if (!recover_originals(s->dir, r)) {
				r->state = SHOT_SAVED;
				json_object *o = journal_file_json(r);
				json_object_object_add(o, "recovered", json_object_new_boolean(1));
				journal_shot(d, "file_saved", set, r, o);
				continue;
			}
			r->state = SHOT_MISSING;
			snprintf(r->note, sizeof(r->note), "photorigd stopped before this camera delivered");
			json_object *o = json_object_new_object();
			json_object_object_add(o, "reason", json_object_new_string(r->note));
			json_object_object_add(o, "missing", json_object_new_boolean(1));
			journal_shot(d, "file_failed", set, r, o);
		}
		set->files_pending = 0;
		for (uint32_t k = 0; k < set->nshots; k++)
			if (set->shots[k].state == SHOT_SAVED &&
			    (set->shots[k].mask == MASK_NONE || set->shots[k].mask == MASK_PENDING)) {
				set->shots[k].mask = MASK_NONE;
				mask_submit(d, set, k);
			}
		set_try_finish(d, set);
	}
}
