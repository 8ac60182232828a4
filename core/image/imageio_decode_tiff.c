/* photorig core: TIFF decoder (libtiff over a memory buffer).
 *
 * The common layouts (8/16-bit grey or RGB with or without alpha, strips or
 * tiles, contiguous or separate planes, any codec libtiff has) are read
 * natively, keeping 16 bits. Everything else libtiff can render (palette,
 * 1/2/4-bit, YCbCr, CMYK, Lab...) goes through TIFFRGBAImage at 8 bits.
 * libtiff's messages are captured per open handle (libtiff >= 4.5 open
 * options), so threads do not share a buffer and nothing goes to stderr. */
#include "imageio.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

struct tiff_mem {
	const uint8_t *data;
	toff_t size, pos;
	char msg[200]; /* first libtiff error: usually the most specific one */
};

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t n)
{
	struct tiff_mem *m = h;
	if (n <= 0 || m->pos >= m->size)
		return 0;
	toff_t left = m->size - m->pos;
	if ((toff_t)n > left)
		n = (tmsize_t)left;
	memcpy(buf, m->data + m->pos, (size_t)n);
	m->pos += (toff_t)n;
	return n;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t n)
{
	(void)h, (void)buf, (void)n;
	return -1; /* read-only */
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence)
{
	struct tiff_mem *m = h;
	toff_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : m->size;
	if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
		return (toff_t)-1;
	if (off > UINT64_MAX - base)
		return (toff_t)-1;
	m->pos = base + off; /* past the end is allowed, as for files; reads return 0 */
	return m->pos;
}

static int mem_close(thandle_t h)
{
	(void)h;
	return 0;
}

static toff_t mem_size(thandle_t h)
{
	return ((struct tiff_mem *)h)->size;
}

/* Let libtiff read uncompressed strips straight from our buffer. It never
 * writes through the mapping of a file opened for reading. */
static int mem_map(thandle_t h, void **base, toff_t *size)
{
	struct tiff_mem *m = h;
	*base = (void *)(uintptr_t)m->data;
	*size = m->size;
	return 1;
}

static void mem_unmap(thandle_t h, void *base, toff_t size)
{
	(void)h, (void)base, (void)size;
}

/* libtiff hands us its printf format: say so, so -Wformat=2 checks the use */
__attribute__((format(printf, 4, 0)))
static int on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	(void)tif, (void)module;
	struct tiff_mem *m = user;
	if (m && !m->msg[0])
		vsnprintf(m->msg, sizeof(m->msg), fmt, ap);
	return 1; /* handled: do not call the global (stderr) handler */
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	(void)tif, (void)user, (void)module, (void)fmt, (void)ap;
	return 1; /* unknown tags and the like: not our concern, never printed */
}

static int tiff_fail(struct pr_error *err, const char *name, const struct tiff_mem *m,
		     const char *what)
{
	return pr_error_set(err, PR_EFORMAT, "%s: %s: %s", name, what,
			    m->msg[0] ? m->msg : "no image data");
}

/* Copy `n` pixels of one plane (sample `s` of `spp`) into interleaved dst. */
static void scatter(uint8_t *dst, const uint8_t *src, uint32_t n, unsigned s, unsigned spp,
		    unsigned bytes)
{
	if (bytes == 1) {
		for (uint32_t i = 0; i < n; i++)
			dst[(size_t)i * spp + s] = src[i];
	} else {
		uint16_t *restrict d = (uint16_t *)(void *)dst;
		const uint16_t *restrict q = (const uint16_t *)(const void *)src;
		for (uint32_t i = 0; i < n; i++)
			d[(size_t)i * spp + s] = q[i];
	}
}

static int read_strips(TIFF *tif, struct pr_image *img, int separate, const char *name,
		       const struct tiff_mem *m, struct pr_error *err)
{
	unsigned spp = img->channels, bytes = img->depth / 8u;
	unsigned planes = separate ? spp : 1;
	tmsize_t line = TIFFScanlineSize(tif);
	size_t expect = separate ? (size_t)img->width * bytes : img->stride;
	if (line <= 0 || (size_t)line != expect)
		return tiff_fail(err, name, m, "inconsistent scanline size");
	uint8_t *buf = separate ? malloc(expect) : NULL;
	if (separate && !buf)
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory", name);
	int rc = 0;
	/* Plane by plane, rows in order: sequential access never re-decodes. */
	for (unsigned s = 0; s < planes && !rc; s++)
		for (uint32_t y = 0; y < img->height; y++) {
			uint8_t *row = pr_image_row(img, y);
			if (TIFFReadScanline(tif, separate ? buf : row, y, (uint16_t)s) < 0) {
				rc = tiff_fail(err, name, m, "corrupt or truncated image data");
				break;
			}
			if (separate)
				scatter(row, buf, img->width, s, spp, bytes);
		}
	free(buf);
	return rc;
}

