/* Method `plate`: classify every pixel of a shot against its plate model.
 *
 * The plate predicts each background pixel as gain * mean + offset (the
 * drift fit of mask_drift.c). The squared distance of the shot from that
 * prediction is divided by the variance the pixel may show while still being
 * background:
 *
 *     var = sigma^2 * (1 + 1/frames)          shot noise + noise of the mean
 *         + (edge_shift * |grad plate|)^2     sub-pixel shake on edges
 *
 * so the result is in noise units and one tolerance fits every camera. A
 * pixel beyond tolerance is strong evidence of the object; beyond tolerance *
 * hysteresis it is weak evidence, kept only where it connects to strong
 * evidence (mask_components.c).
 *
 * Shadow suppression follows Horprasert, Harwood and Davis (1999): the
 * brightness distortion alpha = (s.p)/(p.p) scales the prediction to the
 * shot, the chromaticity distortion |s - alpha p| is what scaling cannot
 * explain. A pixel darker than its plate (shadow_min <= alpha < 1) whose
 * colour is the plate's, scaled, is shadow: background.
 *
 * Colour alone cannot tell a shadow from a darker object of the same hue (a
 * brown vase before a beige wall), so a candidate must also keep the
 * background's texture: where the plate has texture around the pixel, the
 * shot's local gradients must follow the plate's, scaled by the same
 * brightness ratio. An object hides that texture; a shadow does not. Where
 * the plate is flat there is no texture to check and colour decides. A
 * shadow's shading is smooth, too: a pixel much darker than the pixels two
 * steps away on both sides is a stem or a wire, not a shadow.
 * There, a shadow must lie on lit background: candidates enclosed by the
 * object are the object (mask_resolve_shadows). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mask_internal.h"
#include "parallel.h"

/* Chromaticity distortion a shadow may show, as a fraction of its
 * brightness: shadows lit by fill light shift hue slightly, but a darker
 * object of a nearby hue (a grey vase's shaded side before a grey wall)
 * differs by more: at 6% such a side was taken for shadow (generated seed
 * 303: F 0.963), at 3% it is not (F 0.990); the real leaves pair is the
 * same either way (F 0.981). */
#define SHADOW_CHROMA_SLACK 0.03f
/* ... plus this many noise units per channel. */
#define SHADOW_NOISE_SLACK 2.5f

/* Texture test window radius and thresholds */
#define TEX_RADIUS 2
#define TEX_MIN_ENERGY 3.0f   /* plate gradient energy, in noise variances per pixel */
#define TEX_MIN_CORR 0.5f     /* correlation of shot and plate gradients */
#define SHADE_STEP 2          /* neighbours this far away are compared... */
#define SHADE_AGREE 0.15f     /* ...and agree within this brightness ratio */

struct classify_job {
	const struct pr_mask_params *p;
	const struct pr_plate *plate;
	const struct pr_image *shot;
	const struct plate_model_fit *fit;
	uint8_t *classes;
	float strong2, weak2; /* squared thresholds on the normalised distance */
	float shift2;
};

/* Gradient magnitude of the plate's green channel (central differences,
 * L1), used to allow for misregistration on background edges. The interior
 * is one branch-free loop (it vectorises); the two edge columns clamp. */
PR_VECTOR_CLONES
static void plate_gradient_row(const struct pr_plate *pl, uint32_t y, float *restrict grad)
{
	const uint32_t w = pl->width;
	const uint8_t *restrict row = pl->mean + (size_t)y * w * 3;
	const uint8_t *restrict up = pl->mean + (size_t)(y > 0 ? y - 1 : y) * w * 3;
	const uint8_t *restrict dn = pl->mean + (size_t)(y + 1 < pl->height ? y + 1 : y) * w * 3;
	for (size_t x = 1; x + 1 < w; x++) {
		int gx = row[3 * x + 4] - row[3 * x - 2];
		int gy = dn[3 * x + 1] - up[3 * x + 1];
		grad[x] = 0.5f * (float)(abs(gx) + abs(gy));
	}
	for (uint32_t x = 0; x < w; x += w > 1 ? w - 1 : 1) {
		uint32_t l = x > 0 ? x - 1 : x, r = x + 1 < w ? x + 1 : x;
		int gx = row[3 * r + 1] - row[3 * l + 1];
		int gy = dn[3 * x + 1] - up[3 * x + 1];
		grad[x] = 0.5f * (float)(abs(gx) + abs(gy));
	}
}

