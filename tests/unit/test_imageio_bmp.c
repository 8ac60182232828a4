/* Unit tests: the BMP decoder (core/image/imageio_decode_bmp.c), which reads
 * region-of-interest files such as CDnet's ROI.bmp: every supported layout
 * decoded to known pixels, and hostile headers refused with a message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "imageio.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* A BMP of w x h (h < 0: top-down) at bpp bits; the pixel at (x, y) of the
 * picture gets value f(x, y) (a palette index, or grey for 24/32 bits). The
 * palette has `ncol` entries i -> (i, i, i) or, with colour, (i, 255-i, 7). */
static uint8_t *make_bmp(int32_t w, int32_t h, unsigned bpp, unsigned ncol, int colour,
			 size_t *size)
{
	uint32_t ah = (uint32_t)(h < 0 ? -h : h);
	size_t row = (((size_t)bpp * (size_t)w + 31) / 32) * 4;
	size_t off = 14 + 40 + (size_t)ncol * 4, total = off + row * ah;
	uint8_t *b = calloc(total, 1);
	assert_non_null(b);
	b[0] = 'B';
	b[1] = 'M';
	put32(b + 2, (uint32_t)total);
	put32(b + 10, (uint32_t)off);
	put32(b + 14, 40);
	put32(b + 18, (uint32_t)w);
	put32(b + 22, (uint32_t)h);
	put16(b + 26, 1);
	put16(b + 28, bpp);
	put32(b + 46, ncol);
	for (unsigned i = 0; i < ncol; i++) {
		b[54 + 4 * i + 2] = (uint8_t)i;
		b[54 + 4 * i + 1] = colour ? (uint8_t)(255 - i) : (uint8_t)i;
		b[54 + 4 * i] = colour ? 7 : (uint8_t)i;
	}
	for (uint32_t y = 0; y < ah; y++) {
		uint8_t *r = b + off + row * (h < 0 ? y : ah - 1 - y);
		for (uint32_t x = 0; x < (uint32_t)w; x++) {
			uint32_t v = (x * 3 + y * 5) % (bpp <= 8 ? (1u << bpp) : 256u);
			if (bpp == 1 || bpp == 4) {
				uint32_t bit = x * bpp;
				r[bit / 8] |= (uint8_t)(v << (8 - bpp - bit % 8));
			} else if (bpp == 8) {
				r[x] = (uint8_t)v;
			} else {
				uint8_t *px = r + (size_t)x * (bpp / 8);
				px[0] = (uint8_t)(v / 2); /* B */
				px[1] = (uint8_t)v;       /* G */
				px[2] = (uint8_t)(255 - v); /* R */
			}
		}
	}
	*size = total;
	return b;
}

static void check_layout(int32_t w, int32_t h, unsigned bpp, unsigned ncol, int colour)
{
	size_t size;
	uint8_t *b = make_bmp(w, h, bpp, ncol, colour, &size);
	struct pr_image img;
	struct pr_error err;
	assert_int_equal(pr_detect_format(b, size), PR_FMT_BMP);
	int rc = pr_decode_memory(b, size, "t.bmp", &img, &err);
	if (rc)
		fail_msg("%u-bit %dx%d: %s", bpp, w, h, err.msg);
	uint32_t ah = (uint32_t)(h < 0 ? -h : h);
	assert_int_equal(img.width, (uint32_t)w);
	assert_int_equal(img.height, ah);
	assert_int_equal(img.channels, bpp <= 8 && !colour ? 1 : 3);
	for (uint32_t y = 0; y < ah; y++)
		for (uint32_t x = 0; x < (uint32_t)w; x++) {
			const uint8_t *p = pr_image_row(&img, y) + (size_t)x * img.channels;
			uint32_t v = (x * 3 + y * 5) % (bpp <= 8 ? (1u << bpp) : 256u);
			if (bpp <= 8 && !colour) {
				assert_int_equal(p[0], v);
			} else if (bpp <= 8) {
				assert_int_equal(p[0], v);
				assert_int_equal(p[1], 255 - v);
				assert_int_equal(p[2], 7);
			} else {
				assert_int_equal(p[0], 255 - v);
				assert_int_equal(p[1], v);
				assert_int_equal(p[2], v / 2);
			}
		}
	pr_image_free(&img);
	free(b);
}

static void test_layouts(void **state)
{
	(void)state;
	check_layout(13, 7, 8, 256, 0);  /* CDnet's ROI.bmp: grey palette, padded rows */
	check_layout(13, -7, 8, 256, 0); /* top-down */
	check_layout(13, 7, 8, 256, 1);  /* colour palette */
	check_layout(21, 5, 4, 16, 0);
	check_layout(37, 3, 1, 2, 0);
	check_layout(11, 6, 24, 0, 0);
	check_layout(11, -6, 32, 0, 0);
}

static void expect_refused(uint8_t *b, size_t size, const char *words)
{
	struct pr_image img;
	struct pr_error err;
	int rc = pr_decode_memory(b, size, "bad.bmp", &img, &err);
	assert_true(rc < 0);
	assert_non_null(strstr(err.msg, "bad.bmp"));
	if (!strstr(err.msg, words))
		fail_msg("expected '%s' in: %s", words, err.msg);
	assert_null(img.pixels);
}

static void test_hostile(void **state)
{
	(void)state;
	size_t size;
	uint8_t *b = make_bmp(16, 8, 8, 256, 0, &size);
	expect_refused(b, size - 10, "truncated"); /* pixel rows cut short */
	expect_refused(b, 40, "truncated");
	uint8_t *c = malloc(size);
	assert_non_null(c);
	memcpy(c, b, size);
	put32(c + 30, 1); /* RLE8 */
	expect_refused(c, size, "compressed");
	memcpy(c, b, size);
	put16(c + 28, 16);
	expect_refused(c, size, "16 bits");
	memcpy(c, b, size);
	put32(c + 18, 0x7fffffff); /* absurd width */
	expect_refused(c, size, "size");
	memcpy(c, b, size);
	put32(c + 22, 0x80000000u); /* height INT32_MIN */
	expect_refused(c, size, "size");
	memcpy(c, b, size);
	put32(c + 46, 300); /* more colours than 8 bits index */
	expect_refused(c, size, "palette");
	memcpy(c, b, size);
	put32(c + 10, (uint32_t)size + 100); /* pixel data beyond the end */
	expect_refused(c, size, "truncated");
	free(c);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
