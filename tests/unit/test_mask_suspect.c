/* Unit tests: suspect shots (core/mask/mask_suspect.c): a mostly clipped
 * shot and a mask covering almost the whole frame with a stale plate are
 * suspect, with why in words; an ordinary shot, a large mask with a fitting
 * plate, or a stale plate under an ordinary mask are not. End to end on a
 * generated scene: the same shot masked normally, then over-exposed by 3
 * stops. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mask.h"
#include "mask_suspect.h"
#include "plate.h"
#include "scene.h"
#include "sheet.h"

static void test_clipped_share(void **state)
{
	(void)state;
	struct pr_image img;
	struct pr_error err;
	assert_int_equal(pr_image_alloc(&img, 100, 10, 3, 8, &err), 0);
	memset(img.pixels, 128, img.stride * img.height);
	assert_true(pr_clipped_share(&img) == 0.0);
	/* 30 pixels blown in one channel, 20 crushed in all three, 10 crushed
	 * in two only (still has colour: not clipped) */
	for (int i = 0; i < 30; i++)
		pr_image_row(&img, 0)[3 * i + 1] = 255;
	for (int i = 0; i < 20; i++)
		memset(pr_image_row(&img, 1) + 3 * i, 0, 3);
	for (int i = 0; i < 10; i++)
		memset(pr_image_row(&img, 2) + 3 * i, 0, 2);
	assert_true(pr_clipped_share(&img) > 0.0499 && pr_clipped_share(&img) < 0.0501);
	pr_image_free(&img);
	/* 16-bit grey */
	assert_int_equal(pr_image_alloc(&img, 10, 10, 1, 16, &err), 0);
	for (uint32_t y = 0; y < 10; y++)
		for (uint32_t x = 0; x < 10; x++)
			((uint16_t *)pr_image_row(&img, y))[x] = y < 6 ? 65535 : 30000;
	assert_true(pr_clipped_share(&img) > 0.599 && pr_clipped_share(&img) < 0.601);
	pr_image_free(&img);
	assert_true(pr_clipped_share(NULL) == 0.0);
}

