/* Crop boxes for composites: exact pixel arithmetic on hand-made masks (the
 * margin, the aspect ratio, the shrinking and padding rules of crop.h), and
 * on generated scenes: the object's truth bounding box lies inside the crop
 * and the margin is as asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "composite.h"
#include "crop.h"
#include "mask_fixture.h"

#define FW 200
#define FH 100

/* A FW x FH mask with the rectangle [x0, x1) x [y0, y1) set. */
static uint8_t *rect_mask(uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
	uint8_t *m = calloc(FW * FH, 1);
	assert_non_null(m);
	for (uint32_t y = y0; y < y1; y++)
		memset(m + y * FW + x0, 255, x1 - x0);
	return m;
}

static void crop_of(const uint8_t *m, const char *margin, const char *aspect,
		    struct pr_crop_box *b)
{
	struct pr_crop_options o;
	struct pr_error err;
	pr_crop_options_default(&o);
	if (margin)
		assert_int_equal(pr_crop_parse_margin(margin, &o, &err), 0);
	if (aspect)
		assert_int_equal(pr_crop_parse_aspect(aspect, &o, &err), 0);
	pr_crop_compute(m, FW, FW, FH, 0, &o, b);
}

static void expect_box(const struct pr_crop_box *b, int32_t x, int32_t y, uint32_t w, uint32_t h,
		       uint32_t margin, int padded)
{
	print_message("box %d,%d %ux%u margin %u%s\n", b->x, b->y, b->width, b->height, b->margin,
		      b->padded ? " padded" : "");
	assert_int_equal(b->x, x);
	assert_int_equal(b->y, y);
	assert_int_equal(b->width, w);
	assert_int_equal(b->height, h);
	assert_int_equal(b->margin, margin);
	assert_int_equal(b->padded, padded);
}

static void test_margin_exact(void **state)
{
	(void)state;
	struct pr_crop_box b;
	uint8_t *m = rect_mask(50, 20, 80, 60); /* 30 x 40 */
	crop_of(m, "10px", NULL, &b);
	expect_box(&b, 40, 10, 50, 60, 10, 0);
	crop_of(m, "10", NULL, &b);
	expect_box(&b, 40, 10, 50, 60, 10, 0);
	/* percent of the longer side: 10% of 40 = 4 */
	crop_of(m, "10%", NULL, &b);
	expect_box(&b, 46, 16, 38, 48, 4, 0);
	/* 12.5% of 40 = 5 */
	crop_of(m, "12.5%", NULL, &b);
	expect_box(&b, 45, 15, 40, 50, 5, 0);
	/* cut at the frame's edge without aspect: 30 px up from y 20 */
	crop_of(m, "30px", NULL, &b);
	expect_box(&b, 20, 0, 90, 90, 30, 0);
	/* off: the full frame */
	crop_of(m, NULL, NULL, &b);
	expect_box(&b, 0, 0, FW, FH, 0, 0);
	free(m);
	/* no object: the full frame, said so */
	m = calloc(FW * FH, 1);
	crop_of(m, "10px", "1:1", &b);
	assert_true(b.empty);
	assert_int_equal(b.width, FW);
	free(m);
}

static void test_aspect_exact(void **state)
{
	(void)state;
	struct pr_crop_box b;
	uint8_t *m = rect_mask(50, 20, 80, 60); /* 30 x 40; with 10 px: 50 x 60 */
	crop_of(m, "10px", "1:1", &b);
	expect_box(&b, 35, 10, 60, 60, 10, 0);
	/* 16:9: k = max(ceil(50/16), ceil(60/9)) = 7 -> 112 x 63, centred */
	crop_of(m, "10px", "16:9", &b);
	expect_box(&b, 9, 9, 112, 63, 10, 0);
	assert_int_equal((uint64_t)b.width * 9, (uint64_t)b.height * 16);
	/* 32:18 is 16:9 */
	crop_of(m, "10px", "32:18", &b);
	expect_box(&b, 9, 9, 112, 63, 10, 0);
	free(m);

	/* near the top: a 10 px margin would leave the frame; the largest margin
	 * whose centred square fits is 5 */
	m = rect_mask(50, 5, 80, 45);
	crop_of(m, "10px", "1:1", &b);
	expect_box(&b, 40, 0, 50, 50, 5, 0);
	free(m);

	/* against the left edge, 2:1: even margin 0 needs 180 x 90 centred on
	 * x 0..30, past the edge; padding it is, so with the full 10 px:
	 * 50 x 110 -> 220 x 110 centred on the object */
	m = rect_mask(0, 0, 30, 90);
	crop_of(m, "10px", "2:1", &b);
	expect_box(&b, -95, -10, 220, 110, 10, 1);
	free(m);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct pr_crop_options o;
	struct pr_error err;
	const char *bad_margin[] = { "", "-1", "5%%", "10pt", "px", "1e9", "nan", "inf", "1001%" };
	const char *bad_aspect[] = { "", "1", "1:", ":1", "0:1", "4:0", "4x5", "4:5:6", "-4:5",
				     "10001:1", "4.5:1" };
	pr_crop_options_default(&o);
	for (size_t i = 0; i < sizeof(bad_margin) / sizeof(bad_margin[0]); i++) {
		assert_int_equal(pr_crop_parse_margin(bad_margin[i], &o, &err), PR_EINVAL);
		assert_non_null(strstr(err.msg, "margin"));
	}
	for (size_t i = 0; i < sizeof(bad_aspect) / sizeof(bad_aspect[0]); i++) {
		assert_int_equal(pr_crop_parse_aspect(bad_aspect[i], &o, &err), PR_EINVAL);
		assert_non_null(strstr(err.msg, "aspect"));
	}
	assert_false(o.enabled);
	assert_int_equal(pr_crop_parse_aspect("4:6", &o, &err), 0);
	assert_int_equal(o.aspect_w, 2);
	assert_int_equal(o.aspect_h, 3);
}

