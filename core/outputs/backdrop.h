/* photorig core: the new backdrop a masked object is composited over.
 *
 * A backdrop is a flat colour ("#RRGGBB" or "RRGGBB") or an image file (any
 * format pr_decode_file reads). An image is scaled to cover the output: by
 * the larger of the two side ratios, so both sides are covered, then cut
 * centrally, sampled bilinearly. Load a backdrop once (per rig or camera)
 * and reuse it for every shot: it is read-only after loading and may be
 * shared between threads. */
#ifndef PHOTORIG_BACKDROP_H
#define PHOTORIG_BACKDROP_H

#include <stdint.h>

#include "error.h"
#include "image.h"

struct pr_backdrop {
	int is_image;
	uint8_t rgb[3];        /* the colour; for an image, its mean colour */
	struct pr_image image; /* is_image: 8-bit RGB */
};

/* 1 when spec is a colour (#RRGGBB or RRGGBB, hex), with it in rgb. */
int pr_backdrop_parse_colour(const char *spec, uint8_t rgb[3]);

/* A colour, or else the path of an image file to decode. */
int pr_backdrop_load(const char *spec, struct pr_backdrop *out, struct pr_error *err);
void pr_backdrop_colour(struct pr_backdrop *out, const uint8_t rgb[3]);
void pr_backdrop_free(struct pr_backdrop *b);

/* Sampling the backdrop over an output of width x height, row by row. */
struct pr_backdrop_cover {
	const struct pr_backdrop *b;
	uint32_t width, height;
	double scale, off_x, off_y;  /* output pixel -> image pixel */
	uint32_t *x0;                /* per output column: left source column */
	uint16_t *fx;                /* and the weight of the right one, 0..256 */
};

int pr_backdrop_cover_init(struct pr_backdrop_cover *c, const struct pr_backdrop *b,
			   uint32_t width, uint32_t height, struct pr_error *err);
/* Write output row y (width RGB pixels). */
void pr_backdrop_cover_row(const struct pr_backdrop_cover *c, uint32_t y, uint8_t *rgb);
void pr_backdrop_cover_free(struct pr_backdrop_cover *c);

#endif
