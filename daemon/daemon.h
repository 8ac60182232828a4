/* photorigd: the daemon's state and the interfaces between its modules.
 *
 * Threads and ownership:
 *  - The main thread runs one epoll loop (loop.c) over the control socket and
 *    its clients (ctl.c), a signalfd, a timerfd and an eventfd. It alone
 *    touches struct daemon, the session, the journal and the clients.
 *  - One thread per camera position (rig.c) makes every blocking driver
 *    call, writes each original atomically the moment it arrives, and builds
 *    plates.
 *  - A pool of mask workers (pool.c) decodes, masks and writes outputs.
 *  - Camera threads and workers never touch daemon state: they post a
 *    struct report to a queue and poke the eventfd (report.c); the loop
 *    applies reports in order. So no lock guards the daemon's state.
 *
 * Life of a capture set (capture.c): set begun (journal) -> every camera
 * armed and released together (go.c) -> each original saved by its camera
 * thread -> file_saved (journal, events) -> mask job -> mask_written ->
 * when every file and mask is in: set_end (journal, fsync), manifest
 * rewritten atomically, set_complete event. */
#ifndef PHOTORIGD_DAEMON_H
#define PHOTORIGD_DAEMON_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "backdrop.h"
#include "camera.h"
#include "composite.h"
#include "config.h"
#include "mask.h"
#include "outputs.h"
#include "plate.h"
#include "protocol.h"
#include "sheet.h"

struct daemon;
struct preview_args;
struct client;
struct hwfire;
struct scan;

/* ---- go.c: releasing every armed camera together ---- */

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
void go_wait(struct go *g);

/* ---- trigger_priority.c: real-time priority around a release ---- */

/* Raise the calling thread to SCHED_FIFO 1, where allowed (said once when
 * not); drop it back to SCHED_OTHER. Both are no-ops when not needed. */
void trigger_priority_raise(void);
void trigger_priority_drop(void);
struct go *go_ref(struct go *g);
void go_put(struct go *g);

/* ---- plate store (plate_store.c) ---- */

struct plate_ref {
	atomic_int refs;
	struct pr_plate plate;
};
struct plate_ref *plate_ref_get(struct plate_ref *p);
void plate_ref_put(struct plate_ref *p);

/* ---- report.c: what threads tell the loop ---- */

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

/* ---- rig.c: one thread per camera position ---- */

/* RECOVERING: the camera thread is closing and re-opening a camera that
 * failed; new sets skip it (marked missing) instead of waiting for it. */
enum slot_state { SLOT_ATTACHING = 0, SLOT_READY, SLOT_OFFLINE, SLOT_RECOVERING };

enum job_type { JOB_SHOT, JOB_PLATE, JOB_FLUSH, JOB_QUIT, JOB_SETTINGS, JOB_PREVIEW };

struct cam_job {
	struct cam_job *next;
	enum job_type type;
	uint32_t set;
	uint32_t index;
	double angle;
	struct go *go;            /* JOB_SHOT: a reference the job owns */
	struct hwfire *hw;        /* JOB_SHOT with a hardware trigger: a reference; the
				   * camera collects what the pulse made instead of firing */
	char session_dir[PATH_MAX];
	char stem[256];           /* JOB_SHOT: CAMERA/NAME without extension */
	int want_truth;
	uint64_t hold_max_bytes;  /* JOB_SHOT: [daemon] hold_max_mb (originals.c) */
	uint32_t frames;          /* JOB_PLATE */
	char plate_path[PATH_MAX];
	char settings[PR_PLATE_SETTINGS_MAX];
	/* JOB_SETTINGS (camera_settings.c): list, or set key to value */
	uint64_t call_id;
	int change;               /* JOB_SETTINGS: set key, not list */
	char key[PR_PROTO_KEY_MAX + 1];
	char value[PR_PROTO_VALUE_MAX + 1];
	struct preview_args *preview; /* JOB_PREVIEW (preview.h): owned by the job */
};

