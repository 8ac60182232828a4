/* photorig core: CDnet 2014 scoring of a mask against a truth mask.
 *
 * Counting is split from the metrics so a folder of images, or a scene's
 * labelled subsets (edges, shadows, thin parts), can be summed over all
 * their pixels before any ratio is taken, as CDnet does per category. */
#include "eval.h"

void pr_eval_rules_default(struct pr_eval_truth_rules *r)
{
	r->cdnet_unknown = 1;
	r->band_lo = 1;
	r->band_hi = 0;
}

void pr_eval_accumulate(struct pr_eval_counts *c, const struct pr_eval_truth_rules *rules,
			const uint8_t *truth, size_t truth_stride, const uint8_t *mask,
			size_t mask_stride, const uint8_t *select, size_t select_stride,
			uint32_t width, uint32_t height)
{
	struct pr_eval_truth_rules def;
	if (!rules) {
		pr_eval_rules_default(&def);
		rules = &def;
	}
	/* a 256-entry class table turns the rules into one load per pixel:
	 * 0 background, 1 foreground, 2 unknown */
	uint8_t cls[256];
	for (int v = 0; v < 256; v++) {
		int unknown = (rules->cdnet_unknown && v == 170) ||
			      (rules->band_lo <= rules->band_hi && v >= rules->band_lo &&
			       v <= rules->band_hi);
		cls[v] = unknown ? 2 : v >= 128 ? 1 : 0;
	}
	/* n[class][mask >= 128] */
	uint64_t n[3][2] = { { 0, 0 }, { 0, 0 }, { 0, 0 } };
	for (uint32_t y = 0; y < height; y++) {
		const uint8_t *restrict t = truth + (size_t)y * truth_stride;
		const uint8_t *restrict m = mask + (size_t)y * mask_stride;
		if (select) {
			const uint8_t *restrict s = select + (size_t)y * select_stride;
			for (uint32_t x = 0; x < width; x++)
				if (s[x])
					n[cls[t[x]]][m[x] >= 128]++;
		} else {
			for (uint32_t x = 0; x < width; x++)
				n[cls[t[x]]][m[x] >= 128]++;
		}
	}
	c->tn += n[0][0];
	c->fp += n[0][1];
	c->fn += n[1][0];
	c->tp += n[1][1];
	c->unknown += n[2][0] + n[2][1];
}

/* num / den, or `empty` when there is nothing to divide by */
static double ratio(uint64_t num, uint64_t den, double empty)
{
	return den ? (double)num / (double)den : empty;
}

struct pr_eval_metrics pr_eval_metrics(const struct pr_eval_counts *c)
{
	struct pr_eval_metrics m;
	/* With no truth positives nothing was to be found, so recall (and
	 * FNR's complement) is perfect; with no predicted positives nothing
	 * was claimed wrongly, so precision is perfect. IoU with neither is a
	 * perfect match of two empty masks. Specificity with no negatives is
	 * likewise 1. Every other empty ratio is 0. */
	m.precision = ratio(c->tp, c->tp + c->fp, 1.0);
	m.recall = ratio(c->tp, c->tp + c->fn, 1.0);
	m.f = (m.precision + m.recall) > 0.0
		      ? 2.0 * m.precision * m.recall / (m.precision + m.recall)
		      : 0.0;
	m.iou = ratio(c->tp, c->tp + c->fp + c->fn, 1.0);
	m.pwc = 100.0 * ratio(c->fn + c->fp, c->tp + c->fn + c->fp + c->tn, 0.0);
	m.specificity = ratio(c->tn, c->tn + c->fp, 1.0);
	m.fpr = ratio(c->fp, c->fp + c->tn, 0.0);
	m.fnr = ratio(c->fn, c->tp + c->fn, 0.0);
	return m;
}
