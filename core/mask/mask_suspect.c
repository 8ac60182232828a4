/* photorig core: is a mask to be trusted? (see mask_suspect.h)
 *
 * Why these two and these limits: a clipped pixel carries no difference
 * from the plate that noise units can measure (the plate's own highlights
 * clip too), so beyond half the frame the mask is mostly guesswork; a mask
 * keeping 90% of the frame is not an object on a turntable, and with the
 * stale-plate flag (the light changed beyond what a gain explains) it is
 * the changed background that was kept. A shot with one of them is still
 * masked and written: it is the operator who decides, told why. */
#include "mask_suspect.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define SAMPLE_MAX 250000.0

double pr_clipped_share(const struct pr_image *img)
{
	if (!img || !img->pixels || !img->width || !img->height)
		return 0.0;
	/* a regular grid: clipping is a share of the frame, not a detail */
	double n = (double)img->width * img->height;
	uint32_t step = n > SAMPLE_MAX ? (uint32_t)sqrt(n / SAMPLE_MAX) : 1;
	if (step < 1)
		step = 1;
	const unsigned ch = img->channels >= 3 ? 3 : 1, stride = img->channels;
	uint64_t clipped = 0, seen = 0;
	for (uint32_t y = 0; y < img->height; y += step) {
		const uint8_t *row = pr_image_row(img, y);
		for (uint32_t x = 0; x < img->width; x += step) {
			unsigned hi = 0, lo = 0;
			for (unsigned c = 0; c < ch; c++) {
				unsigned v = img->depth == 16
						     ? ((const uint16_t *)row)[(size_t)x * stride + c]
						     : row[(size_t)x * stride + c];
				unsigned top = img->depth == 16 ? 65280u : 254u;
				unsigned bottom = img->depth == 16 ? 256u : 1u;
				hi += v >= top;
				lo += v <= bottom;
			}
			clipped += hi > 0 || lo == ch;
			seen++;
		}
	}
	return seen ? (double)clipped / (double)seen : 0.0;
}

unsigned pr_mask_suspect(double clipped, const struct pr_mask_stats *st, char *why, size_t size)
{
	unsigned flags = 0;
	int n = 0;
	if (size)
		why[0] = '\0';
	if (clipped >= PR_SUSPECT_CLIPPED_SHARE) {
		flags |= PR_SUSPECT_CLIPPED;
		if (size)
			n = snprintf(why, size, "mostly clipped: %.0f%% of the pixels at the end of "
				     "their range (exposure?)", 100.0 * clipped);
	}
	if (st && st->foreground >= PR_SUSPECT_FULL_FRAME && st->stale_plate) {
		flags |= PR_SUSPECT_FULL_STALE;
		if (size && n >= 0 && (size_t)n < size)
			snprintf(why + n, size - (size_t)n, "%sthe mask covers %.0f%% of the frame and "
				 "the plate no longer fits the light (record it again?)",
				 n ? "; " : "", 100.0 * st->foreground);
	}
	return flags;
}
