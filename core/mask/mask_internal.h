/* photorig core: the stages of pr_mask_compute, shared between its files.
 * Not part of the public interface. */
#ifndef PHOTORIG_MASK_INTERNAL_H
#define PHOTORIG_MASK_INTERNAL_H

#include <string.h>

#include "mask.h"

/* Per-pixel classes written by the classify stages, before clean-up. */
enum { CLASS_BACKGROUND = 0, CLASS_WEAK = 1, CLASS_STRONG = 2, CLASS_SHADOW = 3 };

/* How the plate predicts a background pixel of this shot. */
struct plate_model_fit {
	float gain[3], offset[3];
	float var_scale;   /* shot noise + plate-mean noise: sigma^2 * (1 + 1/frames) */
};

/* mask_drift.c: fit exposure/white-balance drift on confident background and
 * fill the health statistics. */
void mask_fit_drift(const struct pr_mask_params *p, const struct pr_plate *plate,
		    const struct pr_image *shot, struct plate_model_fit *fit,
		    struct pr_mask_stats *stats);

/* mask_plate.c: per-pixel classes from the plate difference. */
void mask_classify_plate(const struct pr_mask_params *p, const struct pr_plate *plate,
			 const struct pr_image *shot, const struct plate_model_fit *fit,
			 uint8_t *classes);

/* mask_shadow.c: which changed pixels of a row (classes, from
 * mask_plate.c) are a cast shadow: those that keep the plate's texture
 * become background, those on flat background CLASS_SHADOW (decided by
 * region in mask_resolve_shadows). var is the row's background variance
 * per channel. One tester per thread: it caches rows around the last. */
struct shadow_tester;
struct shadow_tester *mask_shadow_tester_new(const struct pr_mask_params *p,
					     const struct pr_plate *plate,
					     const struct pr_image *shot,
					     const struct plate_model_fit *fit);
void mask_shadow_tester_free(struct shadow_tester *t);
void mask_shadow_row(struct shadow_tester *t, uint32_t y, const float *var, uint8_t *classes);

/* mask_chroma.c: per-pixel classes from the key colour. */
void mask_classify_chroma(const struct pr_mask_params *p, const struct pr_image *shot,
			  uint8_t *classes);

/* mask_components.c (run-length connected components):
 * keep weak+strong components that hold a core pixel (core non-zero; NULL:
 * any strong pixel) and are at least min_area, optionally only the
 * keep_largest biggest; writes 0/255. */
int mask_hysteresis(uint8_t *classes, const uint8_t *core, uint32_t width, uint32_t height,
		    uint32_t min_area, uint32_t keep_largest);
/* Decide each connected region of CLASS_SHADOW candidates: a region that
 * borders lit background over at least a quarter of its outline is shadow
 * (background); one walled in by the object is part of it (weak evidence).
 * (Stems and wires never become candidates: mask_plate.c's shading test.) */
int mask_resolve_shadows(uint8_t *classes, uint32_t width, uint32_t height);
/* fill background components that do not touch the border and are smaller
 * than max_area */
int mask_fill_holes(uint8_t *mask, uint32_t width, uint32_t height, uint32_t max_area);

/* mask_morph.c: binary dilate / erode with a square of side 2r+1. */
int mask_dilate(uint8_t *mask, uint32_t width, uint32_t height, uint32_t r, int threads);
int mask_erode(uint8_t *mask, uint32_t width, uint32_t height, uint32_t r, int threads);
/* The same from in to a separate out (no copy of the input is made). */
int mask_morph_into(const uint8_t *in, uint8_t *out, uint32_t width, uint32_t height, uint32_t r,
		    int dilate, int threads);

/* mask_matte.c: refine the outline of a plate mask by solving the
 * compositing equation against the plate; writes mask and alpha in a band
 * around the outline (alpha elsewhere is left as it is). scratch, if not
 * NULL, is width*height bytes it may overwrite. */
int mask_matte(const struct pr_mask_params *p, const struct pr_plate *plate,
	       const struct pr_image *shot, const struct plate_model_fit *fit,
	       const uint8_t *strong, uint8_t *scratch, uint8_t *mask, uint8_t *alpha);

/* mask_graphcut.c: minimum-cut refinement of the outline of a plate mask
 * (plate may be NULL: colour models alone). */
int mask_graphcut(const struct pr_mask_params *p, const struct pr_plate *plate,
		  const struct pr_image *shot, const struct plate_model_fit *fit, uint8_t *mask);

/* Label every pixel that is neither pinned inside (inner) nor outside
 * (outer) by a minimum cut: colour models, the plate term when plate is not
 * NULL, contrast-sensitive smoothness. Pinned pixels are written as pinned. */
struct pr_colour_model;
int mask_cut_region(const struct pr_mask_params *p, const struct pr_plate *plate,
		    const struct plate_model_fit *fit, const struct pr_image *shot,
		    const struct pr_colour_model *fg, const struct pr_colour_model *bg,
		    const uint8_t *inner, const uint8_t *outer, uint8_t *mask);
/* A colour model of the shot's pixels where select is non-zero (sampled). */
int mask_colour_sample(struct pr_colour_model *m, const struct pr_image *shot,
		       const uint8_t *select, size_t npix);

/* mask_auto.c: a first mask with no plate, from colour clusters with the
 * image border as background evidence, refined by minimum cuts. */
int mask_auto(const struct pr_mask_params *p, const struct pr_image *shot, uint8_t *mask);

/* mask_alpha.c: soft alpha from the binary mask, guided by the shot. */
int mask_feather(const struct pr_mask_params *p, const struct pr_image *shot,
		 const uint8_t *mask, uint8_t *alpha);

/* Squared distance helpers shared by drift and classify. */
static inline float sq(float v)
{
	return v * v;
}

static inline float clamp255(float v)
{
	return v < 0.0f ? 0.0f : (v > 255.0f ? 255.0f : v);
}

/* The span [*x0, *x1) of a row from its first non-zero byte to its last;
 * 0 for a row of zeros. 32 bytes a step from each end: rows of a mask are
 * mostly long runs of background. */
static inline int nonzero_span(const uint8_t *row, uint32_t w, uint32_t *x0, uint32_t *x1)
{
	uint32_t a = 0, b = w;
	uint64_t v[4];
	while (a + 32 <= w && (memcpy(v, row + a, 32), !(v[0] | v[1] | v[2] | v[3])))
		a += 32;
	while (a < w && !row[a])
		a++;
	if (a == w)
		return 0;
	while (b >= a + 32 && (memcpy(v, row + b - 32, 32), !(v[0] | v[1] | v[2] | v[3])))
		b -= 32;
	while (!row[b - 1])
		b--;
	*x0 = a;
	*x1 = b;
	return 1;
}

#endif
