/* Unit tests: decoding the file layouts photorig does not write itself
 * (crafted here with libpng, libtiff and TurboJPEG directly), and hostile
 * input: random and mutated files must never crash the decoders. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <png.h>
#include <tiffio.h>
#include <turbojpeg.h>
#include <zlib.h>

#include "imageio.h"
#include "temp_dir.h"

static int setup(void **state)
{
	(void)state;
	return temp_dir_make("layouts");
}

static int teardown(void **state)
{
	(void)state;
	return temp_dir_remove();
}

static uint32_t rng = 88172645u;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* ---- PNG layouts ---- */

static void write_raw_png(const char *path, uint32_t w, uint32_t h, int type, int depth,
			  const uint8_t *rows, size_t stride, const png_color *pal, int npal,
			  const uint8_t *trns, int ntrns, int interlace)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	png_init_io(png, f);
	png_set_IHDR(png, info, w, h, depth, type,
		     interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (pal)
		png_set_PLTE(png, info, pal, npal);
	if (trns)
		png_set_tRNS(png, info, trns, ntrns, NULL);
	png_write_info(png, info);
	int passes = png_set_interlace_handling(png);
	for (int p = 0; p < passes; p++)
		for (uint32_t y = 0; y < h; y++)
			png_write_row(png, rows + y * stride);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	fclose(f);
}

static void test_png_palette_with_transparency(void **state)
{
	(void)state;
	const png_color pal[3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 10, 20, 30 } };
	const uint8_t trns[3] = { 255, 0, 128 };
	/* 4-bit palette indices, 5 px wide: packed 2 per byte */
	const uint8_t rows[2][3] = { { 0x01, 0x20, 0x10 }, { 0x22, 0x11, 0x00 } };
	char p[512];
	snprintf(p, sizeof(p), "%s/pal.png", tmpdir);
	write_raw_png(p, 5, 2, PNG_COLOR_TYPE_PALETTE, 4, &rows[0][0], 3, pal, 3, trns, 3, 0);
	struct pr_image img;
	struct pr_error err = { 0 };
	assert_int_equal(pr_decode_file(p, &img, &err), 0);
	assert_int_equal(img.channels, 4);
	assert_int_equal(img.depth, 8);
	const uint8_t idx[2][5] = { { 0, 1, 2, 0, 1 }, { 2, 2, 1, 1, 0 } };
	for (int y = 0; y < 2; y++)
		for (int x = 0; x < 5; x++) {
			const uint8_t *px = pr_image_row(&img, (uint32_t)y) + x * 4;
			const png_color *c = &pal[idx[y][x]];
			assert_int_equal(px[0], c->red);
			assert_int_equal(px[1], c->green);
			assert_int_equal(px[2], c->blue);
			assert_int_equal(px[3], trns[idx[y][x]]);
		}
	pr_image_free(&img);
}

static void test_png_1bit_grey_interlaced(void **state)
{
	(void)state;
	const uint32_t w = 19, h = 11;
	uint8_t rows[11][3];
	for (uint32_t y = 0; y < h; y++)
		for (int b = 0; b < 3; b++)
			rows[y][b] = (uint8_t)next_rand();
	char p[512];
	snprintf(p, sizeof(p), "%s/g1.png", tmpdir);
	write_raw_png(p, w, h, PNG_COLOR_TYPE_GRAY, 1, &rows[0][0], 3, NULL, 0, NULL, 0, 1);
	struct pr_image img;
	struct pr_error err = { 0 };
	assert_int_equal(pr_decode_file(p, &img, &err), 0);
	assert_int_equal(img.channels, 1);
	assert_int_equal(img.depth, 8);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			int bit = (rows[y][x / 8] >> (7 - x % 8)) & 1;
			assert_int_equal(pr_image_row(&img, y)[x], bit ? 255 : 0);
		}
	pr_image_free(&img);
}

