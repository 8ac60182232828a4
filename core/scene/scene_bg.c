/* photorig core: the empty backgrounds of generated scenes.
 *
 * Three kinds a rig meets: a furnished set (a painted wall with panel seams
 * meeting a wood, fabric or paper table top, lit unevenly), a light-grey
 * studio sweep, and a green screen with a hot spot and cloth wrinkles. Each
 * is a product of smooth lighting, coarse value noise and a few per-column
 * or per-row profiles, so a row costs a handful of multiply-adds per pixel:
 * the benchmark renders 24 MP frames and must not wait on the scene. */
#include "scene_internal.h"

#include <stdlib.h>
#include <string.h>

double scene_gauss(struct scene_rng *r)
{
	double u1 = ((double)(scene_rng_next(r) >> 11) + 1.0) * (1.0 / 9007199254740993.0);
	double u2 = (double)(scene_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

int scene_noise_init(struct scene_noise *n, struct scene_rng *r, uint32_t width,
		     uint32_t height, float cell, struct pr_error *err)
{
	memset(n, 0, sizeof(*n));
	if (cell < 2.0f)
		cell = 2.0f;
	n->cell = cell;
	n->gw = (uint32_t)((float)(width - 1) / cell) + 2;
	n->gh = (uint32_t)((float)(height - 1) / cell) + 2;
	n->grid = malloc(sizeof(float) * n->gw * n->gh);
	n->ix = malloc(sizeof(uint32_t) * width);
	n->fx = malloc(sizeof(float) * width);
	n->tmp = malloc(sizeof(float) * n->gw);
	if (!n->grid || !n->ix || !n->fx || !n->tmp) {
		scene_noise_free(n);
		return pr_error_set(err, PR_ENOMEM, "out of memory for a %ux%u scene", width, height);
	}
	for (size_t i = 0; i < (size_t)n->gw * n->gh; i++)
		n->grid[i] = scene_unit(r) * 2.0f - 1.0f;
	for (uint32_t x = 0; x < width; x++) {
		float g = (float)x / cell;
		uint32_t i = (uint32_t)g;
		if (i > n->gw - 2)
			i = n->gw - 2;
		n->ix[x] = i;
		n->fx[x] = scene_smooth(g - (float)i);
	}
	return 0;
}

void scene_noise_row(struct scene_noise *n, uint32_t y, uint32_t x0, uint32_t x1,
		     float *restrict out)
{
	float g = (float)y / n->cell;
	uint32_t j = (uint32_t)g;
	if (j > n->gh - 2)
		j = n->gh - 2;
	float fy = scene_smooth(g - (float)j);
	const float *restrict a = n->grid + (size_t)j * n->gw;
	const float *restrict b = a + n->gw;
	float *restrict t = n->tmp;
	for (uint32_t i = 0; i < n->gw; i++)
		t[i] = a[i] + (b[i] - a[i]) * fy;
	const uint32_t *restrict ix = n->ix;
	const float *restrict fx = n->fx;
	for (uint32_t x = x0; x < x1; x++) {
		float v0 = t[ix[x]], v1 = t[ix[x] + 1];
		out[x] = v0 + (v1 - v0) * fx[x];
	}
}

void scene_noise_free(struct scene_noise *n)
{
	free(n->grid);
	free(n->ix);
	free(n->fx);
	free(n->tmp);
	memset(n, 0, sizeof(*n));
}

static void jitter(struct scene_rng *r, const float in[3], float amount, float out[3])
{
	for (int c = 0; c < 3; c++)
		out[c] = scene_clampf(in[c] + scene_range(r, -amount, amount), 8.0f, 245.0f);
}

static const float wall_palette[][3] = {
	{ 205, 190, 165 }, { 150, 165, 182 }, { 160, 176, 150 }, { 192, 132, 106 },
	{ 224, 214, 190 }, { 112, 122, 134 }, { 200, 170, 92 },  { 200, 160, 162 },
	{ 96, 130, 150 },  { 230, 230, 226 },
};
static const float fabric_palette[][3] = {
	{ 60, 70, 110 }, { 150, 40, 45 }, { 70, 110, 80 }, { 180, 170, 150 },
	{ 90, 90, 95 },  { 210, 150, 60 }, { 120, 80, 140 },
};

static void setup_textured(struct scene_bg *bg, struct scene_rng *r, float s)
{
	jitter(r, wall_palette[scene_rng_next(r) % (sizeof(wall_palette) / sizeof(wall_palette[0]))],
	       12.0f, bg->wall_a);
	jitter(r, bg->wall_a, 22.0f, bg->wall_b);
	bg->floor_kind = (int)(scene_rng_next(r) % 3);
	if (bg->floor_kind == 0) {
		const float wood[3] = { 158, 106, 62 };
		jitter(r, wood, 20.0f, bg->floor_a);
		for (int c = 0; c < 3; c++)
			bg->floor_b[c] = bg->floor_a[c] * scene_range(r, 0.62f, 0.75f);
	} else if (bg->floor_kind == 1) {
		jitter(r, fabric_palette[scene_rng_next(r) % (sizeof(fabric_palette) /
							       sizeof(fabric_palette[0]))],
		       15.0f, bg->floor_a);
		jitter(r, bg->floor_a, 14.0f, bg->floor_b);
	} else {
		const float paper[3] = { 226, 220, 204 };
		jitter(r, paper, 8.0f, bg->floor_a);
		jitter(r, bg->floor_a, 6.0f, bg->floor_b);
	}
	bg->grad_x = scene_range(r, -0.16f, 0.16f);
	bg->grad_y = scene_range(r, -0.14f, 0.06f);
	bg->vignette = scene_range(r, 0.14f, 0.30f);
	bg->lf_amp = 0.07f;
	bg->mid_amp = scene_range(r, 0.03f, 0.06f);
	bg->fine_amp = scene_range(r, 0.015f, 0.03f);
	bg->edge_y0 = (float)bg->h * scene_range(r, 0.50f, 0.64f);
	bg->edge_slope = scene_range(r, -0.04f, 0.04f);
	bg->nseams = 1 + (int)(scene_rng_next(r) % 3);
	for (int i = 0; i < bg->nseams; i++)
		bg->seam_x[i] = (float)bg->w * scene_range(r, 0.08f, 0.92f);
	bg->wood_freq = 1.0f / (scene_range(r, 7.0f, 13.0f) * s);
	bg->wood_warp = scene_range(r, 1.5f, 3.5f);
	bg->weave_period = scene_range(r, 4.0f, 7.0f) * sqrtf(s);
}

static void setup_plain(struct scene_bg *bg, struct scene_rng *r)
{
	float g = scene_range(r, 192.0f, 226.0f), tint = scene_range(r, -4.0f, 4.0f);
	bg->wall_a[0] = g + tint;
	bg->wall_a[1] = g;
	bg->wall_a[2] = g - tint;
	jitter(r, bg->wall_a, 2.0f, bg->wall_b);
	bg->grad_x = scene_range(r, -0.05f, 0.05f);
	bg->grad_y = scene_range(r, -0.10f, -0.04f); /* the sweep darkens towards the floor */
	bg->vignette = scene_range(r, 0.06f, 0.14f);
	bg->lf_amp = 0.015f;
	bg->mid_amp = 0.006f;
	bg->fine_amp = 0.004f;
}

static void setup_green(struct scene_bg *bg, struct scene_rng *r, float s)
{
	bg->wall_a[0] = scene_range(r, 35.0f, 72.0f);
	bg->wall_a[1] = scene_range(r, 138.0f, 185.0f);
	bg->wall_a[2] = scene_range(r, 55.0f, 96.0f);
	jitter(r, bg->wall_a, 8.0f, bg->wall_b);
	bg->grad_x = scene_range(r, -0.20f, 0.20f);
	bg->grad_y = scene_range(r, -0.15f, 0.10f);
	bg->vignette = scene_range(r, 0.15f, 0.30f);
	bg->lf_amp = scene_range(r, 0.06f, 0.12f);
	bg->mid_amp = 0.02f;
	bg->fine_amp = 0.012f;
	bg->hot_x = (float)bg->w * scene_range(r, 0.2f, 0.8f);
	bg->hot_y = (float)bg->h * scene_range(r, 0.15f, 0.6f);
	bg->hot_r = (float)bg->h * scene_range(r, 0.25f, 0.45f);
	bg->hot_amp = scene_range(r, 0.08f, 0.2f);
	bg->nwrinkles = 3 + (int)(scene_rng_next(r) % 5);
	for (int i = 0; i < bg->nwrinkles; i++) {
		struct scene_wrinkle *k = &bg->wrinkles[i];
		/* a hung cloth folds mostly up-down */
		float a = SCENE_PI * 0.5f + scene_range(r, -0.6f, 0.6f);
		k->x0 = (float)bg->w * scene_range(r, 0.0f, 1.0f);
		k->y0 = (float)bg->h * scene_range(r, 0.0f, 0.7f);
		k->tx = cosf(a);
		k->ty = sinf(a);
		k->len = (float)bg->h * scene_range(r, 0.15f, 0.45f);
		k->width = s * scene_range(r, 5.0f, 16.0f);
		k->amp = scene_range(r, 0.04f, 0.11f);
		float ex = k->x0 + k->tx * k->len, ey = k->y0 + k->ty * k->len;
		k->bx0 = fminf(k->x0, ex) - k->width;
		k->bx1 = fmaxf(k->x0, ex) + k->width;
		k->by0 = fminf(k->y0, ey) - k->width;
		k->by1 = fmaxf(k->y0, ey) + k->width;
	}
}

int scene_bg_init(struct scene_bg *bg, const struct pr_scene_params *p, struct pr_error *err)
{
	memset(bg, 0, sizeof(*bg));
	bg->type = p->background;
	bg->w = p->width;
	bg->h = p->height;
	/* features are sized relative to a 480-line frame so a 24 MP scene looks
	 * like a 640x480 one, only sharper */
	float s = (float)(p->width < p->height ? p->width : p->height) / 480.0f;
	float big = (float)(p->width > p->height ? p->width : p->height);
	struct scene_rng r = scene_rng_for(p->seed, 0xB6, 0);
	switch (p->background) {
	case PR_SCENE_TEXTURED: setup_textured(bg, &r, s); break;
	case PR_SCENE_PLAIN: setup_plain(bg, &r); break;
	case PR_SCENE_GREEN: setup_green(bg, &r, s); break;
	case PR_SCENE_FOLIAGE: scene_foliage_setup(bg, &r); break;
	default:
		return pr_error_set(err, PR_EINVAL, "unknown scene background %d", (int)p->background);
	}
	size_t w = p->width;
	int rc;
	struct scene_rng rn = scene_rng_for(p->seed, 0xB7, 0);
	if ((rc = scene_noise_init(&bg->lf, &rn, bg->w, bg->h, big / 4.0f, err)) ||
	    (rc = scene_noise_init(&bg->col, &rn, bg->w, bg->h, big / 3.0f, err)) ||
	    (rc = scene_noise_init(&bg->mid, &rn, bg->w, bg->h, 22.0f * s, err)) ||
	    (rc = scene_noise_init(&bg->fine, &rn, bg->w, bg->h, 4.0f * sqrtf(s), err)) ||
	    (rc = scene_foliage_init(bg, p, s, err))) {
		scene_bg_free(bg);
		return rc;
	}
	scene_platter_init(&bg->platter, p);
	float *block = malloc(sizeof(float) * w * 9);
	if (!block) {
		scene_bg_free(bg);
		return pr_error_set(err, PR_ENOMEM, "out of memory for a %ux%u scene", p->width,
				    p->height);
	}
	bg->vig_x = block;
	bg->seam_fac = block + w;
	bg->weave_x = block + 2 * w;
	bg->hot_x_fac = block + 3 * w;
	bg->r_lf = block + 4 * w;
	bg->r_mid = block + 5 * w;
	bg->r_fine = block + 6 * w;
	bg->r_col = block + 7 * w;
	bg->r_fold = block + 8 * w;
	for (size_t x = 0; x < w; x++) {
		float dx = ((float)x + 0.5f) / (float)w - 0.5f;
		bg->vig_x[x] = bg->grad_x * dx - bg->vignette * 2.0f * dx * dx;
		float f = 1.0f;
		for (int i = 0; i < bg->nseams; i++) {
			float d = (float)x + 0.5f - bg->seam_x[i];
			/* a recessed 1.5 px groove with a lit bevel beside it */
			float groove = scene_clampf(1.25f - fabsf(d), 0.0f, 1.0f);
			float bevel = (d > 0.75f && d < 3.0f) ? 0.06f : 0.0f;
			f *= (1.0f - 0.45f * groove) * (1.0f + bevel);
		}
		bg->seam_fac[x] = f;
		bg->weave_x[x] = bg->weave_period > 0 ? scene_wave((float)x / bg->weave_period) : 0.0f;
		if (bg->hot_r > 0) {
			float hx = ((float)x - bg->hot_x) / bg->hot_r;
			bg->hot_x_fac[x] = expf(-hx * hx);
		} else {
			bg->hot_x_fac[x] = 0.0f;
		}
	}
	return 0;
}

void scene_bg_free(struct scene_bg *bg)
{
	scene_noise_free(&bg->lf);
	scene_noise_free(&bg->col);
	scene_noise_free(&bg->mid);
	scene_noise_free(&bg->fine);
	scene_noise_free(&bg->leaf);
	free(bg->vig_x);
	bg->vig_x = NULL;
}

static void row_textured(struct scene_bg *bg, uint32_t y, float *restrict r, float *restrict g,
			 float *restrict b)
{
	const uint32_t w = bg->w;
	const float fy = ((float)y + 0.5f) / (float)bg->h - 0.5f;
	const float row_light = 1.0f + bg->grad_y * fy - bg->vignette * 2.0f * fy * fy;
	const float *restrict lf = bg->r_lf, *restrict mid = bg->r_mid, *restrict fine = bg->r_fine,
			    *restrict col = bg->r_col, *restrict vx = bg->vig_x,
			    *restrict seam = bg->seam_fac, *restrict wx = bg->weave_x;
	const float s = (float)(bg->w < bg->h ? bg->w : bg->h) / 480.0f;
	const float yc = (float)y + 0.5f;
	const float wood_phase = bg->wood_freq * yc;
	const float weave_y = scene_wave(yc / bg->weave_period);
	for (uint32_t x = 0; x < w; x++) {
		float light = row_light + vx[x] + bg->lf_amp * lf[x];
		float ey = bg->edge_y0 + bg->edge_slope * ((float)x + 0.5f - 0.5f * (float)w);
		/* fraction of this pixel below the table edge: a hard but
		 * anti-aliased edge, as a lens would render it */
		float t = scene_clampf(yc + 0.5f - ey, 0.0f, 1.0f);
		float cm = 0.5f + 0.5f * col[x];
		float wall[3] = { 0, 0, 0 }, flo[3] = { 0, 0, 0 };
		if (t < 1.0f) {
			float tex = (1.0f + bg->mid_amp * mid[x] + bg->fine_amp * fine[x]) * seam[x];
			for (int c = 0; c < 3; c++)
				wall[c] = (bg->wall_a[c] + (bg->wall_b[c] - bg->wall_a[c]) * cm) * tex;
		}
		if (t > 0.0f) {
			float m, tex;
			if (bg->floor_kind == 0) {
				/* wood: grain lines along the table, bent by the mid noise */
				float gr = scene_wave(wood_phase + bg->wood_warp * mid[x] + 0.3f * col[x]);
				m = scene_clampf(0.5f + 0.5f * gr * gr * gr + 0.15f * fine[x], 0.0f,
						 1.0f);
				tex = 1.0f + 0.05f * fine[x];
			} else if (bg->floor_kind == 1) {
				/* fabric: crossing threads */
				m = cm;
				tex = 1.0f + 0.09f * wx[x] * weave_y + 0.05f * fine[x] +
				      bg->mid_amp * mid[x];
			} else {
				m = cm;
				tex = 1.0f + 0.03f * fine[x] + 0.02f * mid[x];
			}
			/* the wall shades the table just in front of it */
			float ao = 1.0f - 0.3f * scene_clampf(1.0f - (yc - ey) / (8.0f * s), 0.0f, 1.0f);
			for (int c = 0; c < 3; c++)
				flo[c] = (bg->floor_a[c] + (bg->floor_b[c] - bg->floor_a[c]) * m) * tex *
					 ao;
		}
		r[x] = (wall[0] + (flo[0] - wall[0]) * t) * light;
		g[x] = (wall[1] + (flo[1] - wall[1]) * t) * light;
		b[x] = (wall[2] + (flo[2] - wall[2]) * t) * light;
	}
}

static void row_plain(struct scene_bg *bg, uint32_t y, float *restrict r, float *restrict g,
		      float *restrict b)
{
	const float fy = ((float)y + 0.5f) / (float)bg->h - 0.5f;
	/* the sweep's curve: brightest high up, a soft fall where it bends
	 * into the floor */
	const float row_light = 1.03f + bg->grad_y * fy - bg->vignette * 2.0f * fy * fy -
				0.03f * scene_smooth((fy + 0.1f) * 2.5f);
	const float *restrict lf = bg->r_lf, *restrict mid = bg->r_mid, *restrict fine = bg->r_fine,
			    *restrict vx = bg->vig_x;
	for (uint32_t x = 0; x < bg->w; x++) {
		float v = (row_light + vx[x] + bg->lf_amp * lf[x]) *
			  (1.0f + bg->mid_amp * mid[x] + bg->fine_amp * fine[x]);
		r[x] = bg->wall_a[0] * v;
		g[x] = bg->wall_a[1] * v;
		b[x] = bg->wall_a[2] * v;
	}
}

static void row_green(struct scene_bg *bg, uint32_t y, float *restrict r, float *restrict g,
		      float *restrict b)
{
	const uint32_t w = bg->w;
	const float yc = (float)y + 0.5f;
	const float fy = yc / (float)bg->h - 0.5f;
	const float hy = (yc - bg->hot_y) / bg->hot_r;
	const float row_hot = bg->hot_amp * expf(-hy * hy);
	const float row_light = 1.0f + bg->grad_y * fy - bg->vignette * 2.0f * fy * fy;
	const float *restrict lf = bg->r_lf, *restrict mid = bg->r_mid, *restrict fine = bg->r_fine,
			    *restrict col = bg->r_col, *restrict vx = bg->vig_x,
			    *restrict hx = bg->hot_x_fac;
	float *restrict fold = bg->r_fold;
	for (uint32_t x = 0; x < w; x++) {
		float light = row_light + vx[x] + bg->lf_amp * lf[x] + row_hot * hx[x];
		float cm = 0.5f + 0.5f * col[x];
		float tex = light * (1.0f + bg->mid_amp * mid[x] + bg->fine_amp * fine[x]);
		r[x] = (bg->wall_a[0] + (bg->wall_b[0] - bg->wall_a[0]) * cm) * tex;
		g[x] = (bg->wall_a[1] + (bg->wall_b[1] - bg->wall_a[1]) * cm) * tex;
		b[x] = (bg->wall_a[2] + (bg->wall_b[2] - bg->wall_a[2]) * cm) * tex;
		fold[x] = 1.0f;
	}
	for (int i = 0; i < bg->nwrinkles; i++) {
		const struct scene_wrinkle *k = &bg->wrinkles[i];
		if (yc < k->by0 || yc > k->by1)
			continue;
		uint32_t x0 = (uint32_t)scene_clampf(k->bx0, 0.0f, (float)w);
		uint32_t x1 = (uint32_t)scene_clampf(k->bx1 + 1.0f, 0.0f, (float)w);
		for (uint32_t x = x0; x < x1; x++) {
			float dx = (float)x + 0.5f - k->x0, dy = yc - k->y0;
			float t = (dx * k->tx + dy * k->ty) / k->len;
			float d = (dx * -k->ty + dy * k->tx) / k->width;
			if (t <= 0.0f || t >= 1.0f || d <= -1.0f || d >= 1.0f)
				continue;
			float q = 1.0f - d * d;
			/* lit on one side of the fold, shaded on the other */
			fold[x] *= 1.0f + k->amp * 2.6f * d * q * q * 4.0f * t * (1.0f - t);
		}
	}
	for (uint32_t x = 0; x < w; x++) {
		r[x] *= fold[x];
		g[x] *= fold[x];
		b[x] *= fold[x];
	}
}

void scene_bg_row(struct scene_bg *bg, uint32_t y, float *restrict r, float *restrict g,
		  float *restrict b)
{
	scene_noise_row(&bg->lf, y, 0, bg->w, bg->r_lf);
	scene_noise_row(&bg->mid, y, 0, bg->w, bg->r_mid);
	scene_noise_row(&bg->fine, y, 0, bg->w, bg->r_fine);
	if (bg->type != PR_SCENE_PLAIN)
		scene_noise_row(&bg->col, y, 0, bg->w, bg->r_col);
	switch (bg->type) {
	case PR_SCENE_TEXTURED: row_textured(bg, y, r, g, b); break;
	case PR_SCENE_PLAIN: row_plain(bg, y, r, g, b); break;
	case PR_SCENE_GREEN: row_green(bg, y, r, g, b); break;
	case PR_SCENE_FOLIAGE: scene_foliage_row(bg, y, r, g, b); break;
	}
	if (bg->platter.on)
		scene_platter_row(&bg->platter, y, r, g, b);
}
