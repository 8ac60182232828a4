/* Unit tests for the generated scenes (core/scene*.c): determinism, noise
 * and drift, truth labels that match the pixels, camera gains, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "scene.h"

struct frame {
	struct pr_image plate, shot;
	struct pr_scene_truth t;
};

static void render(const struct pr_scene_params *p, unsigned plate_index, struct frame *f)
{
	struct pr_error err = { 0, "" };
	int rc = pr_scene_render_plate(p, plate_index, &f->plate, &err);
	if (rc)
		fail_msg("plate: %s", err.msg);
	rc = pr_scene_render_shot(p, &f->shot, &f->t, &err);
	if (rc)
		fail_msg("shot: %s", err.msg);
	assert_int_equal(f->shot.width, p->width);
	assert_int_equal(f->shot.height, p->height);
	assert_int_equal(f->shot.channels, 3);
	assert_int_equal(f->shot.depth, 8);
	assert_int_equal(f->t.width, p->width);
}

static void frame_free(struct frame *f)
{
	pr_image_free(&f->plate);
	pr_image_free(&f->shot);
	pr_scene_truth_free(&f->t);
}

static size_t npix(const struct pr_image *im)
{
	return (size_t)im->width * im->height;
}

static int same_image(const struct pr_image *a, const struct pr_image *b)
{
	return a->width == b->width && a->height == b->height && a->stride == b->stride &&
	       !memcmp(a->pixels, b->pixels, a->stride * a->height);
}

static void test_defaults(void **state)
{
	(void)state;
	struct pr_scene_params p;
	memset(&p, 0x5a, sizeof(p));
	pr_scene_defaults(&p);
	assert_int_equal(p.width, 640);
	assert_int_equal(p.height, 480);
	assert_int_equal(p.seed, 1);
	assert_int_equal(p.background, PR_SCENE_TEXTURED);
	assert_float_equal(p.noise_sigma, 2.0, 1e-6);
	assert_float_equal(p.exposure_ev, 0.0, 1e-6);
	assert_float_equal(p.drift, 0.0, 1e-6);
	for (int c = 0; c < 3; c++)
		assert_float_equal(p.wb_gain[c], 1.0, 1e-6);
	assert_int_equal(p.shadow | p.thin | p.camouflage | p.jpeg_quality, 0);
}

static void test_deterministic(void **state)
{
	(void)state;
	for (int bg = PR_SCENE_TEXTURED; bg <= PR_SCENE_GREEN; bg++) {
		struct pr_scene_params p;
		pr_scene_defaults(&p);
		p.background = (enum pr_scene_background)bg;
		p.shadow = p.thin = p.camouflage = 1;
		p.seed = 77;
		struct frame a, b, c;
		render(&p, 0, &a);
		render(&p, 0, &b);
		assert_true(same_image(&a.plate, &b.plate));
		assert_true(same_image(&a.shot, &b.shot));
		assert_memory_equal(a.t.alpha, b.t.alpha, npix(&a.shot));
		assert_memory_equal(a.t.labels, b.t.labels, npix(&a.shot));
		assert_memory_equal(a.t.fg_rgb, b.t.fg_rgb, 3);
		p.seed = 78;
		render(&p, 0, &c);
		assert_false(same_image(&a.plate, &c.plate));
		assert_false(same_image(&a.shot, &c.shot));
		assert_true(memcmp(a.t.alpha, c.t.alpha, npix(&a.shot)) != 0);
		frame_free(&a);
		frame_free(&b);
		frame_free(&c);
	}
}

static double mean_abs_diff(const struct pr_image *a, const struct pr_image *b)
{
	double s = 0;
	size_t n = npix(a) * 3;
	for (size_t i = 0; i < n; i++)
		s += abs((int)a->pixels[i] - (int)b->pixels[i]);
	return s / (double)n;
}

static void test_plates_differ_only_by_noise(void **state)
{
	(void)state;
	struct pr_scene_params p;
	pr_scene_defaults(&p);
	p.seed = 5;
	struct pr_error err = { 0, "" };
	struct pr_image p0, p1, q0;
	assert_int_equal(pr_scene_render_plate(&p, 0, &p0, &err), 0);
	assert_int_equal(pr_scene_render_plate(&p, 1, &p1, &err), 0);
	/* two frames with independent N(0, 2) noise: E|a-b| = 2*sqrt(2)*sqrt(2/pi) ~ 2.26 */
	double d = mean_abs_diff(&p0, &p1);
	assert_true(d > 1.9 && d < 2.7);
	/* the same frame again is the same */
	assert_int_equal(pr_scene_render_plate(&p, 0, &q0, &err), 0);
	assert_true(same_image(&p0, &q0));
	pr_image_free(&p0);
	pr_image_free(&p1);
	pr_image_free(&q0);
	/* without noise, frames are identical: nothing else changes */
	p.noise_sigma = 0;
	assert_int_equal(pr_scene_render_plate(&p, 0, &p0, &err), 0);
	assert_int_equal(pr_scene_render_plate(&p, 7, &p1, &err), 0);
	assert_true(same_image(&p0, &p1));
	pr_image_free(&p0);
	pr_image_free(&p1);
}

