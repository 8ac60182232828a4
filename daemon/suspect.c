/* photorigd: suspect shots.
 *
 * A mostly clipped shot, or a mask covering almost the whole frame with a
 * stale plate, is masked and written like any other (nothing captured is
 * withheld) but is not passed off as a normal mask: the mask worker decides
 * (core's pr_mask_suspect), and the shot is marked wherever results show:
 * its manifest and journal entry (`suspect`, why in words), the watchers'
 * mask_written event, the contact sheet (a red SUSPECT badge) and `status`
 * (how many in the session, the last few with why). */
#define _GNU_SOURCE
#include "suspect.h"

#include "daemon.h"
#include "session.h"
#include "sheets.h"

#include <stdio.h>

#include "mask_suspect.h"

#define STATUS_LAST 10

void suspect_check(const struct pr_image *shot, const struct pr_mask_result *res, char *why,
		   size_t size)
{
	pr_mask_suspect(pr_clipped_share(shot), res ? &res->stats : NULL, why, size);
}

void suspect_flag_tiles(struct pr_sheet_tile *tiles)
{
	for (int i = 0; tiles && i < SHEET_TILES; i++)
		tiles[i].flags |= PR_SHEET_SUSPECT;
}

json_object *suspect_status_json(const struct daemon *d)
{
	const struct session *s = d->session;
	if (!s)
		return NULL;
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	int64_t count = 0;
	/* newest first, the last few only: status is asked for often */
	for (uint32_t i = s->nsets; i-- > 0;) {
		const struct set_rec *set = s->sets[i];
		for (uint32_t k = set->nshots; k-- > 0;) {
			const struct shot_rec *r = &set->shots[k];
			if (!r->suspect[0] || r->mask != MASK_WRITTEN)
				continue;
			if (count++ >= STATUS_LAST)
				continue;
			json_object *e = json_object_new_object();
			json_object_object_add(e, "set", json_object_new_int64(set->number));
			json_object_object_add(e, "camera", json_object_new_string(r->camera));
			json_object_object_add(e, "why", json_object_new_string(r->suspect));
			json_object_array_add(a, e);
		}
	}
	json_object_object_add(o, "count", json_object_new_int64(count));
	json_object_object_add(o, "shots", a);
	return o;
}
