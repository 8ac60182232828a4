/* photorigd: `photorig plate --scan`, a plate per turntable step.
 *
 * With the table empty, the turntable goes through the scan's steps (the
 * same angles `scan start` uses: degrees * i / steps from where the table
 * stands) and at each step, once it has settled, every camera records a
 * plate of --frames frames, saved as plates/CAMERA/angle-DDD.DDD.prplate
 * (plate_angles.c). Afterwards the table is turned back to where it started
 * (on round a full turn, onward), so the object scan that follows starts at
 * the plates' 0. It runs as the plate op (d->op, OP_PLATE): captures,
 * scans and other plate requests are refused as busy meanwhile.
 *
 * A camera that fails at a step is named in the reply and the scan goes on
 * (its other steps are still worth having); a turntable fault ends the
 * plate scan with the controller's words and the steps recorded so far;
 * photorigd stopping ends it after the step in progress, saying where the
 * table was left. */
#define _GNU_SOURCE
#include "plate_scan.h"

#include "daemon.h"
#include "disk.h"
#include "events.h"
#include "loop.h"
#include "rig.h"
#include "rig_op.h"
#include "session.h"
#include "scan.h"
#include "sync.h"
#include "tt_worker.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "plate_angles.h"
#include "plate_report.h"

/* The scan id turntable reports carry for a plate scan (object scans count
 * from 1 in their session and never reach it). */
#define PLATE_SCAN_ID 0xFFFFFFFFu

enum ps_phase { PS_TURNING, PS_SETTLING, PS_RECORDING, PS_RETURNING };

struct plate_scan {
	uint32_t steps, frames, settle_ms, cur;
	double degrees, trusted;
	enum ps_phase phase;
	int cams_pending;
	json_object *steps_json; /* per step: {step, angle, cameras: {NAME: result}} */
	json_object *cur_cams;
	char error[512];
};

static double step_angle(const struct plate_scan *ps, uint32_t i)
{
	return ps->degrees * (double)i / (double)ps->steps;
}

int plate_scan_active(const struct daemon *d)
{
	return d->pscan != NULL;
}

static void arm_timer(struct daemon *d, uint32_t ms)
{
	struct itimerspec it = { .it_value = { ms / 1000, (long)(ms % 1000) * 1000000L + !ms } };
	if (timerfd_settime(d->scan_timerfd, 0, &it, NULL))
		LOG_ERR("plate scan: settle timer: %s", strerror(errno));
}

static void finish(struct daemon *d)
{
	struct plate_scan *ps = d->pscan;
	json_object *msg;
	if (ps->error[0] || d->op.failures) {
		char names[1024] = "";
		for (size_t i = 0; i < json_object_array_length(ps->steps_json); i++) {
			json_object *st = json_object_array_get_idx(ps->steps_json, i), *cams;
			if (!json_object_object_get_ex(st, "cameras", &cams))
				continue;
			json_object_object_foreach(cams, key, val)
				if (!pr_json_bool(val, "ok", 0))
					snprintf(names + strlen(names), sizeof(names) - strlen(names),
						 "%s%s at %g degrees: %s", names[0] ? "; " : "", key,
						 pr_json_double(st, "angle", 0),
						 pr_json_str(val, "error", "?"));
		}
		msg = pr_proto_reply_error(d->op.req_id, 1, "plate scan %s%s%s",
					   ps->error[0] ? ps->error : "failed for ",
					   ps->error[0] && names[0] ? "; failed: " : "", names);
	} else {
		msg = pr_proto_reply_ok(d->op.req_id);
	}
	json_object_object_add(msg, "steps", json_object_get(ps->steps_json));
	json_object_put(ps->steps_json);
	LOG_NOTICE("plate scan: %s after %u of %u steps", ps->error[0] ? ps->error : "finished",
		   ps->cur, ps->steps);
	free(ps);
	d->pscan = NULL;
	op_reply(d, msg);
}

/* Turn the table back to where the plate scan started, then answer. */
static void go_home(struct daemon *d)
{
	struct plate_scan *ps = d->pscan;
	/* a full revolution goes on to 360 rather than winding back */
	double home = ps->degrees >= 360.0 - 1e-9 ? ps->degrees : 0.0;
	if (fabs(home - ps->trusted) < 1e-9 || fabs(ps->trusted) < 1e-9) {
		finish(d);
		return;
	}
	ps->phase = PS_RETURNING;
	if (ttw_rotate(d, PLATE_SCAN_ID, ps->steps, home - ps->trusted, home)) {
		snprintf(ps->error, sizeof(ps->error), "could not turn the table back to its start");
		finish(d);
	}
}

