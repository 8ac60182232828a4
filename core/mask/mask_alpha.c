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

/* Mean over a (2r+1)^2 window clamped to the plane, by running sums in
 * double (float prefix sums over 2000 values lose the small differences the
 * filter's variances are made of). Separable: rows, then columns.
 *
 * The row pass splits rows across threads. The column pass splits columns:
 * each thread sweeps its column range down the plane, row by row, keeping
 * two running sums per column (the prefix at the window's lower edge and
 * at its upper edge), so it reads contiguous row segments instead of
 * striding down one column at a time. Both running sums add the same values
 * in the same order as a prefix array would, so the result is exactly the
 * prefix-sum result. in and out may be the same plane; tmp must differ. */
struct box_job {
	const struct plane *in;
	struct plane *tmp, *out;
	uint32_t r;
	int failed;
};

/* dst[x] = mean of the window around x from a row's prefix sums. The
 * interior, where the window is whole, is a plain loop of contiguous loads
 * that vectorises; the clamped ends are done one by one. */
PR_VECTOR_CLONES
static void box_row_out(const double *restrict acc, float *restrict dst, uint32_t w, uint32_t r)
{
	uint32_t lo = r < w ? r : w, hi = w > r + 1 ? w - r - 1 : 0;
	if (hi < lo)
		hi = lo;
	for (uint32_t x = 0; x < lo; x++) {
		uint32_t b = x + r + 1 < w ? x + r + 1 : w;
		dst[x] = (float)((acc[b] - acc[0]) / b);
	}
	const double n = 2 * r + 1;
	for (size_t x = lo; x < hi; x++)
		dst[x] = (float)((acc[x + r + 1] - acc[x - r]) / n);
	for (uint32_t x = hi; x < w; x++) {
		uint32_t a = x >= r ? x - r : 0, b = x + r + 1 < w ? x + r + 1 : w;
		dst[x] = (float)((acc[b] - acc[a]) / (b - a));
	}
}

/* Prefix sums are a chain of dependent additions: four rows at a time keep
 * four chains in flight instead of waiting on one. */
#define BOX_ROWS_AT_ONCE 4

static void box_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	struct box_job *j = ctx;
	const uint32_t w = j->in->w, r = j->r;
	const size_t stride = (size_t)w + 1;
	double *acc = malloc(sizeof(double) * stride * BOX_ROWS_AT_ONCE);
	if (!acc) {
		j->failed = 1;
		return;
	}
	double *restrict a0 = acc, *restrict a1 = acc + stride, *restrict a2 = acc + 2 * stride,
			 *restrict a3 = acc + 3 * stride;
	uint32_t y = y0;
	for (; y + BOX_ROWS_AT_ONCE <= y1; y += BOX_ROWS_AT_ONCE) {
		const float *restrict r0 = j->in->v + (size_t)y * w, *restrict r1 = r0 + w,
				      *restrict r2 = r1 + w, *restrict r3 = r2 + w;
		a0[0] = a1[0] = a2[0] = a3[0] = 0;
		for (size_t x = 0; x < w; x++) {
			a0[x + 1] = a0[x] + r0[x];
			a1[x + 1] = a1[x] + r1[x];
			a2[x + 1] = a2[x] + r2[x];
			a3[x + 1] = a3[x] + r3[x];
		}
		for (uint32_t k = 0; k < BOX_ROWS_AT_ONCE; k++)
			box_row_out(acc + k * stride, j->tmp->v + (size_t)(y + k) * w, w, r);
	}
	for (; y < y1; y++) {
		const float *restrict row = j->in->v + (size_t)y * w;
		a0[0] = 0;
		for (size_t x = 0; x < w; x++)
			a0[x + 1] = a0[x] + row[x];
		box_row_out(a0, j->tmp->v + (size_t)y * w, w, r);
	}
	free(acc);
}

/* The column sweep's two vector loops, with AVX2 clones: four doubles a
 * step instead of two. */
PR_VECTOR_CLONES
static void add_row(double *restrict acc, const float *restrict row, size_t n)
{
	for (size_t x = 0; x < n; x++)
		acc[x] += row[x];
}

PR_VECTOR_CLONES
static void emit_row(float *restrict dst, const double *restrict lead,
		     const double *restrict trail, double count, size_t n)
{
	/* divided, not multiplied by 1/count: as a prefix sum would be */
	for (size_t x = 0; x < n; x++)
		dst[x] = (float)((lead[x] - trail[x]) / count);
}

