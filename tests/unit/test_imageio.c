/* Unit tests: decode/encode round trips, ICC profiles, error reporting
 * (core/imageio_*.c). Crafted layouts and hostile input are in
 * test_imageio_layouts.c. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <png.h>
#include <tiffio.h>

#include "atomic_file.h"
#include "imageio.h"
#include "temp_dir.h"

static int setup(void **state)
{
	(void)state;
	return temp_dir_make("imageio");
}

static int teardown(void **state)
{
	(void)state;
	return temp_dir_remove();
}

static void path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

static uint32_t rng = 2463534242u;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void make_random(struct pr_image *img, uint32_t w, uint32_t h, int ch, int depth)
{
	assert_int_equal(pr_image_alloc(img, w, h, ch, depth, NULL), 0);
	for (size_t i = 0; i < img->stride * h; i++)
		img->pixels[i] = (uint8_t)next_rand();
}

/* Smooth image that JPEG reproduces closely. */
static void make_smooth(struct pr_image *img, uint32_t w, uint32_t h, int ch)
{
	assert_int_equal(pr_image_alloc(img, w, h, ch, 8, NULL), 0);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			for (int c = 0; c < ch; c++)
				pr_image_row(img, y)[x * (uint32_t)ch + (uint32_t)c] =
					(uint8_t)(30 + (x * 150) / w + (y * 50) / h + 10 * c); /* <= 248 */
}

/* A minimal ICC profile libpng accepts: valid header, D50, no tags. */
static void make_icc(uint8_t *icc, size_t size, const char *space)
{
	memset(icc, 0, size);
	icc[0] = (uint8_t)(size >> 24), icc[1] = (uint8_t)(size >> 16);
	icc[2] = (uint8_t)(size >> 8), icc[3] = (uint8_t)size;
	icc[8] = 2, icc[9] = 0x10;
	memcpy(icc + 12, "mntr", 4);
	memcpy(icc + 16, space, 4);
	memcpy(icc + 20, "XYZ ", 4);
	memcpy(icc + 36, "acsp", 4);
	static const uint8_t d50[12] = { 0, 0, 0xF6, 0xD6, 0, 1, 0, 0, 0, 0, 0xD3, 0x2D };
	memcpy(icc + 68, d50, 12);
	for (size_t i = 132; i < size; i++) /* payload after an empty tag table */
		icc[i] = (uint8_t)(i * 7);
}

