/* photorig core: the RGBA TIFF output (colour + mask as unassociated alpha).
 *
 * Written strip by strip from a small scratch buffer (the RGBA image is
 * never assembled whole), through libtiff client procs over the atomic temp
 * file's fd: TIFFClose then closes nothing, and pr_atomic_commit can still
 * fsync and rename. */
#include "imageio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#include "atomic_file.h"

/* Measured on the 2-core build machine (libtiff 4.5.0 with libdeflate and
 * zstd) on a 6000x4000 photo-like image: smooth gradients, an object, sensor
 * noise sigma ~2.5; alpha a 0/255 ellipse with a feathered rim. Wall time of
 * pr_write_tiff_rgba including fsync, best of 3 (repeat runs on this shared
 * machine varied by up to +-30%), file size in MB:
 *
 *                  8-bit              16-bit (from 8-bit, x257)
 *   none       0.09 s   96.0 MB     0.16 s  192.0 MB
 *   lzw        1.05 s   53.4 MB     1.93 s   69.8 MB
 *   deflate    0.63 s   48.6 MB     0.80 s   64.5 MB   (level 1)
 *   zstd       0.24 s   44.2 MB     0.84 s   63.2 MB   (level 1)
 *
 * with the horizontal predictor. Without it, 8-bit: lzw 1.04 s 75.2 MB,
 * deflate 0.85 s 67.4 MB, zstd 0.17 s 76.4 MB: the predictor makes files
 * 30-40% smaller for ~0.06 s (and speeds deflate up), so it is on. zstd
 * level 3 was slower (0.84 s) and no smaller; strip sizes 128 KB-1 MB made
 * no measurable difference.
 *
 * Default: none. It costs no CPU, so masking keeps up with the rig, and
 * every TIFF reader opens it (some, Photoshop and older libtiff builds among
 * them, cannot read zstd). A rig whose shared disk writes below ~400 MB/s
 * (SATA SSD, HDD, NAS) is better served by zstd, which writes about half
 * the bytes for ~0.15 s of a worker's time; "deflate" is the portable
 * choice that compresses, at 2.5x zstd's time. */
const enum pr_tiff_compression PR_TIFF_DEFAULT = PR_TIFF_NONE;

/* Fast levels: captures must not wait on the encoder. (#ifndef so the
 * measurement above can be repeated with -D overrides.) */
#ifndef TIFF_DEFLATE_LEVEL
#define TIFF_DEFLATE_LEVEL 1
#endif
#ifndef TIFF_ZSTD_LEVEL
#define TIFF_ZSTD_LEVEL 1
#endif
#ifndef TIFF_PREDICTOR
#define TIFF_PREDICTOR PREDICTOR_HORIZONTAL
#endif
/* ~512 KB raw per strip: large enough that per-strip codec start-up is
 * negligible, small enough that a reader can fetch a region cheaply. */
#ifndef TIFF_STRIP_BYTES
#define TIFF_STRIP_BYTES (512u * 1024u)
#endif

static const uint16_t tiff_codec[] = {
	[PR_TIFF_NONE] = COMPRESSION_NONE,
	[PR_TIFF_LZW] = COMPRESSION_LZW,
	[PR_TIFF_DEFLATE] = COMPRESSION_ADOBE_DEFLATE,
	[PR_TIFF_ZSTD] = COMPRESSION_ZSTD,
};

static const char *const comp_names[] = {
	[PR_TIFF_NONE] = "none",
	[PR_TIFF_LZW] = "lzw",
	[PR_TIFF_DEFLATE] = "deflate",
	[PR_TIFF_ZSTD] = "zstd",
};

int pr_tiff_compression_parse(const char *name, enum pr_tiff_compression *out)
{
	for (size_t i = 0; name && i < sizeof(comp_names) / sizeof(comp_names[0]); i++)
		if (strcmp(name, comp_names[i]) == 0) {
			*out = (enum pr_tiff_compression)i;
			return 0;
		}
	return PR_EINVAL;
}

