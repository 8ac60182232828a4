/* Boundary matting against the plate.
 *
 * Along an object's outline a pixel mixes object and background:
 *     shot = alpha * F + (1 - alpha) * B.
 * The plate gives B (after drift); F, the object's colour there, is taken
 * from nearby pixels well inside the object. Projecting shot - B onto F - B
 * gives alpha. The binary mask then keeps the pixels that are at least half
 * object (where detection alone keeps any pixel the object touches, which
 * widens every outline by its blur), and the soft alpha is the estimate
 * itself. Where object and background colours are too close to tell apart
 * the earlier decision stands.
 *
 * Object colours are gathered at 1/s resolution with box sums and
 * bilinearly interpolated, so the cost is a few passes over the band. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mask_internal.h"
#include "parallel.h"

/* |F - B| must exceed this many noise units for alpha to mean anything. */
#define MATTE_MIN_CONTRAST 4.0f

static inline uint64_t load8(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

struct sums {
	uint32_t w, h;
	float *v; /* 4 floats per cell: weight, r, g, b */
};

/* Box sums over a (2r+1)^2 window of cells, 4 channels, in double, the
 * same way as the guided filter's box_mean (mask_alpha.c): rows split
 * across threads, then column ranges swept down the plane with running sums
 * that add the same values in the same order as prefix sums would. */
struct box4_job {
	struct sums *p;
	float *tmp;
	uint32_t r;
	int failed;
};

static void box4_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	struct box4_job *j = ctx;
	const uint32_t w = j->p->w, r = j->r;
	double *acc = malloc(sizeof(double) * 4 * ((size_t)w + 1));
	if (!acc) {
		j->failed = 1;
		return;
	}
	for (uint32_t y = y0; y < y1; y++) {
		const float *row = j->p->v + (size_t)y * w * 4;
		float *dst = j->tmp + (size_t)y * w * 4;
		memset(acc, 0, sizeof(double) * 4);
		for (size_t x = 0; x < w; x++)
			for (int k = 0; k < 4; k++)
				acc[4 * (x + 1) + k] = acc[4 * x + k] + row[4 * x + k];
		for (uint32_t x = 0; x < w; x++) {
			uint32_t a = x >= r ? x - r : 0, b = x + r + 1 < w ? x + r + 1 : w;
			for (int k = 0; k < 4; k++)
				dst[(size_t)x * 4 + k] = (float)(acc[4 * (size_t)b + k] - acc[4 * (size_t)a + k]);
		}
	}
	free(acc);
}

/* "rows" here are cell columns: pr_parallel_rows only splits the range */
static void box4_cols(void *ctx, uint32_t x0, uint32_t x1)
{
	struct box4_job *j = ctx;
	const uint32_t w = j->p->w, h = j->p->h, r = j->r;
	const size_t n = 4 * (size_t)(x1 - x0);
	double *lead = malloc(sizeof(double) * 2 * (n + 1));
	if (!lead) {
		j->failed = 1;
		return;
	}
	double *trail = lead + n + 1;
	const float *src = j->tmp + 4 * (size_t)x0;
	for (size_t i = 0; i < n; i++)
		lead[i] = trail[i] = 0;
	uint32_t a_at = 0, b_at = 0; /* rows summed into trail and lead */
	for (uint32_t y = 0; y < h; y++) {
		uint32_t a = y >= r ? y - r : 0, b = y + r + 1 < h ? y + r + 1 : h;
		for (; b_at < b; b_at++) {
			const float *restrict row = src + (size_t)b_at * w * 4;
			for (size_t i = 0; i < n; i++)
				lead[i] += row[i];
		}
		for (; a_at < a; a_at++) {
			const float *restrict row = src + (size_t)a_at * w * 4;
			for (size_t i = 0; i < n; i++)
				trail[i] += row[i];
		}
		float *restrict dst = j->p->v + ((size_t)y * w + x0) * 4;
		for (size_t i = 0; i < n; i++)
			dst[i] = (float)(lead[i] - trail[i]);
	}
	free(lead);
}

