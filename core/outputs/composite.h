/* photorig core: a masked shot composited over a new backdrop.
 *
 *   out = a F + (1 - a) D
 *
 * with a the soft alpha of the mask result, D the backdrop (backdrop.h) and
 * F the object's own colour. Where the alpha is partial the shot mixes the
 * object with the old background: I = a F + (1 - a) B. Taking F = I there
 * would carry a halo of the old background onto the new one, so F is
 * estimated first ("decontamination"): B is the plate's prediction of the
 * background (gain * mean + offset, the drift fit of the mask result,
 * corrected by the local ratio of shot to prediction on nearby background,
 * which follows cast shadows), or, with no plate (chroma, auto), the average
 * of nearby background pixels (alpha 0); then F = (I - (1 - a) B) / a,
 * clamped to 0..255. For small a that division amplifies noise and alpha
 * error, so below a = 0.25 F is blended towards the average colour of nearby
 * fully opaque pixels, all the way at a <= 0.1. (Averages: normalised box
 * sums over a coarse grid, filled outwards where a neighbourhood has none.)
 *
 * The composite is 8-bit RGB, optionally cropped (crop.h), and written as
 * OUT/S_backdrop.jpg or OUT/S_backdrop.png for a shot with stem S. */
#ifndef PHOTORIG_COMPOSITE_H
#define PHOTORIG_COMPOSITE_H

#include <stddef.h>
#include <stdint.h>

#include "backdrop.h"
#include "crop.h"
#include "error.h"
#include "image.h"
#include "mask.h"
#include "plate.h"

enum pr_composite_format { PR_COMPOSITE_JPEG = 0, PR_COMPOSITE_PNG };

#define PR_COMPOSITE_DEFAULT_QUALITY 92

struct pr_composite_options {
	const struct pr_backdrop *backdrop; /* required; not owned */
	enum pr_composite_format format;    /* default JPEG */
	int quality;                        /* JPEG quality 1..100 (default 92) */
	int decontaminate;                  /* estimate edge colours (default 1) */
	int alpha_inverted;                 /* the mask was made with invert: 255 = background */
	struct pr_crop_options crop;        /* default: off (full frame) */
	int threads;                        /* 0 = one per core */
};

void pr_composite_options_default(struct pr_composite_options *o);
/* "jpeg" (or "jpg") and "png". */
int pr_composite_format_parse(const char *name, enum pr_composite_format *out);
const char *pr_composite_format_name(enum pr_composite_format f); /* "jpeg", "png" */
const char *pr_composite_format_ext(enum pr_composite_format f);  /* "jpg", "png" */

/* Composite shot (any layout; used as 8-bit RGB) over the backdrop with the
 * soft alpha of m. plate: the plate m was computed against (its stats give
 * the drift), or NULL when the method used none (chroma, auto). out is
 * allocated (8-bit RGB, the crop box's size, the shot's ICC profile); box,
 * if not NULL, receives the crop box. */
int pr_composite_render(const struct pr_image *shot, const struct pr_mask_result *m,
			const struct pr_plate *plate, const struct pr_composite_options *o,
			struct pr_image *out, struct pr_crop_box *box, struct pr_error *err);

/* Render and write OUT/S_backdrop.jpg|png atomically (name: the original's
 * file name; its folder part is ignored). path, if not NULL, receives the
 * file written. */
int pr_composite_write(const char *out_dir, const char *name, const struct pr_image *shot,
		       const struct pr_mask_result *m, const struct pr_plate *plate,
		       const struct pr_composite_options *o, char *path, size_t path_size,
		       struct pr_error *err);

#endif
