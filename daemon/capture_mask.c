/* photorigd: the masks of a capture set's shots (capture.h). Each saved
 * original is queued for the mask workers with its camera's plate (the
 * plate of its turntable angle, where one was recorded), or its shot
 * records why it is not masked; a mask that comes back is journaled,
 * announced and counted toward its set's end. A mask that found no room on
 * the disk is made again when there is (capture_remask, called by disk.c). */
#define _GNU_SOURCE
#include "capture.h"
#include "capture_internal.h"

#include "daemon.h"
#include "rig.h"
#include "backdrops.h"
#include "disk.h"
#include "events.h"
#include "journal.h"
#include "plate_angles.h"
#include "pool.h"
#include "session.h"
#include "sheets.h"
#include "sync.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "unmasked.h"

static void mask_not_done(struct daemon *d, struct set_rec *set, struct shot_rec *r,
			  enum mask_state st, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void mask_not_done(struct daemon *d, struct set_rec *set, struct shot_rec *r,
			  enum mask_state st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->mask = st;
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "reason", json_object_new_string(r->note));
	if (r->mask_retry)
		json_object_object_add(o, "disk_full", json_object_new_boolean(1));
	journal_shot(d, st == MASK_SKIPPED ? "mask_skipped" : "mask_failed", set, r, o);
	if (st == MASK_FAILED)
		LOG_WARN("set %u, %s: %s", set->number, r->camera, r->note);
	else
		unmasked_event(d, set, r);
}

/* Queue the mask of a saved original, or record why it is not masked. */
void mask_submit(struct daemon *d, struct set_rec *set, uint32_t shot)
{
	struct shot_rec *r = &set->shots[shot];
	int cam = camera_index(d, r->camera);
	if (cam < 0) {
		mask_not_done(d, set, r, MASK_SKIPPED, "camera %s is no longer configured", r->camera);
		return;
	}
	const struct pr_camera_config *cc = &d->cfg.cameras[cam];
	char plate_file[sizeof(r->plate_file)];
	/* a turntable set's own angle plate when there is one */
	struct plate_ref *plate = plate_for_set(d, cam, set, plate_file, sizeof(plate_file));
	if (cc->mask.method == PR_MASK_PLATE && !plate) {
		if (plate_error(d, cam))
			mask_not_done(d, set, r, MASK_SKIPPED, "plate unreadable for camera %s: saved "
				      "unmasked (%.120s; record it again: photorig plate)", r->camera,
				      plate_error(d, cam));
		else
			mask_not_done(d, set, r, MASK_SKIPPED, "no plate for camera %s: saved unmasked "
				      "(record one: photorig plate)", r->camera);
		return;
	}
	char settings[PR_PLATE_SETTINGS_MAX];
	rig_settings_text(cc, settings, sizeof(settings));
	if (plate && cc->mask.method == PR_MASK_PLATE &&
	    !rig_settings_match(settings, plate->plate.settings)) {
		mask_not_done(d, set, r, MASK_SKIPPED,
			      "the plate of camera %s was recorded with other settings: saved "
			      "unmasked (record plates again: photorig plate)", r->camera);
		return;
	}
	struct mask_job *job = calloc(1, sizeof(*job));
	if (!job) {
		mask_not_done(d, set, r, MASK_FAILED, "%s: out of memory for a mask job", r->camera);
		return;
	}
	job->set = set->number;
	job->cam = (int)shot;
	job->generation = d->generation;
	if (snprintf(job->path, sizeof(job->path), "%s/%s", d->session->dir, r->file) >=
		    (int)sizeof(job->path) ||
	    snprintf(job->out_dir, sizeof(job->out_dir), "%s/%s", d->session->dir, r->camera) >=
		    (int)sizeof(job->out_dir)) {
		free(job);
		mask_not_done(d, set, r, MASK_FAILED, "%s: path too long", r->camera);
		return;
	}
	job->plate = plate_ref_get(cc->mask.method == PR_MASK_PLATE ? plate : NULL);
	job->params = cc->mask;
	pr_output_options_default(&job->output);
	job->output.conventions = d->cfg.rig.conventions;
	job->output.compression = d->cfg.rig.tiff_compression;
	job->output.tiff_bits = d->cfg.rig.tiff_bits;
	backdrops_job(d, cam, job);
	job->tiles = d->cfg.rig.contact_sheets && !set->finished; /* its sheet is written */
	snprintf(job->camera, sizeof(job->camera), "%s", r->camera);
	r->plate_id = job->plate ? job->plate->plate.id : 0;
	snprintf(r->plate_file, sizeof(r->plate_file), "%s", job->plate ? plate_file : "");
	if (pool_submit(d, job)) {
		plate_ref_put(job->plate);
		backdrop_ref_put(job->backdrop);
		free(job);
		mask_not_done(d, set, r, MASK_FAILED, "%s: the mask queue is full", r->camera);
		return;
	}
	r->mask = MASK_PENDING;
	set->masks_pending++;
}