/* Brightness ratio of shot to predicted background at (x, y). */
static float brightness_ratio(const struct classify_job *j, uint32_t x, uint32_t y)
{
	const uint8_t *s = pr_image_row(j->shot, y) + 3 * x;
	const uint8_t *m = j->plate->mean + ((size_t)y * j->plate->width + x) * 3;
	float sp = 0, pp = 1e-3f;
	for (int c = 0; c < 3; c++) {
		float p = clamp255(j->fit->gain[c] * m[c] + j->fit->offset[c]);
		sp += s[c] * p;
		pp += p * p;
	}
	return sp / pp;
}

/* Shadow candidates come in dense regions, and neighbouring candidates look
 * at the same pixels: the gradient products of the texture test and the
 * brightness ratios of the shading test are kept per pixel for the rows
 * around the current one, computed the first time a window needs them.
 * Sums over a window still add the same values in the same order, so the
 * decisions are exactly those of computing everything in place. */
#define CACHE_ROWS (2 * TEX_RADIUS + 1)
_Static_assert(SHADE_STEP <= TEX_RADIUS, "the shading test's rows must be in the cache");

enum { HAVE_TERMS = 1, HAVE_RATIO = 2 };

struct shade_cache {
	uint32_t row[CACHE_ROWS]; /* image row in each slot, UINT32_MAX for none */
	uint8_t *have[CACHE_ROWS];
	float *ep[CACHE_ROWS], *es[CACHE_ROWS], *cross[CACHE_ROWS], *ratio[CACHE_ROWS];
	void *mem;
};

static int shade_cache_init(struct shade_cache *c, uint32_t w)
{
	c->mem = malloc((sizeof(float) * 4 + 1) * CACHE_ROWS * (size_t)w);
	if (!c->mem)
		return -1;
	float *f = c->mem;
	uint8_t *b = (uint8_t *)(f + (size_t)4 * CACHE_ROWS * w);
	for (int k = 0; k < CACHE_ROWS; k++) {
		c->row[k] = UINT32_MAX;
		c->ep[k] = f + (size_t)(4 * k) * w;
		c->es[k] = c->ep[k] + w;
		c->cross[k] = c->es[k] + w;
		c->ratio[k] = c->cross[k] + w;
		c->have[k] = b + (size_t)k * w;
	}
	return 0;
}

static int cache_slot(struct shade_cache *c, uint32_t y, uint32_t w)
{
	const int k = (int)(y % CACHE_ROWS);
	if (c->row[k] != y) {
		c->row[k] = y;
		memset(c->have[k], 0, w);
	}
	return k;
}

static float cached_ratio(const struct classify_job *j, struct shade_cache *c, uint32_t x,
			  uint32_t y)
{
	const int k = cache_slot(c, y, j->plate->width);
	if (!(c->have[k][x] & HAVE_RATIO)) {
		c->ratio[k][x] = brightness_ratio(j, x, y);
		c->have[k][x] |= HAVE_RATIO;
	}
	return c->ratio[k][x];
}

/* Shading by a shadow is smooth: the brightness ratio of a shadow pixel is
 * shared by most pixels around it. A stem, a wire or a dark outline is
 * darker than the background on both sides of it: no shadow. */
static int smooth_shading(const struct classify_job *j, struct shade_cache *c, uint32_t x,
			  uint32_t y, float a)
{
	const uint32_t w = j->plate->width, h = j->plate->height;
	const int32_t off[4][2] = { { -SHADE_STEP, 0 }, { SHADE_STEP, 0 }, { 0, -SHADE_STEP },
				    { 0, SHADE_STEP } };
	int agree = 0;
	for (int k = 0; k < 4; k++) {
		int64_t nx = (int64_t)x + off[k][0], ny = (int64_t)y + off[k][1];
		if (nx < 0 || ny < 0 || nx >= w || ny >= h) {
			agree++; /* the frame's edge says nothing against it */
			continue;
		}
		agree += fabsf(cached_ratio(j, c, (uint32_t)nx, (uint32_t)ny) - a) <= SHADE_AGREE;
	}
	return agree >= 3;
}

/* Does the shot keep the plate's texture around (x, y)? Green channel,
 * central differences over a (2r+1)^2 window. Returns TEXTURE_KEPT,
 * TEXTURE_LOST, or TEXTURE_NONE where the plate is flat there. */
enum { TEXTURE_NONE, TEXTURE_KEPT, TEXTURE_LOST };

