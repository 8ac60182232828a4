/* photorig core: the hard conditions of generated scenes.
 *
 * Real rigs and real recordings are harder than a clean table top, and the
 * masking must be judged on what they do to it:
 *  - foliage: dense leaves, a texture of strong fine contrast that JPEG
 *    smears differently in every frame, so a single plate cannot match it
 *    pixel for pixel;
 *  - a turntable platter with a printed pattern under the object, turning
 *    with it, so a plate recorded at one angle does not fit the next step;
 *  - a transient in the plate frames: an operator's hand (and sleeve)
 *    reaching in over where the object will stand, in some frames only.
 * (Small painted objects and deep tinted shadows live with the object in
 * scene_obj.c.) Each is off unless its parameter is set, and then draws from
 * random streams of its own, so every other scene stays exactly as before. */
#include "scene_internal.h"

#include <string.h>

/* ---- foliage ---- */

void scene_foliage_setup(struct scene_bg *bg, struct scene_rng *r)
{
	const float leaf[3] = { 74, 112, 46 }, young[3] = { 138, 158, 60 };
	for (int c = 0; c < 3; c++) {
		bg->wall_a[c] = leaf[c] * scene_range(r, 0.85f, 1.15f);
		bg->wall_b[c] = young[c] * scene_range(r, 0.85f, 1.15f);
		bg->gap[c] = leaf[c] * scene_range(r, 0.2f, 0.3f);
	}
	bg->grad_x = scene_range(r, -0.12f, 0.12f);
	bg->grad_y = scene_range(r, -0.12f, 0.05f);
	bg->vignette = scene_range(r, 0.12f, 0.25f);
	bg->lf_amp = 0.12f; /* sun flecks and shade through the canopy */
	bg->mid_amp = 0.35f;
	bg->fine_amp = 0.15f;
}

int scene_foliage_init(struct scene_bg *bg, const struct pr_scene_params *p, float s,
		       struct pr_error *err)
{
	if (p->background != PR_SCENE_FOLIAGE)
		return 0;
	struct scene_rng r = scene_rng_for(p->seed, 0xF0, 0);
	return scene_noise_init(&bg->leaf, &r, bg->w, bg->h, 7.0f * s, err);
}

void scene_foliage_row(struct scene_bg *bg, uint32_t y, float *restrict r, float *restrict g,
		       float *restrict b)
{
	const uint32_t w = bg->w;
	float *restrict leaf = bg->r_fold;
	scene_noise_row(&bg->leaf, y, 0, w, leaf);
	const float fy = ((float)y + 0.5f) / (float)bg->h - 0.5f;
	const float row_light = 1.0f + bg->grad_y * fy - bg->vignette * 2.0f * fy * fy;
	const float *restrict lf = bg->r_lf, *restrict mid = bg->r_mid, *restrict fine = bg->r_fine,
			    *restrict col = bg->r_col, *restrict vx = bg->vig_x;
	for (uint32_t x = 0; x < w; x++) {
		float light = row_light + vx[x] + bg->lf_amp * lf[x];
		/* a leaf where the summed noise is high: sharp-edged blobs of
		 * a few pixels, dark gaps between them */
		float v = 0.6f * leaf[x] + bg->mid_amp * mid[x] + bg->fine_amp * fine[x];
		float m = scene_smooth((v + 0.1f) * 3.0f);
		float hue = 0.5f + 0.5f * col[x] + 0.3f * mid[x];
		float vein = 1.0f + 0.12f * fine[x];
		float c3[3];
		for (int c = 0; c < 3; c++) {
			float lc = (bg->wall_a[c] + (bg->wall_b[c] - bg->wall_a[c]) * hue) * vein;
			c3[c] = (bg->gap[c] + (lc - bg->gap[c]) * m) * light;
		}
		r[x] = c3[0];
		g[x] = c3[1];
		b[x] = c3[2];
	}
}

/* ---- the turntable platter ---- */

static int clampi(float v, int lo, int hi)
{
	return v < (float)lo ? lo : v > (float)hi ? hi : (int)v;
}

void scene_platter_init(struct scene_platter *pl, const struct pr_scene_params *p)
{
	memset(pl, 0, sizeof(*pl));
	if (!p->platter)
		return;
	float cx, base_y, height, rmax;
	scene_obj_footprint(p, &cx, &base_y, &height, &rmax);
	(void)height;
	struct scene_rng r = scene_rng_for(p->seed, 0x9B, 0);
	const float W = (float)p->width, H = (float)p->height;
	pl->on = 1;
	/* wide enough to carry the object and its shadow, seen from above at
	 * the object's own viewing angle (about 0.2) */
	pl->ax = fminf(fmaxf(rmax * 1.9f, W * 0.12f), W * 0.45f);
	pl->ay = pl->ax * 0.2f;
	pl->cx = cx;
	pl->cy = base_y;
	pl->thick = fmaxf(2.0f, pl->ay * 0.18f);
	const float th = p->angle_deg * SCENE_PI / 180.0f;
	pl->ct = cosf(th);
	pl->st = sinf(th);
	const float mat[3] = { 66, 68, 74 }, print[3] = { 190, 178, 150 };
	for (int c = 0; c < 3; c++) {
		pl->a[c] = mat[c] * scene_range(&r, 0.85f, 1.2f);
		pl->b[c] = print[c] * scene_range(&r, 0.85f, 1.1f);
		pl->side[c] = pl->a[c] * 0.55f;
	}
	pl->x0 = clampi(floorf(pl->cx - pl->ax) - 1, 0, (int)W);
	pl->x1 = clampi(ceilf(pl->cx + pl->ax) + 2, 0, (int)W);
	pl->y0 = clampi(floorf(pl->cy - pl->ay) - 1, 0, (int)H);
	pl->y1 = clampi(ceilf(pl->cy + pl->ay + pl->thick) + 2, 0, (int)H);
}

