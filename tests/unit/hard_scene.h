/* Generated scenes that do not share the plate model's assumptions: a
 * background with fine texture, drawn as a continuous function so that a
 * shot can see it shifted by a fraction of a pixel; objects made of several
 * colours with anti-aliased outlines; deep cast shadows tinted by the
 * ambient light; things passing through some of the plate frames; JPEG
 * compression. Header-only (each test program is one translation unit);
 * the tests describe the objects, shadows and transients with callbacks. */
#ifndef PHOTORIG_TEST_HARD_SCENE_H
#define PHOTORIG_TEST_HARD_SCENE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "image.h"
#include "imageio.h"
#include "mask.h"
#include "plate.h"

/* What covers a point: 1 and its colour, or 0. */
typedef int (*hs_cover_fn)(const void *ctx, float x, float y, float rgb[3]);
/* Light left on the background at a point, per channel (1 = unshaded). */
typedef void (*hs_shade_fn)(const void *ctx, float x, float y, float gain[3]);

struct hs_scene {
	uint32_t w, h;
	uint64_t seed;
	float noise;       /* sensor noise, 8-bit levels */
	float texture;     /* amplitude of the background's fine texture, levels */
	float foliage;     /* contrast of sharp-edged leaves over the right 38% of the frame */
	float sway;        /* leaves moved by up to this many pixels (a breeze), 0 in plates */
	int jpeg;          /* JPEG quality of plates and shot, 0 for none */
	hs_cover_fn object; /* in the shot only */
	hs_shade_fn shadow; /* in the shot only */
	const void *ctx;
};

static inline uint32_t hs_hash(uint64_t seed, int32_t x, int32_t y, int c)
{
	uint64_t h = seed * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uint32_t)x * 0xC2B2AE3D27D4EB4Full ^
		     (uint64_t)(uint32_t)y * 0x165667B19E3779F9ull ^ (uint64_t)c * 0x27D4EB2F165667C5ull;
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/* Value noise: random lattice values, smoothly interpolated; -1..1. */
static inline float hs_value_noise(uint64_t seed, float x, float y, int c)
{
	float fx = floorf(x), fy = floorf(y);
	int32_t ix = (int32_t)fx, iy = (int32_t)fy;
	float tx = x - fx, ty = y - fy;
	tx = tx * tx * (3 - 2 * tx);
	ty = ty * ty * (3 - 2 * ty);
	float v[4];
	for (int k = 0; k < 4; k++)
		v[k] = (float)(hs_hash(seed, ix + (k & 1), iy + (k >> 1), c) & 0xffff) / 32767.5f - 1.0f;
	return (v[0] * (1 - tx) + v[1] * tx) * (1 - ty) + (v[2] * (1 - tx) + v[3] * tx) * ty;
}

/* The background at a point: a soft gradient, blotches, and fine texture
 * (foliage, fabric) whose detail is 2..6 px. */
static inline void hs_background(const struct hs_scene *s, float x, float y, float rgb[3])
{
	const float base[3] = { 120, 135, 110 };
	float lum = 0.8f + 0.3f * x / (float)s->w + 0.15f * hs_value_noise(s->seed, x / 60, y / 60, 9);
	float fine = 0.6f * hs_value_noise(s->seed + 1, x / 2.2f, y / 2.2f, 0) +
		     0.4f * hs_value_noise(s->seed + 2, x / 5.0f, y / 5.0f, 0);
	float leaf = 0;
	if (s->foliage > 0 && x > 0.62f * (float)s->w) {
		/* leaves 3..8 px across with edges about a pixel wide, and gaps */
		float lx = x + s->sway * hs_value_noise(s->seed + 7, x / 12, y / 12, 0);
		float ly = y + s->sway * hs_value_noise(s->seed + 8, x / 12, y / 12, 0);
		float n = hs_value_noise(s->seed + 4, lx / 4.0f, ly / 4.0f, 0) +
			  0.5f * hs_value_noise(s->seed + 5, lx / 1.7f, ly / 2.3f, 0);
		leaf = tanhf(3.0f * n);
	}
	for (int c = 0; c < 3; c++)
		rgb[c] = base[c] * lum + s->texture * (fine + 0.25f * hs_value_noise(s->seed + 3,
							    x / 3.0f, y / 3.0f, c + 1)) +
			 s->foliage * leaf * (c == 1 ? 1.0f : 0.7f);
}

