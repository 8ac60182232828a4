#include "region.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse a comma-separated list of finite numbers into vals (at most max). */
static int parse_numbers(const char *s, double *vals, unsigned max, unsigned *count)
{
	unsigned n = 0;
	while (*s) {
		char *end;
		if (n == max)
			return -1;
		double v = strtod(s, &end);
		if (end == s || !isfinite(v))
			return -1;
		vals[n++] = v;
		s = end;
		while (*s == ' ')
			s++;
		if (*s == ',') {
			s++;
			if (!*s)
				return -1; /* trailing comma */
		} else if (*s) {
			return -1;
		}
	}
	*count = n;
	return 0;
}

int pr_region_parse(const char *text, int exclude, struct pr_region *out, struct pr_error *err)
{
	enum { ANY, RECT, POLY } kind = ANY;
	const char *s = text;
	double vals[2 * PR_REGION_MAX_POINTS];
	unsigned n = 0;

	memset(out, 0, sizeof(*out));
	out->exclude = exclude ? 1 : 0;
	if (!strncmp(s, "rect:", 5)) {
		kind = RECT;
		s += 5;
	} else if (!strncmp(s, "poly:", 5)) {
		kind = POLY;
		s += 5;
	}
	if (parse_numbers(s, vals, 2 * PR_REGION_MAX_POINTS, &n))
		return pr_error_set(err, PR_EINVAL,
				    "region '%s': expected rect:X,Y,W,H or poly:X1,Y1,X2,Y2,X3,Y3,... "
				    "(numbers separated by commas, at most %u points)",
				    text, PR_REGION_MAX_POINTS);
	for (unsigned i = 0; i < n; i++)
		if (vals[i] < 0)
			return pr_error_set(err, PR_EINVAL, "region '%s': coordinates must not be negative",
					    text);
	if (kind == ANY)
		kind = n == 4 ? RECT : POLY;
	if (kind == RECT) {
		if (n != 4)
			return pr_error_set(err, PR_EINVAL, "region '%s': a rectangle takes 4 numbers X,Y,W,H",
					    text);
		if (vals[2] <= 0 || vals[3] <= 0)
			return pr_error_set(err, PR_EINVAL, "region '%s': width and height must be positive",
					    text);
		double x = vals[0], y = vals[1], w = vals[2], h = vals[3];
		out->npoints = 4;
		out->points[0] = (struct pr_point){ x, y };
		out->points[1] = (struct pr_point){ x + w, y };
		out->points[2] = (struct pr_point){ x + w, y + h };
		out->points[3] = (struct pr_point){ x, y + h };
		return 0;
	}
	if (n < 6 || n % 2)
		return pr_error_set(err, PR_EINVAL,
				    "region '%s': a polygon takes at least 3 points as X,Y pairs", text);
	out->npoints = n / 2;
	for (unsigned i = 0; i < out->npoints; i++)
		out->points[i] = (struct pr_point){ vals[2 * i], vals[2 * i + 1] };
	return 0;
}

static int is_axis_rect(const struct pr_region *r)
{
	const struct pr_point *p = r->points;
	return r->npoints == 4 && p[0].y == p[1].y && p[1].x == p[2].x && p[2].y == p[3].y &&
	       p[3].x == p[0].x && p[1].x > p[0].x && p[2].y > p[1].y;
}

/* Shortest decimal form that reads back as the same double. */
static int format_number(char *buf, size_t size, double v)
{
	for (int prec = 6; prec <= 17; prec++) {
		int n = snprintf(buf, size, "%.*g", prec, v);
		if (n < 0 || (size_t)n >= size || strtod(buf, NULL) == v)
			return n;
	}
	return snprintf(buf, size, "%.17g", v);
}

static size_t append_number(char *buf, size_t size, size_t used, const char *sep, double v)
{
	char num[32];
	format_number(num, sizeof(num), v);
	if (used < size)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, num);
	return used;
}

void pr_region_format(const struct pr_region *r, char *buf, size_t size)
{
	size_t used;
	if (size == 0)
		return;
	if (is_axis_rect(r)) {
		used = (size_t)snprintf(buf, size, "rect:");
		used = append_number(buf, size, used, "", r->points[0].x);
		used = append_number(buf, size, used, ",", r->points[0].y);
		used = append_number(buf, size, used, ",", r->points[2].x - r->points[0].x);
		append_number(buf, size, used, ",", r->points[2].y - r->points[0].y);
		return;
	}
	used = (size_t)snprintf(buf, size, "poly:");
	for (uint32_t i = 0; i < r->npoints; i++) {
		used = append_number(buf, size, used, i ? "," : "", r->points[i].x);
		used = append_number(buf, size, used, ",", r->points[i].y);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void pr_region_fill(const struct pr_region *r, uint8_t *plane, uint32_t width,
		    uint32_t height, size_t stride, uint8_t value)
{
	double xs[PR_REGION_MAX_POINTS];
	const uint32_t n = r->npoints;
	if (n < 3)
		return;
	for (uint32_t y = 0; y < height; y++) {
		const double cy = y + 0.5; /* pixel centre */
		unsigned nx = 0;
		for (uint32_t i = 0; i < n; i++) {
			const struct pr_point *a = &r->points[i], *b = &r->points[(i + 1) % n];
			/* half-open rule: an edge counts when cy is in [min, max) */
			if ((a->y <= cy) != (b->y <= cy))
				xs[nx++] = a->x + (cy - a->y) * (b->x - a->x) / (b->y - a->y);
		}
		if (nx < 2)
			continue;
		qsort(xs, nx, sizeof(xs[0]), cmp_double);
		uint8_t *row = plane + (size_t)y * stride;
		for (unsigned k = 0; k + 1 < nx; k += 2) {
			/* pixels whose centre x + 0.5 lies in [xs[k], xs[k+1]) */
			double from = ceil(xs[k] - 0.5), to = ceil(xs[k + 1] - 0.5);
			if (from < 0)
				from = 0;
			if (to > width)
				to = width;
			for (int64_t x = (int64_t)from; x < (int64_t)to; x++)
				row[x] = value;
		}
	}
}
