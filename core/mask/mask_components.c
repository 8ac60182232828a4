/* Connected components of a mask on run-length rows.
 *
 * A 24 MP mask holds a few thousand runs per object edge, not millions of
 * pixels, so components are found on runs: each row's runs are unioned with
 * the overlapping runs of the row above (union-find with path halving), and
 * per-component area, border contact and "holds strong evidence" are summed
 * over runs. Memory is proportional to the number of runs. */
#include <stdlib.h>
#include <string.h>

#include "mask_internal.h"

struct run {
	uint32_t y, x0, x1; /* [x0, x1) */
	uint32_t parent;
};

struct runs {
	struct run *r;
	size_t n, cap;
	size_t *row_start; /* index of the first run of each row; row_start[h] = n */
};

struct comp {
	uint64_t area;
	uint64_t touch_bg, touch_obj; /* outline contacts, for shadow regions */
	uint8_t strong, border;
};

static void runs_free(struct runs *rs)
{
	free(rs->r);
	free(rs->row_start);
	memset(rs, 0, sizeof(*rs));
}

static int runs_push(struct runs *rs, uint32_t y, uint32_t x0, uint32_t x1)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 4096;
		struct run *r = realloc(rs->r, cap * sizeof(*r));
		if (!r)
			return -1;
		rs->r = r;
		rs->cap = cap;
	}
	rs->r[rs->n] = (struct run){ y, x0, x1, (uint32_t)rs->n };
	rs->n++;
	return 0;
}

/* Scanning a row for the ends of runs, eight bytes at a time where the
 * bytes are all alike: a 24 MP mask is mostly long runs, and a byte-by-byte
 * loop would spend a branch on every pixel. */
#define ONES 0x0101010101010101ull

static inline uint64_t load8(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* first x' >= x with row[x'] != v */
static uint32_t skip_equal(const uint8_t *row, uint32_t x, uint32_t w, uint8_t v)
{
	const uint64_t all = ONES * v;
	while (x + 8 <= w && load8(row + x) == all)
		x += 8;
	while (x < w && row[x] == v)
		x++;
	return x;
}

/* first x' >= x with row[x'] == 0 */
static uint32_t skip_nonzero(const uint8_t *row, uint32_t x, uint32_t w)
{
	for (; x + 8 <= w; x += 8) {
		uint64_t v = load8(row + x);
		if ((v - ONES) & ~v & (ONES << 7))
			break; /* a zero byte in these eight */
	}
	while (x < w && row[x])
		x++;
	return x;
}

/* first x' >= x with row[x'] == v */
static uint32_t find_value(const uint8_t *row, uint32_t x, uint32_t w, uint8_t v)
{
	const uint8_t *p = x < w ? memchr(row + x, v, w - x) : NULL;
	return p ? (uint32_t)(p - row) : w;
}

/* Collect runs of pixels for which (v != 0) == want, or, with want >= 2,
 * runs of the value want itself. */
static int runs_collect(struct runs *rs, const uint8_t *plane, uint32_t w, uint32_t h, int want)
{
	memset(rs, 0, sizeof(*rs));
	rs->row_start = malloc(sizeof(size_t) * ((size_t)h + 1));
	if (!rs->row_start)
		return -1;
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *row = plane + (size_t)y * w;
		rs->row_start[y] = rs->n;
		uint32_t x = 0;
		while (x < w) {
			/* to the start of a run, then to its end */
			x = want >= 2 ? find_value(row, x, w, (uint8_t)want)
			    : want    ? skip_equal(row, x, w, 0)
				      : skip_nonzero(row, x, w);
			if (x == w)
				break;
			uint32_t x0 = x;
			x = want >= 2 ? skip_equal(row, x, w, (uint8_t)want)
			    : want    ? skip_nonzero(row, x, w)
				      : skip_equal(row, x, w, 0);
			if (runs_push(rs, y, x0, x)) {
				runs_free(rs);
				return -1;
			}
		}
		if (rs->n > UINT32_MAX - (size_t)w) {
			runs_free(rs);
			return -1;
		}
	}
	rs->row_start[h] = rs->n;
	return 0;
}

static uint32_t find(struct run *r, uint32_t i)
{
	while (r[i].parent != i) {
		r[i].parent = r[r[i].parent].parent;
		i = r[i].parent;
	}
	return i;
}

static void unite(struct run *r, uint32_t a, uint32_t b)
{
	a = find(r, a);
	b = find(r, b);
	if (a == b)
		return;
	if (a < b)
		r[b].parent = a;
	else
		r[a].parent = b;
}