/* The truth box: every pixel the object covers at all. */
static void truth_box(const struct run *r, uint32_t box[4])
{
	uint8_t *any = malloc((size_t)r->truth.width * r->truth.height);
	assert_non_null(any);
	for (size_t i = 0; i < (size_t)r->truth.width * r->truth.height; i++)
		any[i] = r->truth.alpha[i] ? 255 : 0;
	assert_int_equal(pr_crop_object_box(any, r->truth.width, r->truth.width, r->truth.height, 0,
					    box), 0);
	free(any);
}

static void test_scenes(void **state)
{
	(void)state;
	const char *margins[] = { "4%", "10%", "12px", "40px" };
	const char *aspects[] = { NULL, "1:1", "4:5", "16:9" };
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct pr_scene_params sp;
		struct pr_mask_params mp;
		struct run r;
		uint32_t tb[4], mb[4];
		pr_scene_defaults(&sp);
		sp.seed = seed;
		sp.thin = seed == 2;
		pr_mask_params_default(&mp);
		run_scene(&sp, 2, &mp, &r);
		truth_box(&r, tb);
		assert_int_equal(pr_crop_object_box(r.r.mask, r.r.width, r.r.width, r.r.height, 0, mb), 0);
		print_message("seed %llu: truth box %u,%u-%u,%u, mask box %u,%u-%u,%u\n",
			      (unsigned long long)seed, tb[0], tb[1], tb[2], tb[3], mb[0], mb[1], mb[2],
			      mb[3]);
		for (size_t i = 0; i < 4; i++)
			for (size_t j = 0; j < 4; j++) {
				struct pr_crop_options o;
				struct pr_crop_box b;
				struct pr_error err;
				pr_crop_options_default(&o);
				assert_int_equal(pr_crop_parse_margin(margins[i], &o, &err), 0);
				if (aspects[j])
					assert_int_equal(pr_crop_parse_aspect(aspects[j], &o, &err), 0);
				pr_crop_compute(r.r.mask, r.r.width, r.r.width, r.r.height, 0, &o, &b);
				/* the object's truth box lies inside the crop (the
				 * mask's box may miss a faintly covered pixel of the
				 * truth's, so this needs a margin of 2 px; a margin
				 * shrunk to fit can be smaller: then the mask's box) */
				const uint32_t *want = b.margin >= 2 ? tb : mb;
				assert_true(b.x <= (int64_t)want[0] && b.y <= (int64_t)want[1]);
				assert_true(b.x + (int64_t)b.width >= want[2]);
				assert_true(b.y + (int64_t)b.height >= want[3]);
				/* the margin is as asked: exact from the mask's box */
				uint32_t bw = mb[2] - mb[0], bh = mb[3] - mb[1], lng = bw > bh ? bw : bh;
				uint32_t m = o.unit == PR_CROP_PERCENT
						     ? (uint32_t)(o.margin * lng / 100.0 + 0.5)
						     : (uint32_t)o.margin;
				if (b.padded) {
					/* even margin 0 leaves the frame (the object meets
					 * its edge): the full margin, centred, past it */
					assert_non_null(aspects[j]);
					assert_int_equal(b.margin, m);
					assert_true(b.x < 0 || b.y < 0 ||
						    b.x + (int64_t)b.width > r.r.width ||
						    b.y + (int64_t)b.height > r.r.height);
				} else if (b.margin != m) {
					/* shrunk only when the margin asked for left the
					 * frame, to the largest that fits: one more pixel
					 * of margin shrinks back to it */
					struct pr_crop_options o1 = o;
					struct pr_crop_box b1;
					assert_non_null(aspects[j]);
					assert_true(b.margin < m);
					assert_true(b.x >= 0 && b.y >= 0 &&
						    b.x + (int64_t)b.width <= r.r.width &&
						    b.y + (int64_t)b.height <= r.r.height);
					o1.unit = PR_CROP_PIXELS;
					o1.margin = b.margin + 1;
					pr_crop_compute(r.r.mask, r.r.width, r.r.width, r.r.height, 0, &o1,
							&b1);
					assert_int_equal(b1.margin, b.margin);
					print_message("  margin %s aspect %s: shrunk to %u px to fit\n",
						      margins[i], aspects[j], b.margin);
					m = b.margin;
				}
				if (!aspects[j]) {
					/* without aspect, cut where the frame ends */
					int64_t x0 = (int64_t)mb[0] - m, y0 = (int64_t)mb[1] - m;
					int64_t x1 = (int64_t)mb[2] + m, y1 = (int64_t)mb[3] + m;
					x0 = x0 < 0 ? 0 : x0;
					y0 = y0 < 0 ? 0 : y0;
					x1 = x1 > r.r.width ? r.r.width : x1;
					y1 = y1 > r.r.height ? r.r.height : y1;
					assert_int_equal(b.x, x0);
					assert_int_equal(b.y, y0);
					assert_int_equal(b.width, x1 - x0);
					assert_int_equal(b.height, y1 - y0);
				} else {
					/* exact ratio; the object plus margin inside, centred
					 * to half a pixel */
					assert_int_equal((uint64_t)b.width * o.aspect_h,
							 (uint64_t)b.height * o.aspect_w);
					assert_true(b.x <= (int64_t)mb[0] - m && b.y <= (int64_t)mb[1] - m);
					assert_true(b.x + (int64_t)b.width >= (int64_t)mb[2] + m);
					assert_true(b.y + (int64_t)b.height >= (int64_t)mb[3] + m);
					int64_t left = (int64_t)mb[0] - b.x;
					int64_t right = b.x + (int64_t)b.width - mb[2];
					int64_t top = (int64_t)mb[1] - b.y;
					int64_t bottom = b.y + (int64_t)b.height - mb[3];
					assert_true(right - left == 0 || right - left == 1);
					assert_true(bottom - top == 0 || bottom - top == 1);
					/* the smallest such box: one step of the ratio
					 * less would not hold the object plus margin */
					assert_true(b.width - o.aspect_w < bw + 2 * m ||
						    b.height - o.aspect_h < bh + 2 * m);
				}
			}
		run_free(&r);
	}
}

