/* photorig core: rendering plates and shots of generated scenes.
 *
 * One row at a time: the clean background (scene_bg.c), the object's shadow
 * and the object itself (scene_obj.c), then the camera: exposure and
 * white-balance gains, sensor noise, rounding and clipping to 8 bits, and
 * optionally a JPEG round trip. The truth (alpha and labels) is written
 * alongside the shot from the same coverage, so it is exact by construction. */
#include "scene_internal.h"

#include <stdlib.h>
#include <string.h>

#include "imageio.h"

void pr_scene_defaults(struct pr_scene_params *p)
{
	memset(p, 0, sizeof(*p));
	p->width = 640;
	p->height = 480;
	p->seed = 1;
	p->background = PR_SCENE_TEXTURED;
	p->noise_sigma = 2.0f;
	p->wb_gain[0] = p->wb_gain[1] = p->wb_gain[2] = 1.0f;
}

static int check_params(const struct pr_scene_params *p, struct pr_error *err)
{
	if (p->width < 32 || p->height < 32 || p->width > PR_IMAGE_MAX_SIDE ||
	    p->height > PR_IMAGE_MAX_SIDE || (uint64_t)p->width * p->height > PR_IMAGE_MAX_PIXELS)
		return pr_error_set(err, PR_ESIZE, "scene size %ux%u is outside 32..%u per side",
				    p->width, p->height, PR_IMAGE_MAX_SIDE);
	if ((unsigned)p->background > PR_SCENE_FOLIAGE)
		return pr_error_set(err, PR_EINVAL, "unknown scene background %d", (int)p->background);
	/* the negated comparisons also reject NaN */
	if (!(p->noise_sigma >= 0.0f && p->noise_sigma <= 64.0f))
		return pr_error_set(err, PR_EINVAL, "scene noise %g is outside 0..64",
				    (double)p->noise_sigma);
	if (!(fabsf(p->exposure_ev) <= 8.0f))
		return pr_error_set(err, PR_EINVAL, "scene exposure %g EV is outside -8..8",
				    (double)p->exposure_ev);
	if (!(p->drift >= 0.0f && p->drift <= 2.0f))
		return pr_error_set(err, PR_EINVAL, "scene drift %g EV is outside 0..2",
				    (double)p->drift);
	for (int c = 0; c < 3; c++)
		if (!(p->wb_gain[c] > 0.0f && p->wb_gain[c] <= 16.0f))
			return pr_error_set(err, PR_EINVAL, "white-balance gain %g is outside (0, 16]",
					    (double)p->wb_gain[c]);
	if (!isfinite(p->angle_deg))
		return pr_error_set(err, PR_EINVAL, "scene angle is not a number");
	if (p->jpeg_quality < 0 || p->jpeg_quality > 100)
		return pr_error_set(err, PR_EINVAL, "JPEG quality %d is outside 0..100",
				    p->jpeg_quality);
	if (!(p->transient >= 0.0f && p->transient <= 1.0f))
		return pr_error_set(err, PR_EINVAL, "scene transient share %g is outside 0..1",
				    (double)p->transient);
	if (!(p->object_scale == 0.0f || (p->object_scale >= 0.05f && p->object_scale <= 1.0f)))
		return pr_error_set(err, PR_EINVAL, "scene object scale %g is outside 0.05..1",
				    (double)p->object_scale);
	if (p->colours != 0 && (p->colours < 2 || p->colours > 8))
		return pr_error_set(err, PR_EINVAL, "scene object colours %d: 0 or 2..8",
				    p->colours);
	if (!(p->shadow_ratio == 0.0f || (p->shadow_ratio >= 0.05f && p->shadow_ratio <= 0.95f)))
		return pr_error_set(err, PR_EINVAL, "scene shadow ratio %g is outside 0.05..0.95",
				    (double)p->shadow_ratio);
	if (!(p->shadow_tint >= 0.0f && p->shadow_tint <= 0.5f))
		return pr_error_set(err, PR_EINVAL, "scene shadow tint %g is outside 0..0.5",
				    (double)p->shadow_tint);
	return 0;
}