static void test_shot_noise_independent_of_plate(void **state)
{
	(void)state;
	struct pr_scene_params p;
	pr_scene_defaults(&p);
	struct frame f;
	render(&p, 0, &f);
	double s = 0;
	size_t n = 0;
	for (size_t i = 0; i < npix(&f.shot); i++) {
		if (f.t.alpha[i] || f.t.labels[i])
			continue;
		for (int c = 0; c < 3; c++)
			s += abs((int)f.shot.pixels[3 * i + c] - (int)f.plate.pixels[3 * i + c]);
		n += 3;
	}
	double d = s / (double)n;
	assert_true(d > 1.9 && d < 2.7);
	frame_free(&f);
}

/* Noise-free: every background pixel of the shot equals the plate; the
 * labels agree with alpha; object pixels differ from the plate. */
static void test_truth_matches_pixels(void **state)
{
	(void)state;
	for (int bg = PR_SCENE_TEXTURED; bg <= PR_SCENE_GREEN; bg++) {
		struct pr_scene_params p;
		pr_scene_defaults(&p);
		p.background = (enum pr_scene_background)bg;
		p.noise_sigma = 0;
		p.seed = 11 + (uint64_t)bg;
		p.shadow = p.thin = p.camouflage = 1;
		struct frame f;
		render(&p, 3, &f);
		size_t nobj = 0, ndiff = 0, nedge = 0, ncamo = 0;
		double objdiff = 0;
		for (size_t i = 0; i < npix(&f.shot); i++) {
			uint8_t a = f.t.alpha[i], l = f.t.labels[i];
			const uint8_t *s = f.shot.pixels + 3 * i, *q = f.plate.pixels + 3 * i;
			int d = abs(s[0] - q[0]) + abs(s[1] - q[1]) + abs(s[2] - q[2]);
			assert_int_equal(!!(l & PR_LABEL_OBJECT), a >= 128);
			if (a > 0 && a < 255) {
				assert_true(l & PR_LABEL_EDGE);
				nedge++;
			}
			if (l & PR_LABEL_SHADOW)
				assert_int_equal(a, 0);
			if (a == 0 && !(l & PR_LABEL_SHADOW) && d != 0) {
				/* only the soft tail of the shadow may touch unlabelled pixels */
				assert_true(s[0] <= q[0] && s[1] <= q[1] && s[2] <= q[2]);
			}
			if (l & PR_LABEL_CAMOUFLAGE) {
				assert_int_equal(a, 255);
				assert_true(d <= 3);
				ncamo++;
			} else if (a == 255 && !(l & PR_LABEL_EDGE)) {
				nobj++;
				objdiff += d;
				if (d > 9)
					ndiff++;
			}
		}
		assert_true(nobj > 5000);
		assert_true(nedge > 200);
		assert_true(ncamo > 200);
		assert_true(objdiff / (double)nobj > 30.0);
		assert_true((double)ndiff > 0.9 * (double)nobj);
		frame_free(&f);
	}
}

