/* Shadow tests of the plate method (mask_plate.c): which changed pixels of
 * a shot are a cast shadow on the background.
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
#include <stddef.h>
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

/* Shadow candidates come in dense regions, and neighbouring candidates look
 * at the same pixels: the brightness ratios of the shading test and the
 * gradient products of the texture test are kept for the rows around the
 * current one, computed the first time a window needs them, and so are the
 * products summed down each column of the texture window. The products are
 * integers (the gain scales them afterwards), so a window's sum is exact
 * in whatever order it is formed. */
#define CACHE_ROWS (2 * TEX_RADIUS + 1)
_Static_assert(SHADE_STEP <= TEX_RADIUS, "the shading test's rows must be in the cache");

enum { HAVE_TERMS = 1, HAVE_RATIO = 2 };

/* plate gradient energy, shot gradient energy, their cross product */
struct tex_terms {
	int32_t ep, es, cross;
	int32_t pgx, pgy, sgx, sgy; /* the gradients themselves, for their means */
};

struct shade_cache {
	uint32_t row[CACHE_ROWS]; /* image row in each slot, UINT32_MAX for none */
	uint8_t *have[CACHE_ROWS];
	struct tex_terms *terms[CACHE_ROWS];
	float *ratio[CACHE_ROWS];
	struct tex_terms *column; /* terms summed over the window's rows... */
	uint32_t *column_row;     /* ...centred on this row, UINT32_MAX for none */
};

struct shadow_tester {
	const struct pr_plate *plate;
	const struct pr_image *shot;
	const struct plate_model_fit *fit;
	float amin; /* the least brightness ratio of a shadow */
	struct shade_cache cache;
	float *ratio; /* per pixel of the row: a candidate's ratio, 0 for none */
};

/* Brightness ratio of shot to predicted background at (x, y). */
static float brightness_ratio(const struct shadow_tester *j, uint32_t x, uint32_t y)
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

static void shade_cache_free(struct shade_cache *c)
{
	for (int k = 0; k < CACHE_ROWS; k++) {
		free(c->have[k]);
		free(c->terms[k]);
		free(c->ratio[k]);
	}
	free(c->column);
	free(c->column_row);
}

