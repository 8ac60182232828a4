/* Boundary matting against the plate.
 *
 * Along an object's outline a pixel mixes object and background:
 *     shot = alpha * F + (1 - alpha) * B.
 * The plate gives B (after drift); F, the object's colour there, is taken
 * from pixels well inside the object nearby. Projecting shot - B onto F - B
 * gives alpha. The binary mask then keeps the pixels that are at least half
 * object (where detection alone keeps any pixel the object touches, which
 * widens every outline by its blur), and the soft alpha is the estimate
 * itself.
 *
 * An object of several colours has no one colour near its outline, and an
 * average of them explains none of its pixels: with it, true object pixels
 * were projected to small alphas and dropped. So F is chosen per pixel
 * among the local colours: the mean colour of each s x s cell of interior
 * pixels within reach (the nearest strong pixels, in small clusters), the
 * one whose compositing line passes closest to the pixel. And a pixel is
 * decided by the matte where alpha * F + (1 - alpha) * B reproduces it
 * within its noise. Where no candidate does, a pixel that is clear object
 * evidence (beyond twice the tolerance) keeps the detection's decision, and one
 * near the plate, whose colour says little, is projected onto the wider
 * average of interior colours as before. Where object and background are
 * too close to tell apart the detection's decision stands. */
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
	const struct sums *f;     /* box sums of interior colours over the reach */
	const struct sums *cells; /* interior colours per cell */
	uint32_t s, near;         /* cell size; candidate cells within near cells */
	float strong2;            /* (2 tolerance)^2: clear object evidence */
	uint8_t *mask, *alpha;
};

/* |F - B| must exceed MATTE_MIN_CONTRAST noise units, and the composite
 * must reproduce the pixel within MATTE_FIT noise units (rms over the
 * channels) for the matte to decide it. */
#define MATTE_FIT 3.0f

/* alpha of I on the line from B to F, and the squared distance of I from
 * that line's point; a negative return when F and B are too close. */
static float composite_fit(const float I[3], const float B[3], const float F[3], float min_den,
			   float *alpha)
{
	float num = 0, den = 0;
	for (int c = 0; c < 3; c++) {
		float d = F[c] - B[c];
		num += (I[c] - B[c]) * d;
		den += d * d;
	}
	if (den < min_den)
		return -1;
	float a = num / den;
	a = a < 0 ? 0 : (a > 1 ? 1 : a);
	float r2 = 0;
	for (int c = 0; c < 3; c++) {
		float e = I[c] - (a * F[c] + (1 - a) * B[c]);
		r2 += e * e;
	}
	*alpha = a;
	return r2;
}

/* The object colours a band pixel of cell (cx, cy) is matted against: the
 * interior cells within near cells, of the nearest ring holding any and the
 * next ring (the nearest object colours, not the best fitting of all: some
 * colour far away always fits), in raster order. Every pixel of a cell has
 * the same candidates, so they are found once per cell, not per pixel.
 * Returns their number; F holds three floats per candidate. */
static uint32_t matte_candidates(const struct matte_job *j, uint32_t cx, uint32_t cy, float *F)
{
	const uint32_t cw = j->cells->w, ch = j->cells->h, near = j->near;
	const uint32_t gx0 = cx > near ? cx - near : 0, gy0 = cy > near ? cy - near : 0;
	const uint32_t gx1 = cx + near < cw ? cx + near : cw - 1;
	const uint32_t gy1 = cy + near < ch ? cy + near : ch - 1;
	uint32_t first = UINT32_MAX;
	for (uint32_t gy = gy0; gy <= gy1; gy++)
		for (uint32_t gx = gx0; gx <= gx1; gx++) {
			if (j->cells->v[((size_t)gy * cw + gx) * 4] < 0.5f)
				continue;
			uint32_t rx = gx > cx ? gx - cx : cx - gx, ry = gy > cy ? gy - cy : cy - gy;
			uint32_t ring = rx > ry ? rx : ry;
			first = ring < first ? ring : first;
		}
	if (first == UINT32_MAX)
		return 0;
	const uint32_t reach = first + 1; /* cells nearer than first hold no interior */
	uint32_t n = 0;
	for (uint32_t gy = cy > reach && cy - reach > gy0 ? cy - reach : gy0;
	     gy <= gy1 && gy <= cy + reach; gy++)
		for (uint32_t gx = cx > reach && cx - reach > gx0 ? cx - reach : gx0;
		     gx <= gx1 && gx <= cx + reach; gx++) {
			const float *cell = j->cells->v + ((size_t)gy * cw + gx) * 4;
			if (cell[0] < 0.5f)
				continue;
			for (int c = 0; c < 3; c++)
				F[3 * n + c] = cell[c + 1] / cell[0];
			n++;
		}
	return n;
}