static void assert_same_pixels(const struct pr_image *a, const struct pr_image *b)
{
	assert_int_equal(a->width, b->width);
	assert_int_equal(a->height, b->height);
	assert_int_equal(a->channels, b->channels);
	assert_int_equal(a->depth, b->depth);
	for (uint32_t y = 0; y < a->height; y++)
		assert_memory_equal(pr_image_row(a, y), pr_image_row(b, y),
				    (size_t)a->width * a->channels * a->depth / 8);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void test_detect_format(void **state)
{
	(void)state;
	assert_int_equal(pr_detect_format("\xFF\xD8\xFF\xE0", 4), PR_FMT_JPEG);
	assert_int_equal(pr_detect_format("\x89PNG\r\n\x1a\n", 8), PR_FMT_PNG);
	assert_int_equal(pr_detect_format("II*\0", 4), PR_FMT_TIFF);
	assert_int_equal(pr_detect_format("MM\0*", 4), PR_FMT_TIFF);
	assert_int_equal(pr_detect_format("II+\0", 4), PR_FMT_TIFF);
	assert_int_equal(pr_detect_format("\x89PNG", 4), PR_FMT_UNKNOWN);
	assert_int_equal(pr_detect_format("GIF89a", 6), PR_FMT_UNKNOWN);
	assert_int_equal(pr_detect_format(NULL, 0), PR_FMT_UNKNOWN);
}

static void test_png_roundtrip(void **state)
{
	(void)state;
	for (int depth = 8; depth <= 16; depth += 8)
		for (int ch = 1; ch <= 4; ch++) {
			struct pr_image img, back;
			struct pr_error err = { 0 };
			make_random(&img, 37, 23, ch, depth);
			char p[512];
			snprintf(p, sizeof(p), "%s/rt_%d_%d.png", tmpdir, ch, depth);
			assert_int_equal(pr_write_png(p, &img, &err), 0);
			assert_int_equal(pr_decode_file(p, &back, &err), 0);
			assert_same_pixels(&img, &back);
			assert_null(back.icc);
			pr_image_free(&img);
			pr_image_free(&back);
		}
}

/* Read the first row of a 16-bit PNG with plain libpng (no swap): PNG
 * stores big-endian, so this checks our writer swapped on the way out. */
static void test_png16_is_big_endian_on_disk(void **state)
{
	(void)state;
	struct pr_image img;
	assert_int_equal(pr_image_alloc(&img, 2, 1, 1, 16, NULL), 0);
	((uint16_t *)(void *)img.pixels)[0] = 0x1234;
	((uint16_t *)(void *)img.pixels)[1] = 0xABCD;
	char p[512];
	path_in(p, sizeof(p), "be.png");
	struct pr_error err = { 0 };
	assert_int_equal(pr_write_png(p, &img, &err), 0);
	pr_image_free(&img);

	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	png_init_io(png, f);
	png_read_info(png, info);
	assert_int_equal(png_get_bit_depth(png, info), 16);
	uint8_t row[4];
	png_read_row(png, row, NULL);
	png_destroy_read_struct(&png, &info, NULL);
	fclose(f);
	const uint8_t want[4] = { 0x12, 0x34, 0xAB, 0xCD };
	assert_memory_equal(row, want, 4);
}

static void check_tiff_tags(const char *path, uint16_t want_comp, int bits)
{
	TIFF *tif = TIFFOpen(path, "r");
	assert_non_null(tif);
	uint16_t spp = 0, bps = 0, photo = 0, comp = 0, n = 0, *extra = NULL;
	assert_true(TIFFGetField(tif, TIFFTAG_SAMPLESPERPIXEL, &spp));
	assert_true(TIFFGetField(tif, TIFFTAG_BITSPERSAMPLE, &bps));
	assert_true(TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo));
	assert_true(TIFFGetField(tif, TIFFTAG_COMPRESSION, &comp));
	assert_true(TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &n, &extra));
	assert_int_equal(spp, 4);
	assert_int_equal(bps, bits);
	assert_int_equal(photo, PHOTOMETRIC_RGB);
	assert_int_equal(comp, want_comp);
	assert_int_equal(n, 1);
	assert_int_equal(extra[0], EXTRASAMPLE_UNASSALPHA);
	TIFFClose(tif);
}

static void test_tiff_rgba_roundtrip_all_modes(void **state)
{
	(void)state;
	static const uint16_t codec[] = { COMPRESSION_NONE, COMPRESSION_LZW,
					  COMPRESSION_ADOBE_DEFLATE, COMPRESSION_ZSTD };
	const uint32_t w = 301, h = 77; /* odd sizes: partial strips */
	for (int src_depth = 8; src_depth <= 16; src_depth += 8) {
		struct pr_image rgb;
		make_random(&rgb, w, h, 3, src_depth);
		uint8_t *alpha = malloc((size_t)(w + 5) * h);
		for (size_t i = 0; i < (size_t)(w + 5) * h; i++)
			alpha[i] = (next_rand() & 1) ? 255 : (uint8_t)next_rand();
		for (int bits = 8; bits <= 16; bits += 8)
			for (int c = PR_TIFF_NONE; c <= PR_TIFF_ZSTD; c++) {
				char p[512];
				snprintf(p, sizeof(p), "%s/rt_%d_%d_%d.tif", tmpdir, src_depth, bits, c);
				struct pr_error err = { 0 };
				assert_int_equal(pr_write_tiff_rgba(p, &rgb, alpha, w + 5, bits,
								    (enum pr_tiff_compression)c, &err), 0);
				check_tiff_tags(p, codec[c], bits);
				struct pr_image back;
				assert_int_equal(pr_decode_file(p, &back, &err), 0);
				assert_int_equal(back.channels, 4);
				assert_int_equal(back.depth, bits);
				assert_int_equal(back.width, w);
				assert_int_equal(back.height, h);
				for (uint32_t y = 0; y < h; y++)
					for (uint32_t x = 0; x < w; x++) {
						unsigned a = alpha[(size_t)y * (w + 5) + x];
						for (int k = 0; k < 4; k++) {
							unsigned s, got, want;
							if (k == 3)
								s = src_depth == 8 ? a : a * 257u;
							else if (src_depth == 8)
								s = pr_image_row(&rgb, y)[x * 3 + (unsigned)k];
							else
								s = ((uint16_t *)(void *)pr_image_row(&rgb, y))[x * 3 + (unsigned)k];
							if (bits == 8)
								got = pr_image_row(&back, y)[x * 4 + (unsigned)k];
							else
								got = ((uint16_t *)(void *)pr_image_row(&back, y))[x * 4 + (unsigned)k];
							if (k == 3)
								want = bits == 8 ? a : a * 257u;
							else if (bits == 8)
								want = src_depth == 8 ? s : (s * 255u + 32767u) / 65535u;
							else
								want = src_depth == 8 ? s * 257u : s;
							if (got != want)
								fail_msg("%s: pixel %u,%u sample %d: got %u want %u", p,
									 x, y, k, got, want);
						}
					}
				pr_image_free(&back);
			}
		free(alpha);
		pr_image_free(&rgb);
	}
}

