/* photorig core: a small bitmap font for captions on contact sheets.
 *
 * 5x7 glyphs of printable ASCII (32..126) in a 6x9 cell, drawn at an integer
 * scale onto 8-bit RGB images. Written out by hand for photorig (public
 * domain); no font library is needed to label a PNG. */
#ifndef PHOTORIG_FONT_H
#define PHOTORIG_FONT_H

#include <stdint.h>

#include "image.h"

#define PR_FONT_GLYPH_W 5   /* glyph width in pixels at scale 1 */
#define PR_FONT_GLYPH_H 7   /* glyph height */
#define PR_FONT_ADVANCE 6   /* pen advance per character */
#define PR_FONT_LINE 9      /* line height */

/* The 7 rows of a character, bit 4 = leftmost pixel. Characters outside
 * 32..126 draw as '?'. */
const uint8_t *pr_font_glyph(char c);

/* Width in pixels of text at scale (no trailing space). */
uint32_t pr_font_text_width(const char *text, unsigned scale);

/* How many leading characters of text fit in max_width pixels. */
size_t pr_font_fit(const char *text, unsigned scale, uint32_t max_width);

/* Draw text with its top-left at (x, y), clipped to the image (8-bit RGB). */
void pr_font_draw(struct pr_image *img, int32_t x, int32_t y, const char *text, unsigned scale,
		  const uint8_t rgb[3]);

#endif
