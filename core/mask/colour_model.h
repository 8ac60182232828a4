/* photorig core: a colour model of a set of pixels, made by K-means
 * clustering in RGB: K clusters, each a mean, an isotropic variance and a
 * weight. It stands in for a Gaussian mixture where a cost per pixel is
 * wanted (the graph-cut data terms): the cost of a colour is the negative
 * log-likelihood of its best cluster. */
#ifndef PHOTORIG_COLOUR_MODEL_H
#define PHOTORIG_COLOUR_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define PR_COLOUR_MAX_K 8

struct pr_colour_model {
	unsigned k;
	float mean[PR_COLOUR_MAX_K][3];
	float inv_var[PR_COLOUR_MAX_K];   /* 1 / (2 sigma^2) */
	float bias[PR_COLOUR_MAX_K];      /* 1.5 log(sigma^2) - log(weight) */
};

/* Fit k clusters to n RGB samples (3 bytes each). Deterministic: seeds are
 * spread over the samples in order. Returns 0, or -1 with no samples. */
int pr_colour_model_fit(struct pr_colour_model *m, const uint8_t *rgb, size_t n, unsigned k);

/* Negative log-likelihood (up to a constant) of one colour. */
static inline float pr_colour_model_cost(const struct pr_colour_model *m, const uint8_t *px)
{
	float best = 1e30f;
	for (unsigned c = 0; c < m->k; c++) {
		float dr = px[0] - m->mean[c][0], dg = px[1] - m->mean[c][1], db = px[2] - m->mean[c][2];
		float cost = (dr * dr + dg * dg + db * db) * m->inv_var[c] + m->bias[c];
		best = cost < best ? cost : best;
	}
	return best;
}

#endif