static void test_tiff_own_alpha_and_grey(void **state)
{
	(void)state;
	struct pr_image ga;
	make_random(&ga, 16, 9, 2, 8); /* grey + alpha, no alpha plane given */
	char p[512];
	path_in(p, sizeof(p), "ga.tif");
	struct pr_error err = { 0 };
	assert_int_equal(pr_write_tiff_rgba(p, &ga, NULL, 0, 8, PR_TIFF_DEFAULT, &err), 0);
	struct pr_image back;
	assert_int_equal(pr_decode_file(p, &back, &err), 0);
	assert_int_equal(back.channels, 4);
	for (uint32_t y = 0; y < 9; y++)
		for (uint32_t x = 0; x < 16; x++) {
			const uint8_t *s = pr_image_row(&ga, y) + x * 2, *d = pr_image_row(&back, y) + x * 4;
			assert_int_equal(d[0], s[0]);
			assert_int_equal(d[1], s[0]);
			assert_int_equal(d[2], s[0]);
			assert_int_equal(d[3], s[1]);
		}
	pr_image_free(&back);
	pr_image_free(&ga);
}

static void test_tiff_compression_names(void **state)
{
	(void)state;
	const char *names[] = { "none", "lzw", "deflate", "zstd" };
	for (int i = 0; i < 4; i++) {
		enum pr_tiff_compression c = PR_TIFF_NONE;
		assert_int_equal(pr_tiff_compression_parse(names[i], &c), 0);
		assert_int_equal(c, i);
		assert_string_equal(pr_tiff_compression_name(c), names[i]);
	}
	enum pr_tiff_compression c = PR_TIFF_LZW;
	assert_int_equal(pr_tiff_compression_parse("jpeg", &c), PR_EINVAL);
	assert_int_equal(pr_tiff_compression_parse(NULL, &c), PR_EINVAL);
	assert_int_equal(c, PR_TIFF_LZW);
	assert_string_equal(pr_tiff_compression_name((enum pr_tiff_compression)42), "unknown");
	assert_true(PR_TIFF_DEFAULT >= PR_TIFF_NONE && PR_TIFF_DEFAULT <= PR_TIFF_ZSTD);
}

static void test_jpeg_roundtrip_close(void **state)
{
	(void)state;
	for (int ch = 1; ch <= 3; ch += 2) {
		struct pr_image img, back;
		make_smooth(&img, 160, 96, ch);
		uint8_t *jpg;
		size_t n;
		struct pr_error err = { 0 };
		assert_int_equal(pr_encode_jpeg_memory(&img, 95, &jpg, &n, &err), 0);
		assert_int_equal(pr_detect_format(jpg, n), PR_FMT_JPEG);
		assert_int_equal(pr_decode_memory(jpg, n, "mem.jpg", &back, &err), 0);
		assert_int_equal(back.channels, ch);
		assert_int_equal(back.depth, 8);
		assert_int_equal(back.width, 160);
		assert_int_equal(back.height, 96);
		double sum = 0;
		int worst = 0;
		for (size_t i = 0; i < img.stride * img.height; i++) {
			int d = abs((int)img.pixels[i] - (int)back.pixels[i]);
			sum += d;
			worst = d > worst ? d : worst;
		}
		double mean = sum / (double)(img.stride * img.height);
		if (mean > 1.5 || worst > 12)
			fail_msg("%d channels: mean error %.2f, worst %d", ch, mean, worst);
		free(jpg);
		pr_image_free(&img);
		pr_image_free(&back);
	}
}