static int box_sum4(struct sums *p, uint32_t r, int threads)
{
	struct box4_job j = { p, malloc(sizeof(float) * 4 * (size_t)p->w * p->h), r, 0 };
	if (!j.tmp)
		return -1;
	pr_parallel_rows(threads, p->h, box4_rows, &j);
	if (!j.failed)
		pr_parallel_rows(threads, p->w, box4_cols, &j);
	free(j.tmp);
	return j.failed ? -1 : 0;
}

/* The band: the outline, within rb of a change of the mask. */
struct band_job {
	const uint8_t *eroded;
	uint8_t *band; /* holds dilate(mask) on entry */
	uint32_t w;
};

static void band_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct band_job *j = ctx;
	const size_t from = (size_t)y0 * j->w, to = (size_t)y1 * j->w;
	const uint8_t *restrict er = j->eroded;
	uint8_t *restrict band = j->band;
	for (size_t i = from; i < to; i++)
		band[i] = (band[i] & (uint8_t)~er[i]) != 0;
}

/* Object colours summed per cell, from the pixels of inner. Cell rows are
 * split across threads; each cell is summed in the same order as a single
 * walk down the frame would. */
struct gather_job {
	const struct pr_image *shot;
	const uint8_t *inner;
	struct sums *f;
	uint32_t s;
};

static void gather_rows(void *ctx, uint32_t cy0, uint32_t cy1)
{
	const struct gather_job *j = ctx;
	const uint32_t W = j->shot->width, H = j->shot->height, s = j->s;
	const uint32_t y1 = cy1 * s < H ? cy1 * s : H;
	for (uint32_t y = cy0 * s; y < y1; y++) {
		const uint8_t *srow = pr_image_row(j->shot, y);
		const uint8_t *in = j->inner + (size_t)y * W;
		float *cell = j->f->v + (size_t)(y / s) * j->f->w * 4;
		for (uint32_t x = 0; x < W; x++) {
			if (x + 8 <= W && !load8(in + x)) {
				x += 7; /* eight pixels outside the object at once */
				continue;
			}
			if (in[x]) {
				float *c = cell + (x / s) * 4;
				c[0] += 1;
				c[1] += srow[3 * x];
				c[2] += srow[3 * x + 1];
				c[3] += srow[3 * x + 2];
			}
		}
	}
}

struct matte_job {
	const struct pr_plate *plate;
	const struct pr_image *shot;
	const struct plate_model_fit *fit;
	const uint8_t *band;
	const struct sums *f;
	uint32_t s;
	uint8_t *mask, *alpha;
};