/* Union runs of adjacent rows. eight: diagonal contact connects. */
static void runs_connect(struct runs *rs, uint32_t h, int eight)
{
	const uint32_t slack = eight ? 1 : 0;
	for (uint32_t y = 1; y < h; y++) {
		size_t a = rs->row_start[y - 1], ae = rs->row_start[y];
		size_t b = ae, be = rs->row_start[y + 1];
		while (a < ae && b < be) {
			struct run *ra = &rs->r[a], *rb = &rs->r[b];
			if (ra->x0 < rb->x1 + slack && rb->x0 < ra->x1 + slack)
				unite(rs->r, (uint32_t)a, (uint32_t)b);
			/* advance whichever run ends first */
			if (ra->x1 < rb->x1)
				a++;
			else
				b++;
		}
	}
}

static void paint(uint8_t *plane, uint32_t w, const struct run *r, uint8_t v)
{
	memset(plane + (size_t)r->y * w + r->x0, v, r->x1 - r->x0);
}

static int cmp_area_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x < y) - (x > y);
}

/* The connected components of the runs of `want` (see runs_collect):
 * labels the runs of rs and returns, indexed by each component's root run,
 * its area and whether it touches the frame's border; NULL when out of
 * memory (rs is then freed). */
static struct comp *components(struct runs *rs, const uint8_t *plane, uint32_t w, uint32_t h,
			       int want, int eight)
{
	if (runs_collect(rs, plane, w, h, want))
		return NULL;
	runs_connect(rs, h, eight);
	struct comp *c = calloc(rs->n ? rs->n : 1, sizeof(*c));
	if (!c) {
		runs_free(rs);
		return NULL;
	}
	for (size_t i = 0; i < rs->n; i++) {
		const struct run *r = &rs->r[i];
		struct comp *k = &c[find(rs->r, (uint32_t)i)];
		k->area += r->x1 - r->x0;
		if (r->y == 0 || r->y + 1 == h || r->x0 == 0 || r->x1 == w)
			k->border = 1;
	}
	return c;
}

int mask_hysteresis(uint8_t *classes, const uint8_t *core, uint32_t width, uint32_t height,
		    uint32_t min_area, uint32_t keep_largest)
{
	struct runs rs;
	struct comp *c = components(&rs, classes, width, height, 1, 1);
	if (!c)
		return PR_ENOMEM;
	for (size_t i = 0; i < rs.n; i++) {
		const struct run *r = &rs.r[i];
		struct comp *k = &c[find(rs.r, (uint32_t)i)];
		if (k->strong)
			continue;
		if (core) {
			const uint8_t *row = core + (size_t)r->y * width;
			for (uint32_t x = r->x0; x < r->x1 && !k->strong; x++)
				k->strong = row[x] != 0;
		} else if (memchr(classes + (size_t)r->y * width + r->x0, CLASS_STRONG,
				  r->x1 - r->x0)) {
			k->strong = 1;
		}
	}
	uint64_t cutoff = min_area;
	if (keep_largest) {
		/* the area of the keep_largest-th biggest surviving component */
		uint64_t *areas = malloc(sizeof(uint64_t) * (rs.n ? rs.n : 1));
		size_t na = 0;
		if (!areas) {
			free(c);
			runs_free(&rs);
			return PR_ENOMEM;
		}
		for (size_t i = 0; i < rs.n; i++)
			if (rs.r[i].parent == i && c[i].strong && c[i].area >= min_area)
				areas[na++] = c[i].area;
		qsort(areas, na, sizeof(uint64_t), cmp_area_desc);
		if (na > keep_largest && areas[keep_largest - 1] > cutoff)
			cutoff = areas[keep_largest - 1];
		free(areas);
	}
	for (size_t i = 0; i < rs.n; i++) {
		const struct comp *k = &c[find(rs.r, (uint32_t)i)];
		paint(classes, width, &rs.r[i], (k->strong && k->area >= cutoff) ? 255 : 0);
	}
	/* pixels outside every run are background already (class 0) */
	free(c);
	runs_free(&rs);
	return 0;
}

