/* The plate of two or more frames, robust to what moved through some of
 * them.
 *
 * A mean and a standard deviation over the frames are ruined by one frame
 * in which an operator's hand or a passer-by covers a pixel: the mean takes
 * a share of the hand's colour (a ghost in every mask) and the deviation
 * grows so large that nothing there is ever called object. So, per pixel:
 *
 *   centre   the frame-weighted median of the stored bins, per channel;
 *   spread   the median over bins of w * |bin - centre|^2 (rms over the
 *            channels; a bin holding the mean of w frames is that much
 *            quieter), as a variance: a MAD-like scale no outlier moves;
 *   clip     bins farther from the centre than 3 units of that scale (never
 *            less than the frame-wide level) are left out;
 *   colour   the frame-weighted mean of the remaining bins;
 *   noise    their spread about it, shrunk toward the frame-wide level
 *            (the median over the frame of the robust spread: the
 *            shrinkage target is as robust as the rest).
 *
 * Pixels where a bin was left out by a wide margin are the transient; a
 * 16x16 block counts when an eighth of its pixels are, so lone noisy
 * pixels do not make a report. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "plate_internal.h"
#include "select.h"

/* Shrinkage of per-pixel noise toward the image-wide level: a pixel's
 * variance from a handful of frames is itself noisy, so it is blended with
 * the global level as if that were worth this many extra samples. */
#define NOISE_PRIOR_SAMPLES 6.0
/* The median of a chi-square of 3 degrees of freedom over 3: the spread of
 * Gaussian noise measured as the median of squared rms deviations. */
#define CHI2_3_MEDIAN 0.7887f
/* A bin is left out beyond 3 units of the scale (squared)... */
#define CLIP_T2 9.0f
/* ... and reported as transient beyond 5 units and 8 levels rms. */
#define TRANSIENT_T2 25.0f
#define TRANSIENT_LEVELS2 64.0f
#define BLOCK 16
#define SAMPLES 65536

/* Frame-weighted median of the bins' values of one sample; even splits
 * take the midpoint. */
static float weighted_median(const struct pr_plate_builder *b, size_t at)
{
	uint8_t v[PR_PLATE_MAX_BINS];
	uint32_t w[PR_PLATE_MAX_BINS];
	const uint32_t n = b->nbins;
	for (uint32_t k = 0; k < n; k++) {
		uint8_t x = b->bin[k][at];
		uint32_t wx = b->weight[k], j = k;
		for (; j > 0 && v[j - 1] > x; j--) {
			v[j] = v[j - 1];
			w[j] = w[j - 1];
		}
		v[j] = x;
		w[j] = wx;
	}
	uint32_t cum = 0;
	for (uint32_t k = 0; k < n; k++) {
		cum += w[k];
		if (2 * cum > b->frames)
			return v[k];
		if (2 * cum == b->frames)
			return 0.5f * ((float)v[k] + (float)v[k + 1 < n ? k + 1 : k]);
	}
	return v[n - 1];
}

/* Centre of pixel i and the weighted squared deviation of each bin from it
 * (rms over the channels); returns the robust spread as a variance. */
static float pixel_centre(const struct pr_plate_builder *b, size_t i, float centre[3],
			  float *dev2, float *lev2)
{
	float tmp[PR_PLATE_MAX_BINS];
	for (int c = 0; c < 3; c++)
		centre[c] = weighted_median(b, 3 * i + c);
	for (uint32_t k = 0; k < b->nbins; k++) {
		const uint8_t *v = b->bin[k] + 3 * i;
		float d = 0;
		for (int c = 0; c < 3; c++)
			d += ((float)v[c] - centre[c]) * ((float)v[c] - centre[c]);
		lev2[k] = d / 3.0f;
		dev2[k] = tmp[k] = lev2[k] * (float)b->weight[k];
	}
	return pr_select_float(tmp, b->nbins, b->nbins / 2) / CHI2_3_MEDIAN;
}

struct combine_job {
	const struct pr_plate_builder *b;
	struct pr_plate *out;
	float g2;            /* frame-wide noise variance */
	uint32_t bw;         /* blocks per row */
	uint16_t *flagged;   /* per block: transient pixels */
};