static void record_step(struct daemon *d)
{
	struct plate_scan *ps = d->pscan;
	double angle = step_angle(ps, ps->cur);
	json_object *st = json_object_new_object();
	ps->cur_cams = json_object_new_object();
	json_object_object_add(st, "step", json_object_new_int64(ps->cur + 1));
	json_object_object_add(st, "angle", json_object_new_double(angle));
	json_object_object_add(st, "cameras", ps->cur_cams);
	json_object_array_add(ps->steps_json, st);
	ps->phase = PS_RECORDING;
	ps->cams_pending = 0;
	for (uint32_t i = 0; i < d->nslots; i++) {
		struct cam_slot *s = &d->slots[i];
		struct cam_job *job = s->busy ? NULL : calloc(1, sizeof(*job));
		char why[PATH_MAX + 64], rel[256];
		if (!job || plate_angles_mkdir(d, s->cfg.name, why, sizeof(why))) {
			if (!job)
				snprintf(why, sizeof(why), "%s", s->busy ? "camera busy" : "out of memory");
			json_object *r = json_object_new_object();
			json_object_object_add(r, "ok", json_object_new_boolean(0));
			json_object_object_add(r, "error", json_object_new_string(why));
			json_object_object_add(ps->cur_cams, s->cfg.name, r);
			d->op.failures++;
			free(job);
			continue;
		}
		job->type = JOB_PLATE;
		job->frames = ps->frames;
		job->angle = angle;
		plate_angles_name(s->cfg.name, angle, rel, sizeof(rel));
		if (snprintf(job->plate_path, sizeof(job->plate_path), "%s/%s",
			     d->cfg.daemon.state_dir, rel) >= (int)sizeof(job->plate_path))
			job->plate_path[0] = '\0'; /* refused when the plate is saved */
		rig_settings_text(&s->cfg, job->settings, sizeof(job->settings));
		s->busy = 1;
		ps->cams_pending++;
		rig_post(s, job);
	}
	LOG_INFO("plate scan: step %u of %u at %g degrees: %d camera%s", ps->cur + 1, ps->steps,
		 angle, ps->cams_pending, ps->cams_pending == 1 ? "" : "s");
	if (!ps->cams_pending)
		plate_scan_on_report(d, NULL);
}

/* The next step: turn to it (or record at once where the table stands). */
static void advance(struct daemon *d)
{
	struct plate_scan *ps = d->pscan;
	if (d->stopping && ps->cur < ps->steps) {
		/* no turn while stopping: say where the table was left */
		snprintf(ps->error, sizeof(ps->error), "ended: photorigd is stopping; plates were "
			 "recorded for %u of %u steps, and the table stands at %g degrees from where "
			 "the plate scan started", ps->cur, ps->steps, ps->trusted);
		finish(d);
		return;
	}
	if (ps->cur == ps->steps) {
		go_home(d);
		return;
	}
	double target = step_angle(ps, ps->cur);
	if (fabs(target - ps->trusted) < 1e-9) {
		ps->phase = PS_SETTLING;
		arm_timer(d, ps->cur ? ps->settle_ms : 0);
		return;
	}
	ps->phase = PS_TURNING;
	if (ttw_rotate(d, PLATE_SCAN_ID, ps->cur, target - ps->trusted, target)) {
		snprintf(ps->error, sizeof(ps->error), "the turntable thread is not available");
		finish(d);
	}
}

void plate_scan_on_report(struct daemon *d, struct report *r)
{
	struct plate_scan *ps = d->pscan;
	if (r && r->generation == d->generation && r->type == REP_PLATE_DONE)
		d->slots[r->cam].busy = 0;
	if (r && r->generation != d->generation)
		return;
	if (r && r->type == REP_PLATE_PROGRESS) {
		d->op.done++;
		op_progress(d);
		return;
	}
	if (r) {
		const char *name = d->slots[r->cam].cfg.name;
		double angle = step_angle(ps, ps->cur);
		json_object *res = json_object_new_object();
		json_object_object_add(res, "ok", json_object_new_boolean(r->rc == 0));
		if (r->rc) {
			d->op.failures++;
			json_object_object_add(res, "error", json_object_new_string(r->msg));
			LOG_WARN("camera %s: plate at %g degrees failed: %s", name, angle, r->msg);
		} else {
			char id[24], file[256];
			snprintf(id, sizeof(id), "%016" PRIx64, r->plate->plate.id);
			plate_angles_name(name, angle, file, sizeof(file));
			json_object *p = json_object_new_object();
			json_object_object_add(p, "id", json_object_new_string(id));
			json_object_object_add(p, "frames", json_object_new_int64(r->frames));
			json_object_object_add(p, "angle", json_object_new_double(angle));
			json_object_object_add(p, "file", json_object_new_string(file));
			plate_transient_json(&r->plate->plate, p);
			json_object_object_add(res, "plate", p);
			plate_recorded(d, name, &r->plate->plate, file, angle);
			json_object *e = pr_proto_event(PR_EV_PLATE_SAVED, 0, 0);
			json_object_object_add(e, "camera", json_object_new_string(name));
			json_object_object_add(e, "plate", json_object_get(p));
			events_publish(d, e);
			plate_angles_put(d, r->cam, angle, r->plate);
			r->plate = NULL;
		}
		json_object_object_add(ps->cur_cams, name, res);
		if (--ps->cams_pending > 0)
			return;
	}
	ps->cur++;
	advance(d);
}

