/* photorig core: the object of a generated scene and its shadow.
 *
 * The object is a glazed vessel on a turntable: a body of revolution with an
 * elliptic cross-section (so its width changes as it turns), a lip and foot
 * seen from slightly above, sometimes a handle, a painted band whose motif
 * moves with the angle, and optionally thin stems and a cable (2 px wide),
 * a camouflage patch coloured exactly like the background behind it, and a
 * soft floor shadow beside it.
 *
 * Coverage is exact horizontally (every shape is a union of intervals on a
 * horizontal line) and sampled 4 times vertically, so edge pixels get
 * fractional alpha at the cost of a few interval tests per row. */
#include "scene_internal.h"

#include <string.h>

#define SUBROWS 4

static float profile(const struct scene_obj *o, float v)
{
	v = scene_clampf(v, 0.0f, 1.0f);
	int i = 0;
	while (i < o->nprof - 2 && v > o->prof_v[i + 1])
		i++;
	float t = (v - o->prof_v[i]) / (o->prof_v[i + 1] - o->prof_v[i]);
	float r = o->prof_r[i] + (o->prof_r[i + 1] - o->prof_r[i]) * scene_smooth(t);
	/* round the foot's rim a little */
	if (v < 0.03f)
		r *= 0.85f + 0.15f * sqrtf(v / 0.03f);
	return r * o->rmax * o->kwidth;
}

static void add_capsule(struct scene_obj *o, float x0, float y0, float x1, float y1)
{
	if (o->ncaps >= SCENE_MAX_CAPS)
		return;
	struct scene_capsule *c = &o->caps[o->ncaps++];
	c->x0 = x0;
	c->y0 = y0;
	c->x1 = x1;
	c->y1 = y1;
	c->rad = 1.0f; /* 2 px wide: the thinnest structure a mask must keep */
	c->ymin = fminf(y0, y1) - c->rad;
	c->ymax = fmaxf(y0, y1) + c->rad;
}

/* A dried stem growing out of the mouth: a gently curving polyline, with
 * a twig from its middle. It leans towards azimuth psi on the turntable, so
 * its lean on screen follows sin(psi + theta) as the object turns. Every
 * draw is made whatever the angle, so the same stems turn together. */
static void add_stem(struct scene_obj *o, struct scene_rng *r, float x, float y, float len,
		     int twig)
{
	float turn = sinf(scene_range(r, 0.0f, 2 * SCENE_PI) + o->theta);
	float a = scene_range(r, 0.15f, 0.6f) * turn, bend = scene_range(r, -0.08f, 0.08f) * turn;
	const int n = 8;
	float step = len / (float)n;
	for (int i = 0; i < n; i++) {
		float nx = x + sinf(a) * step, ny = y - cosf(a) * step;
		if (ny < 3.0f || nx < 3.0f || nx > (float)o->w - 3.0f)
			break;
		add_capsule(o, x, y, nx, ny);
		if (twig && i == n / 2)
			add_stem(o, r, nx, ny, len * 0.35f, 0);
		x = nx;
		y = ny;
		a += bend + scene_range(r, -0.06f, 0.06f);
	}
}

/* A cable from the side of the base lying on the table to the frame edge. */
static void add_cable(struct scene_obj *o, struct scene_rng *r)
{
	float side = (scene_rng_next(r) & 1) ? 1.0f : -1.0f;
	float vy = 0.12f;
	float x0 = o->cx + side * profile(o, vy) * 0.8f, y0 = o->base_y - vy * o->height;
	float x1 = x0 + side * (float)o->w * scene_range(r, 0.08f, 0.14f);
	float y1 = o->base_y + ((float)o->h - o->base_y) * 0.4f;
	float x2 = x0 + side * (float)o->w * scene_range(r, 0.15f, 0.3f), y2 = (float)o->h + 4.0f;
	float px = x0, py = y0;
	for (int i = 1; i <= 12; i++) {
		float t = (float)i / 12.0f, u = 1.0f - t;
		float qx = u * u * x0 + 2 * u * t * x1 + t * t * x2;
		float qy = u * u * y0 + 2 * u * t * y1 + t * t * y2;
		add_capsule(o, px, py, qx, qy);
		px = qx;
		py = qy;
	}
}

