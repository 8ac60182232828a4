/* Exposure and white-balance drift between a plate and a shot, and the
 * plate-health figures that come out of the same sample.
 *
 * A camera whose exposure or white balance moved since the plate still sees
 * the same background, scaled per channel: shot = gain * plate + offset. The
 * fit is made on pixels that are confidently background: first a robust
 * median ratio over a grid sample, then a few rounds of least squares over
 * the samples that the current fit explains within a few noise units (the
 * object, whatever its size, is never what the fit is made of as long as
 * most of the frame is background). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mask_internal.h"
#include "select.h"

#define DRIFT_SAMPLES 131072
#define DRIFT_ROUNDS 4
/* Relative slack when selecting background samples: the fit is not yet
 * exact in early rounds. */
#define DRIFT_REL_SLACK 0.06f
/* Below this spread of plate values an offset cannot be told from a gain. */
#define DRIFT_MIN_SPREAD 20.0
/* Health thresholds (noise units / ratios) */
#define STALE_RESIDUAL 2.5
#define MOVED_EDGE_AGREEMENT 0.5
#define EDGE_GRADIENT 24

struct sample {
	float m[3], s[3];
	float var;
	float grad;          /* plate gradient magnitude (green, L1) */
	float pgx, pgy;      /* plate gradient (green) */
	float sgx, sgy;      /* shot gradient (green) */
};

static float sample_residual2(const struct sample *sm, const struct plate_model_fit *f)
{
	float d = 0;
	for (int c = 0; c < 3; c++)
		d += sq(sm->s[c] - clamp255(f->gain[c] * sm->m[c] + f->offset[c]));
	return d;
}

static size_t take_samples(const struct pr_plate *pl, const struct pr_image *shot,
			   const struct plate_model_fit *fit, struct sample *out)
{
	const uint32_t w = pl->width, h = pl->height;
	uint64_t npix = (uint64_t)w * h;
	uint32_t step = (uint32_t)sqrt((double)npix / DRIFT_SAMPLES);
	if (step < 1)
		step = 1;
	size_t n = 0;
	for (uint32_t y = step / 2; y < h && n < DRIFT_SAMPLES; y += step) {
		const uint8_t *s = pr_image_row(shot, y);
		const uint8_t *sup = pr_image_row(shot, y ? y - 1 : y);
		const uint8_t *sdn = pr_image_row(shot, y + 1 < h ? y + 1 : y);
		const uint8_t *m = pl->mean + (size_t)y * w * 3;
		const uint8_t *up = pl->mean + (size_t)(y ? y - 1 : y) * w * 3;
		const uint8_t *dn = pl->mean + (size_t)(y + 1 < h ? y + 1 : y) * w * 3;
		for (uint32_t x = step / 2; x < w && n < DRIFT_SAMPLES; x += step) {
			struct sample *sm = &out[n++];
			for (int c = 0; c < 3; c++) {
				sm->m[c] = m[3 * x + c];
				sm->s[c] = s[3 * x + c];
			}
			size_t i = (size_t)y * w + x;
			float sig2 = 0;
			for (int c = 0; c < 3; c++)
				sig2 += sq(pr_plate_sigma(pl, i, c));
			sm->var = fit->var_scale * sig2 / 3.0f;
			uint32_t l = x ? x - 1 : x, r = x + 1 < w ? x + 1 : x;
			sm->pgx = (float)(m[3 * r + 1] - m[3 * l + 1]);
			sm->pgy = (float)(dn[3 * x + 1] - up[3 * x + 1]);
			sm->sgx = (float)(s[3 * r + 1] - s[3 * l + 1]);
			sm->sgy = (float)(sdn[3 * x + 1] - sup[3 * x + 1]);
			sm->grad = 0.5f * (fabsf(sm->pgx) + fabsf(sm->pgy));
		}
	}
	return n;
}

/* Robust start: per channel, the median of shot/plate over well-exposed samples. */
static void initial_gain(const struct sample *sm, size_t n, struct plate_model_fit *fit)
{
	float *ratio = malloc(sizeof(float) * (n ? n : 1));
	for (int c = 0; c < 3; c++) {
		size_t k = 0;
		fit->gain[c] = 1.0f;
		fit->offset[c] = 0.0f;
		if (!ratio)
			continue;
		for (size_t i = 0; i < n; i++)
			if (sm[i].m[c] >= 16 && sm[i].m[c] <= 240 && sm[i].s[c] < 250)
				ratio[k++] = sm[i].s[c] / sm[i].m[c];
		if (k >= 32)
			fit->gain[c] = pr_select_float(ratio, k, k / 2);
	}
	free(ratio);
}