static void test_png_grey16_trns_becomes_alpha(void **state)
{
	(void)state;
	uint8_t rows[2][4] = { { 0x12, 0x34, 0xFF, 0xFF }, { 0x00, 0x01, 0x12, 0x34 } };
	char p[512];
	snprintf(p, sizeof(p), "%s/g16.png", tmpdir);
	FILE *f = fopen(p, "wb");
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	png_init_io(png, f);
	png_set_IHDR(png, info, 2, 2, 16, PNG_COLOR_TYPE_GRAY, 0, 0, 0);
	png_color_16 key = { .gray = 0x1234 };
	png_set_tRNS(png, info, NULL, 0, &key);
	png_write_info(png, info);
	png_write_row(png, rows[0]);
	png_write_row(png, rows[1]);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	fclose(f);
	struct pr_image img;
	struct pr_error err = { 0 };
	assert_int_equal(pr_decode_file(p, &img, &err), 0);
	assert_int_equal(img.channels, 2);
	assert_int_equal(img.depth, 16);
	const uint16_t *r0 = (const uint16_t *)(const void *)pr_image_row(&img, 0);
	const uint16_t *r1 = (const uint16_t *)(const void *)pr_image_row(&img, 1);
	assert_int_equal(r0[0], 0x1234);
	assert_int_equal(r0[1], 0); /* the key colour is transparent */
	assert_int_equal(r0[2], 0xFFFF);
	assert_int_equal(r0[3], 0xFFFF);
	assert_int_equal(r1[0], 0x0001);
	assert_int_equal(r1[1], 0xFFFF);
	pr_image_free(&img);
}

/* ---- TIFF layouts ---- */

struct tiff_spec {
	uint32_t w, h;
	uint16_t spp, bps, photo, planar, comp, extra;
	uint32_t tile; /* 0: strips of 3 rows */
};

/* Write pixels (interleaved, native order) in the layout of spec. */
static void write_raw_tiff(const char *path, const struct tiff_spec *s, const uint8_t *px)
{
	TIFF *tif = TIFFOpen(path, "w");
	assert_non_null(tif);
	TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, s->w);
	TIFFSetField(tif, TIFFTAG_IMAGELENGTH, s->h);
	TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, s->spp);
	TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, s->bps);
	TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, s->photo);
	TIFFSetField(tif, TIFFTAG_PLANARCONFIG, s->planar);
	TIFFSetField(tif, TIFFTAG_COMPRESSION, s->comp);
	if (s->extra) {
		uint16_t e = s->extra;
		TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &e);
	}
	unsigned B = s->bps / 8u, planes = s->planar == PLANARCONFIG_SEPARATE ? s->spp : 1;
	unsigned per = s->planar == PLANARCONFIG_SEPARATE ? 1 : s->spp;
	uint32_t bw = s->tile ? s->tile : s->w, bh = s->tile ? s->tile : 3;
	if (s->tile) {
		TIFFSetField(tif, TIFFTAG_TILEWIDTH, s->tile);
		TIFFSetField(tif, TIFFTAG_TILELENGTH, s->tile);
	} else {
		TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 3);
	}
	size_t bsize = (size_t)bw * bh * per * B;
	uint8_t *buf = malloc(bsize);
	for (unsigned p = 0; p < planes; p++)
		for (uint32_t y0 = 0; y0 < s->h; y0 += bh)
			for (uint32_t x0 = 0; x0 < s->w; x0 += bw) {
				memset(buf, 0, bsize);
				for (uint32_t y = y0; y < y0 + bh && y < s->h; y++)
					for (uint32_t x = x0; x < x0 + bw && x < s->w; x++)
						for (unsigned c = 0; c < per; c++) {
							unsigned sc = planes > 1 ? p : c;
							size_t src = ((size_t)y * s->w + x) * s->spp + sc;
							size_t dst = ((size_t)(y - y0) * bw + (x - x0)) * per + c;
							memcpy(buf + dst * B, px + src * B, B);
						}
				if (s->tile) {
					assert_true(TIFFWriteTile(tif, buf, x0, y0, 0, (uint16_t)p) > 0);
				} else {
					uint32_t n = s->h - y0 < bh ? s->h - y0 : bh;
					assert_true(TIFFWriteEncodedStrip(tif, TIFFComputeStrip(tif, y0, (uint16_t)p),
									   buf, (tmsize_t)((size_t)n * bw * per * B)) > 0);
				}
			}
	free(buf);
	TIFFClose(tif);
}