static void pick_colour(struct scene_rng *r, const float near[3], float out[3])
{
	/* differ from the background, but by a random margin: some objects
	 * stand out, some are hard to separate */
	float target = scene_range(r, 35.0f, 140.0f), best = 1e9f;
	for (int k = 0; k < 48; k++) {
		float hue = scene_unit(r) * 6.0f, sat = scene_range(r, 0.15f, 0.85f);
		float val = scene_range(r, 55.0f, 225.0f);
		float c[3], f = hue - floorf(hue);
		float p = val * (1 - sat), q = val * (1 - sat * f), t = val * (1 - sat * (1 - f));
		switch ((int)hue % 6) {
		case 0: c[0] = val; c[1] = t; c[2] = p; break;
		case 1: c[0] = q; c[1] = val; c[2] = p; break;
		case 2: c[0] = p; c[1] = val; c[2] = t; break;
		case 3: c[0] = p; c[1] = q; c[2] = val; break;
		case 4: c[0] = t; c[1] = p; c[2] = val; break;
		default: c[0] = val; c[1] = p; c[2] = q; break;
		}
		float d = sqrtf((c[0] - near[0]) * (c[0] - near[0]) + (c[1] - near[1]) * (c[1] - near[1]) +
				(c[2] - near[2]) * (c[2] - near[2]));
		if (fabsf(d - target) < best) {
			best = fabsf(d - target);
			memcpy(out, c, sizeof(c));
		}
	}
}

static void grow_box(float box[4], float x0, float y0, float x1, float y1)
{
	box[0] = fminf(box[0], x0);
	box[1] = fminf(box[1], y0);
	box[2] = fmaxf(box[2], x1);
	box[3] = fmaxf(box[3], y1);
}

static int clampi(float v, int lo, int hi)
{
	return v < (float)lo ? lo : v > (float)hi ? hi : (int)v;
}

/* The first draws of the object's stream: its size and place. Shared by
 * scene_obj_init and scene_obj_footprint so the two always agree. */
static void place(struct scene_rng *r, const struct pr_scene_params *p, float *cx, float *base_y,
		  float *height, float *rmax)
{
	const float W = (float)p->width, H = (float)p->height;
	const float scale = p->object_scale > 0.0f ? p->object_scale : 1.0f;
	float h = H * scene_range(r, 0.42f, 0.55f);
	float rm = fminf(h * scene_range(r, 0.2f, 0.32f), W * 0.28f);
	*height = h * scale;
	*rmax = rm * scale;
	*cx = W * (0.5f + scene_range(r, -0.08f, 0.08f));
	*base_y = H * scene_range(r, 0.8f, 0.87f);
}

void scene_obj_footprint(const struct pr_scene_params *p, float *cx, float *base_y,
			 float *height, float *rmax)
{
	struct scene_rng r = scene_rng_for(p->seed, 0x0B, 0);
	place(&r, p, cx, base_y, height, rmax);
}

/* A painted object: patches of distinct colours, each far from the last,
 * from a stream of their own (the usual colours keep their draws). */
static void pick_palette(struct scene_obj *o, const struct pr_scene_params *p, const float near[3])
{
	struct scene_rng r = scene_rng_for(p->seed, 0xC1, 0);
	o->ncol = p->colours > 8 ? 8 : p->colours;
	memcpy(o->pal[0], o->fg, sizeof(o->fg));
	for (int i = 1; i < o->ncol; i++) {
		/* alternately far from the background and from the patch before */
		pick_colour(&r, (i & 1) ? o->pal[i - 1] : near, o->pal[i]);
	}
}