struct cam_slot {
	struct daemon *d;
	int index;
	int generation;
	struct pr_camera_config cfg;       /* own deep copy */
	const struct cam_driver *drv;
	pthread_t thread;
	int thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct cam_job *jobs, *jobs_tail;  /* under lock */
	struct cam_handle *handle;         /* camera thread only */
	/* camera thread only: re-attach with back-off while it is offline */
	uint32_t t_attempts;               /* failed attaches in a row */
	uint32_t t_backoff_ms;
	int64_t t_retry_ns;                /* next attempt (mono), 0 = none */
	char t_port[128];                  /* port of the last successful attach */
	struct held_shot *t_held;          /* originals the disk had no room for (originals.c) */
	uint32_t t_held_shots;
	uint64_t t_held_bytes;
	char spill_dir[PATH_MAX];          /* STATE_DIR/held: where they go if it stops */
	/* loop's view, updated from reports */
	enum slot_state state;
	int busy;                          /* a job is outstanding */
	struct cam_info info;
	char error[512];
	uint64_t frames_delivered;
	uint32_t attempts;
	int64_t retry_ns;
	uint32_t held_shots;               /* originals it holds, waiting for disk space */
	uint64_t held_bytes;
	int flush_posted;                  /* a JOB_FLUSH is on its way */
};

int rig_start(struct daemon *d);
/* Camera thread: a report about this camera (NULL when out of memory). */
struct report *rig_report(struct cam_slot *s, enum report_type type);
/* Ask every camera thread to quit once its current job is done, and join. */
void rig_stop(struct daemon *d);
void rig_post(struct cam_slot *s, struct cam_job *job);
/* "key=value\n" capture settings of a camera: stored in its plate. */
void rig_settings_text(const struct pr_camera_config *c, char *buf, size_t size);
int rig_attached(const struct daemon *d);

/* rig_v4l2.c: V4L2 cameras' warnings, control values and frame counters.
 * Camera thread: */
struct set_rec;
struct shot_rec;
void rig_v4l2_attached(struct cam_slot *s);  /* logs the driver's warnings */
void rig_v4l2_plate_settings(struct cam_slot *s, char *settings, size_t size);
void rig_v4l2_shot(struct cam_slot *s, struct report *r);
/* Loop: config settings text against a plate's (which may add v4l2. lines). */
int rig_settings_match(const char *cfg_text, const char *plate_text);
/* Loop, on a saved shot: compare its controls with its plate's, flag it in
 * the journal line and to watchers. */
void capture_v4l2_check(struct daemon *d, const struct set_rec *set, struct shot_rec *s,
			const struct report *r, json_object *line);
void journal_v4l2_json(const struct shot_rec *r, json_object *o);
void journal_v4l2_replay(struct shot_rec *r, json_object *o);

/* ---- originals.c: writing originals, and holding them when the disk is full ---- */

struct held_shot;
/* Camera thread: write a capture's files (STEM.EXT; the one to mask in
 * r->file, the others in r->extra) and the sim's truth. When the disk has
 * no room (PR_ENOSPC, PR_EIO) the capture is kept in memory instead
 * (r->held, the names it will have in r->file and r->extra) and the frame
 * emptied. Returns the write's error code (0: written). */
int originals_save(struct cam_slot *s, const struct cam_job *job, struct cam_frame *frame,
		   struct report *r, struct pr_error *err);
/* Camera thread: write the held captures, oldest first, each reported
 * (REP_SHOT, FROM_CAMERA); stop at the first that still fails. */
void originals_flush(struct cam_slot *s);
/* Camera thread, quitting: what is still held goes to the spill folder. */
void originals_spill(struct cam_slot *s);
/* Loop: held originals of the active session found in the spill folder
 * are written to the session and journaled (at session open, after the
 * cameras restart, when disk space returns). Opening a session, the held
 * ones found nowhere are journaled as lost (photorigd was killed). */
void originals_restore(struct daemon *d, int opening);
/* Loop: a failed shot whose originals are held: their names, size and times
 * go to the shot and its journal line o (a restart finds them spilled by
 * these). */
void originals_note_held(struct shot_rec *s, const struct report *r, json_object *o);