static void test_shadow_darker_same_chromaticity(void **state)
{
	(void)state;
	for (int bg = PR_SCENE_TEXTURED; bg <= PR_SCENE_GREEN; bg++) {
		struct pr_scene_params p;
		pr_scene_defaults(&p);
		p.background = (enum pr_scene_background)bg;
		p.noise_sigma = 0;
		p.shadow = 1;
		p.seed = 21 + (uint64_t)bg;
		struct frame f;
		render(&p, 0, &f);
		size_t n = 0, ndark = 0;
		double rmin = 1;
		for (size_t i = 0; i < npix(&f.shot); i++) {
			if (!(f.t.labels[i] & PR_LABEL_SHADOW))
				continue;
			const uint8_t *s = f.shot.pixels + 3 * i, *q = f.plate.pixels + 3 * i;
			if (q[0] + q[1] + q[2] < 60)
				continue;
			/* one factor for all three channels, to rounding */
			double r = (double)(s[0] + s[1] + s[2]) / (q[0] + q[1] + q[2]);
			for (int c = 0; c < 3; c++)
				assert_true(fabs(s[c] - q[c] * r) <= 1.5);
			assert_true(r < 0.92);
			if (r < rmin)
				rmin = r;
			if (r < 0.8)
				ndark++;
			n++;
		}
		assert_true(n > 500);
		assert_true(ndark > 50);
		/* the core of the shadow is darkened by 0.5 .. 0.75 */
		assert_true(rmin > 0.47 && rmin < 0.77);
		frame_free(&f);
	}
	/* no shadow asked, none labelled */
	struct pr_scene_params p;
	pr_scene_defaults(&p);
	struct frame f;
	render(&p, 0, &f);
	for (size_t i = 0; i < npix(&f.shot); i++)
		assert_false(f.t.labels[i] & (PR_LABEL_SHADOW | PR_LABEL_THIN | PR_LABEL_CAMOUFLAGE));
	frame_free(&f);
}

/* Run length of alpha coverage (in pixels) through (x, y) along a step. */
static double run_cover(const struct pr_scene_truth *t, int x, int y, int dx, int dy)
{
	double s = t->alpha[(size_t)y * t->width + (size_t)x] / 255.0;
	for (int dir = -1; dir <= 1; dir += 2)
		for (int k = 1; k < 12; k++) {
			int xx = x + dir * k * dx, yy = y + dir * k * dy;
			if (xx < 0 || yy < 0 || xx >= (int)t->width || yy >= (int)t->height)
				break;
			size_t j = (size_t)yy * t->width + (size_t)xx;
			if (!t->alpha[j] || !(t->labels[j] & PR_LABEL_THIN))
				break;
			s += t->alpha[j] / 255.0;
		}
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void test_thin_parts_two_pixels_wide(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct pr_scene_params p;
		pr_scene_defaults(&p);
		p.thin = 1;
		p.seed = seed;
		struct frame f;
		render(&p, 0, &f);
		const struct pr_scene_truth *t = &f.t;
		size_t cap = npix(&f.shot), n = 0;
		double *w = malloc(cap * sizeof(double));
		assert_non_null(w);
		for (int y = 0; y < (int)t->height; y++)
			for (int x = 0; x < (int)t->width; x++) {
				size_t i = (size_t)y * t->width + (size_t)x;
				if (!(t->labels[i] & PR_LABEL_THIN) || t->alpha[i] < 255)
					continue;
				/* a straight band of width w crossed at angle a has
				 * runs h = w/cos a and v = w/sin a: w = hv/sqrt(h^2+v^2) */
				double h = run_cover(t, x, y, 1, 0), v = run_cover(t, x, y, 0, 1);
				w[n++] = h * v / sqrt(h * h + v * v);
			}
		assert_true(n > 100);
		qsort(w, n, sizeof(double), cmp_double);
		/* stems cross and fork, so some pixels see wider runs; most
		 * see exactly the 2 px band, and none sees a blob */
		size_t near2 = 0;
		for (size_t i = 0; i < n; i++)
			near2 += w[i] > 1.5 && w[i] < 2.6;
		assert_true(w[n / 2] > 1.8 && w[n / 2] < 2.2);
		assert_true((double)near2 > 0.5 * (double)n);
		assert_true(w[n - 1] < 7.0);
		free(w);
		frame_free(&f);
	}
}

