/* Decontaminating edge colours: the object's colour F where the alpha is
 * partial, from the compositing equation I = a F + (1 - a) B.
 *
 * Two kinds of local average feed it, both kept as weighted sums on a grid
 * of cells of `cell` pixels: the colour of nearby fully opaque pixels (the
 * fallback for small alpha, where the division by a amplifies noise) and
 * nearby background pixels (alpha 0): their colour is B itself when there is
 * no plate; with a plate, their ratio to the plate's prediction corrects the
 * prediction for what the plate cannot know, such as the object's own cast
 * shadow. Only pixels whose four neighbours agree count, so a pixel next to
 * the outline (often mixed even where the alpha says it is not) does not.
 *
 * Each grid is box-summed over 3x3 cells, then filled outwards where a
 * neighbourhood had no such pixels (push-pull: coarser levels sum their
 * children, empty cells take their parent's mean at a token weight), and
 * read back bilinearly between cell centres. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "composite_internal.h"

/* Alpha below which F leans on nearby opaque colour, and where it is all
 * nearby colour (fractions of 255). */
#define FG_SOLVE_FULL 0.25f
#define FG_SOLVE_NONE 0.10f
/* Bounds of the shot / prediction ratio: a shadow darkens to ~0.45, spill
 * and reflections brighten a little. */
#define BG_RATIO_MIN 0.4f
#define BG_RATIO_MAX 1.2f
/* Weight of a cell filled from its parent: far below any real cell. */
#define FILL_WEIGHT 1e-3f

static int grid_alloc(struct fg_grid *g, uint32_t w, uint32_t h, uint32_t k)
{
	g->w = w;
	g->h = h;
	g->k = k;
	g->v = calloc((size_t)w * h * k, sizeof(float));
	return g->v ? 0 : -1;
}

static void grid_free(struct fg_grid *g)
{
	free(g->v);
	g->v = NULL;
}

/* Sum over the 3x3 cells around each cell (clamped at the edges). */
static int grid_box3(struct fg_grid *g)
{
	const uint32_t w = g->w, h = g->h, k = g->k;
	float *tmp = malloc(sizeof(float) * (size_t)w * h * k);
	if (!tmp)
		return -1;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			float *d = tmp + ((size_t)y * w + x) * k;
			for (uint32_t c = 0; c < k; c++)
				d[c] = 0;
			for (uint32_t xx = x ? x - 1 : 0; xx <= x + 1 && xx < w; xx++) {
				const float *s = g->v + ((size_t)y * w + xx) * k;
				for (uint32_t c = 0; c < k; c++)
					d[c] += s[c];
			}
		}
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			float *d = g->v + ((size_t)y * w + x) * k;
			for (uint32_t c = 0; c < k; c++)
				d[c] = 0;
			for (uint32_t yy = y ? y - 1 : 0; yy <= y + 1 && yy < h; yy++) {
				const float *s = tmp + ((size_t)yy * w + x) * k;
				for (uint32_t c = 0; c < k; c++)
					d[c] += s[c];
			}
		}
	free(tmp);
	return 0;
}

/* Fill empty cells from coarser levels (recursively, so any distance). */
static int grid_fill(struct fg_grid *g)
{
	const uint32_t k = g->k;
	int empty = 0;
	for (size_t i = 0; i < (size_t)g->w * g->h && !empty; i++)
		empty = g->v[i * k] <= 0;
	if (!empty || (g->w == 1 && g->h == 1))
		return 0;
	struct fg_grid up;
	if (grid_alloc(&up, (g->w + 1) / 2, (g->h + 1) / 2, k))
		return -1;
	for (uint32_t y = 0; y < g->h; y++)
		for (uint32_t x = 0; x < g->w; x++) {
			const float *s = g->v + ((size_t)y * g->w + x) * k;
			float *d = up.v + ((size_t)(y / 2) * up.w + x / 2) * k;
			if (s[0] > FILL_WEIGHT) /* real evidence only */
				for (uint32_t c = 0; c < k; c++)
					d[c] += s[c];
		}
	if (grid_fill(&up)) {
		grid_free(&up);
		return -1;
	}
	for (uint32_t y = 0; y < g->h; y++)
		for (uint32_t x = 0; x < g->w; x++) {
			float *d = g->v + ((size_t)y * g->w + x) * k;
			const float *s = up.v + ((size_t)(y / 2) * up.w + x / 2) * k;
			if (d[0] > 0 || s[0] <= 0)
				continue;
			for (uint32_t c = 0; c < k; c++)
				d[c] = s[c] * (FILL_WEIGHT / s[0]);
		}
	grid_free(&up);
	return 0;
}

