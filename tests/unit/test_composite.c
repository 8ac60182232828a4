/* Backdrop replacement on generated scenes: the composite over white is
 * compared, on the truth's edge pixels, with the exact foreground-over-white,
 * with and without edge decontamination; backdrop images are scaled to
 * cover; outputs are written under the documented names. Figures are
 * printed for the record.
 *
 * The exact foreground-over-white comes from a noise-free render of the same
 * scene: there I0 = a F + (1 - a) B0 with B0 the noise-free plate and a the
 * truth alpha, so a F + (1 - a) 255 = I0 + (1 - a) (255 - B0), whatever the
 * object's shading and texture. */
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

#include "composite.h"
#include "imageio.h"
#include "mask_fixture.h"

static const uint8_t WHITE[3] = { 255, 255, 255 };

/* Mean absolute error (8-bit levels, over channels) on PR_LABEL_EDGE pixels
 * between img and the exact foreground-over-white of the scene. */
static double edge_error(const struct pr_scene_params *sp, const struct run *r,
			 const struct pr_image *img)
{
	struct pr_scene_params clean = *sp;
	struct pr_image I0, B0;
	struct pr_error err;
	clean.noise_sigma = 0;
	assert_int_equal(pr_scene_render_shot(&clean, &I0, NULL, &err), 0);
	assert_int_equal(pr_scene_render_plate(&clean, 0, &B0, &err), 0);
	double sum = 0;
	uint64_t n = 0;
	for (uint32_t y = 0; y < img->height; y++) {
		const uint8_t *o = pr_image_row(img, y), *i0 = pr_image_row(&I0, y),
			      *b0 = pr_image_row(&B0, y);
		for (uint32_t x = 0; x < img->width; x++) {
			size_t i = (size_t)y * img->width + x;
			if (!(r->truth.labels[i] & PR_LABEL_EDGE))
				continue;
			double a = r->truth.alpha[i] / 255.0;
			for (int c = 0; c < 3; c++) {
				double t = i0[3 * x + c] + (1 - a) * (255.0 - b0[3 * x + c]);
				sum += fabs(o[3 * x + c] - (t > 255 ? 255 : t));
			}
			n++;
		}
	}
	pr_image_free(&I0);
	pr_image_free(&B0);
	assert_true(n > 500);
	return sum / (3.0 * n);
}

static void composite_white(const struct run *r, const struct pr_plate *plate, int decontaminate,
			    struct pr_image *out)
{
	struct pr_backdrop bd;
	struct pr_composite_options o;
	struct pr_error err;
	pr_backdrop_colour(&bd, WHITE);
	pr_composite_options_default(&o);
	o.backdrop = &bd;
	o.decontaminate = decontaminate;
	if (pr_composite_render(&r->shot, &r->r, plate, &o, out, NULL, &err))
		fail_msg("composite: %s", err.msg);
	assert_int_equal(out->width, r->shot.width);
	assert_int_equal(out->height, r->shot.height);
}

static void check_edges(struct pr_scene_params *sp, enum pr_mask_method method, double max_err)
{
	struct pr_mask_params mp;
	struct run r;
	struct pr_image with, without;
	pr_mask_params_default(&mp);
	mp.method = method;
	mp.tolerance = pr_mask_default_tolerance(method);
	unsigned frames = method == PR_MASK_CHROMA ? 0 : 3;
	if (method == PR_MASK_CHROMA) {
		/* key colour: the screen's average colour, as an operator would pick it */
		struct pr_image pl;
		double sum[3] = { 0 };
		assert_int_equal(pr_scene_render_plate(sp, 0, &pl, NULL), 0);
		for (uint32_t y = 0; y < pl.height; y++)
			for (uint32_t x = 0; x < pl.width; x++)
				for (int c = 0; c < 3; c++)
					sum[c] += pr_image_row(&pl, y)[3 * x + c];
		for (int c = 0; c < 3; c++)
			mp.key_rgb[c] = (uint8_t)(sum[c] / ((double)pl.width * pl.height) + 0.5);
		pr_image_free(&pl);
	}
	run_scene(sp, frames, &mp, &r);
	const struct pr_plate *plate = frames ? &r.plate : NULL;
	composite_white(&r, plate, 1, &with);
	composite_white(&r, plate, 0, &without);
	double e_with = edge_error(sp, &r, &with), e_without = edge_error(sp, &r, &without);
	pr_image_free(&with);
	pr_image_free(&without);
	/* the same with the truth alpha: what the colour estimate itself does,
	 * apart from any error of the mask's alpha */
	memcpy(r.r.alpha, r.truth.alpha, (size_t)r.r.width * r.r.height);
	composite_white(&r, plate, 1, &with);
	composite_white(&r, plate, 0, &without);
	double t_with = edge_error(sp, &r, &with), t_without = edge_error(sp, &r, &without);
	print_message("%s background %d seed %llu%s: edge error over white %.2f levels with "
		      "decontamination, %.2f without (with the truth alpha: %.2f, %.2f)\n",
		      pr_mask_method_name(method), (int)sp->background,
		      (unsigned long long)sp->seed, sp->shadow ? " shadow" : "", e_with, e_without,
		      t_with, t_without);
	assert_true(e_with < e_without);
	assert_true(e_with <= max_err);
	assert_true(t_with < t_without);
	/* (with a shadow the reference itself is off on the foot's edge: it
	 * takes the unshadowed plate as the background) */
	if (!sp->shadow) {
		assert_true(t_with < 0.5 * t_without);
		assert_true(t_with <= 2.0);
	}
	pr_image_free(&with);
	pr_image_free(&without);
	run_free(&r);
}

