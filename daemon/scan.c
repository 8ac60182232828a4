/* photorigd: turntable scans.
 *
 * `photorig scan start --steps N [--degrees D] [--settle-ms S]` turns the
 * object step by step while the fixed cameras shoot every angle: for each
 * step, turn (tt_worker.c: the loop never blocks on the table), wait for
 * the motion plus the settle time (a timerfd in the epoll set), shoot a set
 * with the angle passed to the cameras, check it is complete, go on. Step i
 * of N is at degrees * i / N from where the table stood when the scan
 * started (0), so 12 steps over 360 are 0, 30, ..., 330.
 *
 * Sessions: a scan runs in the active session; with none, `scan start`
 * opens a new one named scan-YYYYmmdd-HHMMSS (said in the reply), so an
 * operator can start a scan with one command. One scan at a time per
 * session: a paused one must be resumed or stopped first.
 *
 * A set with a camera missing is shot again at the same angle, the whole
 * set (the incomplete one stays in the manifest, marked with its step), at
 * most SCAN_RETRIES times; then the step is recorded incomplete and the
 * scan goes on: an unattended scan loses one view rather than the night.
 *
 * Faults pause, never stop: a turntable error or silence pauses the scan
 * with the controller's words in `scan status`; photorigd stopping pauses
 * it at the next step boundary; a crash leaves it in the journal, found
 * paused at the next start (scan_journal.c). Nothing captured is lost (sets
 * are journaled as ever), and `scan resume` continues from the first step
 * not done, turning the table from the last angle it confirmed (trusted)
 * to that step's angle. While a scan runs, capture and plate requests are
 * refused as busy; a paused scan leaves the rig free. */
#define _GNU_SOURCE
#include "scan.h"

#include "daemon.h"
#include "events.h"
#include "capture.h"
#include "cluster.h"
#include "cluster_scan.h"
#include "disk.h"
#include "journal.h"
#include "loop.h"
#include "pool.h"
#include "rig_op.h"
#include "session.h"
#include "sync.h"
#include "tt_worker.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define SCAN_RETRIES 2
#define SCAN_QUEUE_WAIT_MS 100

struct scan *scan_create(struct session *s, uint32_t steps, double degrees, uint32_t settle_ms);

static const char *const state_words[] = { "running", "paused", "done", "stopped" };
static const char *const phase_words[] = { "idle", "turning", "settling", "shooting" };

static struct scan *the_scan(const struct daemon *d)
{
	return d->session ? d->session->scan : NULL;
}

int scan_running(const struct daemon *d)
{
	const struct scan *sc = the_scan(d);
	return sc && sc->state == SCAN_RUNNING;
}

int scan_init(struct daemon *d)
{
	d->scan_timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->scan_timerfd < 0)
		return -1;
	return loop_add_fd(d, d->scan_timerfd, TAG_SCAN);
}

static void arm_timer(struct daemon *d, uint32_t ms)
{
	/* 0 would disarm: the shortest wait is 1 ns */
	struct itimerspec it = { .it_value = { ms / 1000, (long)(ms % 1000) * 1000000L + !ms } };
	if (timerfd_settime(d->scan_timerfd, 0, &it, NULL))
		LOG_ERR("scan: settle timer: %s", strerror(errno));
}

static void disarm_timer(struct daemon *d)
{
	struct itimerspec it = { 0 };
	timerfd_settime(d->scan_timerfd, 0, &it, NULL);
}

