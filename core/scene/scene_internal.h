/* photorig core: internals shared by the scene renderer's files.
 *
 * scene.c drives the row loop (noise, exposure, truth labels, JPEG),
 * scene_bg.c renders the empty background one row at a time and
 * scene_obj.c holds the object: its geometry, coverage, colours and shadow.
 * Everything is rendered row by row into small scratch rows so a 24 MP frame
 * never needs a float copy of itself. */
#ifndef PHOTORIG_SCENE_INTERNAL_H
#define PHOTORIG_SCENE_INTERNAL_H

#include <math.h>
#include <stdint.h>

#include "scene.h"

#define SCENE_PI 3.14159265358979f

/* splitmix64: tiny, fast and good enough for pictures; one state per
 * purpose so that adding a draw in one place does not shift another. */
struct scene_rng {
	uint64_t s;
};

static inline uint64_t scene_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline uint64_t scene_rng_next(struct scene_rng *r)
{
	r->s += 0x9E3779B97F4A7C15ull;
	return scene_mix64(r->s);
}

/* A stream derived from the scene seed and a purpose tag (and an index). */
static inline struct scene_rng scene_rng_for(uint64_t seed, uint64_t tag, uint64_t index)
{
	struct scene_rng r = { scene_mix64(seed ^ scene_mix64(tag * 0x9E3779B97F4A7C15ull + index)) };
	return r;
}

