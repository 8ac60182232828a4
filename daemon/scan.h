/* photorigd: turntable scans (scan.c), their journal lines and replay
 * (scan_journal.c). A scan steps the table (tt_worker.h), lets the object
 * settle, and shoots a set per step through capture.h. */
#ifndef PHOTORIGD_SCAN_H
#define PHOTORIGD_SCAN_H

#include <json-c/json.h>
#include <stdint.h>

#include "protocol.h"

struct daemon;
struct report;
struct session;
struct set_rec;

enum scan_state { SCAN_RUNNING = 0, SCAN_PAUSED, SCAN_DONE, SCAN_STOPPED };
enum scan_phase { PH_IDLE = 0, PH_TURNING, PH_SETTLING, PH_SHOOTING };

struct scan_step {
	uint32_t set;             /* the set that settled the step (0: none yet) */
	uint32_t attempts;        /* sets shot for it */
	int done, complete;
};

/* A scan's plan and progress: rebuilt from the journal at start-up, so it
 * survives crashes; the phase fields are the loop's runtime view. */
struct scan {
	uint32_t id;
	enum scan_state state;
	uint32_t steps, settle_ms;
	double degrees;
	double trusted;           /* angle the table was last confirmed at */
	double turning_to;        /* a turn was begun and not confirmed (journal) */
	int turning;
	struct scan_step *step;
	uint32_t done;            /* steps done */
	char reason[512];         /* why it is paused */
	int64_t started_ns;
	/* runtime */
	enum scan_phase phase;
	uint32_t cur;             /* the step in hand */
	int pause_pending, stop_pending;
	int64_t run_mono_ns;      /* when it last (re)started running: ETA */
	int disk_paused;          /* paused because the disk is full: resumes with the space */
	uint32_t run_done;        /* steps done then */
	int advancing;
	/* a scan of a rig of several nodes (cluster_scan.h) */
	int rig_wait;             /* waiting for the rig's hold: the tick tries again */
	uint32_t wait_set;        /* the step's set waits for the other nodes' reports */
	int broker_paused;        /* paused while the broker is away: resumes when it is back */
};

double scan_angle(const struct scan *sc, uint32_t step);
void scan_free(struct scan *sc);
int scan_init(struct daemon *d);            /* the settle timer: at loop setup */
void scan_request(struct daemon *d, uint64_t requester, const struct pr_request *req);
/* The same request, its reply returned (a request another node forwarded). */
json_object *scan_reply(struct daemon *d, const struct pr_request *req);
void scan_on_timer(struct daemon *d);
void scan_on_turned(struct daemon *d, struct report *r);
void scan_on_files(struct daemon *d, struct set_rec *set);
void scan_tick(struct daemon *d);
/* Disk space returned: a scan the disk-full state paused resumes. */
void scan_disk_resumed(struct daemon *d);
int scan_running(const struct daemon *d);   /* running: other rig work waits */
int scan_toggle_pause(struct daemon *d, const char *who);
json_object *scan_json(const struct daemon *d);
/* scan_journal.c */
void scan_journal(struct daemon *d, const char *ev, json_object *extra);
void scan_replay_line(struct session *s, const char *ev, json_object *o);
void scan_replay_done(struct session *s);

#endif