static int read_tiles(TIFF *tif, struct pr_image *img, int separate, const char *name,
		      const struct tiff_mem *m, struct pr_error *err)
{
	unsigned spp = img->channels, bytes = img->depth / 8u;
	unsigned planes = separate ? spp : 1, per_px = separate ? 1 : spp;
	uint32_t tw = 0, th = 0;
	TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
	TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
	tmsize_t tsize = TIFFTileSize(tif);
	/* Tiles far bigger than the image are legal but only a hostile file
	 * has them; refuse before allocating (same cap as libtiff's own). */
	if (tsize > ((tmsize_t)1 << 30))
		return tiff_fail(err, name, m, "tile size is implausibly large");
	if (tw == 0 || th == 0 || tsize <= 0 ||
	    (uint64_t)tw * th * per_px * bytes > (uint64_t)tsize)
		return tiff_fail(err, name, m, "inconsistent tile size");
	uint8_t *buf = malloc((size_t)tsize);
	if (!buf)
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory for a tile", name);
	size_t tile_row = (size_t)tw * per_px * bytes;
	for (unsigned s = 0; s < planes; s++)
		for (uint32_t y = 0; y < img->height; y += th)
			for (uint32_t x = 0; x < img->width; x += tw) {
				if (TIFFReadTile(tif, buf, x, y, 0, (uint16_t)s) < 0) {
					free(buf);
					return tiff_fail(err, name, m, "corrupt or truncated tile");
				}
				uint32_t nx = img->width - x < tw ? img->width - x : tw;
				uint32_t ny = img->height - y < th ? img->height - y : th;
				for (uint32_t r = 0; r < ny; r++) {
					uint8_t *dst = pr_image_row(img, y + r) + (size_t)x * spp * bytes;
					const uint8_t *src = buf + (size_t)r * tile_row;
					if (separate)
						scatter(dst, src, nx, s, spp, bytes);
					else
						memcpy(dst, src, (size_t)nx * spp * bytes);
				}
			}
	free(buf);
	return 0;
}

/* Stored premultiplied (associated) alpha -> the unassociated alpha that
 * pr_image and our outputs use. */
static void unpremultiply(struct pr_image *img)
{
	unsigned ch = img->channels, a = ch - 1;
	for (uint32_t y = 0; y < img->height; y++) {
		if (img->depth == 8) {
			uint8_t *p = pr_image_row(img, y);
			for (uint32_t x = 0; x < img->width; x++, p += ch)
				for (unsigned c = 0; c < a; c++) {
					unsigned v = p[a] ? (p[c] * 255u + p[a] / 2u) / p[a] : 0;
					p[c] = (uint8_t)(v > 255 ? 255 : v);
				}
		} else {
			uint16_t *p = (uint16_t *)(void *)pr_image_row(img, y);
			for (uint32_t x = 0; x < img->width; x++, p += ch)
				for (unsigned c = 0; c < a; c++) {
					uint32_t v = p[a] ? (p[c] * 65535u + p[a] / 2u) / p[a] : 0;
					p[c] = (uint16_t)(v > 65535 ? 65535 : v);
				}
		}
	}
}

/* TIFFRGBAImage path: 8-bit, grey or RGB, with alpha when the file has it.
 * Ask for the file's own orientation so libtiff flips nothing: pixels stay
 * on the stored grid like every other decoder's. */
static int read_rgba(TIFF *tif, struct pr_image *img, uint32_t w, uint32_t h, int grey,
		     int alpha, const char *name, const struct tiff_mem *m, struct pr_error *err)
{
	int ch = grey ? (alpha ? 2 : 1) : (alpha ? 4 : 3);
	int rc = pr_image_alloc(img, w, h, ch, 8, err);
	if (rc)
		return pr_error_prefix(err, rc, name);
	uint32_t *raster = malloc((size_t)w * h * sizeof(uint32_t));
	if (!raster)
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory", name);
	uint16_t orient = ORIENTATION_TOPLEFT;
	TIFFGetFieldDefaulted(tif, TIFFTAG_ORIENTATION, &orient);
	/* stop_on_error = 1: otherwise libtiff skips strips it cannot read and
	 * returns success, and a 600-byte file with one strip of 128 bytes came
	 * back as a 2047x65534 image of garbage after seconds of work (found by
	 * tests/fuzz/fuzz_image). A camera file that is damaged is refused. */
	if (!TIFFReadRGBAImageOriented(tif, w, h, raster, orient, 1)) {
		free(raster);
		return tiff_fail(err, name, m, "corrupt or unreadable image data");
	}
	for (uint32_t y = 0; y < h; y++) {
		const uint32_t *s = raster + (size_t)y * w;
		uint8_t *d = pr_image_row(img, y);
		for (uint32_t x = 0; x < w; x++) {
			uint8_t px[4] = { (uint8_t)TIFFGetR(s[x]), (uint8_t)TIFFGetG(s[x]),
					  (uint8_t)TIFFGetB(s[x]), (uint8_t)TIFFGetA(s[x]) };
			if (grey) {
				*d++ = px[0];
			} else {
				memcpy(d, px, 3);
				d += 3;
			}
			if (alpha)
				*d++ = px[3];
		}
	}
	free(raster);
	/* TIFFRGBAImage output is premultiplied whatever the file stored. */
	if (alpha)
		unpremultiply(img);
	return 0;
}

