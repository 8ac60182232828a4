/* Plate model: building, noise estimation, and the on-disk format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mask.h"
#include "plate.h"

static uint64_t rng_state;

static double uniform(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(void)
{
	return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* A smooth gradient background with Gaussian noise of sigma (sigma_right on the right half). */
static void make_frame(struct pr_image *img, uint32_t w, uint32_t h, double sigma,
		       double sigma_right, uint64_t seed)
{
	rng_state = seed;
	assert_int_equal(pr_image_alloc(img, w, h, 3, 8, NULL), 0);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			for (int c = 0; c < 3; c++) {
				double s = x < w / 2 ? sigma : sigma_right;
				double v = 60 + 100.0 * x / w + 40.0 * y / h + 20 * c + s * gaussian();
				v = v < 0 ? 0 : (v > 255 ? 255 : v);
				pr_image_row(img, y)[3 * x + c] = (uint8_t)lround(v);
			}
}

static void build(struct pr_plate *p, unsigned frames, double sigma, double sigma_right)
{
	struct pr_plate_builder b;
	struct pr_error err;
	pr_plate_builder_init(&b);
	for (unsigned i = 0; i < frames; i++) {
		struct pr_image f;
		make_frame(&f, 200, 150, sigma, sigma_right, 100 + i);
		assert_int_equal(pr_plate_builder_add(&b, &f, "frame", &err), 0);
		pr_image_free(&f);
	}
	assert_int_equal(pr_plate_builder_finish(&b, p, &err), 0);
	pr_plate_builder_free(&b);
}

static void test_single_frame_noise_estimate(void **state)
{
	(void)state;
	for (double sigma = 2; sigma <= 8; sigma *= 2) {
		struct pr_plate p;
		build(&p, 1, sigma, sigma);
		assert_null(p.noise);
		assert_int_equal(p.frames, 1);
		for (int c = 0; c < 3; c++)
			assert_true(fabs(p.global_noise[c] - sigma) < 0.2 * sigma);
		pr_plate_free(&p);
	}
}

static void test_multi_frame_per_pixel_noise(void **state)
{
	(void)state;
	struct pr_plate p;
	build(&p, 8, 1.5, 6.0);
	assert_non_null(p.noise);
	assert_int_equal(p.frames, 8);
	/* average per-pixel noise on each half tracks that half's sigma */
	double left = 0, right = 0;
	for (uint32_t y = 0; y < p.height; y++)
		for (uint32_t x = 0; x < p.width; x++) {
			double s = pr_plate_sigma(&p, (size_t)y * p.width + x, 0);
			if (x < p.width / 2)
				left += s;
			else
				right += s;
		}
	left /= p.width / 2 * p.height;
	right /= p.width / 2 * p.height;
	assert_true(left < 2.5);
	assert_true(right > 4.5 && right < 7.5);
	/* the mean is the average of the frames: close to the noiseless gradient */
	uint8_t expect = (uint8_t)lround(60 + 100.0 * 10 / 200 + 40.0 * 10 / 150);
	assert_true(abs(p.mean[(10 * p.width + 10) * 3] - expect) <= 2);
	pr_plate_free(&p);
}

static void test_exposure_drift_is_not_noise(void **state)
{
	(void)state;
	/* four frames whose exposure wanders by a few percent, as an auto
	 * exposure left on or a flickering light does */
	const double gains[] = { 1.0, 1.04, 0.96, 1.02 };
	struct pr_plate_builder b;
	struct pr_plate p;
	struct pr_error err;
	pr_plate_builder_init(&b);
	for (unsigned i = 0; i < 4; i++) {
		struct pr_image f;
		make_frame(&f, 200, 150, 1.5, 1.5, 300 + i);
		for (uint32_t y = 0; y < f.height; y++)
			for (uint32_t x = 0; x < f.width * 3; x++) {
				uint8_t *v = pr_image_row(&f, y) + x;
				double t = *v * gains[i] + 0.5;
				*v = (uint8_t)(t > 255 ? 255 : t);
			}
		assert_int_equal(pr_plate_builder_add(&b, &f, "frame", &err), 0);
		pr_image_free(&f);
	}
	assert_int_equal(pr_plate_builder_finish(&b, &p, &err), 0);
	pr_plate_builder_free(&b);
	double mean_sigma = 0;
	for (size_t i = 0; i < (size_t)p.width * p.height; i++)
		mean_sigma += pr_plate_sigma(&p, i, 1);
	mean_sigma /= (double)p.width * p.height;
	print_message("mean per-pixel noise with 4%% exposure drift between frames: %.2f\n",
		      mean_sigma);
	/* uncorrected, 4% of levels 60..240 would add 3-8 levels of "noise" */
	assert_true(mean_sigma < 2.2);
	/* and the mean stays at the first frame's exposure */
	uint8_t expect = (uint8_t)lround(60 + 100.0 * 10 / 200 + 40.0 * 10 / 150);
	assert_true(abs(p.mean[(10 * p.width + 10) * 3] - expect) <= 2);
	pr_plate_free(&p);
}