json_object *scan_json(const struct daemon *d)
{
	const struct scan *sc = the_scan(d);
	if (!sc)
		return NULL;
	json_object *o = json_object_new_object(), *inc = json_object_new_array();
	json_object_object_add(o, "scan", json_object_new_int64(sc->id));
	json_object_object_add(o, "session", json_object_new_string(d->session->name));
	json_object_object_add(o, "state", json_object_new_string(state_words[sc->state]));
	json_object_object_add(o, "phase", json_object_new_string(
						   sc->state == SCAN_RUNNING ? phase_words[sc->phase] : "idle"));
	json_object_object_add(o, "steps", json_object_new_int64(sc->steps));
	json_object_object_add(o, "steps_done", json_object_new_int64(sc->done));
	json_object_object_add(o, "step", json_object_new_int64(
					       sc->cur < sc->steps ? sc->cur + 1 : sc->steps));
	json_object_object_add(o, "angle", json_object_new_double(
						   scan_angle(sc, sc->cur < sc->steps ? sc->cur : 0)));
	json_object_object_add(o, "table_angle", json_object_new_double(sc->trusted));
	json_object_object_add(o, "degrees", json_object_new_double(sc->degrees));
	json_object_object_add(o, "settle_ms", json_object_new_int64(sc->settle_ms));
	if (sc->state == SCAN_PAUSED)
		json_object_object_add(o, "reason", json_object_new_string(sc->reason));
	if (sc->stop_pending)
		json_object_object_add(o, "stop_pending", json_object_new_boolean(1));
	double eta = -1;
	if (sc->state == SCAN_RUNNING && sc->done > sc->run_done)
		eta = (double)(mono_ns() - sc->run_mono_ns) / 1e9 / (sc->done - sc->run_done) *
		      (sc->steps - sc->done);
	json_object_object_add(o, "eta_s", eta >= 0 ? json_object_new_double(eta) : NULL);
	for (uint32_t i = 0; i < sc->steps; i++)
		if (sc->step[i].done && !sc->step[i].complete)
			json_object_array_add(inc, json_object_new_int64(i + 1));
	json_object_object_add(o, "incomplete_steps", inc);
	return o;
}

static void broadcast(struct daemon *d, const char *what)
{
	json_object *e = pr_proto_event(PR_EV_SCAN, 0, 0), *s = scan_json(d);
	json_object_object_add(e, "what", json_object_new_string(what));
	if (s) {
		json_object_object_foreach(s, key, val)
			json_object_object_add(e, key, json_object_get(val));
		json_object_put(s);
	}
	cluster_scan_broadcast(d, e); /* the rig's other nodes show it too */
	events_publish(d, e);
}

static void set_state(struct daemon *d, enum scan_state st, const char *ev, const char *what)
{
	struct scan *sc = the_scan(d);
	sc->state = st;
	sc->phase = PH_IDLE;
	sc->pause_pending = sc->stop_pending = 0;
	disarm_timer(d);
	json_object *x = json_object_new_object();
	json_object_object_add(x, "step", json_object_new_int64(sc->cur));
	if (st == SCAN_PAUSED)
		json_object_object_add(x, "reason", json_object_new_string(sc->reason));
	scan_journal(d, ev, x);
	manifest_write(d);
	if (st == SCAN_PAUSED)
		LOG_WARN("session %s: scan %u paused at step %u of %u: %s", d->session->name, sc->id,
			 sc->cur + 1, sc->steps, sc->reason);
	else
		LOG_NOTICE("session %s: scan %u %s after %u of %u steps", d->session->name, sc->id,
			   what, sc->done, sc->steps);
	broadcast(d, what);
}

static void pause_now(struct daemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pause_now(struct daemon *d, const char *fmt, ...)
{
	struct scan *sc = the_scan(d);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sc->reason, sizeof(sc->reason), fmt, ap);
	va_end(ap);
	set_state(d, SCAN_PAUSED, "scan_paused", "paused");
}

static void shoot(struct daemon *d);

/* A scan of a rig of several nodes: the rig's hold and the broker
 * (cluster_scan.h). 1: go on, 0: wait (the caller comes back), -1: paused. */
static int rig_gate(struct daemon *d)
{
	struct scan *sc = the_scan(d);
	char why[512];
	int gate = cluster_scan_gate(d, why, sizeof(why));
	if (gate < 0) {
		sc->phase = PH_IDLE;
		sc->broker_paused = gate == -2;
		pause_now(d, "%s", why);
	}
	return gate < 0 ? -1 : gate;
}

