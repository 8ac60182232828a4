/* The robust plate model: something that passes through some plate frames
 * is left out of the plate, is reported, and costs the mask nothing; more
 * plate frames never make a mask worse. */
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

#include "hard_scene.h"

#define W 320
#define H 240

/* The object: an ellipse in a colour some 25 levels from the background. */
static int object(const void *ctx, float x, float y, float rgb[3])
{
	(void)ctx;
	float u = (x - 160) / 60, v = (y - 130) / 45;
	if (u * u + v * v > 1)
		return 0;
	rgb[0] = 150;
	rgb[1] = 112;
	rgb[2] = 92;
	return 1;
}

/* A faint object: about 12 levels from the background, where the plate's
 * own noise decides what is seen. */
static int faint_object(const void *ctx, float x, float y, float rgb[3])
{
	(void)ctx;
	float u = (x - 160) / 60, v = (y - 130) / 45;
	if (u * u + v * v > 1)
		return 0;
	rgb[0] = 132 + 6 * sinf(x / 9);
	rgb[1] = 124;
	rgb[2] = 96;
	return 1;
}

/* An operator's hand over the box (100..220, 70..190) in some frames. */
#define HAND_X0 100
#define HAND_Y0 70
#define HAND_X1 220
#define HAND_Y1 190
static int hand(const void *ctx, float x, float y, float rgb[3])
{
	(void)ctx;
	if (x < HAND_X0 || x >= HAND_X1 || y < HAND_Y0 || y >= HAND_Y1)
		return 0;
	rgb[0] = 215 + 10 * sinf(x / 7);
	rgb[1] = 170;
	rgb[2] = 150 + 10 * cosf(y / 5);
	return 1;
}

/* A passer-by: a disc somewhere along the frame, a different place and
 * colour in each frame it is in. */
struct walker {
	float cx, cy, r, rgb[3];
};

static int walker(const void *ctx, float x, float y, float rgb[3])
{
	const struct walker *w = ctx;
	if ((x - w->cx) * (x - w->cx) + (y - w->cy) * (y - w->cy) > w->r * w->r)
		return 0;
	memcpy(rgb, w->rgb, sizeof(w->rgb));
	return 1;
}

static void scene_init(struct hs_scene *s)
{
	memset(s, 0, sizeof(*s));
	s->w = W;
	s->h = H;
	s->seed = 5;
	s->noise = 2;
	s->texture = 10;
}

/* Plate of n frames; frame i shows the hand when hand_in(i), a walker when
 * walk_in(i). */
static void build_plate(const struct hs_scene *s, unsigned n, int (*hand_in)(unsigned),
			int (*walk_in)(unsigned), struct pr_plate *p)
{
	struct pr_plate_builder b;
	struct pr_error err;
	pr_plate_builder_init(&b);
	for (unsigned i = 0; i < n; i++) {
		struct pr_image f;
		struct walker wk = { 30 + (float)((i * 53) % 260), 110 + (float)((i * 29) % 60), 35,
				     { 60 + (float)((i * 71) % 180), 200 - (float)((i * 37) % 150),
				       90 + (float)((i * 13) % 120) } };
		if (hand_in && hand_in(i))
			hs_render(s, 0, 0, hand, NULL, NULL, 1000 + i, &f, NULL);
		else if (walk_in && walk_in(i))
			hs_render(s, 0, 0, walker, NULL, &wk, 1000 + i, &f, NULL);
		else
			hs_render(s, 0, 0, NULL, NULL, NULL, 1000 + i, &f, NULL);
		assert_int_equal(pr_plate_builder_add(&b, &f, "plate", &err), 0);
		pr_image_free(&f);
	}
	assert_int_equal(pr_plate_builder_finish(&b, p, &err), 0);
	pr_plate_builder_free(&b);
}

static int hand_first_30(unsigned i)
{
	return i < 3; /* 3 of 10 frames: the operator's hand leaving the view */
}

static int hand_every_third(unsigned i)
{
	return i % 10 == 2 || i % 10 == 5 || i % 10 == 8;
}

static int walker_30(unsigned i)
{
	return i % 10 >= 4 && i % 10 <= 6;
}

struct shot {
	struct pr_image img;
	uint8_t alpha[W * H];
};

static void render_shot(const struct hs_scene *s, struct shot *sh)
{
	hs_render(s, 0, 0, object, NULL, NULL, 1, &sh->img, sh->alpha);
}

/* Object recall inside the hand's box. */
static double recall_under_hand(const struct shot *sh, const struct pr_plate *p)
{
	static uint8_t select[W * H];
	struct pr_mask_result r;
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			select[y * W + x] = x >= HAND_X0 && x < HAND_X1 && y >= HAND_Y0 && y < HAND_Y1;
	hs_mask(NULL, p, &sh->img, &r);
	double rec = hs_score(sh->alpha, r.mask, select, W, H).recall;
	pr_mask_result_free(&r);
	return rec;
}

