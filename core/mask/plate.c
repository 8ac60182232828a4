/* Plate model: build from frames (the robust combination of the frames is
 * plate_robust.c, the single-frame noise estimate plate_noise.c).
 *
 * File layout (version 2, all integers little-endian; version 1 is the same
 * without the transient fields):
 *    0  8  magic "PRPLATE\0"
 *    8  4  version (1)
 *   12  4  header size H (offset of the mean plane)
 *   16  4  width          20  4  height
 *   24  4  frames         28  4  flags (bit 0: a noise plane follows the mean)
 *   32 12  global noise, 3 x IEEE-754 float32 (8-bit levels)
 *   44  8  id             52  8  created (UNIX seconds, signed)
 *   60  4  settings length S, then S bytes of "key=value\n" text (no NUL)
 * 64+S 24  (v2) transient share (float64 bits), x, y, w, h (4 x uint32)
 *    H     mean plane, width*height*3 bytes, RGB, rows top to bottom
 *          noise plane, width*height bytes, sigma*4 (if flag bit 0)
 *  end-4 4 CRC-32 (zlib) of every byte before it
 */
#include "plate.h"
#include "plate_internal.h"
#include "parallel.h"
#include "select.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

int pr_plate_builder_init(struct pr_plate_builder *b)
{
	memset(b, 0, sizeof(*b));
	return 0;
}

void pr_plate_builder_free(struct pr_plate_builder *b)
{
	if (!b)
		return;
	for (uint32_t k = 0; k < b->nbins; k++)
		free(b->bin[k]);
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

/* Two neighbouring bins (consecutive in time) with the fewest frames
 * between them become one, their frame-weighted mean: room for one more. */
static void merge_bins(struct pr_plate_builder *b, size_t nsamples)
{
	uint32_t best = 0;
	for (uint32_t k = 1; k + 1 < b->nbins; k++)
		if (b->weight[k] + b->weight[k + 1] < b->weight[best] + b->weight[best + 1])
			best = k;
	uint8_t *restrict d = b->bin[best];
	const uint8_t *restrict e = b->bin[best + 1];
	const uint32_t wa = b->weight[best], wb = b->weight[best + 1], wt = wa + wb;
	for (size_t i = 0; i < nsamples; i++)
		d[i] = (uint8_t)((d[i] * wa + e[i] * wb + wt / 2) / wt);
	free(b->bin[best + 1]);
	b->weight[best] = wt;
	for (uint32_t k = best + 1; k + 1 < b->nbins; k++) {
		b->bin[k] = b->bin[k + 1];
		b->weight[k] = b->weight[k + 1];
	}
	b->nbins--;
	b->bin[b->nbins] = NULL;
}

/* A frame's pixels into a bin, through the exposure table lut if given. */
static void copy_frame(const struct pr_plate_builder *b, const struct pr_image *src,
		       uint8_t lut[3][256], uint8_t *dst)
{
	for (uint32_t y = 0; y < b->height; y++) {
		const uint8_t *restrict s = pr_image_row(src, y);
		uint8_t *restrict d = dst + (size_t)y * b->width * 3;
		if (!lut) {
			memcpy(d, s, (size_t)b->width * 3);
			continue;
		}
		for (uint32_t x = 0; x < b->width; x++)
			for (int c = 0; c < 3; c++)
				d[3 * x + c] = lut[c][s[3 * x + c]];
	}
}

/* owned: the caller's frame, whose pixels may be kept instead of copied
 * (NULL: they may not) */
static int builder_add(struct pr_plate_builder *b, const struct pr_image *frame,
		       struct pr_image *owned, const char *name, struct pr_error *err)
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
	if (b->frames == 0) {
		size_t fit = PR_PLATE_BUILD_BUDGET / (npix * 3);
		b->maxbins = fit < 3 ? 3 : (fit > PR_PLATE_MAX_BINS ? PR_PLATE_MAX_BINS : (uint32_t)fit);
		pr_plate_estimate_noise(src->pixels, src->width, src->height, src->stride,
					b->first_noise);
		if (take_reference(b, src)) {
			pr_image_free(&rgb);
			pr_plate_builder_free(b);
			return pr_error_set(err, PR_ENOMEM, "%s: out of memory for the plate model", name);
		}
	}
	if (b->nbins == b->maxbins)
		merge_bins(b, npix * 3);
	uint8_t lut[3][256];
	const int scale = b->frames > 0 && exposure_table(b, src, lut);
	/* A frame kept as it is needs no copy: the converted frame's pixels, or
	 * the caller's where it gave them (72 MB at 24 MP, and as many fresh
	 * pages to fault in). */
	struct pr_image *spare = src == &rgb ? &rgb : owned;
	uint8_t *dst;
	if (!scale && spare && spare->stride == (size_t)b->width * 3) {
		dst = spare->pixels;
		spare->pixels = NULL;
	} else if (!(dst = malloc(npix * 3))) {
		pr_image_free(&rgb);
		pr_plate_builder_free(b);
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory for the plate model", name);
	} else {
		copy_frame(b, src, scale ? lut : NULL, dst);
	}
	b->bin[b->nbins] = dst;
	b->weight[b->nbins] = 1;
	b->nbins++;
	b->frames++;
	pr_image_free(&rgb);
	return 0;
}

