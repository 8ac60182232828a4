/* photorig scene --cdnet: a generated scene laid out as the CDnet
 * change-detection benchmark lays out a video, so `photorig eval --cdnet`
 * can be tried, and tested, on pictures whose truth is exact.
 *
 *   input/inNNNNNN.jpg        the plate frames first (the empty background),
 *                             then the shots, numbered from 1
 *   groundtruth/gtNNNNNN.png  255 object (alpha >= 128), 50 cast shadow,
 *                             170 the object's outline (within 2 px of it, as
 *                             CDnet leaves its boundaries unknown), 85 outside
 *                             the region of interest, 0 background
 *   ROI.bmp                   255 inside, 0 outside: the frame less a band
 *                             on the left (1/16 of the width), so that the
 *                             region of interest is not the whole frame
 *   temporalROI.txt           the first and last shot's numbers
 *
 * The plate frames' truth marks a transient (scene --transient) as 170:
 * they are never scored, yet a reader can see where it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "cli_util.h"
#include "cmd_scene_cdnet.h"
#include "imageio.h"

static int fail(const char *what, const struct pr_error *err)
{
	fprintf(stderr, "photorig scene: %s: %s\n", what, err->msg);
	return 1;
}

/* An 8-bit grey BMP (palette of 256 greys, bottom-up rows). */
static int write_bmp_grey(const char *path, const uint8_t *px, uint32_t w, uint32_t h)
{
	const size_t row = ((size_t)w + 3) & ~(size_t)3, pal = 1024, off = 14 + 40 + pal;
	const size_t total = off + row * h;
	uint8_t *b = calloc(total, 1);
	struct pr_error err;
	if (!b) {
		fprintf(stderr, "photorig scene: out of memory for %s\n", path);
		return 1;
	}
	const uint32_t hdr[] = { (uint32_t)total, 0, (uint32_t)off };
	b[0] = 'B';
	b[1] = 'M';
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 4; i++)
			b[2 + 4 * k + i] = (uint8_t)(hdr[k] >> (8 * i));
	const uint32_t info[] = { 40, w, h, 1 | (8u << 16), 0, (uint32_t)(row * h), 2835, 2835,
				  256, 0 };
	for (int k = 0; k < 10; k++)
		for (int i = 0; i < 4; i++)
			b[14 + 4 * k + i] = (uint8_t)(info[k] >> (8 * i));
	for (int i = 0; i < 256; i++)
		memset(b + 54 + 4 * i, i, 3);
	for (uint32_t y = 0; y < h; y++)
		memcpy(b + off + row * (h - 1 - y), px + (size_t)y * w, w);
	int rc = pr_atomic_write(path, b, total, &err);
	free(b);
	return rc ? fail(path, &err) : 0;
}

static int write_jpeg(const char *path, const struct pr_image *img, int q)
{
	uint8_t *data;
	size_t size;
	struct pr_error err;
	int rc = pr_encode_jpeg_memory(img, q, &data, &size, &err);
	if (!rc) {
		rc = pr_atomic_write(path, data, size, &err);
		free(data);
	}
	return rc ? fail(path, &err) : 0;
}

/* The CDnet label of one truth pixel. */
static uint8_t gt_value(uint8_t alpha, uint8_t label, int in_roi)
{
	if (!in_roi)
		return 85;
	if (label & PR_LABEL_EDGE)
		return 170;
	if (alpha >= 128)
		return 255;
	return (label & PR_LABEL_SHADOW) ? 50 : 0;
}

int scene_write_cdnet(struct pr_scene_params *sp, const char *out, uint32_t frames,
		      uint32_t shots, double step, int quality)
{
	char path[4096];
	struct pr_error err;
	const uint32_t w = sp->width, h = sp->height, band = w / 16;
	const size_t n = (size_t)w * h;
	int rc = 1;
	if (quality <= 0)
		quality = 90;
	snprintf(path, sizeof(path), "%s/input", out);
	if (cli_make_dirs("scene", path))
		return 1;
	snprintf(path, sizeof(path), "%s/groundtruth", out);
	if (cli_make_dirs("scene", path))
		return 1;
	uint8_t *roi = malloc(n), *gt = malloc(n);
	if (!roi || !gt) {
		fprintf(stderr, "photorig scene: out of memory\n");
		goto out;
	}
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			roi[(size_t)y * w + x] = x >= band ? 255 : 0;
	snprintf(path, sizeof(path), "%s/ROI.bmp", out);
	if (write_bmp_grey(path, roi, w, h))
		goto out;
	uint32_t num = 1;
	for (uint32_t i = 0; i < frames; i++, num++) {
		struct pr_image img;
		struct pr_scene_truth pt;
		if (pr_scene_render_plate_truth(sp, i, &img, &pt, &err)) {
			fail("plate", &err);
			goto out;
		}
		for (size_t k = 0; k < n; k++)
			gt[k] = roi[k] ? (pt.alpha[k] ? 170 : 0) : 85;
		pr_scene_truth_free(&pt);
		snprintf(path, sizeof(path), "%s/input/in%06u.jpg", out, num);
		int wr = write_jpeg(path, &img, quality);
		pr_image_free(&img);
		snprintf(path, sizeof(path), "%s/groundtruth/gt%06u.png", out, num);
		if (wr || (wr = pr_write_png_grey8(path, gt, w, h, w, &err))) {
			if (wr < 0)
				fail(path, &err);
			goto out;
		}
	}
	const float angle0 = sp->angle_deg;
	for (uint32_t i = 0; i < shots; i++, num++) {
		struct pr_image img;
		struct pr_scene_truth t;
		sp->shot_index = i;
		sp->angle_deg = angle0 + (float)(step * i);
		if (pr_scene_render_shot(sp, &img, &t, &err)) {
			fail("shot", &err);
			goto out;
		}
		for (size_t k = 0; k < n; k++)
			gt[k] = gt_value(t.alpha[k], t.labels[k], roi[k] != 0);
		pr_scene_truth_free(&t);
		snprintf(path, sizeof(path), "%s/input/in%06u.jpg", out, num);
		int wr = write_jpeg(path, &img, quality);
		pr_image_free(&img);
		snprintf(path, sizeof(path), "%s/groundtruth/gt%06u.png", out, num);
		if (wr || (wr = pr_write_png_grey8(path, gt, w, h, w, &err))) {
			if (wr < 0)
				fail(path, &err);
			goto out;
		}
	}
	snprintf(path, sizeof(path), "%s/temporalROI.txt", out);
	char text[64];
	int len = snprintf(text, sizeof(text), "%u %u\n", frames + 1, frames + shots);
	if (pr_atomic_write(path, text, (size_t)len, &err)) {
		fail(path, &err);
		goto out;
	}
	printf("wrote a CDnet-style recording to %s: frames 1..%u for the plate, %u..%u scored\n",
	       out, frames, frames + 1, frames + shots);
	rc = 0;
out:
	free(roi);
	free(gt);
	return rc;
}
