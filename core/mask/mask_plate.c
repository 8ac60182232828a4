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
 * pixel beyond tolerance is strong evidence of the object, if it is also
 * beyond tolerance from the plate's range over its 3x3 neighbourhood (fine
 * texture seen by a camera shaken by a fraction of a pixel, or leaves moved
 * by one, stays inside it); beyond tolerance * hysteresis from its own
 * plate value it is weak evidence, kept only where it connects to a core of
 * strong evidence (mask_components.c).
 *
 * Shadow suppression follows Horprasert, Harwood and Davis (1999): the
 * brightness distortion alpha = (s.p)/(p.p) scales the prediction to the
 * shot, the chromaticity distortion |s - alpha p| is what scaling cannot
 * explain. A pixel darker than its plate (shadow_min <= alpha < 1, down to
 * 0.1 by default) whose colour is the plate's, scaled and shifted toward
 * blue as far as the ambient light left in a shadow of that depth shifts
 * it, is shadow: background. The noise allowed in that colour test grows
 * with the brightness, so a dark object part (a brown foot before a grey
 * floor) is told from a deep shadow by a hue difference of a few noise
 * units.
 *
 * Colour alone cannot tell a shadow from a darker object of the same hue (a
 * brown vase before a beige wall), so a candidate must also keep the
 * background's texture: where the plate has texture around the pixel, the
 * shot's local gradients must follow the plate's, scaled by the same
 * brightness ratio (judged against what the shot's noise leaves of that
 * texture in a deep shadow). An object hides that texture; a shadow does
 * not. Where the plate is flat there is no texture to check and colour
 * decides. A shadow's shading is smooth, too: level around the pixel, or a
 * ramp one way across a penumbra; a pixel darker than the pixels two steps
 * away on both sides is a stem or a wire, not a shadow.
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
/* A shadow's colour may shift toward blue by up to this much times 1 - a
 * (blue against red, each way half), a its brightness ratio: measured
 * outdoor shadows of ratio 0.1..0.35 shift by about 9%. */
#define SHADOW_TINT_MAX 0.12f
/* ... plus this many noise units per channel, plus one per unit of
 * brightness ratio (a deep shadow's colour is checked more tightly: at a
 * ratio of 0.2 the whole object-against-shadow hue difference is a few
 * noise units). */
#define SHADOW_NOISE_SLACK 1.5f

/* Texture test window radius and thresholds */
#define TEX_RADIUS 2
#define TEX_MIN_ENERGY 3.0f   /* plate gradient energy, in noise variances per pixel */
#define TEX_MIN_CORR 0.5f     /* correlation of shot and plate gradients */
#define SHADE_STEP 2          /* neighbours this far away are compared... */
#define SHADE_AGREE 0.15f     /* ...and agree within this brightness ratio */
#define SHADE_RAMP 0.45f      /* ...or across a penumbra, differ by at most this */

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

/* Shading by a shadow is smooth: a stem, a wire or a dark outline is
 * darker than the background on both sides of it: no shadow. */
static int smooth_shading(const struct classify_job *j, struct shade_cache *c, uint32_t x,
			  uint32_t y, float a)
{
	const uint32_t w = j->plate->width, h = j->plate->height;
	/* Along each axis the two neighbours SHADE_STEP away are either level
	 * with the pixel (within SHADE_AGREE) or, across a penumbra, one
	 * lighter and one darker. A penumbra ramps one way only: the other
	 * axis must be level. A stem is a valley, a textured object random. */
	int level = 0, ramp = 0;
	for (int axis = 0; axis < 2; axis++) {
		float d[2];
		for (int side = 0; side < 2; side++) {
			int64_t step = side ? SHADE_STEP : -SHADE_STEP;
			int64_t nx = (int64_t)x + (axis == 0 ? step : 0);
			int64_t ny = (int64_t)y + (axis == 1 ? step : 0);
			/* the frame's edge says nothing against it */
			d[side] = nx < 0 || ny < 0 || nx >= w || ny >= h
					  ? 0
					  : cached_ratio(j, c, (uint32_t)nx, (uint32_t)ny) - a;
		}
		if (fabsf(d[0]) <= SHADE_AGREE && fabsf(d[1]) <= SHADE_AGREE)
			level++;
		else if (d[0] * d[1] < 0 && fabsf(d[0]) <= SHADE_RAMP && fabsf(d[1]) <= SHADE_RAMP)
			ramp++;
	}
	return level == 2 || (level == 1 && ramp == 1);
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
	const float noise_e = 4.0f * noise2 * n;
	if (ep < TEX_MIN_ENERGY * noise_e)
		return TEXTURE_NONE;
	if (cross <= 0)
		return TEXTURE_LOST;
	/* shadow: shot gradients = a * plate gradients, plus noise. In a deep
	 * shadow the texture seen through is faint against the shot's noise,
	 * so the correlation is judged against what noise leaves of it, and
	 * the energy after the noise's share is taken out. */
	const float seen = a * a * ep;
	float corr = cross / sqrtf(ep * es + 1e-6f);
	float expect = sqrtf(seen / (seen + noise_e));
	float ratio = (es - noise_e) / (seen + 1e-6f);
	return corr >= TEX_MIN_CORR * expect && ratio < 4.0f && (ratio > 0.25f || es < 2 * noise_e)
		       ? TEXTURE_KEPT : TEXTURE_LOST;
}

