/* photorigd: background plates.
 *
 * `plate [--frames N] [--camera NAME]` asks each camera thread for N frames
 * of the empty background; the thread builds the plate model frame by frame
 * (never holding N frames in memory) and saves it atomically as
 * state_dir/plates/CAMERA.prplate, with the camera's capture settings in the
 * plate's settings text. The loop then swaps the new plate in (reference
 * counted: masks still running on the old plate keep it alive).
 *
 * Plates are loaded at start-up, so they survive restarts. A plate whose
 * settings no longer match its camera's is kept but not used (capture.c
 * says why), and `status` shows it. */
#define _GNU_SOURCE
#include "plate_op.h"

#include "daemon.h"
#include "events.h"
#include "disk.h"
#include "rig.h"
#include "rig_op.h"
#include "sync.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "plate_angles.h"
#include "plate_report.h"
#include "plate_scan.h"
#include "unmasked.h"

static void plate_path(const struct daemon *d, const char *camera, char *buf, size_t size)
{
	if (snprintf(buf, size, "%s/plates/%s.prplate", d->cfg.daemon.state_dir, camera) >=
	    (int)size)
		buf[0] = '\0'; /* a path that long is refused when the plate is saved */
}

void plate_store_load(struct daemon *d)
{
	d->plates = calloc(d->nslots ? d->nslots : 1, sizeof(*d->plates));
	if (!d->plates)
		return;
	for (uint32_t i = 0; i < d->nslots; i++) {
		char path[PATH_MAX + 64];
		struct pr_error err;
		plate_path(d, d->cfg.cameras[i].name, path, sizeof(path));
		if (access(path, F_OK))
			continue;
		struct plate_ref *p = calloc(1, sizeof(*p));
		if (!p)
			continue;
		atomic_init(&p->refs, 1);
		if (pr_plate_load(path, &p->plate, &err)) {
			LOG_WARN("camera %s: plate not loaded: %s", d->cfg.cameras[i].name, err.msg);
			plate_error_set(d, (int)i, err.msg);
			free(p);
			continue;
		}
		d->plates[i] = p;
		LOG_INFO("camera %s: plate %016" PRIx64 " loaded (%ux%u, %u frames)",
			 d->cfg.cameras[i].name, p->plate.id, p->plate.width, p->plate.height,
			 p->plate.frames);
	}
	plate_angles_load(d);
}

void plate_store_free(struct daemon *d)
{
	for (uint32_t i = 0; d->plates && i < d->nslots; i++)
		plate_ref_put(d->plates[i]);
	free(d->plates);
	d->plates = NULL;
	free(d->plate_errors);
	d->plate_errors = NULL;
	plate_angles_free(d);
}

json_object *plate_store_json(const struct daemon *d, int cam)
{
	const struct plate_ref *p = d->plates ? d->plates[cam] : NULL;
	if (!p)
		return NULL;
	const struct pr_plate *pl = &p->plate;
	char id[24], settings[PR_PLATE_SETTINGS_MAX];
	snprintf(id, sizeof(id), "%016" PRIx64, pl->id);
	rig_settings_text(&d->cfg.cameras[cam], settings, sizeof(settings));
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "created", json_object_new_int64(pl->created));
	json_object_object_add(o, "age_s", json_object_new_int64((int64_t)time(NULL) - pl->created));
	json_object_object_add(o, "frames", json_object_new_int64(pl->frames));
	json_object_object_add(o, "width", json_object_new_int64(pl->width));
	json_object_object_add(o, "height", json_object_new_int64(pl->height));
	json_object_object_add(o, "settings", json_object_new_string(pl->settings));
	json_object_object_add(o, "settings_match",
			       json_object_new_boolean(rig_settings_match(settings, pl->settings)));
	plate_transient_json(pl, o); /* what the frames disagreed on, left out */
	/* plate --scan's plates per turntable angle (plate_angles.c) */
	json_object_object_add(o, "angle_plates", json_object_new_int64(plate_angles_count(d, cam)));
	return o;
}

