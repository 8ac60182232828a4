/* photorig export --image raw: masks for the RAW half of RAW+JPEG shots.
 *
 * photorigd masks the JPEG. A photogrammetry tool that is given the RAW
 * develops it to libraw's output size, which is usually larger than the
 * camera's JPEG (many cameras keep a few sensor columns and rows out of the
 * JPEG, and RAW+JPEG is often shot with a smaller JPEG). A tool refuses or
 * misplaces a mask of another size, so the JPEG's mask is scaled to the RAW's
 * developed size. Nearest neighbour keeps the mask binary (0 or 255), which
 * the tools' masking rules need.
 *
 * Crops: libraw reports where the sensor's visible area begins (left_margin,
 * top_margin) and, for some cameras, the JPEG's own crop of it
 * (raw_inset_crops). Its output image is already the visible area, so the
 * margins need nothing here. The JPEG is taken to show the whole developed
 * area; where a camera's JPEG is an inset crop, the mask's edges are off by
 * that inset scaled (the README says so). */
#include "cmd_export_raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "image.h"
#include "imageio.h"

#ifdef PHOTORIG_HAVE_LIBRAW
#include <libraw/libraw.h>
#endif

#define CMD "export"

int export_raw_available(void)
{
#ifdef PHOTORIG_HAVE_LIBRAW
	return 1;
#else
	return 0;
#endif
}

int export_raw_size(const char *path, uint32_t *width, uint32_t *height)
{
#ifdef PHOTORIG_HAVE_LIBRAW
	libraw_data_t *lr = libraw_init(0);
	if (!lr) {
		fprintf(stderr, "photorig " CMD ": libraw could not start (out of memory)\n");
		return -1;
	}
	int rc = libraw_open_file(lr, path);
	/* adjust_sizes_info_only: the output size as dcraw_process would make
	 * it (rotation, non-square pixels, Fuji's 45-degree sensors) without
	 * decoding a pixel. */
	if (rc == LIBRAW_SUCCESS)
		rc = libraw_adjust_sizes_info_only(lr);
	int w = libraw_get_iwidth(lr), h = libraw_get_iheight(lr);
	libraw_close(lr);
	if (rc != LIBRAW_SUCCESS) {
		fprintf(stderr, "photorig " CMD ": %s: not a RAW file libraw can read: %s\n", path,
			libraw_strerror(rc));
		return -1;
	}
	if (w <= 0 || h <= 0) {
		fprintf(stderr, "photorig " CMD ": %s: libraw reports no image size\n", path);
		return -1;
	}
	*width = (uint32_t)w;
	*height = (uint32_t)h;
	return 0;
#else
	(void)width;
	(void)height;
	fprintf(stderr, "photorig " CMD ": %s: RAW support is not compiled in (photorig was "
		"built without libraw; tools/setup-debian.sh installs libraw-dev)\n", path);
	return -1;
#endif
}

/* The mask's grey value at (x, y): the first channel (masks are grey PNGs;
 * any other layout is read by its first sample). */
static uint8_t mask_at(const struct pr_image *m, uint32_t x, uint32_t y)
{
	size_t bytes = m->depth == 16 ? 2 : 1;
	return m->pixels[(size_t)y * m->stride + (size_t)x * m->channels * bytes];
}

int export_raw_mask(struct export_tree *t, const char *mask_src, const char *raw_src,
		    const char *rel)
{
	uint32_t w, h;
	if (export_raw_size(raw_src, &w, &h))
		return -1;
	struct pr_image m = { 0 };
	struct pr_error err;
	if (mask_src && pr_decode_file(mask_src, &m, &err)) {
		fprintf(stderr, "photorig " CMD ": %s\n", err.msg);
		return -1;
	}
	uint8_t *out = malloc((size_t)w * h), *png = NULL;
	size_t len = 0;
	int rc = -1;
	if (!out) {
		fprintf(stderr, "photorig " CMD ": out of memory for a %ux%u mask\n", w, h);
		goto out;
	}
	for (uint32_t y = 0; y < h; y++) {
		/* the source pixel whose centre is nearest to this one's */
		uint32_t sy = mask_src ? (uint32_t)(((uint64_t)y * 2 + 1) * m.height / (2 * (uint64_t)h)) : 0;
		for (uint32_t x = 0; x < w; x++) {
			uint32_t sx = mask_src ?
				(uint32_t)(((uint64_t)x * 2 + 1) * m.width / (2 * (uint64_t)w)) : 0;
			out[(size_t)y * w + x] = mask_src ? mask_at(&m, sx, sy) : 255;
		}
	}
	if (pr_encode_png_grey8_memory(out, w, h, w, &png, &len, &err))
		fprintf(stderr, "photorig " CMD ": %s\n", err.msg);
	else
		rc = export_tree_write(t, rel, png, len);
out:
	free(out);
	free(png);
	if (mask_src)
		pr_image_free(&m);
	return rc;
}