static void test_exposure_and_white_balance(void **state)
{
	(void)state;
	struct pr_scene_params p;
	pr_scene_defaults(&p);
	p.noise_sigma = 0;
	p.exposure_ev = 1.0f;
	p.wb_gain[0] = 1.2f;
	p.wb_gain[2] = 0.8f;
	struct frame f;
	render(&p, 0, &f);
	const double g[3] = { 2.4, 2.0, 1.6 };
	size_t n = 0, clipped = 0;
	for (size_t i = 0; i < npix(&f.shot); i++) {
		if (f.t.alpha[i] || f.t.labels[i])
			continue;
		for (int c = 0; c < 3; c++) {
			double q = f.plate.pixels[3 * i + c], s = f.shot.pixels[3 * i + c];
			if ((q + 0.5) * g[c] > 254.5) {
				/* near or past 255: clipped, never wrapped */
				assert_true(s >= fmin(254.0, (q - 0.5) * g[c] - 0.5));
				clipped++;
				continue;
			}
			/* both rounded from the same clean value */
			assert_true(fabs(s - q * g[c]) <= 0.5 * g[c] + 0.51);
			n++;
		}
	}
	assert_true(n > 1000);
	(void)clipped;
	frame_free(&f);
}

static void test_angle_turns_object_only(void **state)
{
	(void)state;
	struct pr_scene_params p;
	pr_scene_defaults(&p);
	p.noise_sigma = 0;
	p.seed = 9;
	struct frame a, b;
	render(&p, 0, &a);
	p.angle_deg = 40.0f;
	render(&p, 0, &b);
	size_t ndiff_alpha = 0, ndiff_obj = 0, nobj = 0;
	for (size_t i = 0; i < npix(&a.shot); i++) {
		if (a.t.alpha[i] != b.t.alpha[i])
			ndiff_alpha++;
		if (!a.t.alpha[i] && !b.t.alpha[i])
			assert_memory_equal(a.shot.pixels + 3 * i, b.shot.pixels + 3 * i, 3);
		if (a.t.alpha[i] == 255 && b.t.alpha[i] == 255) {
			nobj++;
			if (memcmp(a.shot.pixels + 3 * i, b.shot.pixels + 3 * i, 3))
				ndiff_obj++;
		}
	}
	assert_true(ndiff_alpha > 100);       /* the silhouette changes a little */
	assert_true(ndiff_alpha < nobj / 4);  /* ... but only a little */
	assert_true(ndiff_obj > nobj / 10);   /* the surface pattern moves */
	frame_free(&a);
	frame_free(&b);
}

static double mean_level(const struct pr_image *im)
{
	double s = 0;
	for (size_t i = 0; i < npix(im) * 3; i++)
		s += im->pixels[i];
	return s / (double)(npix(im) * 3);
}

static void test_drift_per_frame(void **state)
{
	(void)state;
	struct pr_scene_params p;
	pr_scene_defaults(&p);
	p.background = PR_SCENE_PLAIN;
	p.drift = 0.1f;
	p.noise_sigma = 0;
	struct pr_error err = { 0, "" };
	double m[4];
	struct pr_image im;
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(pr_scene_render_plate(&p, i, &im, &err), 0);
		m[i] = mean_level(&im);
		pr_image_free(&im);
	}
	int differ = 0;
	for (int i = 1; i < 4; i++)
		differ += fabs(m[i] - m[0]) > 0.5;
	assert_true(differ >= 2);
	assert_int_equal(pr_scene_render_plate(&p, 2, &im, &err), 0);
	assert_float_equal(mean_level(&im), m[2], 1e-9);
	pr_image_free(&im);
}

static void test_backgrounds_look_their_part(void **state)
{
	(void)state;
	struct pr_scene_params p;
	pr_scene_defaults(&p);
	p.noise_sigma = 0;
	struct pr_error err = { 0, "" };
	struct pr_image im;
	double sd[3];
	for (int bg = PR_SCENE_TEXTURED; bg <= PR_SCENE_GREEN; bg++) {
		p.background = (enum pr_scene_background)bg;
		assert_int_equal(pr_scene_render_plate(&p, 0, &im, &err), 0);
		double s[3] = { 0, 0, 0 }, s2 = 0, sg = 0;
		size_t n = npix(&im);
		for (size_t i = 0; i < n; i++) {
			for (int c = 0; c < 3; c++)
				s[c] += im.pixels[3 * i + c];
			sg += im.pixels[3 * i + 1];
			s2 += (double)im.pixels[3 * i + 1] * im.pixels[3 * i + 1];
		}
		double mean = sg / (double)n;
		sd[bg] = sqrt(s2 / (double)n - mean * mean);
		if (bg == PR_SCENE_PLAIN) {
			assert_true(mean > 150);
			assert_true(fabs(s[0] - s[1]) / (double)n < 8 && fabs(s[2] - s[1]) / (double)n < 8);
		}
		if (bg == PR_SCENE_GREEN)
			assert_true(s[1] > 1.6 * s[0] && s[1] > 1.4 * s[2]);
		pr_image_free(&im);
	}
	assert_true(sd[PR_SCENE_PLAIN] < 12);
	assert_true(sd[PR_SCENE_TEXTURED] > sd[PR_SCENE_PLAIN]);
}