/* Sensor noise: 12 random bits pick one of 4096 equal-probability
 * quantiles of a normal distribution, so 72 M samples of a 24 MP frame cost
 * one table load each rather than a log and a cosine. */
#define NOISE_BITS 12
#define NOISE_N (1u << NOISE_BITS)

struct camera {
	float gain[3];
	float sigma;
	float table[NOISE_N];
	struct scene_rng rng;
};

static void camera_init(struct camera *cam, const struct pr_scene_params *p, float ev,
			const float wb[3], struct scene_rng rng)
{
	for (int c = 0; c < 3; c++)
		cam->gain[c] = exp2f(ev) * wb[c];
	cam->sigma = p->noise_sigma;
	cam->rng = rng;
	if (cam->sigma <= 0.0f)
		return;
	double sum2 = 0.0;
	for (unsigned i = 0; i < NOISE_N / 2; i++) {
		/* the quantile at q = (i + 0.5) / N, by bisection on the CDF */
		double q = ((double)i + 0.5) / NOISE_N, lo = -8.0, hi = 0.0;
		for (int k = 0; k < 50; k++) {
			double mid = 0.5 * (lo + hi);
			if (0.5 * erfc(-mid / sqrt(2.0)) < q)
				lo = mid;
			else
				hi = mid;
		}
		double z = 0.5 * (lo + hi);
		cam->table[i] = (float)z;
		cam->table[NOISE_N - 1 - i] = (float)-z;
		sum2 += 2.0 * z * z;
	}
	/* the table's tails are cut at ~3.5 sigma: rescale to unit variance */
	float k = (float)(cam->sigma / sqrt(sum2 / NOISE_N));
	for (unsigned i = 0; i < NOISE_N; i++)
		cam->table[i] *= k;
}

/* Expose one row: gains, noise, round, clip; rgb[c] are full rows. */
static void camera_row(struct camera *cam, float *const rgb[3], float *restrict noise,
		       uint8_t *restrict out, uint32_t w)
{
	const size_t n = (size_t)w * 3;
	if (cam->sigma > 0.0f) {
		for (size_t i = 0; i < n;) {
			uint64_t bits = scene_rng_next(&cam->rng);
			for (int k = 0; k < 5 && i < n; k++, i++, bits >>= NOISE_BITS)
				noise[i] = cam->table[bits & (NOISE_N - 1)];
		}
	} else {
		memset(noise, 0, sizeof(float) * n);
	}
	const float g0 = cam->gain[0], g1 = cam->gain[1], g2 = cam->gain[2];
	const float *restrict r = rgb[0], *restrict g = rgb[1], *restrict b = rgb[2];
	for (uint32_t x = 0; x < w; x++) {
		float v0 = scene_clampf(r[x] * g0 + noise[3 * x] + 0.5f, 0.0f, 255.0f);
		float v1 = scene_clampf(g[x] * g1 + noise[3 * x + 1] + 0.5f, 0.0f, 255.0f);
		float v2 = scene_clampf(b[x] * g2 + noise[3 * x + 2] + 0.5f, 0.0f, 255.0f);
		out[3 * x] = (uint8_t)v0;
		out[3 * x + 1] = (uint8_t)v1;
		out[3 * x + 2] = (uint8_t)v2;
	}
}

static int jpeg_round_trip(struct pr_image *img, int quality, struct pr_error *err)
{
	uint8_t *data = NULL;
	size_t size = 0;
	int rc = pr_encode_jpeg_memory(img, quality, &data, &size, err);
	if (rc)
		return rc;
	struct pr_image dec;
	rc = pr_decode_memory(data, size, "scene JPEG", &dec, err);
	free(data);
	if (rc)
		return rc;
	if (dec.width != img->width || dec.height != img->height || dec.channels != 3 ||
	    dec.depth != 8) {
		pr_image_free(&dec);
		return pr_error_set(err, PR_EFORMAT, "scene JPEG round trip changed the image layout");
	}
	pr_image_free(img);
	*img = dec;
	return 0;
}

/* Scratch rows shared by plate and shot rendering. */
struct rows {
	float *block;
	float *clean[3], *io[3], *noise, *fac, *cov_b, *cov_a, *dif;
	uint8_t *camo;
};