static void check_tiff_layout(const struct tiff_spec *s)
{
	size_t n = (size_t)s->w * s->h * s->spp * (s->bps / 8u);
	uint8_t *px = malloc(n);
	for (size_t i = 0; i < n; i++)
		px[i] = (uint8_t)next_rand();
	char p[512];
	snprintf(p, sizeof(p), "%s/l_%u_%u_%u_%u_%u.tif", tmpdir, s->spp, s->bps, s->planar, s->comp,
		 s->tile);
	write_raw_tiff(p, s, px);
	struct pr_image img;
	struct pr_error err = { 0 };
	int rc = pr_decode_file(p, &img, &err);
	if (rc)
		fail_msg("%s", err.msg);
	assert_int_equal(img.width, s->w);
	assert_int_equal(img.height, s->h);
	assert_int_equal(img.channels, s->spp);
	assert_int_equal(img.depth, s->bps);
	assert_memory_equal(img.pixels, px, n);
	pr_image_free(&img);
	free(px);
}

static void test_tiff_native_layouts(void **state)
{
	(void)state;
	const struct tiff_spec specs[] = {
		{ 23, 17, 3, 8, PHOTOMETRIC_RGB, PLANARCONFIG_SEPARATE, COMPRESSION_NONE, 0, 0 },
		{ 23, 17, 4, 8, PHOTOMETRIC_RGB, PLANARCONFIG_SEPARATE, COMPRESSION_LZW, EXTRASAMPLE_UNASSALPHA, 0 },
		{ 40, 33, 3, 16, PHOTOMETRIC_RGB, PLANARCONFIG_SEPARATE, COMPRESSION_LZW, 0, 16 },
		{ 40, 33, 4, 16, PHOTOMETRIC_RGB, PLANARCONFIG_CONTIG, COMPRESSION_ADOBE_DEFLATE, EXTRASAMPLE_UNASSALPHA, 16 },
		{ 41, 9, 1, 8, PHOTOMETRIC_MINISBLACK, PLANARCONFIG_CONTIG, COMPRESSION_PACKBITS, 0, 0 },
		{ 41, 9, 1, 16, PHOTOMETRIC_MINISBLACK, PLANARCONFIG_CONTIG, COMPRESSION_NONE, 0, 32 },
		{ 41, 9, 2, 8, PHOTOMETRIC_MINISBLACK, PLANARCONFIG_SEPARATE, COMPRESSION_ZSTD, EXTRASAMPLE_UNASSALPHA, 0 },
		{ 41, 9, 3, 8, PHOTOMETRIC_RGB, PLANARCONFIG_CONTIG, COMPRESSION_ZSTD, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		check_tiff_layout(&specs[i]);
}

static void test_tiff_miniswhite_and_palette(void **state)
{
	(void)state;
	char p[512];
	snprintf(p, sizeof(p), "%s/mw.tif", tmpdir);
	uint8_t px[6] = { 0, 10, 255, 128, 1, 254 };
	const struct tiff_spec mw = { 3, 2, 1, 8, PHOTOMETRIC_MINISWHITE, PLANARCONFIG_CONTIG,
				      COMPRESSION_NONE, 0, 0 };
	write_raw_tiff(p, &mw, px);
	struct pr_image img;
	struct pr_error err = { 0 };
	assert_int_equal(pr_decode_file(p, &img, &err), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(img.pixels[i], 255 - px[i]);
	pr_image_free(&img);

	/* palette: goes through the TIFFRGBAImage path */
	snprintf(p, sizeof(p), "%s/pal.tif", tmpdir);
	TIFF *tif = TIFFOpen(p, "w");
	TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 4);
	TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 1);
	TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
	TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_PALETTE);
	uint16_t r[256] = { 0 }, g[256] = { 0 }, b[256] = { 0 };
	r[1] = 65535, g[2] = 65535, b[3] = 65535, r[3] = 257 * 7;
	TIFFSetField(tif, TIFFTAG_COLORMAP, r, g, b);
	uint8_t row[4] = { 0, 1, 2, 3 };
	TIFFWriteScanline(tif, row, 0, 0);
	TIFFClose(tif);
	assert_int_equal(pr_decode_file(p, &img, &err), 0);
	assert_int_equal(img.channels, 3);
	const uint8_t want[12] = { 0, 0, 0, 255, 0, 0, 0, 255, 0, 7, 0, 255 };
	assert_memory_equal(img.pixels, want, 12);
	pr_image_free(&img);
}

