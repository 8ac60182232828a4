/* photorig core: crop boxes for composites (rules in crop.h). */
#include "crop.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pr_crop_options_default(struct pr_crop_options *o)
{
	memset(o, 0, sizeof(*o));
	o->unit = PR_CROP_PIXELS;
}

int pr_crop_parse_margin(const char *text, struct pr_crop_options *o, struct pr_error *err)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	enum pr_crop_unit unit = PR_CROP_PIXELS;
	if (end != text && !strcmp(end, "%"))
		unit = PR_CROP_PERCENT;
	else if (end != text && strcmp(end, "px") && *end)
		end = (char *)text; /* trailing junk */
	/* the negated comparisons also reject NaN; digits only, no "inf" */
	if (end == text || errno || !(v >= 0) || !(v <= (unit == PR_CROP_PERCENT ? 1000 : 65535)) ||
	    !strchr("0123456789.", text[0]))
		return pr_error_set(err, PR_EINVAL,
				    "crop margin '%s': expected N%% (of the object's longer side, "
				    "0..1000) or Npx (0..65535)", text);
	o->margin = v;
	o->unit = unit;
	o->enabled = 1;
	return 0;
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

int pr_crop_parse_aspect(const char *text, struct pr_crop_options *o, struct pr_error *err)
{
	unsigned long w, h;
	char *end;
	if (!strchr("0123456789", text[0]))
		goto bad;
	w = strtoul(text, &end, 10);
	if (*end != ':' || !strchr("0123456789", end[1]))
		goto bad;
	h = strtoul(end + 1, &end, 10);
	if (*end || w < 1 || h < 1 || w > 10000 || h > 10000)
		goto bad;
	uint32_t g = gcd((uint32_t)w, (uint32_t)h);
	o->aspect_w = (uint32_t)w / g;
	o->aspect_h = (uint32_t)h / g;
	o->enabled = 1;
	return 0;
bad:
	return pr_error_set(err, PR_EINVAL,
			    "aspect '%s': expected W:H with whole numbers 1..10000, e.g. 4:5 or 1:1",
			    text);
}

int pr_crop_object_box(const uint8_t *mask, size_t stride, uint32_t width, uint32_t height,
		       int inverted, uint32_t box[4])
{
	uint32_t x0 = width, y0 = height, x1 = 0, y1 = 0;
	const uint8_t flip = inverted ? 0x80 : 0;
	for (uint32_t y = 0; y < height; y++) {
		const uint8_t *restrict row = mask + (size_t)y * stride;
		uint32_t first = width, last = 0;
		for (uint32_t x = 0; x < width; x++)
			if ((row[x] ^ flip) & 0x80) {
				first = x;
				break;
			}
		if (first == width)
			continue;
		for (uint32_t x = width; x-- > first;)
			if ((row[x] ^ flip) & 0x80) {
				last = x + 1;
				break;
			}
		if (y < y0)
			y0 = y;
		y1 = y + 1;
		if (first < x0)
			x0 = first;
		if (last > x1)
			x1 = last;
	}
	if (y1 == 0)
		return 1;
	box[0] = x0;
	box[1] = y0;
	box[2] = x1;
	box[3] = y1;
	return 0;
}

/* The centred aspect box for margin m; returns whether it fits the frame. */
static int aspect_box(const uint32_t obj[4], uint32_t W, uint32_t H, uint32_t a, uint32_t b,
		      uint32_t m, struct pr_crop_box *out)
{
	int64_t cw0 = (int64_t)(obj[2] - obj[0]) + 2 * (int64_t)m;
	int64_t ch0 = (int64_t)(obj[3] - obj[1]) + 2 * (int64_t)m;
	int64_t kx = (cw0 + a - 1) / a, ky = (ch0 + b - 1) / b;
	int64_t k = kx > ky ? kx : ky;
	int64_t cw = k * a, ch = k * b;
	int64_t x = (int64_t)obj[0] - m - (cw - cw0) / 2;
	int64_t y = (int64_t)obj[1] - m - (ch - ch0) / 2;
	out->x = (int32_t)x;
	out->y = (int32_t)y;
	out->width = (uint32_t)cw;
	out->height = (uint32_t)ch;
	out->margin = m;
	return x >= 0 && y >= 0 && x + cw <= W && y + ch <= H;
}

void pr_crop_from_box(const uint32_t obj[4], uint32_t W, uint32_t H,
		      const struct pr_crop_options *o, struct pr_crop_box *out)
{
	memset(out, 0, sizeof(*out));
	out->obj_x0 = obj[0];
	out->obj_y0 = obj[1];
	out->obj_x1 = obj[2];
	out->obj_y1 = obj[3];
	if (!o->enabled) {
		out->width = W;
		out->height = H;
		return;
	}
	uint32_t bw = obj[2] - obj[0], bh = obj[3] - obj[1];
	double mm = o->unit == PR_CROP_PERCENT ? o->margin * (double)(bw > bh ? bw : bh) / 100.0
					       : o->margin;
	uint32_t m = (uint32_t)floor(mm + 0.5);
	if (m > 65535)
		m = 65535;
	if (!o->aspect_w || !o->aspect_h) {
		int64_t x0 = (int64_t)obj[0] - m, y0 = (int64_t)obj[1] - m;
		int64_t x1 = (int64_t)obj[2] + m, y1 = (int64_t)obj[3] + m;
		x0 = x0 < 0 ? 0 : x0;
		y0 = y0 < 0 ? 0 : y0;
		x1 = x1 > W ? W : x1;
		y1 = y1 > H ? H : y1;
		out->x = (int32_t)x0;
		out->y = (int32_t)y0;
		out->width = (uint32_t)(x1 - x0);
		out->height = (uint32_t)(y1 - y0);
		out->margin = m;
		return;
	}
	if (aspect_box(obj, W, H, o->aspect_w, o->aspect_h, m, out))
		return;
	/* the box grows with m, so the largest margin that fits is found by
	 * bisection over [0, m) */
	if (!aspect_box(obj, W, H, o->aspect_w, o->aspect_h, 0, out)) {
		/* padding cannot be avoided: then nothing is gained by a smaller
		 * margin, so the object gets the margin asked for */
		aspect_box(obj, W, H, o->aspect_w, o->aspect_h, m, out);
		out->padded = 1;
		return;
	}
	uint32_t lo = 0, hi = m; /* lo fits, hi does not */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		struct pr_crop_box t;
		if (aspect_box(obj, W, H, o->aspect_w, o->aspect_h, mid, &t))
			lo = mid;
		else
			hi = mid;
	}
	aspect_box(obj, W, H, o->aspect_w, o->aspect_h, lo, out);
}

void pr_crop_compute(const uint8_t *mask, size_t stride, uint32_t width, uint32_t height,
		     int inverted, const struct pr_crop_options *o, struct pr_crop_box *out)
{
	uint32_t obj[4];
	if (pr_crop_object_box(mask, stride, width, height, inverted, obj)) {
		memset(out, 0, sizeof(*out));
		out->width = width;
		out->height = height;
		out->empty = 1;
		return;
	}
	pr_crop_from_box(obj, width, height, o, out);
}