/* The noise variance each pixel of a row may show while still background,
 * and how far the plate's own noise spreads its 3x3 range (about 1.5
 * sigma of the plate's value for the largest or least of nine). */
#define RANGE_NOISE 2.0f
static void variance_row(const struct classify_job *j, uint32_t y, const float *restrict grad,
			 float *restrict var, float *restrict shrink)
{
	const float mean_sd = RANGE_NOISE / sqrtf((float)j->plate->frames);
	if (j->plate->noise) {
		/* pr_plate_sigma's floor, in one loop that vectorises */
		const uint8_t *restrict nz = j->plate->noise + (size_t)y * j->plate->width;
		const float k = mean_sd / PR_PLATE_NOISE_SCALE, fl = mean_sd * PR_PLATE_NOISE_FLOOR;
		for (size_t x = 0; x < j->plate->width; x++) {
			float v = k * (float)nz[x];
			shrink[x] = v < fl ? fl : v;
		}
	} else {
		const float v = mean_sd * pr_plate_sigma(j->plate, 0, 1);
		for (size_t x = 0; x < j->plate->width; x++)
			shrink[x] = v;
	}
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

/* Every pixel of a row: strong / weak / background from the normalised
 * distance alone. No branches and no shadow test here, so the loop runs
 * vector-wide; the few strong pixels get the range test and the changed
 * ones the shadow test afterwards. This and the guided filter's upsampling
 * are the hottest loops of masking, hence the AVX2 clone. */
PR_VECTOR_CLONES
static void distance_row(const uint8_t *restrict s, const uint8_t *restrict m,
			 const float *restrict var, uint32_t w, const struct plate_model_fit *f,
			 float weak2, float strong2, uint8_t *restrict out)
{
	const float g0 = f->gain[0], g1 = f->gain[1], g2 = f->gain[2];
	const float o0 = f->offset[0], o1 = f->offset[1], o2 = f->offset[2];
	for (size_t x = 0; x < w; x++) {
		/* the shot clips at 255 (and 0) like the camera: so must the
		 * prediction, or every bright background pixel of a shot
		 * brighter than its plate looks changed */
		const float pr = clamp255(g0 * m[3 * x] + o0), pg = clamp255(g1 * m[3 * x + 1] + o1),
			    pb = clamp255(g2 * m[3 * x + 2] + o2);
		const float dr = s[3 * x] - pr, dg = s[3 * x + 1] - pg, db = s[3 * x + 2] - pb;
		const float d2 = dr * dr + dg * dg + db * db;
		const float lim = var[x] * 3.0f; /* 3 channels */
		out[x] = (uint8_t)((d2 > weak2 * lim) + (d2 > strong2 * lim));
	}
}

/* The plate's range around a pixel, per channel: the least and greatest
 * value of its 3x3 neighbourhood, less what the plate's own noise spreads
 * it by (never past the pixel's own value). A shot pixel inside that range
 * is no farther from the background than the camera shaking by a pixel, or
 * a leaf moving by one, would make it: on fine texture (foliage, fabric)
 * that is most of what differs between two pictures of the same
 * background, and on flat background the range is the pixel itself. Strong
 * evidence must be beyond the tolerance from the range too; otherwise it is
 * weak evidence (which only grows strong evidence elsewhere). The distance
 * from the range is never more than from the pixel, so only strong pixels
 * need the test. */
static void range_row(const struct classify_job *j, uint32_t y, const float *restrict var,
		      const float *restrict shrink, uint8_t *restrict out)
{
	const struct pr_plate *pl = j->plate;
	const struct plate_model_fit *f = j->fit;
	const uint32_t w = pl->width, h = pl->height;
	const uint8_t *s = pr_image_row(j->shot, y);
	const uint8_t *rows[3] = { pl->mean + (size_t)(y > 0 ? y - 1 : y) * w * 3,
				   pl->mean + (size_t)y * w * 3,
				   pl->mean + (size_t)(y + 1 < h ? y + 1 : y) * w * 3 };
	const uint8_t *m = rows[1];
	const uint8_t *p = memchr(out, CLASS_STRONG, w);
	for (uint32_t x = p ? (uint32_t)(p - out) : w; x < w; x++) {
		if (out[x] != CLASS_STRONG)
			continue;
		const uint32_t xl = x > 0 ? x - 1 : x, xr = x + 1 < w ? x + 1 : x;
		float d2 = 0;
		for (int c = 0; c < 3; c++) {
			int lo = 255, hi = 0;
			for (int r = 0; r < 3; r++) {
				const uint8_t *row = rows[r];
				const int a = row[3 * xl + c], b = row[3 * x + c], e = row[3 * xr + c];
				lo = a < lo ? a : lo;
				lo = b < lo ? b : lo;
				lo = e < lo ? e : lo;
				hi = a > hi ? a : hi;
				hi = b > hi ? b : hi;
				hi = e > hi ? e : hi;
			}
			const float mc = m[3 * x + c];
			float l = (float)lo + shrink[x], hh = (float)hi - shrink[x];
			l = l < mc ? l : mc;
			hh = hh > mc ? hh : mc;
			const float pl_ = clamp255(f->gain[c] * l + f->offset[c]);
			const float ph = clamp255(f->gain[c] * hh + f->offset[c]);
			const float v = s[3 * x + c];
			const float d = v < pl_ ? pl_ - v : (v > ph ? v - ph : 0);
			d2 += d * d;
		}
		if (d2 <= j->strong2 * var[x] * 3.0f)
			out[x] = CLASS_WEAK;
	}
}

/* The shot pixel s as a shadow on the predicted background p: brightness a
 * and a tint toward blue, s = a p + b (-p_r, 0, p_b) with 0 <= b/a <=
 * SHADOW_TINT_MAX (the light left in a shadow is the ambient light, bluer
 * than the lamp or the sun that is blocked). Least squares in (a, b);
 * returns a and the squared distance from that fit. */
static void shadow_fit(float sr, float sg, float sb, float pr, float pg, float pb, float *a,
		       float *cd2)
{
	const float pp = pr * pr + pg * pg + pb * pb + 1e-3f;
	const float sp = sr * pr + sg * pg + sb * pb;
	const float qq = pr * pr + pb * pb + 1e-3f, pq = pb * pb - pr * pr;
	const float sq_ = sb * pb - sr * pr;
	const float det = pp * qq - pq * pq;
	float aa = sp / pp, bb = 0;
	if (det > 1e-3f * pp * qq) {
		aa = (sp * qq - sq_ * pq) / det;
		bb = (pp * sq_ - pq * sp) / det;
	}
	if (aa <= 0) {
		aa = sp / pp;
		bb = 0;
	}
	/* the deeper the shadow, the more of its light is the ambient's */
	const float tmax = aa < 1 ? SHADOW_TINT_MAX * (1 - aa) : 0;
	if (aa > 0 && (bb < 0 || bb > tmax * aa)) {
		/* on the edge of the allowed tints: the best a for that tint */
		bb = bb < 0 ? 0 : tmax * aa;
		const float t = bb / aa;
		const float ur = pr * (1 - t), ug = pg, ub = pb * (1 + t);
		aa = (sr * ur + sg * ug + sb * ub) / (ur * ur + ug * ug + ub * ub + 1e-3f);
		bb = aa * t;
	}
	const float er = sr - aa * pr + bb * pr, eg = sg - aa * pg, eb = sb - aa * pb - bb * pb;
	*a = aa;
	*cd2 = er * er + eg * eg + eb * eb;
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
		const float pp = pr * pr + pg * pg + pb * pb + 1e-3f;
		/* brighter than the plate, or darker than any shadow: no need
		 * to fit a tint (which moves the ratio by a few percent) */
		const float a0 = (sr * pr + sg * pg + sb * pb) / pp;
		if (a0 >= 1.1f || a0 < 0.9f * amin)
			continue;
		float a, cd2;
		shadow_fit(sr, sg, sb, pr, pg, pb, &a, &cd2);
		const float slack = sq(SHADOW_NOISE_SLACK + a) * lim + sq(SHADOW_CHROMA_SLACK * a) * pp;
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
	struct shade_cache cache;
	if (shade_cache_init(&cache, w) || !grad || !var) {
		/* no memory for scratch rows: call everything background rather
		 * than guess; the caller sees an empty mask, never a crash */
		memset(j->classes + (size_t)y0 * w, CLASS_BACKGROUND, (size_t)(y1 - y0) * w);
		free(grad);
		free(var);
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
		distance_row(pr_image_row(j->shot, y), pl->mean + (size_t)y * w * 3, var, w, j->fit,
			     j->weak2, j->strong2, out);
		range_row(j, y, var, shrink, out);
		if (j->p->shadow)
			shadow_row(j, &cache, y, var, out);
	}
	free(grad);
	free(var);
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