static int rows_alloc(struct rows *r, uint32_t w, struct pr_error *err)
{
	memset(r, 0, sizeof(*r));
	size_t n = w;
	r->block = malloc(sizeof(float) * (n * 16 + 8));
	r->camo = calloc(n, 1);
	if (!r->block || !r->camo) {
		free(r->block);
		free(r->camo);
		return pr_error_set(err, PR_ENOMEM, "out of memory for scene rows");
	}
	for (int c = 0; c < 3; c++) {
		r->clean[c] = r->block + (size_t)c * n;
		r->io[c] = r->block + (size_t)(3 + c) * n;
	}
	r->noise = r->block + 6 * n;  /* 3n */
	r->fac = r->block + 9 * n;
	r->cov_b = r->block + 10 * n;
	r->cov_a = r->block + 11 * n;
	r->dif = r->block + 12 * n;   /* 2(n+2) */
	return 0;
}

static void rows_free(struct rows *r)
{
	free(r->block);
	free(r->camo);
}

static uint64_t float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof(u));
	return u;
}

int pr_scene_render_plate(const struct pr_scene_params *p, unsigned index, struct pr_image *out,
			  struct pr_error *err)
{
	return pr_scene_render_plate_truth(p, index, out, NULL, err);
}

int pr_scene_render_plate_truth(const struct pr_scene_params *p, unsigned index,
				struct pr_image *out, struct pr_scene_truth *truth,
				struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (truth)
		memset(truth, 0, sizeof(*truth));
	int rc = check_params(p, err);
	if (rc)
		return rc;
	struct scene_bg bg;
	struct rows rw;
	if ((rc = scene_bg_init(&bg, p, err)))
		return rc;
	if ((rc = rows_alloc(&rw, p->width, err))) {
		scene_bg_free(&bg);
		return rc;
	}
	if ((rc = pr_image_alloc(out, p->width, p->height, 3, 8, err)))
		goto fail;
	if (truth) {
		const size_t npix = (size_t)p->width * p->height;
		truth->width = p->width;
		truth->height = p->height;
		truth->alpha = calloc(npix, 1);
		truth->labels = calloc(npix, 1);
		if (!truth->alpha || !truth->labels) {
			rc = pr_error_set(err, PR_ENOMEM, "out of memory for scene truth");
			goto fail;
		}
	}
	/* plates and shots draw drift from one stream per frame, seeded by
	 * the frame's number, so frame 3 is the same whatever came before */
	struct scene_rng rd = scene_rng_for(p->seed, 0xD1, 2 * (uint64_t)index);
	float ev = p->drift > 0 ? p->drift * (float)scene_gauss(&rd) : 0.0f;
	const float one[3] = { 1.0f, 1.0f, 1.0f };
	struct camera *cam = malloc(sizeof(*cam));
	if (!cam) {
		rc = pr_error_set(err, PR_ENOMEM, "out of memory");
		goto fail;
	}
	camera_init(cam, p, ev, one, scene_rng_for(p->seed, 0x9A, index));
	struct scene_transient tr;
	const int hand = pr_scene_plate_has_transient(p, index);
	if (hand)
		scene_transient_init(&tr, p, index);
	for (uint32_t y = 0; y < p->height; y++) {
		scene_bg_row(&bg, y, rw.clean[0], rw.clean[1], rw.clean[2]);
		if (hand)
			scene_transient_row(&tr, y, p->width, rw.clean,
					    truth ? truth->alpha + (size_t)y * p->width : NULL);
		camera_row(cam, rw.clean, rw.noise, pr_image_row(out, y), p->width);
	}
	free(cam);
	for (size_t i = 0; truth && i < (size_t)p->width * p->height; i++)
		truth->labels[i] = truth->alpha[i] >= 128 ? PR_LABEL_OBJECT : 0;
	if (p->jpeg_quality > 0 && (rc = jpeg_round_trip(out, p->jpeg_quality, err)))
		goto fail;
	rows_free(&rw);
	scene_bg_free(&bg);
	return 0;
fail:
	rows_free(&rw);
	scene_bg_free(&bg);
	pr_image_free(out);
	pr_scene_truth_free(truth);
	return rc;
}