/* uniform in [0,1) */
static inline float scene_unit(struct scene_rng *r)
{
	return (float)(scene_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

static inline float scene_range(struct scene_rng *r, float lo, float hi)
{
	return lo + (hi - lo) * scene_unit(r);
}

/* standard normal (Box-Muller); only for a few draws per frame */
double scene_gauss(struct scene_rng *r);

static inline float scene_clampf(float v, float lo, float hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static inline float scene_smooth(float t)
{
	t = scene_clampf(t, 0.0f, 1.0f);
	return t * t * (3.0f - 2.0f * t);
}

/* A smooth periodic wave in [-1,1] of phase t (cycles): a triangle bent
 * towards a sine, without calling sinf per pixel. */
static inline float scene_wave(float t)
{
	float f = t - floorf(t);
	float w = 4.0f * fabsf(f - 0.5f) - 1.0f;
	return w * (1.5f - 0.5f * w * w);
}

/* Value noise on a coarse grid, bilinear with a smoothstep fraction: cheap
 * per pixel (one gather and two lerps) yet free of grid-aligned creases. */
struct scene_noise {
	float cell;        /* grid spacing in pixels */
	uint32_t gw, gh;   /* grid size */
	float *grid;       /* gh rows of gw values in [-1,1] */
	uint32_t *ix;      /* per image column: grid column */
	float *fx;         /* per image column: smoothed fraction */
	float *tmp;        /* gw values: the grid interpolated to one image row */
};

int scene_noise_init(struct scene_noise *n, struct scene_rng *r, uint32_t width,
		     uint32_t height, float cell, struct pr_error *err);
/* out[x] = noise(x, y) for x in [x0, x1) */
void scene_noise_row(struct scene_noise *n, uint32_t y, uint32_t x0, uint32_t x1,
		     float *restrict out);
void scene_noise_free(struct scene_noise *n);

/* A soft wrinkle in a green-screen cloth: a lit and a shaded side across a
 * short oriented band. */
struct scene_wrinkle {
	float x0, y0, tx, ty, len, width, amp;
	float bx0, bx1, by0, by1; /* bounding box */
};

/* A turntable platter: an elliptic disc seen from above with a printed
 * pattern that turns with the table, and its rim below (scene_hard.c). */
struct scene_platter {
	int on;
	float cx, cy, ax, ay, thick; /* centre, half axes, rim height (pixels) */
	float ct, st;                /* cos and sin of the table's angle */
	float a[3], b[3], side[3];   /* ground, print and rim colours */
	int x0, x1, y0, y1;          /* bounding box, clipped, half-open */
};

#define SCENE_MAX_SEAMS 4
#define SCENE_MAX_WRINKLES 8

struct scene_bg {
	enum pr_scene_background type;
	uint32_t w, h;
	float wall_a[3], wall_b[3];   /* colours mixed by low-frequency colour noise */
	float floor_a[3], floor_b[3];
	int floor_kind;               /* textured: 0 wood, 1 fabric, 2 paper */
	float grad_x, grad_y, vignette;
	float lf_amp, mid_amp, fine_amp;
	float edge_y0, edge_slope;    /* textured: the table's back edge */
	float seam_x[SCENE_MAX_SEAMS];
	int nseams;
	float wood_freq, wood_warp;
	float weave_period;
	float hot_x, hot_y, hot_r, hot_amp; /* green: the key light's hot spot */
	struct scene_wrinkle wrinkles[SCENE_MAX_WRINKLES];
	int nwrinkles;
	struct scene_noise lf, mid, fine, col;
	struct scene_noise leaf;      /* foliage: leaf-sized noise */
	float gap[3];                 /* foliage: the dark between the leaves */
	struct scene_platter platter;
	/* per-column and scratch rows (width floats each) */
	float *vig_x, *seam_fac, *weave_x, *hot_x_fac;
	float *r_lf, *r_mid, *r_fine, *r_col, *r_fold;
};

int scene_bg_init(struct scene_bg *bg, const struct pr_scene_params *p, struct pr_error *err);
/* The clean background of row y in 8-bit units (may exceed 255 before gain). */
void scene_bg_row(struct scene_bg *bg, uint32_t y, float *restrict r, float *restrict g,
		  float *restrict b);
void scene_bg_free(struct scene_bg *bg);

/* scene_hard.c: foliage, the platter and the plate frames' transient. */
void scene_foliage_setup(struct scene_bg *bg, struct scene_rng *r);
int scene_foliage_init(struct scene_bg *bg, const struct pr_scene_params *p, float s,
		       struct pr_error *err);
void scene_foliage_row(struct scene_bg *bg, uint32_t y, float *restrict r, float *restrict g,
		       float *restrict b);
void scene_platter_init(struct scene_platter *pl, const struct pr_scene_params *p);
/* Draw the platter over a background row (full rows). */
void scene_platter_row(const struct scene_platter *pl, uint32_t y, float *restrict r,
		       float *restrict g, float *restrict b);

#define SCENE_TRANSIENT_PARTS 6
struct scene_transient {
	/* capsules: the sleeved arm first, then the palm and four fingers */
	float x0[SCENE_TRANSIENT_PARTS], y0[SCENE_TRANSIENT_PARTS];
	float x1[SCENE_TRANSIENT_PARTS], y1[SCENE_TRANSIENT_PARTS];
	float rad[SCENE_TRANSIENT_PARTS];
	float skin[3], sleeve[3];
	int y0b, y1b;                /* rows touched, clipped, half-open */
};
void scene_transient_init(struct scene_transient *t, const struct pr_scene_params *p,
			  unsigned index);
/* Composite the transient over row y (io: full rows, changed in place);
 * alpha (full row, may be NULL) gets its coverage 0..255. */
void scene_transient_row(const struct scene_transient *t, uint32_t y, uint32_t w,
			 float *const io[3], uint8_t *alpha);

/* Where the object stands, as scene_obj_init places it (object_scale
 * applied): its axis, foot line, height and widest radius, in pixels. */
void scene_obj_footprint(const struct pr_scene_params *p, float *cx, float *base_y,
			 float *height, float *rmax);

/* A thin structure segment: a capsule of radius rad around p0..p1. */
struct scene_capsule {
	float x0, y0, x1, y1, rad;
	float ymin, ymax;
};

#define SCENE_MAX_CAPS 96
#define SCENE_MAX_PROFILE 8
#define SCENE_ASIN_LUT 1024
#define SCENE_TEX_W 32
#define SCENE_TEX_H 16

struct scene_obj {
	uint32_t w, h;
	float cx, base_y, height, rmax;  /* pixels */
	float theta;                     /* radians */
	float kwidth;                    /* apparent width of the elliptic cross-section */
	float prof_v[SCENE_MAX_PROFILE], prof_r[SCENE_MAX_PROFILE];
	int nprof;
	float lip_ax, lip_ry, foot_ax, foot_ry;
	int has_handle;
	float h_cx, h_cy, h_ax, h_ay, h_t;
	struct scene_capsule caps[SCENE_MAX_CAPS];
	int ncaps;
	float stem_split_y;              /* thin parts above: stems; below: cable */
	float fg[3], fg2[3], inner[3], stem[3], cable[3];
	float band_v, band_hw;
	int band_k;
	float tex[SCENE_TEX_H][SCENE_TEX_W];
	float asin_lut[SCENE_ASIN_LUT + 1];
	int shadow;
	float s_cx, s_cy, s_ax, s_ay, s_soft, s_dark;
	float s_tint;                    /* shadow_tint */
	int ncol;                        /* colours: patches of pal[0..ncol) */
	float pal[8][3];
	int camo;
	float c_cx, c_cy, c_ax, c_ay;
	int bx0, bx1, by0, by1;          /* object bounding box, clipped, half-open */
	int sx0, sx1, sy0, sy1;          /* shadow bounding box, clipped, half-open */
};

/* Build the object from the seed, the angle and the background near it
 * (scratch: 3 * width floats). */
void scene_obj_init(struct scene_obj *o, const struct pr_scene_params *p, struct scene_bg *bg,
		    float *scratch);
/* Coverage of row y over [o->bx0, o->bx1), indexed from bx0: cov_body
 * (body, lip, foot, handle) and cov_all (that plus the thin parts), both
 * 0..1. dif is scratch of 2 * (bx1 - bx0 + 2) floats. */
void scene_obj_coverage_row(const struct scene_obj *o, uint32_t y, float *restrict cov_body,
			    float *restrict cov_all, float *restrict dif);
/* Composite the object over row y within the bounding box: clean[c] is the
 * unshadowed background (full row), io[c] the background as lit (shadowed)
 * on input and the shot on output. camo (full row, may be NULL) gets 1
 * where the pixel belongs to the camouflage patch. */
void scene_obj_composite_row(const struct scene_obj *o, uint32_t y, const float *cov_body,
			     const float *cov_all, float *const clean[3], float *const io[3],
			     uint8_t *camo);
/* Shadow factor (1 = none) for row y, written over [o->sx0, o->sx1). */
void scene_obj_shadow_row(const struct scene_obj *o, uint32_t y, float *restrict fac);

#endif
