/* photorig core: the foreground-colour estimate behind pr_composite_render
 * (composite_fg.c). Not part of the public interface. */
#ifndef PHOTORIG_COMPOSITE_INTERNAL_H
#define PHOTORIG_COMPOSITE_INTERNAL_H

#include "composite.h"

/* Weighted sums on a coarse grid: per cell, k floats (weight first). */
struct fg_grid {
	uint32_t w, h, k;
	float *v;
};

struct fg_estimator {
	const struct pr_image *rgb;   /* 8-bit RGB shot */
	const uint8_t *alpha;         /* object alpha, width per row */
	const struct pr_plate *plate; /* NULL: background from nearby alpha-0 pixels */
	float gain[3], offset[3];     /* drift: plate -> shot */
	uint32_t cell;                /* grid cell side in pixels */
	struct fg_grid fg;            /* opaque pixels: weight, r, g, b */
	struct fg_grid bg;            /* background pixels: weight, shot rgb, predicted rgb */
};

int fg_estimator_init(struct fg_estimator *e, const struct pr_image *rgb, const uint8_t *alpha,
		      const struct pr_plate *plate, const struct pr_mask_stats *st,
		      struct pr_error *err);
/* The object's colour F for pixels [x0, x1) of row y (3 bytes each); pixels
 * with alpha 0 get the shot's own colour (they are not shown). */
void fg_estimator_row(const struct fg_estimator *e, uint32_t y, uint32_t x0, uint32_t x1,
		      uint8_t *out);
void fg_estimator_free(struct fg_estimator *e);

#endif
