/* photorigd: sessions and their sets (session.c). A session is a folder,
 * a journal (journal.h) and a manifest; its sets and shots are kept in
 * memory for the manifest while it is active. */
#ifndef PHOTORIGD_SESSION_H
#define PHOTORIGD_SESSION_H

#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>

#include "config.h"
#include "mask.h"
#include "protocol.h"
#include "sync.h"

struct daemon;
struct scan;

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

#endif
