/* Plate model: build from frames, estimate noise, save and load.
 *
 * File layout (version 1, all integers little-endian):
 *    0  8  magic "PRPLATE\0"
 *    8  4  version (1)
 *   12  4  header size H (offset of the mean plane)
 *   16  4  width          20  4  height
 *   24  4  frames         28  4  flags (bit 0: a noise plane follows the mean)
 *   32 12  global noise, 3 x IEEE-754 float32 (8-bit levels)
 *   44  8  id             52  8  created (UNIX seconds, signed)
 *   60  4  settings length S, then S bytes of "key=value\n" text (no NUL)
 *    H     mean plane, width*height*3 bytes, RGB, rows top to bottom
 *          noise plane, width*height bytes, sigma*4 (if flag bit 0)
 *  end-4 4 CRC-32 (zlib) of every byte before it
 */
#include "plate.h"
#include "select.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>


/* Shrinkage of per-pixel noise toward the image-wide level: a pixel's
 * variance from a handful of frames is itself noisy, so it is blended with
 * the global level as if that were worth this many extra samples. */
#define NOISE_PRIOR_SAMPLES 6.0

int pr_plate_builder_init(struct pr_plate_builder *b)
{
	memset(b, 0, sizeof(*b));
	return 0;
}

void pr_plate_builder_free(struct pr_plate_builder *b)
{
	if (!b)
		return;
	free(b->first);
	free(b->sum);
	free(b->sumsq);
	free(b->ref);
	memset(b, 0, sizeof(*b));
}

static float median_inplace(float *v, size_t n)
{
	return n ? pr_select_float(v, n, n / 2) : 0;
}

/* Exposure reference: a sparse grid of the first frame, about 64K pixels. */
#define REF_SAMPLES 65536

static uint32_t ref_step(uint32_t w, uint32_t h)
{
	uint32_t step = (uint32_t)sqrt((double)w * h / REF_SAMPLES);
	return step < 1 ? 1 : step;
}

static int take_reference(struct pr_plate_builder *b, const struct pr_image *src)
{
	uint32_t step = ref_step(b->width, b->height);
	size_t n = (size_t)((b->width + step - 1) / step) * ((b->height + step - 1) / step);
	b->ref = malloc(n * 3);
	if (!b->ref)
		return -1;
	b->nref = 0;
	for (uint32_t y = 0; y < b->height; y += step)
		for (uint32_t x = 0; x < b->width; x += step)
			memcpy(b->ref + 3 * b->nref++, pr_image_row(src, y) + 3 * (size_t)x, 3);
	return 0;
}

/* Cameras drift a little in exposure between plate frames. Left alone,
 * that drift would be counted as every pixel's noise and blunt the mask,
 * so each later frame is brought to the first frame's exposure: per
 * channel, the median ratio over the reference grid, applied by a table. */
static int exposure_table(const struct pr_plate_builder *b, const struct pr_image *src,
			  uint8_t lut[3][256])
{
	uint32_t step = ref_step(b->width, b->height);
	float *ratio = malloc(sizeof(float) * (b->nref ? b->nref : 1));
	int needed = 0;
	for (int c = 0; c < 3; c++) {
		float gain = 1.0f;
		size_t k = 0, i = 0;
		for (uint32_t y = 0; ratio && y < b->height; y += step)
			for (uint32_t x = 0; x < b->width; x += step, i++) {
				float r = b->ref[3 * i + c], s = pr_image_row(src, y)[3 * (size_t)x + c];
				if (r >= 16 && r <= 240 && s >= 4 && s <= 250)
					ratio[k++] = s / r;
			}
		if (k >= 64)
			gain = median_inplace(ratio, k);
		if (fabsf(gain - 1.0f) > 0.002f)
			needed = 1;
		for (int v = 0; v < 256; v++) {
			float t = v / gain + 0.5f;
			lut[c][v] = (uint8_t)(t > 255 ? 255 : t);
		}
	}
	free(ratio);
	return needed;
}

/* Single-image noise: the 3x3 Laplacian-difference operator of Immerkaer
 * (1996) cancels smooth shading; its response to white noise has standard
 * deviation 6*sigma. The median absolute response (robust to the textured
 * and edge pixels that would inflate a mean) over a grid sample gives
 * sigma = median / (0.6745 * 6). */