void scene_obj_init(struct scene_obj *o, const struct pr_scene_params *p, struct scene_bg *bg,
		    float *scratch)
{
	memset(o, 0, sizeof(*o));
	struct scene_rng r = scene_rng_for(p->seed, 0x0B, 0);
	o->w = p->width;
	o->h = p->height;
	const float W = (float)p->width, H = (float)p->height;
	place(&r, p, &o->cx, &o->base_y, &o->height, &o->rmax);
	o->theta = p->angle_deg * SCENE_PI / 180.0f;
	float e = scene_range(&r, 0.78f, 0.94f), ct = cosf(o->theta), st = sinf(o->theta);
	o->kwidth = sqrtf(ct * ct + e * e * st * st);
	float rn = scene_range(&r, 0.32f, 0.6f);
	const float pv[5] = { 0.0f, scene_range(&r, 0.28f, 0.42f), scene_range(&r, 0.62f, 0.74f),
			      0.88f, 1.0f };
	const float pr[5] = { scene_range(&r, 0.5f, 0.75f), 1.0f, rn, rn * scene_range(&r, 0.85f, 1.05f),
			      fmaxf(rn * 0.95f, scene_range(&r, 0.45f, 0.8f)) };
	o->nprof = 5;
	memcpy(o->prof_v, pv, sizeof(pv));
	memcpy(o->prof_r, pr, sizeof(pr));
	float view = scene_range(&r, 0.14f, 0.22f); /* how far the camera looks down */
	o->lip_ax = profile(o, 1.0f);
	o->lip_ry = o->lip_ax * view;
	o->foot_ax = profile(o, 0.0f) * 0.85f;
	o->foot_ry = o->foot_ax * view;
	o->has_handle = (int)(scene_rng_next(&r) & 1);
	float hv = scene_range(&r, 0.45f, 0.65f), phi = scene_range(&r, 0.0f, 2 * SCENE_PI) + o->theta;
	float hl = o->rmax * scene_range(&r, 0.25f, 0.4f);
	o->h_t = fmaxf(2.5f, o->rmax * 0.07f);
	o->h_ax = hl * fabsf(sinf(phi));
	o->h_ay = o->height * scene_range(&r, 0.1f, 0.15f);
	o->h_cx = o->cx + sinf(phi) * (profile(o, hv) * 0.9f + o->h_ax);
	o->h_cy = o->base_y - hv * o->height;

	/* colours: compare with the background around where the object stands */
	float near[3] = { 0, 0, 0 };
	int xa = clampi(o->cx - o->rmax, 0, (int)W - 1), xb = clampi(o->cx + o->rmax, 1, (int)W);
	for (int k = 0; k < 2; k++) {
		uint32_t yy = (uint32_t)clampi(o->base_y - o->height * (k ? 0.7f : 0.3f), 0, (int)H - 1);
		scene_bg_row(bg, yy, scratch, scratch + p->width, scratch + 2 * p->width);
		for (int x = xa; x < xb; x++)
			for (int c = 0; c < 3; c++)
				near[c] += scratch[(size_t)c * p->width + (size_t)x] / (float)(2 * (xb - xa));
	}
	struct scene_rng rc = scene_rng_for(p->seed, 0xC0, 0);
	pick_colour(&rc, near, o->fg);
	float other[3];
	pick_colour(&rc, o->fg, other);
	for (int c = 0; c < 3; c++) {
		o->fg2[c] = 0.55f * o->fg[c] + 0.45f * other[c];
		o->inner[c] = 0.3f * o->fg[c];
	}
	o->stem[0] = scene_range(&rc, 90, 135);
	o->stem[1] = o->stem[0] * scene_range(&rc, 0.7f, 0.85f);
	o->stem[2] = o->stem[0] * scene_range(&rc, 0.4f, 0.55f);
	float cab = (scene_rng_next(&rc) % 3) ? scene_range(&rc, 20, 40) : scene_range(&rc, 215, 235);
	o->cable[0] = o->cable[1] = o->cable[2] = cab;
	o->band_v = scene_range(&rc, 0.6f, 0.75f);
	o->band_hw = scene_range(&rc, 0.03f, 0.06f);
	o->band_k = 3 + (int)(scene_rng_next(&rc) % 6);
	for (int j = 0; j < SCENE_TEX_H; j++)
		for (int i = 0; i < SCENE_TEX_W; i++)
			o->tex[j][i] = scene_unit(&rc) * 2.0f - 1.0f;
	if (p->colours >= 2)
		pick_palette(o, p, near);
	for (int i = 0; i <= SCENE_ASIN_LUT; i++)
		o->asin_lut[i] = asinf(scene_clampf(-1.0f + 2.0f * (float)i / SCENE_ASIN_LUT, -1, 1));

	float box[4] = { o->cx - o->lip_ax, o->base_y - o->height - o->lip_ry, o->cx + o->lip_ax,
			 o->base_y + o->foot_ry };
	for (int k = 0; k <= 20; k++) {
		float hw = profile(o, (float)k / 20.0f);
		grow_box(box, o->cx - hw, box[1], o->cx + hw, box[3]);
	}
	if (o->has_handle)
		grow_box(box, o->h_cx - o->h_ax - o->h_t, o->h_cy - o->h_ay - o->h_t,
			 o->h_cx + o->h_ax + o->h_t, o->h_cy + o->h_ay + o->h_t);
	if (p->thin) {
		struct scene_rng rt = scene_rng_for(p->seed, 0x7A, 0);
		int nstems = 3 + (int)(scene_rng_next(&rt) % 3);
		float top = o->base_y - o->height;
		for (int i = 0; i < nstems; i++) {
			float x = o->cx + 0.5f * o->lip_ax *
				  sinf(scene_range(&rt, 0.0f, 2 * SCENE_PI) + o->theta);
			add_stem(o, &rt, x, top + 0.3f * o->lip_ry,
				 o->height * scene_range(&rt, 0.25f, 0.45f), 1);
		}
		add_cable(o, &rt);
		for (int i = 0; i < o->ncaps; i++) {
			const struct scene_capsule *c = &o->caps[i];
			grow_box(box, fminf(c->x0, c->x1) - c->rad, c->ymin,
				 fmaxf(c->x0, c->x1) + c->rad, c->ymax);
		}
	}
	o->stem_split_y = o->base_y - 0.5f * o->height;
	o->bx0 = clampi(floorf(box[0]) - 1, 0, (int)W);
	o->bx1 = clampi(ceilf(box[2]) + 2, 0, (int)W);
	o->by0 = clampi(floorf(box[1]) - 1, 0, (int)H);
	o->by1 = clampi(ceilf(box[3]) + 2, 0, (int)H);

	struct scene_rng rs = scene_rng_for(p->seed, 0x5D, 0);
	o->shadow = p->shadow;
	o->s_dark = scene_range(&rs, 0.5f, 0.75f);
	if (p->shadow_ratio > 0.0f)
		o->s_dark = p->shadow_ratio;
	o->s_tint = p->shadow_tint;
	float sside = (scene_rng_next(&rs) & 1) ? 1.0f : -1.0f;
	o->s_cx = o->cx + sside * o->rmax * scene_range(&rs, 0.6f, 0.9f);
	o->s_cy = o->base_y - 0.01f * H;
	o->s_ax = o->rmax * scene_range(&rs, 1.2f, 1.6f);
	o->s_ay = o->rmax * scene_range(&rs, 0.22f, 0.35f);
	o->s_soft = 0.35f;
	o->sx0 = clampi(floorf(o->s_cx - o->s_ax * (1 + o->s_soft)), 0, (int)W);
	o->sx1 = clampi(ceilf(o->s_cx + o->s_ax * (1 + o->s_soft)) + 1, 0, (int)W);
	o->sy0 = clampi(floorf(o->s_cy - o->s_ay * (1 + o->s_soft)), 0, (int)H);
	o->sy1 = clampi(ceilf(o->s_cy + o->s_ay * (1 + o->s_soft)) + 1, 0, (int)H);
	if (!o->shadow)
		o->sx0 = o->sx1 = o->sy0 = o->sy1 = 0;

	struct scene_rng rk = scene_rng_for(p->seed, 0xCA, 0);
	o->camo = p->camouflage;
	float hwb = profile(o, 0.38f);
	o->c_cx = o->cx + scene_range(&rk, -0.15f, 0.15f) * hwb;
	o->c_cy = o->base_y - scene_range(&rk, 0.34f, 0.42f) * o->height;
	o->c_ax = scene_range(&rk, 0.25f, 0.4f) * hwb;
	o->c_ay = o->height * scene_range(&rk, 0.06f, 0.09f);
}