static int texture_test(const struct classify_job *j, struct shade_cache *cache, uint32_t x,
			uint32_t y, float a, float noise2)
{
	const struct pr_plate *pl = j->plate;
	const uint32_t w = pl->width, h = pl->height;
	const float g = j->fit->gain[1];
	if (x < TEX_RADIUS + 1 || y < TEX_RADIUS + 1 || x + TEX_RADIUS + 1 >= w ||
	    y + TEX_RADIUS + 1 >= h)
		return TEXTURE_NONE;
	float ep = 0, es = 0, cross = 0;
	const size_t sstride = j->shot->stride, pstride = (size_t)w * 3;
	for (uint32_t yy = y - TEX_RADIUS; yy <= y + TEX_RADIUS; yy++) {
		const int k = cache_slot(cache, yy, w);
		uint8_t *have = cache->have[k];
		float *tep = cache->ep[k], *tes = cache->es[k], *tcross = cache->cross[k];
		const uint8_t *s = pr_image_row(j->shot, yy) + 1;
		const uint8_t *m = pl->mean + yy * pstride + 1;
		for (uint32_t xx = x - TEX_RADIUS; xx <= x + TEX_RADIUS; xx++) {
			if (!(have[xx] & HAVE_TERMS)) {
				size_t l = 3 * (xx - 1), r = 3 * (xx + 1), c = 3 * xx;
				float pgx = g * (float)(m[r] - m[l]),
				      pgy = g * (float)(m[c + pstride] - m[c - pstride]);
				float sgx = (float)(s[r] - s[l]), sgy = (float)(s[c + sstride] - s[c - sstride]);
				tep[xx] = pgx * pgx + pgy * pgy;
				tes[xx] = sgx * sgx + sgy * sgy;
				tcross[xx] = sgx * pgx + sgy * pgy;
				have[xx] |= HAVE_TERMS;
			}
			ep += tep[xx];
			es += tes[xx];
			cross += tcross[xx];
		}
	}
	const float n = (2 * TEX_RADIUS + 1) * (2 * TEX_RADIUS + 1);
	/* a difference of two noisy samples has variance 2 sigma^2, per axis */
	if (ep < TEX_MIN_ENERGY * 4.0f * noise2 * n)
		return TEXTURE_NONE;
	if (cross <= 0)
		return TEXTURE_LOST;
	/* shadow: shot gradients = a * plate gradients, plus noise */
	float corr = cross / sqrtf(ep * es + 1e-6f);
	float ratio = es / (a * a * ep + 1e-6f);
	return corr >= TEX_MIN_CORR && ratio > 0.25f && ratio < 4.0f ? TEXTURE_KEPT : TEXTURE_LOST;
}

/* The noise variance each pixel of a row may show while still background,
 * and how far the plate's own noise spreads its 3x3 range (about 1.5
 * sigma of the plate's value for the largest or least of nine). */
#define RANGE_NOISE 2.0f
static void variance_row(const struct classify_job *j, uint32_t y, const float *restrict grad,
			 float *restrict var, float *restrict shrink)
{
	const float mean_sd = RANGE_NOISE / sqrtf((float)j->plate->frames);
	for (uint32_t x = 0; x < j->plate->width; x++)
		shrink[x] = mean_sd * pr_plate_sigma(j->plate, (size_t)y * j->plate->width + x, 1);
	const struct pr_plate *pl = j->plate;
	const struct plate_model_fit *f = j->fit;
	const uint32_t w = pl->width;
	const float shift2 = j->shift2 * sq(f->gain[1]);
	if (pl->noise) {
		const float nscale = f->var_scale / (PR_PLATE_NOISE_SCALE * PR_PLATE_NOISE_SCALE);
		const float floor2 = f->var_scale * sq(PR_PLATE_NOISE_FLOOR);
		const uint8_t *restrict nz = pl->noise + (size_t)y * w;
		for (size_t x = 0; x < w; x++) {
			float v = (float)(nz[x] * nz[x]) * nscale;
			var[x] = (v < floor2 ? floor2 : v) + shift2 * grad[x] * grad[x];
		}
	} else {
		const float gvar = f->var_scale *
				   (sq(pl->global_noise[0]) + sq(pl->global_noise[1]) +
				    sq(pl->global_noise[2])) / 3.0f;
		for (size_t x = 0; x < w; x++)
			var[x] = gvar + shift2 * grad[x] * grad[x];
	}
}

