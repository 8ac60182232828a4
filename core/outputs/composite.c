/* photorig core: compositing a masked shot over a backdrop (composite.h).
 *
 * One pass over the output rows: the backdrop row, the object's colour for
 * the part of the row inside the frame (the shot where the alpha is 0 or
 * 255, the decontaminated estimate where it is partial), and the blend. Rows
 * are independent, so they are split across threads. */
#include "composite.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "composite_internal.h"
#include "imageio.h"
#include "outputs.h"
#include "parallel.h"

void pr_composite_options_default(struct pr_composite_options *o)
{
	memset(o, 0, sizeof(*o));
	o->format = PR_COMPOSITE_JPEG;
	o->quality = PR_COMPOSITE_DEFAULT_QUALITY;
	o->decontaminate = 1;
	pr_crop_options_default(&o->crop);
}

int pr_composite_format_parse(const char *name, enum pr_composite_format *out)
{
	if (!strcmp(name, "jpeg") || !strcmp(name, "jpg"))
		*out = PR_COMPOSITE_JPEG;
	else if (!strcmp(name, "png"))
		*out = PR_COMPOSITE_PNG;
	else
		return PR_EINVAL;
	return 0;
}

const char *pr_composite_format_name(enum pr_composite_format f)
{
	return f == PR_COMPOSITE_PNG ? "png" : "jpeg";
}

const char *pr_composite_format_ext(enum pr_composite_format f)
{
	return f == PR_COMPOSITE_PNG ? "png" : "jpg";
}

struct blend_job {
	const struct pr_image *rgb;
	const uint8_t *alpha;
	const struct fg_estimator *fg; /* NULL: F = the shot */
	const struct pr_backdrop_cover *cover;
	const struct pr_crop_box *box;
	struct pr_image *out;
	int failed;
};

static void blend_rows(void *ctx, uint32_t oy0, uint32_t oy1)
{
	struct blend_job *j = ctx;
	const uint32_t W = j->rgb->width, H = j->rgb->height, ow = j->out->width;
	const int64_t bx = j->box->x, by = j->box->y;
	/* the part of each output row that lies inside the frame */
	const int64_t fx0 = bx < 0 ? -bx : 0;
	const int64_t fx1 = bx + ow > W ? (int64_t)W - bx : ow;
	uint8_t *F = malloc(3 * (size_t)(fx1 > fx0 ? fx1 - fx0 : 1));
	if (!F) {
		j->failed = 1;
		return;
	}
	for (uint32_t oy = oy0; oy < oy1; oy++) {
		uint8_t *restrict o = pr_image_row(j->out, oy);
		pr_backdrop_cover_row(j->cover, oy, o);
		const int64_t y = by + oy;
		if (y < 0 || y >= H || fx1 <= fx0)
			continue;
		const uint32_t x0 = (uint32_t)(bx + fx0), x1 = (uint32_t)(bx + fx1);
		const uint8_t *restrict a = j->alpha + (size_t)y * W + x0;
		const uint8_t *restrict f;
		if (j->fg) {
			fg_estimator_row(j->fg, (uint32_t)y, x0, x1, F);
			f = F;
		} else {
			f = pr_image_row(j->rgb, (uint32_t)y) + 3 * (size_t)x0;
		}
		uint8_t *restrict d = o + 3 * (size_t)fx0;
		for (uint32_t i = 0; i < x1 - x0; i++) {
			const uint32_t al = a[i], be = 255 - al;
			for (int c = 0; c < 3; c++)
				d[3 * i + c] = (uint8_t)((f[3 * i + c] * al + d[3 * i + c] * be + 127) / 255);
		}
	}
	free(F);
}

int pr_composite_render(const struct pr_image *shot, const struct pr_mask_result *m,
			const struct pr_plate *plate, const struct pr_composite_options *o,
			struct pr_image *out, struct pr_crop_box *box_out, struct pr_error *err)
{
	struct pr_image rgb = { 0 };
	const struct pr_image *src = shot;
	struct fg_estimator fg;
	struct pr_backdrop_cover cover = { 0 };
	struct pr_crop_box box;
	uint8_t *inv = NULL;
	const uint8_t *alpha = m->alpha;
	const size_t npix = (size_t)shot->width * shot->height;
	int have_fg = 0, rc;