struct span {
	float a, b;
};

static int ellipse_span(float cx, float cy, float ax, float ay, float Y, struct span *s)
{
	float d = (Y - cy) / ay;
	if (ax <= 0 || ay <= 0 || d <= -1.0f || d >= 1.0f)
		return 0;
	float h = ax * sqrtf(1.0f - d * d);
	s->a = cx - h;
	s->b = cx + h;
	return 1;
}

/* A horizontal line through a capsule meets it in one interval (the capsule
 * is convex): the union of its slab part and its two end discs. */
static int capsule_span(const struct scene_capsule *c, float Y, struct span *s)
{
	if (Y <= c->ymin || Y >= c->ymax)
		return 0;
	float lo = 1e30f, hi = -1e30f, rr = c->rad * c->rad;
	const float ex[2] = { c->x0, c->x1 }, ey[2] = { c->y0, c->y1 };
	for (int k = 0; k < 2; k++) {
		float dy = Y - ey[k];
		if (dy * dy < rr) {
			float h = sqrtf(rr - dy * dy);
			lo = fminf(lo, ex[k] - h);
			hi = fmaxf(hi, ex[k] + h);
		}
	}
	float dx = c->x1 - c->x0, dy = c->y1 - c->y0, L2 = dx * dx + dy * dy;
	if (L2 > 1e-6f) {
		float L = sqrtf(L2), a = -1e30f, b = 1e30f;
		/* 0 <= t <= 1 with t = ((x-x0)dx + (Y-y0)dy) / L2 */
		float ta = dx / L2, tb = (Y - c->y0) * dy / L2 - c->x0 * ta;
		/* |s| <= rad with s = (-(x-x0)dy + (Y-y0)dx) / L */
		float sa = -dy / L, sb = ((Y - c->y0) * dx + c->x0 * dy) / L;
		const float ca[2] = { ta, sa }, cb[2] = { tb, sb };
		const float clo[2] = { 0.0f, -c->rad }, chi[2] = { 1.0f, c->rad };
		for (int k = 0; k < 2 && a <= b; k++) {
			if (fabsf(ca[k]) < 1e-12f) {
				if (cb[k] < clo[k] || cb[k] > chi[k])
					b = a - 1.0f;
				continue;
			}
			float u = (clo[k] - cb[k]) / ca[k], v = (chi[k] - cb[k]) / ca[k];
			a = fmaxf(a, fminf(u, v));
			b = fminf(b, fmaxf(u, v));
		}
		if (a < b) {
			lo = fminf(lo, a);
			hi = fmaxf(hi, b);
		}
	}
	if (lo >= hi)
		return 0;
	s->a = lo;
	s->b = hi;
	return 1;
}

