/* Unit tests for core/mask/eval.c: CDnet 2014 counting and metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eval.h"

#define EPS 1e-9

/* 4x2 truth/mask pair worked by hand:
 *   truth 255 255   0   0 | 255   0   0 170
 *   mask  255   0 255   0 | 255 255   0 255
 *   ->     TP  FN  FP  TN |  TP  FP  TN unknown */
static const uint8_t hand_truth[8] = { 255, 255, 0, 0, 255, 0, 0, 170 };
static const uint8_t hand_mask[8] = { 255, 0, 255, 0, 255, 255, 0, 255 };

static void test_hand_counts_and_metrics(void **state)
{
	(void)state;
	struct pr_eval_counts c = { 0, 0, 0, 0, 0 };
	pr_eval_accumulate(&c, NULL, hand_truth, 4, hand_mask, 4, NULL, 0, 4, 2);
	assert_int_equal(c.tp, 2);
	assert_int_equal(c.fn, 1);
	assert_int_equal(c.fp, 2);
	assert_int_equal(c.tn, 2);
	assert_int_equal(c.unknown, 1);
	struct pr_eval_metrics m = pr_eval_metrics(&c);
	assert_float_equal(m.precision, 0.5, EPS);
	assert_float_equal(m.recall, 2.0 / 3.0, EPS);
	assert_float_equal(m.f, 2.0 * 0.5 * (2.0 / 3.0) / (0.5 + 2.0 / 3.0), EPS);
	assert_float_equal(m.f, 4.0 / 7.0, EPS);
	assert_float_equal(m.iou, 2.0 / 5.0, EPS);
	assert_float_equal(m.pwc, 100.0 * 3.0 / 7.0, EPS);
	assert_float_equal(m.specificity, 0.5, EPS);
	assert_float_equal(m.fpr, 0.5, EPS);
	assert_float_equal(m.fnr, 1.0 / 3.0, EPS);
}

static void test_rules_default(void **state)
{
	(void)state;
	struct pr_eval_truth_rules r;
	memset(&r, 0x55, sizeof(r));
	pr_eval_rules_default(&r);
	assert_int_equal(r.cdnet_unknown, 1);
	assert_true(r.band_lo > r.band_hi);
}

static void test_170_counted_without_cdnet_rule(void **state)
{
	(void)state;
	struct pr_eval_truth_rules r;
	pr_eval_rules_default(&r);
	r.cdnet_unknown = 0;
	struct pr_eval_counts c = { 0, 0, 0, 0, 0 };
	pr_eval_accumulate(&c, &r, hand_truth, 4, hand_mask, 4, NULL, 0, 4, 2);
	/* 170 >= 128 is foreground, and the mask says 255 there */
	assert_int_equal(c.tp, 3);
	assert_int_equal(c.unknown, 0);
}

static void test_threshold_and_band(void **state)
{
	(void)state;
	const uint8_t truth[8] = { 0, 39, 40, 127, 128, 215, 216, 255 };
	const uint8_t mask[8] = { 255, 255, 255, 255, 255, 255, 255, 255 };
	struct pr_eval_counts c = { 0, 0, 0, 0, 0 };
	pr_eval_accumulate(&c, NULL, truth, 8, mask, 8, NULL, 0, 8, 1);
	/* soft truth thresholded at 128: 0,39,40,127 background */
	assert_int_equal(c.fp, 4);
	assert_int_equal(c.tp, 4);
	struct pr_eval_truth_rules r;
	pr_eval_rules_default(&r);
	r.band_lo = 40;
	r.band_hi = 215;
	memset(&c, 0, sizeof(c));
	pr_eval_accumulate(&c, &r, truth, 8, mask, 8, NULL, 0, 8, 1);
	assert_int_equal(c.unknown, 4); /* 40, 127, 128, 215: inclusive band */
	assert_int_equal(c.fp, 2);
	assert_int_equal(c.tp, 2);
	/* mask threshold: 127 is background, 128 foreground */
	const uint8_t t2[2] = { 255, 255 }, m2[2] = { 127, 128 };
	memset(&c, 0, sizeof(c));
	pr_eval_accumulate(&c, NULL, t2, 2, m2, 2, NULL, 0, 2, 1);
	assert_int_equal(c.fn, 1);
	assert_int_equal(c.tp, 1);
}

