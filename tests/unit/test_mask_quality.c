/* Mask quality on generated scenes, stage by stage: each test runs the
 * scene with the stage on and off, so it shows that the stage is what makes
 * the difference. Figures are printed for the record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mask_fixture.h"

/* Fraction of shadow-labelled pixels called object. */
static double shadow_fpr(const struct run *r)
{
	uint64_t n = 0, fp = 0;
	for (size_t i = 0; i < (size_t)r->r.width * r->r.height; i++)
		if (r->truth.labels[i] & PR_LABEL_SHADOW) {
			n++;
			fp += r->r.mask[i] >= 128;
		}
	assert_true(n > 500); /* the scene has a real shadow */
	return (double)fp / n;
}

static void test_cast_shadow_is_background(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	pr_scene_defaults(&sp);
	sp.shadow = 1;
	pr_mask_params_default(&mp);
	for (int bg = PR_SCENE_TEXTURED; bg <= PR_SCENE_PLAIN; bg++) {
		struct run on, off;
		sp.background = (enum pr_scene_background)bg;
		run_scene(&sp, 3, &mp, &on);
		mp.shadow = 0;
		run_scene(&sp, 3, &mp, &off);
		mp.shadow = 1;
		double f_on = shadow_fpr(&on), f_off = shadow_fpr(&off);
		print_message("background %d: shadow FPR %.4f with suppression, %.4f without; F %.4f\n",
			      bg, f_on, f_off, score(&on).f);
		assert_true(f_on <= 0.05);
		assert_true(f_off > 0.5);
		assert_true(score(&on).f >= 0.95);
		run_free(&on);
		run_free(&off);
	}
}

static void test_exposure_and_white_balance_drift(void **state)
{
	(void)state;
	const float ev[] = { 1.0f / 3, -1.0f / 3, 0 };
	const float wb[][3] = { { 1, 1, 1 }, { 1, 1, 1 }, { 1.08f, 1.0f, 0.9f } };
	for (size_t k = 0; k < 3; k++) {
		struct pr_scene_params sp;
		struct pr_mask_params mp;
		struct run on, alone, off;
		pr_scene_defaults(&sp);
		sp.exposure_ev = ev[k];
		memcpy(sp.wb_gain, wb[k], sizeof(sp.wb_gain));
		pr_mask_params_default(&mp);
		run_scene(&sp, 3, &mp, &on);
		/* shadow suppression also forgives a uniformly darker shot, so the
		 * drift fit is shown alone: with shadow suppression off */
		mp.shadow = 0;
		run_scene(&sp, 3, &mp, &alone);
		mp.drift = 0;
		run_scene(&sp, 3, &mp, &off);
		double f_on = score(&on).f, f_alone = score(&alone).f, f_off = score(&off).f;
		print_message("ev %+.2f wb %.2f,%.2f,%.2f: F %.4f (gain %.3f,%.3f,%.3f); without "
			      "shadow suppression %.4f with the drift fit, %.4f without\n",
			      ev[k], wb[k][0], wb[k][1], wb[k][2], f_on, on.r.stats.gain[0],
			      on.r.stats.gain[1], on.r.stats.gain[2], f_alone, f_off);
		assert_true(f_on >= 0.95);
		assert_true(f_alone >= 0.95);
		assert_true(f_off < f_alone - 0.05);
		assert_false(on.r.stats.stale_plate);
		run_free(&on);
		run_free(&alone);
		run_free(&off);
	}
}

static void test_object_partly_background_colour(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	pr_scene_defaults(&sp);
	sp.camouflage = 1;
	pr_mask_params_default(&mp);
	run_scene(&sp, 3, &mp, &r);
	double f = score(&r).f;
	print_message("camouflaged patch: F %.4f\n", f);
	assert_true(f >= 0.93);
	run_free(&r);
}

static void test_thin_structures_survive(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run on, off;
	pr_scene_defaults(&sp);
	sp.thin = 1;
	pr_mask_params_default(&mp);
	run_scene(&sp, 3, &mp, &on);
	/* without hysteresis, and with the speck filter a single-threshold
	 * pipeline needs, thin parts break up and go */
	mp.hysteresis = 1.0;
	mp.open_radius = 1;
	run_scene(&sp, 3, &mp, &off);
	double r_on = score_label(&on, PR_LABEL_THIN).recall;
	double r_off = score_label(&off, PR_LABEL_THIN).recall;
	print_message("thin parts: recall %.4f with hysteresis, %.4f with opening instead; F %.4f\n",
		      r_on, r_off, score(&on).f);
	assert_true(r_on >= 0.9);
	assert_true(r_off < r_on - 0.2);
	run_free(&on);
	run_free(&off);
}

static void test_jpeg_quality_85(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	pr_scene_defaults(&sp);
	sp.jpeg_quality = 85;
	pr_mask_params_default(&mp);
	run_scene(&sp, 1, &mp, &r);
	double f = score(&r).f;
	print_message("JPEG quality 85, one plate frame: F %.4f\n", f);
	assert_true(f >= 0.97);
	run_free(&r);
}

/* Mean |alpha - truth| over the edge band, for a plane of alpha values. */
static double edge_alpha_error(const struct run *r, const uint8_t *alpha)
{
	double sum = 0;
	uint64_t n = 0;
	for (size_t i = 0; i < (size_t)r->r.width * r->r.height; i++)
		if (r->truth.labels[i] & PR_LABEL_EDGE) {
			sum += fabs((double)alpha[i] - r->truth.alpha[i]);
			n++;
		}
	assert_true(n > 100);
	return sum / n;
}

