/* photorigd: a turntable scan in the session journal.
 *
 * The journal is the scan's memory across crashes and power losses. Lines
 * (each also has "ev" and "scan", the scan's number in the session):
 *   scan_started   {steps, degrees, settle_ms, time_ns}     the plan
 *   scan_turning   {step, from, to}   a turn was handed to the table
 *   scan_turned    {step, angle}      the table confirmed it: the trusted angle
 *   scan_step      {step, set, complete, attempts}          a step settled
 *   scan_paused    {step, reason}     scan_resumed {}
 *   scan_stopped   {}                 scan_finished {}
 * plus the angle, scan and step of each scan set in its set_begun line.
 *
 * Every scan line is synced before the scan acts on it: a turn confirmed
 * and then lost to a power cut would make the restarted daemon turn the
 * table again for the same step.
 *
 * Replay rebuilds struct scan. A scan found neither finished nor stopped
 * comes back paused (never moving the table by itself after a restart),
 * with the reason journaled or "photorigd stopped"; a turn begun and never
 * confirmed leaves the table's angle unknown, which the reason says. */
#define _GNU_SOURCE
#include "daemon.h"
#include "journal.h"
#include "scan.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void scan_free(struct scan *sc)
{
	if (!sc)
		return;
	free(sc->step);
	free(sc);
}

double scan_angle(const struct scan *sc, uint32_t step)
{
	return sc->degrees * (double)step / (double)sc->steps;
}

void scan_journal(struct daemon *d, const char *ev, json_object *extra)
{
	struct session *s = d->session;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ev", json_object_new_string(ev));
	json_object_object_add(o, "scan", json_object_new_int64(s->scan ? s->scan->id : 0));
	if (extra) {
		json_object_object_foreach(extra, key, val)
			json_object_object_add(o, key, json_object_get(val));
		json_object_put(extra);
	}
	journal_append(s, o);
	json_object_put(o);
	journal_sync(s);
}

static struct scan *scan_new(uint32_t id, uint32_t steps, double degrees, uint32_t settle_ms)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return NULL;
	sc->step = calloc(steps ? steps : 1, sizeof(*sc->step));
	if (!sc->step) {
		free(sc);
		return NULL;
	}
	sc->id = id;
	sc->steps = steps;
	sc->degrees = degrees;
	sc->settle_ms = settle_ms;
	sc->state = SCAN_RUNNING;
	return sc;
}

/* For scan.c: a new scan of the active session (the journal line is the
 * caller's). */
struct scan *scan_create(struct session *s, uint32_t steps, double degrees, uint32_t settle_ms);
struct scan *scan_create(struct session *s, uint32_t steps, double degrees, uint32_t settle_ms)
{
	struct scan *sc = scan_new(s->scan ? s->scan->id + 1 : 1, steps, degrees, settle_ms);
	if (!sc)
		return NULL;
	scan_free(s->scan);
	s->scan = sc;
	return sc;
}

void scan_replay_line(struct session *s, const char *ev, json_object *o)
{
	uint32_t id = (uint32_t)pr_json_int(o, "scan", 0);
	if (!strcmp(ev, "scan_started")) {
		int64_t steps = pr_json_int(o, "steps", 0);
		double degrees = pr_json_double(o, "degrees", 0);
		if (steps < 1 || steps > PR_PROTO_MAX_STEPS || !(degrees > 0 && degrees <= 3600))
			return;
		struct scan *sc = scan_new(id, (uint32_t)steps, degrees,
					   (uint32_t)pr_json_int(o, "settle_ms", 0));
		if (!sc)
			return;
		sc->started_ns = pr_json_int(o, "time_ns", 0);
		scan_free(s->scan);
		s->scan = sc;
		return;
	}
	struct scan *sc = s->scan;
	if (!sc || sc->id != id)
		return;
	int64_t step = pr_json_int(o, "step", -1);
	int valid = step >= 0 && step < sc->steps;
	if (!strcmp(ev, "scan_turning") && valid) {
		sc->turning = 1;
		sc->turning_to = pr_json_double(o, "to", 0);
	} else if (!strcmp(ev, "scan_turned") && valid) {
		sc->turning = 0;
		sc->trusted = pr_json_double(o, "angle", sc->trusted);
	} else if (!strcmp(ev, "scan_step") && valid) {
		struct scan_step *st = &sc->step[step];
		if (!st->done)
			sc->done++;
		st->done = 1;
		st->set = (uint32_t)pr_json_int(o, "set", 0);
		st->complete = pr_json_bool(o, "complete", 0);
		st->attempts = (uint32_t)pr_json_int(o, "attempts", 1);
	} else if (!strcmp(ev, "scan_paused")) {
		sc->state = SCAN_PAUSED;
		snprintf(sc->reason, sizeof(sc->reason), "%s", pr_json_str(o, "reason", ""));
	} else if (!strcmp(ev, "scan_resumed")) {
		sc->state = SCAN_RUNNING;
		sc->reason[0] = '\0';
	} else if (!strcmp(ev, "scan_stopped")) {
		sc->state = SCAN_STOPPED;
	} else if (!strcmp(ev, "scan_finished")) {
		sc->state = SCAN_DONE;
	}
}

void scan_replay_done(struct session *s)
{
	struct scan *sc = s->scan;
	if (!sc || sc->state == SCAN_DONE || sc->state == SCAN_STOPPED)
		return;
	char why[sizeof(sc->reason)];
	if (sc->state == SCAN_RUNNING)
		snprintf(why, sizeof(why), "photorigd stopped during the scan (crash, power loss or "
			 "restart): 'photorig scan resume' continues at step %u of %u", sc->done + 1,
			 sc->steps);
	else
		snprintf(why, sizeof(why), "%s", sc->reason);
	/* the first step not done: where resume continues */
	uint32_t next = 0;
	while (next < sc->steps && sc->step[next].done)
		next++;
	if (sc->turning) /* the reason above must not promise a step number it cannot */
		snprintf(why, sizeof(why), "photorigd stopped while the table was turning from "
			 "%.4g to %.4g degrees: its angle is not known; turn it back to %.4g degrees, "
			 "then 'photorig scan resume' continues at step %u of %u", sc->trusted,
			 sc->turning_to, sc->trusted, next + 1, sc->steps);
	sc->turning = 0;
	sc->state = SCAN_PAUSED;
	sc->cur = next;
	snprintf(sc->reason, sizeof(sc->reason), "%s", why);
	LOG_NOTICE("session %s: scan %u is paused at step %u of %u: %s", s->name, sc->id, next + 1,
		   sc->steps, sc->reason);
}