/* ---- disk.c: free space on the output disk ---- */

struct disk_state {
	int full;                 /* captures, scan steps refused */
	int write_failed;         /* entered because a write failed, not only the threshold */
	char reason[512];
	char path[PATH_MAX];      /* the folder last checked */
	int have_free;            /* free_bytes is known */
	uint64_t free_bytes;
	int64_t since_ns;         /* mono: when it became full */
	int64_t next_poll_ns;
	int mask_retry;           /* masks that failed for lack of space wait to be made again */
};

/* Check the output folder now (force) or when the poll interval is up:
 * enter or leave the disk-full state. */
void disk_poll(struct daemon *d, int force);
/* 0 when a set may start; else -1 and why (the folder, its free space, the
 * threshold, what is held). */
int disk_check(struct daemon *d, char *why, size_t size);
/* The same check for another folder (plates in the state folder), no state. */
int disk_check_folder(struct daemon *d, const char *dir, const char *what, char *why,
		      size_t size);
/* A write failed: with PR_ENOSPC or PR_EIO, the disk is full. */
void disk_write_failed(struct daemon *d, int rc, const char *msg);
uint32_t disk_held_shots(const struct daemon *d);
json_object *disk_json(struct daemon *d);

/* ---- pool.c: mask workers behind a bounded queue ---- */

struct mask_job {
	uint32_t set;
	int cam;
	int generation;
	char path[PATH_MAX];     /* the original */
	char out_dir[PATH_MAX];
	struct plate_ref *plate; /* owned reference */
	struct pr_mask_params params;
	struct pr_output_options output;
	struct backdrop_ref *backdrop;          /* owned reference; NULL: no composite */
	struct pr_composite_options composite;  /* .backdrop points into it */
	int tiles;                              /* make contact sheet tiles */
	char camera[PR_CONFIG_NAME_MAX + 1];
};

int pool_start(struct daemon *d, int threads, unsigned capacity);
/* 0, or -1 when the queue is full (the caller keeps the job). */
int pool_submit(struct daemon *d, struct mask_job *job);
unsigned pool_free_slots(struct daemon *d);
unsigned pool_in_flight(struct daemon *d);
/* Finish every queued job, then join the workers. */
void pool_stop(struct daemon *d);

/* ---- session.c, journal.c: sessions, the journal, the manifest ---- */

enum shot_state { SHOT_WAITING = 0, SHOT_SAVED, SHOT_FAILED, SHOT_MISSING };
enum mask_state { MASK_NONE = 0, MASK_PENDING, MASK_WRITTEN, MASK_FAILED, MASK_SKIPPED };

struct shot_rec {
	char camera[PR_CONFIG_NAME_MAX + 1];
	char serial[64];
	char stem[256];           /* CAMERA/NAME */
	enum shot_state state;
	int late;                 /* arrived after the set timed out */
	char file[300];           /* relative to the session folder, as shot_file's */
	uint64_t size, hash;
	int64_t trigger_ns, arrive_ns;
	enum mask_state mask;
	uint64_t plate_id;
	char plate_file[128];     /* the plate used, relative to the state folder ("" = none) */
	char suspect[256];        /* why its mask is suspect (suspect.c; "" = not) */
	struct pr_mask_stats stats;
	double mask_seconds;
	char note[256];           /* why missing / failed / not masked */
	uint32_t nextra;          /* the capture's other files */
	struct shot_file extra[SHOT_EXTRA_MAX];
	struct shot_v4l2 v4l2;
	char backdrop[300];       /* the composite, relative to the session ("" = none) */
	int held;                 /* failed, its originals held for disk space (names in file, extra) */
	int mask_retry;           /* the mask failed for lack of space: made again when there is room */
};