static void matte_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct matte_job *j = ctx;
	const uint32_t W = j->shot->width, lw = j->f->w, lh = j->f->h;
	const struct plate_model_fit *fit = j->fit;
	const float inv_s = 1.0f / (float)j->s;
	for (uint32_t y = y0; y < y1; y++) {
		const uint8_t *band = j->band + (size_t)y * W;
		const uint8_t *srow = pr_image_row(j->shot, y);
		const uint8_t *m = j->plate->mean + (size_t)y * W * 3;
		float fy = ((float)y + 0.5f) * inv_s - 0.5f;
		fy = fy < 0 ? 0 : fy;
		uint32_t iy = (uint32_t)fy, iy1 = iy + 1 < lh ? iy + 1 : iy;
		if (iy >= lh)
			iy = iy1 = lh - 1;
		float ty = fy - (float)iy;
		ty = ty > 1 ? 1 : ty;
		for (uint32_t x = 0; x < W; x++) {
			/* the band is a thin line through the frame: skip the rest
			 * eight pixels at a time */
			if (x + 8 <= W && !load8(band + x)) {
				x += 7;
				continue;
			}
			if (!band[x])
				continue;
			float fx = ((float)x + 0.5f) * inv_s - 0.5f;
			fx = fx < 0 ? 0 : fx;
			uint32_t ix = (uint32_t)fx, ix1 = ix + 1 < lw ? ix + 1 : ix;
			if (ix >= lw)
				ix = ix1 = lw - 1;
			float tx = fx - (float)ix;
			tx = tx > 1 ? 1 : tx;
			const float *c00 = j->f->v + ((size_t)iy * lw + ix) * 4;
			const float *c01 = j->f->v + ((size_t)iy * lw + ix1) * 4;
			const float *c10 = j->f->v + ((size_t)iy1 * lw + ix) * 4;
			const float *c11 = j->f->v + ((size_t)iy1 * lw + ix1) * 4;
			float acc[4];
			for (int k = 0; k < 4; k++)
				acc[k] = (c00[k] * (1 - tx) + c01[k] * tx) * (1 - ty) +
					 (c10[k] * (1 - tx) + c11[k] * tx) * ty;
			if (acc[0] < 0.5f)
				continue; /* no object interior nearby: keep the decision */
			float num = 0, den = 0;
			for (int c = 0; c < 3; c++) {
				float F = acc[c + 1] / acc[0];
				float B = clamp255(fit->gain[c] * m[3 * x + c] + fit->offset[c]);
				float d = F - B;
				num += ((float)srow[3 * x + c] - B) * d;
				den += d * d;
			}
			size_t i = (size_t)y * W + x;
			float sig2 = 0;
			for (int c = 0; c < 3; c++)
				sig2 += sq(pr_plate_sigma(j->plate, i, c));
			if (den < sq(MATTE_MIN_CONTRAST) * sig2 * fit->var_scale)
				continue; /* object and background look alike here */
			float a = num / den;
			a = a < 0 ? 0 : (a > 1 ? 1 : a);
			j->mask[i] = a >= 0.5f ? 255 : 0;
			j->alpha[i] = (uint8_t)(a * 255.0f + 0.5f);
		}
	}
}

int mask_matte(const struct pr_mask_params *p, const struct pr_plate *plate,
	       const struct pr_image *shot, const struct plate_model_fit *fit,
	       const uint8_t *strong, uint8_t *mask, uint8_t *alpha)
{
	const uint32_t W = shot->width, H = shot->height;
	const size_t npix = (size_t)W * H;
	uint32_t side = W < H ? W : H;
	uint32_t rb = side / 400 < 2 ? 2 : side / 400; /* band half-width */
	uint32_t s = rb / 2 ? rb / 2 : 1;
	uint32_t reach = (4 * rb + s - 1) / s; /* how far to look for object colour, in cells */
	int rc = PR_ENOMEM;
	uint8_t *inner = malloc(npix), *band = malloc(npix);
	struct sums f = { (W + s - 1) / s, (H + s - 1) / s, NULL };
	f.v = calloc((size_t)f.w * f.h * 4, sizeof(float));
	if (!inner || !band || !f.v)
		goto out;
	/* band = dilate(mask) - erode(mask): the outline;
	 * inner = erode(strong evidence): object colours come only from pixels
	 * the detection was sure of, never from weak pixels that joined (a gap
	 * between leaves that joined would otherwise lend the background's own
	 * colour as the object's) */
	if (mask_morph_into(mask, inner, W, H, rb, 0, p->threads) ||
	    mask_morph_into(mask, band, W, H, rb, 1, p->threads))
		goto out;
	struct band_job bj = { inner, band, W };
	pr_parallel_rows(p->threads, H, band_rows, &bj);
	if (strong && mask_morph_into(strong, inner, W, H, rb, 0, p->threads))
		goto out;
	struct gather_job gj = { shot, inner, &f, s };
	pr_parallel_rows(p->threads, f.h, gather_rows, &gj);
	if (box_sum4(&f, reach, p->threads))
		goto out;
	struct matte_job j = { plate, shot, fit, band, &f, s, mask, alpha };
	pr_parallel_rows_interleaved(p->threads, H, 64, matte_rows, &j); /* the outline is not spread evenly */
	rc = 0;
out:
	free(inner);
	free(band);
	free(f.v);
	return rc;
}
