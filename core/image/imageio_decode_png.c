/* photorig core: PNG decoder (libpng, from memory).
 *
 * Every PNG layout becomes 8- or 16-bit grey/grey+alpha/RGB/RGBA: palettes
 * and 1/2/4-bit grey are expanded, a tRNS colour key becomes a real alpha
 * channel, 16 bits stay 16 bits (in native byte order). libpng reports
 * errors by longjmp; everything that must survive the jump (the image, the
 * row table, the message) lives in a context owned by the caller's frame. */
#include "imageio.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct png_src {
	const uint8_t *data;
	size_t size, pos;
	char msg[200];
	png_bytep *rows;
	struct pr_image *out;
	struct pr_error *err;
	const char *name;
	int code; /* set when the failure is ours (size, memory), not libpng's */
};

static void png_src_read(png_structp png, png_bytep buf, size_t len)
{
	struct png_src *src = png_get_io_ptr(png);
	if (len > src->size - src->pos)
		png_error(png, "file is truncated");
	memcpy(buf, src->data + src->pos, len);
	src->pos += len;
}

static void png_src_error(png_structp png, png_const_charp msg)
{
	struct png_src *src = png_get_error_ptr(png);
	snprintf(src->msg, sizeof(src->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void png_src_warning(png_structp png, png_const_charp msg)
{
	/* Warnings (odd gamma, unknown chunks, a bad iCCP that libpng drops)
	 * do not make the pixels wrong; core never prints. */
	(void)png;
	(void)msg;
}

/* The part that runs under setjmp: no locals are changed after setjmp, all
 * state is in *src, which belongs to the caller. */
static int png_decode_inner(png_structp png, png_infop info, struct png_src *src)
{
	if (setjmp(png_jmpbuf(png)))
		return PR_EFORMAT;

	png_set_read_fn(png, src, png_src_read);
	/* Bound dimensions before libpng allocates anything for rows. */
	png_set_user_limits(png, PR_IMAGE_MAX_SIDE, PR_IMAGE_MAX_SIDE);
	png_read_info(png, info);

	png_uint_32 w, h;
	int bit_depth, color_type, interlace;
	png_get_IHDR(png, info, &w, &h, &bit_depth, &color_type, &interlace, NULL, NULL);
	if (color_type == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(png);
	if (bit_depth == 16) {
		/* PNG is big-endian; pr_image wants native order. */
		const uint16_t probe = 1;
		if (*(const uint8_t *)&probe == 1)
			png_set_swap(png);
	}
	png_set_interlace_handling(png);
	png_read_update_info(png, info);

	int channels = png_get_channels(png, info);
	int depth = png_get_bit_depth(png, info);
	int arc = pr_image_alloc(src->out, w, h, channels, depth, src->err);
	if (arc) {
		src->code = arc; /* message already in src->err */
		return arc;
	}
	if (png_get_rowbytes(png, info) != src->out->stride) {
		snprintf(src->msg, sizeof(src->msg), "unexpected row size after expansion");
		return PR_EFORMAT;
	}
	src->rows = malloc(sizeof(*src->rows) * h);
	if (!src->rows) {
		src->code = PR_ENOMEM;
		snprintf(src->msg, sizeof(src->msg), "out of memory");
		return PR_ENOMEM;
	}
	for (png_uint_32 y = 0; y < h; y++)
		src->rows[y] = pr_image_row(src->out, y);

	png_charp icc_name;
	int icc_comp;
	png_bytep icc;
	png_uint_32 icc_len;
	if (png_get_iCCP(png, info, &icc_name, &icc_comp, &icc, &icc_len) && icc_len > 0 &&
	    pr_image_set_icc(src->out, icc, icc_len) != 0) {
		src->code = PR_ENOMEM;
		snprintf(src->msg, sizeof(src->msg), "out of memory for the ICC profile");
		return PR_ENOMEM;
	}

	/* Reads the whole zlib stream, so a short IDAT is an error here. Data
	 * after the last IDAT (text chunks, IEND) is not needed. */
	png_read_image(png, src->rows);
	return 0;
}

int pr_decode_png(const void *data, size_t size, const char *name,
		  struct pr_image *out, struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	struct png_src src = { .data = data, .size = size, .out = out, .err = err, .name = name };
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_src_error,
						 png_src_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		return pr_error_set(err, PR_ENOMEM, "%s: cannot start PNG decoder", name);
	}
	int rc = png_decode_inner(png, info, &src);
	png_destroy_read_struct(&png, &info, NULL);
	free(src.rows);
	if (rc == 0)
		return 0;
	pr_image_free(out);
	if (src.code && !src.msg[0]) {
		/* pr_image_alloc already wrote the message: add the name. */
		return pr_error_prefix(err, src.code, name);
	}
	if (src.code)
		return pr_error_set(err, src.code, "%s: %s", name, src.msg);
	return pr_error_set(err, PR_EFORMAT, "%s: corrupt or truncated PNG: %s", name,
			    src.msg[0] ? src.msg : "unknown libpng error");
}