/* Least squares of s = g*m + o over the samples the fit explains. */
static void refine(const struct sample *sm, size_t n, struct plate_model_fit *fit)
{
	double S[3][5];
	memset(S, 0, sizeof(S)); /* n, sum m, sum m^2, sum s, sum s*m */
	for (size_t i = 0; i < n; i++) {
		float pp = 0;
		for (int c = 0; c < 3; c++)
			pp += sq(clamp255(fit->gain[c] * sm[i].m[c] + fit->offset[c]));
		float lim = 9.0f * 3.0f * sm[i].var + sq(DRIFT_REL_SLACK) * pp;
		if (sample_residual2(&sm[i], fit) > lim)
			continue;
		for (int c = 0; c < 3; c++) {
			if (sm[i].s[c] >= 254 || sm[i].s[c] <= 1)
				continue; /* clipped: says nothing about the gain */
			double m = sm[i].m[c], s = sm[i].s[c];
			S[c][0] += 1;
			S[c][1] += m;
			S[c][2] += m * m;
			S[c][3] += s;
			S[c][4] += s * m;
		}
	}
	for (int c = 0; c < 3; c++) {
		double nn = S[c][0];
		if (nn < 32)
			continue;
		double mean_m = S[c][1] / nn, var_m = S[c][2] / nn - mean_m * mean_m;
		if (var_m > DRIFT_MIN_SPREAD * DRIFT_MIN_SPREAD) {
			double g = (S[c][4] - S[c][1] * S[c][3] / nn) / (S[c][2] - S[c][1] * S[c][1] / nn);
			fit->gain[c] = (float)g;
			fit->offset[c] = (float)((S[c][3] - g * S[c][1]) / nn);
		} else if (S[c][2] > 0) {
			fit->gain[c] = (float)(S[c][4] / S[c][2]);
			fit->offset[c] = 0;
		}
	}
}

static void health(const struct pr_mask_params *p, const struct sample *sm, size_t n,
		   const struct plate_model_fit *fit, struct pr_mask_stats *st)
{
	float *d = malloc(sizeof(float) * (n ? n : 1));
	size_t edges = 0, edges_ok = 0, all_ok = 0;
	const float tol2 = (float)sq((float)p->tolerance);
	st->drift_residual = 0;
	st->edge_agreement = 1;
	if (!d)
		return;
	for (size_t i = 0; i < n; i++) {
		float r2 = sample_residual2(&sm[i], fit) / (3.0f * sm[i].var);
		d[i] = sqrtf(r2);
		all_ok += r2 <= tol2;
		if (sm[i].grad >= EDGE_GRADIENT) {
			/* the shot still has this edge, here, in this direction: its
			 * gradient projects onto the plate's by at least half */
			float pg2 = sq(sm[i].pgx) + sq(sm[i].pgy);
			float dot = sm[i].sgx * sm[i].pgx + sm[i].sgy * sm[i].pgy;
			edges++;
			edges_ok += dot >= 0.5f * fit->gain[1] * pg2;
		}
	}
	/* the 30th percentile is background even when the object fills 2/3 */
	st->drift_residual = n ? pr_select_float(d, n, n * 3 / 10) : 0;
	/* edges the object covers are lost in proportion to the pixels it
	 * covers, so the share of kept edges is compared with the share of
	 * pixels that look like background */
	if (edges >= 64 && all_ok > 0)
		st->edge_agreement = ((double)edges_ok / edges) / ((double)all_ok / n);
	if (st->edge_agreement > 1)
		st->edge_agreement = 1;
	st->stale_plate = st->drift_residual > STALE_RESIDUAL;
	st->camera_moved = edges >= 64 && st->edge_agreement < MOVED_EDGE_AGREEMENT;
	free(d);
}

void mask_fit_drift(const struct pr_mask_params *p, const struct pr_plate *plate,
		    const struct pr_image *shot, struct plate_model_fit *fit,
		    struct pr_mask_stats *stats)
{
	struct sample *sm = malloc(sizeof(*sm) * DRIFT_SAMPLES);
	size_t n = 0;
	for (int c = 0; c < 3; c++) {
		fit->gain[c] = 1.0f;
		fit->offset[c] = 0.0f;
	}
	if (sm) {
		n = take_samples(plate, shot, fit, sm);
		if (p->drift) {
			initial_gain(sm, n, fit);
			for (int r = 0; r < DRIFT_ROUNDS; r++)
				refine(sm, n, fit);
		}
		health(p, sm, n, fit, stats);
	}
	for (int c = 0; c < 3; c++) {
		stats->gain[c] = fit->gain[c];
		stats->offset[c] = fit->offset[c];
	}
	free(sm);
}