void capture_on_mask(struct daemon *d, struct report *r)
{
	struct set_rec *set = session_find_set(d, r->set);
	if (!set || (uint32_t)r->cam >= set->nshots || set->shots[r->cam].mask != MASK_PENDING)
		return;
	struct shot_rec *s = &set->shots[r->cam];
	set->masks_pending--;
	if (r->tiles)
		sheets_keep(d, set, r->cam, r->tiles);
	r->tiles = NULL;
	/* outputs that found no room are made again when there is (disk.c) */
	s->mask_retry = r->rc == PR_ENOSPC;
	if (s->mask_retry) {
		d->disk.mask_retry = 1;
		disk_write_failed(d, r->rc, r->msg);
	}
	if (r->rc) {
		mask_not_done(d, set, s, MASK_FAILED, "%s", r->msg);
		event_shot(d, PR_EV_ERROR, set, s, r->msg);
	} else {
		s->mask = MASK_WRITTEN;
		s->stats = r->stats;
		s->mask_seconds = r->seconds;
		snprintf(s->suspect, sizeof(s->suspect), "%s", r->suspect);
		if (s->suspect[0])
			LOG_WARN("set %u, %s: SUSPECT mask: %s", set->number, s->camera, s->suspect);
		json_object *line = journal_stats_json(s);
		if (r->backdrop[0] && !pathf(s->backdrop, sizeof(s->backdrop), "%s/%s", s->camera,
					     r->backdrop))
			json_object_object_add(line, "backdrop_file", json_object_new_string(s->backdrop));
		journal_shot(d, "mask_written", set, s, line);
		json_object *e = pr_proto_event(PR_EV_MASK_WRITTEN, 0, 0);
		json_object_object_add(e, "session", json_object_new_string(d->session->name));
		json_object_object_add(e, "set", json_object_new_int64(set->number));
		json_object_object_add(e, "camera", json_object_new_string(s->camera));
		json_object_object_add(e, "foreground", json_object_new_double(s->stats.foreground));
		json_object_object_add(e, "stale_plate", json_object_new_boolean(s->stats.stale_plate));
		json_object_object_add(e, "camera_moved",
				       json_object_new_boolean(s->stats.camera_moved));
		if (s->suspect[0])
			json_object_object_add(e, "suspect", json_object_new_string(s->suspect));
		events_publish(d, e);
		if (s->backdrop[0])
			event_shot(d, PR_EV_BACKDROP_WRITTEN, set, s, s->backdrop);
	}
	if (set->finished)
		manifest_write(d); /* the mask of a late file, or made again */
	set_try_finish(d, set);
}

int capture_mask_again(struct daemon *d, struct set_rec *set, uint32_t shot, const char *why)
{
	struct shot_rec *r = &set->shots[shot];
	if (!d->session || !pool_free_slots(d) || r->mask == MASK_PENDING)
		return -1;
	r->mask_retry = 0;
	r->mask = MASK_NONE;
	r->note[0] = '\0';
	LOG_INFO("set %u, camera %s: the mask again (%s)", set->number, r->camera, why);
	mask_submit(d, set, shot);
	return 0;
}

int capture_remask(struct daemon *d, struct set_rec *set, uint32_t shot)
{
	return capture_mask_again(d, set, shot, "now that there is room");
}
