/* photorig-ptpip-sim: draws the identification image and encodes it with
 * libjpeg-turbo. The font is a plain 5x7 bitmap: enough for serials and
 * numbers, and it keeps the simulator free of font dependencies. */
#include "ptpip_jpeg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#define GLYPH_W 5
#define GLYPH_H 7

struct glyph {
	char c;
	uint8_t rows[GLYPH_H]; /* bit 4 is the leftmost column */
};

static const struct glyph font[] = {
	{ '0', { 0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E } },
	{ '1', { 0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E } },
	{ '2', { 0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F } },
	{ '3', { 0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E } },
	{ '4', { 0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02 } },
	{ '5', { 0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E } },
	{ '6', { 0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E } },
	{ '7', { 0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
	{ '8', { 0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E } },
	{ '9', { 0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C } },
	{ 'A', { 0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11 } },
	{ 'B', { 0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E } },
	{ 'C', { 0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E } },
	{ 'D', { 0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C } },
	{ 'E', { 0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F } },
	{ 'F', { 0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10 } },
	{ 'G', { 0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F } },
	{ 'H', { 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11 } },
	{ 'I', { 0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E } },
	{ 'J', { 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C } },
	{ 'K', { 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 } },
	{ 'L', { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F } },
	{ 'M', { 0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11 } },
	{ 'N', { 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 } },
	{ 'O', { 0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E } },
	{ 'P', { 0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10 } },
	{ 'Q', { 0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D } },
	{ 'R', { 0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11 } },
	{ 'S', { 0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E } },
	{ 'T', { 0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 } },
	{ 'U', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E } },
	{ 'V', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04 } },
	{ 'W', { 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A } },
	{ 'X', { 0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11 } },
	{ 'Y', { 0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04 } },
	{ 'Z', { 0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F } },
	{ '-', { 0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00 } },
	{ '_', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F } },
	{ '#', { 0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A } },
	{ '.', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C } },
	{ ':', { 0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00 } },
	{ '/', { 0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00 } },
	{ ' ', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 } },
};
static const struct glyph unknown = { '?', { 0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04 } };

static const struct glyph *glyph_for(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	for (size_t i = 0; i < sizeof(font) / sizeof(font[0]); i++)
		if (font[i].c == c)
			return &font[i];
	return &unknown;
}

/* Draws text with its top-left corner at (x0, y0), each font pixel a
 * scale x scale block; clipped to the image. */
static void draw_text(uint8_t *rgb, uint32_t w, uint32_t h, uint32_t x0, uint32_t y0,
		      uint32_t scale, const char *text, const uint8_t color[3])
{
	for (size_t k = 0; text[k]; k++) {
		const struct glyph *g = glyph_for(text[k]);
		for (uint32_t gy = 0; gy < GLYPH_H; gy++)
			for (uint32_t gx = 0; gx < GLYPH_W; gx++) {
				if (!(g->rows[gy] & (0x10 >> gx)))
					continue;
				for (uint32_t dy = 0; dy < scale; dy++)
					for (uint32_t dx = 0; dx < scale; dx++) {
						uint64_t x = x0 + (k * (GLYPH_W + 1) + gx) * scale + dx;
						uint64_t y = y0 + gy * scale + dy;
						if (x >= w || y >= h)
							continue;
						memcpy(rgb + (y * w + x) * 3, color, 3);
					}
			}
	}
}

static uint32_t text_scale(uint32_t w, uint32_t h, size_t len)
{
	uint32_t by_w = (uint32_t)((w * 9 / 10) / ((len ? len : 1) * (GLYPH_W + 1)));
	uint32_t by_h = h / (3 * (GLYPH_H + 2));
	uint32_t s = by_w < by_h ? by_w : by_h;
	return s ? s : 1;
}

static uint32_t fnv32(const char *s)
{
	uint32_t hash = 2166136261u;
	for (; *s; s++)
		hash = (hash ^ (uint8_t)*s) * 16777619u;
	return hash;
}