/* The printed pattern at disc coordinates (u, v), |(u, v)| <= 1, already
 * turned with the table: crossing stripes and rings, so that every step of
 * a few degrees moves the print by pixels. */
static float platter_print(float u, float v)
{
	float rr = sqrtf(u * u + v * v);
	float m = 0.5f + 0.22f * scene_wave(2.6f * u + 1.4f * v) +
		  0.16f * scene_wave(-1.9f * u + 3.3f * v + 0.3f) + 0.12f * scene_wave(4.0f * rr);
	return scene_smooth((m - 0.35f) * 2.2f);
}

void scene_platter_row(const struct scene_platter *pl, uint32_t y, float *restrict r,
		       float *restrict g, float *restrict b)
{
	if ((int)y < pl->y0 || (int)y >= pl->y1)
		return;
	float *const io[3] = { r, g, b };
	const float vy = ((float)y + 0.5f - pl->cy) / pl->ay;
	for (int x = pl->x0; x < pl->x1; x++) {
		const float u = ((float)x + 0.5f - pl->cx) / pl->ax;
		float col[3] = { 0, 0, 0 }, a = 0.0f;
		if (u > -1.0f && u < 1.0f) {
			/* the rim: below the near half of the top's outline */
			float edge = pl->cy + pl->ay * sqrtf(1.0f - u * u);
			float yc = (float)y + 0.5f;
			float side = scene_clampf(yc - edge + 0.5f, 0.0f, 1.0f) *
				     scene_clampf(edge + pl->thick - yc + 0.5f, 0.0f, 1.0f);
			if (side > 0.0f) {
				a = side;
				float shade = 0.8f + 0.2f * u;
				for (int c = 0; c < 3; c++)
					col[c] = pl->side[c] * shade;
			}
		}
		float rr = sqrtf(u * u + vy * vy);
		if (rr < 1.0f + 2.0f / pl->ay) {
			/* distance to the outline in pixels, to first order */
			float gx = u / pl->ax, gy = vy / pl->ay;
			float gl = sqrtf(gx * gx + gy * gy) / fmaxf(rr, 1e-6f);
			float cov = scene_clampf((1.0f - rr) / fmaxf(gl, 1e-6f) + 0.5f, 0.0f, 1.0f);
			if (cov > 0.0f) {
				float tu = u * pl->ct + vy * pl->st, tv = -u * pl->st + vy * pl->ct;
				float m = platter_print(tu, tv);
				float top[3];
				for (int c = 0; c < 3; c++)
					top[c] = pl->a[c] + (pl->b[c] - pl->a[c]) * m;
				for (int c = 0; c < 3; c++)
					col[c] = a > 0.0f ? top[c] * cov + col[c] * (1.0f - cov) : top[c];
				a = a > cov ? a : cov;
			}
		}
		if (a <= 0.0f)
			continue;
		for (int c = 0; c < 3; c++)
			io[c][x] = io[c][x] * (1.0f - a) + col[c] * a;
	}
}

/* ---- the transient: a hand reaching into plate frames ---- */

int pr_scene_plate_has_transient(const struct pr_scene_params *p, unsigned index)
{
	if (!(p->transient > 0.0f))
		return 0;
	/* evenly spread: frame i has it when the running share crosses a
	 * whole number, so N frames hold round(N * share) hands */
	double a = floor((double)index * p->transient + 1e-6);
	double b = floor(((double)index + 1.0) * p->transient + 1e-6);
	return b > a;
}

static void capsule(struct scene_transient *t, int i, float x0, float y0, float x1, float y1,
		    float rad)
{
	t->x0[i] = x0;
	t->y0[i] = y0;
	t->x1[i] = x1;
	t->y1[i] = y1;
	t->rad[i] = rad;
}