/* PR_LABEL_EDGE: pixels within 2 px (chessboard) of the object boundary,
 * i.e. of a fractional pixel or of a change of alpha >= 128. */
static int label_edges(struct pr_scene_truth *t, const struct scene_obj *o, struct pr_error *err)
{
	const int W = (int)t->width, H = (int)t->height;
	const int x0 = o->bx0 > 3 ? o->bx0 - 3 : 0, x1 = o->bx1 + 3 < W ? o->bx1 + 3 : W;
	const int y0 = o->by0 > 3 ? o->by0 - 3 : 0, y1 = o->by1 + 3 < H ? o->by1 + 3 : H;
	const int bw = x1 - x0, bh = y1 - y0;
	if (bw <= 0 || bh <= 0)
		return 0;
	uint8_t *mark = calloc((size_t)bw * bh, 2);
	if (!mark)
		return pr_error_set(err, PR_ENOMEM, "out of memory for scene truth");
	uint8_t *hd = mark + (size_t)bw * bh;
	for (int y = 0; y < bh; y++) {
		const uint8_t *a = t->alpha + (size_t)(y + y0) * W + x0;
		uint8_t *m = mark + (size_t)y * bw;
		for (int x = 0; x < bw; x++) {
			int in = a[x] >= 128;
			if (a[x] > 0 && a[x] < 255)
				m[x] = 1;
			if (x + 1 < bw && in != (a[x + 1] >= 128))
				m[x] = m[x + 1] = 1;
			if (y + 1 < bh && in != (a[x + W] >= 128))
				m[x] = m[x + bw] = 1;
		}
	}
	for (int y = 0; y < bh; y++) {
		const uint8_t *m = mark + (size_t)y * bw;
		uint8_t *h = hd + (size_t)y * bw;
		for (int x = 0; x < bw; x++) {
			int lo = x - 2 < 0 ? 0 : x - 2, hi = x + 2 >= bw ? bw - 1 : x + 2;
			uint8_t v = 0;
			for (int k = lo; k <= hi; k++)
				v |= m[k];
			h[x] = v;
		}
	}
	for (int y = 0; y < bh; y++) {
		int lo = y - 2 < 0 ? 0 : y - 2, hi = y + 2 >= bh ? bh - 1 : y + 2;
		uint8_t *l = t->labels + (size_t)(y + y0) * W + x0;
		for (int x = 0; x < bw; x++) {
			uint8_t v = 0;
			for (int k = lo; k <= hi; k++)
				v |= hd[(size_t)k * bw + x];
			if (v)
				l[x] |= PR_LABEL_EDGE;
		}
	}
	free(mark);
	return 0;
}

void pr_scene_truth_free(struct pr_scene_truth *t)
{
	if (!t)
		return;
	free(t->alpha);
	free(t->labels);
	memset(t, 0, sizeof(*t));
}