static inline double hs_gauss(uint64_t *st)
{
	double u[2];
	for (int k = 0; k < 2; k++) {
		*st = *st * 6364136223846793005ull + 1442695040888963407ull;
		u[k] = ((*st >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

static inline void hs_jpeg_round_trip(struct pr_image *img, int quality)
{
	uint8_t *data = NULL;
	size_t size = 0;
	struct pr_error err;
	struct pr_image dec = { 0 };
	assert_int_equal(pr_encode_jpeg_memory(img, quality, &data, &size, &err), 0);
	assert_int_equal(pr_decode_memory(data, size, "jpeg", &dec, &err), 0);
	free(data);
	pr_image_free(img);
	*img = dec;
}

/* Render one picture: the background shifted by (dx, dy), then what covers
 * it (cover, 4x4 samples a pixel for the outline's coverage) and the shade;
 * alpha (if not NULL) receives the coverage 0..255 of cover. noise_index
 * picks the noise. */
static inline void hs_render(const struct hs_scene *s, float dx, float dy, hs_cover_fn cover,
			     hs_shade_fn shade, const void *ctx, uint64_t noise_index,
			     struct pr_image *out, uint8_t *alpha)
{
	uint64_t st = s->seed * 7919 + noise_index * 104729 + 17;
	assert_int_equal(pr_image_alloc(out, s->w, s->h, 3, 8, NULL), 0);
	for (uint32_t y = 0; y < s->h; y++) {
		uint8_t *row = pr_image_row(out, y);
		for (uint32_t x = 0; x < s->w; x++) {
			float bg[3], acc[3] = { 0, 0, 0 }, g[3] = { 1, 1, 1 }, c[3];
			int n = 0;
			hs_background(s, (float)x + dx, (float)y + dy, bg);
			if (shade)
				shade(ctx, (float)x, (float)y, g);
			if (cover)
				for (int k = 0; k < 16; k++) {
					float sx = (float)x + ((float)(k & 3) + 0.5f) / 4 - 0.5f;
					float sy = (float)y + ((float)(k >> 2) + 0.5f) / 4 - 0.5f;
					if (cover(ctx, sx, sy, c)) {
						n++;
						for (int i = 0; i < 3; i++)
							acc[i] += c[i];
					}
				}
			for (int i = 0; i < 3; i++) {
				double v = (n < 16 ? bg[i] * g[i] * (16 - n) / 16.0 : 0) + acc[i] / 16.0;
				v += s->noise * hs_gauss(&st);
				row[3 * x + i] = (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : lround(v)));
			}
			if (alpha)
				alpha[(size_t)y * s->w + x] = (uint8_t)((n * 255 + 8) / 16);
		}
	}
	if (s->jpeg)
		hs_jpeg_round_trip(out, s->jpeg);
}

/* Mask a shot against a plate with default settings (or mp). */
static inline void hs_mask(const struct pr_mask_params *mp, const struct pr_plate *plate,
			   const struct pr_image *shot, struct pr_mask_result *r)
{
	struct pr_mask_params def;
	struct pr_error err;
	if (!mp) {
		pr_mask_params_default(&def);
		mp = &def;
	}
	if (pr_mask_compute(mp, plate, shot, r, &err))
		fail_msg("mask: %s", err.msg);
}

/* Scores against a coverage truth: foreground = alpha > 127, pixels with
 * 40 <= alpha <= 215 not counted (the leaves pair's rule), only pixels
 * where select is non-zero when select is given. */
static inline struct pr_eval_metrics hs_score(const uint8_t *alpha, const uint8_t *mask,
					      const uint8_t *select, uint32_t w, uint32_t h)
{
	struct pr_eval_counts c = { 0 };
	for (size_t i = 0; i < (size_t)w * h; i++) {
		if ((select && !select[i]) || (alpha[i] >= 40 && alpha[i] <= 215))
			continue;
		int t = alpha[i] > 127, m = mask[i] >= 128;
		c.tp += t && m;
		c.fp += !t && m;
		c.fn += t && !m;
		c.tn += !t && !m;
	}
	return pr_eval_metrics(&c);
}

struct pair {
	struct pr_plate plate;
	struct pr_image shot;
	uint8_t *alpha;
	struct pr_mask_result r;
};

/* One plate frame and one shot of the scene; the shot's background is
 * shifted by (dx, dy) pixels, as a camera on a tripod shakes a little. */
static inline void make_pair(const struct hs_scene *s, float dx, float dy, struct pair *p)
{
	struct hs_scene still = *s;
	struct pr_plate_builder b;
	struct pr_image f;
	struct pr_error err;
	memset(p, 0, sizeof(*p));
	p->alpha = malloc((size_t)s->w * s->h);
	assert_non_null(p->alpha);
	still.sway = 0;
	hs_render(&still, 0, 0, NULL, NULL, s->ctx, 1000, &f, NULL);
	pr_plate_builder_init(&b);
	assert_int_equal(pr_plate_builder_add(&b, &f, "plate", &err), 0);
	assert_int_equal(pr_plate_builder_finish(&b, &p->plate, &err), 0);
	pr_plate_builder_free(&b);
	pr_image_free(&f);
	hs_render(s, dx, dy, s->object, s->shadow, s->ctx, 1, &p->shot, p->alpha);
}

static inline void pair_free(struct pair *p)
{
	pr_plate_free(&p->plate);
	pr_image_free(&p->shot);
	pr_mask_result_free(&p->r);
	free(p->alpha);
}

#endif