/* Bilinear read of the sums at pixel (x, y); out[0] is the weight. */
static void grid_read(const struct fg_grid *g, uint32_t cell, uint32_t x, uint32_t y, float *out)
{
	float gx = ((float)x + 0.5f) / (float)cell - 0.5f;
	float gy = ((float)y + 0.5f) / (float)cell - 0.5f;
	gx = gx < 0 ? 0 : gx > (float)(g->w - 1) ? (float)(g->w - 1) : gx;
	gy = gy < 0 ? 0 : gy > (float)(g->h - 1) ? (float)(g->h - 1) : gy;
	uint32_t x0 = (uint32_t)gx, y0 = (uint32_t)gy;
	uint32_t x1 = x0 + 1 < g->w ? x0 + 1 : x0, y1 = y0 + 1 < g->h ? y0 + 1 : y0;
	float fx = gx - (float)x0, fy = gy - (float)y0;
	const float *a = g->v + ((size_t)y0 * g->w + x0) * g->k;
	const float *b = g->v + ((size_t)y0 * g->w + x1) * g->k;
	const float *c = g->v + ((size_t)y1 * g->w + x0) * g->k;
	const float *d = g->v + ((size_t)y1 * g->w + x1) * g->k;
	for (uint32_t i = 0; i < g->k; i++)
		out[i] = (a[i] * (1 - fx) + b[i] * fx) * (1 - fy) + (c[i] * (1 - fx) + d[i] * fx) * fy;
}

