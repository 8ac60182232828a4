/* Method `auto`: a mask with no plate, for when none was recorded.
 *
 * What touches the image border is taken as background evidence (product
 * and turntable shots frame the object away from the edges). Its colours
 * are clustered by K-means into a background colour model; pixels far from
 * every background cluster start as the object. Then, as in GrabCut, object
 * and background colour models and a minimum cut over the whole image are
 * alternated a few times, with the border pinned as background. This runs on
 * a reduced image (about 0.3 MP) so that the whole-image graph stays small;
 * the result is scaled up and its outline cut again at full resolution. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "colour_model.h"
#include "mask_internal.h"

#define AUTO_PIXELS 300000
#define AUTO_ROUNDS 4
#define AUTO_CLUSTERS 6
#define AUTO_START_SIGMAS 4.0f /* distance from the background colours that starts as object */

static int shrink(const struct pr_image *in, uint32_t f, struct pr_image *out)
{
	uint32_t w = (in->width + f - 1) / f, h = (in->height + f - 1) / f;
	if (pr_image_alloc(out, w, h, 3, 8, NULL))
		return -1;
	for (uint32_t by = 0; by < h; by++) {
		uint8_t *d = pr_image_row(out, by);
		for (uint32_t bx = 0; bx < w; bx++) {
			uint32_t sum[3] = { 0, 0, 0 }, n = 0;
			for (uint32_t y = by * f; y < (by + 1) * f && y < in->height; y++) {
				const uint8_t *s = pr_image_row(in, y);
				for (uint32_t x = bx * f; x < (bx + 1) * f && x < in->width; x++, n++)
					for (int c = 0; c < 3; c++)
						sum[c] += s[3 * x + c];
			}
			for (int c = 0; c < 3; c++)
				d[3 * bx + c] = (uint8_t)((sum[c] + n / 2) / n);
		}
	}
	return 0;
}

/* Squared distance of px from the nearest cluster, in that cluster's sigmas. */
static float nearest_sigmas2(const struct pr_colour_model *m, const uint8_t *px)
{
	float best = 1e30f;
	for (unsigned c = 0; c < m->k; c++) {
		float d = (sq(px[0] - m->mean[c][0]) + sq(px[1] - m->mean[c][1]) +
			   sq(px[2] - m->mean[c][2])) * 2.0f * m->inv_var[c] / 3.0f;
		best = d < best ? d : best;
	}
	return best;
}

static int segment_small(const struct pr_mask_params *p, const struct pr_image *img, uint8_t *mask)
{
	const uint32_t w = img->width, h = img->height;
	const size_t n = (size_t)w * h;
	uint32_t b = (w < h ? w : h) / 30;
	b = b < 2 ? 2 : b;
	uint8_t *border = calloc(n, 1), *none = calloc(n, 1), *bgsel = malloc(n);
	struct pr_colour_model fg, bg;
	int rc = PR_ENOMEM;
	if (!border || !none || !bgsel)
		goto out;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			border[(size_t)y * w + x] = x < b || y < b || x + b >= w || y + b >= h;
	rc = PR_EINVAL;
	if (mask_colour_sample(&bg, img, border, n))
		goto out;
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *row = pr_image_row(img, y);
		for (uint32_t x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;
			mask[i] = !border[i] && nearest_sigmas2(&bg, row + 3 * x) >
							 sq(AUTO_START_SIGMAS) ? 255 : 0;
		}
	}
	/* the colour models follow the labels, the labels follow the cut */
	for (int round = 0; round < AUTO_ROUNDS; round++) {
		for (size_t i = 0; i < n; i++)
			bgsel[i] = !mask[i];
		if (mask_colour_sample(&fg, img, mask, n) || mask_colour_sample(&bg, img, bgsel, n))
			break; /* nothing left on one side: keep what there is */
		rc = mask_cut_region(p, NULL, NULL, img, &fg, &bg, none, border, mask);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	free(border);
	free(none);
	free(bgsel);
	return rc;
}

int mask_auto(const struct pr_mask_params *p, const struct pr_image *shot, uint8_t *mask)
{
	const uint32_t W = shot->width, H = shot->height;
	uint32_t f = (uint32_t)ceil(sqrt((double)W * H / AUTO_PIXELS));
	f = f < 1 ? 1 : f;
	struct pr_image small;
	if (shrink(shot, f, &small))
		return PR_ENOMEM;
	uint8_t *m = malloc((size_t)small.width * small.height);
	int rc = m ? segment_small(p, &small, m) : PR_ENOMEM;
	if (!rc) {
		for (uint32_t y = 0; y < H; y++)
			for (uint32_t x = 0; x < W; x++)
				mask[(size_t)y * W + x] = m[(size_t)(y / f) * small.width + x / f];
		if (f > 1)
			rc = mask_graphcut(p, NULL, shot, NULL, mask);
	}
	free(m);
	pr_image_free(&small);
	return rc;
}
