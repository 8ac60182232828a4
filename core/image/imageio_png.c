/* photorig core: PNG outputs (libpng over the atomic temp file's FILE*).
 *
 * Masks are written once per shot and per naming convention (Metashape,
 * COLMAP, RealityCapture, AliceVision), so the mask writer is tuned for
 * speed on 0/255 masks; pr_write_png is the general writer. libpng reports
 * errors by longjmp: all state that must survive the jump lives in a
 * context in the caller's frame. */
#include "imageio.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atomic_file.h"

/* Mask settings, measured on a 6000x4000 0/255 mask (an object silhouette
 * with a wavy edge, holes and speckles), write incl. fsync, best of 5:
 *
 *   level 1, Z_RLE, filter NONE      0.033 s    36 KB   <- chosen
 *   level 1, Z_RLE, filter UP        0.052 s    44 KB
 *   level 1, Z_RLE, filter SUB       0.042 s    48 KB
 *   level 1, default, filter NONE    0.033 s   134 KB
 *   level 1, default, filter UP      0.046 s   145 KB
 *   level 6, default, all filters    0.177 s    45 KB   (libpng's usual)
 *
 * Runs of 0/255 are exactly what Z_RLE encodes, and with no filter there is
 * no per-row filter choice to pay for. */
#ifndef MASK_ZLEVEL
#define MASK_ZLEVEL 1
#endif
#ifndef MASK_ZSTRATEGY
#define MASK_ZSTRATEGY Z_RLE
#endif
#ifndef MASK_FILTER
#define MASK_FILTER PNG_FILTER_NONE
#endif

/* General images: photos do not compress much whatever we do; a fast level
 * with adaptive filtering is libpng's usual good trade. */
#define IMAGE_ZLEVEL 3

/* Bigger zlib output chunks: fewer IDAT chunks and fewer stdio calls. */
#define PNG_ZBUF (256 * 1024)

/* Where the encoder writes: the atomic file's FILE*, or, when mem is set,
 * a growing malloc'd buffer (pr_encode_png_memory). */
struct png_mem {
	uint8_t *data;
	size_t size, cap;
};

struct png_out {
	struct pr_atomic_file af;
	struct png_mem *mem;
	char msg[200];
};

static void mem_write(png_structp png, png_bytep data, png_size_t n)
{
	struct png_out *o = png_get_io_ptr(png);
	struct png_mem *m = o->mem;
	if (n > SIZE_MAX / 2 - m->size)
		png_error(png, "PNG larger than memory");
	if (m->size + n > m->cap) {
		size_t cap = m->cap ? m->cap : 64 * 1024;
		while (cap < m->size + n)
			cap *= 2;
		uint8_t *grown = realloc(m->data, cap);
		if (!grown)
			png_error(png, "out of memory for the PNG");
		m->data = grown;
		m->cap = cap;
	}
	memcpy(m->data + m->size, data, n);
	m->size += n;
}

static void mem_flush(png_structp png)
{
	(void)png;
}

