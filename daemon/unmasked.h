/* photorigd: shots saved but not masked, named wherever results show.
 *
 * A shot whose original is on disk but that has no mask (no plate, a plate
 * that could not be read, a plate recorded with other settings, a mask that
 * failed) is not a success: the capture reply and the set_complete event
 * name it under "unmasked" with a short reason, watchers get a mask_skipped
 * event, and the contact sheet shows the photo itself, labelled "not
 * masked: REASON", instead of a blank missing tile.
 *
 * A plate file that exists but cannot be loaded at start-up is a state of
 * its camera ("plate unreadable: WHY") that `status` and `cameras` show. */
#ifndef PHOTORIGD_UNMASKED_H
#define PHOTORIGD_UNMASKED_H

#include <json-c/json.h>

#include "sheet.h"
#include "sheets.h"

struct daemon;
struct set_rec;
struct shot_rec;

/* The shot's original is saved and it has no mask (and none is coming). */
int unmasked_shot(const struct shot_rec *r);
/* The short reason: "no plate", "plate unreadable", "plate settings
 * differ", "camera removed", "mask failed". */
const char *unmasked_reason(const struct shot_rec *r);
/* [{"camera","reason","note"}] of the set's unmasked shots (maybe empty). */
json_object *unmasked_json(const struct set_rec *set);
/* Loop: tell watchers that a saved shot is not masked (mask_skipped). */
void unmasked_event(struct daemon *d, const struct set_rec *set, const struct shot_rec *r);

/* Sheet thread: replace a shot's tiles (one per SHEET_TILE_* width) by
 * tiles of the original at path, with no outline, captioned note. When the
 * original cannot be read the tiles say so instead. */
void unmasked_tiles(struct pr_sheet_tile tiles[SHEET_TILES], const char *camera,
		    const char *path, const char *note);

/* Loop: 0 when a camera may shoot a set (attached or attaching); else -1
 * and why, naming each camera's state: a capture is refused then, and uses
 * no set number. */
int unmasked_no_camera(const struct daemon *d, char *why, size_t size);
/* Loop: a finished set's result goes to the capture's requester at once
 * (a set_result event), so `capture --count N` prints each set as it ends. */
void unmasked_set_result(struct daemon *d, json_object *res);

/* Plates that exist but could not be loaded (plate_op.c at start-up and
 * reload): the loader's message, kept per camera until a plate is saved. */
void plate_error_set(struct daemon *d, int cam, const char *msg);
const char *plate_error(const struct daemon *d, int cam); /* NULL: none */

#endif