int plate_begin(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	if (req->plate_scan)
		return plate_scan_begin(d, requester, req);
	uint32_t frames = req->frames ? req->frames : (uint32_t)d->cfg.rig.plate_frames;
	int only = -1;
	char dir[PATH_MAX + 16];
	if (req->camera[0]) {
		for (uint32_t i = 0; i < d->nslots; i++)
			if (!strcmp(d->slots[i].cfg.name, req->camera))
				only = (int)i;
		if (only < 0) {
			events_reply(d, requester,
				 pr_proto_reply_error(req->id, 1, "no camera position '%s'",
						      req->camera));
			return -1;
		}
	}
	snprintf(dir, sizeof(dir), "%s/plates", d->cfg.daemon.state_dir);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		events_reply(d, requester,
			 pr_proto_reply_error(req->id, 1, "cannot create %s: %s", dir,
					      strerror(errno)));
		return -1;
	}
	/* plates are written to the state folder, not the session's */
	char why[PATH_MAX + 256];
	if (disk_check_folder(d, dir, "no plate recorded", why, sizeof(why))) {
		events_reply(d, requester, pr_proto_reply_error(req->id, 1, "%s", why));
		return -1;
	}
	memset(&d->op, 0, sizeof(d->op));
	d->op.kind = OP_PLATE;
	d->op.client = requester;
	d->op.req_id = req->id;
	d->op.results = json_object_new_object();
	for (uint32_t i = 0; i < d->nslots; i++) {
		struct cam_slot *s = &d->slots[i];
		if (only >= 0 && (int)i != only)
			continue;
		struct cam_job *job = calloc(1, sizeof(*job));
		if (s->busy || !job) {
			free(job);
			json_object *r = json_object_new_object();
			json_object_object_add(r, "ok", json_object_new_boolean(0));
			json_object_object_add(r, "error", json_object_new_string(
					       s->busy ? "camera busy" : "out of memory"));
			json_object_object_add(d->op.results, s->cfg.name, r);
			d->op.failures++;
			continue;
		}
		job->type = JOB_PLATE;
		job->frames = frames;
		plate_path(d, s->cfg.name, job->plate_path, sizeof(job->plate_path));
		rig_settings_text(&s->cfg, job->settings, sizeof(job->settings));
		s->busy = 1;
		d->op.cams_pending++;
		d->op.total += frames;
		rig_post(s, job);
	}
	LOG_INFO("recording plates: %u frame%s for %d camera%s", frames, frames == 1 ? "" : "s",
		 d->op.cams_pending, d->op.cams_pending == 1 ? "" : "s");
	if (!d->op.cams_pending)
		plate_on_report(d, NULL);
	return 0;
}

/* r == NULL: nothing was started; just answer. */
void plate_on_report(struct daemon *d, struct report *r)
{
	struct rig_op *op = &d->op;
	if (plate_scan_active(d)) {
		plate_scan_on_report(d, r);
		return;
	}
	if (r && r->generation == d->generation && r->type == REP_PLATE_DONE)
		d->slots[r->cam].busy = 0;
	if (op->kind != OP_PLATE || (r && r->generation != d->generation))
		return;
	if (r && r->type == REP_PLATE_PROGRESS) {
		op->done++;
		op_progress(d);
		return;
	}
	if (r) {
		const char *name = d->slots[r->cam].cfg.name;
		json_object *res = json_object_new_object();
		json_object_object_add(res, "ok", json_object_new_boolean(r->rc == 0));
		if (r->rc) {
			op->failures++;
			json_object_object_add(res, "error", json_object_new_string(r->msg));
			LOG_WARN("camera %s: plate failed: %s", name, r->msg);
		} else {
			plate_ref_put(d->plates[r->cam]);
			d->plates[r->cam] = r->plate;
			plate_error_set(d, r->cam, NULL);
			r->plate = NULL;
			json_object *p = plate_store_json(d, r->cam);
			json_object_object_add(res, "plate", json_object_get(p));
			json_object *e = pr_proto_event(PR_EV_PLATE_SAVED, 0, 0);
			json_object_object_add(e, "camera", json_object_new_string(name));
			json_object_object_add(e, "plate", p);
			events_publish(d, e);
			LOG_INFO("camera %s: plate %016" PRIx64 " saved from %u frames", name,
				 d->plates[r->cam]->plate.id, r->frames);
			char file[PATH_MAX];
			snprintf(file, sizeof(file), "plates/%s.prplate", name);
			plate_recorded(d, name, &d->plates[r->cam]->plate, file, -1);
		}
		json_object_object_add(op->results, name, res);
		if (--op->cams_pending > 0)
			return;
	}
	json_object *msg;
	if (op->failures) {
		char names[512] = "";
		json_object_object_foreach(op->results, key, val)
			if (!pr_json_bool(val, "ok", 0))
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s: %s",
					 names[0] ? "; " : "", key, pr_json_str(val, "error", "?"));
		msg = pr_proto_reply_error(op->req_id, 1, "plate failed for %s", names);
	} else {
		msg = pr_proto_reply_ok(op->req_id);
	}
	json_object_object_add(msg, "cameras", json_object_get(op->results));
	op_reply(d, msg);
}
