/* photorig core: generated scenes with known truth.
 *
 * A fixed camera looks at a background; plates are frames of the empty
 * background, a shot is the same view with an object in it. Everything is
 * deterministic from the seed, so tests, the benchmark and the `sim` camera
 * driver all see the same pictures. The truth says, per pixel, how much of
 * the object covers it (alpha) and what kind of pixel it is (labels), so
 * each masking stage can be scored on the pixels it is meant to fix. */
#ifndef PHOTORIG_SCENE_H
#define PHOTORIG_SCENE_H

#include <stdint.h>

#include "error.h"
#include "image.h"

enum pr_scene_background {
	PR_SCENE_TEXTURED = 0, /* smooth gradients + mid-frequency texture + a few hard edges */
	PR_SCENE_PLAIN,        /* a near-uniform studio sweep (light grey, slight vignette) */
	PR_SCENE_GREEN,        /* a green screen with uneven lighting */
	PR_SCENE_FOLIAGE,      /* dense leaves: strong fine texture that JPEG smears */
};

struct pr_scene_params {
	uint32_t width, height;
	uint64_t seed;
	enum pr_scene_background background;
	float noise_sigma;     /* sensor noise, std dev in 8-bit levels (default 2) */
	float exposure_ev;     /* shot exposure relative to plate, in EV (+1/3, -1/3 ...) */
	float wb_gain[3];      /* shot white-balance gains per channel (1,1,1 = none) */
	float angle_deg;       /* object rotation about the vertical axis (turntable) */
	float drift;           /* per-frame random exposure drift, in EV std dev (sim camera) */
	int shadow;            /* object casts a soft shadow on the background */
	int thin;              /* object has thin parts 2 px wide (stems, cables) */
	int camouflage;        /* part of the object has exactly the background's colour */
	int jpeg_quality;      /* 0: none; else shot and plates pass through JPEG at this quality */
	uint32_t shot_index;   /* shot number: each gets its own noise and drift (sim camera) */

	/* The hard conditions real rigs meet (all 0 = off, and the scene is
	 * exactly the one rendered without them). */
	float transient;       /* share of plate frames a hand reaches into, over where the
				* object will stand (0..1; frame i has it when
				* floor((i+1)*share) > floor(i*share)) */
	int platter;           /* the object stands on a textured turntable platter that turns
				* with angle_deg, in plates as in shots */
	float object_scale;    /* object size relative to the usual (0 = 1; 0.05..1) */
	int colours;           /* 0: the usual glaze; 2..8: painted in patches of this many colours */
	float shadow_ratio;    /* brightness ratio at the shadow's core (0 = 0.5..0.75 from the
				* seed; else 0.05..0.95; needs shadow) */
	float shadow_tint;     /* the shadow's colour shifted toward blue ambient light by this
				* share (red down, blue up; 0..0.5) */
};

/* Defaults: 640x480, seed 1, textured, noise 2, no drift, wb 1, no extras.
 *
 * What stays fixed for a seed: the background, the object's shape, colours,
 * placement, shadow and thin parts. What changes: angle_deg turns the object
 * (width and surface pattern); plate `index` and shot_index pick the frame's
 * noise and drift. Limits: 32..65535 px per side, noise_sigma 0..64,
 * |exposure_ev| <= 8, wb gains in (0, 16], drift 0..2, jpeg_quality 0..100. */
void pr_scene_defaults(struct pr_scene_params *p);

/* Truth labels (bit flags) */
enum {
	PR_LABEL_OBJECT = 1,      /* alpha >= 128 */
	PR_LABEL_EDGE = 2,        /* within 2 px (chessboard) of a pixel with 0 < alpha < 255
				   * or of a change across alpha 128 */
	PR_LABEL_SHADOW = 4,      /* alpha == 0 and darkened by the shadow by more than 10%
				   * (the core by 0.5..0.75, or shadow_ratio, tinted by
				   * shadow_tint) */
	PR_LABEL_THIN = 8,        /* touched by a thin part (2 px wide) not covered by the body */
	PR_LABEL_CAMOUFLAGE = 16, /* object pixel with exactly the plate's colour (before
				   * noise and exposure) */
};

struct pr_scene_truth {
	uint32_t width, height;
	uint8_t *alpha;   /* object coverage 0..255, width*height */
	uint8_t *labels;  /* PR_LABEL_* bits, width*height */
	uint8_t fg_rgb[3];/* the object's main colour, before shading and exposure */
};

/* Does plate frame `index` have the transient (see transient above)? */
int pr_scene_plate_has_transient(const struct pr_scene_params *p, unsigned index);

/* Set scene parameters from a text such as the sim camera's `scene` key:
 * comma- or space-separated KEY or KEY=VALUE items, applied in order:
 *   background=textured|plain|green|foliage  transient=SHARE  platter
 *   small=SCALE  colours=N  shadow[=RATIO]  tint=SHARE  ev=EV  jpeg=Q
 *   thin  camouflage  noise=SIGMA
 * An unknown key or a value out of range is PR_EINVAL naming it. */
int pr_scene_options_parse(const char *text, struct pr_scene_params *p, struct pr_error *err);

/* Render plate frame `index` (0..): the empty background with its own noise. */
int pr_scene_render_plate(const struct pr_scene_params *p, unsigned index,
			  struct pr_image *out, struct pr_error *err);
/* The same with its truth (alpha: what does not belong to the empty
 * background, such as a transient; all 0 for a clean frame). truth may be
 * NULL. */
int pr_scene_render_plate_truth(const struct pr_scene_params *p, unsigned index,
				struct pr_image *out, struct pr_scene_truth *truth,
				struct pr_error *err);
/* Render the shot (8-bit RGB) and, if truth is not NULL, its truth. */
int pr_scene_render_shot(const struct pr_scene_params *p, struct pr_image *out,
			 struct pr_scene_truth *truth, struct pr_error *err);
void pr_scene_truth_free(struct pr_scene_truth *t);

#endif
