/* photorig core: the crop box of a composite.
 *
 * The box is the object's bounding box (from the binary mask as it is: the
 * clean-up has already removed specks) plus a margin on every side, in
 * pixels or in percent of the box's longer side, optionally grown to a fixed
 * aspect ratio W:H with the object centred.
 *
 *   no aspect:  [x0 - m, x1 + m) x [y0 - m, y1 + m), cut at the frame's
 *               edges (the margin is exact wherever the frame has room).
 *   aspect a:b: reduced by their gcd; the box is k*a x k*b for the smallest
 *               k that holds the object plus margin, centred on the object
 *               (left/top get the smaller half of an odd remainder). When
 *               that box does not fit in the frame, the margin shrinks (the
 *               largest m' <= m whose centred box fits); when even m' = 0
 *               does not fit, no margin avoids padding, so the box keeps
 *               the margin asked for, stays centred and reaches past the
 *               frame: the composite fills that part with the backdrop
 *               (`padded`). The ratio is always exact.
 *
 * Only composites are cropped: masks and TIFFs keep the full frame, which
 * photogrammetry needs. */
#ifndef PHOTORIG_CROP_H
#define PHOTORIG_CROP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum pr_crop_unit { PR_CROP_PIXELS = 0, PR_CROP_PERCENT };

struct pr_crop_options {
	int enabled;              /* 0: the full frame */
	double margin;            /* >= 0, in unit */
	enum pr_crop_unit unit;
	uint32_t aspect_w, aspect_h; /* 0, 0: free */
};

struct pr_crop_box {
	int32_t x, y;             /* top-left in frame pixels; negative when padded */
	uint32_t width, height;
	uint32_t margin;          /* margin in pixels after any shrinking */
	int padded;               /* the box reaches past the frame */
	int empty;                /* no object: the box is the full frame */
	uint32_t obj_x0, obj_y0, obj_x1, obj_y1; /* object box, end exclusive */
};

void pr_crop_options_default(struct pr_crop_options *o);

/* "N%" or "Npx" or "N" (pixels); N a decimal >= 0 (percent <= 1000). Sets
 * margin, unit and enabled. */
int pr_crop_parse_margin(const char *text, struct pr_crop_options *o, struct pr_error *err);
/* "W:H" with whole numbers 1..10000 (e.g. 4:5, 1:1, 16:9). Sets the ratio
 * and enabled. */
int pr_crop_parse_aspect(const char *text, struct pr_crop_options *o, struct pr_error *err);

/* Bounding box of the pixels >= 128 (< 128 when inverted: 255 means
 * background). Returns 0, or 1 when there is no object. End exclusive. */
int pr_crop_object_box(const uint8_t *mask, size_t stride, uint32_t width, uint32_t height,
		       int inverted, uint32_t box[4]);

/* The crop box for a mask of width x height (see the rules above). With
 * o->enabled == 0 or no object, the full frame. */
void pr_crop_compute(const uint8_t *mask, size_t stride, uint32_t width, uint32_t height,
		     int inverted, const struct pr_crop_options *o, struct pr_crop_box *out);

/* The same from a known object box (end exclusive), for callers that have it. */
void pr_crop_from_box(const uint32_t obj[4], uint32_t width, uint32_t height,
		      const struct pr_crop_options *o, struct pr_crop_box *out);

#endif
