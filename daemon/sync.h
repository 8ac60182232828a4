/* photorigd: the primitives that cross threads (sync.c): the report queue
 * through which camera threads, mask workers and the sheet thread tell the
 * loop what happened; the "go" that releases every armed camera together;
 * the refcounted plates shared by the loop, camera threads and workers; and
 * pathf, the bounded snprintf every module builds paths with. */
#ifndef PHOTORIGD_SYNC_H
#define PHOTORIGD_SYNC_H

#include <limits.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include <json-c/json.h>

#include "camera.h"
#include "mask.h"
#include "plate.h"
#include "sheet.h"

struct daemon;

/* A condvar "go": each camera thread arms, then waits; the last one to arm
 * sets a CLOCK_MONOTONIC release time a little ahead, and every thread
 * sleeps until exactly that time, so their wake-up skew does not add to the
 * spread. A camera that never arms (hung) cannot hold the others: after
 * GO_ARM_TIMEOUT_MS those that armed go anyway. Refcounted: shared by the
 * loop and the camera threads. go_wait returns with the calling thread at
 * trigger priority: it calls trigger_priority_drop() once its trigger is
 * sent (or at once, if it sends none). */
#define GO_ARM_TIMEOUT_MS 5000
#define GO_LEAD_US 2000
struct go;
struct go *go_new(int expected);
/* Release at mono_ns (a rig's time T), not before; later only when the
 * cameras armed after it. */
void go_release_at(struct go *g, int64_t mono_ns);
void go_wait(struct go *g);
struct go *go_ref(struct go *g);
void go_put(struct go *g);

/* ---- plates shared across threads ---- */

struct plate_ref {
	atomic_int refs;
	struct pr_plate plate;
};
struct plate_ref *plate_ref_get(struct plate_ref *p);
void plate_ref_put(struct plate_ref *p);

/* ---- the report queue: what threads tell the loop ---- */

/* A file of a capture beside the one that is masked (RAW of RAW+JPEG). */
#define SHOT_EXTRA_MAX 3
struct shot_file {
	char file[300];           /* relative to the session folder */
	uint64_t size, hash;
	int64_t arrive_ns;
};

/* What a V4L2 camera tells about a shot (rig_v4l2.c). */
struct shot_v4l2 {
	int present;              /* the shot came from a V4L2 camera */
	uint32_t sequence;        /* the camera's frame counter */
	uint32_t stale;           /* frames older than the trigger given back */
	int controls_changed;     /* taken with other control values than its plate */
	char why[256];            /* which ones: "exposure_absolute 156 -> 300" */
};

enum report_type { REP_ATTACHED, REP_SHOT, REP_PLATE_PROGRESS, REP_PLATE_DONE, REP_MASK, REP_TURNED,
		   REP_FIRED, REP_SHEET, REP_SETTINGS, REP_PREVIEW };

struct report {
	struct report *next;
	enum report_type type;
	int generation;           /* rig generation the camera belonged to */
	int cam;                  /* camera index */
	uint32_t set;             /* REP_SHOT, REP_MASK */
	int rc;
	char msg[512];
	/* REP_ATTACHED: the camera's state (ready, recovering, offline), how
	 * many attach attempts failed in a row, the next one (mono ns, 0 =
	 * none) */
	struct cam_info info;
	int slot_state;
	uint32_t attempts;
	int64_t retry_ns;
	/* REP_SHOT: path relative to the session folder */
	char file[PATH_MAX];
	/* REP_SHOT: write_failed: the camera's files could not be written (rc
	 * says why); held: they wait in memory or in the spill folder, named
	 * in file and extra; lost: neither could keep them (msg says why);
	 * from_held: a held shot now written by its camera (FROM_CAMERA) or
	 * brought back from the spill folder (FROM_SPILL); held_shots,
	 * held_bytes: what the camera holds now. */
	int write_failed, held, lost;
	enum { FROM_CAPTURE = 0, FROM_CAMERA, FROM_SPILL } from_held;
	uint32_t held_shots;
	uint64_t held_bytes;
	uint64_t size, hash;
	int64_t trigger_ns, arrive_ns;
	uint32_t nextra;          /* the capture's other files (RAW of RAW+JPEG) */
	struct shot_file extra[SHOT_EXTRA_MAX];
	struct shot_v4l2 v4l2;    /* V4L2 camera: frame counter, stale frames */
	char controls[1024];      /* V4L2 camera: its control values ("v4l2.KEY=VALUE\n") */
	/* REP_PLATE_*: frame i of n; the plate when done */
	uint32_t frame, frames;
	struct plate_ref *plate;
	/* REP_MASK */
	struct pr_mask_stats stats;
	double seconds;
	char backdrop[300];       /* the composite written (relative to the camera folder) */
	struct pr_sheet_tile *tiles; /* [SHEET_TILE_SET], [SHEET_TILE_SESSION]; owned */
	/* REP_TURNED: the angle reached (set: the scan step); REP_FIRED: fired_ns */
	double angle;
	uint32_t scan;
	int64_t fired_ns;
	/* REP_SETTINGS: the camera_settings call it answers, and the camera's entry */
	uint64_t call_id;
	json_object *json;
	char suspect[256];        /* REP_MASK: why the mask is suspect ("" = not) */
};

int report_init(struct daemon *d);
void report_post(struct daemon *d, struct report *r);   /* any thread; takes r */
struct report *report_take_all(struct daemon *d);       /* loop: FIFO list */
void report_fini(struct daemon *d);

/* A path or message built with snprintf: 0, or PR_EINVAL (and buf cut
 * short) when it did not fit. */
int pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
