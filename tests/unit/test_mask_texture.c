/* Masks before textured backgrounds: foliage behind a single JPEG plate
 * (generated), and the real leaves pair. Figures are printed for the
 * record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hard_scene.h"

#define W 640
#define H 480

/* ---- foliage behind a single JPEG plate ----------------------------------- */

static int blob(const void *ctx, float x, float y, float rgb[3])
{
	(void)ctx;
	float u = (x - 300) / 110, v = (y - 250) / 90;
	if (u * u + v * v > 1)
		return 0;
	rgb[0] = 190;
	rgb[1] = 80 + 20 * sinf(y / 11);
	rgb[2] = 70;
	return 1;
}

static void test_textured_background_single_jpeg_plate(void **state)
{
	(void)state;
	struct hs_scene s = { .w = W, .h = H, .seed = 11, .noise = 3, .texture = 4, .foliage = 60,
			      .sway = 1.0f, .jpeg = 85, .object = blob };
	struct pair p;
	make_pair(&s, 0.3f, 0.2f, &p);
	hs_mask(NULL, &p.plate, &p.shot, &p.r);
	uint64_t bg = 0, fp = 0;
	for (size_t i = 0; i < (size_t)W * H; i++)
		if (p.alpha[i] == 0) {
			bg++;
			fp += p.r.mask[i] >= 128;
		}
	struct pr_eval_metrics m = hs_score(p.alpha, p.r.mask, NULL, W, H);
	print_message("single-frame plate noise estimate %.2f levels\n", p.plate.global_noise[1]);
	print_message("textured background, one JPEG q85 plate: %llu false positives of %llu "
		      "background pixels (%.4f%%), recall %.4f, F %.4f\n", (unsigned long long)fp,
		      (unsigned long long)bg, 100.0 * fp / bg, m.recall, m.f);
	assert_true((double)fp < 0.001 * bg);
	assert_true(m.recall >= 0.97);
	pair_free(&p);
}

/* ---- the real leaves pair ------------------------------------------------- */

static void test_leaves_pair(void **state)
{
	(void)state;
	struct pr_image plate_img, shot, alpha;
	struct pr_plate_builder b;
	struct pr_plate plate;
	struct pr_mask_result r;
	struct pr_error err;
	assert_int_equal(pr_decode_file(PHOTORIG_TEST_DATA "/leaves/plate.jpg", &plate_img, &err), 0);
	assert_int_equal(pr_decode_file(PHOTORIG_TEST_DATA "/leaves/shot.jpg", &shot, &err), 0);
	assert_int_equal(pr_decode_file(PHOTORIG_TEST_DATA "/leaves/alpha.png", &alpha, &err), 0);
	assert_int_equal(alpha.channels, 1);
	pr_plate_builder_init(&b);
	assert_int_equal(pr_plate_builder_add(&b, &plate_img, "plate.jpg", &err), 0);
	assert_int_equal(pr_plate_builder_finish(&b, &plate, &err), 0);
	pr_plate_builder_free(&b);
	hs_mask(NULL, &plate, &shot, &r);
	/* the README's scoring: foreground alpha > 127, 40..215 not counted */
	uint8_t *a = malloc((size_t)alpha.width * alpha.height);
	assert_non_null(a);
	for (uint32_t y = 0; y < alpha.height; y++)
		memcpy(a + (size_t)y * alpha.width, pr_image_row(&alpha, y), alpha.width);
	struct pr_eval_metrics m = hs_score(a, r.mask, NULL, alpha.width, alpha.height);
	print_message("leaves pair, defaults: F %.4f (recall %.4f, precision %.4f, PWC %.3f)\n",
		      m.f, m.recall, m.precision, m.pwc);
	assert_true(m.f >= 0.98);
	free(a);
	pr_mask_result_free(&r);
	pr_plate_free(&plate);
	pr_image_free(&plate_img);
	pr_image_free(&shot);
	pr_image_free(&alpha);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textured_background_single_jpeg_plate),
		cmocka_unit_test(test_leaves_pair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