struct set_rec {
	uint32_t number;
	int64_t started_ns;       /* CLOCK_REALTIME */
	int64_t deadline_mono_ns; /* files due by then */
	int files_pending, masks_pending;
	int finished;             /* set_end journaled */
	int complete;
	int interrupted;          /* found open after a restart */
	int has_angle;            /* shot at a turntable angle (scan step) */
	double angle;             /* degrees from the scan's start */
	uint32_t scan;            /* scan id (0: not a scan set) */
	int32_t step;             /* scan step, 0-based (-1: none) */
	int64_t fired_ns;         /* hardware trigger: when the pulse fired (0: none) */
	char sheet[32];           /* its contact sheet, relative to the session ("" = none) */
	uint32_t nshots;
	struct shot_rec *shots;
};

struct session {
	char name[PR_PROTO_NAME_MAX + 1];
	char dir[PATH_MAX];
	int journal_fd;
	uint32_t next_set;
	struct cam_seq {
		char camera[PR_CONFIG_NAME_MAX + 1];
		uint32_t seq;     /* last {seq} used by this camera position */
	} *seq;
	uint32_t nseq;
	/* each set its own allocation, so a set_rec stays where it is while
	 * sets are added: code holding one across a call that starts the next
	 * set (a set's last file starts the next of a capture) may use it after */
	struct set_rec **sets;
	uint32_t nsets, cap;
	int64_t created_ns;
	struct scan *scan;        /* the session's latest scan (journal), or NULL */
};

/* Open (creating if needed) output_root/NAME, replay its journal, and make
 * it the active session (recorded in state_dir so a restart finds it). */
int session_open(struct daemon *d, const char *name, char *why, size_t size);
/* The active session recorded in state_dir, if any (start-up). */
int session_resume(struct daemon *d);
void session_close(struct daemon *d, int forget);
struct set_rec *session_new_set(struct daemon *d);
/* Undo the last session_new_set (it could not be filled in). */
void session_drop_new_set(struct session *s);
struct set_rec *session_find_set(struct daemon *d, uint32_t number);
/* {seq}: the last number used by a camera (note) and the next one (take). */
void session_note_seq(struct session *s, const char *camera, uint32_t seq);
uint32_t session_take_seq(struct session *s, const char *camera);
struct shot_rec *set_find_shot(struct set_rec *set, const char *camera);
json_object *session_list(struct daemon *d);

int journal_append(struct session *s, json_object *line);
int journal_sync(struct session *s);
int journal_replay(struct daemon *d, struct session *s, char *why, size_t size);
json_object *journal_set_json(const struct daemon *d, const struct set_rec *set);
json_object *journal_stats_json(const struct shot_rec *r);
/* [{file, size, hash, arrive_ns}] of a shot's other files */
json_object *journal_extra_json(const struct shot_rec *r);
/* {file, size, hash[, extra_files]} of a saved shot: its file_saved line */
json_object *journal_file_json(const struct shot_rec *r);
int manifest_write(struct daemon *d);
/* Names of the mask output files of one shot (relative to the session). */
json_object *manifest_mask_files(const struct daemon *d, const char *file);
uint64_t hash_fnv1a64(const void *data, size_t size, uint64_t h);
#define HASH_FNV_INIT 0xcbf29ce484222325ULL

/* naming.c: {session} {set} {camera} {serial} {seq} {date} {time} */
int naming_expand(const char *tmpl, const char *session, uint32_t set, const char *camera,
		  const char *serial, uint32_t seq, int64_t time_ns, char *out, size_t size);

/* ---- scan.c, scan_journal.c, tt_worker.c: turntable scans ---- */

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
};

double scan_angle(const struct scan *sc, uint32_t step);
void scan_free(struct scan *sc);
int scan_init(struct daemon *d);            /* the settle timer: at loop setup */
void scan_request(struct daemon *d, struct client *c, const struct pr_request *req);
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
/* tt_worker.c: one thread owns the turntable handle */
int ttw_start(struct daemon *d);
void ttw_stop(struct daemon *d);
int ttw_rotate(struct daemon *d, uint32_t scan, uint32_t step, double by, double target);
int ttw_busy(const struct daemon *d);

/* ---- opkey.c: the operator key; hwtrig.c: the hardware trigger ---- */

