/* Binary morphology (core/mask/mask_morph.c) against the definition: a
 * dilation (erosion) by a square of side 2r+1 is the max (min) over the
 * window, with pixels beyond the frame taking the nearest edge pixel's
 * value. The fast version filters only the columns near set pixels and
 * skips empty bands, so the cases place objects against every edge, leave
 * whole bands empty, and mix sizes, radii and thread counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mask_internal.h"

static uint8_t naive_at(const uint8_t *in, uint32_t w, uint32_t h, uint32_t x, uint32_t y,
			uint32_t r, int dilate)
{
	uint8_t v = dilate ? 0 : 255;
	for (int64_t dy = -(int64_t)r; dy <= (int64_t)r; dy++)
		for (int64_t dx = -(int64_t)r; dx <= (int64_t)r; dx++) {
			int64_t xx = (int64_t)x + dx, yy = (int64_t)y + dy;
			xx = xx < 0 ? 0 : (xx >= w ? w - 1 : xx);
			yy = yy < 0 ? 0 : (yy >= h ? h - 1 : yy);
			uint8_t p = in[(size_t)yy * w + (size_t)xx];
			v = dilate ? (p > v ? p : v) : (p < v ? p : v);
		}
	return v;
}

/* A few filled rectangles, some touching the frame's edges, on zeros. */
static void draw(uint8_t *m, uint32_t w, uint32_t h, unsigned seed)
{
	memset(m, 0, (size_t)w * h);
	srand(seed);
	int n = 1 + rand() % 4;
	for (int k = 0; k < n; k++) {
		uint32_t x0 = (uint32_t)rand() % w, y0 = (uint32_t)rand() % (h / 2 + 1);
		uint32_t x1 = x0 + 1 + (uint32_t)rand() % (w / 3 + 1);
		uint32_t y1 = y0 + 1 + (uint32_t)rand() % (h / 4 + 1);
		if (k == 0 && seed % 2) /* against the left edge... */
			x0 = 0;
		else if (k == 0) /* ...or the right one */
			x1 = w;
		for (uint32_t y = y0; y < y1 && y < h; y++)
			for (uint32_t x = x0; x < x1 && x < w; x++)
				m[(size_t)y * w + x] = 255;
	}
	/* single pixels, which erosion removes and dilation grows */
	for (int k = 0; k < 5; k++)
		m[(size_t)((uint32_t)rand() % h) * w + (uint32_t)rand() % w] = 255;
}

static void check_case(uint32_t w, uint32_t h, uint32_t r, int dilate, int threads, unsigned seed)
{
	const size_t n = (size_t)w * h;
	uint8_t *in = malloc(n), *out = malloc(n), *inplace = malloc(n);
	assert_non_null(in);
	assert_non_null(out);
	assert_non_null(inplace);
	draw(in, w, h, seed);
	memset(out, 77, n); /* every byte must be written */
	assert_int_equal(mask_morph_into(in, out, w, h, r, dilate, threads), 0);
	memcpy(inplace, in, n);
	assert_int_equal(dilate ? mask_dilate(inplace, w, h, r, threads)
				: mask_erode(inplace, w, h, r, threads), 0);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t want = naive_at(in, w, h, x, y, r, dilate);
			if (out[(size_t)y * w + x] != want || inplace[(size_t)y * w + x] != want)
				fail_msg("%s %ux%u r=%u threads=%d seed=%u: (%u,%u) is %u/%u, want %u",
					 dilate ? "dilate" : "erode", w, h, r, threads, seed, x, y,
					 out[(size_t)y * w + x], inplace[(size_t)y * w + x], want);
		}
	free(in);
	free(out);
	free(inplace);
}

static void test_morph_matches_definition(void **state)
{
	(void)state;
	/* heights beyond one band of rows (96), widths not a multiple of 32 */
	const uint32_t sizes[][2] = { { 1, 7 }, { 5, 1 }, { 37, 23 }, { 130, 250 }, { 301, 97 } };
	const uint32_t radii[] = { 1, 2, 5, 10 };
	unsigned seed = 1;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t k = 0; k < sizeof(radii) / sizeof(radii[0]); k++)
			for (int dilate = 0; dilate < 2; dilate++)
				for (int threads = 1; threads <= 2; threads++)
					check_case(sizes[s][0], sizes[s][1], radii[k], dilate, threads,
						   seed++);
}

/* All set and all clear: erosion keeps a full frame full (the frame's edge
 * continues the edge pixel), dilation keeps an empty one empty. */
static void test_morph_uniform_frames(void **state)
{
	(void)state;
	const uint32_t w = 200, h = 150;
	uint8_t *m = malloc((size_t)w * h), *out = malloc((size_t)w * h);
	assert_non_null(m);
	assert_non_null(out);
	for (int v = 0; v < 2; v++)
		for (int dilate = 0; dilate < 2; dilate++) {
			memset(m, v ? 255 : 0, (size_t)w * h);
			memset(out, 77, (size_t)w * h);
			assert_int_equal(mask_morph_into(m, out, w, h, 7, dilate, 2), 0);
			for (size_t i = 0; i < (size_t)w * h; i++)
				assert_int_equal(out[i], v ? 255 : 0);
		}
	free(m);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_morph_matches_definition),
		cmocka_unit_test(test_morph_uniform_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