void plate_scan_on_turned(struct daemon *d, struct report *r)
{
	struct plate_scan *ps = d->pscan;
	if (r->scan != PLATE_SCAN_ID ||
	    (ps->phase != PS_TURNING && ps->phase != PS_RETURNING)) {
		LOG_WARN("turntable: a turn nobody waits for ended: %s", r->rc ? r->msg : "done");
		return;
	}
	if (r->rc) {
		snprintf(ps->error, sizeof(ps->error), "stopped by the turntable at step %u of %u: "
			 "%.300s", ps->cur + 1, ps->steps, r->msg);
		finish(d);
		return;
	}
	ps->trusted = r->angle;
	if (ps->phase == PS_RETURNING) {
		finish(d);
		return;
	}
	ps->phase = PS_SETTLING;
	arm_timer(d, ps->settle_ms);
}

void plate_scan_on_timer(struct daemon *d)
{
	uint64_t n;
	if (read(d->scan_timerfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		LOG_ERR("plate scan timer: %s", strerror(errno));
	if (d->pscan->phase != PS_SETTLING)
		return;
	if (d->stopping)
		advance(d); /* ends it: no plate is started while stopping */
	else
		record_step(d);
}

int plate_scan_begin(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	const struct pr_turntable_config *tc = &d->cfg.turntable;
	char why[PATH_MAX + 256] = "";
	char dir[PATH_MAX + 16];
	snprintf(dir, sizeof(dir), "%s/plates", d->cfg.daemon.state_dir);
	if (tc->driver == PR_TT_NONE)
		snprintf(why, sizeof(why), "no turntable is configured ([turntable] driver): "
			 "a plate scan turns the table");
	else if (scan_running(d) || (d->session && d->session->scan &&
				     d->session->scan->state == SCAN_PAUSED))
		snprintf(why, sizeof(why), "busy: a turntable scan is running or paused; stop it "
			 "first (photorig scan stop)");
	else if (ttw_busy(d))
		snprintf(why, sizeof(why), "busy: the turntable is turning");
	else if (!d->nslots)
		snprintf(why, sizeof(why), "the rig has no cameras");
	else if (mkdir(dir, 0755) && errno != EEXIST)
		snprintf(why, sizeof(why), "cannot create %s: %s", dir, strerror(errno));
	else
		disk_check_folder(d, dir, "no plate recorded", why, sizeof(why));
	struct plate_scan *ps = why[0] ? NULL : calloc(1, sizeof(*ps));
	if (!ps) {
		events_reply(d, requester, pr_proto_reply_error(req->id, 1, "%s",
								   why[0] ? why : "out of memory"));
		return -1;
	}
	ps->steps = req->steps ? req->steps : (uint32_t)tc->steps;
	ps->degrees = req->degrees > 0 ? req->degrees : tc->degrees;
	ps->settle_ms = req->has_settle ? req->settle_ms : (uint32_t)tc->settle_ms;
	ps->frames = req->frames ? req->frames : (uint32_t)d->cfg.rig.plate_frames;
	ps->steps_json = json_object_new_array();
	memset(&d->op, 0, sizeof(d->op));
	d->op.kind = OP_PLATE;
	d->op.client = requester;
	d->op.req_id = req->id;
	d->op.results = json_object_new_object();
	d->op.total = ps->steps * ps->frames * d->nslots;
	d->pscan = ps;
	LOG_NOTICE("plate scan: %u steps over %g degrees, %u frame%s per camera and step",
		   ps->steps, ps->degrees, ps->frames, ps->frames == 1 ? "" : "s");
	advance(d);
	return 0;
}