const char *pr_tiff_compression_name(enum pr_tiff_compression c)
{
	if ((unsigned)c < sizeof(comp_names) / sizeof(comp_names[0]))
		return comp_names[c];
	return "unknown";
}

/* libtiff client procs over a plain fd that TIFFClose must not close. */
struct tiff_out {
	int fd;
	int write_errno; /* first failed write(), e.g. ENOSPC */
	char msg[200];   /* first libtiff error */
};

static tmsize_t out_write(thandle_t h, void *buf, tmsize_t n)
{
	struct tiff_out *o = h;
	const uint8_t *p = buf;
	tmsize_t left = n;
	while (left > 0) {
		ssize_t w = write(o->fd, p, (size_t)left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!o->write_errno)
				o->write_errno = w < 0 ? errno : EIO;
			return -1;
		}
		p += w;
		left -= w;
	}
	return n;
}

static tmsize_t out_read(thandle_t h, void *buf, tmsize_t n)
{
	ssize_t r;
	do
		r = read(((struct tiff_out *)h)->fd, buf, (size_t)n);
	while (r < 0 && errno == EINTR);
	return r;
}

static toff_t out_seek(thandle_t h, toff_t off, int whence)
{
	off_t r = lseek(((struct tiff_out *)h)->fd, (off_t)off, whence);
	return r < 0 ? (toff_t)-1 : (toff_t)r;
}

static int out_close(thandle_t h)
{
	(void)h;
	return 0; /* the fd belongs to the atomic file */
}

static toff_t out_size(thandle_t h)
{
	struct stat st;
	return fstat(((struct tiff_out *)h)->fd, &st) == 0 ? (toff_t)st.st_size : 0;
}

static int out_map(thandle_t h, void **base, toff_t *size)
{
	(void)h, (void)base, (void)size;
	return 0;
}

static void out_unmap(thandle_t h, void *base, toff_t size)
{
	(void)h, (void)base, (void)size;
}

/* libtiff hands us its printf format: say so, so -Wformat=2 checks the use */
__attribute__((format(printf, 4, 0)))
static int out_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	(void)tif, (void)module;
	struct tiff_out *o = user;
	if (!o->msg[0])
		vsnprintf(o->msg, sizeof(o->msg), fmt, ap);
	return 1;
}

static int out_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	(void)tif, (void)user, (void)module, (void)fmt, (void)ap;
	return 1;
}

/* One row of RGBA from colour (1..4 channels, 8/16 bit) and an 8-bit alpha
 * row. Separate loops per depth pair so each vectorises. */
static void pack_row(uint8_t *restrict dst, const uint8_t *restrict src,
		     const uint8_t *restrict a, uint32_t w, unsigned ch, unsigned in_bits,
		     unsigned out_bits)
{
	const unsigned g = ch < 3; /* grey: replicate channel 0 */
	const unsigned c1 = g ? 0 : 1, c2 = g ? 0 : 2;
	if (in_bits == 8 && out_bits == 8) {
		if (ch == 3) {
			for (uint32_t x = 0; x < w; x++) {
				dst[4 * x] = src[3 * x];
				dst[4 * x + 1] = src[3 * x + 1];
				dst[4 * x + 2] = src[3 * x + 2];
				dst[4 * x + 3] = a[x];
			}
			return;
		}
		for (uint32_t x = 0; x < w; x++, src += ch, dst += 4) {
			dst[0] = src[0];
			dst[1] = src[c1];
			dst[2] = src[c2];
			dst[3] = a[x];
		}
	} else if (in_bits == 8) {
		uint16_t *restrict d = (uint16_t *)(void *)dst;
		for (uint32_t x = 0; x < w; x++, src += ch, d += 4) {
			d[0] = (uint16_t)(src[0] * 257u);
			d[1] = (uint16_t)(src[c1] * 257u);
			d[2] = (uint16_t)(src[c2] * 257u);
			d[3] = (uint16_t)(a[x] * 257u);
		}
	} else {
		const uint16_t *restrict s = (const uint16_t *)(const void *)src;
		if (out_bits == 16) {
			uint16_t *restrict d = (uint16_t *)(void *)dst;
			for (uint32_t x = 0; x < w; x++, s += ch, d += 4) {
				d[0] = s[0];
				d[1] = s[c1];
				d[2] = s[c2];
				d[3] = (uint16_t)(a[x] * 257u);
			}
		} else {
			for (uint32_t x = 0; x < w; x++, s += ch, dst += 4) {
				dst[0] = (uint8_t)((s[0] * 255u + 32767u) / 65535u);
				dst[1] = (uint8_t)((s[c1] * 255u + 32767u) / 65535u);
				dst[2] = (uint8_t)((s[c2] * 255u + 32767u) / 65535u);
				dst[3] = a[x];
			}
		}
	}
}