static void combine_rows(void *ctx, uint32_t by0, uint32_t by1)
{
	const struct combine_job *j = ctx;
	const struct pr_plate_builder *b = j->b;
	const uint32_t w = b->width, h = b->height;
	const uint32_t y1 = by1 * BLOCK < h ? by1 * BLOCK : h;
	const float floor2 = PR_PLATE_NOISE_FLOOR * PR_PLATE_NOISE_FLOOR;
	const double prior = NOISE_PRIOR_SAMPLES * j->g2;
	float dev2[PR_PLATE_MAX_BINS], lev2[PR_PLATE_MAX_BINS];
	for (uint32_t y = by0 * BLOCK; y < y1; y++) {
		uint16_t *flags = j->flagged + (size_t)(y / BLOCK) * j->bw;
		for (uint32_t x = 0; x < w; x++) {
			const size_t i = (size_t)y * w + x;
			float centre[3];
			float s2 = pixel_centre(b, i, centre, dev2, lev2);
			s2 = s2 > j->g2 ? s2 : j->g2;
			s2 = s2 > floor2 ? s2 : floor2;
			double sum[3] = { 0, 0, 0 }, wsum = 0;
			uint32_t kept = 0, transient = 0;
			for (uint32_t k = 0; k < b->nbins; k++) {
				if (dev2[k] > CLIP_T2 * s2) {
					transient |= dev2[k] > TRANSIENT_T2 * s2 &&
						     lev2[k] > TRANSIENT_LEVELS2;
					continue;
				}
				const uint8_t *v = b->bin[k] + 3 * i;
				for (int c = 0; c < 3; c++)
					sum[c] += (double)b->weight[k] * v[c];
				wsum += b->weight[k];
				kept++;
			}
			double mean[3], var = 0;
			for (int c = 0; c < 3; c++) {
				mean[c] = wsum > 0 ? sum[c] / wsum : centre[c];
				j->out->mean[3 * i + c] = (uint8_t)(mean[c] + 0.5);
			}
			for (uint32_t k = 0; kept > 1 && k < b->nbins; k++) {
				if (dev2[k] > CLIP_T2 * s2)
					continue;
				const uint8_t *v = b->bin[k] + 3 * i;
				for (int c = 0; c < 3; c++)
					var += b->weight[k] * (v[c] - mean[c]) * (v[c] - mean[c]);
			}
			const double df = kept > 1 ? 3.0 * (kept - 1) : 0;
			double v = (var + prior) / (df + NOISE_PRIOR_SAMPLES);
			double q = sqrt(v) * PR_PLATE_NOISE_SCALE + 0.5;
			j->out->noise[i] = (uint8_t)(q > 255 ? 255 : q);
			flags[x / BLOCK] += (uint16_t)transient;
		}
	}
}

/* The frame-wide level: the median robust spread over a grid sample. */
static float global_variance(const struct pr_plate_builder *b)
{
	const size_t npix = (size_t)b->width * b->height;
	const size_t step = npix / SAMPLES + 1;
	float *v = malloc(sizeof(float) * (npix / step + 1));
	float dev2[PR_PLATE_MAX_BINS], lev2[PR_PLATE_MAX_BINS], centre[3];
	size_t n = 0;
	if (!v)
		return -1;
	for (size_t i = 0; i < npix; i += step)
		v[n++] = pixel_centre(b, i, centre, dev2, lev2);
	float g2 = pr_select_float(v, n, n / 2);
	free(v);
	return g2;
}

static void transient_report(const struct combine_job *j, uint32_t bh, struct pr_plate *out)
{
	const uint32_t w = out->width, h = out->height;
	uint32_t x0 = UINT32_MAX, y0 = UINT32_MAX, x1 = 0, y1 = 0;
	uint64_t flagged = 0;
	for (uint32_t by = 0; by < bh; by++)
		for (uint32_t bx = 0; bx < j->bw; bx++) {
			uint32_t bwid = (bx + 1) * BLOCK < w ? BLOCK : w - bx * BLOCK;
			uint32_t bhei = (by + 1) * BLOCK < h ? BLOCK : h - by * BLOCK;
			uint32_t n = j->flagged[(size_t)by * j->bw + bx];
			if (n == 0 || 8 * n < bwid * bhei)
				continue;
			flagged += n;
			x0 = bx * BLOCK < x0 ? bx * BLOCK : x0;
			y0 = by * BLOCK < y0 ? by * BLOCK : y0;
			x1 = bx * BLOCK + bwid > x1 ? bx * BLOCK + bwid : x1;
			y1 = by * BLOCK + bhei > y1 ? by * BLOCK + bhei : y1;
		}
	out->transient_share = (double)flagged / ((double)w * h);
	if (flagged) {
		out->transient_x = (int)x0;
		out->transient_y = (int)y0;
		out->transient_w = (int)(x1 - x0);
		out->transient_h = (int)(y1 - y0);
	}
}

int plate_combine(const struct pr_plate_builder *b, struct pr_plate *out)
{
	const size_t npix = (size_t)b->width * b->height;
	struct combine_job j = { b, out, 0, (b->width + BLOCK - 1) / BLOCK, NULL };
	const uint32_t bh = (b->height + BLOCK - 1) / BLOCK;
	float g2 = global_variance(b);
	if (g2 < 0)
		return -1;
	j.g2 = g2 > PR_PLATE_NOISE_FLOOR * PR_PLATE_NOISE_FLOOR ? g2
							       : PR_PLATE_NOISE_FLOOR * PR_PLATE_NOISE_FLOOR;
	out->mean = malloc(npix * 3);
	out->noise = malloc(npix);
	j.flagged = calloc((size_t)j.bw * bh, sizeof(uint16_t));
	if (!out->mean || !out->noise || !j.flagged) {
		free(j.flagged);
		return -1;
	}
	/* whole blocks to each call, so each block's count has one writer */
	pr_parallel_rows(0, bh, combine_rows, &j);
	const float g = sqrtf(j.g2);
	out->global_noise[0] = out->global_noise[1] = out->global_noise[2] = g;
	transient_report(&j, bh, out);
	free(j.flagged);
	return 0;
}