static void test_decontamination_plate(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		for (int bg = PR_SCENE_TEXTURED; bg <= PR_SCENE_PLAIN; bg++) {
			pr_scene_defaults(&sp);
			sp.seed = seed;
			sp.background = (enum pr_scene_background)bg;
			check_edges(&sp, PR_MASK_PLATE, 6.0);
		}
	}
	/* a cast shadow darkens the background the plate predicts; the local
	 * ratio of shot to prediction follows it */
	pr_scene_defaults(&sp);
	sp.shadow = 1;
	check_edges(&sp, PR_MASK_PLATE, 12.0);
}

static void test_decontamination_without_plate(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	pr_scene_defaults(&sp);
	sp.background = PR_SCENE_GREEN;
	check_edges(&sp, PR_MASK_CHROMA, 14.0);
}

/* Inverted masks composite the object all the same. */
static void test_inverted_alpha(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run a, b;
	struct pr_image ia, ib;
	struct pr_backdrop bd;
	struct pr_composite_options o;
	struct pr_error err;
	pr_scene_defaults(&sp);
	sp.width = 320;
	sp.height = 240;
	pr_mask_params_default(&mp);
	run_scene(&sp, 2, &mp, &a);
	mp.invert = 1;
	run_scene(&sp, 2, &mp, &b);
	pr_backdrop_colour(&bd, WHITE);
	pr_composite_options_default(&o);
	o.backdrop = &bd;
	assert_int_equal(pr_composite_render(&a.shot, &a.r, &a.plate, &o, &ia, NULL, &err), 0);
	o.alpha_inverted = 1;
	assert_int_equal(pr_composite_render(&b.shot, &b.r, &b.plate, &o, &ib, NULL, &err), 0);
	assert_memory_equal(ia.pixels, ib.pixels, ia.stride * ia.height);
	pr_image_free(&ia);
	pr_image_free(&ib);
	run_free(&a);
	run_free(&b);
}

/* An image backdrop covers the output: scaled by the larger side ratio,
 * centred, bilinear. */
static void test_backdrop_image_covers(void **state)
{
	(void)state;
	struct pr_backdrop bd;
	struct pr_backdrop_cover cv;
	struct pr_error err;
	memset(&bd, 0, sizeof(bd));
	assert_int_equal(pr_image_alloc(&bd.image, 64, 32, 3, 8, &err), 0);
	bd.is_image = 1;
	for (uint32_t y = 0; y < 32; y++)
		for (uint32_t x = 0; x < 64; x++) {
			uint8_t *p = pr_image_row(&bd.image, y) + 3 * x;
			p[0] = (uint8_t)(x * 4);
			p[1] = (uint8_t)(y * 8);
			p[2] = 7;
		}
	/* 320x320 from 64x32: scale max(5, 10) = 10, 640x320 cut 160 px each side */
	assert_int_equal(pr_backdrop_cover_init(&cv, &bd, 320, 320, &err), 0);
	uint8_t row[320 * 3];
	for (uint32_t y = 0; y < 320; y += 53) {
		pr_backdrop_cover_row(&cv, y, row);
		for (uint32_t x = 0; x < 320; x += 31) {
			double sx = (x + 0.5 + 160) / 10.0 - 0.5, sy = (y + 0.5) / 10.0 - 0.5;
			sy = sy < 0 ? 0 : sy > 31 ? 31 : sy;
			assert_true(fabs(row[3 * x] - 4 * sx) <= 1.0);
			assert_true(fabs(row[3 * x + 1] - 8 * sy) <= 1.0);
			assert_int_equal(row[3 * x + 2], 7);
		}
	}
	pr_backdrop_cover_free(&cv);
	pr_backdrop_free(&bd);
}

