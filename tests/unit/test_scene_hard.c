/* Unit tests: the hard conditions of generated scenes (core/scene/scene_hard.c,
 * the object's options in scene_obj.c, core/scene/scene_options.c): each renders
 * what it claims, with truth to match, and a scene without them is the one
 * rendered before they existed (fixed checksums). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "imageio.h"
#include "scene.h"

/* FNV-1a 64 of the pixels, rendered by the code before the hard
 * conditions were added (checked against that build) */
#define PLATE_SUM 0xfa2c9fec71612982ull
#define SHOT_SUM 0x8e6ddd79cb8d249dull

static uint64_t fnv(const struct pr_image *img)
{
	uint64_t h = 1469598103934665603ull;
	for (uint32_t y = 0; y < img->height; y++) {
		const uint8_t *r = pr_image_row(img, y);
		for (size_t i = 0; i < (size_t)img->width * img->channels; i++)
			h = (h ^ r[i]) * 1099511628211ull;
	}
	return h;
}

static void params(struct pr_scene_params *p, uint32_t w, uint32_t h)
{
	pr_scene_defaults(p);
	p->width = w;
	p->height = h;
}

static void plate(const struct pr_scene_params *p, unsigned i, struct pr_image *img,
		  struct pr_scene_truth *t)
{
	struct pr_error err;
	if (pr_scene_render_plate_truth(p, i, img, t, &err))
		fail_msg("plate %u: %s", i, err.msg);
}

static void shot(const struct pr_scene_params *p, struct pr_image *img, struct pr_scene_truth *t)
{
	struct pr_error err;
	if (pr_scene_render_shot(p, img, t, &err))
		fail_msg("shot: %s", err.msg);
}

/* The scenes every earlier test and the demo were built on do not move. */
static void test_defaults_unchanged(void **state)
{
	(void)state;
	struct pr_scene_params p;
	struct pr_image a, b;
	params(&p, 160, 120);
	plate(&p, 2, &a, NULL);
	p.shadow = p.thin = p.camouflage = 1;
	p.angle_deg = 40;
	p.shot_index = 3;
	shot(&p, &b, NULL);
	assert_true(fnv(&a) == PLATE_SUM);
	assert_true(fnv(&b) == SHOT_SUM);
	pr_image_free(&a);
	pr_image_free(&b);
}


static int px(const struct pr_image *img, uint32_t x, uint32_t y, int c)
{
	return pr_image_row(img, y)[(size_t)x * 3 + (size_t)c];
}

/* 30% of ten plate frames have a hand: frames 3, 6 and 9. Elsewhere each
 * frame is the clean one, pixel for pixel; under the hand it is not, and
 * its truth says where. The hand reaches over where the object stands. */
static void test_transient(void **state)
{
	(void)state;
	struct pr_scene_params p, clean;
	params(&p, 320, 240);
	clean = p;
	p.transient = 0.3f;
	int with = 0;
	for (unsigned i = 0; i < 10; i++)
		with += pr_scene_plate_has_transient(&p, i);
	assert_int_equal(with, 3);
	assert_true(pr_scene_plate_has_transient(&p, 3) && pr_scene_plate_has_transient(&p, 9));
	assert_false(pr_scene_plate_has_transient(&p, 0));
	p.transient = 0.3f;
	for (unsigned n = 1; n <= 30; n++) {
		int k = 0;
		for (unsigned i = 0; i < n; i++)
			k += pr_scene_plate_has_transient(&p, i);
		assert_int_equal(k, (int)(n * 3 / 10)); /* 1 frame: none; 30: nine */
	}
	struct pr_image obj;
	struct pr_scene_truth ot;
	shot(&clean, &obj, &ot);
	for (unsigned i = 2; i <= 3; i++) {
		struct pr_image a, b;
		struct pr_scene_truth t;
		plate(&p, i, &a, &t);
		plate(&clean, i, &b, NULL);
		size_t covered = 0, over_object = 0, differ = 0;
		for (uint32_t y = 0; y < 240; y++)
			for (uint32_t x = 0; x < 320; x++) {
				size_t k = (size_t)y * 320 + x;
				int d = 0;
				for (int c = 0; c < 3; c++)
					d += abs(px(&a, x, y, c) - px(&b, x, y, c));
				if (!t.alpha[k]) {
					assert_int_equal(d, 0);
					continue;
				}
				covered += t.alpha[k] == 255;
				differ += t.alpha[k] == 255 && d > 30;
				over_object += t.alpha[k] == 255 && ot.alpha[k] == 255;
				assert_true(!!(t.labels[k] & PR_LABEL_OBJECT) == (t.alpha[k] >= 128));
			}
		if (i == 2) {
			assert_int_equal(covered, 0);
		} else {
			assert_true(covered > 800);
			assert_true(differ > covered * 8 / 10);
			assert_true(over_object > 100);
		}
		pr_image_free(&a);
		pr_image_free(&b);
		pr_scene_truth_free(&t);
	}
	pr_image_free(&obj);
	pr_scene_truth_free(&ot);
}