/* The plate's range around each pixel of a row, per channel: the least
 * and greatest value of its 3x3 neighbourhood. A shot pixel inside that
 * range is no farther from the background than the camera shaking by a
 * pixel, or a leaf moving by one, would make it: on fine texture (foliage,
 * fabric) that is most of what differs between two pictures of the same
 * background, and on flat background the range is the plate's own noise. */
PR_VECTOR_CLONES
static void plate_range_row(const struct pr_plate *pl, uint32_t y, uint8_t *restrict lo,
			    uint8_t *restrict hi)
{
	const size_t w3 = (size_t)pl->width * 3;
	const uint8_t *restrict r0 = pl->mean + (size_t)(y > 0 ? y - 1 : y) * w3;
	const uint8_t *restrict r1 = pl->mean + (size_t)y * w3;
	const uint8_t *restrict r2 = pl->mean + (size_t)(y + 1 < pl->height ? y + 1 : y) * w3;
	/* vertical first, into lo/hi, then horizontal in place through a
	 * lag of one pixel */
	for (size_t i = 0; i < w3; i++) {
		uint8_t a = r0[i], b = r1[i], c = r2[i];
		uint8_t mn = a < b ? a : b, mx = a > b ? a : b;
		lo[i] = mn < c ? mn : c;
		hi[i] = mx > c ? mx : c;
	}
	uint8_t pl_[3], ph[3];
	for (int c = 0; c < 3; c++) {
		pl_[c] = lo[c];
		ph[c] = hi[c];
	}
	for (size_t i = 0; i + 3 < w3; i += 3)
		for (int c = 0; c < 3; c++) {
			uint8_t cl = lo[i + c], ch = hi[i + c], nl = lo[i + 3 + c], nh = hi[i + 3 + c];
			uint8_t l = pl_[c] < cl ? pl_[c] : cl, h = ph[c] > ch ? ph[c] : ch;
			lo[i + c] = l < nl ? l : nl;
			hi[i + c] = h > nh ? h : nh;
			pl_[c] = cl;
			ph[c] = ch;
		}
	if (w3 >= 3)
		for (int c = 0; c < 3; c++) {
			size_t i = w3 - 3 + (size_t)c;
			lo[i] = pl_[c] < lo[i] ? pl_[c] : lo[i];
			hi[i] = ph[c] > hi[i] ? ph[c] : hi[i];
		}
}

/* Every pixel of a row: strong / weak / background from the normalised
 * distance alone: the distance of the shot from the predicted plate range
 * of its neighbourhood (zero inside it). No branches and no shadow test
 * here, so the loop runs vector-wide; the few changed pixels get the shadow
 * test afterwards. This and the guided filter's upsampling are the hottest
 * loops of masking, hence the AVX2 clone. */
PR_VECTOR_CLONES
static void distance_row(const uint8_t *restrict s, const uint8_t *restrict m,
			 const uint8_t *restrict lo, const uint8_t *restrict hi,
			 const float *restrict var, const float *restrict shrink, uint32_t w,
			 const struct plate_model_fit *f, float weak2, float strong2,
			 uint8_t *restrict out)
{
	const float g[3] = { f->gain[0], f->gain[1], f->gain[2] };
	const float o[3] = { f->offset[0], f->offset[1], f->offset[2] };
	for (size_t x = 0; x < w; x++) {
		float d2 = 0, c2 = 0;
		for (int c = 0; c < 3; c++) {
			/* the range less what the plate's own noise spreads it by
			 * (a flat background's range is the pixel itself) */
			const float mc = m[3 * x + c];
			float l = (float)lo[3 * x + c] + shrink[x], h = (float)hi[3 * x + c] - shrink[x];
			l = l < mc ? l : mc;
			h = h > mc ? h : mc;
			/* the shot clips at 255 (and 0) like the camera: so must
			 * the prediction, or every bright background pixel of a
			 * shot brighter than its plate looks changed */
			const float pl = clamp255(g[c] * l + o[c]);
			const float ph = clamp255(g[c] * h + o[c]);
			const float pc = clamp255(g[c] * mc + o[c]);
			const float v = s[3 * x + c];
			const float below = pl - v, above = v - ph;
			const float d = below > 0 ? below : (above > 0 ? above : 0);
			d2 += d * d;
			c2 += (v - pc) * (v - pc);
		}
		const float lim = var[x] * 3.0f; /* 3 channels */
		/* strong evidence must be out of the range; weak evidence,
		 * which only grows strong evidence, is measured from the
		 * pixel's own plate value as before */
		out[x] = (uint8_t)((c2 > weak2 * lim) + (d2 > strong2 * lim && c2 > weak2 * lim));
	}
}