/* here "rows" are columns: pr_parallel_rows only splits a range */
static void box_cols(void *ctx, uint32_t x0, uint32_t x1)
{
	struct box_job *j = ctx;
	const uint32_t w = j->in->w, h = j->in->h, r = j->r, n = x1 - x0;
	double *lead = malloc(sizeof(double) * 2 * ((size_t)n + 1));
	if (!lead) {
		j->failed = 1;
		return;
	}
	double *trail = lead + n + 1;
	const float *src = j->tmp->v + x0;
	for (size_t x = 0; x < n; x++)
		lead[x] = trail[x] = 0;
	uint32_t a_at = 0, b_at = 0; /* rows summed into trail and lead */
	for (uint32_t y = 0; y < h; y++) {
		uint32_t a = y >= r ? y - r : 0, b = y + r + 1 < h ? y + r + 1 : h;
		for (; b_at < b; b_at++)
			add_row(lead, src + (size_t)b_at * w, n);
		for (; a_at < a; a_at++)
			add_row(trail, src + (size_t)a_at * w, n);
		emit_row(j->out->v + (size_t)y * w + x0, lead, trail, (double)(b - a), n);
	}
	free(lead);
}

static int box_mean(const struct plane *in, struct plane *out, struct plane *tmp, uint32_t r,
		    int threads)
{
	struct box_job j = { in, tmp, out, r, 0 };
	pr_parallel_rows(threads, in->h, box_rows, &j);
	if (!j.failed)
		pr_parallel_rows(threads, in->w, box_cols, &j);
	return j.failed ? -1 : 0;
}

static inline float luma(const uint8_t *px)
{
	return (0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) * (1.0f / 255.0f);
}

/* Average s x s blocks of the guide and of the mask, block rows split
 * across threads. Each row's luma is computed in one vector-wide loop
 * first; the block sums then add the same values in the same order as a
 * pixel-by-pixel walk of each block (row by row, left to right). */
struct down_job {
	const struct pr_image *shot;
	const uint8_t *mask;
	uint32_t s;
	struct plane *gi, *gp;
	int failed;
};

static void luma_row(const uint8_t *restrict px, size_t w, float *restrict out)
{
	for (size_t x = 0; x < w; x++)
		out[x] = (0.299f * px[3 * x] + 0.587f * px[3 * x + 1] + 0.114f * px[3 * x + 2]) *
			 (1.0f / 255.0f);
}

/* Add one row to the running sums of nb whole blocks of s pixels. */
static inline void block_sums(const float *restrict lum, const uint8_t *restrict m, size_t nb,
			      uint32_t s, float *restrict si, float *restrict sp)
{
	for (size_t bx = 0; bx < nb; bx++) {
		float a = si[bx], b = sp[bx];
		for (uint32_t k = 0; k < s; k++) {
			a += lum[bx * s + k];
			b += m[bx * s + k] * (1.0f / 255.0f);
		}
		si[bx] = a;
		sp[bx] = b;
	}
}

/* The luma of a row and its block sums; the block sizes the default radius
 * gives from 6 to 100 MP are spelled out, so that the compiler sees a
 * constant block size and can run the block loop vector-wide. */
PR_VECTOR_CLONES
static void downsample_row(const uint8_t *restrict px, const uint8_t *restrict m, uint32_t W,
			   uint32_t s, float *restrict lum, float *restrict si, float *restrict sp)
{
	const size_t nb = W / s;
	luma_row(px, W, lum);
	switch (s) {
	case 1: block_sums(lum, m, nb, 1, si, sp); break;
	case 2: block_sums(lum, m, nb, 2, si, sp); break;
	case 3: block_sums(lum, m, nb, 3, si, sp); break;
	case 4: block_sums(lum, m, nb, 4, si, sp); break;
	case 5: block_sums(lum, m, nb, 5, si, sp); break;
	default: block_sums(lum, m, nb, s, si, sp); break;
	}
	/* the last, partial block */
	if (nb * s < W) {
		float a = si[nb], b = sp[nb];
		for (size_t x = nb * s; x < W; x++) {
			a += lum[x];
			b += m[x] * (1.0f / 255.0f);
		}
		si[nb] = a;
		sp[nb] = b;
	}
}

