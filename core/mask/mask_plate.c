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
 * Changed pixels that may be a cast shadow on the background are then
 * tested by mask_shadow.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mask_internal.h"
#include "parallel.h"

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
/* The 3x3 least and greatest plate value of each channel of pixels
 * [x0, x1) of a row, for the range test. Byte minima over runs of a row
 * vectorise 32 bytes at a time, far cheaper than nine neighbours per
 * pixel. Edge pixels take their own column as the missing neighbour. All
 * arrays are indexed as the whole row. */
PR_VECTOR_CLONES
static void plate_range_rows(const uint8_t *restrict r0, const uint8_t *restrict r1,
			     const uint8_t *restrict r2, uint32_t w, size_t x0, size_t x1,
			     uint8_t *restrict vlo, uint8_t *restrict vhi, uint8_t *restrict lo,
			     uint8_t *restrict hi)
{
	const size_t from = 3 * (x0 > 0 ? x0 - 1 : 0), to = 3 * (x1 < w ? x1 + 1 : w);
	for (size_t i = from; i < to; i++) {
		uint8_t a = r0[i], b = r1[i], c = r2[i];
		uint8_t mn = a < b ? a : b, mx = a > b ? a : b;
		vlo[i] = mn < c ? mn : c;
		vhi[i] = mx > c ? mx : c;
	}
	const size_t inner0 = 3 * (x0 > 1 ? x0 : 1), inner1 = 3 * (x1 + 1 < w ? x1 : w - 1);
	for (size_t i = inner0; i < inner1; i++) {
		uint8_t a = vlo[i - 3], b = vlo[i], c = vlo[i + 3];
		uint8_t mn = a < b ? a : b;
		lo[i] = mn < c ? mn : c;
		a = vhi[i - 3], b = vhi[i], c = vhi[i + 3];
		uint8_t mx = a > b ? a : b;
		hi[i] = mx > c ? mx : c;
	}
	for (size_t c = 0; c < 3; c++) {
		if (w == 1) {
			lo[c] = vlo[c];
			hi[c] = vhi[c];
			continue;
		}
		const size_t first = c, last = 3 * ((size_t)w - 1) + c;
		if (x0 == 0) {
			lo[first] = vlo[first] < vlo[first + 3] ? vlo[first] : vlo[first + 3];
			hi[first] = vhi[first] > vhi[first + 3] ? vhi[first] : vhi[first + 3];
		}
		if (x1 == w) {
			lo[last] = vlo[last] < vlo[last - 3] ? vlo[last] : vlo[last - 3];
			hi[last] = vhi[last] > vhi[last - 3] ? vhi[last] : vhi[last - 3];
		}
	}
}

/* How far a shot value v lies outside the plate's range [lo, hi] around
 * its own value mc, that range narrowed by the plate's noise (never past
 * mc) and mapped through the drift fit. */
static inline float range_distance(float v, float mc, float lo, float hi, float shrink, float g,
				   float o)
{
	float l = lo + shrink, hh = hi - shrink;
	l = l < mc ? l : mc;
	hh = hh > mc ? hh : mc;
	const float pl_ = clamp255(g * l + o), ph = clamp255(g * hh + o);
	/* written as selects, not branches, so that the loop vectorises */
	const float below = pl_ - v, above = v - ph;
	const float d = above > 0 ? above : 0;
	return below > 0 ? below : d;
}

/* The range test of every pixel of a row, branch-free so that it runs
 * vector-wide: a strong pixel within tolerance of the range becomes weak,
 * every other pixel keeps its class. */
PR_VECTOR_CLONES
static void range_test_row(const uint8_t *restrict s, const uint8_t *restrict m,
			   const uint8_t *restrict lo, const uint8_t *restrict hi,
			   const float *restrict var, const float *restrict shrink, uint32_t w,
			   const struct plate_model_fit *f, float strong2, uint8_t *restrict out)
{
	const float g0 = f->gain[0], g1 = f->gain[1], g2 = f->gain[2];
	const float o0 = f->offset[0], o1 = f->offset[1], o2 = f->offset[2];
	for (size_t x = 0; x < w; x++) {
		const float sh = shrink[x];
		const float d0 = range_distance(s[3 * x], m[3 * x], lo[3 * x], hi[3 * x], sh, g0, o0);
		const float d1 = range_distance(s[3 * x + 1], m[3 * x + 1], lo[3 * x + 1],
						hi[3 * x + 1], sh, g1, o1);
		const float d2 = range_distance(s[3 * x + 2], m[3 * x + 2], lo[3 * x + 2],
						hi[3 * x + 2], sh, g2, o2);
		const int inside = d0 * d0 + d1 * d1 + d2 * d2 <= strong2 * var[x] * 3.0f;
		/* strong (2) within the range becomes weak (1) */
		out[x] = (uint8_t)(out[x] - ((out[x] == CLASS_STRONG) & inside));
	}
}

static void range_row(const struct classify_job *j, uint32_t y, const float *restrict var,
		      const float *restrict shrink, uint8_t *restrict scratch,
		      uint8_t *restrict out)
{
	const struct pr_plate *pl = j->plate;
	const uint32_t w = pl->width, h = pl->height;
	/* only the span from the first strong pixel of the row to the last */
	const uint8_t *first = memchr(out, CLASS_STRONG, w);
	if (!first)
		return;
	const size_t x0 = (size_t)(first - out);
	size_t x1 = w;
	while (out[x1 - 1] != CLASS_STRONG)
		x1--;
	const size_t span = x1 - x0;
	const size_t n = (size_t)w * 3;
	uint8_t *lo = scratch, *hi = scratch + n;
	plate_range_rows(pl->mean + (size_t)(y > 0 ? y - 1 : y) * n, pl->mean + (size_t)y * n,
			 pl->mean + (size_t)(y + 1 < h ? y + 1 : y) * n, w, x0, x1, scratch + 2 * n,
			 scratch + 3 * n, lo, hi);
	range_test_row(pr_image_row(j->shot, y) + 3 * x0, pl->mean + (size_t)y * n + 3 * x0,
		       lo + 3 * x0, hi + 3 * x0, var + x0, shrink + x0, (uint32_t)span, j->fit,
		       j->strong2, out + x0);
}

static void classify_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct classify_job *j = ctx;
	const struct pr_plate *pl = j->plate;
	const uint32_t w = pl->width;
	/* scratch rows per band, not per row */
	float *grad = malloc(sizeof(float) * w);
	float *var = malloc(sizeof(float) * w * 2), *shrink = var + w;
	uint8_t *range = malloc((size_t)w * 12);
	struct shadow_tester *shadow =
		j->p->shadow ? mask_shadow_tester_new(j->p, pl, j->shot, j->fit) : NULL;
	if (!grad || !var || !range || (j->p->shadow && !shadow)) {
		/* no memory for scratch rows: call everything background rather
		 * than guess; the caller sees an empty mask, never a crash */
		memset(j->classes + (size_t)y0 * w, CLASS_BACKGROUND, (size_t)(y1 - y0) * w);
		free(grad);
		free(var);
		free(range);
		mask_shadow_tester_free(shadow);
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
		range_row(j, y, var, shrink, range, out);
		if (shadow)
			mask_shadow_row(shadow, y, var, out);
	}
	free(grad);
	free(var);
	free(range);
	mask_shadow_tester_free(shadow);
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