/* Alpha row source when the caller passes no plane: the image's own alpha
 * (8-bit, or the high byte of 16-bit) or opaque. */
static void own_alpha(uint8_t *restrict a, const struct pr_image *img, uint32_t y)
{
	unsigned ch = img->channels;
	if (ch != 2 && ch != 4) {
		memset(a, 255, img->width);
		return;
	}
	const uint8_t *row = pr_image_row(img, y);
	for (uint32_t x = 0; x < img->width; x++)
		a[x] = img->depth == 8 ? row[(size_t)x * ch + ch - 1]
				       : (uint8_t)(((const uint16_t *)(const void *)row)[(size_t)x * ch + ch - 1] >> 8);
}

static int set_tags(TIFF *tif, const struct pr_image *rgb, int bits, enum pr_tiff_compression comp,
		    uint32_t rows_per_strip)
{
	static const uint16_t extra[1] = { EXTRASAMPLE_UNASSALPHA };
	int ok = TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, rgb->width) &&
		 TIFFSetField(tif, TIFFTAG_IMAGELENGTH, rgb->height) &&
		 TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 4) &&
		 TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits) &&
		 TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT) &&
		 TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB) &&
		 TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
		 TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, extra) &&
		 TIFFSetField(tif, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT) &&
		 TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows_per_strip) &&
		 TIFFSetField(tif, TIFFTAG_SOFTWARE, "photorig") &&
		 TIFFSetField(tif, TIFFTAG_COMPRESSION, tiff_codec[comp]);
	if (ok && comp == PR_TIFF_DEFLATE)
		ok = TIFFSetField(tif, TIFFTAG_ZIPQUALITY, TIFF_DEFLATE_LEVEL);
	if (ok && comp == PR_TIFF_ZSTD)
		ok = TIFFSetField(tif, TIFFTAG_ZSTD_LEVEL, TIFF_ZSTD_LEVEL);
	if (ok && comp != PR_TIFF_NONE && TIFF_PREDICTOR != PREDICTOR_NONE)
		ok = TIFFSetField(tif, TIFFTAG_PREDICTOR, TIFF_PREDICTOR);
	if (ok && rgb->icc && rgb->icc_size > 0 && rgb->icc_size <= UINT32_MAX)
		ok = TIFFSetField(tif, TIFFTAG_ICCPROFILE, (uint32_t)rgb->icc_size, rgb->icc);
	return ok;
}

