/* photorig core: the background plate model of one camera position.
 *
 * Built from 1..N frames of the empty background. Per pixel it keeps the
 * background colour (8-bit RGB, rounded) and, with two frames or more, the
 * noise. Both are robust: per pixel the frames' median is the centre, frames
 * far from it in noise units (a hand, a passer-by) are left out, and colour
 * and noise come from the frames that remain (a sigma-clipped mean and
 * standard deviation), the noise shrunk toward the frame-wide median level.
 * Where frames were left out the builder reports it (transient_*). With a
 * single frame the noise is a per-channel level estimated from the image
 * itself (robust median of local differences), stored as the global level.
 *
 * On disk (all integers little-endian; see plate.c for the exact layout):
 *   "PRPLATE\0" magic, version, header (size, frames, flags, global noise,
 *   settings text), mean plane, optional noise plane, CRC-32 of everything
 *   before it. Loading checks magic, version, sizes and CRC, and names the
 *   file in every error. */
#ifndef PHOTORIG_PLATE_H
#define PHOTORIG_PLATE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image.h"

/* 2: the transient share and box follow the settings text. Version 1
 * files still load (no transient recorded). */
#define PR_PLATE_VERSION 2
#define PR_PLATE_SETTINGS_MAX 4096
#define PR_PLATE_MAX_FRAMES 256

/* Noise values are stored in quarter levels of an 8-bit sample. */
#define PR_PLATE_NOISE_SCALE 4.0f
/* No pixel is trusted to be quieter than this (8-bit levels). With two
 * plate frames or more each pixel's noise is measured, JPEG jitter between
 * frames included, and only quantisation is left below it. */
#define PR_PLATE_NOISE_FLOOR 1.0f
/* With one plate frame the noise is estimated from the image itself, which
 * cannot see how a shot's JPEG compression will differ from the plate's:
 * about two levels even where the sensor is clean (on the real leaves pair
 * a floor of 1 level let that noise between the leaves into the mask: F
 * 0.978; 2 levels: F 0.984). */
#define PR_PLATE_SINGLE_NOISE_FLOOR 2.0f

struct pr_plate {
	uint32_t width, height;
	uint32_t frames;          /* number of frames averaged */
	uint8_t *mean;            /* width*height*3, RGB */
	uint8_t *noise;           /* width*height, sigma * PR_PLATE_NOISE_SCALE; NULL if frames == 1 */
	float global_noise[3];    /* per-channel sigma (8-bit levels), always set */
	uint64_t id;              /* content hash: identifies the plate in manifests */
	int64_t created;          /* UNIX time the model was built */
	char settings[PR_PLATE_SETTINGS_MAX]; /* capture settings, "key=value\n" lines */
	/* What the plate frames disagreed on (something that moved through
	 * some of them and was left out of the model): the share of pixels,
	 * 0..1, and the box holding them, all 0 when none. */
	double transient_share;
	int transient_x, transient_y, transient_w, transient_h;
};

/* Incremental builder: add frames one by one, then finish. The frames are
 * kept as 8-bit RGB (the robust centre needs every frame), at most
 * PR_PLATE_BUILD_BUDGET bytes of them: beyond that, the two neighbouring
 * stored bins (consecutive in time) holding the fewest frames are merged
 * into their mean. A transient lasts a run of consecutive frames, so it
 * stays in few bins and the median of the bins still leaves it out. Small
 * frames are all kept; a 24 MP camera keeps 7 bins (504 MB) for any N. */
#define PR_PLATE_BUILD_BUDGET (512u << 20)
#define PR_PLATE_MAX_BINS 32
struct pr_plate_builder {
	uint32_t width, height, frames;
	uint32_t nbins, maxbins;
	uint8_t *bin[PR_PLATE_MAX_BINS];   /* width*height*3 RGB: the mean of its frames */
	uint32_t weight[PR_PLATE_MAX_BINS]; /* frames in each bin */
	float first_noise[3]; /* noise estimated from the first frame alone */
	uint8_t *ref;      /* RGB of the first frame on a sparse grid: exposure reference */
	size_t nref;
};

int pr_plate_builder_init(struct pr_plate_builder *b);
int pr_plate_builder_add(struct pr_plate_builder *b, const struct pr_image *frame,
			 const char *name, struct pr_error *err);
/* The same, but the builder may keep the frame's pixels instead of copying
 * them: frame may be left without pixels, and is still the caller's to
 * pr_image_free. */
int pr_plate_builder_take(struct pr_plate_builder *b, struct pr_image *frame, const char *name,
			  struct pr_error *err);
int pr_plate_builder_finish(struct pr_plate_builder *b, struct pr_plate *out, struct pr_error *err);
void pr_plate_builder_free(struct pr_plate_builder *b);

/* Estimate per-channel noise sigma of a single 8-bit RGB image. */
void pr_plate_estimate_noise(const uint8_t *rgb, uint32_t width, uint32_t height,
			     size_t stride, float sigma[3]);

/* Per-pixel noise sigma in 8-bit levels (floor applied). */
static inline float pr_plate_sigma(const struct pr_plate *p, size_t i, int channel)
{
	if (p->noise) {
		float s = p->noise[i] / PR_PLATE_NOISE_SCALE;
		return s < PR_PLATE_NOISE_FLOOR ? PR_PLATE_NOISE_FLOOR : s;
	}
	float s = p->global_noise[channel];
	return s < PR_PLATE_SINGLE_NOISE_FLOOR ? PR_PLATE_SINGLE_NOISE_FLOOR : s;
}

int pr_plate_save(const struct pr_plate *p, const char *path, struct pr_error *err);
int pr_plate_load(const char *path, struct pr_plate *out, struct pr_error *err);
void pr_plate_free(struct pr_plate *p);

#endif
