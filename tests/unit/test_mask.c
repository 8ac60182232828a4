/* Masking on generated scenes with known truth: the plate and chroma
 * methods, tolerance, invert, regions, and input forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mask_fixture.h"

static void test_plate_textured_scene(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	pr_scene_defaults(&sp);
	pr_mask_params_default(&mp);
	for (unsigned frames = 1; frames <= 5; frames += 4) {
		struct run r;
		run_scene(&sp, frames, &mp, &r);
		struct pr_eval_metrics m = score(&r);
		print_message("plate, %u frame(s): F %.4f IoU %.4f\n", frames, m.f, m.iou);
		assert_true(m.f >= 0.97);
		run_free(&r);
	}
}

static void test_plate_noisy_plain_scene(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	pr_scene_defaults(&sp);
	sp.background = PR_SCENE_PLAIN;
	sp.noise_sigma = 5;
	sp.seed = 7;
	pr_mask_params_default(&mp);
	run_scene(&sp, 5, &mp, &r);
	struct pr_eval_metrics m = score(&r);
	print_message("plate, plain background, noise 5: F %.4f\n", m.f);
	assert_true(m.f >= 0.97);
	run_free(&r);
}

static void test_tolerance_monotonic(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	const double tol[] = { 1, 2, 4, 6, 10, 20, 40, 80 };
	uint64_t prev = UINT64_MAX;
	pr_scene_defaults(&sp);
	sp.camouflage = 1;
	pr_mask_params_default(&mp);
	for (size_t i = 0; i < sizeof(tol) / sizeof(tol[0]); i++) {
		struct run r;
		mp.tolerance = tol[i];
		run_scene(&sp, 3, &mp, &r);
		uint64_t n = count_fg(&r.r);
		print_message("tolerance %5.1f: %llu foreground pixels\n", tol[i], (unsigned long long)n);
		assert_true(n <= prev);
		prev = n;
		run_free(&r);
	}
	/* and the extremes differ: tolerance does something */
	struct run lo, hi;
	mp.tolerance = 1;
	run_scene(&sp, 3, &mp, &lo);
	mp.tolerance = 80;
	run_scene(&sp, 3, &mp, &hi);
	assert_true(count_fg(&lo.r) > count_fg(&hi.r) + 100);
	run_free(&lo);
	run_free(&hi);
}

static void test_invert(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run a, b;
	pr_scene_defaults(&sp);
	pr_mask_params_default(&mp);
	run_scene(&sp, 2, &mp, &a);
	mp.invert = 1;
	run_scene(&sp, 2, &mp, &b);
	size_t n = (size_t)a.r.width * a.r.height;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(b.r.mask[i], 255 - a.r.mask[i]);
		assert_int_equal(b.r.alpha[i], 255 - a.r.alpha[i]);
	}
	assert_true(count_fg(&a.r) > 0 && count_fg(&b.r) > 0);
	run_free(&a);
	run_free(&b);
}

static void test_include_exclude_regions(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	pr_scene_defaults(&sp);
	pr_mask_params_default(&mp);
	/* exclude the whole left half, include a corner box that is background */
	assert_int_equal(pr_region_parse("rect:0,0,320,480", 1, &mp.regions[0], NULL), 0);
	assert_int_equal(pr_region_parse("rect:600,440,40,40", 0, &mp.regions[1], NULL), 0);
	/* an include inside the excluded half loses: exclude wins */
	assert_int_equal(pr_region_parse("rect:10,10,20,20", 0, &mp.regions[2], NULL), 0);
	mp.nregions = 3;
	run_scene(&sp, 2, &mp, &r);
	for (uint32_t y = 0; y < 480; y++)
		for (uint32_t x = 0; x < 320; x++)
			assert_int_equal(r.r.mask[y * 640 + x], 0);
	for (uint32_t y = 440; y < 480; y++)
		for (uint32_t x = 600; x < 640; x++) {
			assert_int_equal(r.r.mask[y * 640 + x], 255);
			assert_int_equal(r.r.alpha[y * 640 + x], 255);
		}
	/* the object's right half is still found */
	uint64_t right = 0;
	for (uint32_t y = 0; y < 440; y++)
		for (uint32_t x = 320; x < 640; x++)
			right += r.r.mask[y * 640 + x] != 0;
	assert_true(right > 1000);
	run_free(&r);
}

static void test_chroma_green_screen(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	pr_scene_defaults(&sp);
	sp.background = PR_SCENE_GREEN;
	pr_mask_params_default(&mp);
	mp.method = PR_MASK_CHROMA;
	mp.tolerance = pr_mask_default_tolerance(PR_MASK_CHROMA);
	/* key colour: the screen's average colour, as an operator would pick it */
	struct pr_image plate;
	assert_int_equal(pr_scene_render_plate(&sp, 0, &plate, NULL), 0);
	double sum[3] = { 0 };
	for (uint32_t y = 0; y < plate.height; y++)
		for (uint32_t x = 0; x < plate.width; x++)
			for (int c = 0; c < 3; c++)
				sum[c] += pr_image_row(&plate, y)[3 * x + c];
	for (int c = 0; c < 3; c++)
		mp.key_rgb[c] = (uint8_t)(sum[c] / ((double)plate.width * plate.height) + 0.5);
	pr_image_free(&plate);
	run_scene(&sp, 0, &mp, &r);
	struct pr_eval_metrics m = score(&r);
	print_message("chroma, green screen (key %02x%02x%02x): F %.4f\n", mp.key_rgb[0],
		      mp.key_rgb[1], mp.key_rgb[2], m.f);
	assert_true(m.f >= 0.97);
	run_free(&r);
}

static void test_sixteen_bit_shot_same_mask(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	struct pr_image wide;
	struct pr_mask_result r16;
	pr_scene_defaults(&sp);
	pr_mask_params_default(&mp);
	run_scene(&sp, 2, &mp, &r);
	assert_int_equal(pr_image_alloc(&wide, r.shot.width, r.shot.height, 3, 16, NULL), 0);
	for (uint32_t y = 0; y < wide.height; y++)
		for (uint32_t x = 0; x < wide.width * 3; x++)
			((uint16_t *)pr_image_row(&wide, y))[x] =
				(uint16_t)(pr_image_row(&r.shot, y)[x] * 257);
	assert_int_equal(pr_mask_compute(&mp, &r.plate, &wide, &r16, NULL), 0);
	assert_memory_equal(r16.mask, r.r.mask, (size_t)wide.width * wide.height);
	pr_mask_result_free(&r16);
	pr_image_free(&wide);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plate_textured_scene),
		cmocka_unit_test(test_plate_noisy_plain_scene),
		cmocka_unit_test(test_tolerance_monotonic),
		cmocka_unit_test(test_invert),
		cmocka_unit_test(test_include_exclude_regions),
		cmocka_unit_test(test_chroma_green_screen),
		cmocka_unit_test(test_sixteen_bit_shot_same_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