void pr_plate_estimate_noise(const uint8_t *rgb, uint32_t width, uint32_t height,
			     size_t stride, float sigma[3])
{
	enum { MAX_SAMPLES = 65536 };
	sigma[0] = sigma[1] = sigma[2] = PR_PLATE_SINGLE_NOISE_FLOOR;
	if (width < 3 || height < 3)
		return;
	uint64_t inner = (uint64_t)(width - 2) * (height - 2);
	uint32_t step = 1;
	while (inner / ((uint64_t)step * step) > MAX_SAMPLES)
		step++;
	float *v = malloc(sizeof(float) * MAX_SAMPLES);
	if (!v)
		return;
	for (int c = 0; c < 3; c++) {
		size_t n = 0;
		for (uint32_t y = 1; y + 1 < height && n < MAX_SAMPLES; y += step) {
			const uint8_t *r0 = rgb + (size_t)(y - 1) * stride;
			const uint8_t *r1 = r0 + stride, *r2 = r1 + stride;
			for (uint32_t x = 1; x + 1 < width && n < MAX_SAMPLES; x += step) {
				size_t l = (x - 1) * 3 + c, m = x * 3 + c, r = (x + 1) * 3 + c;
				int resp = r0[l] - 2 * r0[m] + r0[r] - 2 * r1[l] + 4 * r1[m] -
					   2 * r1[r] + r2[l] - 2 * r2[m] + r2[r];
				v[n++] = (float)abs(resp);
			}
		}
		float s = median_inplace(v, n) / (0.6745f * 6.0f);
		sigma[c] = s < PR_PLATE_SINGLE_NOISE_FLOOR ? PR_PLATE_SINGLE_NOISE_FLOOR : s;
	}
	free(v);
}

int pr_plate_builder_add(struct pr_plate_builder *b, const struct pr_image *frame,
			 const char *name, struct pr_error *err)
{
	struct pr_image rgb = { 0 };
	const struct pr_image *src = frame;
	int rc;

	if (b->frames == 0) {
		b->width = frame->width;
		b->height = frame->height;
	} else if (frame->width != b->width || frame->height != b->height) {
		return pr_error_set(err, PR_ESIZE,
				    "%s: plate frame is %ux%u, the first plate frame was %ux%u", name,
				    frame->width, frame->height, b->width, b->height);
	}
	if (b->frames >= PR_PLATE_MAX_FRAMES)
		return pr_error_set(err, PR_EINVAL, "%s: a plate takes at most %u frames", name,
				    PR_PLATE_MAX_FRAMES);
	if (frame->channels != 3 || frame->depth != 8) {
		rc = pr_image_to_rgb8(frame, &rgb, err);
		if (rc)
			return rc;
		src = &rgb;
	}
	const size_t npix = (size_t)b->width * b->height;
	/* A plate of one frame (the common case: one empty shot per camera)
	 * is that frame: it is kept as it is, and the sums (240 MB at 24 MP)
	 * are only made when a second frame arrives. */
	if (b->frames == 0) {
		b->first = malloc(npix * 3);
		if (!b->first) {
			pr_image_free(&rgb);
			pr_plate_builder_free(b);
			return pr_error_set(err, PR_ENOMEM, "%s: out of memory for the plate model", name);
		}
		for (uint32_t y = 0; y < b->height; y++)
			memcpy(b->first + (size_t)y * b->width * 3, pr_image_row(src, y),
			       (size_t)b->width * 3);
		pr_plate_estimate_noise(src->pixels, src->width, src->height, src->stride,
					b->first_noise);
		if (take_reference(b, src)) {
			pr_image_free(&rgb);
			pr_plate_builder_free(b);
			return pr_error_set(err, PR_ENOMEM, "%s: out of memory for the plate model", name);
		}
		b->frames++;
		pr_image_free(&rgb);
		return 0;
	}
	if (!b->sum) {
		b->sum = malloc(npix * 3 * sizeof(*b->sum));
		b->sumsq = malloc(npix * sizeof(*b->sumsq));
		if (!b->sum || !b->sumsq) {
			pr_image_free(&rgb);
			pr_plate_builder_free(b);
			return pr_error_set(err, PR_ENOMEM, "%s: out of memory for the plate model", name);
		}
		const uint8_t *restrict f = b->first;
		for (size_t i = 0; i < npix; i++) {
			uint32_t r = f[3 * i], g = f[3 * i + 1], bl = f[3 * i + 2];
			b->sum[3 * i] = (uint16_t)r;
			b->sum[3 * i + 1] = (uint16_t)g;
			b->sum[3 * i + 2] = (uint16_t)bl;
			b->sumsq[i] = r * r + g * g + bl * bl;
		}
		free(b->first);
		b->first = NULL;
	}
	uint8_t lut[3][256];
	if (exposure_table(b, src, lut)) {
		/* rgb is ours to change; a caller's 8-bit RGB frame is copied first */
		if (src != &rgb) {
			rc = pr_image_alloc(&rgb, src->width, src->height, 3, 8, err);
			if (rc)
				return rc;
			for (uint32_t y = 0; y < b->height; y++)
				memcpy(pr_image_row(&rgb, y), pr_image_row(src, y), (size_t)b->width * 3);
			src = &rgb;
		}
		for (uint32_t y = 0; y < b->height; y++) {
			uint8_t *row = pr_image_row(&rgb, y);
			for (uint32_t x = 0; x < b->width; x++)
				for (int c = 0; c < 3; c++)
					row[3 * x + c] = lut[c][row[3 * x + c]];
		}
	}
	for (uint32_t y = 0; y < b->height; y++) {
		const uint8_t *restrict s = pr_image_row(src, y);
		uint16_t *restrict sum = b->sum + (size_t)y * b->width * 3;
		uint32_t *restrict sq = b->sumsq + (size_t)y * b->width;
		for (uint32_t x = 0; x < b->width; x++) {
			uint32_t r = s[3 * x], g = s[3 * x + 1], bl = s[3 * x + 2];
			sum[3 * x] += (uint16_t)r;
			sum[3 * x + 1] += (uint16_t)g;
			sum[3 * x + 2] += (uint16_t)bl;
			sq[x] += r * r + g * g + bl * bl;
		}
	}
	b->frames++;
	pr_image_free(&rgb);
	return 0;
}