static void test_strides_select_and_accumulation(void **state)
{
	(void)state;
	/* 2x2 images inside padded rows; stride 5 for truth, 3 for mask */
	const uint8_t truth[10] = { 255, 0, 9, 9, 9, 255, 255, 9, 9, 9 };
	const uint8_t mask[6] = { 255, 255, 7, 0, 255, 7 };
	const uint8_t select[4] = { 1, 1, 0, 1 };
	struct pr_eval_counts c = { 0, 0, 0, 0, 0 };
	pr_eval_accumulate(&c, NULL, truth, 5, mask, 3, NULL, 0, 2, 2);
	assert_int_equal(c.tp, 2);
	assert_int_equal(c.fp, 1);
	assert_int_equal(c.fn, 1);
	assert_int_equal(c.tn, 0);
	/* counts add up across calls; select drops the (0,1) FN */
	pr_eval_accumulate(&c, NULL, truth, 5, mask, 3, select, 2, 2, 2);
	assert_int_equal(c.tp, 4);
	assert_int_equal(c.fp, 2);
	assert_int_equal(c.fn, 1);
}

static void test_zero_denominators(void **state)
{
	(void)state;
	struct pr_eval_counts c = { 0, 0, 0, 0, 0 };
	struct pr_eval_metrics m = pr_eval_metrics(&c);
	/* nothing at all: nothing to find, nothing claimed, nothing wrong */
	assert_float_equal(m.precision, 1.0, EPS);
	assert_float_equal(m.recall, 1.0, EPS);
	assert_float_equal(m.f, 1.0, EPS);
	assert_float_equal(m.iou, 1.0, EPS);
	assert_float_equal(m.pwc, 0.0, EPS);
	assert_float_equal(m.specificity, 1.0, EPS);
	assert_float_equal(m.fpr, 0.0, EPS);
	assert_float_equal(m.fnr, 0.0, EPS);

	/* all true negatives: a correct empty mask */
	c.tn = 100;
	m = pr_eval_metrics(&c);
	assert_float_equal(m.f, 1.0, EPS);
	assert_float_equal(m.iou, 1.0, EPS);
	assert_float_equal(m.pwc, 0.0, EPS);

	/* only false positives: precision 0, recall vacuously 1, F 0 */
	memset(&c, 0, sizeof(c));
	c.fp = 10;
	m = pr_eval_metrics(&c);
	assert_float_equal(m.precision, 0.0, EPS);
	assert_float_equal(m.recall, 1.0, EPS);
	assert_float_equal(m.f, 0.0, EPS);
	assert_float_equal(m.iou, 0.0, EPS);
	assert_float_equal(m.pwc, 100.0, EPS);
	assert_float_equal(m.specificity, 0.0, EPS);
	assert_float_equal(m.fpr, 1.0, EPS);

	/* only misses: recall 0, precision vacuously 1, F 0 */
	memset(&c, 0, sizeof(c));
	c.fn = 5;
	c.tn = 5;
	m = pr_eval_metrics(&c);
	assert_float_equal(m.precision, 1.0, EPS);
	assert_float_equal(m.recall, 0.0, EPS);
	assert_float_equal(m.f, 0.0, EPS);
	assert_float_equal(m.pwc, 50.0, EPS);
	assert_float_equal(m.fnr, 1.0, EPS);
}

static void test_perfect_and_inverted(void **state)
{
	(void)state;
	uint8_t truth[64], inv[64];
	for (int i = 0; i < 64; i++) {
		truth[i] = (uint8_t)(i % 3 ? 255 : 0);
		inv[i] = (uint8_t)(255 - truth[i]);
	}
	struct pr_eval_counts c = { 0, 0, 0, 0, 0 };
	pr_eval_accumulate(&c, NULL, truth, 8, truth, 8, NULL, 0, 8, 8);
	struct pr_eval_metrics m = pr_eval_metrics(&c);
	assert_float_equal(m.f, 1.0, EPS);
	assert_float_equal(m.iou, 1.0, EPS);
	assert_float_equal(m.pwc, 0.0, EPS);
	memset(&c, 0, sizeof(c));
	pr_eval_accumulate(&c, NULL, truth, 8, inv, 8, NULL, 0, 8, 8);
	m = pr_eval_metrics(&c);
	assert_float_equal(m.f, 0.0, EPS);
	assert_float_equal(m.pwc, 100.0, EPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_counts_and_metrics),
		cmocka_unit_test(test_rules_default),
		cmocka_unit_test(test_170_counted_without_cdnet_rule),
		cmocka_unit_test(test_threshold_and_band),
		cmocka_unit_test(test_strides_select_and_accumulation),
		cmocka_unit_test(test_zero_denominators),
		cmocka_unit_test(test_perfect_and_inverted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