static void test_decision(void **state)
{
	(void)state;
	struct pr_mask_stats st;
	char why[256];
	memset(&st, 0, sizeof(st));
	st.foreground = 0.2;
	assert_int_equal(pr_mask_suspect(0.1, &st, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(pr_mask_suspect(0.49, NULL, why, sizeof(why)), 0);
	assert_int_equal(pr_mask_suspect(0.5, &st, why, sizeof(why)), PR_SUSPECT_CLIPPED);
	assert_non_null(strstr(why, "mostly clipped: 50%"));
	st.foreground = 0.95;
	assert_int_equal(pr_mask_suspect(0.0, &st, why, sizeof(why)), 0); /* plate fits */
	st.stale_plate = 1;
	assert_int_equal(pr_mask_suspect(0.0, &st, why, sizeof(why)), PR_SUSPECT_FULL_STALE);
	assert_non_null(strstr(why, "covers 95% of the frame"));
	assert_int_equal(pr_mask_suspect(0.8, &st, why, sizeof(why)),
			 PR_SUSPECT_CLIPPED | PR_SUSPECT_FULL_STALE);
	assert_non_null(strstr(why, "mostly clipped: 80%"));
	assert_non_null(strstr(why, "; the mask covers 95%"));
	st.foreground = 0.3; /* stale, but an ordinary mask */
	assert_int_equal(pr_mask_suspect(0.0, &st, why, sizeof(why)), 0);
	/* why may be left out, or too short */
	assert_int_equal(pr_mask_suspect(0.9, NULL, NULL, 0), PR_SUSPECT_CLIPPED);
	assert_int_equal(pr_mask_suspect(0.9, NULL, why, 8), PR_SUSPECT_CLIPPED);
	assert_int_equal(strlen(why), 7);
}

/* A generated shot masked against its plate: not suspect; the same shot 3
 * stops over: suspect, as clipped. */
static void test_scene(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_error err;
	struct pr_image frame, shot;
	struct pr_plate plate;
	struct pr_plate_builder b;
	pr_scene_defaults(&sp);
	sp.width = 320;
	sp.height = 240;
	pr_plate_builder_init(&b);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(pr_scene_render_plate(&sp, i, &frame, &err), 0);
		assert_int_equal(pr_plate_builder_add(&b, &frame, "plate", &err), 0);
		pr_image_free(&frame);
	}
	assert_int_equal(pr_plate_builder_finish(&b, &plate, &err), 0);
	pr_plate_builder_free(&b);
	struct pr_mask_params mp;
	pr_mask_params_default(&mp);
	for (int over = 0; over < 2; over++) {
		sp.exposure_ev = over ? 3.0f : 0.0f;
		assert_int_equal(pr_scene_render_shot(&sp, &shot, NULL, &err), 0);
		struct pr_mask_result res;
		assert_int_equal(pr_mask_compute(&mp, &plate, &shot, &res, &err), 0);
		char why[256];
		unsigned f = pr_mask_suspect(pr_clipped_share(&shot), &res.stats, why, sizeof(why));
		print_message("ev %+d: clipped %.3f, foreground %.3f, stale %d: %s\n", over ? 3 : 0,
			      pr_clipped_share(&shot), res.stats.foreground, res.stats.stale_plate,
			      why[0] ? why : "not suspect");
		if (over)
			assert_true(f & PR_SUSPECT_CLIPPED);
		else
			assert_int_equal(f, 0);
		pr_mask_result_free(&res);
		pr_image_free(&shot);
	}
	pr_plate_free(&plate);
}

/* The contact sheet's SUSPECT: the tile framed red and badged, where the
 * same tile without the flag is neither. */
static void test_sheet_badge(void **state)
{
	(void)state;
	struct pr_error err;
	struct pr_image shot, sheet[2];
	uint8_t mask[64 * 48];
	memset(mask, 0, sizeof(mask));
	assert_int_equal(pr_image_alloc(&shot, 64, 48, 3, 8, &err), 0);
	memset(shot.pixels, 90, shot.stride * shot.height);
	struct pr_sheet_options o;
	pr_sheet_options_default(&o);
	o.tile_width = 64;
	for (int k = 0; k < 2; k++) {
		struct pr_sheet_tile t;
		assert_int_equal(pr_sheet_tile_make(&t, "cam", &shot, mask, 0, NULL, &o, &err), 0);
		if (k)
			t.flags |= PR_SHEET_SUSPECT;
		struct pr_sheet_row row = { NULL, &t, 1 };
		assert_int_equal(pr_sheet_render(&row, 1, &o, &sheet[k], &err), 0);
		pr_sheet_tile_free(&t);
	}
	/* the left frame, beside the thumbnail */
	const uint8_t *plain = pr_image_row(&sheet[0], PR_SHEET_GAP + 20) + 3 * (PR_SHEET_GAP + 1);
	const uint8_t *sus = pr_image_row(&sheet[1], PR_SHEET_GAP + 20) + 3 * (PR_SHEET_GAP + 1);
	assert_true(sus[0] == 0xe0 && sus[1] == 0x28 && sus[2] == 0x28);
	assert_false(plain[0] == 0xe0 && plain[1] == 0x28 && plain[2] == 0x28);
	/* and the caption differs (the badge) */
	size_t differ = 0;
	for (uint32_t y = PR_SHEET_GAP + 48; y < sheet[0].height; y++)
		for (uint32_t x = PR_SHEET_GAP; x < PR_SHEET_GAP + 64; x++)
			differ += memcmp(pr_image_row(&sheet[0], y) + 3 * x,
					 pr_image_row(&sheet[1], y) + 3 * x, 3) != 0;
	assert_true(differ > 50);
	pr_image_free(&sheet[0]);
	pr_image_free(&sheet[1]);
	pr_image_free(&shot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clipped_share),
		cmocka_unit_test(test_decision),
		cmocka_unit_test(test_scene),
		cmocka_unit_test(test_sheet_badge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
