/* Shared by the masking tests: render a generated scene, build its plate,
 * mask the shot, and score the mask against the scene's truth. Header-only:
 * each test program is one translation unit. */
#ifndef PHOTORIG_TEST_MASK_FIXTURE_H
#define PHOTORIG_TEST_MASK_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "mask.h"
#include "plate.h"
#include "scene.h"

struct run {
	struct pr_plate plate;
	struct pr_image shot;
	struct pr_scene_truth truth;
	struct pr_mask_result r;
};

static inline void make_plate(const struct pr_scene_params *sp, unsigned frames,
			      struct pr_plate *out)
{
	struct pr_plate_builder b;
	struct pr_error err;
	pr_plate_builder_init(&b);
	for (unsigned i = 0; i < frames; i++) {
		struct pr_image f;
		assert_int_equal(pr_scene_render_plate(sp, i, &f, &err), 0);
		assert_int_equal(pr_plate_builder_add(&b, &f, "plate", &err), 0);
		pr_image_free(&f);
	}
	assert_int_equal(pr_plate_builder_finish(&b, out, &err), 0);
	pr_plate_builder_free(&b);
}

/* Mask a shot already rendered into out->shot (truth in out->truth). */
static inline void run_mask(const struct pr_mask_params *mp, unsigned frames, struct run *out)
{
	struct pr_error err;
	int rc = pr_mask_compute(mp, frames ? &out->plate : NULL, &out->shot, &out->r, &err);
	if (rc)
		fail_msg("mask: %s", err.msg);
}

static inline void run_scene(const struct pr_scene_params *sp, unsigned frames,
			     const struct pr_mask_params *mp, struct run *out)
{
	struct pr_error err;
	memset(out, 0, sizeof(*out));
	if (frames)
		make_plate(sp, frames, &out->plate);
	assert_int_equal(pr_scene_render_shot(sp, &out->shot, &out->truth, &err), 0);
	run_mask(mp, frames, out);
}

static inline void run_free(struct run *r)
{
	pr_plate_free(&r->plate);
	pr_image_free(&r->shot);
	pr_scene_truth_free(&r->truth);
	pr_mask_result_free(&r->r);
}

/* Score the binary mask; with label != 0, only pixels carrying that label. */
static inline struct pr_eval_metrics score_label(const struct run *r, uint8_t label)
{
	struct pr_eval_truth_rules rules;
	struct pr_eval_counts c = { 0 };
	size_t n = (size_t)r->r.width * r->r.height;
	uint8_t *select = NULL;
	pr_eval_rules_default(&rules);
	rules.cdnet_unknown = 0; /* truth alpha is exact coverage: 170 is a real value */
	if (label) {
		select = malloc(n);
		assert_non_null(select);
		for (size_t i = 0; i < n; i++)
			select[i] = (r->truth.labels[i] & label) != 0;
	}
	pr_eval_accumulate(&c, &rules, r->truth.alpha, r->truth.width, r->r.mask, r->r.width,
			   select, r->r.width, r->r.width, r->r.height);
	free(select);
	return pr_eval_metrics(&c);
}

static inline struct pr_eval_metrics score(const struct run *r)
{
	return score_label(r, 0);
}

static inline uint64_t count_fg(const struct pr_mask_result *r)
{
	uint64_t n = 0;
	for (size_t i = 0; i < (size_t)r->width * r->height; i++)
		n += r->mask[i] >= 128;
	return n;
}

#endif
