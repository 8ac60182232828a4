/* photorig core: manual mask regions.
 *
 * A region is a polygon (a rectangle is a 4-point polygon) in pixel
 * coordinates of the stored image grid, x right, y down, (0,0) the top-left
 * corner of the top-left pixel. A pixel belongs to a region when its centre
 * lies inside (even-odd rule). `include` regions are always kept (object),
 * `exclude` regions are always background; exclude wins over include. */
#ifndef PHOTORIG_REGION_H
#define PHOTORIG_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define PR_REGION_MAX_POINTS 256

struct pr_point {
	double x, y;
};

struct pr_region {
	int exclude;              /* 0 include (always keep), 1 exclude (always background) */
	uint32_t npoints;
	struct pr_point points[PR_REGION_MAX_POINTS];
};

/* Parse "rect:X,Y,W,H", "poly:X1,Y1,X2,Y2,X3,Y3[,...]", or a bare list of
 * numbers (4 = rectangle, an even count >= 6 = polygon). Coordinates may be
 * fractional and must be finite and non-negative; sizes positive. */
int pr_region_parse(const char *text, int exclude, struct pr_region *out, struct pr_error *err);

/* Format back to the canonical "rect:..." / "poly:..." text. */
void pr_region_format(const struct pr_region *r, char *buf, size_t size);

/* Rasterise: set every pixel of `plane` (width x height, stride) whose
 * centre lies inside r to value. Scanline fill, O(height * edges). */
void pr_region_fill(const struct pr_region *r, uint8_t *plane, uint32_t width,
		    uint32_t height, size_t stride, uint8_t value);

#endif
