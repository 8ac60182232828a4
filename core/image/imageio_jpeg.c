/* photorig core: JPEG encoding to memory (TurboJPEG).
 *
 * Used by the sim camera to deliver camera-like files and by tests to make
 * JPEG inputs. Colour uses 4:2:0 chroma subsampling, as cameras do, so the
 * decoder path exercised is the one real shots take. */
#include "imageio.h"

#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

int pr_encode_jpeg_memory(const struct pr_image *img, int quality, uint8_t **data,
			  size_t *size, struct pr_error *err)
{
	*data = NULL;
	*size = 0;
	if (!img || !img->pixels || img->width == 0 || img->height == 0 ||
	    img->channels < 1 || img->channels > 4 || (img->depth != 8 && img->depth != 16))
		return pr_error_set(err, PR_EINVAL, "JPEG encode: invalid image");
	if (quality < 1 || quality > 100)
		return pr_error_set(err, PR_EINVAL, "JPEG encode: quality %d is outside 1..100",
				    quality);
	/* JPEG's own limit is 65500 per side, below PR_IMAGE_MAX_SIDE. */
	if (img->width > 65500 || img->height > 65500)
		return pr_error_set(err, PR_ESIZE, "JPEG encode: %ux%u exceeds JPEG's 65500 limit",
				    img->width, img->height);

	/* 8-bit grey, RGB and RGBA (alpha ignored) go straight in; 16-bit and
	 * grey+alpha are reduced to 8-bit RGB first. */
	struct pr_image tmp = { 0 };
	const struct pr_image *src = img;
	if (img->depth != 8 || img->channels == 2) {
		int rc = pr_image_to_rgb8(img, &tmp, err);
		if (rc)
			return rc;
		src = &tmp;
	}
	int pf = src->channels == 1 ? TJPF_GRAY : src->channels == 3 ? TJPF_RGB : TJPF_RGBX;
	int samp = src->channels == 1 ? TJSAMP_GRAY : TJSAMP_420;

	int rc = 0;
	tjhandle tj = tjInitCompress();
	unsigned long cap = tj ? tjBufSize((int)src->width, (int)src->height, samp) : 0;
	/* Our own malloc'd buffer (NOREALLOC) so the caller frees with free(). */
	unsigned char *buf = cap && cap != (unsigned long)-1 ? malloc(cap) : NULL;
	if (!tj || !buf) {
		rc = pr_error_set(err, PR_ENOMEM, "JPEG encode: out of memory");
		goto out;
	}
	unsigned long len = cap;
	if (tjCompress2(tj, src->pixels, (int)src->width, (int)src->stride, (int)src->height, pf,
			&buf, &len, samp, quality, TJFLAG_NOREALLOC) != 0) {
		rc = pr_error_set(err, PR_EIO, "JPEG encode failed: %s", tjGetErrorStr2(tj));
		goto out;
	}
	uint8_t *shrunk = realloc(buf, len ? len : 1);
	*data = shrunk ? shrunk : buf;
	*size = len;
	buf = NULL;
out:
	free(buf);
	if (tj)
		tjDestroy(tj);
	pr_image_free(&tmp);
	return rc;
}