/* ---- JPEG layouts ---- */

static void test_cmyk_jpeg_becomes_rgb(void **state)
{
	(void)state;
	const int w = 16, h = 16;
	uint8_t cmyk[16 * 16 * 4];
	for (int i = 0; i < w * h; i++) {
		/* inverted (Adobe) CMYK: 255 = no ink; K=128 -> mid grey */
		cmyk[i * 4 + 0] = 255, cmyk[i * 4 + 1] = 255, cmyk[i * 4 + 2] = 255;
		cmyk[i * 4 + 3] = 128;
	}
	tjhandle tj = tjInitCompress();
	unsigned char *jpg = NULL;
	unsigned long n = 0;
	assert_int_equal(tjCompress2(tj, cmyk, w, w * 4, h, TJPF_CMYK, &jpg, &n, TJSAMP_444, 95, 0), 0);
	tjDestroy(tj);
	struct pr_image img;
	struct pr_error err = { 0 };
	assert_int_equal(pr_decode_memory(jpg, n, "cmyk.jpg", &img, &err), 0);
	tjFree(jpg);
	assert_int_equal(img.channels, 3);
	for (size_t i = 0; i < img.stride * img.height; i++)
		assert_true(abs((int)img.pixels[i] - 128) <= 3);
	pr_image_free(&img);
}

/* A JPEG of tables only (SOI, one quantisation table, EOI): libjpeg-turbo
 * reads its header without error but gives no size, which the decoder once
 * used uninitialised (found by valgrind on the garbage test below). */
static void test_tables_only_jpeg_refused(void **state)
{
	(void)state;
	uint8_t jpg[4 + 3 + 64 + 2] = { 0xFF, 0xD8, 0xFF, 0xDB, 0, 67, 0 };
	memset(jpg + 7, 1, 64);
	jpg[71] = 0xFF, jpg[72] = 0xD9;
	struct pr_image img;
	struct pr_error err = { 0 };
	assert_int_equal(pr_decode_memory(jpg, sizeof(jpg), "tables.jpg", &img, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, "tables.jpg: JPEG holds no image"));
	assert_null(img.pixels);
}

/* ---- hostile input ---- */

static void decode_must_not_crash(const uint8_t *data, size_t n)
{
	struct pr_image img;
	struct pr_error err = { 0 };
	int rc = pr_decode_memory(data, n, "fuzz", &img, &err);
	if (rc == 0) {
		assert_true(img.width > 0 && img.height > 0 && img.pixels);
		pr_image_free(&img);
	} else {
		assert_true(rc < 0);
		assert_non_null(strstr(err.msg, "fuzz"));
		assert_null(img.pixels);
	}
}

