#include "colour_model.h"

#include <math.h>
#include <string.h>

#define KMEANS_ROUNDS 8
/* No cluster is trusted to be tighter than this (8-bit levels): noise and
 * JPEG rounding exist in every colour. */
#define MIN_SIGMA 3.0f

int pr_colour_model_fit(struct pr_colour_model *m, const uint8_t *rgb, size_t n, unsigned k)
{
	double sum[PR_COLOUR_MAX_K][4], sq[PR_COLOUR_MAX_K];
	memset(m, 0, sizeof(*m));
	if (n == 0)
		return -1;
	if (k > PR_COLOUR_MAX_K)
		k = PR_COLOUR_MAX_K;
	if (k > n)
		k = (unsigned)n;
	m->k = k;
	/* seeds: samples spread evenly after sorting by brightness would be
	 * better; evenly spaced samples are good enough and need no sort */
	for (unsigned c = 0; c < k; c++)
		for (int ch = 0; ch < 3; ch++)
			m->mean[c][ch] = rgb[(n * c / k) * 3 + ch];
	for (int round = 0; round <= KMEANS_ROUNDS; round++) {
		memset(sum, 0, sizeof(sum));
		memset(sq, 0, sizeof(sq));
		for (size_t i = 0; i < n; i++) {
			const uint8_t *px = rgb + 3 * i;
			unsigned best = 0;
			float bd = 1e30f;
			for (unsigned c = 0; c < k; c++) {
				float dr = px[0] - m->mean[c][0], dg = px[1] - m->mean[c][1],
				      db = px[2] - m->mean[c][2];
				float d = dr * dr + dg * dg + db * db;
				if (d < bd) {
					bd = d;
					best = c;
				}
			}
			sum[best][0] += px[0];
			sum[best][1] += px[1];
			sum[best][2] += px[2];
			sum[best][3] += 1;
			sq[best] += bd;
		}
		for (unsigned c = 0; c < k; c++) {
			double cnt = sum[c][3];
			if (round == KMEANS_ROUNDS) {
				/* last pass: variances and weights around the final means */
				double var = cnt > 0 ? sq[c] / (3.0 * cnt) : 0;
				if (var < MIN_SIGMA * MIN_SIGMA)
					var = MIN_SIGMA * MIN_SIGMA;
				double w = (cnt + 1.0) / ((double)n + k);
				m->inv_var[c] = (float)(1.0 / (2.0 * var));
				m->bias[c] = (float)(1.5 * log(var) - log(w));
			} else if (cnt > 0) {
				for (int ch = 0; ch < 3; ch++)
					m->mean[c][ch] = (float)(sum[c][ch] / cnt);
			}
		}
	}
	return 0;
}