static int decode_open(TIFF *tif, const char *name, struct tiff_mem *m, struct pr_image *out,
		       struct pr_error *err)
{
	uint32_t w = 0, h = 0;
	uint16_t spp = 1, bps = 1, photo = 0, planar = PLANARCONFIG_CONTIG;
	uint16_t fmt = SAMPLEFORMAT_UINT, comp = COMPRESSION_NONE, nextra = 0;
	uint16_t *extra = NULL;
	if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h))
		return tiff_fail(err, name, m, "not a readable TIFF image");
	TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
	TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
	TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &fmt);
	TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &comp);
	TIFFGetFieldDefaulted(tif, TIFFTAG_EXTRASAMPLES, &nextra, &extra);
	if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo))
		photo = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
	if (!TIFFIsCODECConfigured(comp))
		return pr_error_set(err, PR_EUNSUPPORTED,
				    "%s: TIFF compression %u is not supported by this libtiff", name,
				    comp);
	if (w == 0 || h == 0 || w > PR_IMAGE_MAX_SIDE || h > PR_IMAGE_MAX_SIDE ||
	    (uint64_t)w * h > PR_IMAGE_MAX_PIXELS)
		return pr_error_set(err, PR_ESIZE, "%s: TIFF size %ux%u is outside the limits",
				    name, w, h);
	if (fmt != SAMPLEFORMAT_UINT)
		return pr_error_set(err, PR_EUNSUPPORTED,
				    "%s: TIFF with floating-point or signed samples is not supported",
				    name);
	/* JPEG-in-TIFF: let the codec convert YCbCr so it reads as RGB. */
	if (comp == COMPRESSION_JPEG && photo == PHOTOMETRIC_YCBCR &&
	    TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB))
		photo = PHOTOMETRIC_RGB;

	int grey = photo == PHOTOMETRIC_MINISBLACK || photo == PHOTOMETRIC_MINISWHITE;
	int has_alpha = nextra > 0 && extra &&
			(extra[0] == EXTRASAMPLE_ASSOCALPHA || extra[0] == EXTRASAMPLE_UNASSALPHA);
	int native = (bps == 8 || bps == 16) && ((grey && spp <= 2) || (photo == PHOTOMETRIC_RGB &&
									 spp >= 3 && spp <= 4));
	int rc;
	if (native) {
		rc = pr_image_alloc(out, w, h, spp, bps, err);
		if (rc)
			return pr_error_prefix(err, rc, name);
		int separate = planar == PLANARCONFIG_SEPARATE && spp > 1;
		rc = TIFFIsTiled(tif) ? read_tiles(tif, out, separate, name, m, err)
				      : read_strips(tif, out, separate, name, m, err);
		if (rc)
			return rc;
		if (photo == PHOTOMETRIC_MINISWHITE)
			for (uint32_t y = 0; y < h; y++) {
				uint8_t *p = pr_image_row(out, y);
				for (uint32_t x = 0; x < w; x++)
					if (bps == 8)
						p[(size_t)x * spp] = (uint8_t)~p[(size_t)x * spp];
					else
						((uint16_t *)(void *)p)[(size_t)x * spp] ^= 0xFFFF;
			}
		if ((spp == 2 || spp == 4) && nextra > 0 && extra &&
		    extra[0] == EXTRASAMPLE_ASSOCALPHA)
			unpremultiply(out);
	} else {
		char emsg[1024];
		if (!TIFFRGBAImageOK(tif, emsg))
			return pr_error_set(err, PR_EUNSUPPORTED, "%s: unsupported TIFF layout: %s",
					    name, emsg);
		rc = read_rgba(tif, out, w, h, grey, has_alpha, name, m, err);
		if (rc)
			return rc;
	}
	uint32_t icc_len = 0;
	void *icc = NULL;
	if (TIFFGetField(tif, TIFFTAG_ICCPROFILE, &icc_len, &icc) && icc && icc_len > 0 &&
	    pr_image_set_icc(out, icc, icc_len) != 0)
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory for the ICC profile", name);
	return 0;
}

int pr_decode_tiff(const void *data, size_t size, const char *name,
		   struct pr_image *out, struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	struct tiff_mem m = { .data = data, .size = size };
	TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
	if (!opts)
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory", name);
	TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, &m);
	TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, &m);
	/* One allocation bigger than this is a hostile header, not a photo. */
	TIFFOpenOptionsSetMaxSingleMemAlloc(opts, (tmsize_t)1 << 30);
	TIFF *tif = TIFFClientOpenExt(name, "r", &m, mem_read, mem_write, mem_seek, mem_close,
				      mem_size, mem_map, mem_unmap, opts);
	TIFFOpenOptionsFree(opts);
	if (!tif)
		return tiff_fail(err, name, &m, "not a readable TIFF");
	int rc = decode_open(tif, name, &m, out, err);
	TIFFClose(tif);
	if (rc)
		pr_image_free(out);
	return rc;
}
