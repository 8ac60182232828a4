/* Soft alpha: the binary mask feathered along the shot's own edges with the
 * guided filter of He, Sun and Tang (2010), in its fast subsampled form (He
 * and Sun, 2015). In a window the output is a linear function of the guide
 * (the shot's luminance), so alpha follows real object edges, including
 * anti-aliased and slightly blurred ones, instead of a fixed blur. Where the
 * mask is constant over a window the output equals the mask exactly.
 *
 * The coefficient planes are computed at 1/s resolution and bilinearly
 * upsampled; the full-resolution work is one multiply-add per pixel. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mask_internal.h"
#include "parallel.h"

#define GUIDED_EPS 1e-3f /* regularisation: edges weaker than ~sqrt(eps) in the guide are smoothed */

struct plane {
	uint32_t w, h;
	float *v;
};

static int plane_alloc(struct plane *p, uint32_t w, uint32_t h)
{
	p->w = w;
	p->h = h;
	p->v = malloc(sizeof(float) * (size_t)w * h);
	return p->v ? 0 : -1;
}

/* Mean over a (2r+1)^2 window clamped to the plane, by running sums. */
static int box_mean(const struct plane *in, struct plane *out, uint32_t r)
{
	const uint32_t w = in->w, h = in->h;
	float *tmp = malloc(sizeof(float) * (size_t)w * h);
	double *acc = malloc(sizeof(double) * ((size_t)(w > h ? w : h) + 1));
	if (!tmp || !acc) {
		free(tmp);
		free(acc);
		return -1;
	}
	for (uint32_t y = 0; y < h; y++) {
		const float *row = in->v + (size_t)y * w;
		acc[0] = 0;
		for (uint32_t x = 0; x < w; x++)
			acc[x + 1] = acc[x] + row[x];
		for (uint32_t x = 0; x < w; x++) {
			uint32_t a = x >= r ? x - r : 0, b = x + r + 1 < w ? x + r + 1 : w;
			tmp[(size_t)y * w + x] = (float)((acc[b] - acc[a]) / (b - a));
		}
	}
	for (uint32_t x = 0; x < w; x++) {
		acc[0] = 0;
		for (uint32_t y = 0; y < h; y++)
			acc[y + 1] = acc[y] + tmp[(size_t)y * w + x];
		for (uint32_t y = 0; y < h; y++) {
			uint32_t a = y >= r ? y - r : 0, b = y + r + 1 < h ? y + r + 1 : h;
			out->v[(size_t)y * w + x] = (float)((acc[b] - acc[a]) / (b - a));
		}
	}
	free(tmp);
	free(acc);
	return 0;
}

static inline float luma(const uint8_t *px)
{
	return (0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) * (1.0f / 255.0f);
}

/* Average s x s blocks of the guide and of the mask. */
static void downsample(const struct pr_image *shot, const uint8_t *mask, uint32_t s,
		       struct plane *gi, struct plane *gp)
{
	const uint32_t W = shot->width, H = shot->height;
	for (uint32_t by = 0; by < gi->h; by++)
		for (uint32_t bx = 0; bx < gi->w; bx++) {
			float si = 0, sp = 0;
			uint32_t n = 0;
			for (uint32_t y = by * s; y < (by + 1) * s && y < H; y++) {
				const uint8_t *row = pr_image_row(shot, y);
				for (uint32_t x = bx * s; x < (bx + 1) * s && x < W; x++, n++) {
					si += luma(row + 3 * x);
					sp += mask[(size_t)y * W + x] * (1.0f / 255.0f);
				}
			}
			gi->v[(size_t)by * gi->w + bx] = si / n;
			gp->v[(size_t)by * gi->w + bx] = sp / n;
		}
}

struct upsample_job {
	const struct pr_image *shot;
	uint8_t *alpha;
	const struct plane *a, *b;
	uint32_t s;
};