static void test_transient_in_30_percent_of_frames(void **state)
{
	(void)state;
	struct hs_scene s;
	struct shot sh;
	struct pr_plate clean, first, spread;
	scene_init(&s);
	render_shot(&s, &sh);
	build_plate(&s, 10, NULL, NULL, &clean);
	build_plate(&s, 10, hand_first_30, NULL, &first);
	build_plate(&s, 10, hand_every_third, NULL, &spread);
	double r_clean = recall_under_hand(&sh, &clean);
	double r_first = recall_under_hand(&sh, &first);
	double r_spread = recall_under_hand(&sh, &spread);
	print_message("recall under the hand: clean plate %.4f, hand in frames 1-3 %.4f, "
		      "in frames 3, 6, 9 %.4f\n", r_clean, r_first, r_spread);
	assert_true(r_clean >= 0.99);
	assert_true(fabs(r_first - r_clean) <= 0.01);
	assert_true(fabs(r_spread - r_clean) <= 0.01);

	pr_plate_free(&clean);
	pr_plate_free(&first);
	pr_plate_free(&spread);
	pr_image_free(&sh.img);
}

static void test_transient_reported(void **state)
{
	(void)state;
	struct hs_scene s;
	struct pr_plate clean, first, spread;
	scene_init(&s);
	build_plate(&s, 10, NULL, NULL, &clean);
	build_plate(&s, 10, hand_first_30, NULL, &first);
	build_plate(&s, 10, hand_every_third, NULL, &spread);
	print_message("transient: clean %.4f; frames 1-3 %.4f at %d,%d %dx%d; frames 3, 6, 9 "
		      "%.4f at %d,%d %dx%d\n", clean.transient_share, first.transient_share,
		      first.transient_x, first.transient_y, first.transient_w, first.transient_h,
		      spread.transient_share, spread.transient_x, spread.transient_y,
		      spread.transient_w, spread.transient_h);
	/* the hand is reported: its share and its box; a clean plate has none */
	const double hand_share = (double)(HAND_X1 - HAND_X0) * (HAND_Y1 - HAND_Y0) / (W * H);
	assert_true(clean.transient_share == 0);
	assert_int_equal(clean.transient_w, 0);
	assert_int_equal(clean.transient_h, 0);
	const struct pr_plate *t[] = { &first, &spread };
	for (int k = 0; k < 2; k++) {
		assert_true(t[k]->transient_share > 0.8 * hand_share);
		assert_true(t[k]->transient_share < 1.2 * hand_share);
		assert_true(abs(t[k]->transient_x - HAND_X0) <= 16);
		assert_true(abs(t[k]->transient_y - HAND_Y0) <= 16);
		assert_true(abs(t[k]->transient_x + t[k]->transient_w - HAND_X1) <= 16);
		assert_true(abs(t[k]->transient_y + t[k]->transient_h - HAND_Y1) <= 16);
	}

	/* and they are kept in the plate file */
	char path[128];
	struct pr_plate q;
	struct pr_error err;
	snprintf(path, sizeof(path), "/tmp/photorig-test-robust-%d.prplate", (int)getpid());
	assert_int_equal(pr_plate_save(&first, path, &err), 0);
	assert_int_equal(pr_plate_load(path, &q, &err), 0);
	assert_true(q.transient_share == first.transient_share);
	assert_int_equal(q.transient_x, first.transient_x);
	assert_int_equal(q.transient_y, first.transient_y);
	assert_int_equal(q.transient_w, first.transient_w);
	assert_int_equal(q.transient_h, first.transient_h);
	unlink(path);
	pr_plate_free(&q);
	pr_plate_free(&clean);
	pr_plate_free(&first);
	pr_plate_free(&spread);
}

static void test_more_frames_never_worse(void **state)
{
	(void)state;
	struct hs_scene s;
	struct shot sh;
	/* 64 frames are more than a builder keeps apart (PR_PLATE_MAX_BINS):
	 * neighbouring frames are then averaged in pairs */
	const unsigned frames[] = { 1, 10, 30, 64 };
	double f[4];
	_Static_assert(64 > PR_PLATE_MAX_BINS, "the last case must merge bins");
	scene_init(&s);
	hs_render(&s, 0, 0, faint_object, NULL, NULL, 1, &sh.img, sh.alpha);
	for (int k = 0; k < 4; k++) {
		struct pr_plate p;
		struct pr_mask_result r;
		/* people walk through 30% of the frames (not the first) */
		build_plate(&s, frames[k], NULL, walker_30, &p);
		hs_mask(NULL, &p, &sh.img, &r);
		f[k] = hs_score(sh.alpha, r.mask, NULL, W, H).f;
		print_message("%2u plate frames with passers-by: F %.4f\n", frames[k], f[k]);
		pr_mask_result_free(&r);
		pr_plate_free(&p);
	}
	assert_true(f[0] >= 0.5);
	/* never lower, by more than a pixel or two of the shot's own noise */
	assert_true(f[1] >= f[0] - 0.001);
	assert_true(f[2] >= f[1] - 0.001);
	assert_true(f[3] >= f[2] - 0.001);
	pr_image_free(&sh.img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transient_in_30_percent_of_frames),
		cmocka_unit_test(test_transient_reported),
		cmocka_unit_test(test_more_frames_never_worse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
