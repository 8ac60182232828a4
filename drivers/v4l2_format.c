/* photorig drivers: the V4L2 camera's pixel format, size and frame rate.
 *
 * The camera's own formats are listed (ENUM_FMT through libv4l2, skipping
 * the ones libv4l2 emulates) with their sizes (ENUM_FRAMESIZES). The format
 * is the config's pixel_format, else the one offering the largest size
 * (uncompressed preferred on a tie: no JPEG artefacts along the mask
 * edges). The size is the config's, else the format's largest.
 *
 * MJPEG is set as is: libv4l2 passes it through unconverted and the
 * camera's JPEG bytes become the original. Any other format is asked of
 * libv4l2 as RGB24 at a size the chosen format offers exactly; libv4lconvert
 * then picks its source by size first and rank second, and ranks YUYV/UYVY
 * (5) ahead of MJPEG (7), so the camera streams the format that was chosen.
 *
 * Whatever the camera cannot do is an error naming what it can. */
#define _GNU_SOURCE
#include "v4l2_internal.h"

#include <errno.h>
#include <libv4l2.h>
#include <stdio.h>
#include <string.h>

#define MAX_FORMATS 16
#define MAX_SIZES 32

struct fmt_sizes {
	uint32_t fourcc;
	int compressed;
	uint32_t n;
	uint32_t w[MAX_SIZES], h[MAX_SIZES];
	/* stepwise / continuous: any size in the range on the step */
	int stepwise;
	struct v4l2_frmsize_stepwise step;
};

static int list_sizes(struct cam_handle *h, struct fmt_sizes *f)
{
	f->n = 0;
	f->stepwise = 0;
	for (uint32_t i = 0; i < MAX_SIZES; i++) {
		struct v4l2_frmsizeenum fs = { .index = i, .pixel_format = f->fourcc };
		if (v4d_ioctl(h, VIDIOC_ENUM_FRAMESIZES, &fs))
			return v4d_errno_gone(errno) ? -1 : 0;
		if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
			if (fs.discrete.width && fs.discrete.height) {
				f->w[f->n] = fs.discrete.width;
				f->h[f->n] = fs.discrete.height;
				f->n++;
			}
		} else {
			f->stepwise = 1;
			f->step = fs.stepwise;
			if (!f->step.step_width)
				f->step.step_width = 1;
			if (!f->step.step_height)
				f->step.step_height = 1;
			return 0;
		}
	}
	return 0;
}

static void largest(const struct fmt_sizes *f, uint32_t *w, uint32_t *hh)
{
	*w = *hh = 0;
	if (f->stepwise) {
		*w = f->step.max_width;
		*hh = f->step.max_height;
		return;
	}
	for (uint32_t i = 0; i < f->n; i++)
		if ((uint64_t)f->w[i] * f->h[i] > (uint64_t)*w * *hh) {
			*w = f->w[i];
			*hh = f->h[i];
		}
}

static int offers(const struct fmt_sizes *f, uint32_t w, uint32_t hh)
{
	if (f->stepwise)
		return w >= f->step.min_width && w <= f->step.max_width &&
		       hh >= f->step.min_height && hh <= f->step.max_height &&
		       (w - f->step.min_width) % f->step.step_width == 0 &&
		       (hh - f->step.min_height) % f->step.step_height == 0;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->w[i] == w && f->h[i] == hh)
			return 1;
	return 0;
}

/* "YUYV 640x480 1280x720, MJPG 1920x1080" for messages. */
static void describe(const struct fmt_sizes *fs, uint32_t nfs, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (uint32_t i = 0; i < nfs && n < size; i++) {
		char cc[5];
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ", " : "",
				      v4d_fourcc_str(fs[i].fourcc, cc));
		if (fs[i].stepwise && n < size)
			n += (size_t)snprintf(out + n, size - n, " %ux%u..%ux%u",
					      fs[i].step.min_width, fs[i].step.min_height,
					      fs[i].step.max_width, fs[i].step.max_height);
		for (uint32_t k = 0; k < fs[i].n && n < size; k++)
			n += (size_t)snprintf(out + n, size - n, " %ux%u", fs[i].w[k], fs[i].h[k]);
	}
}