/* The platter turns: a plate at the shot's angle matches the shot's
 * background within noise, one at another angle does not. */
static void test_platter_turns(void **state)
{
	(void)state;
	struct pr_scene_params p;
	params(&p, 320, 240);
	p.platter = 1;
	p.angle_deg = 30;
	struct pr_image s, same, other, none;
	struct pr_scene_truth t;
	shot(&p, &s, &t);
	plate(&p, 0, &same, NULL);
	p.angle_deg = 0;
	plate(&p, 0, &other, NULL);
	p.platter = 0;
	plate(&p, 0, &none, NULL);
	size_t platter = 0, off_same = 0, off_other = 0;
	for (uint32_t y = 0; y < 240; y++)
		for (uint32_t x = 0; x < 320; x++) {
			int dn = 0, ds = 0, dother = 0;
			for (int c = 0; c < 3; c++) {
				dn += abs(px(&same, x, y, c) - px(&none, x, y, c));
				ds = abs(px(&s, x, y, c) - px(&same, x, y, c)) > ds
					     ? abs(px(&s, x, y, c) - px(&same, x, y, c)) : ds;
				dother += abs(px(&s, x, y, c) - px(&other, x, y, c));
			}
			/* the platter is where the plates with and without it differ */
			if (dn < 40 || t.alpha[(size_t)y * 320 + x])
				continue;
			platter++;
			off_same += ds > 12;  /* 6 sigma of the two frames' noise */
			off_other += dother > 60;
		}
	print_message("platter %zu, off at the same angle %zu, at 30 degrees off %zu\n", platter,
		      off_same, off_other);
	assert_true(platter > 500);
	assert_true(off_same * 100 < platter);      /* same angle: noise only */
	assert_true(off_other * 100 > platter * 20); /* 30 degrees off: a fifth or more */
	pr_image_free(&s);
	pr_image_free(&same);
	pr_image_free(&other);
	pr_image_free(&none);
	pr_scene_truth_free(&t);
}

/* A deep shadow tinted toward the sky: the core keeps the set brightness
 * ratio, and its blue falls less than its red. */
static void test_deep_tinted_shadow(void **state)
{
	(void)state;
	struct pr_scene_params p;
	params(&p, 320, 240);
	p.noise_sigma = 0;
	p.background = PR_SCENE_PLAIN;
	p.shadow = 1;
	p.shadow_ratio = 0.2f;
	p.shadow_tint = 0.08f;
	struct pr_image s, b;
	struct pr_scene_truth t;
	shot(&p, &s, &t);
	plate(&p, 0, &b, NULL);
	double lmin = 1.0, rb = 0.0;
	size_t core = 0, shadow = 0;
	for (size_t pass = 0; pass < 2; pass++)
		for (uint32_t y = 0; y < 240; y++)
			for (uint32_t x = 0; x < 320; x++) {
				size_t k = (size_t)y * 320 + x;
				if (!(t.labels[k] & PR_LABEL_SHADOW))
					continue;
				double ls = 0, lp = 0;
				for (int c = 0; c < 3; c++) {
					ls += px(&s, x, y, c);
					lp += px(&b, x, y, c);
				}
				double l = ls / lp;
				if (!pass) {
					shadow++;
					lmin = l < lmin ? l : lmin;
				} else if (l < lmin + 0.02) {
					core++;
					rb += ((double)px(&s, x, y, 2) / px(&b, x, y, 2)) /
					      ((double)px(&s, x, y, 0) / px(&b, x, y, 0));
				}
			}
	assert_true(shadow > 500);
	assert_true(lmin > 0.17 && lmin < 0.23);
	rb /= (double)core;
	/* (1 + 0.08) / (1 - 0.08) = 1.17 at the core */
	assert_true(rb > 1.12 && rb < 1.23);
	pr_image_free(&s);
	pr_image_free(&b);
	pr_scene_truth_free(&t);
}

/* Colour clusters of the object's opaque inner pixels holding 3% each. */
static int clusters(const struct pr_image *s, const struct pr_scene_truth *t)
{
	size_t bins[64] = { 0 }, n = 0;
	for (uint32_t y = 0; y < t->height; y++)
		for (uint32_t x = 0; x < t->width; x++) {
			size_t k = (size_t)y * t->width + x;
			if (t->alpha[k] != 255 || (t->labels[k] & PR_LABEL_EDGE))
				continue;
			int b = 0;
			for (int c = 0; c < 3; c++)
				b = b * 4 + px(s, x, y, c) / 64;
			bins[b]++;
			n++;
		}
	int k = 0;
	for (int i = 0; i < 64; i++)
		k += bins[i] * 100 > n * 3;
	return k;
}

static size_t object_pixels(const struct pr_scene_truth *t)
{
	size_t n = 0;
	for (size_t k = 0; k < (size_t)t->width * t->height; k++)
		n += t->alpha[k] >= 128;
	return n;
}