static void matte_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct matte_job *j = ctx;
	const uint32_t W = j->shot->width, lw = j->f->w, lh = j->f->h;
	const struct plate_model_fit *fit = j->fit;
	const float inv_s = 1.0f / (float)j->s;
	const size_t side = 2 * (size_t)j->near + 1;
	float *cand = malloc(sizeof(float) * 3 * side * side);
	if (!cand)
		return; /* no memory: these rows keep the detection's decision */
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
		uint32_t cand_cx = UINT32_MAX, ncand = 0; /* candidates of the last cell */
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
			size_t i = (size_t)y * W + x;
			float I[3], B[3], F[3], sig2 = 0;
			for (int c = 0; c < 3; c++) {
				I[c] = srow[3 * x + c];
				B[c] = clamp255(fit->gain[c] * m[3 * x + c] + fit->offset[c]);
				sig2 += sq(pr_plate_sigma(j->plate, i, c)) * fit->var_scale;
			}
			const float min_den = sq(MATTE_MIN_CONTRAST) * sig2;
			float best = -1, best_a = 0;
			const uint32_t cx = x / j->s;
			if (cx != cand_cx) {
				ncand = matte_candidates(j, cx, y / j->s, cand);
				cand_cx = cx;
			}
			for (uint32_t k = 0; k < ncand; k++) {
				float a;
				float r2 = composite_fit(I, B, cand + 3 * k, min_den, &a);
				if (r2 >= 0 && (best < 0 || r2 < best)) {
					best = r2;
					best_a = a;
				}
			}
			if (best < 0 || best > sq(MATTE_FIT) * sig2) {
				/* No local colour explains the pixel. Clear object
				 * evidence stays as detected; a pixel near the plate
				 * is judged against the wider average of interior
				 * colours, as a mixed pixel of uncertain colour. */
				float d2 = 0;
				for (int c = 0; c < 3; c++)
					d2 += sq(I[c] - B[c]);
				if (d2 > j->strong2 * sig2)
					continue;
				for (int c = 0; c < 3; c++)
					F[c] = acc[c + 1] / acc[0];
				if (composite_fit(I, B, F, min_den, &best_a) < 0)
					continue;
			}
			j->mask[i] = best_a >= 0.5f ? 255 : 0;
			j->alpha[i] = (uint8_t)(best_a * 255.0f + 0.5f);
		}
	}
	free(cand);
}

int mask_matte(const struct pr_mask_params *p, const struct pr_plate *plate,
	       const struct pr_image *shot, const struct plate_model_fit *fit,
	       const uint8_t *strong, uint8_t *scratch, uint8_t *mask, uint8_t *alpha)
{
	const uint32_t W = shot->width, H = shot->height;
	const size_t npix = (size_t)W * H;
	uint32_t side = W < H ? W : H;
	uint32_t rb = side / 400 < 2 ? 2 : side / 400; /* band half-width */
	uint32_t s = rb / 2 ? rb / 2 : 1;
	uint32_t reach = (4 * rb + s - 1) / s; /* how far to look for object colour, in cells */
	int rc = PR_ENOMEM;
	uint8_t *inner = scratch ? scratch : malloc(npix), *band = malloc(npix);
	struct sums f = { (W + s - 1) / s, (H + s - 1) / s, NULL };
	struct sums cells = { f.w, f.h, NULL };
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
	cells.v = malloc(sizeof(float) * 4 * (size_t)f.w * f.h);
	if (!cells.v)
		goto out;
	memcpy(cells.v, f.v, sizeof(float) * 4 * (size_t)f.w * f.h);
	if (box_sum4(&f, reach, p->threads))
		goto out;
	/* a band pixel is at most 2 rb from the interior (rb outside the
	 * mask, rb of erosion inside) */
	const uint32_t near = (2 * rb + s - 1) / s + 1;
	struct matte_job j = { plate, shot, fit, band, &f, &cells, s, near,
			       (float)(4 * p->tolerance * p->tolerance), mask, alpha };
	pr_parallel_rows_interleaved(p->threads, H, 64, matte_rows, &j); /* the outline is not spread evenly */
	rc = 0;
out:
	if (inner != scratch)
		free(inner);
	free(band);
	free(f.v);
	free(cells.v);
	return rc;
}
