/* photorigd: one thread per camera position (rig.c), and what V4L2
 * cameras add to it (rig_v4l2.c). A camera thread makes every blocking
 * driver call, writes each original the moment it arrives (originals.c) and
 * builds plates; it tells the loop through reports (sync.h) and never
 * touches daemon state. */
#ifndef PHOTORIGD_RIG_H
#define PHOTORIGD_RIG_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include <json-c/json.h>

#include "camera.h"
#include "config.h"
#include "protocol.h"
#include "plate.h"
#include "sync.h"

struct daemon;
struct go;
struct hwfire;
struct held_shot;
struct preview_args;

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

#endif