/* Insert an APP2 ICC_PROFILE marker (seq/count) right after SOI. */
static uint8_t *insert_icc_marker(uint8_t *jpg, size_t *n, const uint8_t *part, size_t len,
				  int seq, int count)
{
	size_t seg = 2 + 12 + 2 + len;
	uint8_t *out = malloc(*n + 2 + seg);
	memcpy(out, jpg, 2);
	uint8_t *p = out + 2;
	*p++ = 0xFF, *p++ = 0xE2, *p++ = (uint8_t)(seg >> 8), *p++ = (uint8_t)seg;
	memcpy(p, "ICC_PROFILE", 12);
	p += 12;
	*p++ = (uint8_t)seq, *p++ = (uint8_t)count;
	memcpy(p, part, len);
	p += len;
	memcpy(p, jpg + 2, *n - 2);
	*n += 2 + seg;
	free(jpg);
	return out;
}

static void test_icc_jpeg_app2_to_tiff(void **state)
{
	(void)state;
	uint8_t icc[3000];
	make_icc(icc, sizeof(icc), "RGB ");
	struct pr_image img, dec, back;
	make_smooth(&img, 64, 40, 3);
	uint8_t *jpg;
	size_t n;
	struct pr_error err = { 0 };
	assert_int_equal(pr_encode_jpeg_memory(&img, 90, &jpg, &n, &err), 0);
	/* split in two, stored out of order (each insertion goes right after
	 * SOI): the file holds seq 2 before seq 1, so reassembly must sort */
	jpg = insert_icc_marker(jpg, &n, icc, 1000, 1, 2);
	jpg = insert_icc_marker(jpg, &n, icc + 1000, sizeof(icc) - 1000, 2, 2);
	assert_int_equal(pr_decode_memory(jpg, n, "icc.jpg", &dec, &err), 0);
	assert_int_equal(dec.icc_size, sizeof(icc));
	assert_memory_equal(dec.icc, icc, sizeof(icc));

	char p[512];
	path_in(p, sizeof(p), "icc.tif");
	assert_int_equal(pr_write_tiff_rgba(p, &dec, NULL, 0, 16, PR_TIFF_LZW, &err), 0);
	assert_int_equal(pr_decode_file(p, &back, &err), 0);
	assert_int_equal(back.icc_size, sizeof(icc));
	assert_memory_equal(back.icc, icc, sizeof(icc));
	pr_image_free(&back);
	pr_image_free(&dec);

	/* a missing piece (count says 3) drops the profile, keeps the pixels */
	jpg = insert_icc_marker(jpg, &n, icc, 10, 3, 3);
	assert_int_equal(pr_decode_memory(jpg, n, "icc.jpg", &dec, &err), 0);
	assert_null(dec.icc);
	pr_image_free(&dec);
	free(jpg);
	pr_image_free(&img);
}

static void test_icc_png_to_tiff(void **state)
{
	(void)state;
	uint8_t icc[700];
	make_icc(icc, sizeof(icc), "RGB ");
	struct pr_image img, dec, back;
	make_random(&img, 20, 10, 3, 16);
	assert_int_equal(pr_image_set_icc(&img, icc, sizeof(icc)), 0);
	char p[512], t[512];
	path_in(p, sizeof(p), "icc.png");
	path_in(t, sizeof(t), "icc_png.tif");
	struct pr_error err = { 0 };
	assert_int_equal(pr_write_png(p, &img, &err), 0);
	assert_int_equal(pr_decode_file(p, &dec, &err), 0);
	assert_non_null(dec.icc);
	assert_int_equal(dec.icc_size, sizeof(icc));
	assert_memory_equal(dec.icc, icc, sizeof(icc));
	assert_same_pixels(&img, &dec);
	assert_int_equal(pr_write_tiff_rgba(t, &dec, NULL, 0, 16, PR_TIFF_ZSTD, &err), 0);
	assert_int_equal(pr_decode_file(t, &back, &err), 0);
	assert_int_equal(back.icc_size, sizeof(icc));
	assert_memory_equal(back.icc, icc, sizeof(icc));
	pr_image_free(&back);
	pr_image_free(&dec);
	pr_image_free(&img);
}

