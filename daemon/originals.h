/* photorigd: writing originals, and holding them when the disk is full
 * (originals.c). */
#ifndef PHOTORIGD_ORIGINALS_H
#define PHOTORIGD_ORIGINALS_H

#include <json-c/json.h>

#include "camera.h"
#include "error.h"

struct daemon;
struct cam_slot;
struct cam_job;
struct report;
struct shot_rec;

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

#endif