static void test_soft_alpha_beats_binary_on_edges(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	pr_scene_defaults(&sp);
	pr_mask_params_default(&mp);
	run_scene(&sp, 3, &mp, &r);
	double soft = edge_alpha_error(&r, r.r.alpha), hard = edge_alpha_error(&r, r.r.mask);
	print_message("edge band: mean |alpha error| %.2f soft, %.2f binary (of 255)\n", soft, hard);
	assert_true(soft < hard);
	run_free(&r);
}

static void test_graphcut_sharper_outline(void **state)
{
	(void)state;
	double sum_plate = 0, sum_cut = 0;
	for (unsigned seed = 1; seed <= 3; seed++) {
		struct pr_scene_params sp;
		struct pr_mask_params mp;
		struct run plain, cut;
		pr_scene_defaults(&sp);
		sp.seed = seed;
		sp.noise_sigma = 6; /* a noisy sensor: per-pixel outline decisions waver */
		pr_mask_params_default(&mp);
		/* the cut against per-pixel decisions (the plate's own outline
		 * matting, which checks each pixel against the compositing
		 * model, is as good as the cut on these scenes) */
		mp.matte = 0;
		run_scene(&sp, 1, &mp, &plain);
		mp.matte = 1;
		mp.method = PR_MASK_GRAPHCUT;
		run_scene(&sp, 1, &mp, &cut);
		double fp = score_label(&plain, PR_LABEL_EDGE).f, fc = score_label(&cut, PR_LABEL_EDGE).f;
		print_message("seed %u: outline F %.4f plate without matting, %.4f graphcut; overall "
			      "F %.4f, %.4f\n",
			      seed, fp, fc, score(&plain).f, score(&cut).f);
		sum_plate += fp;
		sum_cut += fc;
		run_free(&plain);
		run_free(&cut);
	}
	assert_true(sum_cut > sum_plate);
}

static void test_auto_without_plate(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	pr_scene_defaults(&sp);
	sp.background = PR_SCENE_PLAIN;
	pr_mask_params_default(&mp);
	mp.method = PR_MASK_AUTO;
	run_scene(&sp, 0, &mp, &r);
	double f = score(&r).f;
	print_message("auto, plain background, no plate: F %.4f\n", f);
	assert_true(f >= 0.9);
	run_free(&r);
}

/* Shift an RGB image by dx pixels to the right (edge pixels repeated). */
static void shift_right(struct pr_image *img, uint32_t dx)
{
	for (uint32_t y = 0; y < img->height; y++) {
		uint8_t *row = pr_image_row(img, y);
		memmove(row + 3 * dx, row, 3 * (size_t)(img->width - dx));
		for (uint32_t x = 0; x < dx; x++)
			memcpy(row + 3 * x, row + 3 * dx, 3);
	}
}

static void test_plate_health_flags(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run ok, moved, stale;
	pr_scene_defaults(&sp);
	pr_mask_params_default(&mp);
	run_scene(&sp, 3, &mp, &ok);
	assert_false(ok.r.stats.stale_plate);
	assert_false(ok.r.stats.camera_moved);
	assert_false(ok.r.stats.touches_border);
	assert_true(ok.r.stats.foreground > 0.02 && ok.r.stats.foreground < 0.3);

	/* the camera was knocked: the whole view moved by 4 pixels */
	memset(&moved, 0, sizeof(moved));
	make_plate(&sp, 3, &moved.plate);
	assert_int_equal(pr_scene_render_shot(&sp, &moved.shot, &moved.truth, NULL), 0);
	shift_right(&moved.shot, 4);
	run_mask(&mp, 3, &moved);
	print_message("moved: edge agreement %.3f (ok: %.3f)\n", moved.r.stats.edge_agreement,
		      ok.r.stats.edge_agreement);
	assert_true(moved.r.stats.camera_moved);

	/* the light changed across the set: the right side 40% brighter */
	memset(&stale, 0, sizeof(stale));
	make_plate(&sp, 3, &stale.plate);
	assert_int_equal(pr_scene_render_shot(&sp, &stale.shot, &stale.truth, NULL), 0);
	for (uint32_t y = 0; y < stale.shot.height; y++)
		for (uint32_t x = 0; x < stale.shot.width; x++)
			for (int c = 0; c < 3; c++) {
				uint8_t *v = pr_image_row(&stale.shot, y) + 3 * x + c;
				double k = 1.0 + 0.4 * x / stale.shot.width;
				*v = (uint8_t)fmin(255, *v * k);
			}
	run_mask(&mp, 3, &stale);
	print_message("stale: residual %.2f (ok: %.2f)\n", stale.r.stats.drift_residual,
		      ok.r.stats.drift_residual);
	assert_true(stale.r.stats.stale_plate);
	run_free(&ok);
	run_free(&moved);
	run_free(&stale);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cast_shadow_is_background),
		cmocka_unit_test(test_exposure_and_white_balance_drift),
		cmocka_unit_test(test_object_partly_background_colour),
		cmocka_unit_test(test_thin_structures_survive),
		cmocka_unit_test(test_jpeg_quality_85),
		cmocka_unit_test(test_soft_alpha_beats_binary_on_edges),
		cmocka_unit_test(test_graphcut_sharper_outline),
		cmocka_unit_test(test_auto_without_plate),
		cmocka_unit_test(test_plate_health_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