static uint32_t parse_fourcc(const char *s)
{
	char c[4] = { ' ', ' ', ' ', ' ' };
	for (size_t i = 0; i < 4 && s[i]; i++)
		c[i] = s[i];
	return v4l2_fourcc(c[0], c[1], c[2], c[3]);
}

static int is_jpeg(uint32_t fourcc)
{
	return fourcc == V4L2_PIX_FMT_MJPEG || fourcc == V4L2_PIX_FMT_JPEG;
}

/* Frame interval: the config's fps if the camera offers it (else an error
 * naming the rates it offers), then whatever the camera runs at. */
static int set_rate(struct cam_handle *h, uint32_t fps, struct pr_error *err)
{
	struct v4l2_streamparm parm = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	if (fps) {
		char rates[256] = "";
		size_t n = 0;
		int ok = 0, listed = 0;
		for (uint32_t i = 0; i < 64; i++) {
			struct v4l2_frmivalenum fi = { .index = i, .pixel_format = h->fourcc,
						       .width = h->width, .height = h->height };
			if (v4d_ioctl(h, VIDIOC_ENUM_FRAMEINTERVALS, &fi)) {
				if (v4d_errno_gone(errno))
					return v4d_fail(h, CAM_EGONE, "listing frame rates", err);
				break;
			}
			listed = 1;
			if (fi.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
				const struct v4l2_fract *d = &fi.discrete;
				if (d->numerator && (uint64_t)d->denominator == (uint64_t)fps * d->numerator)
					ok = 1;
				if (d->numerator && n < sizeof(rates))
					n += (size_t)snprintf(rates + n, sizeof(rates) - n, "%s%g",
							      n ? ", " : "",
							      (double)d->denominator / d->numerator);
			} else {
				const struct v4l2_frmival_stepwise *s = &fi.stepwise;
				double lo = s->max.numerator ? (double)s->max.denominator / s->max.numerator : 0;
				double hi = s->min.numerator ? (double)s->min.denominator / s->min.numerator : 0;
				ok = fps >= lo && fps <= hi;
				snprintf(rates, sizeof(rates), "%g..%g", lo, hi);
				break;
			}
		}
		if (listed && !ok) {
			char cc[5];
			return pr_error_set(err, PR_EUNSUPPORTED, "camera %s (%s): %s %ux%u cannot run "
					    "at fps = %u; it offers %s fps", h->name, h->path,
					    v4d_fourcc_str(h->fourcc, cc), h->width, h->height, fps,
					    rates);
		}
		parm.parm.capture.timeperframe.numerator = 1;
		parm.parm.capture.timeperframe.denominator = fps;
		if (v4d_ioctl(h, VIDIOC_S_PARM, &parm)) {
			if (v4d_errno_gone(errno))
				return v4d_fail(h, CAM_EGONE, "setting the frame rate", err);
			return v4d_fail(h, PR_EUNSUPPORTED, "setting the frame rate (S_PARM)", err);
		}
	}
	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (v4d_ioctl(h, VIDIOC_G_PARM, &parm) == 0) {
		const struct v4l2_fract *t = &parm.parm.capture.timeperframe;
		if (t->denominator && t->numerator)
			h->interval_us = (uint32_t)((uint64_t)t->numerator * 1000000 / t->denominator);
		if (fps && t->numerator && (uint64_t)t->denominator != (uint64_t)fps * t->numerator)
			return pr_error_set(err, PR_EUNSUPPORTED, "camera %s (%s): asked for %u fps, "
					    "runs at %u/%u", h->name, h->path, fps, t->denominator,
					    t->numerator);
	} else if (v4d_errno_gone(errno)) {
		return v4d_fail(h, CAM_EGONE, "reading the frame rate", err);
	}
	return 0;
}

