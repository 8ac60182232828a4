#include "image.h"

#include <stdlib.h>
#include <string.h>

int pr_image_alloc(struct pr_image *img, uint32_t width, uint32_t height,
		   int channels, int depth, struct pr_error *err)
{
	memset(img, 0, sizeof(*img));
	if (width == 0 || height == 0 || width > PR_IMAGE_MAX_SIDE || height > PR_IMAGE_MAX_SIDE ||
	    (uint64_t)width * height > PR_IMAGE_MAX_PIXELS)
		return pr_error_set(err, PR_ESIZE, "image size %ux%u is outside 1..%u per side, %u pixels",
				    width, height, PR_IMAGE_MAX_SIDE, PR_IMAGE_MAX_PIXELS);
	if (channels < 1 || channels > 4 || (depth != 8 && depth != 16))
		return pr_error_set(err, PR_EINVAL, "unsupported pixel layout: %d channels, %d bits",
				    channels, depth);
	size_t stride = (size_t)width * (size_t)channels * (size_t)(depth / 8);
	img->pixels = malloc(stride * height);
	if (!img->pixels)
		return pr_error_set(err, PR_ENOMEM, "out of memory for a %ux%u image", width, height);
	img->width = width;
	img->height = height;
	img->channels = (uint8_t)channels;
	img->depth = (uint8_t)depth;
	img->stride = stride;
	return 0;
}

void pr_image_free(struct pr_image *img)
{
	if (!img)
		return;
	free(img->pixels);
	free(img->icc);
	memset(img, 0, sizeof(*img));
}

int pr_image_set_icc(struct pr_image *img, const void *icc, size_t size)
{
	free(img->icc);
	img->icc = NULL;
	img->icc_size = 0;
	if (!icc || size == 0)
		return 0;
	img->icc = malloc(size);
	if (!img->icc)
		return PR_ENOMEM;
	memcpy(img->icc, icc, size);
	img->icc_size = size;
	return 0;
}

int pr_image_to_rgb8(const struct pr_image *in, struct pr_image *out, struct pr_error *err)
{
	int rc = pr_image_alloc(out, in->width, in->height, 3, 8, err);
	if (rc)
		return rc;
	if (pr_image_set_icc(out, in->icc, in->icc_size)) {
		pr_image_free(out);
		return pr_error_set(err, PR_ENOMEM, "out of memory");
	}
	const unsigned ch = in->channels;
	const unsigned grey = ch < 3;
	for (uint32_t y = 0; y < in->height; y++) {
		uint8_t *restrict d = pr_image_row(out, y);
		if (in->depth == 8) {
			const uint8_t *restrict s = pr_image_row(in, y);
			for (uint32_t x = 0; x < in->width; x++, s += ch, d += 3) {
				d[0] = s[0];
				d[1] = grey ? s[0] : s[1];
				d[2] = grey ? s[0] : s[2];
			}
		} else {
			const uint16_t *restrict s = (const uint16_t *)pr_image_row(in, y);
			for (uint32_t x = 0; x < in->width; x++, s += ch, d += 3) {
				/* round 0..65535 to 0..255: (v*255 + 32767) / 65535 */
				unsigned r = s[0], g = grey ? s[0] : s[1], b = grey ? s[0] : s[2];
				d[0] = (uint8_t)((r * 255u + 32767u) / 65535u);
				d[1] = (uint8_t)((g * 255u + 32767u) / 65535u);
				d[2] = (uint8_t)((b * 255u + 32767u) / 65535u);
			}
		}
	}
	return 0;
}