static void test_frame_size_mismatch(void **state)
{
	(void)state;
	struct pr_plate_builder b;
	struct pr_image a, c;
	struct pr_error err;
	pr_plate_builder_init(&b);
	make_frame(&a, 64, 48, 2, 2, 1);
	make_frame(&c, 48, 64, 2, 2, 2);
	assert_int_equal(pr_plate_builder_add(&b, &a, "a.jpg", &err), 0);
	assert_int_equal(pr_plate_builder_add(&b, &c, "b.jpg", &err), PR_ESIZE);
	assert_non_null(strstr(err.msg, "b.jpg"));
	pr_image_free(&a);
	pr_image_free(&c);
	pr_plate_builder_free(&b);
}

static void temp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "/tmp/photorig-test-plate-%d-%s", (int)getpid(), name);
}

static void test_save_load_round_trip(void **state)
{
	(void)state;
	struct pr_plate p, q;
	struct pr_error err;
	char path[256];
	temp_path(path, sizeof(path), "rt.prplate");
	build(&p, 3, 2, 3);
	snprintf(p.settings, sizeof(p.settings), "iso=100\nshutterspeed=1/125\n");
	assert_int_equal(pr_plate_save(&p, path, &err), 0);
	assert_int_equal(pr_plate_load(path, &q, &err), 0);
	assert_int_equal(q.width, p.width);
	assert_int_equal(q.height, p.height);
	assert_int_equal(q.frames, 3);
	assert_true(q.id == p.id);
	assert_true(q.created == p.created);
	assert_string_equal(q.settings, p.settings);
	assert_memory_equal(q.mean, p.mean, (size_t)p.width * p.height * 3);
	assert_non_null(q.noise);
	assert_memory_equal(q.noise, p.noise, (size_t)p.width * p.height);
	assert_memory_equal(q.global_noise, p.global_noise, sizeof(p.global_noise));
	pr_plate_free(&q);
	pr_plate_free(&p);
	unlink(path);
}

static long file_size(const char *path)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fclose(fp);
	return n;
}

static void patch_byte(const char *path, long offset, uint8_t xor_with)
{
	FILE *fp = fopen(path, "r+b");
	assert_non_null(fp);
	fseek(fp, offset, SEEK_SET);
	int c = fgetc(fp);
	fseek(fp, offset, SEEK_SET);
	fputc(c ^ xor_with, fp);
	fclose(fp);
}

static void test_corrupt_files_named(void **state)
{
	(void)state;
	struct pr_plate p, q;
	struct pr_error err;
	char path[256];
	temp_path(path, sizeof(path), "bad.prplate");
	build(&p, 1, 2, 2);
	assert_int_equal(pr_plate_save(&p, path, &err), 0);
	long size = file_size(path);

	/* one flipped bit in the pixels: checksum */
	patch_byte(path, size / 2, 0x10);
	assert_int_equal(pr_plate_load(path, &q, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "checksum"));
	assert_null(q.mean);

	/* truncated */
	assert_int_equal(pr_plate_save(&p, path, &err), 0);
	assert_int_equal(truncate(path, size - 100), 0);
	assert_int_equal(pr_plate_load(path, &q, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, "truncated"));

	/* wrong magic */
	assert_int_equal(pr_plate_save(&p, path, &err), 0);
	patch_byte(path, 0, 0x01);
	assert_int_equal(pr_plate_load(path, &q, &err), PR_EFORMAT);
	assert_non_null(strstr(err.msg, "not a photorig plate"));

	/* a future version */
	assert_int_equal(pr_plate_save(&p, path, &err), 0);
	patch_byte(path, 8, 0x02);
	assert_int_equal(pr_plate_load(path, &q, &err), PR_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "version"));

	/* absurd dimensions in the header */
	assert_int_equal(pr_plate_save(&p, path, &err), 0);
	patch_byte(path, 19, 0x7f);
	assert_int_equal(pr_plate_load(path, &q, &err), PR_EFORMAT);

	unlink(path);
	assert_int_equal(pr_plate_load(path, &q, &err), PR_ENOENT);
	assert_non_null(strstr(err.msg, path));
	pr_plate_free(&p);
}

static void test_mask_refuses_wrong_size_plate(void **state)
{
	(void)state;
	struct pr_plate p;
	struct pr_image shot;
	struct pr_mask_params mp;
	struct pr_mask_result r;
	struct pr_error err;
	build(&p, 1, 2, 2);
	make_frame(&shot, 150, 200, 2, 2, 9);
	pr_mask_params_default(&mp);
	assert_int_equal(pr_mask_compute_named(&mp, &p, &shot, "cam01_0001.jpg", &r, &err), PR_ESIZE);
	assert_non_null(strstr(err.msg, "cam01_0001.jpg"));
	assert_non_null(strstr(err.msg, "150x200"));
	assert_non_null(strstr(err.msg, "200x150"));
	assert_null(r.mask);
	pr_image_free(&shot);
	pr_plate_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_frame_noise_estimate),
		cmocka_unit_test(test_multi_frame_per_pixel_noise),
		cmocka_unit_test(test_exposure_drift_is_not_noise),
		cmocka_unit_test(test_frame_size_mismatch),
		cmocka_unit_test(test_save_load_round_trip),
		cmocka_unit_test(test_corrupt_files_named),
		cmocka_unit_test(test_mask_refuses_wrong_size_plate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