/* alpha = A * I + B with A, B bilinearly upsampled from block centres. */
static void upsample_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct upsample_job *j = ctx;
	const uint32_t W = j->shot->width, lw = j->a->w, lh = j->a->h;
	const float inv_s = 1.0f / (float)j->s;
	for (uint32_t y = y0; y < y1; y++) {
		float fy = ((float)y + 0.5f) * inv_s - 0.5f;
		if (fy < 0)
			fy = 0;
		uint32_t iy = (uint32_t)fy;
		if (iy >= lh - 1)
			iy = lh > 1 ? lh - 2 : 0;
		float ty = lh > 1 ? fy - (float)iy : 0;
		if (ty > 1)
			ty = 1;
		uint32_t iy1 = lh > 1 ? iy + 1 : iy;
		const float *a0 = j->a->v + (size_t)iy * lw, *a1 = j->a->v + (size_t)iy1 * lw;
		const float *b0 = j->b->v + (size_t)iy * lw, *b1 = j->b->v + (size_t)iy1 * lw;
		const uint8_t *row = pr_image_row(j->shot, y);
		uint8_t *out = j->alpha + (size_t)y * W;
		for (uint32_t x = 0; x < W; x++) {
			float fx = ((float)x + 0.5f) * inv_s - 0.5f;
			if (fx < 0)
				fx = 0;
			uint32_t ix = (uint32_t)fx;
			if (ix >= lw - 1)
				ix = lw > 1 ? lw - 2 : 0;
			float tx = lw > 1 ? fx - (float)ix : 0;
			if (tx > 1)
				tx = 1;
			uint32_t ix1 = lw > 1 ? ix + 1 : ix;
			float A = (a0[ix] * (1 - tx) + a0[ix1] * tx) * (1 - ty) +
				  (a1[ix] * (1 - tx) + a1[ix1] * tx) * ty;
			float B = (b0[ix] * (1 - tx) + b0[ix1] * tx) * (1 - ty) +
				  (b1[ix] * (1 - tx) + b1[ix1] * tx) * ty;
			float q = A * luma(row + 3 * x) + B;
			/* far from an edge the filter must give the mask back exactly;
			 * rounding of the upsampled planes would otherwise leave 1s and 254s */
			if (q <= 0.02f)
				q = 0;
			else if (q >= 0.98f)
				q = 1;
			out[x] = (uint8_t)(q * 255.0f + 0.5f);
		}
	}
}

int mask_feather(const struct pr_mask_params *p, const struct pr_image *shot,
		 const uint8_t *mask, uint8_t *alpha)
{
	const uint32_t W = shot->width, H = shot->height;
	uint32_t r = p->feather_radius;
	if (r == 0) {
		uint32_t side = W < H ? W : H;
		r = side / 600;
		if (r < 2)
			r = 2;
	}
	uint32_t s = r / 2 ? r / 2 : 1;
	uint32_t rs = (r + s / 2) / s;
	if (rs < 1)
		rs = 1;
	const uint32_t lw = (W + s - 1) / s, lh = (H + s - 1) / s;
	struct plane I = { 0 }, P = { 0 }, mI = { 0 }, mP = { 0 }, tmp = { 0 }, cIP = { 0 },
		     vI = { 0 };
	int rc = PR_ENOMEM;
	if (plane_alloc(&I, lw, lh) || plane_alloc(&P, lw, lh) || plane_alloc(&mI, lw, lh) ||
	    plane_alloc(&mP, lw, lh) || plane_alloc(&tmp, lw, lh) || plane_alloc(&cIP, lw, lh) ||
	    plane_alloc(&vI, lw, lh))
		goto out;
	downsample(shot, mask, s, &I, &P);
	const size_t n = (size_t)lw * lh;
	if (box_mean(&I, &mI, rs) || box_mean(&P, &mP, rs))
		goto out;
	for (size_t i = 0; i < n; i++)
		tmp.v[i] = I.v[i] * P.v[i];
	if (box_mean(&tmp, &cIP, rs))
		goto out;
	for (size_t i = 0; i < n; i++)
		tmp.v[i] = I.v[i] * I.v[i];
	if (box_mean(&tmp, &vI, rs))
		goto out;
	/* a = cov(I,p) / (var(I) + eps), b = mean(p) - a mean(I); reuse planes */
	for (size_t i = 0; i < n; i++) {
		float var = vI.v[i] - mI.v[i] * mI.v[i];
		float cov = cIP.v[i] - mI.v[i] * mP.v[i];
		float a = cov / (var + GUIDED_EPS);
		I.v[i] = a;
		P.v[i] = mP.v[i] - a * mI.v[i];
	}
	if (box_mean(&I, &mI, rs) || box_mean(&P, &mP, rs))
		goto out;
	struct upsample_job j = { shot, alpha, &mI, &mP, s };
	pr_parallel_rows(p->threads, H, upsample_rows, &j);
	rc = 0;
out:
	free(I.v);
	free(P.v);
	free(mI.v);
	free(mP.v);
	free(tmp.v);
	free(cIP.v);
	free(vI.v);
	return rc;
}