int mask_fill_holes(uint8_t *mask, uint32_t width, uint32_t height, uint32_t max_area)
{
	struct runs rs;
	/* background connects only through edges: a diagonal gap between two
	 * object pixels does not let the outside in */
	struct comp *c = components(&rs, mask, width, height, 0, 0);
	if (!c)
		return PR_ENOMEM;
	for (size_t i = 0; i < rs.n; i++) {
		const struct comp *k = &c[find(rs.r, (uint32_t)i)];
		if (!k->border && k->area < max_area)
			paint(mask, width, &rs.r[i], 255);
	}
	free(c);
	runs_free(&rs);
	return 0;
}

/* Count what a run's outline touches: lit background or object evidence. */
static void count_contacts(const uint8_t *classes, uint32_t w, uint32_t h, const struct run *r,
			   struct comp *k)
{
	const uint8_t *row = classes + (size_t)r->y * w;
	uint32_t from = r->x0 ? r->x0 - 1 : 0, to = r->x1 < w ? r->x1 : w - 1;
	uint8_t side[2] = { r->x0 ? row[r->x0 - 1] : CLASS_SHADOW,
			    r->x1 < w ? row[r->x1] : CLASS_SHADOW };
	for (int i = 0; i < 2; i++) {
		k->touch_bg += side[i] == CLASS_BACKGROUND;
		k->touch_obj += side[i] == CLASS_WEAK || side[i] == CLASS_STRONG;
	}
	for (int dy = -1; dy <= 1; dy += 2) {
		if ((dy < 0 && r->y == 0) || (dy > 0 && r->y + 1 >= h))
			continue;
		const uint8_t *nb = classes + (size_t)(r->y + dy) * w;
		for (uint32_t x = from; x <= to; x++) {
			k->touch_bg += nb[x] == CLASS_BACKGROUND;
			k->touch_obj += nb[x] == CLASS_WEAK || nb[x] == CLASS_STRONG;
		}
	}
}

/* Shadow candidates and dark object parts interleave where a dark part of
 * the object passes the colour test here and there: a region decision over
 * that speckle would join the dark part to the shadow beside it, or weigh
 * it as the shadow's contact with the object. So before regions are
 * formed, a candidate with at most one candidate among its eight
 * neighbours and object evidence in six or more is object evidence again. */
static int shadow_majority(uint8_t *classes, uint32_t w, uint32_t h)
{
	uint8_t *rows = malloc((size_t)w * 3);
	if (!rows)
		return PR_ENOMEM;
	uint8_t *prev = rows, *cur = rows + w, *next = rows + 2 * (size_t)w;
	memcpy(cur, classes, w);
	memcpy(prev, cur, w);
	for (uint32_t y = 0; y < h; y++) {
		memcpy(next, classes + (size_t)(y + 1 < h ? y + 1 : y) * w, w);
		uint8_t *out = classes + (size_t)y * w;
		/* shadow candidates are few in a frame: memchr finds them */
		for (uint32_t x = find_value(cur, 0, w, CLASS_SHADOW); x < w;
		     x = find_value(cur, x + 1, w, CLASS_SHADOW)) {
			int n = 0, obj = 0;
			for (int dy = 0; dy < 3; dy++) {
				const uint8_t *r = dy == 0 ? prev : (dy == 1 ? cur : next);
				for (int dx = -1; dx <= 1; dx++) {
					uint32_t xx = x + (uint32_t)dx;
					if ((dx || dy != 1) && xx < w) {
						n += r[xx] == CLASS_SHADOW;
						obj += r[xx] == CLASS_WEAK || r[xx] == CLASS_STRONG;
					}
				}
			}
			if (n <= 1 && obj >= 6)
				out[x] = CLASS_WEAK;
		}
		uint8_t *t = prev;
		prev = cur;
		cur = next;
		next = t;
	}
	free(rows);
	return 0;
}

int mask_resolve_shadows(uint8_t *classes, uint32_t width, uint32_t height)
{
	struct runs rs;
	if (shadow_majority(classes, width, height))
		return PR_ENOMEM;
	struct comp *c = components(&rs, classes, width, height, CLASS_SHADOW, 1);
	if (!c)
		return PR_ENOMEM;
	for (size_t i = 0; i < rs.n; i++)
		count_contacts(classes, width, height, &rs.r[i], &c[find(rs.r, (uint32_t)i)]);
	for (size_t i = 0; i < rs.n; i++) {
		const struct comp *k = &c[find(rs.r, (uint32_t)i)];
		int shadow = 4 * k->touch_bg >= k->touch_bg + k->touch_obj;
		paint(classes, width, &rs.r[i], shadow ? CLASS_BACKGROUND : CLASS_WEAK);
	}
	free(c);
	runs_free(&rs);
	return 0;
}
