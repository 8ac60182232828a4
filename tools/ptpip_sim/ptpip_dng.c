/* photorig-ptpip-sim: the RAW half of a RAW+JPEG capture.
 *
 * Real cameras write their own RAW formats (CR2, NEF, ARW); DNG is the one
 * with a public specification and is what libraw reads from any maker, so
 * the simulator serves DNG. The file holds only what a reader needs to find
 * and develop the sensor data: the baseline TIFF tags of one CFA strip, the
 * CFA pattern, DNGVersion, a camera model, the white level and a colour
 * matrix. The image is 16-bit samples, uncompressed, no preview. */
#include "ptpip_dng.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { T_BYTE = 1, T_ASCII = 2, T_SHORT = 3, T_LONG = 4, T_SRATIONAL = 10 };

struct dng {
	uint8_t *p;
	size_t ifd;    /* where the next IFD entry goes */
	size_t extra;  /* where the next out-of-line value goes */
};

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* One IFD entry; values over 4 bytes go to the out-of-line area (kept at
 * even offsets, as TIFF asks). Entries must come in tag order. */
static void entry(struct dng *d, uint16_t tag, uint16_t type, uint32_t count,
		  const void *value, size_t len)
{
	uint8_t *e = d->p + d->ifd;
	put16(e, tag);
	put16(e + 2, type);
	put32(e + 4, count);
	if (len <= 4) {
		memcpy(e + 8, value, len);
	} else {
		put32(e + 8, (uint32_t)d->extra);
		memcpy(d->p + d->extra, value, len);
		d->extra += (len + 1) & ~(size_t)1;
	}
	d->ifd += 12;
}

static void entry_num(struct dng *d, uint16_t tag, uint16_t type, uint32_t v)
{
	uint8_t b[4] = { 0 };
	if (type == T_SHORT)
		put16(b, v);
	else
		put32(b, v);
	entry(d, tag, type, 1, b, type == T_SHORT ? 2 : 4);
}

#define NTAGS 22
#define EXTRA_MAX 256

int sim_dng_generate(unsigned capture, uint32_t w, uint32_t h, uint8_t **out, size_t *outsz)
{
	if (!w || !h || (w & 1) || (h & 1) || w > 20000 || h > 20000)
		return -EINVAL;
	static const char model[] = "photorig ptpip-sim DNG";
	size_t ifd_at = 8, extra_at = ifd_at + 2 + 12 * NTAGS + 4;
	size_t strip_at = extra_at + EXTRA_MAX, strip_len = (size_t)w * h * 2;
	struct dng d = { calloc(1, strip_at + strip_len), ifd_at + 2, extra_at };
	if (!d.p)
		return -ENOMEM;
	memcpy(d.p, "II*\0", 4);
	put32(d.p + 4, (uint32_t)ifd_at);
	put16(d.p + ifd_at, NTAGS);
	uint8_t two[4], cfa[4] = { 0, 1, 1, 2 }, ver[4] = { 1, 4, 0, 0 }, back[4] = { 1, 1, 0, 0 };
	uint8_t matrix[9 * 8];
	put16(two, 2);
	put16(two + 2, 2);
	for (int i = 0; i < 9; i++) {
		put32(matrix + 8 * i, i % 4 == 0); /* identity */
		put32(matrix + 8 * i + 4, 1);
	}
	entry_num(&d, 254, T_LONG, 0);                 /* NewSubFileType: the main image */
	entry_num(&d, 256, T_LONG, w);                 /* ImageWidth */
	entry_num(&d, 257, T_LONG, h);                 /* ImageLength */
	entry_num(&d, 258, T_SHORT, 16);               /* BitsPerSample */
	entry_num(&d, 259, T_SHORT, 1);                /* Compression: none */
	entry_num(&d, 262, T_SHORT, 32803);            /* PhotometricInterpretation: CFA */
	entry(&d, 271, T_ASCII, 9, "photorig", 9);     /* Make */
	entry(&d, 272, T_ASCII, sizeof(model), model, sizeof(model));
	entry_num(&d, 273, T_LONG, (uint32_t)strip_at);  /* StripOffsets */
	entry_num(&d, 274, T_SHORT, 1);                /* Orientation: as stored */
	entry_num(&d, 277, T_SHORT, 1);                /* SamplesPerPixel */
	entry_num(&d, 278, T_LONG, h);                 /* RowsPerStrip: one strip */
	entry_num(&d, 279, T_LONG, (uint32_t)strip_len); /* StripByteCounts */
	entry_num(&d, 284, T_SHORT, 1);                /* PlanarConfiguration */
	entry(&d, 33421, T_SHORT, 2, two, 4);          /* CFARepeatPatternDim 2x2 */
	entry(&d, 33422, T_BYTE, 4, cfa, 4);           /* CFAPattern RGGB */
	entry(&d, 50706, T_BYTE, 4, ver, 4);           /* DNGVersion 1.4 */
	entry(&d, 50707, T_BYTE, 4, back, 4);          /* DNGBackwardVersion 1.1 */
	entry(&d, 50708, T_ASCII, sizeof(model), model, sizeof(model)); /* UniqueCameraModel */
	entry_num(&d, 50717, T_LONG, 16383);           /* WhiteLevel: 14 bits */
	entry(&d, 50721, T_SRATIONAL, 9, matrix, sizeof(matrix)); /* ColorMatrix1 */
	entry_num(&d, 50778, T_SHORT, 21);             /* CalibrationIlluminant1: D65 */
	/* the next-IFD offset after the entries stays 0 (calloc) */
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			put16(d.p + strip_at + ((size_t)y * w + x) * 2,
			      ((x + y) * 97u + capture * 1009u) & 0x3fff);
	*out = d.p;
	*outsz = strip_at + strip_len;
	return 0;
}
