/* pr_mask_compute: the masking pipeline, stage by stage.
 *
 *   classify (plate difference or chroma key) -> strong / weak / background
 *   hysteresis + small-object removal (connected components)
 *   opening, closing (optional radii)
 *   hole filling
 *   soft alpha (guided filter), then boundary matting against the plate
 *   manual regions: include, then exclude (exclude wins)
 *   invert, last, so regions always mean "object" / "background"
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "mask_internal.h"

void pr_mask_params_default(struct pr_mask_params *p)
{
	memset(p, 0, sizeof(*p));
	p->method = PR_MASK_PLATE;
	p->tolerance = PR_MASK_DEFAULT_TOLERANCE;
	p->key_rgb[0] = 0x00; /* chroma-key green */
	p->key_rgb[1] = 0xb1;
	p->key_rgb[2] = 0x40;
	p->drift = 1;
	p->shadow = 1;
	p->shadow_min = 0.1;
	p->hysteresis = 0.5;
	p->edge_shift = 0.3;
	p->feather = 1;
	p->matte = 1;
}

double pr_mask_default_tolerance(enum pr_mask_method m)
{
	return m == PR_MASK_CHROMA ? PR_MASK_DEFAULT_CHROMA_TOLERANCE : PR_MASK_DEFAULT_TOLERANCE;
}

int pr_mask_method_parse(const char *name, enum pr_mask_method *out)
{
	if (!strcmp(name, "plate"))
		*out = PR_MASK_PLATE;
	else if (!strcmp(name, "chroma"))
		*out = PR_MASK_CHROMA;
	else if (!strcmp(name, "graphcut"))
		*out = PR_MASK_GRAPHCUT;
	else if (!strcmp(name, "auto"))
		*out = PR_MASK_AUTO;
	else
		return PR_EINVAL;
	return 0;
}

const char *pr_mask_method_name(enum pr_mask_method m)
{
	switch (m) {
	case PR_MASK_PLATE: return "plate";
	case PR_MASK_CHROMA: return "chroma";
	case PR_MASK_GRAPHCUT: return "graphcut";
	case PR_MASK_AUTO: return "auto";
	}
	return "?";
}

void pr_mask_result_free(struct pr_mask_result *r)
{
	if (!r)
		return;
	free(r->mask);
	free(r->alpha);
	memset(r, 0, sizeof(*r));
}

static void apply_regions(const struct pr_mask_params *p, uint8_t *plane, uint32_t w, uint32_t h)
{
	for (uint32_t i = 0; i < p->nregions; i++)
		if (!p->regions[i].exclude)
			pr_region_fill(&p->regions[i], plane, w, h, w, 255);
	for (uint32_t i = 0; i < p->nregions; i++)
		if (p->regions[i].exclude)
			pr_region_fill(&p->regions[i], plane, w, h, w, 0);
}

static void mask_summary(const uint8_t *mask, uint32_t w, uint32_t h, struct pr_mask_stats *st)
{
	uint64_t kept = 0;
	int border = 0;
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *row = mask + (size_t)y * w;
		uint32_t n = 0;
		for (uint32_t x = 0; x < w; x++)
			n += row[x] >> 7;
		kept += n;
		if (row[0] || row[w - 1] || ((y == 0 || y + 1 == h) && n))
			border = 1;
	}
	st->foreground = (double)kept / ((double)w * h);
	st->touches_border = border;
}

static void invert(uint8_t *plane, size_t n)
{
	for (size_t i = 0; i < n; i++)
		plane[i] = (uint8_t)(255 - plane[i]);
}

static int check_params(const struct pr_mask_params *p, const struct pr_plate *plate,
			const struct pr_image *shot, const char *name, struct pr_error *err)
{
	if (!(p->tolerance > 0))
		return pr_error_set(err, PR_EINVAL, "tolerance must be positive");
	if (!(p->hysteresis > 0 && p->hysteresis <= 1))
		return pr_error_set(err, PR_EINVAL, "hysteresis must be in (0, 1]");
	if (p->method == PR_MASK_PLATE || p->method == PR_MASK_GRAPHCUT) {
		if (!plate)
			return pr_error_set(err, PR_EINVAL, "%s: method '%s' needs a plate", name,
					    pr_mask_method_name(p->method));
		if (plate->width != shot->width || plate->height != shot->height)
			return pr_error_set(err, PR_ESIZE,
					    "%s: shot is %ux%u but its plate is %ux%u (another camera, "
					    "resolution or orientation?)",
					    name, shot->width, shot->height, plate->width, plate->height);
	}
	return 0;
}

/* An object must hold a strong pixel whose whole (2r+1)^2 neighbourhood is
 * strong: the flecks that fine texture leaves along leaf edges are a pixel
 * or two wide and have none, an object of any size has. r grows with the
 * frame (1 up to about 3 MP, 2 at 24 MP), as the flecks do. */
static uint32_t core_radius(uint32_t w, uint32_t h)
{
	uint32_t side = w < h ? w : h;
	return side < 3000 ? 1 : side / 2000;
}

int pr_mask_compute(const struct pr_mask_params *p, const struct pr_plate *plate,
		    const struct pr_image *shot, struct pr_mask_result *out,
		    struct pr_error *err)
{
	return pr_mask_compute_named(p, plate, shot, "shot", out, err);
}