static void test_small_painted_object(void **state)
{
	(void)state;
	struct pr_scene_params p;
	params(&p, 320, 240);
	p.noise_sigma = 0;
	struct pr_image big, small, painted;
	struct pr_scene_truth tb, ts, tp;
	shot(&p, &big, &tb);
	p.object_scale = 0.3f;
	shot(&p, &small, &ts);
	p.colours = 5;
	shot(&p, &painted, &tp);
	double share = (double)object_pixels(&ts) / (double)object_pixels(&tb);
	assert_true(share > 0.05 && share < 0.15); /* about 0.3 squared */
	assert_int_equal(object_pixels(&ts), object_pixels(&tp));
	int plain = clusters(&small, &ts), many = clusters(&painted, &tp);
	assert_true(many >= 4);
	assert_true(many > plain);
	pr_image_free(&big);
	pr_image_free(&small);
	pr_image_free(&painted);
	pr_scene_truth_free(&tb);
	pr_scene_truth_free(&ts);
	pr_scene_truth_free(&tp);
}

/* Mean absolute difference between horizontal neighbours. */
static double busyness(const struct pr_image *a)
{
	double s = 0;
	for (uint32_t y = 0; y < a->height; y++)
		for (uint32_t x = 0; x + 1 < a->width; x++)
			s += abs(px(a, x, y, 1) - px(a, x + 1, y, 1));
	return s / ((double)a->height * (a->width - 1));
}

/* Foliage is busy, and JPEG at q85 changes it by more than the noise. */
static void test_foliage_jpeg(void **state)
{
	(void)state;
	struct pr_scene_params p;
	params(&p, 320, 240);
	struct pr_image tex, fol, folj;
	plate(&p, 0, &tex, NULL);
	p.background = PR_SCENE_FOLIAGE;
	plate(&p, 0, &fol, NULL);
	p.jpeg_quality = 85;
	plate(&p, 0, &folj, NULL);
	assert_true(busyness(&fol) > 3 * busyness(&tex));
	double d = 0;
	for (uint32_t y = 0; y < 240; y++)
		for (uint32_t x = 0; x < 320; x++)
			d += abs(px(&fol, x, y, 1) - px(&folj, x, y, 1));
	assert_true(d / (320.0 * 240.0) > 2.0);
	pr_image_free(&tex);
	pr_image_free(&fol);
	pr_image_free(&folj);
}

/* The text the sim camera's scene key holds. */
static void test_options(void **state)
{
	(void)state;
	struct pr_scene_params p;
	struct pr_error err;
	pr_scene_defaults(&p);
	assert_int_equal(pr_scene_options_parse("", &p, &err), 0);
	assert_int_equal(pr_scene_options_parse(
				 "background=foliage, transient=0.3,platter small=0.25 colours=5 "
				 "shadow=0.2 tint=0.08 ev=2.5 jpeg=85 thin camouflage noise=3",
				 &p, &err), 0);
	assert_int_equal(p.background, PR_SCENE_FOLIAGE);
	assert_true(p.transient == 0.3f && p.platter && p.object_scale == 0.25f);
	assert_true(p.colours == 5 && p.shadow && p.shadow_ratio == 0.2f);
	assert_true(p.shadow_tint == 0.08f && p.exposure_ev == 2.5f && p.jpeg_quality == 85);
	assert_true(p.thin && p.camouflage && p.noise_sigma == 3.0f);
	static const char *const bad[][2] = {
		{ "sparkle", "unknown" },       { "transient=2", "0..1" },
		{ "platter=1", "no value" },    { "colours=9", "2..8" },
		{ "colours=2.5", "whole" },     { "shadow=0", "0.05..0.95" },
		{ "background=wood", "foliage" }, { "ev", "number" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pr_scene_defaults(&p);
		assert_true(pr_scene_options_parse(bad[i][0], &p, &err) < 0);
		if (!strstr(err.msg, bad[i][1]) || !strstr(err.msg, bad[i][0]))
			fail_msg("'%s': %s", bad[i][0], err.msg);
	}
	/* clipped exposure: ev=3 leaves most of the frame at 255 */
	pr_scene_defaults(&p);
	p.width = 160;
	p.height = 120;
	assert_int_equal(pr_scene_options_parse("ev=3", &p, &err), 0);
	struct pr_image s;
	shot(&p, &s, NULL);
	size_t clipped = 0;
	for (uint32_t y = 0; y < 120; y++)
		for (uint32_t x = 0; x < 160; x++)
			clipped += px(&s, x, y, 0) == 255 || px(&s, x, y, 1) == 255 ||
				   px(&s, x, y, 2) == 255;
	assert_true(clipped * 10 > 160 * 120 * 8);
	pr_image_free(&s);
	/* out-of-range parameters set directly are refused by the renderer */
	pr_scene_defaults(&p);
	p.colours = 1;
	assert_true(pr_scene_render_shot(&p, &s, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, "colours"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_unchanged),
		cmocka_unit_test(test_transient),
		cmocka_unit_test(test_platter_turns),
		cmocka_unit_test(test_deep_tinted_shadow),
		cmocka_unit_test(test_small_painted_object),
		cmocka_unit_test(test_foliage_jpeg),
		cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