/* The composite has the crop's size; padding is the backdrop. */
static void test_composite_cropped(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	struct pr_backdrop bd;
	struct pr_composite_options o;
	struct pr_crop_box b;
	struct pr_image img;
	struct pr_error err;
	const uint8_t grey[3] = { 90, 91, 92 };
	pr_scene_defaults(&sp);
	pr_mask_params_default(&mp);
	run_scene(&sp, 2, &mp, &r);
	pr_backdrop_colour(&bd, grey);
	pr_composite_options_default(&o);
	o.backdrop = &bd;
	/* 8:1 cannot fit a roughly square object in a 4:3 frame: padded */
	assert_int_equal(pr_crop_parse_aspect("8:1", &o.crop, &err), 0);
	assert_int_equal(pr_composite_render(&r.shot, &r.r, &r.plate, &o, &img, &b, &err), 0);
	assert_true(b.padded);
	assert_int_equal(img.width, b.width);
	assert_int_equal(img.height, b.height);
	assert_int_equal(img.width, 8 * img.height);
	assert_true(b.x < 0 && b.x + (int64_t)b.width > r.shot.width);
	/* left of the frame: backdrop */
	const uint8_t *p = pr_image_row(&img, img.height / 2);
	assert_memory_equal(p, grey, 3);
	/* a pixel of the object: the shot's own colour */
	uint32_t cx = (b.obj_x0 + b.obj_x1) / 2, cy = (b.obj_y0 + b.obj_y1) / 2;
	size_t i = (size_t)cy * r.shot.width + cx;
	if (r.r.alpha[i] == 255) {
		p = pr_image_row(&img, (uint32_t)(cy - b.y)) + 3 * (size_t)(cx - b.x);
		assert_memory_equal(p, pr_image_row(&r.shot, cy) + 3 * (size_t)cx, 3);
	}
	pr_image_free(&img);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_margin_exact),
		cmocka_unit_test(test_aspect_exact),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_scenes),
		cmocka_unit_test(test_composite_cropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