int pr_mask_compute_named(const struct pr_mask_params *p, const struct pr_plate *plate,
			  const struct pr_image *shot, const char *name,
			  struct pr_mask_result *out, struct pr_error *err)
{
	uint8_t *strong = NULL; /* strong evidence, for matting */
	uint8_t *core = NULL;   /* strong evidence with strong pixels all round */
	struct pr_image rgb = { 0 };
	const struct pr_image *src = shot;
	struct pr_mask_timing *tm = &out->timing;
	double t0 = pr_monotonic_s(), t;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check_params(p, plate, shot, name, err);
	if (rc)
		return rc;
	if (shot->channels != 3 || shot->depth != 8) {
		rc = pr_image_to_rgb8(shot, &rgb, err);
		if (rc)
			return rc;
		src = &rgb;
	}
	const uint32_t w = shot->width, h = shot->height;
	const size_t npix = (size_t)w * h;
	out->width = w;
	out->height = h;
	out->mask = malloc(npix);
	out->alpha = malloc(npix);
	if (!out->mask || !out->alpha) {
		rc = pr_error_set(err, PR_ENOMEM, "%s: out of memory for a %ux%u mask", name, w, h);
		goto fail;
	}
	for (int c = 0; c < 3; c++)
		out->stats.gain[c] = 1.0;

	struct plate_model_fit fit;
	const int uses_plate = p->method == PR_MASK_PLATE || p->method == PR_MASK_GRAPHCUT;
	if (uses_plate) {
		fit.var_scale = 1.0f + 1.0f / (float)plate->frames;
		t = pr_monotonic_s();
		mask_fit_drift(p, plate, src, &fit, &out->stats);
		tm->fit = pr_monotonic_s() - t;
		t = pr_monotonic_s();
		mask_classify_plate(p, plate, src, &fit, out->mask);
	} else if (p->method == PR_MASK_AUTO) {
		t = pr_monotonic_s();
		rc = mask_auto(p, src, out->mask);
		if (rc) {
			pr_error_set(err, rc, "%s: automatic masking failed: %s", name, pr_strerror(rc));
			goto fail;
		}
		/* its object pixels are strong evidence for the clean-up stages */
		for (size_t i = 0; i < npix; i++)
			out->mask[i] = out->mask[i] ? CLASS_STRONG : CLASS_BACKGROUND;
	} else {
		t = pr_monotonic_s();
		mask_classify_chroma(p, src, out->mask);
	}
	tm->classify = pr_monotonic_s() - t;
	t = pr_monotonic_s();

	uint32_t min_area = p->min_area ? p->min_area : (uint32_t)(npix / 20000 + 4);
	/* Holes are filled only when tiny: a gap between leaves or a handle is
	 * real background, and the outline matting has already decided the
	 * pixels it could see. */
	uint32_t hole_area = p->hole_area ? p->hole_area : min_area;
	rc = uses_plate && p->shadow ? mask_resolve_shadows(out->mask, w, h) : 0;
	if (!rc && uses_plate) {
		/* matting takes object colours only where the evidence was
		 * strong, and an object must have a core of it */
		strong = malloc(npix);
		core = malloc(npix);
		if (!strong || !core)
			rc = PR_ENOMEM;
		for (size_t i = 0; !rc && i < npix; i++)
			strong[i] = out->mask[i] == CLASS_STRONG ? 255 : 0;
		if (!rc)
			rc = mask_morph_into(strong, core, w, h, core_radius(w, h), 0, p->threads);
	}
	if (!rc)
		rc = mask_hysteresis(out->mask, core, w, h, min_area, p->keep_largest);
	if (!rc && p->open_radius) {
		rc = mask_erode(out->mask, w, h, p->open_radius, p->threads);
		if (!rc)
			rc = mask_dilate(out->mask, w, h, p->open_radius, p->threads);
	}
	if (!rc && p->close_radius) {
		rc = mask_dilate(out->mask, w, h, p->close_radius, p->threads);
		if (!rc)
			rc = mask_erode(out->mask, w, h, p->close_radius, p->threads);
	}
	if (!rc)
		rc = mask_fill_holes(out->mask, w, h, hole_area);
	tm->cleanup = pr_monotonic_s() - t;
	t = pr_monotonic_s();
	if (!rc) {
		if (p->feather)
			rc = mask_feather(p, src, out->mask, out->alpha);
		else
			memcpy(out->alpha, out->mask, npix);
	}
	tm->alpha = pr_monotonic_s() - t;
	t = pr_monotonic_s();
	if (!rc && p->matte && uses_plate) {
		/* core's pages are written already: the matte's scratch, not a
		 * fresh 24 MB to fault in at 24 MP */
		rc = mask_matte(p, plate, src, &fit, strong, core, out->mask, out->alpha);
		if (!rc && !p->feather)
			memcpy(out->alpha, out->mask, npix);
	}
	if (!rc && p->method == PR_MASK_GRAPHCUT) {
		/* the cut decides the outline; the alpha follows it again */
		rc = mask_graphcut(p, plate, src, &fit, out->mask);
		if (!rc && p->feather)
			rc = mask_feather(p, src, out->mask, out->alpha);
		else if (!rc)
			memcpy(out->alpha, out->mask, npix);
	}
	tm->matte = pr_monotonic_s() - t;
	if (rc) {
		pr_error_set(err, rc, "%s: out of memory cleaning up the mask", name);
		goto fail;
	}
	apply_regions(p, out->mask, w, h);
	apply_regions(p, out->alpha, w, h);
	mask_summary(out->mask, w, h, &out->stats);

	if (p->invert) {
		invert(out->mask, npix);
		invert(out->alpha, npix);
	}
	pr_image_free(&rgb);
	free(strong);
	free(core);
	tm->total = pr_monotonic_s() - t0;
	return 0;
fail:
	pr_image_free(&rgb);
	free(strong);
	free(core);
	pr_mask_result_free(out);
	return rc;
}