static uint64_t plate_content_id(const struct pr_plate *p)
{
	size_t npix = (size_t)p->width * p->height;
	uLong a = crc32(0L, p->mean, (uInt)0);
	/* crc32 takes uInt lengths: feed large planes in pieces */
	for (size_t off = 0; off < npix * 3; off += 1u << 30) {
		size_t n = npix * 3 - off < (1u << 30) ? npix * 3 - off : (1u << 30);
		a = crc32(a, p->mean + off, (uInt)n);
	}
	uLong b = crc32(0L, (const Bytef *)&p->created, sizeof(p->created));
	b = crc32(b, (const Bytef *)p->global_noise, sizeof(p->global_noise));
	b = crc32(b, (const Bytef *)&p->frames, sizeof(p->frames));
	if (p->noise)
		for (size_t off = 0; off < npix; off += 1u << 30) {
			size_t n = npix - off < (1u << 30) ? npix - off : (1u << 30);
			b = crc32(b, p->noise + off, (uInt)n);
		}
	return ((uint64_t)a << 32) | (uint64_t)b;
}

int pr_plate_builder_finish(struct pr_plate_builder *b, struct pr_plate *out, struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (b->frames == 0)
		return pr_error_set(err, PR_EINVAL, "a plate needs at least one frame");
	const size_t npix = (size_t)b->width * b->height;
	const uint32_t n = b->frames;
	out->width = b->width;
	out->height = b->height;
	out->frames = n;
	out->created = (int64_t)time(NULL);
	if (n == 1) {
		/* the mean of one frame is the frame: handed over, not copied */
		out->mean = b->first;
		b->first = NULL;
		memcpy(out->global_noise, b->first_noise, sizeof(out->global_noise));
	} else {
		out->mean = malloc(npix * 3);
		if (!out->mean)
			goto nomem;
		for (size_t i = 0; i < npix * 3; i++)
			out->mean[i] = (uint8_t)((b->sum[i] + n / 2) / n);
		out->noise = malloc(npix);
		if (!out->noise)
			goto nomem;
		/* Per-pixel variance over frames, averaged over the 3 channels. */
		const double inv_n = 1.0 / n, inv_df = 1.0 / (3.0 * (n - 1));
		float *sample = malloc(sizeof(float) * 65536);
		size_t ns = 0, sstep = npix / 65536 + 1;
		if (!sample)
			goto nomem;
		float *var = malloc(sizeof(float) * npix);
		if (!var) {
			free(sample);
			goto nomem;
		}
		for (size_t i = 0; i < npix; i++) {
			double s0 = b->sum[3 * i], s1 = b->sum[3 * i + 1], s2 = b->sum[3 * i + 2];
			double v = (b->sumsq[i] - (s0 * s0 + s1 * s1 + s2 * s2) * inv_n) * inv_df;
			var[i] = v > 0 ? (float)v : 0.0f;
			if (i % sstep == 0 && ns < 65536)
				sample[ns++] = var[i];
		}
		float global_var = median_inplace(sample, ns);
		free(sample);
		float g = sqrtf(global_var);
		if (g < PR_PLATE_NOISE_FLOOR)
			g = PR_PLATE_NOISE_FLOOR;
		out->global_noise[0] = out->global_noise[1] = out->global_noise[2] = g;
		const double df = 3.0 * (n - 1), prior = NOISE_PRIOR_SAMPLES * g * g;
		for (size_t i = 0; i < npix; i++) {
			double v = (df * var[i] + prior) / (df + NOISE_PRIOR_SAMPLES);
			double q = sqrt(v) * PR_PLATE_NOISE_SCALE + 0.5;
			out->noise[i] = (uint8_t)(q > 255 ? 255 : q);
		}
		free(var);
	}
	out->id = plate_content_id(out);
	return 0;
nomem:
	pr_plate_free(out);
	return pr_error_set(err, PR_ENOMEM, "out of memory building a %ux%u plate model", b->width,
			    b->height);
}

void pr_plate_free(struct pr_plate *p)
{
	if (!p)
		return;
	free(p->mean);
	free(p->noise);
	memset(p, 0, sizeof(*p));
}