static inline float clampf(float v, float lo, float hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The plate's prediction of the background at pixel i. */
static inline void predict(const struct fg_estimator *e, size_t i, float p[3])
{
	const uint8_t *m = e->plate->mean + 3 * i;
	for (int c = 0; c < 3; c++)
		p[c] = clampf(e->gain[c] * m[c] + e->offset[c], 0, 255);
}

/* Whether pixel x of row y and its four neighbours all have alpha v. */
static inline int settled(const uint8_t *a, uint32_t W, uint32_t H, uint32_t x, uint32_t y,
			  uint8_t v)
{
	const uint8_t *r = a + (size_t)y * W;
	return r[x] == v && (x == 0 || r[x - 1] == v) && (x + 1 == W || r[x + 1] == v) &&
	       (y == 0 || r[x - (size_t)W] == v) && (y + 1 == H || r[x + (size_t)W] == v);
}

int fg_estimator_init(struct fg_estimator *e, const struct pr_image *rgb, const uint8_t *alpha,
		      const struct pr_plate *plate, const struct pr_mask_stats *st,
		      struct pr_error *err)
{
	const uint32_t W = rgb->width, H = rgb->height;
	memset(e, 0, sizeof(*e));
	e->rgb = rgb;
	e->alpha = alpha;
	e->plate = plate;
	for (int c = 0; c < 3; c++) {
		e->gain[c] = plate && st ? (float)st->gain[c] : 1.0f;
		e->offset[c] = plate && st ? (float)st->offset[c] : 0.0f;
	}
	/* a neighbourhood of 3 cells: ~6 px at VGA, ~50 px at 24 MP, about the
	 * reach of the soft edge the feathering leaves */
	uint32_t side = W < H ? W : H;
	e->cell = side / 240 > 2 ? side / 240 : 2;
	const uint32_t gw = (W + e->cell - 1) / e->cell, gh = (H + e->cell - 1) / e->cell;
	const uint32_t kb = plate ? 7 : 4;
	if (grid_alloc(&e->fg, gw, gh, 4) || grid_alloc(&e->bg, gw, gh, kb))
		goto oom;
	for (uint32_t y = 0; y < H; y++) {
		const uint8_t *I = pr_image_row(rgb, y);
		const uint8_t *a = alpha + (size_t)y * W;
		float *fr = e->fg.v + (size_t)(y / e->cell) * gw * 4;
		float *br = e->bg.v + (size_t)(y / e->cell) * gw * kb;
		for (uint32_t x = 0; x < W; x++) {
			if (a[x] == 255 && settled(alpha, W, H, x, y, 255)) {
				float *d = fr + (x / e->cell) * 4;
				d[0] += 1;
				for (int c = 0; c < 3; c++)
					d[1 + c] += I[3 * x + c];
			} else if (a[x] == 0 && settled(alpha, W, H, x, y, 0)) {
				float *d = br + (x / e->cell) * kb;
				d[0] += 1;
				for (int c = 0; c < 3; c++)
					d[1 + c] += I[3 * x + c];
				if (plate) {
					float p[3];
					predict(e, (size_t)y * W + x, p);
					for (int c = 0; c < 3; c++)
						d[4 + c] += p[c];
				}
			}
		}
	}
	if (grid_box3(&e->fg) || grid_box3(&e->bg) || grid_fill(&e->fg) || grid_fill(&e->bg))
		goto oom;
	return 0;
oom:
	fg_estimator_free(e);
	return pr_error_set(err, PR_ENOMEM, "out of memory estimating edge colours (%ux%u)", W, H);
}

void fg_estimator_free(struct fg_estimator *e)
{
	grid_free(&e->fg);
	grid_free(&e->bg);
}

void fg_estimator_row(const struct fg_estimator *e, uint32_t y, uint32_t x0, uint32_t x1,
		      uint8_t *restrict out)
{
	const uint32_t W = e->rgb->width;
	const uint8_t *restrict I = pr_image_row(e->rgb, y);
	const uint8_t *restrict a = e->alpha + (size_t)y * W;
	for (uint32_t x = x0; x < x1; x++) {
		uint8_t *o = out + 3 * (size_t)(x - x0);
		const uint8_t *px = I + 3 * (size_t)x;
		if (a[x] == 0 || a[x] == 255) {
			memcpy(o, px, 3);
			continue;
		}
		const float al = a[x] / 255.0f;
		float B[3] = { 0, 0, 0 }, s[7], near[4];
		int have_b = 1;
		grid_read(&e->bg, e->cell, x, y, s);
		if (e->plate) {
			predict(e, (size_t)y * W + x, B);
			for (int c = 0; c < 3; c++) {
				float r = s[0] > 0 && s[4 + c] > 1e-3f ? s[1 + c] / s[4 + c] : 1.0f;
				B[c] *= clampf(r, BG_RATIO_MIN, BG_RATIO_MAX);
			}
		} else if (s[0] > 0) {
			for (int c = 0; c < 3; c++)
				B[c] = s[1 + c] / s[0];
		} else {
			have_b = 0; /* no background anywhere: nothing to remove */
		}
		grid_read(&e->fg, e->cell, x, y, near);
		float t = clampf((al - FG_SOLVE_NONE) / (FG_SOLVE_FULL - FG_SOLVE_NONE), 0, 1);
		if (near[0] <= 0)
			t = 1;
		for (int c = 0; c < 3; c++) {
			float solved = have_b ? clampf((px[c] - (1 - al) * B[c]) / al, 0, 255) : px[c];
			float f = t < 1 ? t * solved + (1 - t) * near[1 + c] / near[0] : solved;
			o[c] = (uint8_t)(clampf(f, 0, 255) + 0.5f);
		}
	}
}