static void sort_spans(struct span *s, int n)
{
	for (int i = 1; i < n; i++) {
		struct span t = s[i];
		int j = i - 1;
		while (j >= 0 && s[j].a > t.a) {
			s[j + 1] = s[j];
			j--;
		}
		s[j + 1] = t;
	}
}

/* Add the merged union of spans (sorted) to cov, exact in x: partial end
 * pixels directly, whole pixels through a difference array. */
static void accumulate(struct span *s, int n, float x0, int len, float wgt, float *restrict cov,
		       float *restrict dif)
{
	int i = 0;
	while (i < n) {
		float a = s[i].a, b = s[i].b;
		for (i++; i < n && s[i].a <= b; i++)
			b = fmaxf(b, s[i].b);
		a = scene_clampf(a - x0, 0.0f, (float)len);
		b = scene_clampf(b - x0, 0.0f, (float)len);
		if (b <= a)
			continue;
		int ia = (int)a, ib = (int)b;
		if (ia == ib) {
			cov[ia] += (b - a) * wgt;
			continue;
		}
		cov[ia] += ((float)(ia + 1) - a) * wgt;
		if (ib < len)
			cov[ib] += (b - (float)ib) * wgt;
		dif[ia + 1] += wgt;
		dif[ib] -= wgt;
	}
}