static void test_random_garbage_never_crashes(void **state)
{
	(void)state;
	static const char *magic[] = { "\xFF\xD8\xFF", "\x89PNG\r\n\x1a\n", "II*\0", "MM\0*",
				       "II+\0", "" };
	static const size_t mlen[] = { 3, 8, 4, 4, 4, 0 };
	uint8_t buf[2048];
	for (size_t m = 0; m < 6; m++)
		for (int iter = 0; iter < 300; iter++) {
			size_t n = next_rand() % sizeof(buf);
			for (size_t i = 0; i < n; i++)
				buf[i] = (uint8_t)next_rand();
			if (n >= mlen[m])
				memcpy(buf, magic[m], mlen[m]);
			decode_must_not_crash(buf, n);
		}
}

static void mutate_and_decode(const uint8_t *good, size_t n, int iters)
{
	uint8_t *buf = malloc(n);
	for (int iter = 0; iter < iters; iter++) {
		memcpy(buf, good, n);
		int flips = 1 + (int)(next_rand() % 8);
		for (int k = 0; k < flips; k++)
			buf[next_rand() % n] = (uint8_t)next_rand();
		size_t len = (next_rand() & 3) == 0 ? next_rand() % n : n;
		decode_must_not_crash(buf, len);
	}
	free(buf);
}

static void test_mutated_files_never_crash(void **state)
{
	(void)state;
	struct pr_image img;
	struct pr_error err = { 0 };
	assert_int_equal(pr_image_alloc(&img, 48, 32, 3, 8, &err), 0);
	for (size_t i = 0; i < img.stride * img.height; i++)
		img.pixels[i] = (uint8_t)(i * 3 + (next_rand() & 15));
	uint8_t *jpg;
	size_t jn;
	assert_int_equal(pr_encode_jpeg_memory(&img, 85, &jpg, &jn, &err), 0);
	mutate_and_decode(jpg, jn, 400);
	free(jpg);

	const char *names[] = { "m.png", "m.tif", "m_lzw.tif" };
	for (int f = 0; f < 3; f++) {
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", tmpdir, names[f]);
		int rc = f == 0 ? pr_write_png(p, &img, &err)
				: pr_write_tiff_rgba(p, &img, NULL, 0, 8 + 8 * (f == 2),
						     f == 2 ? PR_TIFF_LZW : PR_TIFF_DEFLATE, &err);
		assert_int_equal(rc, 0);
		uint8_t *data;
		size_t n;
		assert_int_equal(pr_read_file(p, 1 << 20, &data, &n, &err), 0);
		mutate_and_decode(data, n, 400);
		free(data);
	}
	pr_image_free(&img);
}

static void test_huge_dimensions_refused_before_allocating(void **state)
{
	(void)state;
	/* PNG header claiming 65535 x 65535 (above PR_IMAGE_MAX_PIXELS) */
	uint8_t png[41] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D',
			    'R', 0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF, 8, 2, 0, 0, 0,
			    0, 0, 0, 0, 0, 0, 0, 0, 'I', 'D', 'A', 'T' };
	uint32_t crc = (uint32_t)crc32(0, png + 12, 17);
	png[29] = (uint8_t)(crc >> 24), png[30] = (uint8_t)(crc >> 16);
	png[31] = (uint8_t)(crc >> 8), png[32] = (uint8_t)crc;
	struct pr_image img;
	struct pr_error err = { 0 };
	assert_int_equal(pr_decode_memory(png, sizeof(png), "huge.png", &img, &err), PR_ESIZE);
	assert_non_null(strstr(err.msg, "huge.png"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_png_palette_with_transparency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_png_1bit_grey_interlaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_png_grey16_trns_becomes_alpha, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiff_native_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiff_miniswhite_and_palette, setup, teardown),
		cmocka_unit_test(test_cmyk_jpeg_becomes_rgb),
		cmocka_unit_test(test_tables_only_jpeg_refused),
		cmocka_unit_test(test_random_garbage_never_crashes),
		cmocka_unit_test_setup_teardown(test_mutated_files_never_crash, setup, teardown),
		cmocka_unit_test(test_huge_dimensions_refused_before_allocating),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
