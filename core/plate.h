/* photorig core: the background plate model of one camera position.
 *
 * Built from 1..N frames of the empty background. Per pixel it keeps the
 * mean colour (8-bit RGB, rounded) and, with two frames or more, the noise:
 * the standard deviation of that pixel over the frames. With a single frame
 * the noise is a per-channel level estimated from the image itself
 * (robust median of local differences), stored as the global level.
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

#define PR_PLATE_VERSION 1
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
};

/* Incremental builder: add frames one by one (so N 24 MP frames never sit in
 * memory together), then finish. */
struct pr_plate_builder {
	uint32_t width, height, frames;
	uint8_t *first;    /* the first frame's RGB, until a second frame arrives */
	uint16_t *sum;     /* per sample sum over frames (frames <= PR_PLATE_MAX_FRAMES) */
	uint32_t *sumsq;   /* per pixel sum over frames and channels of sample^2 */
	float first_noise[3]; /* noise estimated from the first frame alone */
	uint8_t *ref;      /* RGB of the first frame on a sparse grid: exposure reference */
	size_t nref;
};

int pr_plate_builder_init(struct pr_plate_builder *b);
int pr_plate_builder_add(struct pr_plate_builder *b, const struct pr_image *frame,
			 const char *name, struct pr_error *err);
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
