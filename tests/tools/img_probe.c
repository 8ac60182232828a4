/* img_probe: what the integration tests need to know about an image, decoded
 * by photorig's own core (any format it reads: JPEG, PNG, TIFF).
 *
 *   img_probe size FILE                   WxH
 *   img_probe pixel FILE X Y              R G B
 *   img_probe sheet-size N SHOT_W SHOT_H  WxH of a set's contact sheet (one
 *                                         labelled row of N tiles of such shots,
 *                                         laid out by core/outputs/sheet.c itself)
 *   img_probe tiles SHEET N SHOT_W SHOT_H per tile: "i hash outline" (a hash of its
 *                                         thumbnail's pixels, and how many of them
 *                                         are the outline's magenta)
 *   img_probe object IMAGE MASK           "corner R G B" (pixel 2,2) and "object R G B"
 *                                         (the object pixel nearest the centre of
 *                                         the mask's object box)
 *
 * Exit 0, or 1 with a message. A test helper: never installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imageio.h"
#include "sheet.h"

#define SET_TILE_WIDTH 320 /* daemon/sheets.c: SHEET_TILE_WIDTH */

static int load(const char *path, struct pr_image *rgb)
{
	struct pr_image img;
	struct pr_error err;
	if (pr_decode_file(path, &img, &err) || pr_image_to_rgb8(&img, rgb, &err)) {
		fprintf(stderr, "img_probe: %s\n", err.msg);
		return -1;
	}
	pr_image_free(&img);
	return 0;
}

/* A row of n tiles as the daemon makes them from w x h shots: the layout
 * depends only on the thumbnails' sizes. */
static int dummy_row(size_t n, uint32_t w, uint32_t h, struct pr_sheet_tile *t,
		     struct pr_sheet_options *o)
{
	struct pr_image shot;
	struct pr_error err;
	uint8_t *mask = calloc((size_t)w * h, 1);
	pr_sheet_options_default(o);
	o->tile_width = SET_TILE_WIDTH;
	if (!mask || pr_image_alloc(&shot, w, h, 3, 8, &err)) {
		free(mask);
		return -1;
	}
	memset(shot.pixels, 0x80, shot.stride * h);
	for (size_t i = 0; i < n; i++)
		if (pr_sheet_tile_make(&t[i], "cam", &shot, mask, 0, NULL, o, &err))
			return -1;
	pr_image_free(&shot);
	free(mask);
	return 0;
}

static int sheet_cmd(int tiles_mode, char **argv)
{
	size_t n = strtoul(argv[tiles_mode ? 3 : 2], NULL, 10);
	uint32_t w = (uint32_t)strtoul(argv[tiles_mode ? 4 : 3], NULL, 10);
	uint32_t h = (uint32_t)strtoul(argv[tiles_mode ? 5 : 4], NULL, 10);
	struct pr_sheet_tile t[64];
	struct pr_sheet_options o;
	struct pr_error err;
	if (n < 1 || n > 64 || !w || !h || dummy_row(n, w, h, t, &o))
		return 1;
	struct pr_sheet_row row = { "set", t, n };
	int rc = 0;
	if (!tiles_mode) {
		struct pr_image img;
		if (pr_sheet_render(&row, 1, &o, &img, &err))
			rc = 1;
		else
			printf("%ux%u\n", img.width, img.height);
		pr_image_free(&img);
	} else {
		struct pr_image sheet;
		if (load(argv[2], &sheet))
			return 1;
		for (size_t i = 0; i < n; i++) {
			uint32_t x0, y0;
			uint64_t hash = 0xcbf29ce484222325ULL, outline = 0;
			pr_sheet_tile_origin(&row, 1, &o, 0, i, &x0, &y0);
			for (uint32_t y = y0; y < y0 + t[i].thumb.height && y < sheet.height; y++) {
				const uint8_t *p = pr_image_row(&sheet, y);
				for (uint32_t x = x0; x < x0 + t[i].thumb.width && x < sheet.width; x++) {
					const uint8_t *px = p + 3 * x;
					outline += px[0] > 200 && px[1] < 60 && px[2] > 200;
					for (int c = 0; c < 3; c++)
						hash = (hash ^ px[c]) * 0x100000001b3ULL;
				}
			}
			printf("%zu %016llx %llu\n", i, (unsigned long long)hash,
			       (unsigned long long)outline);
		}
		pr_image_free(&sheet);
	}
	for (size_t i = 0; i < n; i++)
		pr_sheet_tile_free(&t[i]);
	return rc;
}

static int object_cmd(char **argv)
{
	struct pr_image img, mask;
	if (load(argv[2], &img) || load(argv[3], &mask))
		return 1;
	if (img.width != mask.width || img.height != mask.height) {
		fprintf(stderr, "img_probe: image %ux%u, mask %ux%u\n", img.width, img.height,
			mask.width, mask.height);
		return 1;
	}
	uint32_t x0 = mask.width, y0 = mask.height, x1 = 0, y1 = 0;
	for (uint32_t y = 0; y < mask.height; y++)
		for (uint32_t x = 0; x < mask.width; x++)
			if (pr_image_row(&mask, y)[3 * x] >= 128) {
				x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
				y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
			}
	if (x0 > x1) {
		fprintf(stderr, "img_probe: the mask has no object\n");
		return 1;
	}
	uint32_t cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, bx = 0, by = 0;
	uint64_t best = UINT64_MAX;
	for (uint32_t y = y0; y <= y1; y++)
		for (uint32_t x = x0; x <= x1; x++) {
			uint64_t d = (uint64_t)((int64_t)x - cx) * (uint64_t)((int64_t)x - cx) +
				     (uint64_t)((int64_t)y - cy) * (uint64_t)((int64_t)y - cy);
			if (pr_image_row(&mask, y)[3 * x] >= 128 && d < best)
				best = d, bx = x, by = y;
		}
	const uint8_t *c = pr_image_row(&img, 2) + 6, *p = pr_image_row(&img, by) + 3 * bx;
	printf("corner %u %u %u\nobject %u %u %u\n", c[0], c[1], c[2], p[0], p[1], p[2]);
	pr_image_free(&img);
	pr_image_free(&mask);
	return 0;
}

int main(int argc, char **argv)
{
	struct pr_image img;
	if (argc == 3 && !strcmp(argv[1], "size")) {
		if (load(argv[2], &img))
			return 1;
		printf("%ux%u\n", img.width, img.height);
		pr_image_free(&img);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "pixel")) {
		uint32_t x = (uint32_t)atoi(argv[3]), y = (uint32_t)atoi(argv[4]);
		if (load(argv[2], &img))
			return 1;
		if (x >= img.width || y >= img.height) {
			fprintf(stderr, "img_probe: %u,%u is outside %ux%u\n", x, y, img.width, img.height);
			return 1;
		}
		const uint8_t *p = pr_image_row(&img, y) + 3 * x;
		printf("%u %u %u\n", p[0], p[1], p[2]);
		pr_image_free(&img);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "sheet-size"))
		return sheet_cmd(0, argv);
	if (argc == 6 && !strcmp(argv[1], "tiles"))
		return sheet_cmd(1, argv);
	if (argc == 4 && !strcmp(argv[1], "object"))
		return object_cmd(argv);
	fprintf(stderr, "usage: img_probe size FILE | pixel FILE X Y | sheet-size N W H |\n"
			"       tiles SHEET N W H | object IMAGE MASK\n");
	return 1;
}