void scene_obj_coverage_row(const struct scene_obj *o, uint32_t y, float *restrict cov_body,
			    float *restrict cov_all, float *restrict dif)
{
	const int len = o->bx1 - o->bx0;
	float *restrict dif_b = dif, *restrict dif_a = dif + len + 2;
	memset(cov_body, 0, sizeof(float) * (size_t)len);
	memset(cov_all, 0, sizeof(float) * (size_t)len);
	memset(dif, 0, sizeof(float) * 2 * (size_t)(len + 2));
	const float top = o->base_y - o->height, x0 = (float)o->bx0;
	struct span sp[SCENE_MAX_CAPS + 8];
	for (int k = 0; k < SUBROWS; k++) {
		float Y = (float)y + ((float)k + 0.5f) / SUBROWS;
		int n = 0;
		/* body, lip and foot share the axis: their union is the widest */
		float hw = -1.0f;
		float v = (o->base_y - Y) / o->height;
		if (v >= 0.0f && v <= 1.0f)
			hw = profile(o, v);
		struct span e;
		if (ellipse_span(o->cx, top, o->lip_ax, o->lip_ry, Y, &e))
			hw = fmaxf(hw, e.b - o->cx);
		if (ellipse_span(o->cx, o->base_y, o->foot_ax, o->foot_ry, Y, &e))
			hw = fmaxf(hw, e.b - o->cx);
		if (hw > 0.0f) {
			sp[n].a = o->cx - hw;
			sp[n++].b = o->cx + hw;
		}
		if (o->has_handle && ellipse_span(o->h_cx, o->h_cy, o->h_ax + o->h_t, o->h_ay + o->h_t,
						  Y, &e)) {
			struct span in;
			if (o->h_ax > o->h_t && ellipse_span(o->h_cx, o->h_cy, o->h_ax - o->h_t,
							     o->h_ay - o->h_t, Y, &in)) {
				sp[n].a = e.a;
				sp[n++].b = in.a;
				sp[n].a = in.b;
				sp[n++].b = e.b;
			} else {
				sp[n++] = e;
			}
		}
		int nb = n;
		sort_spans(sp, nb);
		accumulate(sp, nb, x0, len, 1.0f / SUBROWS, cov_body, dif_b);
		for (int i = 0; i < o->ncaps; i++)
			if (capsule_span(&o->caps[i], Y, &sp[n]))
				n++;
		sort_spans(sp, n);
		accumulate(sp, n, x0, len, 1.0f / SUBROWS, cov_all, dif_a);
	}
	float rb = 0.0f, ra = 0.0f;
	for (int i = 0; i < len; i++) {
		rb += dif_b[i];
		ra += dif_a[i];
		/* quantised to the truth's 8-bit alpha, so that the picture and
		 * its truth agree exactly on which pixels the object touches */
		float b = roundf(fminf(cov_body[i] + rb, 1.0f) * 255.0f);
		float a = roundf(fminf(cov_all[i] + ra, 1.0f) * 255.0f);
		cov_body[i] = b * (1.0f / 255.0f);
		cov_all[i] = fmaxf(a, b) * (1.0f / 255.0f);
	}
}