static void out_error(png_structp png, png_const_charp msg)
{
	struct png_out *o = png_get_error_ptr(png);
	snprintf(o->msg, sizeof(o->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void out_warning(png_structp png, png_const_charp msg)
{
	(void)png, (void)msg; /* e.g. an ICC profile libpng drops: not fatal */
}

struct png_job {
	const uint8_t *pixels;
	size_t stride;
	uint32_t width, height;
	int color_type, bit_depth;
	int zlevel, zstrategy, filters;
	const uint8_t *icc;
	size_t icc_size;
};

/* Runs under setjmp; touches no local that changes after setjmp. */
static int png_write_inner(png_structp png, png_infop info, struct png_out *o,
			   const struct png_job *j)
{
	if (setjmp(png_jmpbuf(png)))
		return -1;
	if (o->mem)
		png_set_write_fn(png, o, mem_write, mem_flush);
	else
		png_init_io(png, o->af.fp);
	/* A malformed profile from a camera file is dropped with a warning
	 * rather than failing the whole output. */
	png_set_benign_errors(png, 1);
	png_set_IHDR(png, info, j->width, j->height, j->bit_depth, j->color_type,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, j->zlevel);
	png_set_compression_strategy(png, j->zstrategy);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, j->filters);
	png_set_compression_buffer_size(png, PNG_ZBUF);
	if (j->icc && j->icc_size > 0 && j->icc_size <= 0x7fffffff)
		png_set_iCCP(png, info, "icc", PNG_COMPRESSION_TYPE_BASE, j->icc,
			     (png_uint_32)j->icc_size);
	png_write_info(png, info);
	if (j->bit_depth == 16) {
		/* pr_image holds native order; PNG is big-endian. */
		const uint16_t probe = 1;
		if (*(const uint8_t *)&probe == 1)
			png_set_swap(png);
	}
	for (uint32_t y = 0; y < j->height; y++)
		png_write_row(png, j->pixels + (size_t)y * j->stride);
	png_write_end(png, info);
	return 0;
}

static int png_write_job(const char *path, const struct png_job *j, struct pr_error *err)
{
	struct png_out o;
	memset(&o, 0, sizeof(o));
	int rc = pr_atomic_open(&o.af, path, 1, err);
	if (rc)
		return rc;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &o, out_error,
						  out_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		pr_atomic_abort(&o.af);
		return pr_error_set(err, PR_ENOMEM, "%s: cannot start PNG encoder", path);
	}
	rc = png_write_inner(png, info, &o, j);
	png_destroy_write_struct(&png, &info);
	if (rc) {
		/* A failed fwrite (disk full) surfaces as a libpng write error:
		 * the stream's errno says why. */
		int e = o.af.fp && ferror(o.af.fp) ? errno : 0;
		pr_atomic_abort(&o.af);
		if (e)
			return pr_error_set(err, pr_error_from_errno(e), "%s: write failed: %s", path,
					    strerror(e));
		return pr_error_set(err, PR_EIO, "%s: PNG encoding failed: %s", path,
				    o.msg[0] ? o.msg : "libpng error");
	}
	return pr_atomic_commit(&o.af, err);
}

/* The job for a binary mask, or nonzero if the plane is not one. */
static int mask_job(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
		    struct png_job *j)
{
	if (!pixels || width == 0 || height == 0 || width > PR_IMAGE_MAX_SIDE ||
	    height > PR_IMAGE_MAX_SIDE || stride < width)
		return -1;
	*j = (struct png_job){
		.pixels = pixels, .stride = stride, .width = width, .height = height,
		.color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 8,
		.zlevel = MASK_ZLEVEL, .zstrategy = MASK_ZSTRATEGY, .filters = MASK_FILTER,
	};
	return 0;
}

int pr_write_png_grey8(const char *path, const uint8_t *pixels, uint32_t width,
		       uint32_t height, size_t stride, struct pr_error *err)
{
	struct png_job j;
	if (mask_job(pixels, width, height, stride, &j))
		return pr_error_set(err, PR_EINVAL, "%s: invalid mask for PNG (%ux%u, stride %zu)",
				    path, width, height, stride);
	return png_write_job(path, &j, err);
}

/* The job for a general image, or nonzero if libpng cannot take it. */
static int image_job(const struct pr_image *img, struct png_job *j)
{
	static const int types[] = { 0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
				     PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA };
	if (!img || !img->pixels || img->channels < 1 || img->channels > 4 ||
	    (img->depth != 8 && img->depth != 16) || img->width == 0 || img->height == 0 ||
	    img->width > PR_IMAGE_MAX_SIDE || img->height > PR_IMAGE_MAX_SIDE)
		return -1;
	*j = (struct png_job){
		.pixels = img->pixels, .stride = img->stride, .width = img->width,
		.height = img->height, .color_type = types[img->channels],
		.bit_depth = img->depth, .zlevel = IMAGE_ZLEVEL, .zstrategy = Z_DEFAULT_STRATEGY,
		.filters = PNG_ALL_FILTERS, .icc = img->icc, .icc_size = img->icc_size,
	};
	return 0;
}

int pr_write_png(const char *path, const struct pr_image *img, struct pr_error *err)
{
	struct png_job j;
	if (image_job(img, &j))
		return pr_error_set(err, PR_EINVAL, "%s: invalid image for PNG", path);
	return png_write_job(path, &j, err);
}

static int encode_job_memory(const struct png_job *jp, uint8_t **data, size_t *size,
			     struct pr_error *err)
{
	const struct png_job j = *jp;
	struct png_mem m = { 0 };
	struct png_out o;
	memset(&o, 0, sizeof(o));
	o.mem = &m;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &o, out_error,
						  out_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return pr_error_set(err, PR_ENOMEM, "cannot start PNG encoder");
	}
	int rc = png_write_inner(png, info, &o, &j);
	png_destroy_write_struct(&png, &info);
	if (rc) {
		free(m.data);
		return pr_error_set(err, PR_ENOMEM, "PNG encoding failed: %s",
				    o.msg[0] ? o.msg : "libpng error");
	}
	*data = m.data;
	*size = m.size;
	return 0;
}

int pr_encode_png_memory(const struct pr_image *img, uint8_t **data, size_t *size,
			 struct pr_error *err)
{
	*data = NULL;
	*size = 0;
	struct png_job j;
	if (image_job(img, &j))
		return pr_error_set(err, PR_EINVAL, "invalid image for PNG");
	return encode_job_memory(&j, data, size, err);
}

int pr_encode_png_grey8_memory(const uint8_t *pixels, uint32_t width, uint32_t height,
			       size_t stride, uint8_t **data, size_t *size, struct pr_error *err)
{
	*data = NULL;
	*size = 0;
	struct png_job j;
	if (mask_job(pixels, width, height, stride, &j))
		return pr_error_set(err, PR_EINVAL, "invalid mask for PNG (%ux%u, stride %zu)",
				    width, height, stride);
	return encode_job_memory(&j, data, size, err);
}