static void test_jpeg_round_trip(void **state)
{
	(void)state;
	struct pr_scene_params p;
	pr_scene_defaults(&p);
	struct pr_error err = { 0, "" };
	struct pr_image raw, jpg;
	assert_int_equal(pr_scene_render_plate(&p, 0, &raw, &err), 0);
	p.jpeg_quality = 85;
	if (pr_scene_render_plate(&p, 0, &jpg, &err))
		fail_msg("jpeg plate: %s", err.msg);
	assert_int_equal(jpg.width, raw.width);
	assert_int_equal(jpg.channels, 3);
	assert_false(same_image(&raw, &jpg));
	assert_true(mean_abs_diff(&raw, &jpg) < 4.0);
	pr_image_free(&raw);
	pr_image_free(&jpg);
	struct pr_scene_truth t;
	assert_int_equal(pr_scene_render_shot(&p, &jpg, &t, &err), 0);
	pr_image_free(&jpg);
	pr_scene_truth_free(&t);
}

static void test_bad_params(void **state)
{
	(void)state;
	struct pr_scene_params p;
	struct pr_error err = { 0, "" };
	struct pr_image im;
	struct pr_scene_truth t;
	pr_scene_defaults(&p);
	p.width = 0;
	assert_int_equal(pr_scene_render_plate(&p, 0, &im, &err), PR_ESIZE);
	assert_true(strlen(err.msg) > 0);
	assert_null(im.pixels);
	pr_scene_defaults(&p);
	p.noise_sigma = NAN;
	assert_int_equal(pr_scene_render_shot(&p, &im, &t, &err), PR_EINVAL);
	assert_null(t.alpha);
	pr_scene_defaults(&p);
	p.jpeg_quality = 101;
	assert_int_equal(pr_scene_render_shot(&p, &im, NULL, &err), PR_EINVAL);
	pr_scene_defaults(&p);
	p.wb_gain[1] = 0;
	assert_int_equal(pr_scene_render_shot(&p, &im, NULL, &err), PR_EINVAL);
	pr_scene_defaults(&p);
	p.background = (enum pr_scene_background)7;
	assert_int_equal(pr_scene_render_plate(&p, 0, &im, &err), PR_EINVAL);
	pr_scene_truth_free(&t);
	pr_scene_truth_free(NULL);
}

static void test_odd_sizes(void **state)
{
	(void)state;
	/* tiny, tall and wide frames keep the object and its parts in bounds */
	const uint32_t sizes[][2] = { { 32, 32 }, { 33, 200 }, { 301, 47 }, { 1000, 750 } };
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct pr_scene_params p;
		pr_scene_defaults(&p);
		p.width = sizes[k][0];
		p.height = sizes[k][1];
		p.shadow = p.thin = p.camouflage = 1;
		p.angle_deg = 123.0f;
		struct frame f;
		render(&p, 0, &f);
		size_t nobj = 0;
		for (size_t i = 0; i < npix(&f.shot); i++)
			nobj += f.t.alpha[i] >= 128;
		assert_true(nobj > npix(&f.shot) / 50);
		frame_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_plates_differ_only_by_noise),
		cmocka_unit_test(test_shot_noise_independent_of_plate),
		cmocka_unit_test(test_truth_matches_pixels),
		cmocka_unit_test(test_shadow_darker_same_chromaticity),
		cmocka_unit_test(test_thin_parts_two_pixels_wide),
		cmocka_unit_test(test_exposure_and_white_balance),
		cmocka_unit_test(test_angle_turns_object_only),
		cmocka_unit_test(test_drift_per_frame),
		cmocka_unit_test(test_backgrounds_look_their_part),
		cmocka_unit_test(test_jpeg_round_trip),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_odd_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