int pr_scene_render_shot(const struct pr_scene_params *p, struct pr_image *out,
			 struct pr_scene_truth *truth, struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (truth)
		memset(truth, 0, sizeof(*truth));
	int rc = check_params(p, err);
	if (rc)
		return rc;
	struct scene_bg bg;
	struct rows rw;
	struct scene_obj *o = NULL;
	struct camera *cam = NULL;
	if ((rc = scene_bg_init(&bg, p, err)))
		return rc;
	if ((rc = rows_alloc(&rw, p->width, err))) {
		scene_bg_free(&bg);
		return rc;
	}
	o = malloc(sizeof(*o));
	cam = malloc(sizeof(*cam));
	if (!o || !cam) {
		rc = pr_error_set(err, PR_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = pr_image_alloc(out, p->width, p->height, 3, 8, err)))
		goto fail;
	const size_t npix = (size_t)p->width * p->height;
	if (truth) {
		truth->width = p->width;
		truth->height = p->height;
		truth->alpha = calloc(npix, 1);
		truth->labels = calloc(npix, 1);
		if (!truth->alpha || !truth->labels) {
			rc = pr_error_set(err, PR_ENOMEM, "out of memory for scene truth");
			goto fail;
		}
	}
	scene_obj_init(o, p, &bg, rw.io[0]);
	struct scene_rng rd = scene_rng_for(p->seed, 0xD1, 2 * (uint64_t)p->shot_index + 1);
	float ev = p->exposure_ev + (p->drift > 0 ? p->drift * (float)scene_gauss(&rd) : 0.0f);
	camera_init(cam, p, ev, p->wb_gain,
		    scene_rng_for(p->seed, 0x5407 + ((uint64_t)p->shot_index << 16),
				  float_bits(p->angle_deg)));
	const size_t rowbytes = sizeof(float) * p->width;
	for (uint32_t y = 0; y < p->height; y++) {
		scene_bg_row(&bg, y, rw.clean[0], rw.clean[1], rw.clean[2]);
		for (int c = 0; c < 3; c++)
			memcpy(rw.io[c], rw.clean[c], rowbytes);
		uint8_t *lab = truth ? truth->labels + (size_t)y * p->width : NULL;
		uint8_t *alp = truth ? truth->alpha + (size_t)y * p->width : NULL;
		int in_shadow = (int)y >= o->sy0 && (int)y < o->sy1;
		if (in_shadow) {
			scene_obj_shadow_row(o, y, rw.fac);
			for (int c = 0; c < 3; c++) {
				float *restrict v = rw.io[c];
				const float *restrict f = rw.fac;
				if (o->s_tint > 0.0f) {
					/* lit by the sky alone: redder light is lost,
					 * bluer kept, the more the deeper the shadow */
					const float k = o->s_tint * (float)(c - 1) / (1.0f - o->s_dark);
					for (int x = o->sx0; x < o->sx1; x++)
						v[x] *= f[x] * (1.0f + k * (1.0f - f[x]));
					continue;
				}
				for (int x = o->sx0; x < o->sx1; x++)
					v[x] *= f[x];
			}
		}
		if ((int)y >= o->by0 && (int)y < o->by1) {
			scene_obj_coverage_row(o, y, rw.cov_b, rw.cov_a, rw.dif);
			memset(rw.camo + o->bx0, 0, (size_t)(o->bx1 - o->bx0));
			scene_obj_composite_row(o, y, rw.cov_b, rw.cov_a, rw.clean, rw.io, rw.camo);
			for (int i = 0; truth && i < o->bx1 - o->bx0; i++) {
				int x = o->bx0 + i;
				uint8_t a = (uint8_t)(rw.cov_a[i] * 255.0f + 0.5f);
				uint8_t l = 0;
				alp[x] = a;
				if (a >= 128)
					l |= PR_LABEL_OBJECT;
				/* thin: some coverage comes from a thin part alone */
				if (rw.cov_a[i] - rw.cov_b[i] > 0.5f / 255.0f)
					l |= PR_LABEL_THIN;
				if (rw.camo[x])
					l |= PR_LABEL_CAMOUFLAGE;
				lab[x] = l;
			}
		}
		if (in_shadow && truth)
			for (int x = o->sx0; x < o->sx1; x++)
				if (alp[x] == 0 && rw.fac[x] < 0.9f)
					lab[x] |= PR_LABEL_SHADOW;
		camera_row(cam, rw.io, rw.noise, pr_image_row(out, y), p->width);
	}
	if (truth) {
		if ((rc = label_edges(truth, o, err)))
			goto fail;
		for (int c = 0; c < 3; c++)
			truth->fg_rgb[c] = (uint8_t)scene_clampf(o->fg[c] + 0.5f, 0.0f, 255.0f);
	}
	if (p->jpeg_quality > 0 && (rc = jpeg_round_trip(out, p->jpeg_quality, err)))
		goto fail;
	free(o);
	free(cam);
	rows_free(&rw);
	scene_bg_free(&bg);
	return 0;
fail:
	free(o);
	free(cam);
	rows_free(&rw);
	scene_bg_free(&bg);
	pr_image_free(out);
	pr_scene_truth_free(truth);
	return rc;
}
