/* photorig core: the BMP decoder.
 *
 * Only what region-of-interest files need: the change-detection benchmark
 * (CDnet) ships its ROI as ROI.bmp, written by common tools as 8-bit
 * palette, 24-bit or 32-bit uncompressed bitmaps, sometimes 1-bit. So this
 * reads uncompressed (BI_RGB) 1/4/8-bit palette, 24-bit and 32-bit images
 * (32-bit also as BI_BITFIELDS with the usual byte masks), bottom-up or
 * top-down, with the OS/2 core header or any Windows info header. RLE and
 * embedded JPEG/PNG bitmaps are refused by name. A palette whose entries are
 * all grey gives a 1-channel image, anything else 8-bit RGB; alpha is
 * dropped. Every size and offset is checked against the buffer before use:
 * the file may come from anywhere. */
#include "imageio.h"

#include <stdlib.h>
#include <string.h>

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define BMP_FILE_HEADER 14
#define BI_RGB 0
#define BI_BITFIELDS 3

struct bmp_info {
	uint32_t offset, hsize, width, height, bpp, compression, ncolours;
	int top_down;
	uint8_t pal[256][3];
	int grey;
};

static int parse_header(const uint8_t *p, size_t size, const char *name, struct bmp_info *bi,
			struct pr_error *err)
{
	memset(bi, 0, sizeof(*bi));
	if (size < BMP_FILE_HEADER + 12)
		return pr_error_set(err, PR_EFORMAT, "%s: BMP file is truncated (%zu bytes)", name,
				    size);
	bi->offset = le32(p + 10);
	bi->hsize = le32(p + 14);
	const uint8_t *h = p + BMP_FILE_HEADER;
	int32_t w, hh;
	if (bi->hsize == 12) {
		w = (int32_t)le16(h + 4);
		hh = (int32_t)le16(h + 6);
		bi->bpp = le16(h + 10);
	} else if (bi->hsize >= 40 && bi->hsize <= 1024) {
		if (size < BMP_FILE_HEADER + bi->hsize)
			return pr_error_set(err, PR_EFORMAT, "%s: BMP header is truncated (%zu bytes)",
					    name, size);
		w = (int32_t)le32(h + 4);
		hh = (int32_t)le32(h + 8);
		bi->bpp = le16(h + 14);
		bi->compression = le32(h + 16);
		bi->ncolours = le32(h + 32);
	} else {
		return pr_error_set(err, PR_EFORMAT, "%s: BMP header of %u bytes is not supported",
				    name, bi->hsize);
	}
	if (hh < 0) {
		bi->top_down = 1;
		hh = hh == INT32_MIN ? 0 : -hh;
	}
	if (w <= 0 || hh <= 0 || (uint32_t)w > PR_IMAGE_MAX_SIDE || (uint32_t)hh > PR_IMAGE_MAX_SIDE)
		return pr_error_set(err, PR_ESIZE, "%s: BMP size %dx%d is outside 1..%u", name,
				    (int)w, (int)hh, PR_IMAGE_MAX_SIDE);
	bi->width = (uint32_t)w;
	bi->height = (uint32_t)hh;
	if (bi->bpp != 1 && bi->bpp != 4 && bi->bpp != 8 && bi->bpp != 24 && bi->bpp != 32)
		return pr_error_set(err, PR_EFORMAT, "%s: BMP with %u bits per pixel is not supported",
				    name, bi->bpp);
	if (bi->compression == BI_BITFIELDS && bi->bpp == 32 && bi->hsize >= 52) {
		/* the masks follow the 40-byte header: only the byte layout
		 * every writer uses (B, G, R from the low byte) is read */
		if (le32(h + 40) != 0x00FF0000u || le32(h + 44) != 0x0000FF00u ||
		    le32(h + 48) != 0x000000FFu)
			return pr_error_set(err, PR_EFORMAT, "%s: BMP colour masks are not the usual "
					    "8-bit BGR layout", name);
	} else if (bi->compression != BI_RGB) {
		return pr_error_set(err, PR_EFORMAT, "%s: compressed BMP (type %u) is not supported",
				    name, bi->compression);
	}
	return 0;
}

static int read_palette(const uint8_t *p, size_t size, const char *name, struct bmp_info *bi,
			struct pr_error *err)
{
	uint32_t max = 1u << bi->bpp, n = bi->ncolours ? bi->ncolours : max;
	uint32_t entry = bi->hsize == 12 ? 3 : 4;
	if (n > max)
		return pr_error_set(err, PR_EFORMAT, "%s: BMP palette of %u colours for %u bits", name,
				    n, bi->bpp);
	size_t at = BMP_FILE_HEADER + bi->hsize;
	if (at + (size_t)n * entry > size || at + (size_t)n * entry > bi->offset)
		return pr_error_set(err, PR_EFORMAT, "%s: BMP palette is truncated", name);
	bi->grey = 1;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = p + at + (size_t)i * entry;
		bi->pal[i][0] = e[2];
		bi->pal[i][1] = e[1];
		bi->pal[i][2] = e[0];
		if (e[0] != e[1] || e[1] != e[2])
			bi->grey = 0;
	}
	/* indices beyond the palette read as black, as viewers show them */
	return 0;
}

int pr_decode_bmp(const void *data, size_t size, const char *name, struct pr_image *out,
		  struct pr_error *err)
{
	const uint8_t *p = data;
	struct bmp_info bi;
	memset(out, 0, sizeof(*out));
	int rc = parse_header(p, size, name, &bi, err);
	if (rc)
		return rc;
	if (bi.bpp <= 8 && (rc = read_palette(p, size, name, &bi, err)))
		return rc;
	const size_t rowbytes = (((size_t)bi.bpp * bi.width + 31) / 32) * 4;
	if (bi.offset < BMP_FILE_HEADER + bi.hsize || bi.offset > size ||
	    (size - bi.offset) / rowbytes < bi.height)
		return pr_error_set(err, PR_EFORMAT, "%s: BMP pixel data is truncated (a file of %zu "
				    "bytes for %u rows of %zu)", name, size, bi.height, rowbytes);
	const int ch = bi.bpp <= 8 && bi.grey ? 1 : 3;
	if ((rc = pr_image_alloc(out, bi.width, bi.height, ch, 8, err)))
		return rc;
	for (uint32_t y = 0; y < bi.height; y++) {
		const uint8_t *s = p + bi.offset + rowbytes * (bi.top_down ? y : bi.height - 1 - y);
		uint8_t *d = pr_image_row(out, y);
		for (uint32_t x = 0; x < bi.width; x++) {
			if (bi.bpp >= 24) {
				const uint8_t *px = s + (size_t)x * (bi.bpp / 8);
				d[3 * x] = px[2];
				d[3 * x + 1] = px[1];
				d[3 * x + 2] = px[0];
				continue;
			}
			uint32_t bit = x * bi.bpp;
			uint32_t idx = (s[bit / 8] >> (8 - bi.bpp - bit % 8)) & ((1u << bi.bpp) - 1);
			if (ch == 1)
				d[x] = bi.pal[idx][0];
			else
				memcpy(d + 3 * x, bi.pal[idx], 3);
		}
	}
	return 0;
}