static void downsample_rows(void *ctx, uint32_t by0, uint32_t by1)
{
	struct down_job *j = ctx;
	const uint32_t W = j->shot->width, H = j->shot->height, s = j->s, lw = j->gi->w;
	float *buf = malloc(sizeof(float) * ((size_t)W + 2 * (size_t)lw));
	if (!buf) {
		j->failed = 1;
		return;
	}
	float *lum = buf, *si = buf + W, *sp = si + lw;
	for (uint32_t by = by0; by < by1; by++) {
		uint32_t ye = (by + 1) * s < H ? (by + 1) * s : H;
		for (uint32_t bx = 0; bx < lw; bx++)
			si[bx] = sp[bx] = 0;
		for (uint32_t y = by * s; y < ye; y++)
			downsample_row(pr_image_row(j->shot, y), j->mask + (size_t)y * W, W, s, lum, si,
				       sp);
		for (uint32_t bx = 0; bx < lw; bx++) {
			uint32_t xe = (bx + 1) * s < W ? (bx + 1) * s : W;
			uint32_t n = (ye - by * s) * (xe - bx * s);
			j->gi->v[(size_t)by * lw + bx] = si[bx] / n;
			j->gp->v[(size_t)by * lw + bx] = sp[bx] / n;
		}
	}
	free(buf);
}

/* Where alpha is decided by the filter alone: a cell whose coefficients are
 * exactly A = 0, B = 0 or 1 gives q = B whatever the guide says, and the
 * snapping below turns any interpolation of such cells into exactly 0 or
 * 255. Far from the outline (most of the frame) whole runs of pixels are
 * therefore written with memset; only pixels near a non-flat cell are
 * computed. */
static inline int flat_value(float a, float b)
{
	return a == 0.0f ? (b == 0.0f ? 0 : (b == 1.0f ? 255 : -1)) : -1;
}

struct upsample_job {
	const struct pr_image *shot;
	uint8_t *alpha;
	const struct plane *a, *b;
	uint32_t s;
	const uint32_t *ix;     /* per pixel column: left cell */
	const float *tx;        /* per pixel column: weight of the right cell */
	const uint32_t *xstart; /* per cell column: first pixel column whose left cell it is */
	int failed;
};

/* Where full-resolution pixel p falls among the n cells of 1/s
 * resolution: the cell i to its left (or above) and the weight t of cell
 * i + 1, for bilinear interpolation between cell centres, clamped at the
 * edges. */
static void cell_coord(uint32_t p, float inv_s, uint32_t n, uint32_t *i, float *t)
{
	float f = ((float)p + 0.5f) * inv_s - 0.5f;
	if (f < 0)
		f = 0;
	uint32_t c = (uint32_t)f;
	if (c >= n - 1)
		c = n > 1 ? n - 2 : 0;
	float w = n > 1 ? f - (float)c : 0;
	*i = c;
	*t = w > 1 ? 1 : w;
}

/* alpha = A * I + B with A, B bilinearly upsampled from block centres. */
static void upsample_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	struct upsample_job *j = ctx;
	const uint32_t W = j->shot->width, lw = j->a->w, lh = j->a->h;
	const float inv_s = 1.0f / (float)j->s;
	int *rv = malloc(sizeof(int) * lw);
	if (!rv) {
		j->failed = 1;
		return;
	}
	for (uint32_t y = y0; y < y1; y++) {
		uint32_t iy;
		float ty;
		cell_coord(y, inv_s, lh, &iy, &ty);
		uint32_t iy1 = lh > 1 ? iy + 1 : iy;
		const float *a0 = j->a->v + (size_t)iy * lw, *a1 = j->a->v + (size_t)iy1 * lw;
		const float *b0 = j->b->v + (size_t)iy * lw, *b1 = j->b->v + (size_t)iy1 * lw;
		const uint8_t *row = pr_image_row(j->shot, y);
		uint8_t *out = j->alpha + (size_t)y * W;
		for (uint32_t c = 0; c < lw; c++) {
			int v0 = flat_value(a0[c], b0[c]);
			rv[c] = v0 == flat_value(a1[c], b1[c]) ? v0 : -1;
		}
		for (uint32_t c = 0; c < lw;) {
			uint32_t c1 = c + 1 < lw ? c + 1 : c, ce = c + 1;
			int v = rv[c];
			if (v >= 0 && rv[c1] == v) {
				/* extend over following columns that are flat alike */
				while (ce < lw && rv[ce] == v && rv[ce + 1 < lw ? ce + 1 : ce] == v)
					ce++;
				memset(out + j->xstart[c], v, j->xstart[ce] - j->xstart[c]);
				c = ce;
				continue;
			}
			for (uint32_t x = j->xstart[c]; x < j->xstart[ce]; x++) {
				uint32_t ix = j->ix[x], ix1 = lw > 1 ? ix + 1 : ix;
				float tx = j->tx[x];
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
			c = ce;
		}
	}
	free(rv);
}

