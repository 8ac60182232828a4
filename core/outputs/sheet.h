/* photorig core: contact sheets, to check a set at a glance.
 *
 * A tile per camera: the shot scaled down, the mask's outline drawn over it
 * in a bright colour, and a caption: the camera name, the foreground
 * percentage, and the plate-health flags as coloured badges (STALE and
 * MOVED red, BORDER amber; a missing or failed camera says so in red). A
 * flagged tile also gets a frame in the flag's colour. A sheet is rows of
 * tiles: one set per row (a session sheet has a row per set), each row
 * headed by its label.
 *
 * Tiles are made right after masking, from the full-size shot and mask, and
 * keep only their thumbnail, so a session's worth of tiles is small; the
 * sheet is composed from them and written as PNG, atomically.
 *
 * Layout (pixels): each cell is PR_SHEET_FRAME + thumbnail + PR_SHEET_FRAME
 * wide; below the thumbnail, the caption (3 lines). Cells are PR_SHEET_GAP
 * apart and PR_SHEET_GAP from the sheet's edges; a row with a label has a
 * header line above it. pr_sheet_tile_origin() says where a thumbnail went. */
#ifndef PHOTORIG_SHEET_H
#define PHOTORIG_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image.h"
#include "mask.h"

enum {
	PR_SHEET_STALE = 1u << 0,   /* the plate no longer fits the lighting */
	PR_SHEET_MOVED = 1u << 1,   /* the camera moved since the plate */
	PR_SHEET_BORDER = 1u << 2,  /* the object touches the frame's edge */
	PR_SHEET_MISSING = 1u << 3, /* no shot, or masking failed (see note) */
	PR_SHEET_UNMASKED = 1u << 4,/* the shot is there but was not masked (see note) */
	PR_SHEET_SUSPECT = 1u << 5, /* a mask not to be trusted (mask_suspect.h) */
};

#define PR_SHEET_GAP 8
#define PR_SHEET_FRAME 3
#define PR_SHEET_CAPTION_LINES 3

struct pr_sheet_options {
	uint32_t tile_width;     /* thumbnail width (default 320; at most the shot's width) */
	uint32_t columns;        /* tiles per line within a row; 0 = all on one line */
	uint8_t outline_rgb[3];  /* mask outline (default magenta FF00FF) */
	unsigned text_scale;     /* 0 = auto: 2 from 240 px tiles, else 1 */
};

struct pr_sheet_tile {
	char name[64];
	char note[64];           /* shown for a missing or unmasked camera */
	struct pr_image thumb;   /* 8-bit RGB, outline drawn; empty when missing */
	double foreground;       /* 0..1 */
	unsigned flags;          /* PR_SHEET_* */
};

struct pr_sheet_row {
	const char *label;       /* e.g. "set 0007"; NULL = no header */
	const struct pr_sheet_tile *tiles;
	size_t ntiles;
};

void pr_sheet_options_default(struct pr_sheet_options *o);

/* The PR_SHEET_* flags of a mask result's statistics. */
unsigned pr_sheet_flags(const struct pr_mask_stats *st);

/* Make a tile from a shot and its binary mask (width x height bytes, >= 128
 * = object; with mask_inverted, < 128). stats: the mask result's, or NULL to
 * take the foreground and BORDER from the mask (offline, no plate health). */
int pr_sheet_tile_make(struct pr_sheet_tile *t, const char *name, const struct pr_image *shot,
		       const uint8_t *mask, int mask_inverted, const struct pr_mask_stats *stats,
		       const struct pr_sheet_options *o, struct pr_error *err);
/* A tile for a camera that delivered nothing or failed; why goes in the caption. */
void pr_sheet_tile_missing(struct pr_sheet_tile *t, const char *name, const char *why);
/* A tile for a shot that was saved but not masked: the photo with no
 * outline, flagged PR_SHEET_UNMASKED, why in the caption ("not masked: no
 * plate"), so a sheet never shows a saved photo as missing. */
int pr_sheet_tile_unmasked(struct pr_sheet_tile *t, const char *name, const struct pr_image *shot,
			   const char *why, const struct pr_sheet_options *o, struct pr_error *err);
void pr_sheet_tile_free(struct pr_sheet_tile *t);

/* Compose the rows into one 8-bit RGB image. */
int pr_sheet_render(const struct pr_sheet_row *rows, size_t nrows,
		    const struct pr_sheet_options *o, struct pr_image *out, struct pr_error *err);
/* Compose and write as PNG, atomically. */
int pr_sheet_write(const char *path, const struct pr_sheet_row *rows, size_t nrows,
		   const struct pr_sheet_options *o, struct pr_error *err);

/* Where tile i of row r puts its thumbnail's top-left pixel in the sheet. */
void pr_sheet_tile_origin(const struct pr_sheet_row *rows, size_t nrows,
			  const struct pr_sheet_options *o, size_t r, size_t i, uint32_t *x,
			  uint32_t *y);

#endif