static int write_strips(TIFF *tif, const struct pr_image *rgb, const uint8_t *alpha,
			size_t alpha_stride, int bits, uint32_t rps, uint8_t *buf, uint8_t *own)
{
	size_t row_bytes = (size_t)rgb->width * 4u * (unsigned)bits / 8u;
	for (uint32_t y0 = 0, strip = 0; y0 < rgb->height; y0 += rps, strip++) {
		uint32_t n = rgb->height - y0 < rps ? rgb->height - y0 : rps;
		for (uint32_t r = 0; r < n; r++) {
			const uint8_t *a = alpha ? alpha + (size_t)(y0 + r) * alpha_stride : own;
			if (!alpha)
				own_alpha(own, rgb, y0 + r);
			pack_row(buf + (size_t)r * row_bytes, pr_image_row(rgb, y0 + r), a, rgb->width,
				 rgb->channels, rgb->depth, (unsigned)bits);
		}
		if (TIFFWriteEncodedStrip(tif, strip, buf, (tmsize_t)(n * row_bytes)) < 0)
			return -1;
	}
	return 0;
}

int pr_write_tiff_rgba(const char *path, const struct pr_image *rgb,
		       const uint8_t *alpha, size_t alpha_stride, int bits,
		       enum pr_tiff_compression comp, struct pr_error *err)
{
	if (!rgb || !rgb->pixels || rgb->channels < 1 || rgb->channels > 4 ||
	    (rgb->depth != 8 && rgb->depth != 16) || (bits != 8 && bits != 16) ||
	    (unsigned)comp > PR_TIFF_ZSTD || (alpha && alpha_stride < rgb->width))
		return pr_error_set(err, PR_EINVAL, "%s: invalid arguments for an RGBA TIFF", path);
	if (!TIFFIsCODECConfigured(tiff_codec[comp]))
		return pr_error_set(err, PR_EUNSUPPORTED,
				    "%s: TIFF compression %s is not built into this libtiff", path,
				    pr_tiff_compression_name(comp));
	size_t row_bytes = (size_t)rgb->width * 4u * (unsigned)bits / 8u;
	uint32_t rps = (uint32_t)(TIFF_STRIP_BYTES / row_bytes);
	if (rps == 0)
		rps = 1;
	if (rps > rgb->height)
		rps = rgb->height;
	uint8_t *buf = malloc(row_bytes * rps);
	uint8_t *own = alpha ? NULL : malloc(rgb->width);
	if (!buf || (!alpha && !own)) {
		free(buf);
		free(own);
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory", path);
	}

	struct pr_atomic_file af;
	int rc = pr_atomic_open(&af, path, 0, err);
	if (rc) {
		free(buf);
		free(own);
		return rc;
	}
	struct tiff_out o = { .fd = af.fd };
	TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
	TIFF *tif = NULL;
	if (opts) {
		TIFFOpenOptionsSetErrorHandlerExtR(opts, out_error, &o);
		TIFFOpenOptionsSetWarningHandlerExtR(opts, out_warning, &o);
		/* Classic TIFF tops out at 4 GB; switch to BigTIFF only when needed
		 * so every reader can open the usual case. */
		const char *mode = (uint64_t)row_bytes * rgb->height > 0xF0000000ull ? "w8" : "w";
		tif = TIFFClientOpenExt(path, mode, &o, out_read, out_write, out_seek, out_close,
					out_size, out_map, out_unmap, opts);
		TIFFOpenOptionsFree(opts);
	}
	int ok = tif && set_tags(tif, rgb, bits, comp, rps) &&
		 write_strips(tif, rgb, alpha, alpha_stride, bits, rps, buf, own) == 0 &&
		 TIFFFlush(tif) == 1;
	if (tif)
		TIFFClose(tif);
	free(buf);
	free(own);
	if (!ok || o.write_errno) {
		pr_atomic_abort(&af);
		if (o.write_errno)
			return pr_error_set(err, pr_error_from_errno(o.write_errno),
					    "%s: write failed: %s", path, strerror(o.write_errno));
		return pr_error_set(err, tif ? PR_EIO : PR_ENOMEM, "%s: TIFF encoding failed: %s",
				    path, o.msg[0] ? o.msg : "libtiff error");
	}
	return pr_atomic_commit(&af, err);
}