/* Idle and running: take the next step, or pause/stop/finish. */
static void advance(struct daemon *d)
{
	struct scan *sc = the_scan(d);
	if (!sc || sc->state != SCAN_RUNNING || sc->phase != PH_IDLE)
		return;
	if (sc->stop_pending) {
		set_state(d, SCAN_STOPPED, "scan_stopped", "stopped");
		return;
	}
	if (d->stopping) {
		pause_now(d, "photorigd stopped: 'photorig scan resume' continues at step %u of %u",
			  sc->cur + 1, sc->steps);
		return;
	}
	if (sc->pause_pending) {
		pause_now(d, "paused by the operator at step %u of %u", sc->cur + 1, sc->steps);
		return;
	}
	sc->cur = 0;
	while (sc->cur < sc->steps && sc->step[sc->cur].done)
		sc->cur++;
	if (sc->cur == sc->steps) {
		set_state(d, SCAN_DONE, "scan_finished", "finished");
		return;
	}
	int gate = rig_gate(d);
	if (gate <= 0) {
		sc->rig_wait = !gate; /* scan_tick comes back */
		return;
	}
	double target = scan_angle(sc, sc->cur);
	if (fabs(target - sc->trusted) < 1e-9) {
		sc->phase = PH_SETTLING;
		arm_timer(d, sc->settle_ms);
		broadcast(d, "settling");
		return;
	}
	json_object *x = json_object_new_object();
	json_object_object_add(x, "step", json_object_new_int64(sc->cur));
	json_object_object_add(x, "from", json_object_new_double(sc->trusted));
	json_object_object_add(x, "to", json_object_new_double(target));
	scan_journal(d, "scan_turning", x);
	if (ttw_rotate(d, sc->id, sc->cur, target - sc->trusted, target)) {
		pause_now(d, "the turntable thread is not available");
		return;
	}
	sc->phase = PH_TURNING;
	LOG_INFO("scan %u: step %u of %u: turning from %g to %g degrees", sc->id, sc->cur + 1,
		 sc->steps, sc->trusted, target);
	broadcast(d, "turning");
}

void scan_on_turned(struct daemon *d, struct report *r)
{
	struct scan *sc = the_scan(d);
	if (!sc || r->scan != sc->id || sc->phase != PH_TURNING || r->set != sc->cur) {
		LOG_WARN("turntable: a turn nobody waits for ended: %s", r->rc ? r->msg : "done");
		return;
	}
	sc->phase = PH_IDLE;
	if (r->rc) {
		/* the table's angle is unknown: trust the last one it confirmed */
		pause_now(d, "%s. The table is trusted at %.4g degrees; when the fault is "
			  "cleared, 'photorig scan resume' turns it to %.4g degrees and continues at "
			  "step %u of %u", r->msg, sc->trusted, scan_angle(sc, sc->cur), sc->cur + 1,
			  sc->steps);
		return;
	}
	sc->trusted = r->angle;
	json_object *x = json_object_new_object();
	json_object_object_add(x, "step", json_object_new_int64(sc->cur));
	json_object_object_add(x, "angle", json_object_new_double(r->angle));
	scan_journal(d, "scan_turned", x);
	if (sc->pause_pending || sc->stop_pending || d->stopping) {
		advance(d);
		return;
	}
	sc->phase = PH_SETTLING;
	arm_timer(d, sc->settle_ms);
	broadcast(d, "settling");
}