void scene_obj_composite_row(const struct scene_obj *o, uint32_t y, const float *cov_body,
			     const float *cov_all, float *const clean[3], float *const io[3],
			     uint8_t *camo)
{
	const float yc = (float)y + 0.5f, top = o->base_y - o->height;
	const float v = scene_clampf((o->base_y - yc) / o->height, 0.0f, 1.0f);
	const float hw = fmaxf(profile(o, v), 0.5f);
	/* lit from the upper left; darker towards the foot */
	const float vshade = 0.78f + 0.22f * scene_smooth(v * 6.0f);
	const float band = o->band_hw, dv = v - o->band_v;
	const float *thin = yc < o->stem_split_y ? o->stem : o->cable;
	const float ty = v * (SCENE_TEX_H - 1);
	const int tj = (int)fminf(ty, SCENE_TEX_H - 2);
	const float tfy = ty - (float)tj;
	const float lipd = (yc - top) / (0.85f * o->lip_ry);
	const float hdy = (yc - o->h_cy);
	for (int i = 0; i < o->bx1 - o->bx0; i++) {
		const float ca = cov_all[i], cb = cov_body[i];
		if (ca <= 0.0f)
			continue;
		const int x = o->bx0 + i;
		const float xc = (float)x + 0.5f;
		float body[3];
		int in_camo = 0;
		if (cb > 0.0f) {
			float lx = (xc - o->cx) / (0.85f * o->lip_ax);
			float hox = (xc - o->h_cx) / (o->h_ax + o->h_t), hoy = hdy / (o->h_ay + o->h_t);
			if (lx * lx + lipd * lipd < 1.0f) {
				/* looking into the mouth */
				float d = 0.6f + 0.4f * (lipd + 1.0f) * 0.5f;
				for (int c = 0; c < 3; c++)
					body[c] = o->inner[c] * d;
			} else if (o->has_handle && fabsf(xc - o->cx) > hw &&
				   hox * hox + hoy * hoy < 1.0f) {
				for (int c = 0; c < 3; c++)
					body[c] = o->fg[c] * 0.72f * vshade;
			} else {
				float u = scene_clampf((xc - o->cx) / hw, -1.0f, 1.0f);
				float nz = sqrtf(1.0f - u * u);
				float diffuse = fmaxf(0.0f, -0.5f * u + 0.866f * nz);
				float sp = fmaxf(0.0f, -0.259f * u + 0.966f * nz);
				sp *= sp;
				sp *= sp;
				sp *= sp;
				sp *= sp;
				sp *= sp;
				/* the glaze and motif live on the surface, so they
				 * turn with the object */
				float phi = o->asin_lut[(int)((u + 1.0f) * 0.5f * SCENE_ASIN_LUT)] +
					    o->theta;
				float tx = phi * (SCENE_TEX_W / (2 * SCENE_PI));
				tx -= floorf(tx / SCENE_TEX_W) * SCENE_TEX_W;
				int ti = (int)tx % SCENE_TEX_W, ti1 = (ti + 1) % SCENE_TEX_W;
				float tfx = tx - floorf(tx);
				float t0 = o->tex[tj][ti] + (o->tex[tj][ti1] - o->tex[tj][ti]) * tfx;
				float t1 = o->tex[tj + 1][ti] +
					   (o->tex[tj + 1][ti1] - o->tex[tj + 1][ti]) * tfx;
				float glaze = 1.0f + 0.09f * (t0 + (t1 - t0) * tfy);
				float motif = band * (1.0f + 0.5f * scene_wave((float)o->band_k * phi * (0.5f / SCENE_PI)));
				const float *base = fabsf(dv) < motif ? o->fg2 : o->fg;
				if (o->ncol) {
					/* patches: sectors of the surface (they turn with
					 * it) in three bands up the body */
					int k = (int)floorf(phi * (float)o->ncol * (0.5f / SCENE_PI)) +
						(int)(v * 3.0f) * 2;
					base = o->pal[((k % o->ncol) + o->ncol) % o->ncol];
				}
				float sh = (0.3f + 0.8f * diffuse) * vshade * glaze;
				for (int c = 0; c < 3; c++)
					body[c] = base[c] * sh + 75.0f * sp;
			}
			if (o->camo && cb >= 0.999f) {
				float cx = (xc - o->c_cx) / o->c_ax, cy = (yc - o->c_cy) / o->c_ay;
				if (cx * cx + cy * cy < 1.0f) {
					in_camo = 1;
					for (int c = 0; c < 3; c++)
						body[c] = clean[c][x];
				}
			}
		} else {
			body[0] = body[1] = body[2] = 0.0f;
		}
		if (camo)
			camo[x] = (uint8_t)in_camo;
		for (int c = 0; c < 3; c++) {
			float col = (cb * body[c] + (ca - cb) * thin[c]) / ca;
			io[c][x] = io[c][x] * (1.0f - ca) + col * ca;
		}
	}
}

void scene_obj_shadow_row(const struct scene_obj *o, uint32_t y, float *restrict fac)
{
	const float dy = ((float)y + 0.5f - o->s_cy) / o->s_ay;
	const float soft = o->s_soft, dark = 1.0f - o->s_dark;
	for (int x = o->sx0; x < o->sx1; x++) {
		float dx = ((float)x + 0.5f - o->s_cx) / o->s_ax;
		float rho = sqrtf(dx * dx + dy * dy);
		fac[x] = 1.0f - dark * scene_smooth((1.0f + soft - rho) / (2.0f * soft));
	}
}
