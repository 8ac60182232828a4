/* Method `graphcut`: the plate mask's outline refined by a minimum graph
 * cut (in the manner of GrabCut, Rother, Kolmogorov and Blake, 2004).
 *
 * Only a band around the outline is open to change: pixels deeper inside
 * are object, pixels further out are background, and they pin the band's
 * edges. Each band pixel pays a data cost for each label:
 *   - plate: as background, half its squared distance from the plate in
 *     noise units; as object, half the squared tolerance (so the two agree
 *     exactly at the tolerance, as the plain method decides);
 *   - colour: the negative log-likelihood under a K-means colour model of
 *     the object (sampled inside) and of the background (sampled outside);
 * and neighbours with similar colours pay to be split (contrast-sensitive
 * Potts term), so the outline follows real edges and ignores lone noisy
 * pixels, which a per-pixel decision cannot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "colour_model.h"
#include "mask_internal.h"
#include "maxflow.h"

#define GC_SAMPLES 20000
#define GC_CLUSTERS 5
#define GC_PLATE_CAP 400.0f   /* largest plate cost: one wrong plate pixel is not infinite evidence */
#define GC_SMOOTH 8.0f        /* weight of the pairwise term against the data terms */
#define GC_NO_NODE UINT32_MAX

int mask_colour_sample(struct pr_colour_model *m, const struct pr_image *shot,
		       const uint8_t *select, size_t npix)
{
	size_t count = 0;
	for (size_t i = 0; i < npix; i++)
		count += select[i] != 0;
	if (count == 0)
		return -1;
	size_t step = count / GC_SAMPLES + 1, n = 0, seen = 0;
	uint8_t *buf = malloc(3 * (count / step + 1));
	if (!buf)
		return -1;
	const uint32_t w = shot->width;
	for (size_t i = 0; i < npix; i++) {
		if (!select[i] || seen++ % step)
			continue;
		memcpy(buf + 3 * n++, pr_image_row(shot, (uint32_t)(i / w)) + 3 * (i % w), 3);
	}
	int rc = pr_colour_model_fit(m, buf, n, GC_CLUSTERS);
	free(buf);
	return rc;
}

static float plate_distance2(const struct pr_plate *pl, const struct plate_model_fit *fit,
			     const uint8_t *s, size_t i)
{
	float d2 = 0, var = 0;
	for (int c = 0; c < 3; c++) {
		float p = clamp255(fit->gain[c] * pl->mean[3 * i + c] + fit->offset[c]);
		d2 += sq(s[c] - p);
		var += sq(pr_plate_sigma(pl, i, c));
	}
	return d2 / (var * fit->var_scale); /* per channel, in noise units squared, x3 / 3 */
}

static float colour_diff2(const uint8_t *a, const uint8_t *b)
{
	return sq((float)a[0] - b[0]) + sq((float)a[1] - b[1]) + sq((float)a[2] - b[2]);
}