static void test_truncated_jpeg_is_format_error(void **state)
{
	(void)state;
	struct pr_image img, back;
	make_random(&img, 256, 256, 3, 8);
	uint8_t *jpg;
	size_t n;
	struct pr_error err = { 0 };
	assert_int_equal(pr_encode_jpeg_memory(&img, 90, &jpg, &n, &err), 0);
	char p[512];
	path_in(p, sizeof(p), "cut.jpg");
	write_bytes(p, jpg, n / 2);
	memset(&err, 0, sizeof(err));
	assert_int_equal(pr_decode_file(p, &back, &err), PR_EFORMAT);
	assert_int_equal(err.code, PR_EFORMAT);
	assert_non_null(strstr(err.msg, p));
	assert_non_null(strstr(err.msg, "Premature end"));
	assert_null(back.pixels);
	/* the header alone is also refused */
	assert_int_equal(pr_decode_memory(jpg, 300, "head.jpg", &back, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, "head.jpg"));
	free(jpg);
	pr_image_free(&img);
}

static void test_truncated_png_and_tiff(void **state)
{
	(void)state;
	struct pr_image img, back;
	make_random(&img, 64, 64, 3, 8);
	char p[512], t[512];
	path_in(p, sizeof(p), "t.png");
	path_in(t, sizeof(t), "t.tif");
	struct pr_error err = { 0 };
	assert_int_equal(pr_write_png(p, &img, &err), 0);
	assert_int_equal(pr_write_tiff_rgba(t, &img, NULL, 0, 8, PR_TIFF_NONE, &err), 0);
	const char *files[] = { p, t };
	for (int i = 0; i < 2; i++) {
		uint8_t *data;
		size_t n;
		assert_int_equal(pr_read_file(files[i], 1 << 20, &data, &n, &err), 0);
		/* PNG: cut inside IDAT. TIFF: libtiff writes the directory after
		 * the strips, so half a file has a dangling directory offset. */
		const char *name = i == 0 ? "cut.png" : "cut.tif";
		assert_int_equal(pr_decode_memory(data, n / 2, name, &back, &err), PR_EFORMAT);
		assert_non_null(strstr(err.msg, name));
		assert_null(back.pixels);
		free(data);
	}
	pr_image_free(&img);
}

static void test_tiff_magic_with_garbage(void **state)
{
	(void)state;
	struct pr_image back;
	struct pr_error err = { 0 };
	/* IFD offset beyond the end of the file */
	uint8_t a[64] = { 'I', 'I', 42, 0, 0xF0, 0xFF, 0, 0 };
	for (size_t i = 8; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 37);
	assert_int_equal(pr_decode_memory(a, sizeof(a), "a.tif", &back, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, "a.tif"));
	/* a directory with one unrelated tag: no image in it */
	uint8_t b[26] = { 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x0E, 0x01, 2, 0, 1, 0, 0, 0,
			  'x', 0, 0, 0, 0, 0, 0, 0 };
	assert_int_equal(pr_decode_memory(b, sizeof(b), "b.tif", &back, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, "b.tif"));
	/* width and height, but no strips */
	uint8_t c[8 + 2 + 2 * 12 + 4] = { 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 2 };
	const uint8_t e1[12] = { 0x01, 0x00, 0, 3, 0, 0, 0, 1, 0, 16, 0, 0 };
	const uint8_t e2[12] = { 0x01, 0x01, 0, 3, 0, 0, 0, 1, 0, 16, 0, 0 };
	memcpy(c + 10, e1, 12);
	memcpy(c + 22, e2, 12);
	assert_int_equal(pr_decode_memory(c, sizeof(c), "c.tif", &back, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, "c.tif"));
	assert_null(back.pixels);
}

