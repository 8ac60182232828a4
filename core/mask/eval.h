/* photorig core: scoring a mask against a truth mask, as the CDnet 2014
 * change-detection benchmark does (precision, recall, F-measure, IoU, PWC). */
#ifndef PHOTORIG_EVAL_H
#define PHOTORIG_EVAL_H

#include <stddef.h>
#include <stdint.h>

struct pr_eval_counts {
	uint64_t tp, fp, tn, fn;
	uint64_t unknown; /* truth pixels not counted */
};

struct pr_eval_metrics {
	double precision, recall, f, iou, pwc;
	double specificity, fpr, fnr;
};

/* How truth pixel values are read. A truth value v is:
 *   unknown     if v == 170 (CDnet's "unknown" label) and cdnet_unknown, or lo <= v <= hi
 *               (when lo <= hi),
 *   foreground  if v >= 128,
 *   background  otherwise.
 * A mask pixel is foreground when >= 128. */
struct pr_eval_truth_rules {
	int cdnet_unknown;     /* default 1 */
	int band_lo, band_hi;  /* default 1, 0 (no band) */
};
void pr_eval_rules_default(struct pr_eval_truth_rules *r);

/* Add the pixels of one mask/truth pair (8-bit planes, same size) to c.
 * select, if not NULL, limits counting to pixels where select[i] != 0. */
void pr_eval_accumulate(struct pr_eval_counts *c, const struct pr_eval_truth_rules *rules,
			const uint8_t *truth, size_t truth_stride, const uint8_t *mask,
			size_t mask_stride, const uint8_t *select, size_t select_stride,
			uint32_t width, uint32_t height);

/* Metrics from counts (unknown pixels play no part):
 *   precision = TP/(TP+FP)    recall = TP/(TP+FN)    F = 2PR/(P+R)
 *   IoU = TP/(TP+FP+FN)       PWC = 100 (FN+FP)/(TP+FN+FP+TN)
 *   specificity = TN/(TN+FP)  FPR = FP/(FP+TN)       FNR = FN/(TP+FN)
 * A ratio with a zero denominator is 0, or 1 where nothing was to be found:
 * precision with no predictions, recall with no positives, IoU with
 * neither, specificity with no negatives. F is 0 when P+R is 0. */
struct pr_eval_metrics pr_eval_metrics(const struct pr_eval_counts *c);

#endif