int mask_cut_region(const struct pr_mask_params *p, const struct pr_plate *plate,
		    const struct plate_model_fit *fit, const struct pr_image *shot,
		    const struct pr_colour_model *fg, const struct pr_colour_model *bg,
		    const uint8_t *inner, const uint8_t *outer, uint8_t *mask)
{
	const uint32_t W = shot->width, H = shot->height;
	const size_t npix = (size_t)W * H;
	int rc = PR_ENOMEM;
	uint32_t *id = malloc(sizeof(uint32_t) * npix);
	struct pr_maxflow *g = NULL;
	if (!id)
		goto out;
	uint32_t nodes = 0;
	double mean_diff = 0;
	uint64_t ndiff = 0;
	for (size_t i = 0; i < npix; i++) {
		int open = !inner[i] && !outer[i];
		id[i] = open ? nodes++ : GC_NO_NODE;
		if (open && i % W + 1 < W) {
			const uint8_t *s = pr_image_row(shot, (uint32_t)(i / W)) + 3 * (i % W);
			mean_diff += colour_diff2(s, s + 3);
			ndiff++;
		}
	}
	rc = 0;
	if (nodes == 0)
		goto out;
	rc = PR_ENOMEM;
	g = pr_maxflow_new(nodes, 2 * nodes);
	if (!g)
		goto out;
	const float beta = ndiff ? (float)(0.5 / (mean_diff / ndiff + 1e-3)) : 0.0f;
	const float tol2 = sq((float)p->tolerance);
	for (uint32_t y = 0; y < H; y++) {
		const uint8_t *row = pr_image_row(shot, y);
		for (uint32_t x = 0; x < W; x++) {
			size_t i = (size_t)y * W + x;
			if (id[i] == GC_NO_NODE)
				continue;
			const uint8_t *s = row + 3 * x;
			float cost_bg = pr_colour_model_cost(bg, s);
			float cost_fg = pr_colour_model_cost(fg, s);
			if (plate) {
				float d2 = plate_distance2(plate, fit, s, i);
				cost_bg += 0.5f * (d2 < GC_PLATE_CAP ? d2 : GC_PLATE_CAP);
				cost_fg += 0.5f * tol2;
			}
			/* source = object: the source capacity is paid when the pixel
			 * ends up background, the sink capacity when it ends up object */
			float to_src = cost_bg, to_snk = cost_fg;
			/* right and down neighbours; pinned neighbours add to a terminal */
			for (int k = 0; k < 2; k++) {
				uint32_t nx = x + (k == 0), ny = y + (k == 1);
				if (nx >= W || ny >= H)
					continue;
				size_t j = (size_t)ny * W + nx;
				const uint8_t *t = pr_image_row(shot, ny) + 3 * nx;
				float wgt = GC_SMOOTH * expf(-beta * colour_diff2(s, t));
				if (id[j] != GC_NO_NODE)
					pr_maxflow_add_edge(g, id[i], id[j], wgt, wgt);
				else if (inner[j])
					to_src += wgt;
				else
					to_snk += wgt;
			}
			/* left and up neighbours that are pinned */
			for (int k = 0; k < 2; k++) {
				if ((k == 0 && x == 0) || (k == 1 && y == 0))
					continue;
				size_t j = k == 0 ? i - 1 : i - W;
				if (id[j] != GC_NO_NODE)
					continue;
				const uint8_t *t = k == 0 ? s - 3 : pr_image_row(shot, y - 1) + 3 * x;
				float wgt = GC_SMOOTH * expf(-beta * colour_diff2(s, t));
				if (inner[j])
					to_src += wgt;
				else
					to_snk += wgt;
			}
			pr_maxflow_add_tweights(g, id[i], to_src, to_snk);
		}
	}
	pr_maxflow_run(g);
	for (size_t i = 0; i < npix; i++) {
		if (id[i] != GC_NO_NODE)
			mask[i] = pr_maxflow_source_side(g, id[i]) ? 255 : 0;
		else
			mask[i] = inner[i] ? 255 : 0;
	}
	rc = 0;
out:
	pr_maxflow_free(g);
	free(id);
	return rc;
}

int mask_graphcut(const struct pr_mask_params *p, const struct pr_plate *plate,
		  const struct pr_image *shot, const struct plate_model_fit *fit, uint8_t *mask)
{
	const uint32_t W = shot->width, H = shot->height;
	const size_t npix = (size_t)W * H;
	uint32_t side = W < H ? W : H;
	uint32_t rb = side / 150 < 3 ? 3 : side / 150;
	int rc = PR_ENOMEM;
	uint8_t *inner = malloc(npix), *outer = malloc(npix);
	struct pr_colour_model fg, bg;
	if (!inner || !outer)
		goto out;
	memcpy(inner, mask, npix);
	memcpy(outer, mask, npix);
	if (mask_erode(inner, W, H, rb, p->threads) || mask_dilate(outer, W, H, rb, p->threads))
		goto out;
	for (size_t i = 0; i < npix; i++)
		outer[i] = (uint8_t)~outer[i]; /* outer: certainly background */
	rc = 0;
	if (mask_colour_sample(&fg, shot, inner, npix) || mask_colour_sample(&bg, shot, outer, npix))
		goto out; /* no interior or no exterior: nothing to refine against */
	rc = mask_cut_region(p, plate, fit, shot, &fg, &bg, inner, outer, mask);
out:
	free(inner);
	free(outer);
	return rc;
}
