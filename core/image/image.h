/* photorig core: the in-memory image.
 *
 * Pixels are interleaved, rows top to bottom as stored in the source file
 * (EXIF orientation is never applied: masks must line up with the stored
 * pixel grid that photogrammetry tools read). Samples are 8 or 16 bits,
 * 16-bit samples in native byte order. */
#ifndef PHOTORIG_IMAGE_H
#define PHOTORIG_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Largest image side and pixel count accepted from any file: bounds memory
 * use for hostile or corrupt headers (a 200 MP medium-format frame fits). */
#define PR_IMAGE_MAX_SIDE 65535u
#define PR_IMAGE_MAX_PIXELS (400u * 1000u * 1000u)

struct pr_image {
	uint32_t width;
	uint32_t height;
	uint8_t channels;  /* 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA */
	uint8_t depth;     /* bits per sample: 8 or 16 */
	size_t stride;     /* bytes per row */
	uint8_t *pixels;
	uint8_t *icc;      /* embedded ICC profile, or NULL */
	size_t icc_size;
};

/* Allocate pixels (uninitialised). Checks the limits above. */
int pr_image_alloc(struct pr_image *img, uint32_t width, uint32_t height,
		   int channels, int depth, struct pr_error *err);
/* Free pixels and ICC; leaves img zeroed; safe to call twice. */
void pr_image_free(struct pr_image *img);
/* Attach a copy of an ICC profile. */
int pr_image_set_icc(struct pr_image *img, const void *icc, size_t size);

static inline uint8_t *pr_image_row(const struct pr_image *img, uint32_t y)
{
	return img->pixels + (size_t)y * img->stride;
}

/* Convert any image to 8-bit RGB (grey replicated, alpha dropped, 16-bit
 * rounded). out is allocated; ICC copied. */
int pr_image_to_rgb8(const struct pr_image *in, struct pr_image *out, struct pr_error *err);

#endif
