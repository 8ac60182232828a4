/* photorig core: decoding camera files and encoding outputs.
 *
 * Decoders pick the format from the file's magic bytes, never its name.
 * Pixels stay on the stored grid (EXIF orientation is not applied). Every
 * encoder writes atomically (see atomic_file.h). */
#ifndef PHOTORIG_IMAGEIO_H
#define PHOTORIG_IMAGEIO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image.h"

enum pr_file_format { PR_FMT_UNKNOWN = 0, PR_FMT_JPEG, PR_FMT_PNG, PR_FMT_TIFF, PR_FMT_BMP };

enum pr_file_format pr_detect_format(const void *data, size_t size);

/* Decode JPEG (8-bit RGB or grey), PNG (8/16-bit, any colour type, palette
 * expanded), TIFF (8/16-bit grey/RGB/RGBA, contiguous or planar), BMP. The ICC
 * profile, if any, is attached to out. `name` is used in error messages. */
int pr_decode_memory(const void *data, size_t size, const char *name,
		     struct pr_image *out, struct pr_error *err);
int pr_decode_file(const char *path, struct pr_image *out, struct pr_error *err);

/* The per-format decoders pr_decode_memory dispatches to (one file each). */
int pr_decode_jpeg(const void *data, size_t size, const char *name,
		   struct pr_image *out, struct pr_error *err);
int pr_decode_png(const void *data, size_t size, const char *name,
		  struct pr_image *out, struct pr_error *err);
int pr_decode_tiff(const void *data, size_t size, const char *name,
		   struct pr_image *out, struct pr_error *err);
/* Uncompressed BMP (1/4/8-bit palette, 24, 32 bits): region-of-interest
 * files such as CDnet's ROI.bmp. Grey palettes give 1 channel, else RGB. */
int pr_decode_bmp(const void *data, size_t size, const char *name,
		  struct pr_image *out, struct pr_error *err);

/* Largest file pr_decode_file reads: an uncompressed 16-bit RGBA TIFF at
 * PR_IMAGE_MAX_PIXELS is 3.2 GB; anything larger cannot be a valid image.
 * (4 GB on 64-bit systems, 2 GB where size_t is 32 bits.) */
#define PR_IMAGE_MAX_FILE_SIZE ((size_t)1 << (sizeof(size_t) > 4 ? 32 : 31))

/* Read a whole file into memory (bounded by max_size). */
int pr_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size,
		 struct pr_error *err);

enum pr_tiff_compression {
	PR_TIFF_NONE = 0,
	PR_TIFF_LZW,
	PR_TIFF_DEFLATE,
	PR_TIFF_ZSTD,
};
/* The default is chosen for speed at capture time: see imageio_tiff.c. */
extern const enum pr_tiff_compression PR_TIFF_DEFAULT;
int pr_tiff_compression_parse(const char *name, enum pr_tiff_compression *out);
const char *pr_tiff_compression_name(enum pr_tiff_compression c);

/* Write an RGBA TIFF: colour from rgb (3 or 4 channels, 8 or 16 bits; a 4th
 * channel is replaced), alpha from an 8-bit plane (scaled to 16 bits when
 * bits == 16). bits is 8 or 16. ExtraSamples = unassociated alpha. The ICC
 * profile of rgb is embedded. Also accepted: grey rgb (1-2 channels,
 * replicated), and alpha == NULL, which takes rgb's own alpha channel if it
 * has one, else writes opaque. */
int pr_write_tiff_rgba(const char *path, const struct pr_image *rgb,
		       const uint8_t *alpha, size_t alpha_stride, int bits,
		       enum pr_tiff_compression comp, struct pr_error *err);

/* Write an 8-bit greyscale PNG (a mask: 255 keep, 0 background). */
int pr_write_png_grey8(const char *path, const uint8_t *pixels, uint32_t width,
		       uint32_t height, size_t stride, struct pr_error *err);

/* Write any pr_image as PNG (1..4 channels, 8/16 bits), with its ICC. */
int pr_write_png(const char *path, const struct pr_image *img, struct pr_error *err);

/* Encode any pr_image as PNG (as pr_write_png) into a malloc'd buffer: a
 * camera's uncompressed frame becomes its original file. */
int pr_encode_png_memory(const struct pr_image *img, uint8_t **data, size_t *size,
			 struct pr_error *err);

/* Encode a mask as pr_write_png_grey8 does, into a malloc'd buffer: the
 * same bytes can then be written under each tool's name. */
int pr_encode_png_grey8_memory(const uint8_t *pixels, uint32_t width, uint32_t height,
			       size_t stride, uint8_t **data, size_t *size, struct pr_error *err);

/* Encode 8-bit RGB or grey as JPEG into a malloc'd buffer (tests, sim camera). */
int pr_encode_jpeg_memory(const struct pr_image *img, int quality, uint8_t **data,
			  size_t *size, struct pr_error *err);

#endif