void scan_on_timer(struct daemon *d)
{
	uint64_t n;
	if (read(d->scan_timerfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		LOG_RATELIMITED(PR_LOG_ERR, "scan timer: %s", strerror(errno));
	struct scan *sc = the_scan(d);
	if (!sc || sc->state != SCAN_RUNNING || sc->phase != PH_SETTLING)
		return;
	if (sc->pause_pending || sc->stop_pending || d->stopping) {
		sc->phase = PH_IDLE;
		advance(d);
		return;
	}
	/* a set's masks need room in the queue before it is triggered */
	if (pool_free_slots(d) < d->nslots) {
		arm_timer(d, SCAN_QUEUE_WAIT_MS);
		return;
	}
	int gate = rig_gate(d);
	if (!gate)
		arm_timer(d, SCAN_QUEUE_WAIT_MS);
	if (gate <= 0)
		return;
	shoot(d);
}

static void step_checked(struct daemon *d, struct set_rec *set);

static void shoot(struct daemon *d)
{
	struct scan *sc = the_scan(d);
	struct scan_step *st = &sc->step[sc->cur];
	char why[1024];
	if (disk_check(d, why, sizeof(why))) {
		sc->phase = PH_IDLE;
		pause_now(d, "%.900s; the scan goes on at step %u of %u by itself", why, sc->cur + 1,
			  sc->steps);
		sc->disk_paused = 1;
		return;
	}
	st->attempts++;
	sc->phase = PH_SHOOTING;
	cluster_scan_step(d, sc); /* the rig's set of this step names it on every node */
	struct set_rec *set = capture_scan_set(d, sc->id, sc->cur, scan_angle(sc, sc->cur));
	cluster_scan_step(d, NULL);
	if (!set) {
		sc->phase = PH_IDLE;
		pause_now(d, "cannot start a set (out of memory)");
		return;
	}
	broadcast(d, "shooting");
	if (!set->files_pending)
		step_checked(d, set);
}

void scan_on_files(struct daemon *d, struct set_rec *set)
{
	struct scan *sc = the_scan(d);
	if (!sc || set->scan != sc->id || sc->phase != PH_SHOOTING || (uint32_t)set->step != sc->cur)
		return;
	step_checked(d, set);
}

static void step_checked(struct daemon *d, struct set_rec *set)
{
	struct scan *sc = the_scan(d);
	struct scan_step *st = &sc->step[sc->cur];
	/* a set of the rig: every other node reports it before the table turns */
	char others[512] = "";
	int retry = 0;
	if (!cluster_scan_set_done(d, set->number, others, sizeof(others), &retry) && !d->stopping) {
		sc->wait_set = set->number; /* scan_tick comes back */
		return;
	}
	sc->wait_set = 0;
	int complete = 1;
	char missing[768] = "";
	for (uint32_t i = 0; i < set->nshots; i++)
		if (set->shots[i].state != SHOT_SAVED) {
			complete = 0;
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", set->shots[i].camera);
		}
	retry |= !complete; /* another set helps unless the cameras missing are offline */
	if (others[0]) {
		complete = 0;
		snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
			 missing[0] ? ", " : "", others);
	}
	if (!complete && retry && st->attempts <= SCAN_RETRIES && !sc->stop_pending && !d->stopping) {
		LOG_WARN("scan %u: step %u of %u: set %u missed %s: shooting again at %g degrees",
			 sc->id, sc->cur + 1, sc->steps, set->number, missing, scan_angle(sc, sc->cur));
		broadcast(d, "retry");
		int gate = rig_gate(d); /* a rig's set again: once the broker is there */
		if (gate > 0) {
			shoot(d);
		} else if (!gate) {
			sc->phase = PH_IDLE;
			sc->rig_wait = 1;
		}
		return;
	}
	if (!st->done)
		sc->done++;
	st->done = 1;
	st->set = set->number;
	st->complete = complete;
	json_object *x = json_object_new_object();
	json_object_object_add(x, "step", json_object_new_int64(sc->cur));
	json_object_object_add(x, "set", json_object_new_int64(set->number));
	json_object_object_add(x, "complete", json_object_new_boolean(complete));
	json_object_object_add(x, "attempts", json_object_new_int64(st->attempts));
	scan_journal(d, "scan_step", x);
	if (!complete)
		LOG_WARN("scan %u: step %u of %u incomplete after %u sets (missing %s): going on",
			 sc->id, sc->cur + 1, sc->steps, st->attempts, missing);
	sc->phase = PH_IDLE;
	broadcast(d, "step");
	advance(d);
}

static int do_resume(struct daemon *d, char *why, size_t size);

void scan_tick(struct daemon *d)
{
	struct scan *sc = the_scan(d);
	/* a stop request during a settle need not wait for it */
	if (sc && sc->state == SCAN_RUNNING && sc->phase == PH_SETTLING && d->stopping) {
		sc->phase = PH_IDLE;
		advance(d);
	}
	/* a scan of a rig: the other nodes' reports, the rig's hold, the broker */
	if (sc && sc->state == SCAN_RUNNING && sc->phase == PH_SHOOTING && sc->wait_set) {
		struct set_rec *set = session_find_set(d, sc->wait_set);
		if (set) {
			step_checked(d, set);
		} else {
			sc->wait_set = 0;
			sc->phase = PH_IDLE;
			pause_now(d, "the set of step %u is gone from the session", sc->cur + 1);
		}
	}
	if (sc && sc->state == SCAN_RUNNING && sc->phase == PH_IDLE && sc->rig_wait) {
		sc->rig_wait = 0;
		advance(d);
	}
	char why[512];
	if (sc && sc->state == SCAN_PAUSED && sc->broker_paused && cluster_scan_rig_back(d) &&
	    do_resume(d, why, sizeof(why)))
		LOG_NOTICE("scan %u stays paused: %s", sc->id, why);
}

/* ---- requests ---- */

static int do_resume(struct daemon *d, char *why, size_t size)
{
	struct scan *sc = the_scan(d);
	if (!sc || sc->state != SCAN_PAUSED)
		return snprintf(why, size, "no paused scan to resume%s", sc ? "" : " in this session"),
		       -1;
	if (d->op.kind != OP_NONE || ttw_busy(d))
		return snprintf(why, size, "busy: wait for the current %s to finish",
				ttw_busy(d) ? "turn" : "capture"), -1;
	sc->state = SCAN_RUNNING;
	sc->phase = PH_IDLE;
	sc->reason[0] = '\0';
	sc->disk_paused = sc->broker_paused = sc->rig_wait = 0;
	sc->wait_set = 0;
	sc->pause_pending = sc->stop_pending = 0;
	sc->run_mono_ns = mono_ns();
	sc->run_done = sc->done;
	scan_journal(d, "scan_resumed", NULL);
	LOG_NOTICE("session %s: scan %u resumed at step %u of %u (table at %g degrees)",
		   d->session->name, sc->id, sc->done + 1, sc->steps, sc->trusted);
	broadcast(d, "resumed");
	advance(d);
	return 0;
}

static int do_pause(struct daemon *d, const char *who, char *why, size_t size)
{
	struct scan *sc = the_scan(d);
	if (!sc || sc->state != SCAN_RUNNING)
		return snprintf(why, size, "no scan is running"), -1;
	if (sc->phase == PH_IDLE || sc->phase == PH_SETTLING) {
		sc->phase = PH_IDLE;
		pause_now(d, "paused by %s at step %u of %u", who, sc->cur + 1, sc->steps);
	} else {
		sc->pause_pending = 1; /* after the turn or the set in flight */
		broadcast(d, "pausing");
	}
	return 0;
}

void scan_disk_resumed(struct daemon *d)
{
	struct scan *sc = the_scan(d);
	char why[256];
	if (sc && sc->state == SCAN_PAUSED && sc->disk_paused && do_resume(d, why, sizeof(why)))
		LOG_NOTICE("scan %u stays paused: %s", sc->id, why);
}

int scan_toggle_pause(struct daemon *d, const char *who)
{
	char why[256];
	const struct scan *sc = the_scan(d);
	int rc = sc && sc->state == SCAN_RUNNING ? do_pause(d, who, why, sizeof(why))
						 : do_resume(d, why, sizeof(why));
	if (rc)
		LOG_NOTICE("%s: %s", who, why);
	return rc;
}

static int do_start(struct daemon *d, const struct pr_request *req, char *why, size_t size)
{
	const struct pr_turntable_config *tc = &d->cfg.turntable;
	if (d->stopping)
		return snprintf(why, size, "photorigd is stopping"), -1;
	if (tc->driver == PR_TT_NONE)
		return snprintf(why, size, "no turntable is configured ([turntable] driver)"), -1;
	if (d->op.kind != OP_NONE)
		return snprintf(why, size, "busy: a %s is running; try again when it is finished",
				d->op.kind == OP_PLATE ? "plate recording" : "capture"), -1;
	if (!d->nslots)
		return snprintf(why, size, "the rig has no cameras"), -1;
	const struct scan *old = the_scan(d);
	if (old && (old->state == SCAN_RUNNING || old->state == SCAN_PAUSED))
		return snprintf(why, size, "scan %u of session %s is %s at step %u of %u: 'photorig "
				"scan resume' or 'photorig scan stop' it first", old->id,
				d->session->name, state_words[old->state], old->done + 1, old->steps), -1;
	if (!d->session) {
		char name[64], err[400];
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(name, sizeof(name), "scan-%Y%m%d-%H%M%S", &tm);
		if (session_open(d, name, err, sizeof(err)))
			return snprintf(why, size, "cannot open session %s: %s", name, err), -1;
		cluster_session_changed(d, 1, name); /* a rig's other nodes open it too */
		LOG_NOTICE("scan: no session was active: started %s", name);
	}
	char full[1024];
	if (disk_check(d, full, sizeof(full)))
		return snprintf(why, size, "%s", full), -1;
	uint32_t steps = req->steps ? req->steps : (uint32_t)tc->steps;
	double degrees = req->degrees > 0 ? req->degrees : tc->degrees;
	uint32_t settle = req->has_settle ? req->settle_ms : (uint32_t)tc->settle_ms;
	struct scan *sc = scan_create(d->session, steps, degrees, settle);
	if (!sc)
		return snprintf(why, size, "out of memory"), -1;
	sc->started_ns = cam_now_realtime_ns();
	sc->run_mono_ns = mono_ns();
	json_object *x = json_object_new_object();
	json_object_object_add(x, "steps", json_object_new_int64(steps));
	json_object_object_add(x, "degrees", json_object_new_double(degrees));
	json_object_object_add(x, "settle_ms", json_object_new_int64(settle));
	json_object_object_add(x, "time_ns", json_object_new_int64(sc->started_ns));
	scan_journal(d, "scan_started", x);
	LOG_NOTICE("session %s: scan %u started: %u steps over %g degrees, settle %u ms",
		   d->session->name, sc->id, steps, degrees, settle);
	broadcast(d, "started");
	advance(d);
	return 0;
}

void scan_request(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	events_reply(d, requester, scan_reply(d, req));
}

json_object *scan_reply(struct daemon *d, const struct pr_request *req)
{
	char why[1024];
	int rc = 0;
	struct scan *sc = the_scan(d);
	switch (req->op) {
	case PR_OP_SCAN_START:
		rc = do_start(d, req, why, sizeof(why));
		break;
	case PR_OP_SCAN_PAUSE:
		rc = do_pause(d, "the operator", why, sizeof(why));
		break;
	case PR_OP_SCAN_RESUME:
		rc = do_resume(d, why, sizeof(why));
		break;
	case PR_OP_SCAN_STOP:
		if (!sc || sc->state == SCAN_DONE || sc->state == SCAN_STOPPED) {
			rc = -1;
			snprintf(why, sizeof(why), "no scan to stop");
		} else if (sc->state == SCAN_PAUSED || sc->phase == PH_IDLE ||
			   sc->phase == PH_SETTLING) {
			set_state(d, SCAN_STOPPED, "scan_stopped", "stopped");
		} else {
			sc->stop_pending = 1;
			broadcast(d, "stopping");
		}
		break;
	default:
		break;
	}
	json_object *r = rc ? pr_proto_reply_error(req->id, 1, "%s", why) : pr_proto_reply_ok(req->id);
	if (!rc) {
		json_object *s = scan_json(d);
		json_object_object_add(r, "scan", s);
	}
	return r;
}
