/* Outlines refined against the plate: a small object of several colours
 * keeps its outline pixels. Figures are printed for the record. */
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

/* ---- a small object of several colours ------------------------------------ */

/* About 48x36 px: six bands of colour 8 px wide, two of them some 25
 * levels from the background on either side of it, on a round outline. */
static int toy(const void *ctx, float x, float y, float rgb[3])
{
	(void)ctx;
	float u = (x - 320) / 24, v = (y - 240) / 18;
	if (u * u + v * v > 1)
		return 0;
	static const float bands[6][3] = {
		{ 210, 50, 40 }, { 150, 160, 120 }, { 50, 60, 200 },
		{ 95, 118, 128 }, { 220, 200, 60 }, { 150, 160, 120 }
	};
	int k = (int)((x - 296) / 8);
	k = k < 0 ? 0 : (k > 5 ? 5 : k);
	memcpy(rgb, bands[k], sizeof(bands[k]));
	return 1;
}

static void test_small_multicoloured_object(void **state)
{
	(void)state;
	struct hs_scene s = { .w = W, .h = H, .seed = 12, .noise = 2, .texture = 6,
			      .object = toy };
	struct pair p;
	make_pair(&s, 0, 0, &p);
	hs_mask(NULL, &p.plate, &p.shot, &p.r);
	struct pr_eval_metrics m = hs_score(p.alpha, p.r.mask, NULL, W, H);
	print_message("small multi-coloured object: recall %.4f, precision %.4f, F %.4f\n",
		      m.recall, m.precision, m.f);
	assert_true(m.recall >= 0.97);
	assert_true(m.precision >= 0.9);
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_multicoloured_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