int pr_plate_builder_add(struct pr_plate_builder *b, const struct pr_image *frame,
			 const char *name, struct pr_error *err)
{
	return builder_add(b, frame, NULL, name, err);
}

int pr_plate_builder_take(struct pr_plate_builder *b, struct pr_image *frame, const char *name,
			  struct pr_error *err)
{
	return builder_add(b, frame, frame, name, err);
}

/* CRC-32 of a buffer in pieces spread over the cores, joined with crc32_combine:
 * the same value as one pass, which at 24 MP took tens of milliseconds of a
 * single core before every shot could be masked. */
#define CRC_PIECES_MAX 64
/* pr_parallel_rows gives a thread no fewer than 16 "rows" (here pieces) */
#define CRC_PIECES_PER_CORE 16

struct crc_job {
	const uint8_t *p;
	size_t n, piece;
	uLong crc[CRC_PIECES_MAX];
};

static void crc_pieces(void *ctx, uint32_t i0, uint32_t i1)
{
	struct crc_job *j = ctx;
	for (uint32_t i = i0; i < i1; i++) {
		size_t from = (size_t)i * j->piece, to = from + j->piece < j->n ? from + j->piece : j->n;
		uLong c = crc32(0L, Z_NULL, 0);
		/* crc32 takes uInt lengths: feed large pieces in parts */
		for (size_t off = from; off < to; off += 1u << 30) {
			size_t k = to - off < (1u << 30) ? to - off : (1u << 30);
			c = crc32(c, j->p + off, (uInt)k);
		}
		j->crc[i] = c;
	}
}

static uLong crc32_parallel(uLong crc, const uint8_t *p, size_t n)
{
	struct crc_job j = { .p = p, .n = n };
	size_t pieces = (size_t)pr_cpu_count() * CRC_PIECES_PER_CORE;
	pieces = pieces > CRC_PIECES_MAX ? CRC_PIECES_MAX : pieces;
	if (n < ((size_t)1 << 22))
		pieces = 1; /* small planes: threads cost more than they save */
	j.piece = (n + pieces - 1) / pieces;
	pieces = j.piece ? (n + j.piece - 1) / j.piece : 0;
	pr_parallel_rows(0, (uint32_t)pieces, crc_pieces, &j);
	for (size_t i = 0; i < pieces; i++) {
		size_t len = (i + 1) * j.piece < n ? j.piece : n - i * j.piece;
		crc = crc32_combine(crc, j.crc[i], (z_off_t)len);
	}
	return crc;
}

static uint64_t plate_content_id(const struct pr_plate *p)
{
	size_t npix = (size_t)p->width * p->height;
	uLong a = crc32_parallel(crc32(0L, Z_NULL, 0), p->mean, npix * 3);
	uLong b = crc32(0L, (const Bytef *)&p->created, sizeof(p->created));
	b = crc32(b, (const Bytef *)p->global_noise, sizeof(p->global_noise));
	b = crc32(b, (const Bytef *)&p->frames, sizeof(p->frames));
	if (p->noise)
		b = crc32_parallel(b, p->noise, npix);
	return ((uint64_t)a << 32) | (uint64_t)b;
}

int pr_plate_builder_finish(struct pr_plate_builder *b, struct pr_plate *out, struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (b->frames == 0)
		return pr_error_set(err, PR_EINVAL, "a plate needs at least one frame");
	out->width = b->width;
	out->height = b->height;
	out->frames = b->frames;
	out->created = (int64_t)time(NULL);
	if (b->frames == 1) {
		/* the plate of one frame is that frame: handed over, not copied */
		out->mean = b->bin[0];
		b->bin[0] = NULL;
		memcpy(out->global_noise, b->first_noise, sizeof(out->global_noise));
	} else if (plate_combine(b, out)) {
		pr_plate_free(out);
		return pr_error_set(err, PR_ENOMEM, "out of memory building a %ux%u plate model",
				    b->width, b->height);
	}
	out->id = plate_content_id(out);
	return 0;
}

void pr_plate_free(struct pr_plate *p)
{
	if (!p)
		return;
	free(p->mean);
	free(p->noise);
	memset(p, 0, sizeof(*p));
}