	memset(out, 0, sizeof(*out));
	if (!o->backdrop)
		return pr_error_set(err, PR_EINVAL, "composite: no backdrop given");
	if (o->format == PR_COMPOSITE_JPEG && (o->quality < 1 || o->quality > 100))
		return pr_error_set(err, PR_EINVAL, "composite: JPEG quality %d is outside 1..100",
				    o->quality);
	if (m->width != shot->width || m->height != shot->height || !m->alpha || !m->mask)
		return pr_error_set(err, PR_ESIZE, "composite: mask %ux%u does not fit the %ux%u shot",
				    m->width, m->height, shot->width, shot->height);
	if (plate && (plate->width != shot->width || plate->height != shot->height))
		return pr_error_set(err, PR_ESIZE, "composite: plate %ux%u does not fit the %ux%u shot",
				    plate->width, plate->height, shot->width, shot->height);
	if (shot->channels != 3 || shot->depth != 8) {
		if ((rc = pr_image_to_rgb8(shot, &rgb, err)))
			return rc;
		src = &rgb;
	}
	if (o->alpha_inverted) {
		/* the composite always shows the object: undo the output convention */
		inv = malloc(npix ? npix : 1);
		if (!inv) {
			rc = pr_error_set(err, PR_ENOMEM, "composite: out of memory");
			goto out;
		}
		for (size_t i = 0; i < npix; i++)
			inv[i] = (uint8_t)(255 - m->alpha[i]);
		alpha = inv;
	}
	pr_crop_compute(m->mask, m->width, m->width, m->height, o->alpha_inverted, &o->crop, &box);
	if (o->decontaminate) {
		if ((rc = fg_estimator_init(&fg, src, alpha, plate, &m->stats, err)))
			goto out;
		have_fg = 1;
	}
	if ((rc = pr_image_alloc(out, box.width, box.height, 3, 8, err)) ||
	    (rc = pr_backdrop_cover_init(&cover, o->backdrop, box.width, box.height, err)))
		goto out;
	if (pr_image_set_icc(out, shot->icc, shot->icc_size)) {
		rc = pr_error_set(err, PR_ENOMEM, "composite: out of memory");
		goto out;
	}
	struct blend_job job = { src, alpha, have_fg ? &fg : NULL, &cover, &box, out, 0 };
	pr_parallel_rows(o->threads, box.height, blend_rows, &job);
	if (job.failed)
		rc = pr_error_set(err, PR_ENOMEM, "composite: out of memory");
	if (box_out)
		*box_out = box;
out:
	if (rc)
		pr_image_free(out);
	if (have_fg)
		fg_estimator_free(&fg);
	pr_backdrop_cover_free(&cover);
	pr_image_free(&rgb);
	free(inv);
	return rc;
}

int pr_composite_write(const char *out_dir, const char *name, const struct pr_image *shot,
		       const struct pr_mask_result *m, const struct pr_plate *plate,
		       const struct pr_composite_options *o, char *path_out, size_t path_size,
		       struct pr_error *err)
{
	char stem[NAME_MAX + 1], path[PATH_MAX];
	struct pr_image img;
	int rc;

	pr_output_stem(name, stem, sizeof(stem));
	if (!*stem || !strcmp(stem, ".") || !strcmp(stem, ".."))
		return pr_error_set(err, PR_EINVAL, "'%s': not a usable file name", name);
	int n = snprintf(path, sizeof(path), "%s/%s_backdrop.%s", out_dir, stem,
			 pr_composite_format_ext(o->format));
	if (n < 0 || (size_t)n >= sizeof(path))
		return pr_error_set(err, PR_EINVAL, "output path too long: %.64s...", path);
	if ((rc = pr_composite_render(shot, m, plate, o, &img, NULL, err)))
		return rc;
	if (o->format == PR_COMPOSITE_PNG) {
		rc = pr_write_png(path, &img, err);
	} else {
		uint8_t *data = NULL;
		size_t size = 0;
		rc = pr_encode_jpeg_memory(&img, o->quality, &data, &size, err);
		if (!rc)
			rc = pr_atomic_write(path, data, size, err);
		free(data);
	}
	pr_image_free(&img);
	if (rc) {
		/* name the file the message is about when the writer did not */
		if (err && !strstr(err->msg, path)) {
			char msg[sizeof(err->msg)];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			pr_error_set(err, rc, "%s: %s", path, msg);
		}
		return rc;
	}
	if (path_out && path_size)
		snprintf(path_out, path_size, "%s", path);
	return 0;
}
