/* Manual regions: parsing, formatting and rasterisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "region.h"

static unsigned count(const uint8_t *p, size_t n, uint8_t v)
{
	unsigned c = 0;
	for (size_t i = 0; i < n; i++)
		c += p[i] == v;
	return c;
}

static void test_parse_rect_and_poly(void **state)
{
	(void)state;
	struct pr_region r;
	struct pr_error err;
	assert_int_equal(pr_region_parse("rect:10,20,30,40", 0, &r, &err), 0);
	assert_int_equal(r.npoints, 4);
	assert_true(r.points[2].x == 40 && r.points[2].y == 60);
	assert_int_equal(r.exclude, 0);
	assert_int_equal(pr_region_parse("1,2,3,4", 1, &r, &err), 0);
	assert_int_equal(r.npoints, 4);
	assert_int_equal(r.exclude, 1);
	assert_int_equal(pr_region_parse("poly:0,0,10,0,5,8.5", 0, &r, &err), 0);
	assert_int_equal(r.npoints, 3);
	assert_true(r.points[2].y == 8.5);
	assert_int_equal(pr_region_parse("0,0,10,0,5,8,2,2", 0, &r, &err), 0);
	assert_int_equal(r.npoints, 4);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct pr_region r;
	struct pr_error err;
	const char *bad[] = { "", "rect:1,2,3", "rect:1,2,0,5", "poly:1,2,3,4", "1,2,3,4,5",
			      "rect:a,b,c,d", "1,2,-3,4", "1,,2,3", "1,2,3,4,", "nan,1,2,3",
			      "rect:1 2 3 4" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = 0;
		assert_int_equal(pr_region_parse(bad[i], 0, &r, &err), PR_EINVAL);
		assert_non_null(strstr(err.msg, "region"));
	}
}

static void test_format_round_trip(void **state)
{
	(void)state;
	const char *texts[] = { "rect:10,20,30,40", "poly:0,0,10,0,5,8.5",
				"poly:1234.5678,0.1,10.25,3,7,1e-05" };
	for (size_t i = 0; i < 3; i++) {
		struct pr_region r, r2;
		char buf[256];
		assert_int_equal(pr_region_parse(texts[i], 0, &r, NULL), 0);
		pr_region_format(&r, buf, sizeof(buf));
		assert_string_equal(buf, texts[i]);
		assert_int_equal(pr_region_parse(buf, 0, &r2, NULL), 0);
		assert_memory_equal(r.points, r2.points, r.npoints * sizeof(r.points[0]));
	}
}

static void test_fill_rect_exact(void **state)
{
	(void)state;
	enum { W = 100, H = 80 };
	static uint8_t plane[W * H];
	struct pr_region r;
	memset(plane, 0, sizeof(plane));
	assert_int_equal(pr_region_parse("rect:10,20,30,40", 0, &r, NULL), 0);
	pr_region_fill(&r, plane, W, H, W, 255);
	assert_int_equal(count(plane, sizeof(plane), 255), 30 * 40);
	assert_int_equal(plane[20 * W + 10], 255);  /* top-left pixel inside */
	assert_int_equal(plane[59 * W + 39], 255);  /* bottom-right pixel inside */
	assert_int_equal(plane[60 * W + 39], 0);    /* just below */
	assert_int_equal(plane[20 * W + 40], 0);    /* just right */
	assert_int_equal(plane[19 * W + 10], 0);    /* just above */
}

static void test_fill_clips_and_triangle_area(void **state)
{
	(void)state;
	enum { W = 64, H = 64 };
	static uint8_t plane[W * H];
	struct pr_region r;
	memset(plane, 0, sizeof(plane));
	/* a rectangle hanging over the right and bottom edges is clipped */
	assert_int_equal(pr_region_parse("rect:60,60,100,100", 0, &r, NULL), 0);
	pr_region_fill(&r, plane, W, H, W, 7);
	assert_int_equal(count(plane, sizeof(plane), 7), 16);
	/* right triangle with legs 40: area 800 pixels, within the boundary error */
	memset(plane, 0, sizeof(plane));
	assert_int_equal(pr_region_parse("poly:0,0,40,0,0,40", 0, &r, NULL), 0);
	pr_region_fill(&r, plane, W, H, W, 1);
	unsigned n = count(plane, sizeof(plane), 1);
	assert_true(n >= 780 && n <= 820);
	assert_int_equal(plane[1 * W + 1], 1);
	assert_int_equal(plane[39 * W + 39], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rect_and_poly),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_fill_rect_exact),
		cmocka_unit_test(test_fill_clips_and_triangle_area),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
