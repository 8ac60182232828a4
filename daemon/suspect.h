/* photorigd: suspect shots (suspect.c), decided by core/mask/mask_suspect.c. */
#ifndef PHOTORIGD_SUSPECT_H
#define PHOTORIGD_SUSPECT_H

#include <json-c/json.h>
#include <stddef.h>

#include "image.h"
#include "mask.h"
#include "sheet.h"

struct daemon;

/* In the mask worker: why the mask of shot is suspect, or "" (why). */
void suspect_check(const struct pr_image *shot, const struct pr_mask_result *res, char *why,
		   size_t size);
/* Flag a shot's contact sheet tiles (SHEET_TILES of them; NULL is fine). */
void suspect_flag_tiles(struct pr_sheet_tile *tiles);
/* For status: the session's suspect shots, {count, shots: the last few
 * [{set, camera, why}]}, or NULL without a session. */
json_object *suspect_status_json(const struct daemon *d);

#endif