static void render(uint8_t *rgb, uint32_t w, uint32_t h, const char *serial, unsigned capture)
{
	/* A gradient tinted per serial: cameras differ at a glance, and the
	 * smooth ramp keeps the JPEG small. */
	uint32_t tint = fnv32(serial);
	uint8_t tr = (uint8_t)(64 + (tint & 0x7F)), tg = (uint8_t)(64 + ((tint >> 8) & 0x7F));
	uint8_t tb = (uint8_t)(64 + ((tint >> 16) & 0x7F));
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t *p = rgb + ((size_t)y * w + x) * 3;
			uint32_t ramp = (x * 64) / (w ? w : 1) + (y * 64) / (h ? h : 1);
			p[0] = (uint8_t)((tr * (128 + ramp)) >> 8);
			p[1] = (uint8_t)((tg * (128 + ramp)) >> 8);
			p[2] = (uint8_t)((tb * (128 + ramp)) >> 8);
		}
	char line2[32];
	snprintf(line2, sizeof(line2), "#%u", capture);
	static const uint8_t white[3] = { 255, 255, 255 }, yellow[3] = { 255, 230, 40 };
	uint32_t s1 = text_scale(w, h, strlen(serial)), s2 = text_scale(w, h, strlen(line2));
	draw_text(rgb, w, h, w / 20, h / 8, s1, serial, white);
	draw_text(rgb, w, h, w / 20, h / 8 + (GLYPH_H + 3) * s1, s2, line2, yellow);
}

/* Copies jpg with a COM segment inserted right after SOI. */
static int add_comment(const uint8_t *jpg, size_t n, const char *text, uint8_t **out, size_t *outsz)
{
	size_t tl = strlen(text);
	if (n < 2 || jpg[0] != 0xFF || jpg[1] != 0xD8 || tl > 60000)
		return -EINVAL;
	uint8_t *o = malloc(n + 4 + tl);
	if (!o)
		return -ENOMEM;
	o[0] = 0xFF;
	o[1] = 0xD8;
	o[2] = 0xFF;
	o[3] = 0xFE;
	o[4] = (uint8_t)((tl + 2) >> 8);
	o[5] = (uint8_t)(tl + 2);
	memcpy(o + 6, text, tl);
	memcpy(o + 6 + tl, jpg + 2, n - 2);
	*out = o;
	*outsz = n + 4 + tl;
	return 0;
}

int sim_jpeg_generate(const char *serial, unsigned capture, uint32_t w, uint32_t h,
		      uint8_t **out, size_t *outsz)
{
	if (w == 0 || h == 0 || w > 8192 || h > 8192)
		return -EINVAL;
	uint8_t *rgb = malloc((size_t)w * h * 3);
	if (!rgb)
		return -ENOMEM;
	render(rgb, w, h, serial, capture);
	tjhandle tj = tjInitCompress();
	unsigned char *jpg = NULL;
	unsigned long jpgsz = 0;
	int rc = -ENOMEM;
	if (tj && tjCompress2(tj, rgb, (int)w, 0, (int)h, TJPF_RGB, &jpg, &jpgsz, TJSAMP_420, 90, 0) == 0) {
		char com[160];
		snprintf(com, sizeof(com), "photorig-ptpip-sim serial=%s capture=%u", serial, capture);
		rc = add_comment(jpg, jpgsz, com, out, outsz);
	} else if (tj) {
		rc = -EIO;
	}
	tjFree(jpg);
	if (tj)
		tjDestroy(tj);
	free(rgb);
	return rc;
}

int sim_jpeg_dimensions(const uint8_t *d, size_t n, uint32_t *w, uint32_t *h)
{
	if (n < 4 || d[0] != 0xFF || d[1] != 0xD8)
		return -EINVAL;
	size_t i = 2;
	while (i + 4 <= n) {
		if (d[i] != 0xFF)
			return -EINVAL;
		uint8_t m = d[i + 1];
		if (m == 0xFF) { /* fill byte */
			i++;
			continue;
		}
		size_t seglen = (size_t)d[i + 2] << 8 | d[i + 3];
		if (seglen < 2)
			return -EINVAL;
		int sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
		if (sof) {
			if (seglen < 7 || i + 2 + 7 > n)
				return -EINVAL;
			*h = (uint32_t)d[i + 5] << 8 | d[i + 6];
			*w = (uint32_t)d[i + 7] << 8 | d[i + 8];
			return 0;
		}
		if (m == 0xDA || m == 0xD9) /* scan data or end before any SOF */
			return -EINVAL;
		i += 2 + seglen;
	}
	return -EINVAL;
}
