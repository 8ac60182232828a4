/* Binary morphology on 0/255 masks: dilation and erosion by a square of side
 * 2r+1, done separably (rows, then columns). Each pass is r shifted
 * byte-wise max/min sweeps over whole rows, which the compiler vectorises;
 * clean-up radii are small (1..5), where this beats cleverer schemes. */
#include <stdlib.h>
#include <string.h>

#include "mask_internal.h"
#include "parallel.h"

struct morph_job {
	const uint8_t *in;
	uint8_t *out;
	uint32_t w, h, r;
	int dilate;
};

static inline uint8_t pick(uint8_t a, uint8_t b, int dilate)
{
	return dilate ? (a > b ? a : b) : (a < b ? a : b);
}

/* Horizontal pass: out[x] = max/min of in[x-r .. x+r] (clamped at edges). */
static void rows_pass(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct morph_job *j = ctx;
	const uint32_t w = j->w, r = j->r;
	for (uint32_t y = y0; y < y1; y++) {
		const uint8_t *restrict in = j->in + (size_t)y * w;
		uint8_t *restrict out = j->out + (size_t)y * w;
		memcpy(out, in, w);
		for (uint32_t k = 1; k <= r && k < w; k++) {
			if (j->dilate) {
				for (uint32_t x = 0; x + k < w; x++)
					out[x] = out[x] > in[x + k] ? out[x] : in[x + k];
				for (uint32_t x = k; x < w; x++)
					out[x] = out[x] > in[x - k] ? out[x] : in[x - k];
			} else {
				for (uint32_t x = 0; x + k < w; x++)
					out[x] = out[x] < in[x + k] ? out[x] : in[x + k];
				for (uint32_t x = k; x < w; x++)
					out[x] = out[x] < in[x - k] ? out[x] : in[x - k];
			}
		}
	}
}

/* Vertical pass: out row y = max/min of in rows y-r .. y+r (clamped). */
static void cols_pass(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct morph_job *j = ctx;
	const uint32_t w = j->w, h = j->h, r = j->r;
	for (uint32_t y = y0; y < y1; y++) {
		uint8_t *restrict out = j->out + (size_t)y * w;
		uint32_t from = y >= r ? y - r : 0, to = y + r < h ? y + r : h - 1;
		memcpy(out, j->in + (size_t)from * w, w);
		for (uint32_t yy = from + 1; yy <= to; yy++) {
			const uint8_t *restrict in = j->in + (size_t)yy * w;
			for (uint32_t x = 0; x < w; x++)
				out[x] = pick(out[x], in[x], j->dilate);
		}
	}
}

static int morph(uint8_t *mask, uint32_t w, uint32_t h, uint32_t r, int dilate, int threads)
{
	if (r == 0)
		return 0;
	uint8_t *tmp = malloc((size_t)w * h);
	if (!tmp)
		return PR_ENOMEM;
	struct morph_job j = { .in = mask, .out = tmp, .w = w, .h = h, .r = r, .dilate = dilate };
	pr_parallel_rows(threads, h, rows_pass, &j);
	j.in = tmp;
	j.out = mask;
	pr_parallel_rows(threads, h, cols_pass, &j);
	free(tmp);
	return 0;
}

int mask_dilate(uint8_t *mask, uint32_t width, uint32_t height, uint32_t r, int threads)
{
	return morph(mask, width, height, r, 1, threads);
}

int mask_erode(uint8_t *mask, uint32_t width, uint32_t height, uint32_t r, int threads)
{
	return morph(mask, width, height, r, 0, threads);
}