static int shade_cache_init(struct shade_cache *c, uint32_t w)
{
	memset(c, 0, sizeof(*c));
	int failed = 0;
	for (int k = 0; k < CACHE_ROWS; k++) {
		c->row[k] = UINT32_MAX;
		c->have[k] = malloc(w);
		c->terms[k] = malloc(sizeof(struct tex_terms) * w);
		c->ratio[k] = malloc(sizeof(float) * w);
		failed |= !c->have[k] || !c->terms[k] || !c->ratio[k];
	}
	c->column = malloc(sizeof(struct tex_terms) * w);
	c->column_row = malloc(sizeof(uint32_t) * w);
	if (failed || !c->column || !c->column_row) {
		shade_cache_free(c);
		return -1;
	}
	for (uint32_t x = 0; x < w; x++)
		c->column_row[x] = UINT32_MAX;
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

static float cached_ratio(const struct shadow_tester *j, struct shade_cache *c, uint32_t x,
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
static int smooth_shading(const struct shadow_tester *j, struct shade_cache *c, uint32_t x,
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

/* The gradient products at (x, y), from the cache or computed into it. */
static const struct tex_terms *cached_terms(const struct shadow_tester *j,
					    struct shade_cache *cache, uint32_t x, uint32_t y)
{
	const uint32_t w = j->plate->width;
	const int k = cache_slot(cache, y, w);
	struct tex_terms *t = &cache->terms[k][x];
	if (!(cache->have[k][x] & HAVE_TERMS)) {
		const size_t sstride = j->shot->stride, pstride = (size_t)w * 3;
		const uint8_t *s = pr_image_row(j->shot, y) + 3 * (size_t)x + 1;
		const uint8_t *m = j->plate->mean + y * pstride + 3 * (size_t)x + 1;
		const int pgx = m[3] - m[-3], pgy = m[pstride] - m[-(ptrdiff_t)pstride];
		const int sgx = s[3] - s[-3], sgy = s[sstride] - s[-(ptrdiff_t)sstride];
		t->ep = pgx * pgx + pgy * pgy;
		t->es = sgx * sgx + sgy * sgy;
		t->cross = sgx * pgx + sgy * pgy;
		t->pgx = pgx;
		t->pgy = pgy;
		t->sgx = sgx;
		t->sgy = sgy;
		cache->have[k][x] |= HAVE_TERMS;
	}
	return t;
}

static void terms_add(struct tex_terms *sum, const struct tex_terms *t)
{
	sum->ep += t->ep;
	sum->es += t->es;
	sum->cross += t->cross;
	sum->pgx += t->pgx;
	sum->pgy += t->pgy;
	sum->sgx += t->sgx;
	sum->sgy += t->sgy;
}

/* The products at column x summed over the window's rows around y. */
static const struct tex_terms *column_terms(const struct shadow_tester *j,
					    struct shade_cache *cache, uint32_t x, uint32_t y)
{
	struct tex_terms *col = &cache->column[x];
	if (cache->column_row[x] != y) {
		struct tex_terms sum = { 0, 0, 0, 0, 0, 0, 0 };
		for (uint32_t yy = y - TEX_RADIUS; yy <= y + TEX_RADIUS; yy++) {
			const struct tex_terms *t = cached_terms(j, cache, x, yy);
			terms_add(&sum, t);
		}
		*col = sum;
		cache->column_row[x] = y;
	}
	return col;
}

static int texture_test(const struct shadow_tester *j, struct shade_cache *cache, uint32_t x,
			uint32_t y, float a, float noise2)
{
	const uint32_t w = j->plate->width, h = j->plate->height;
	if (x < TEX_RADIUS + 1 || y < TEX_RADIUS + 1 || x + TEX_RADIUS + 1 >= w ||
	    y + TEX_RADIUS + 1 >= h)
		return TEXTURE_NONE;
	/* at most 25 * 2 * 255^2 each: no overflow in 32 bits */
	struct tex_terms sum = { 0, 0, 0, 0, 0, 0, 0 };
	for (uint32_t xx = x - TEX_RADIUS; xx <= x + TEX_RADIUS; xx++) {
		const struct tex_terms *t = column_terms(j, cache, xx, y);
		terms_add(&sum, t);
	}
	const float n = (2 * TEX_RADIUS + 1) * (2 * TEX_RADIUS + 1);
	/* Gradients about their window means: a penumbra's shading is a ramp
	 * that adds the same gradient all across the window, and it is not
	 * texture (taken as such, it made the rim of a shadow on a textured
	 * floor object). */
	const float mpx = (float)sum.pgx / n, mpy = (float)sum.pgy / n;
	const float msx = (float)sum.sgx / n, msy = (float)sum.sgy / n;
	const float g = j->fit->gain[1];
	const float ep = g * g * ((float)sum.ep - n * (mpx * mpx + mpy * mpy));
	const float es = (float)sum.es - n * (msx * msx + msy * msy);
	const float cross = g * ((float)sum.cross - n * (msx * mpx + msy * mpy));
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


/* The shot pixel s as a shadow on the predicted background p: brightness a
 * and a tint toward blue, s = a p + b (-p_r, 0, p_b) with 0 <= b/a <=
 * SHADOW_TINT_MAX (the light left in a shadow is the ambient light, bluer
 * than the lamp or the sun that is blocked). Least squares in (a, b);
 * returns a and the squared distance from that fit. */
static inline void shadow_fit(float sr, float sg, float sb, float pr, float pg, float pb,
			      float *a, float *cd2)
{
	/* Every case is computed and the right one selected, without
	 * branches, so that the loop over a row runs vector-wide. */
	const float pp = pr * pr + pg * pg + pb * pb + 1e-3f;
	const float sp = sr * pr + sg * pg + sb * pb;
	const float qq = pr * pr + pb * pb + 1e-3f, pq = pb * pb - pr * pr;
	const float sq_ = sb * pb - sr * pr;
	const float det = pp * qq - pq * pq;
	const float a_plain = sp / pp;
	const int solvable = det > 1e-3f * pp * qq;
	float aa = solvable ? (sp * qq - sq_ * pq) / det : a_plain;
	float bb = solvable ? (pp * sq_ - pq * sp) / det : 0;
	const int negative = aa <= 0;
	aa = negative ? a_plain : aa;
	bb = negative ? 0 : bb;
	/* the deeper the shadow, the more of its light is the ambient's */
	const float tmax = aa < 1 ? SHADOW_TINT_MAX * (1 - aa) : 0;
	/* on the edge of the allowed tints: the best a for that tint */
	const int edge = aa > 0 && (bb < 0 || bb > tmax * aa);
	const float be = bb < 0 ? 0 : tmax * aa;
	const float t = aa > 0 ? be / aa : 0;
	const float ur = pr * (1 - t), ug = pg, ub = pb * (1 + t);
	const float ae = (sr * ur + sg * ug + sb * ub) / (ur * ur + ug * ug + ub * ub + 1e-3f);
	aa = edge ? ae : aa;
	bb = edge ? ae * t : bb;
	const float er = sr - aa * pr + bb * pr, eg = sg - aa * pg, eb = sb - aa * pb - bb * pb;
	*a = aa;
	*cd2 = er * er + eg * eg + eb * eb;
}

/* Which changed pixels of a row look like shadow by colour: darker than the
 * prediction by a ratio a in [shadow_min, 1), its colour scaled and tinted
 * within noise. Writes a (or 0 for no candidate) per pixel; runs over the
 * whole span vector-wide, the costlier shading and texture tests then only
 * look at the candidates. */
PR_VECTOR_CLONES
static void shadow_colour_row(const uint8_t *restrict s, const uint8_t *restrict m,
			      const float *restrict var, const uint8_t *restrict out, uint32_t w,
			      const struct plate_model_fit *f, float amin, float *restrict ratio)
{
	const float g0 = f->gain[0], g1 = f->gain[1], g2 = f->gain[2];
	const float o0 = f->offset[0], o1 = f->offset[1], o2 = f->offset[2];
	for (size_t x = 0; x < w; x++) {
		const float pr = clamp255(g0 * m[3 * x] + o0), pg = clamp255(g1 * m[3 * x + 1] + o1),
			    pb = clamp255(g2 * m[3 * x + 2] + o2);
		const float sr = s[3 * x], sg = s[3 * x + 1], sb = s[3 * x + 2];
		const float lim = var[x] * 3.0f;
		const float pp = pr * pr + pg * pg + pb * pb + 1e-3f;
		/* brighter than the plate, or darker than any shadow: no tint
		 * to fit (it moves the ratio by a few percent) */
		const float a0 = (sr * pr + sg * pg + sb * pb) / pp;
		float a, cd2;
		shadow_fit(sr, sg, sb, pr, pg, pb, &a, &cd2);
		const float slack = sq(SHADOW_NOISE_SLACK + a) * lim + sq(SHADOW_CHROMA_SLACK * a) * pp;
		const int cand = (out[x] != 0) & (a0 < 1.1f) & (a0 >= 0.9f * amin) & (a >= amin) &
				 (a < 1.0f) & (cd2 <= slack);
		ratio[x] = cand ? a : 0;
	}
}

struct shadow_tester *mask_shadow_tester_new(const struct pr_mask_params *p,
					     const struct pr_plate *plate,
					     const struct pr_image *shot,
					     const struct plate_model_fit *fit)
{
	struct shadow_tester *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->plate = plate;
	t->shot = shot;
	t->fit = fit;
	t->amin = (float)p->shadow_min;
	t->ratio = malloc(sizeof(float) * plate->width);
	if (!t->ratio || shade_cache_init(&t->cache, plate->width)) {
		free(t->ratio);
		free(t);
		return NULL;
	}
	return t;
}

void mask_shadow_tester_free(struct shadow_tester *t)
{
	if (!t)
		return;
	shade_cache_free(&t->cache);
	free(t->ratio);
	free(t);
}

void mask_shadow_row(struct shadow_tester *t, uint32_t y, const float *var, uint8_t *out)
{
	const uint32_t w = t->plate->width;
	uint32_t x0, x1; /* the span of changed pixels */
	if (!nonzero_span(out, w, &x0, &x1))
		return;
	shadow_colour_row(pr_image_row(t->shot, y) + 3 * x0, t->plate->mean + ((size_t)y * w + x0) * 3,
			  var + x0, out + x0, (uint32_t)(x1 - x0), t->fit, t->amin, t->ratio + x0);
	for (size_t x = x0; x < x1; x++) {
		const float a = t->ratio[x];
		if (a == 0)
			continue;
		if (!smooth_shading(t, &t->cache, (uint32_t)x, y, a))
			continue;
		int tex = texture_test(t, &t->cache, (uint32_t)x, y, a, var[x]);
		/* texture seen through: surely shadow; no texture to see: the
		 * region decides */
		if (tex == TEXTURE_KEPT)
			out[x] = CLASS_BACKGROUND;
		else if (tex == TEXTURE_NONE)
			out[x] = CLASS_SHADOW;
	}
}