static void test_missing_and_odd_files(void **state)
{
	(void)state;
	struct pr_image back;
	struct pr_error err = { 0 };
	char p[512];
	path_in(p, sizeof(p), "does-not-exist.jpg");
	assert_int_equal(pr_decode_file(p, &back, &err), PR_ENOENT);
	assert_non_null(strstr(err.msg, p));
	assert_int_equal(pr_decode_file(tmpdir, &back, &err), PR_EINVAL);
	assert_non_null(strstr(err.msg, "folder"));
	path_in(p, sizeof(p), "empty.png");
	write_bytes(p, "", 0);
	assert_int_equal(pr_decode_file(p, &back, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, "empty"));
	path_in(p, sizeof(p), "text.jpg");
	write_bytes(p, "hello, not an image", 19);
	assert_int_equal(pr_decode_file(p, &back, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, p));
	uint8_t *data;
	size_t n;
	assert_int_equal(pr_read_file(p, 10, &data, &n, &err), PR_ESIZE);
	assert_null(data);
	assert_int_equal(pr_read_file(p, 19, &data, &n, &err), 0);
	assert_int_equal(n, 19);
	free(data);
}

static void test_decode_plate_jpg_not_rotated(void **state)
{
	(void)state;
	struct pr_image img;
	struct pr_error err = { 0 };
	int rc = pr_decode_file(PHOTORIG_TEST_DATA "/leaves/plate.jpg", &img, &err);
	if (rc)
		fail_msg("%s", err.msg);
	/* EXIF Orientation=8 must be ignored: stored grid is 320 wide */
	assert_int_equal(img.width, 320);
	assert_int_equal(img.height, 480);
	assert_int_equal(img.channels, 3);
	assert_int_equal(img.depth, 8);
	unsigned long sum = 0;
	for (size_t i = 0; i < img.stride * img.height; i++)
		sum += img.pixels[i];
	assert_true(sum > 0); /* real content, not a zeroed buffer */
	pr_image_free(&img);

	struct pr_image mask;
	assert_int_equal(pr_decode_file(PHOTORIG_TEST_DATA "/leaves/alpha.png", &mask, &err), 0);
	assert_int_equal(mask.width, 320);
	assert_int_equal(mask.height, 480);
	assert_int_equal(mask.channels, 1);
	pr_image_free(&mask);
}

static void test_mask_png(void **state)
{
	(void)state;
	const uint32_t w = 333, h = 201;
	size_t stride = w + 3;
	uint8_t *m = malloc(stride * h);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < stride; x++)
			m[y * stride + x] = (x - w / 2) * (x - w / 2) + (y - h / 2) * (y - h / 2) < 80 * 80 ? 255 : 0;
	char p[512];
	path_in(p, sizeof(p), "shot_mask.png");
	struct pr_error err = { 0 };
	assert_int_equal(pr_write_png_grey8(p, m, w, h, stride, &err), 0);
	struct pr_image back;
	assert_int_equal(pr_decode_file(p, &back, &err), 0);
	assert_int_equal(back.channels, 1);
	assert_int_equal(back.depth, 8);
	for (uint32_t y = 0; y < h; y++)
		assert_memory_equal(pr_image_row(&back, y), m + y * stride, w);
	pr_image_free(&back);
	assert_int_equal(pr_write_png_grey8(p, m, w, h, w - 1, &err), PR_EINVAL);
	char q[512];
	path_in(q, sizeof(q), "nowhere/m.png");
	assert_int_equal(pr_write_png_grey8(q, m, w, h, stride, &err), PR_ENOENT);
	assert_non_null(strstr(err.msg, q));
	assert_int_equal(pr_write_tiff_rgba(q, &back, m, stride, 8, PR_TIFF_NONE, &err), PR_EINVAL);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_format),
		cmocka_unit_test_setup_teardown(test_png_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_png16_is_big_endian_on_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiff_rgba_roundtrip_all_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiff_own_alpha_and_grey, setup, teardown),
		cmocka_unit_test(test_tiff_compression_names),
		cmocka_unit_test(test_jpeg_roundtrip_close),
		cmocka_unit_test_setup_teardown(test_icc_jpeg_app2_to_tiff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icc_png_to_tiff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_jpeg_is_format_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_png_and_tiff, setup, teardown),
		cmocka_unit_test(test_tiff_magic_with_garbage),
		cmocka_unit_test_setup_teardown(test_missing_and_odd_files, setup, teardown),
		cmocka_unit_test(test_decode_plate_jpg_not_rotated),
		cmocka_unit_test_setup_teardown(test_mask_png, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