/* Changed pixels of a row that may be shadow: darker than the prediction
 * with its chromaticity, and (where the plate has texture) its texture. */
static void shadow_row(const struct classify_job *j, struct shade_cache *cache, uint32_t y,
		       const float *restrict var, uint8_t *restrict out)
{
	const struct plate_model_fit *f = j->fit;
	const uint32_t w = j->plate->width;
	const uint8_t *s = pr_image_row(j->shot, y);
	const uint8_t *m = j->plate->mean + (size_t)y * w * 3;
	const float amin = (float)j->p->shadow_min;
	for (uint32_t x = 0; x < w; x++) {
		/* most of a row is background: skip it eight pixels at a time */
		uint64_t eight;
		if (x + 8 <= w && (memcpy(&eight, out + x, 8), eight == 0)) {
			x += 7;
			continue;
		}
		if (!out[x])
			continue;
		const float pr = clamp255(f->gain[0] * m[3 * x] + f->offset[0]),
			    pg = clamp255(f->gain[1] * m[3 * x + 1] + f->offset[1]),
			    pb = clamp255(f->gain[2] * m[3 * x + 2] + f->offset[2]);
		const float sr = s[3 * x], sg = s[3 * x + 1], sb = s[3 * x + 2];
		const float lim = var[x] * 3.0f;
		const float sp = sr * pr + sg * pg + sb * pb;
		const float pp = pr * pr + pg * pg + pb * pb + 1e-3f;
		const float a = sp / pp;
		const float cd2 = (sr * sr + sg * sg + sb * sb) - a * sp;
		const float slack = sq(SHADOW_NOISE_SLACK) * lim + sq(SHADOW_CHROMA_SLACK * a) * pp;
		if (a >= amin && a < 1.0f && cd2 <= slack && smooth_shading(j, cache, x, y, a)) {
			int tex = texture_test(j, cache, x, y, a, var[x]);
			/* texture seen through: surely shadow; no texture to
			 * see: the region decides */
			if (tex == TEXTURE_KEPT)
				out[x] = CLASS_BACKGROUND;
			else if (tex == TEXTURE_NONE)
				out[x] = CLASS_SHADOW;
		}
	}
}

static void classify_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct classify_job *j = ctx;
	const struct pr_plate *pl = j->plate;
	const uint32_t w = pl->width;
	/* scratch rows per band, not per row */
	float *grad = malloc(sizeof(float) * w);
	float *var = malloc(sizeof(float) * w * 2), *shrink = var + w;
	uint8_t *lo = malloc((size_t)w * 6), *hi = lo + (size_t)w * 3;
	struct shade_cache cache;
	if (shade_cache_init(&cache, w) || !grad || !var || !lo) {
		/* no memory for scratch rows: call everything background rather
		 * than guess; the caller sees an empty mask, never a crash */
		memset(j->classes + (size_t)y0 * w, CLASS_BACKGROUND, (size_t)(y1 - y0) * w);
		free(grad);
		free(var);
		free(lo);
		free(cache.mem);
		return;
	}
	for (uint32_t y = y0; y < y1; y++) {
		uint8_t *out = j->classes + (size_t)y * w;
		if (j->shift2 > 0)
			plate_gradient_row(pl, y, grad);
		else
			memset(grad, 0, sizeof(float) * w);
		variance_row(j, y, grad, var, shrink);
		plate_range_row(pl, y, lo, hi);
		distance_row(pr_image_row(j->shot, y), pl->mean + (size_t)y * w * 3, lo, hi, var,
			     shrink, w, j->fit, j->weak2, j->strong2, out);
		if (j->p->shadow)
			shadow_row(j, &cache, y, var, out);
	}
	free(grad);
	free(var);
	free(lo);
	free(cache.mem);
}

void mask_classify_plate(const struct pr_mask_params *p, const struct pr_plate *plate,
			 const struct pr_image *shot, const struct plate_model_fit *fit,
			 uint8_t *classes)
{
	struct classify_job j = {
		.p = p, .plate = plate, .shot = shot, .fit = fit, .classes = classes,
		.strong2 = (float)sq((float)p->tolerance),
		.weak2 = (float)sq((float)(p->tolerance * p->hysteresis)),
		.shift2 = (float)sq((float)p->edge_shift),
	};
	/* shadows and outlines gather in part of the frame: interleaved chunks */
	pr_parallel_rows_interleaved(p->threads, plate->height, 64, classify_rows, &j);
}