static void test_parse_and_load(void **state)
{
	(void)state;
	struct pr_backdrop bd;
	struct pr_error err;
	enum pr_composite_format f;
	uint8_t rgb[3];
	assert_int_equal(pr_backdrop_parse_colour("#ff8000", rgb), 1);
	assert_int_equal(rgb[0], 255);
	assert_int_equal(rgb[1], 128);
	assert_int_equal(rgb[2], 0);
	assert_int_equal(pr_backdrop_parse_colour("FF8000", rgb), 1);
	assert_int_equal(pr_backdrop_parse_colour("#ff80", rgb), 0);
	assert_int_equal(pr_backdrop_parse_colour("studio.jpg", rgb), 0);
	assert_int_equal(pr_backdrop_load("#102030", &bd, &err), 0);
	assert_false(bd.is_image);
	assert_int_equal(bd.rgb[2], 0x30);
	pr_backdrop_free(&bd);
	assert_int_equal(pr_backdrop_load("/nonexistent/studio.jpg", &bd, &err), PR_ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/studio.jpg"));
	assert_non_null(strstr(err.msg, "backdrop"));
	assert_int_equal(pr_composite_format_parse("png", &f), 0);
	assert_int_equal(f, PR_COMPOSITE_PNG);
	assert_int_equal(pr_composite_format_parse("jpeg", &f), 0);
	assert_int_equal(f, PR_COMPOSITE_JPEG);
	assert_int_equal(pr_composite_format_parse("gif", &f), PR_EINVAL);
}

/* pr_composite_write: the documented names, both formats, crop applied. */
static void test_write_files(void **state)
{
	(void)state;
	struct pr_scene_params sp;
	struct pr_mask_params mp;
	struct run r;
	struct pr_backdrop bd;
	struct pr_composite_options o;
	struct pr_error err;
	char dir[] = "/tmp/photorig-composite.XXXXXX", path[4096];
	struct pr_image img;
	assert_non_null(mkdtemp(dir));
	pr_scene_defaults(&sp);
	sp.width = 320;
	sp.height = 240;
	pr_mask_params_default(&mp);
	run_scene(&sp, 2, &mp, &r);
	assert_int_equal(pr_backdrop_load("#204060", &bd, &err), 0);
	pr_composite_options_default(&o);
	o.backdrop = &bd;
	assert_int_equal(pr_composite_write(dir, "cams/cam01_0001.png", &r.shot, &r.r, &r.plate, &o,
					    path, sizeof(path), &err), 0);
	assert_non_null(strstr(path, "/cam01_0001_backdrop.jpg"));
	assert_int_equal(pr_decode_file(path, &img, &err), 0);
	assert_int_equal(img.width, 320);
	assert_int_equal(img.height, 240);
	pr_image_free(&img);
	unlink(path);
	o.format = PR_COMPOSITE_PNG;
	assert_int_equal(pr_crop_parse_margin("10px", &o.crop, &err), 0);
	assert_int_equal(pr_crop_parse_aspect("1:1", &o.crop, &err), 0);
	assert_int_equal(pr_composite_write(dir, "cam01_0001.png", &r.shot, &r.r, &r.plate, &o,
					    path, sizeof(path), &err), 0);
	assert_non_null(strstr(path, "/cam01_0001_backdrop.png"));
	assert_int_equal(pr_decode_file(path, &img, &err), 0);
	assert_int_equal(img.width, img.height);
	assert_true(img.width < 240);
	/* corners are backdrop */
	const uint8_t *p = pr_image_row(&img, 0);
	assert_int_equal(p[0], 0x20);
	assert_int_equal(p[1], 0x40);
	assert_int_equal(p[2], 0x60);
	pr_image_free(&img);
	unlink(path);
	/* JPEG quality is checked */
	o.format = PR_COMPOSITE_JPEG;
	o.quality = 0;
	assert_int_equal(pr_composite_write(dir, "x.png", &r.shot, &r.r, &r.plate, &o, NULL, 0, &err),
			 PR_EINVAL);
	pr_backdrop_free(&bd);
	run_free(&r);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decontamination_plate),
		cmocka_unit_test(test_decontamination_without_plate),
		cmocka_unit_test(test_inverted_alpha),
		cmocka_unit_test(test_backdrop_image_covers),
		cmocka_unit_test(test_parse_and_load),
		cmocka_unit_test(test_write_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
