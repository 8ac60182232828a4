/* photorig core: masking a shot.
 *
 * Method `plate`: background differencing against the camera position's
 * plate model. The distance of a shot pixel from its plate pixel is measured
 * in units of that pixel's noise, so the tolerance means the same thing on
 * every camera: a pixel is foreground when its noise-normalised colour
 * distance exceeds the tolerance. Higher tolerance, fewer foreground pixels.
 *
 * Method `graphcut`: `plate`, then the outline refined by a minimum graph
 * cut with the plate distance and colour models as data terms.
 *
 * Method `auto`: no plate; K-means colour models seeded by the image border
 * and minimum cuts (GrabCut-like).
 *
 * Method `chroma`: colour keying against a key colour (green/blue screen),
 * with the distance measured in a chroma plane so that uneven light on the
 * screen does not matter.
 *
 * Then, for every method: manual regions (include/exclude), clean-up,
 * invert. The result is a binary mask (255 keep, 0 background) and a soft
 * alpha for the RGBA TIFF. */
#ifndef PHOTORIG_MASK_H
#define PHOTORIG_MASK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image.h"
#include "plate.h"
#include "region.h"

#define PR_MASK_MAX_REGIONS 32

enum pr_mask_method {
	PR_MASK_PLATE = 0,
	PR_MASK_CHROMA,
	PR_MASK_GRAPHCUT, /* plate, with the outline decided by a minimum graph cut */
	PR_MASK_AUTO,     /* no plate: colour clusters, the border as background evidence */
};

struct pr_mask_params {
	enum pr_mask_method method;
	double tolerance;          /* plate: noise units; chroma: chromaticity distance (0..255 scale) */
	int invert;                /* 255 = background instead of object */
	uint8_t key_rgb[3];        /* chroma key colour */
	uint32_t nregions;
	struct pr_region regions[PR_MASK_MAX_REGIONS];

	/* Stages of the plate method; each can be switched off to see what it does. */
	int drift;                 /* estimate and undo exposure / white-balance drift */
	int shadow;                /* cast shadows (darker, same chromaticity) are background */
	double shadow_min;         /* darkest brightness ratio still called shadow (0..1) */
	double hysteresis;         /* weak threshold = tolerance * hysteresis (0..1; 1 = off) */
	double edge_shift;         /* plate misregistration allowance, pixels of shift (0 = off) */

	/* Clean-up, for every method. */
	uint32_t min_area;         /* objects smaller than this go (pixels; 0 = auto: 1/20000 of frame) */
	uint32_t hole_area;        /* enclosed holes smaller than this are filled (0 = auto: as min_area) */
	uint32_t keep_largest;     /* keep only the N largest objects (0 = all) */
	uint32_t open_radius;      /* morphological opening radius (0 = off) */
	uint32_t close_radius;     /* morphological closing radius (0 = off) */

	/* Outline: solve the compositing equation against the plate along the
	 * outline, keep pixels that are at least half object. */
	int matte;

	/* Soft alpha for the RGBA TIFF (mask PNGs stay binary). */
	int feather;               /* edge-aware feathering with a guided filter */
	uint32_t feather_radius;   /* guided filter radius in pixels */

	int threads;               /* 0 = one per core */
};

#define PR_MASK_DEFAULT_TOLERANCE 6.0
#define PR_MASK_DEFAULT_CHROMA_TOLERANCE 40.0

void pr_mask_params_default(struct pr_mask_params *p);
/* The default tolerance of a method (their units differ). */
double pr_mask_default_tolerance(enum pr_mask_method m);
int pr_mask_method_parse(const char *name, enum pr_mask_method *out);
const char *pr_mask_method_name(enum pr_mask_method m);

/* Per-shot statistics, kept for the manifest. */
struct pr_mask_stats {
	double foreground;     /* fraction of pixels kept, 0..1 */
	int touches_border;    /* the object reaches the image border */
	double gain[3];        /* plate -> shot gain per channel (1 = no drift) */
	double offset[3];      /* plate -> shot offset per channel, 8-bit levels */
	double drift_residual; /* background misfit after drift, in noise units (stale plate) */
	double edge_agreement; /* 0..1: how well background edges line up (moved camera) */
	int stale_plate;       /* lighting changed beyond what gain explains */
	int camera_moved;      /* background edges no longer line up */
};

/* Where the wall time of one pr_mask_compute went, in seconds (photorig
 * bench reads it; a handful of clock reads per shot cost nothing). */
struct pr_mask_timing {
	double fit;      /* drift fit and plate health, on a fixed-size sample */
	double classify; /* per-pixel classes (plate difference or colour key) */
	double cleanup;  /* shadow regions, hysteresis, morphology, hole filling */
	double alpha;    /* soft alpha (guided filter) */
	double matte;    /* outline matting against the plate */
	double total;    /* the whole call */
};

struct pr_mask_result {
	uint32_t width, height;
	uint8_t *mask;   /* binary, width*height, 255 keep */
	uint8_t *alpha;  /* soft alpha for the TIFF, width*height */
	struct pr_mask_stats stats;
	struct pr_mask_timing timing;
};

/* Mask one shot (any pr_image; converted to 8-bit RGB internally). plate may
 * be NULL for `chroma`. A shot whose size differs from the plate's is
 * PR_ESIZE with both sizes in the message. */
int pr_mask_compute(const struct pr_mask_params *params, const struct pr_plate *plate,
		    const struct pr_image *shot, struct pr_mask_result *out,
		    struct pr_error *err);
/* The same, naming the shot in error messages. */
int pr_mask_compute_named(const struct pr_mask_params *params, const struct pr_plate *plate,
			  const struct pr_image *shot, const char *name,
			  struct pr_mask_result *out, struct pr_error *err);
void pr_mask_result_free(struct pr_mask_result *r);

#endif