void scene_transient_init(struct scene_transient *t, const struct pr_scene_params *p,
			  unsigned index)
{
	memset(t, 0, sizeof(*t));
	float cx, base_y, height, rmax;
	scene_obj_footprint(p, &cx, &base_y, &height, &rmax);
	struct scene_rng r = scene_rng_for(p->seed, 0x4A, index);
	const float W = (float)p->width, H = (float)p->height;
	const float hand = H * scene_range(&r, 0.07f, 0.1f); /* palm length */
	/* the palm over where the object will stand, a little off each time */
	float px = cx + scene_range(&r, -0.5f, 0.5f) * fmaxf(rmax, hand);
	float py = base_y - fmaxf(height, hand) * scene_range(&r, 0.25f, 0.6f);
	/* the arm comes in from the bottom edge, leaning left or right */
	float sx = px + scene_range(&r, -0.3f, 0.3f) * W, sy = H + hand;
	float dx = px - sx, dy = py - sy, len = sqrtf(dx * dx + dy * dy);
	dx /= len;
	dy /= len;
	float wx = px - dx * hand * 0.55f, wy = py - dy * hand * 0.55f;
	capsule(t, 0, sx, sy, wx - dx * hand * 0.2f, wy - dy * hand * 0.2f, hand * 0.33f);
	capsule(t, 1, wx, wy, px + dx * hand * 0.15f, py + dy * hand * 0.15f, hand * 0.3f);
	for (int k = 0; k < 4; k++) {
		/* fingers fan out along the arm's direction */
		float a = ((float)k - 1.5f) * 0.22f, ca = cosf(a), sa = sinf(a);
		float fx = dx * ca - dy * sa, fy = dx * sa + dy * ca;
		float bx = px + dx * hand * 0.15f + (-dy) * ((float)k - 1.5f) * hand * 0.16f;
		float by = py + dy * hand * 0.15f + dx * ((float)k - 1.5f) * hand * 0.16f;
		float fl = hand * (k == 0 || k == 3 ? 0.45f : 0.6f);
		capsule(t, 2 + k, bx, by, bx + fx * fl, by + fy * fl, hand * 0.065f);
	}
	const float skin[3] = { 214, 160, 128 };
	float tone = scene_range(&r, 0.55f, 1.05f);
	for (int c = 0; c < 3; c++) {
		t->skin[c] = skin[c] * tone;
		t->sleeve[c] = scene_range(&r, 30.0f, 200.0f);
	}
	float ymin = 1e30f, ymax = -1e30f;
	for (int i = 0; i < SCENE_TRANSIENT_PARTS; i++) {
		ymin = fminf(ymin, fminf(t->y0[i], t->y1[i]) - t->rad[i]);
		ymax = fmaxf(ymax, fmaxf(t->y0[i], t->y1[i]) + t->rad[i]);
	}
	t->y0b = clampi(floorf(ymin) - 1, 0, (int)H);
	t->y1b = clampi(ceilf(ymax) + 2, 0, (int)H);
}

/* Coverage of pixel centre (x, y) by capsule i: 1 inside, 0 outside, a
 * linear ramp one pixel wide across the outline. */
static float capsule_cover(const struct scene_transient *t, int i, float x, float y)
{
	float ex = t->x1[i] - t->x0[i], ey = t->y1[i] - t->y0[i];
	float l2 = ex * ex + ey * ey;
	float s = l2 > 0.0f ? scene_clampf(((x - t->x0[i]) * ex + (y - t->y0[i]) * ey) / l2, 0, 1)
			    : 0.0f;
	float qx = t->x0[i] + ex * s - x, qy = t->y0[i] + ey * s - y;
	return scene_clampf(t->rad[i] - sqrtf(qx * qx + qy * qy) + 0.5f, 0.0f, 1.0f);
}

void scene_transient_row(const struct scene_transient *t, uint32_t y, uint32_t w,
			 float *const io[3], uint8_t *alpha)
{
	if ((int)y < t->y0b || (int)y >= t->y1b)
		return;
	const float yc = (float)y + 0.5f;
	float xlo[SCENE_TRANSIENT_PARTS], xhi[SCENE_TRANSIENT_PARTS];
	for (int i = 0; i < SCENE_TRANSIENT_PARTS; i++) {
		xlo[i] = fminf(t->x0[i], t->x1[i]) - t->rad[i] - 1.0f;
		xhi[i] = fmaxf(t->x0[i], t->x1[i]) + t->rad[i] + 1.0f;
	}
	for (uint32_t x = 0; x < w; x++) {
		const float xc = (float)x + 0.5f;
		float arm = 0.0f, skin = 0.0f;
		for (int i = 0; i < SCENE_TRANSIENT_PARTS; i++) {
			if (xc < xlo[i] || xc > xhi[i])
				continue;
			float c = capsule_cover(t, i, xc, yc);
			if (i == 0)
				arm = c;
			else
				skin = fmaxf(skin, c);
		}
		float a = fmaxf(arm, skin);
		if (a <= 0.0f)
			continue;
		/* skin over the sleeve where both are; lit from above */
		float shade = 0.75f + 0.25f * scene_clampf(1.0f - yc / (float)(t->y1b + 1), 0, 1);
		for (int c = 0; c < 3; c++) {
			float col = (skin >= arm ? t->skin[c] : t->sleeve[c]) * shade;
			io[c][x] = io[c][x] * (1.0f - a) + col * a;
		}
		if (alpha)
			alpha[x] = (uint8_t)(a * 255.0f + 0.5f);
	}
}