int opkey_setup(struct daemon *d);
void opkey_on_event(struct daemon *d);
void opkey_tick(struct daemon *d);
void opkey_shutdown(struct daemon *d);
int hwtrig_start(struct daemon *d);
void hwtrig_stop(struct daemon *d);
int hwtrig_enabled(const struct daemon *d);
/* Loop: a shared pulse for n camera jobs (NULL on failure). */
struct hwfire *hwtrig_prepare(struct daemon *d, uint32_t set, int cameras);
void hwfire_put(struct hwfire *f);
/* Loop: hand the pulse to the trigger thread, which fires once go releases. */
void hwtrig_fire(struct daemon *d, struct hwfire *hw, struct go *go);
/* Camera thread: wait for the pulse (bounded), then collect the file. */
int hwtrig_collect(struct cam_slot *s, struct cam_job *job, const struct cam_request *req,
		   struct cam_frame *frame, struct pr_error *err);
void hwtrig_on_fired(struct daemon *d, struct report *r);

/* ---- backdrops.c: the backdrop composites of each camera ---- */

/* A loaded backdrop (an image can be large): loaded once per config and
 * shared by the cameras with the same spec and by the mask jobs in flight,
 * so a reload can swap it while old jobs still use theirs. */
struct backdrop_ref {
	atomic_int refs;
	char spec[PR_CONFIG_PATH_MAX];
	struct pr_backdrop bd;
};
/* One per camera of cfg (NULL: no composite). 0, or -1 with why. */
int backdrops_load(const struct pr_config *cfg, struct backdrop_ref ***out, char *why,
		   size_t size);
void backdrops_free(struct backdrop_ref **b, uint32_t n);
void backdrop_ref_put(struct backdrop_ref *b);
/* Loop: fill a mask job's composite (a reference and its options). */
void backdrops_job(struct daemon *d, int cam, struct mask_job *job);

/* ---- sheets.c: contact sheets, written by their own thread ---- */

enum { SHEET_TILE_SET = 0, SHEET_TILE_SESSION, SHEET_TILES };
#define SHEET_TILE_WIDTH 320          /* a set sheet's thumbnails */
#define SHEET_SESSION_TILE_WIDTH 128  /* the session sheet's: 36 sets x 8 cameras ~ 9 MB */
/* Mask worker: the shot's tiles (missing ones, with why, when rc != 0). */
struct pr_sheet_tile *sheets_tiles_make(const char *camera, const struct pr_image *shot,
					const struct pr_mask_result *res, int inverted, int rc,
					const char *why);
void sheets_tiles_free(struct pr_sheet_tile *t);
int sheets_start(struct daemon *d);
void sheets_stop(struct daemon *d);
/* Loop: keep a masked shot's tiles until its set is finished (takes them). */
void sheets_keep(struct daemon *d, const struct set_rec *set, int shot,
		 struct pr_sheet_tile *tiles);
/* Loop: a set is finished: hand its tiles to the sheet thread. */
void sheets_set_finished(struct daemon *d, const struct set_rec *set);
void sheets_on_report(struct daemon *d, struct report *r);

/* ---- capture.c, plate_op.c: rig operations ---- */

enum op_kind { OP_NONE = 0, OP_CAPTURE, OP_PLATE };

struct rig_op {
	enum op_kind kind;
	uint64_t client;          /* requester's client id (0: none) */
	int64_t req_id;
	uint32_t total, done;     /* capture: sets; plate: frames over all cameras */
	uint32_t sets_started, sets_finished, first_set, current_set;
	int set_open;             /* current set still waiting for files */
	int waiting_queue;        /* next set waits for room in the mask queue */
	int aborted;
	char error[1024];
	json_object *results;     /* plate: per camera; capture: per set */
	int cams_pending, failures;
};

int capture_begin(struct daemon *d, struct client *c, const struct pr_request *req);
void capture_on_shot(struct daemon *d, struct report *r);
void capture_on_mask(struct daemon *d, struct report *r);
void capture_tick(struct daemon *d);
void capture_finish_recovered(struct daemon *d);
/* recover.c: the files of shot r that a crash left saved but not journaled,
 * found in session folder dir by r->stem: 0 with r->file, size, hash and
 * extras filled in, -1 when there are none. */
