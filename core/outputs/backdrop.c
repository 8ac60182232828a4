/* photorig core: backdrops (colour or image scaled to cover), see backdrop.h. */
#include "backdrop.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imageio.h"

int pr_backdrop_parse_colour(const char *spec, uint8_t rgb[3])
{
	const char *s = spec[0] == '#' ? spec + 1 : spec;
	unsigned v[3];
	if (strlen(s) != 6 || strspn(s, "0123456789abcdefABCDEF") != 6 ||
	    sscanf(s, "%2x%2x%2x", &v[0], &v[1], &v[2]) != 3)
		return 0;
	for (int i = 0; i < 3; i++)
		rgb[i] = (uint8_t)v[i];
	return 1;
}

void pr_backdrop_colour(struct pr_backdrop *out, const uint8_t rgb[3])
{
	memset(out, 0, sizeof(*out));
	memcpy(out->rgb, rgb, 3);
}

int pr_backdrop_load(const char *spec, struct pr_backdrop *out, struct pr_error *err)
{
	uint8_t rgb[3];
	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		return pr_error_set(err, PR_EINVAL, "backdrop: empty (a colour #RRGGBB or an image file)");
	if (pr_backdrop_parse_colour(spec, rgb)) {
		pr_backdrop_colour(out, rgb);
		return 0;
	}
	struct pr_image img;
	int rc = pr_decode_file(spec, &img, err);
	if (rc) {
		/* the decoder named the file; say what it was meant to be */
		char msg[sizeof(err->msg)];
		if (err) {
			snprintf(msg, sizeof(msg), "%s", err->msg);
			pr_error_set(err, rc, "backdrop %s (not a colour #RRGGBB, so read as an image file)",
				     msg);
		}
		return rc;
	}
	if (img.channels != 3 || img.depth != 8) {
		rc = pr_image_to_rgb8(&img, &out->image, err);
		pr_image_free(&img);
		if (rc)
			return rc;
	} else {
		out->image = img;
	}
	/* the mean colour: what a padded crop or a tiny preview shows */
	uint64_t sum[3] = { 0, 0, 0 };
	for (uint32_t y = 0; y < out->image.height; y++) {
		const uint8_t *row = pr_image_row(&out->image, y);
		for (uint32_t x = 0; x < out->image.width; x++)
			for (int c = 0; c < 3; c++)
				sum[c] += row[3 * x + c];
	}
	uint64_t n = (uint64_t)out->image.width * out->image.height;
	for (int c = 0; c < 3; c++)
		out->rgb[c] = (uint8_t)((sum[c] + n / 2) / n);
	out->is_image = 1;
	return 0;
}

void pr_backdrop_free(struct pr_backdrop *b)
{
	if (!b)
		return;
	pr_image_free(&b->image);
	memset(b, 0, sizeof(*b));
}

/* Source coordinate of output pixel centre i: cover scaling maps the output
 * into the middle of the scaled image. Clamped to the image. */
static double source_coord(uint32_t i, double scale, double off, uint32_t n, uint32_t *i0,
			   double *f)
{
	double s = ((double)i + 0.5 + off) / scale - 0.5;
	if (s < 0)
		s = 0;
	if (s > (double)n - 1)
		s = (double)n - 1;
	double fl = floor(s);
	*i0 = (uint32_t)fl;
	*f = s - fl;
	if (*i0 + 1 >= n) { /* the last column: no right neighbour */
		*i0 = n - 1;
		*f = 0;
	}
	return s;
}

int pr_backdrop_cover_init(struct pr_backdrop_cover *c, const struct pr_backdrop *b,
			   uint32_t width, uint32_t height, struct pr_error *err)
{
	memset(c, 0, sizeof(*c));
	c->b = b;
	c->width = width;
	c->height = height;
	if (!b->is_image)
		return 0;
	const double iw = b->image.width, ih = b->image.height;
	double sx = (double)width / iw, sy = (double)height / ih;
	c->scale = sx > sy ? sx : sy;
	c->off_x = (iw * c->scale - (double)width) / 2;
	c->off_y = (ih * c->scale - (double)height) / 2;
	c->x0 = malloc(sizeof(*c->x0) * (width ? width : 1));
	c->fx = malloc(sizeof(*c->fx) * (width ? width : 1));
	if (!c->x0 || !c->fx) {
		pr_backdrop_cover_free(c);
		return pr_error_set(err, PR_ENOMEM, "out of memory for a %ux%u backdrop", width, height);
	}
	for (uint32_t x = 0; x < width; x++) {
		double f;
		source_coord(x, c->scale, c->off_x, b->image.width, &c->x0[x], &f);
		c->fx[x] = (uint16_t)lround(f * 256);
	}
	return 0;
}

void pr_backdrop_cover_row(const struct pr_backdrop_cover *c, uint32_t y, uint8_t *restrict rgb)
{
	const uint32_t w = c->width;
	if (!c->b->is_image) {
		for (uint32_t x = 0; x < w; x++)
			memcpy(rgb + 3 * (size_t)x, c->b->rgb, 3);
		return;
	}
	const struct pr_image *im = &c->b->image;
	uint32_t y0;
	double fy;
	source_coord(y, c->scale, c->off_y, im->height, &y0, &fy);
	const uint32_t wy = (uint32_t)lround(fy * 256);
	const uint8_t *restrict r0 = pr_image_row(im, y0);
	const uint8_t *restrict r1 = pr_image_row(im, y0 + (wy ? 1 : 0));
	for (uint32_t x = 0; x < w; x++) {
		const uint32_t i = 3 * c->x0[x], j = c->fx[x] ? i + 3 : i, wx = c->fx[x];
		for (int k = 0; k < 3; k++) {
			uint32_t top = r0[i + k] * (256 - wx) + r0[j + k] * wx;
			uint32_t bot = r1[i + k] * (256 - wx) + r1[j + k] * wx;
			rgb[3 * (size_t)x + k] = (uint8_t)((top * (256 - wy) + bot * wy + 32768) >> 16);
		}
	}
}

void pr_backdrop_cover_free(struct pr_backdrop_cover *c)
{
	if (!c)
		return;
	free(c->x0);
	free(c->fx);
	c->x0 = NULL;
	c->fx = NULL;
}