/* The horizontal interpolation depends on the column only: computed once. */
static int column_weights(uint32_t W, uint32_t lw, uint32_t s, uint32_t **ix_out, float **tx_out,
			  uint32_t **xstart_out)
{
	uint32_t *ix = malloc(sizeof(uint32_t) * W), *xstart = malloc(sizeof(uint32_t) * (lw + 1));
	float *tx = malloc(sizeof(float) * W);
	*ix_out = ix;
	*tx_out = tx;
	*xstart_out = xstart;
	if (!ix || !tx || !xstart)
		return -1;
	const float inv_s = 1.0f / (float)s;
	for (uint32_t x = 0; x < W; x++) {
		cell_coord(x, inv_s, lw, &ix[x], &tx[x]);
	}
	/* ix never decreases with x: the pixels of cell column c are
	 * [xstart[c], xstart[c + 1]) */
	uint32_t x = 0;
	for (uint32_t c = 0; c <= lw; c++) {
		while (x < W && ix[x] < c)
			x++;
		xstart[c] = x;
	}
	return 0;
}

struct combine_job {
	struct plane *I, *P;
	const struct plane *mI, *mP, *cIP, *vI;
	int square; /* 0: cIP = I * P, vI = I * I; 1: the coefficients */
};

/* Elementwise steps of the filter, split across threads like the rest. */
static void combine_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct combine_job *j = ctx;
	const size_t from = (size_t)y0 * j->I->w, to = (size_t)y1 * j->I->w;
	float *restrict I = j->I->v, *restrict P = j->P->v;
	float *restrict cIP = j->cIP->v, *restrict vI = j->vI->v;
	const float *restrict mI = j->mI->v, *restrict mP = j->mP->v;
	if (!j->square) {
		for (size_t i = from; i < to; i++) {
			cIP[i] = I[i] * P[i];
			vI[i] = I[i] * I[i];
		}
		return;
	}
	/* a = cov(I,p) / (var(I) + eps), b = mean(p) - a mean(I); reuse planes */
	for (size_t i = from; i < to; i++) {
		float var = vI[i] - mI[i] * mI[i];
		float cov = cIP[i] - mI[i] * mP[i];
		float a = cov / (var + GUIDED_EPS);
		I[i] = a;
		P[i] = mP[i] - a * mI[i];
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
	uint32_t *ix = NULL, *xstart = NULL;
	float *tx = NULL;
	int rc = PR_ENOMEM;
	if (plane_alloc(&I, lw, lh) || plane_alloc(&P, lw, lh) || plane_alloc(&mI, lw, lh) ||
	    plane_alloc(&mP, lw, lh) || plane_alloc(&tmp, lw, lh) || plane_alloc(&cIP, lw, lh) ||
	    plane_alloc(&vI, lw, lh) || column_weights(W, lw, s, &ix, &tx, &xstart))
		goto out;
	struct down_job dj = { shot, mask, s, &I, &P, 0 };
	pr_parallel_rows(p->threads, lh, downsample_rows, &dj);
	if (dj.failed)
		goto out;
	struct combine_job cj = { &I, &P, &mI, &mP, &cIP, &vI, 0 };
	pr_parallel_rows(p->threads, lh, combine_rows, &cj);
	/* the products are filtered in place */
	if (box_mean(&I, &mI, &tmp, rs, p->threads) || box_mean(&P, &mP, &tmp, rs, p->threads) ||
	    box_mean(&cIP, &cIP, &tmp, rs, p->threads) || box_mean(&vI, &vI, &tmp, rs, p->threads))
		goto out;
	cj.square = 1;
	pr_parallel_rows(p->threads, lh, combine_rows, &cj);
	if (box_mean(&I, &mI, &tmp, rs, p->threads) || box_mean(&P, &mP, &tmp, rs, p->threads))
		goto out;
	struct upsample_job j = { shot, alpha, &mI, &mP, s, ix, tx, xstart, 0 };
	pr_parallel_rows_interleaved(p->threads, H, 64, upsample_rows, &j); /* edges are not spread evenly */
	rc = j.failed ? PR_ENOMEM : 0;
out:
	free(I.v);
	free(P.v);
	free(mI.v);
	free(mP.v);
	free(tmp.v);
	free(cIP.v);
	free(vI.v);
	free(ix);
	free(tx);
	free(xstart);
	return rc;
}
