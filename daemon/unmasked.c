/* photorigd: shots saved but not masked (see unmasked.h). */
#define _GNU_SOURCE
#include "unmasked.h"

#include "daemon.h"
#include "events.h"
#include "rig.h"
#include "rig_op.h"
#include "session.h"
#include "sheets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imageio.h"
#include "log.h"

int unmasked_shot(const struct shot_rec *r)
{
	return r->state == SHOT_SAVED && (r->mask == MASK_SKIPPED || r->mask == MASK_FAILED);
}

/* The reasons come from the notes capture.c writes (mask_not_done), which
 * the journal keeps too, so a replayed session gives the same words. */
const char *unmasked_reason(const struct shot_rec *r)
{
	if (r->mask == MASK_FAILED)
		return "mask failed";
	if (strstr(r->note, "plate unreadable"))
		return "plate unreadable";
	if (strstr(r->note, "no plate"))
		return "no plate";
	if (strstr(r->note, "other settings"))
		return "plate settings differ";
	if (strstr(r->note, "no longer configured"))
		return "camera removed";
	return "not masked";
}

json_object *unmasked_json(const struct set_rec *set)
{
	json_object *a = json_object_new_array();
	for (uint32_t i = 0; i < set->nshots; i++) {
		const struct shot_rec *r = &set->shots[i];
		if (!unmasked_shot(r))
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "camera", json_object_new_string(r->camera));
		json_object_object_add(o, "reason", json_object_new_string(unmasked_reason(r)));
		json_object_object_add(o, "note", json_object_new_string(r->note));
		json_object_object_add(o, "file", json_object_new_string(r->file));
		json_object_array_add(a, o);
	}
	return a;
}

void unmasked_event(struct daemon *d, const struct set_rec *set, const struct shot_rec *r)
{
	if (!d->session)
		return;
	json_object *e = pr_proto_event(PR_EV_MASK_SKIPPED, 0, 0);
	json_object_object_add(e, "session", json_object_new_string(d->session->name));
	json_object_object_add(e, "set", json_object_new_int64(set->number));
	json_object_object_add(e, "camera", json_object_new_string(r->camera));
	json_object_object_add(e, "file", json_object_new_string(r->file));
	json_object_object_add(e, "reason", json_object_new_string(unmasked_reason(r)));
	json_object_object_add(e, "note", json_object_new_string(r->note));
	events_publish(d, e);
}

void unmasked_tiles(struct pr_sheet_tile tiles[SHEET_TILES], const char *camera,
		    const char *path, const char *note)
{
	static const uint32_t widths[SHEET_TILES] = { SHEET_TILE_WIDTH, SHEET_SESSION_TILE_WIDTH };
	struct pr_image shot = { 0 };
	struct pr_error err = { 0 };
	int rc = pr_decode_file(path, &shot, &err);
	if (rc)
		LOG_WARN("contact sheet: the unmasked shot %s: %s", path, err.msg);
	for (int k = 0; k < SHEET_TILES; k++) {
		struct pr_sheet_options o;
		pr_sheet_options_default(&o);
		o.tile_width = widths[k];
		pr_sheet_tile_free(&tiles[k]);
		if (rc || pr_sheet_tile_unmasked(&tiles[k], camera, &shot, note, &o, &err))
			pr_sheet_tile_missing(&tiles[k], camera, "not masked; unreadable");
	}
	pr_image_free(&shot);
}

int unmasked_no_camera(const struct daemon *d, char *why, size_t size)
{
	static const char *const words[] = { "attaching", "ready", "offline", "being re-opened" };
	for (uint32_t i = 0; i < d->nslots; i++)
		if (d->slots[i].state == SLOT_READY || d->slots[i].state == SLOT_ATTACHING)
			return 0;
	int n = snprintf(why, size, "no camera is attached, so no set was shot (photorig cameras):");
	for (uint32_t i = 0; i < d->nslots && n > 0 && (size_t)n < size; i++) {
		const struct cam_slot *s = &d->slots[i];
		n += snprintf(why + n, size - (size_t)n, "%s %s %s%s%.200s", i ? ";" : "", s->cfg.name,
			      words[s->state], s->error[0] ? ": " : "", s->error);
	}
	return -1;
}

void unmasked_set_result(struct daemon *d, json_object *res)
{
	if (!d->op.client)
		return;
	json_object *e = pr_proto_event(PR_EV_SET_RESULT, d->op.req_id, 1);
	json_object_object_add(e, "result", json_object_get(res));
	events_reply(d, d->op.client, e);
}

void plate_error_set(struct daemon *d, int cam, const char *msg)
{
	if (cam < 0 || (uint32_t)cam >= d->nslots)
		return;
	if (!d->plate_errors && msg && !(d->plate_errors = calloc(d->nslots, sizeof(*d->plate_errors))))
		return;
	if (d->plate_errors)
		snprintf(d->plate_errors[cam], sizeof(d->plate_errors[cam]), "%s", msg ? msg : "");
}

const char *plate_error(const struct daemon *d, int cam)
{
	if (!d->plate_errors || cam < 0 || (uint32_t)cam >= d->nslots || !d->plate_errors[cam][0])
		return NULL;
	return d->plate_errors[cam];
}