int v4d_format_setup(struct cam_handle *h, const struct cam_params *p, struct pr_error *err)
{
	struct fmt_sizes fs[MAX_FORMATS];
	uint32_t nfs = 0;
	for (uint32_t i = 0; nfs < MAX_FORMATS && i < 64; i++) {
		struct v4l2_fmtdesc d = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
		if (v4d_ioctl(h, VIDIOC_ENUM_FMT, &d)) {
			if (v4d_errno_gone(errno))
				return v4d_fail(h, CAM_EGONE, "listing formats", err);
			break;
		}
		if (d.flags & V4L2_FMT_FLAG_EMULATED)
			continue; /* libv4l2's conversions, not the camera's */
		memset(&fs[nfs], 0, sizeof(fs[nfs]));
		fs[nfs].fourcc = d.pixelformat;
		fs[nfs].compressed = !!(d.flags & V4L2_FMT_FLAG_COMPRESSED) || is_jpeg(d.pixelformat);
		if (list_sizes(h, &fs[nfs]))
			return v4d_fail(h, CAM_EGONE, "listing frame sizes", err);
		nfs++;
	}
	if (!nfs)
		return pr_error_set(err, PR_EUNSUPPORTED, "camera %s (%s): offers no capture format",
				    h->name, h->path);
	char can[512];
	describe(fs, nfs, can, sizeof(can));

	const struct fmt_sizes *f = NULL;
	if (p->pixel_format && p->pixel_format[0]) {
		uint32_t want = parse_fourcc(p->pixel_format);
		for (uint32_t i = 0; i < nfs && !f; i++)
			if (fs[i].fourcc == want || (is_jpeg(want) && is_jpeg(fs[i].fourcc)))
				f = &fs[i];
		if (!f)
			return pr_error_set(err, PR_EUNSUPPORTED, "camera %s (%s): pixel_format = %s "
					    "is not offered; the camera offers %s", h->name, h->path,
					    p->pixel_format, can);
	} else {
		uint64_t best = 0;
		for (uint32_t i = 0; i < nfs; i++) {
			uint32_t w, hh;
			largest(&fs[i], &w, &hh);
			uint64_t area = (uint64_t)w * hh;
			if (!f || area > best || (area == best && f->compressed && !fs[i].compressed)) {
				f = &fs[i];
				best = area;
			}
		}
	}
	uint32_t w = p->width, hh = p->height;
	if (w || hh) {
		if (!offers(f, w, hh)) {
			char cc[5];
			return pr_error_set(err, PR_EUNSUPPORTED, "camera %s (%s): %s has no %ux%u; the "
					    "camera offers %s", h->name, h->path,
					    v4d_fourcc_str(f->fourcc, cc), w, hh, can);
		}
	} else {
		largest(f, &w, &hh);
	}
	if (!w || !hh)
		return pr_error_set(err, PR_EUNSUPPORTED, "camera %s (%s): reports no frame size; "
				    "set width and height", h->name, h->path);

	h->fourcc = f->fourcc;
	h->out_fourcc = is_jpeg(f->fourcc) ? f->fourcc : V4L2_PIX_FMT_RGB24;
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	fmt.fmt.pix.width = w;
	fmt.fmt.pix.height = hh;
	fmt.fmt.pix.pixelformat = h->out_fourcc;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (v4d_ioctl(h, VIDIOC_S_FMT, &fmt)) {
		char what[96], cc[5];
		snprintf(what, sizeof(what), "setting %s %ux%u", v4d_fourcc_str(f->fourcc, cc), w, hh);
		return v4d_fail(h, v4d_errno_gone(errno) ? CAM_EGONE : PR_EUNSUPPORTED, what, err);
	}
	if (fmt.fmt.pix.pixelformat != h->out_fourcc || fmt.fmt.pix.width != w ||
	    fmt.fmt.pix.height != hh) {
		char a[5], b[5];
		return pr_error_set(err, PR_EUNSUPPORTED, "camera %s (%s): asked for %s %ux%u, got "
				    "%s %ux%u; the camera offers %s", h->name, h->path,
				    v4d_fourcc_str(h->out_fourcc, a), w, hh,
				    v4d_fourcc_str(fmt.fmt.pix.pixelformat, b), fmt.fmt.pix.width,
				    fmt.fmt.pix.height, can);
	}
	h->width = w;
	h->height = hh;
	h->bytesperline = fmt.fmt.pix.bytesperline;
	if (h->out_fourcc == V4L2_PIX_FMT_RGB24 && h->bytesperline < w * 3)
		h->bytesperline = w * 3;
	h->sizeimage = fmt.fmt.pix.sizeimage;
	return set_rate(h, p->fps, err);
}