int recover_originals(const char *dir, struct shot_rec *r);
/* Mask a saved shot again (its mask failed for lack of space); 0 when
 * queued, -1 when the queue is full. */
int capture_remask(struct daemon *d, struct set_rec *set, uint32_t shot);
/* Trigger one set outside a capture request (scan steps); NULL when it
 * could not start. The set's files_done is reported to scan_on_files. */
struct set_rec *capture_scan_set(struct daemon *d, uint32_t scan, uint32_t step, double angle);
/* One set for the operator key: like `capture --count 1` with no client. */
int capture_local(struct daemon *d, const char *who);
int plate_begin(struct daemon *d, struct client *c, const struct pr_request *req);
void plate_on_report(struct daemon *d, struct report *r);
void plate_store_load(struct daemon *d);
void plate_store_free(struct daemon *d);
json_object *plate_store_json(const struct daemon *d, int cam);
void op_reply(struct daemon *d, json_object *msg);
void op_progress(struct daemon *d);

/* ---- ctl.c: the control socket and its clients ---- */

int ctl_listen(struct daemon *d);
void ctl_accept(struct daemon *d);
void ctl_client_event(struct daemon *d, struct client *c, uint32_t events);
/* Send a message to one client (by id; gone clients are skipped). */
void ctl_send(struct daemon *d, uint64_t client_id, json_object *msg);
/* Send an event to every watcher. Takes msg. */
void ctl_broadcast(struct daemon *d, json_object *msg);
void ctl_close_all(struct daemon *d);
uint64_t ctl_client_id(const struct client *c);
void ctl_set_watch(struct client *c);
int ctl_nclients(const struct daemon *d);

/* ops.c: one handler per request */
void ops_dispatch(struct daemon *d, struct client *c, const struct pr_request *req);

/* A path or message built with snprintf: 0, or PR_EINVAL (and buf cut
 * short) when it did not fit. */
int pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* loop.c */
int daemon_reload(struct daemon *d, char *why, size_t size);
void daemon_update_status(struct daemon *d);
int64_t mono_ns(void);
enum { TAG_LISTEN = 1, TAG_SIGNAL, TAG_TIMER, TAG_EVENT, TAG_SCAN, TAG_KEY, TAG_WEB, TAG_CLUSTER,
       TAG_COUNT };
int loop_add_fd(struct daemon *d, int fd, int tag);

struct daemon {
	const char *config_path;
	struct pr_config cfg;
	int epfd, sigfd, timerfd, evfd, listen_fd;
	uid_t uid;
	gid_t group_gid;
	int64_t started_ns;

	/* rig */
	struct cam_slot *slots;
	uint32_t nslots;
	int generation;
	int ready_sent;
	int64_t attach_deadline;
	struct plate_ref **plates;    /* by camera index */
	struct plate_angles *pangles; /* plates per turntable angle (plate_angles.c) */
	struct plate_scan *pscan;     /* a running plate --scan (plate_scan.c), or NULL */
	char (*plate_errors)[512];    /* plates that could not be loaded (unmasked.c) */

	/* reports */
	pthread_mutex_t rep_lock;
	struct report *rep_head, *rep_tail;

	/* mask pool */
	struct pool *pool;
	/* backdrop composites (by camera index) and contact sheets */
	struct backdrop_ref **backdrops;
	uint32_t nbackdrops;
	struct sheets *sheets;

	struct session *session;
	struct rig_op op;
	struct disk_state disk;

	/* clients */
	struct client *clients;
	int nclients;
	uint64_t next_client_id;

	/* turntable scans, operator key, hardware trigger */
	int scan_timerfd;
	struct ttw *ttw;
	int key_fd;
	struct opkey_state *key;
	struct hwtrig *trig;
	struct cluster *cluster;  /* the cluster link (cluster.h); NULL without [cluster] */

	int stopping, reload_pending;
	uint64_t watchdog_usec;
	int64_t last_ping_ns;
	int64_t last_trim_ns;     /* the last malloc_trim (loop.c) */
	int want_truth;
};

#endif
