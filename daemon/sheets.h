/* photorigd: contact sheets, written by their own thread (sheets.c). */
#ifndef PHOTORIGD_SHEETS_H
#define PHOTORIGD_SHEETS_H

#include "image.h"
#include "mask.h"
#include "sheet.h"

struct daemon;
struct set_rec;
struct report;

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

#endif
