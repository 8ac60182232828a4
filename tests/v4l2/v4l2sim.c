/* photorig tests: the simulated V4L2 camera plugin (see v4l2sim.h).
 *
 * Built as a libv4l2 plugin (exports `libv4l2_plugin`); the v4l2 test runs
 * in a private mount namespace where the build's plugin directory is bound
 * over libv4l2's compiled-in one, so only that process ever loads it. */
#define _GNU_SOURCE
#include "v4l2sim_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libv4l-plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

pthread_mutex_t v4l2sim_lock = PTHREAD_MUTEX_INITIALIZER;
struct sim_cam v4l2sim_cams[MAX_CAMS];

int64_t v4l2sim_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void v4l2sim_default_ctrls(struct sim_cam *c)
{
	const struct sim_ctrl init[NCTRLS] = {
		{ V4L2_CID_BRIGHTNESS, "Brightness", V4L2_CTRL_TYPE_INTEGER, 0, 255, 1, 128, 0 },
		{ V4L2_CID_AUTO_WHITE_BALANCE, "White Balance, Automatic", V4L2_CTRL_TYPE_BOOLEAN, 0, 1, 1, 1, 0 },
		{ V4L2_CID_GAIN, "Gain", V4L2_CTRL_TYPE_INTEGER, 0, 255, 1, 32, 0 },
		{ V4L2_CID_POWER_LINE_FREQUENCY, "Power Line Frequency", V4L2_CTRL_TYPE_MENU, 0, 2, 1, 1, 0 },
		{ V4L2_CID_WHITE_BALANCE_TEMPERATURE, "White Balance Temperature", V4L2_CTRL_TYPE_INTEGER, 2800, 6500, 10, 4600, 0 },
		{ V4L2_CID_EXPOSURE_AUTO, "Auto Exposure", V4L2_CTRL_TYPE_MENU, 0, 3, 1, 3, 0 },
		{ V4L2_CID_EXPOSURE_ABSOLUTE, "Exposure Time, Absolute", V4L2_CTRL_TYPE_INTEGER, 3, 2047, 1, 156, 0 },
		{ V4L2_CID_FOCUS_ABSOLUTE, "Focus, Absolute", V4L2_CTRL_TYPE_INTEGER, 0, 250, 5, 0, 0 },
		{ V4L2_CID_FOCUS_AUTO, "Focus, Automatic Continuous", V4L2_CTRL_TYPE_BOOLEAN, 0, 1, 1, 1, 0 },
	};
	for (int i = 0; i < NCTRLS; i++) {
		c->ctrls[i] = init[i];
		c->ctrls[i].value = init[i].def;
	}
}

struct sim_ctrl *v4l2sim_ctrl(struct sim_cam *c, uint32_t id)
{
	for (int i = 0; i < NCTRLS; i++)
		if (c->ctrls[i].id == id)
			return &c->ctrls[i];
	return NULL;
}

static int menu_ok(const struct sim_cam *c, uint32_t id, int32_t v)
{
	if (id == V4L2_CID_EXPOSURE_AUTO)
		return c->cfg.refuse_manual_exposure ? v == V4L2_EXPOSURE_APERTURE_PRIORITY
						     : v == V4L2_EXPOSURE_MANUAL ||
						       v == V4L2_EXPOSURE_APERTURE_PRIORITY;
	return 1;
}

static const char *menu_name(uint32_t id, uint32_t index)
{
	static const char *const exp[] = { "Auto Mode", "Manual Mode", "Shutter Priority Mode",
					   "Aperture Priority Mode" };
	static const char *const plf[] = { "Disabled", "50 Hz", "60 Hz" };
	if (id == V4L2_CID_EXPOSURE_AUTO && index < 4)
		return exp[index];
	if (id == V4L2_CID_POWER_LINE_FREQUENCY && index < 3)
		return plf[index];
	return NULL;
}

static const struct v4l2sim_format *find_fmt(const struct sim_cam *c, uint32_t fourcc)
{
	for (uint32_t i = 0; i < c->cfg.nformats; i++)
		if (c->cfg.formats[i].fourcc == fourcc)
			return &c->cfg.formats[i];
	return NULL;
}

static size_t max_jpeg(const struct sim_cam *c)
{
	size_t m = 0;
	for (uint32_t i = 0; i < c->cfg.njpeg; i++)
		if (c->cfg.jpeg_size[i] > m)
			m = c->cfg.jpeg_size[i];
	return m;
}

void v4l2sim_try_fmt(const struct sim_cam *c, struct v4l2_pix_format *p)
{
	const struct v4l2sim_format *f = find_fmt(c, p->pixelformat);
	if (!f)
		f = &c->cfg.formats[0];
	uint32_t best = 0;
	uint64_t bestd = UINT64_MAX;
	for (uint32_t i = 0; i < f->nsizes; i++) {
		int64_t dx = (int64_t)f->w[i] - p->width, dy = (int64_t)f->h[i] - p->height;
		uint64_t d = (uint64_t)(dx * dx + dy * dy);
		if (d < bestd) {
			bestd = d;
			best = i;
		}
	}
	memset(p, 0, sizeof(*p));
	p->pixelformat = f->fourcc;
	p->width = f->w[best];
	p->height = f->h[best];
	p->field = V4L2_FIELD_NONE;
	p->colorspace = V4L2_COLORSPACE_SRGB;
	if (f->fourcc == V4L2_PIX_FMT_YUYV) {
		p->bytesperline = p->width * 2;
		p->sizeimage = p->width * p->height * 2;
	} else {
		size_t m = max_jpeg(c);
		p->sizeimage = (uint32_t)(m > (size_t)p->width * p->height ? m : (size_t)p->width * p->height);
	}
}

void v4l2sim_build_yuyv(struct sim_cam *c)
{
	free(c->yuyv);
	c->yuyv = NULL;
	if (c->fourcc != V4L2_PIX_FMT_YUYV)
		return;
	c->yuyv = malloc(c->sizeimage);
	if (!c->yuyv)
		return;
	if (c->yuyv_from_jpeg && c->cfg.njpeg && !v4l2sim_jpeg_to_yuyv(c->jpeg[0], c->cfg.jpeg_size[0], c->width,
						 c->height, c->yuyv, c->bytesperline))
		return;
	for (uint32_t y = 0; y < c->height; y++) {
		uint8_t *row = c->yuyv + (size_t)y * c->bytesperline;
		for (uint32_t x = 0; x + 1 < c->width; x += 2) {
			const uint8_t *yuv = x < c->width / 2 ? c->cfg.yuv_left : c->cfg.yuv_right;
			row[x * 2 + 0] = yuv[0];
			row[x * 2 + 1] = yuv[1];
			row[x * 2 + 2] = yuv[0];
			row[x * 2 + 3] = yuv[2];
		}
	}
}

/* Produce every frame whose time has come into the oldest queued buffer. */
static void advance(struct sim_cam *c, int fd)
{
	if (!c->streaming || c->stalled)
		return;
	int64_t now = v4l2sim_mono_ns(), iv = 1000000000LL / (c->fps ? c->fps : 30);
	for (;;) {
		int64_t t = c->t0 + (int64_t)(c->next_frame + 1) * iv;
		if (t > now)
			break;
		int b = -1;
		for (uint32_t i = 0; i < c->nbuf; i++)
			if (c->state[i] == B_QUEUED && (b < 0 || c->order[i] < c->order[b]))
				b = (int)i;
		if (b < 0) {
			/* No buffer: the frames are lost; skip to the present. */
			uint32_t to = (uint32_t)((now - c->t0) / iv);
			for (uint32_t k = c->next_frame; k < to && k < c->next_frame + TIMES; k++)
				c->times[k % TIMES] = -1;
			c->next_frame = to;
			break;
		}
		const uint8_t *data = c->yuyv;
		size_t n = c->sizeimage;
		if (c->fourcc == V4L2_PIX_FMT_MJPEG && c->cfg.njpeg) {
			uint32_t k = c->next_frame % c->cfg.njpeg;
			data = c->jpeg[k];
			n = c->cfg.jpeg_size[k];
		}
		if (!data || n > c->buflen || pwrite(fd, data, n, (off_t)b * (off_t)c->buflen) != (ssize_t)n)
			n = 0;
		t = t / 1000 * 1000; /* a buffer timestamp holds microseconds */
		c->state[b] = B_DONE;
		c->order[b] = ++c->ticket;
		c->bytesused[b] = (uint32_t)n;
		c->seq[b] = c->next_frame;
		c->stamp[b] = t;
		c->times[c->next_frame % TIMES] = t;
		c->next_frame++;
		c->produced++;
	}
}

static void fill_buf(const struct sim_cam *c, uint32_t i, struct v4l2_buffer *b)
{
	b->index = i;
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	b->length = (uint32_t)c->buflen;
	b->m.offset = (uint32_t)(i * c->buflen);
	b->field = V4L2_FIELD_NONE;
	b->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | V4L2_BUF_FLAG_TSTAMP_SRC_SOE;
	if (c->state[i] == B_QUEUED)
		b->flags |= V4L2_BUF_FLAG_QUEUED;
	if (c->state[i] == B_DONE)
		b->flags |= V4L2_BUF_FLAG_DONE;
	b->bytesused = c->bytesused[i];
	b->sequence = c->seq[i];
	b->timestamp.tv_sec = c->stamp[i] / 1000000000LL;
	b->timestamp.tv_usec = (c->stamp[i] % 1000000000LL) / 1000;
}

static int fail(int e)
{
	errno = e;
	return -1;
}

static int do_ioctl(struct sim_cam *c, int fd, unsigned long req, void *arg)
{
	switch (req) {
	case VIDIOC_QUERYCAP: {
		struct v4l2_capability *cap = arg;
		memset(cap, 0, sizeof(*cap));
		snprintf((char *)cap->driver, sizeof(cap->driver), "v4l2sim");
		snprintf((char *)cap->card, sizeof(cap->card), "%s", c->card);
		snprintf((char *)cap->bus_info, sizeof(cap->bus_info), "usb-sim-%d", (int)(c - v4l2sim_cams) + 1);
		cap->version = 0x060100;
		cap->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
		cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS;
		return 0;
	}
	case VIDIOC_ENUM_FMT: {
		struct v4l2_fmtdesc *d = arg;
		if (d->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->index >= c->cfg.nformats)
			return fail(EINVAL);
		uint32_t f = c->cfg.formats[d->index].fourcc;
		uint32_t index = d->index;
		memset(d, 0, sizeof(*d));
		d->index = index;
		d->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		d->pixelformat = f;
		d->flags = f == V4L2_PIX_FMT_MJPEG ? V4L2_FMT_FLAG_COMPRESSED : 0;
		snprintf((char *)d->description, sizeof(d->description), "%s",
			 f == V4L2_PIX_FMT_MJPEG ? "Motion-JPEG" : "YUYV 4:2:2");
		return 0;
	}
	case VIDIOC_ENUM_FRAMESIZES: {
		struct v4l2_frmsizeenum *s = arg;
		const struct v4l2sim_format *f = find_fmt(c, s->pixel_format);
		if (!f || s->index >= f->nsizes)
			return fail(EINVAL);
		s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
		s->discrete.width = f->w[s->index];
		s->discrete.height = f->h[s->index];
		return 0;
	}
	case VIDIOC_ENUM_FRAMEINTERVALS: {
		struct v4l2_frmivalenum *fi = arg;
		if (!find_fmt(c, fi->pixel_format) || fi->index >= 2)
			return fail(EINVAL);
		fi->type = V4L2_FRMIVAL_TYPE_DISCRETE;
		fi->discrete.numerator = 1;
		fi->discrete.denominator = fi->index ? 15 : 30;
		return 0;
	}
	case VIDIOC_TRY_FMT:
	case VIDIOC_S_FMT: {
		struct v4l2_format *f = arg;
		if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
			return fail(EINVAL);
		if (req == VIDIOC_S_FMT && c->nbuf)
			return fail(EBUSY);
		v4l2sim_try_fmt(c, &f->fmt.pix);
		if (req == VIDIOC_S_FMT) {
			c->fourcc = f->fmt.pix.pixelformat;
			c->width = f->fmt.pix.width;
			c->height = f->fmt.pix.height;
			c->sizeimage = f->fmt.pix.sizeimage;
			c->bytesperline = f->fmt.pix.bytesperline;
		}
		return 0;
	}
	case VIDIOC_G_FMT: {
		struct v4l2_format *f = arg;
		if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
			return fail(EINVAL);
		memset(&f->fmt.pix, 0, sizeof(f->fmt.pix));
		f->fmt.pix.pixelformat = c->fourcc;
		f->fmt.pix.width = c->width;
		f->fmt.pix.height = c->height;
		v4l2sim_try_fmt(c, &f->fmt.pix);
		return 0;
	}
	case VIDIOC_G_PARM:
	case VIDIOC_S_PARM: {
		struct v4l2_streamparm *p = arg;
		if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
			return fail(EINVAL);
		if (req == VIDIOC_S_PARM) {
			const struct v4l2_fract *t = &p->parm.capture.timeperframe;
			c->fps = t->numerator && t->denominator / t->numerator <= 15 ? 15 : 30;
		}
		memset(&p->parm, 0, sizeof(p->parm));
		p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
		p->parm.capture.timeperframe.numerator = 1;
		p->parm.capture.timeperframe.denominator = c->fps;
		return 0;
	}
	case VIDIOC_QUERYCTRL: {
		struct v4l2_queryctrl *q = arg;
		const struct sim_ctrl *k = NULL;
		if (q->id & V4L2_CTRL_FLAG_NEXT_CTRL) {
			uint32_t after = q->id & ~(V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND);
			for (int i = 0; i < NCTRLS; i++)
				if (c->ctrls[i].id > after && (!k || c->ctrls[i].id < k->id))
					k = &c->ctrls[i];
		} else {
			k = v4l2sim_ctrl(c, q->id);
		}
		if (!k)
			return fail(EINVAL);
		memset(q, 0, sizeof(*q));
		q->id = k->id;
		q->type = k->type;
		snprintf((char *)q->name, sizeof(q->name), "%s", k->name);
		q->minimum = k->min;
		q->maximum = k->max;
		q->step = k->step;
		q->default_value = k->def;
		return 0;
	}
	case VIDIOC_QUERYMENU: {
		struct v4l2_querymenu *m = arg;
		struct sim_ctrl *k = v4l2sim_ctrl(c, m->id);
		const char *name = k ? menu_name(m->id, m->index) : NULL;
		if (!name || !menu_ok(c, m->id, (int32_t)m->index))
			return fail(EINVAL);
		snprintf((char *)m->name, sizeof(m->name), "%s", name);
		return 0;
	}
	case VIDIOC_G_CTRL:
	case VIDIOC_S_CTRL: {
		struct v4l2_control *v = arg;
		struct sim_ctrl *k = v4l2sim_ctrl(c, v->id);
		if (!k)
			return fail(EINVAL);
		if (req == VIDIOC_G_CTRL) {
			v->value = k->value;
			return 0;
		}
		if (v->value < k->min || v->value > k->max)
			return fail(ERANGE);
		if (k->type == V4L2_CTRL_TYPE_MENU && !menu_ok(c, k->id, v->value))
			return fail(EINVAL);
		/* Like UVC firmware: an absolute exposure is accepted and
		 * ignored while the automatic mode is on. */
		if (k->id == V4L2_CID_EXPOSURE_ABSOLUTE &&
		    v4l2sim_ctrl(c, V4L2_CID_EXPOSURE_AUTO)->value != V4L2_EXPOSURE_MANUAL)
			return 0;
		k->value = k->min + (v->value - k->min) / k->step * k->step;
		return 0;
	}
	case VIDIOC_REQBUFS: {
		struct v4l2_requestbuffers *rb = arg;
		if (rb->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || rb->memory != V4L2_MEMORY_MMAP)
			return fail(EINVAL);
		if (c->streaming)
			return fail(EBUSY);
		uint32_t n = rb->count == 0 ? 0 : rb->count < 2 ? 2 : rb->count > NBUF_MAX ? NBUF_MAX : rb->count;
		long page = sysconf(_SC_PAGESIZE);
		c->buflen = ((size_t)c->sizeimage + (size_t)page - 1) / (size_t)page * (size_t)page;
		if (n && ftruncate(fd, (off_t)(c->buflen * n)))
			return -1;
		c->nbuf = n;
		memset(c->state, 0, sizeof(c->state));
		rb->count = n;
		return 0;
	}
	case VIDIOC_QUERYBUF: {
		struct v4l2_buffer *b = arg;
		if (b->index >= c->nbuf)
			return fail(EINVAL);
		fill_buf(c, b->index, b);
		return 0;
	}
	case VIDIOC_QBUF: {
		struct v4l2_buffer *b = arg;
		if (b->index >= c->nbuf || c->state[b->index] != B_DEQUEUED)
			return fail(EINVAL);
		c->state[b->index] = B_QUEUED;
		c->order[b->index] = ++c->ticket;
		fill_buf(c, b->index, b);
		return 0;
	}
	case VIDIOC_DQBUF: {
		struct v4l2_buffer *b = arg;
		if (!c->streaming)
			return fail(EINVAL);
		advance(c, fd);
		int best = -1;
		for (uint32_t i = 0; i < c->nbuf; i++)
			if (c->state[i] == B_DONE && (best < 0 || c->order[i] < c->order[best]))
				best = (int)i;
		if (best < 0)
			return fail(EAGAIN); /* the driver opens non-blocking and polls */
		c->state[best] = B_DEQUEUED;
		fill_buf(c, (uint32_t)best, b);
		b->flags &= ~(uint32_t)V4L2_BUF_FLAG_DONE;
		return 0;
	}
	case VIDIOC_STREAMON:
		if (!c->nbuf)
			return fail(EINVAL);
		v4l2sim_build_yuyv(c);
		c->streaming = 1;
		c->t0 = v4l2sim_mono_ns();
		c->next_frame = 0;
		c->produced = 0;
		return 0;
	case VIDIOC_STREAMOFF:
		c->streaming = 0;
		memset(c->state, 0, sizeof(c->state));
		return 0;
	default:
		return fail(ENOTTY);
	}
}

/* ---- the plugin ---- */

static void *plugin_init(int fd)
{
	char link[64], path[256];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	v4l2sim_env_poll();
	struct sim_open *o = NULL;
	pthread_mutex_lock(&v4l2sim_lock);
	for (int i = 0; i < MAX_CAMS; i++) {
		struct sim_cam *c = &v4l2sim_cams[i];
		if (c->used && !c->gone && !strcmp(c->path, path)) {
			o = calloc(1, sizeof(*o));
			if (o) {
				o->cam = c;
				o->generation = c->generation;
				/* A fresh open of a camera starts idle. */
				c->streaming = 0;
				c->nbuf = 0;
			}
			break;
		}
	}
	pthread_mutex_unlock(&v4l2sim_lock);
	return o;
}

static void plugin_close(void *priv)
{
	free(priv);
}

static int plugin_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	struct sim_open *o = priv;
	int r, e;
	v4l2sim_env_poll();
	/* The device file is a regular file, so the driver's poll() always
	 * says ready; a DQBUF with no frame yet waits (up to one frame
	 * interval, outside the v4l2sim_lock) for the next one, as poll would have,
	 * so the driver sees EAGAIN only from a stalled camera. */
	for (int tries = 0;; tries++) {
		pthread_mutex_lock(&v4l2sim_lock);
		if (o->cam->gone || o->generation != o->cam->generation)
			r = fail(ENODEV);
		else
			r = do_ioctl(o->cam, fd, req, arg);
		e = errno;
		int64_t iv = 1000000000LL / (o->cam->fps ? o->cam->fps : 30);
		int64_t wait = o->cam->t0 + (int64_t)(o->cam->next_frame + 1) * iv - v4l2sim_mono_ns();
		pthread_mutex_unlock(&v4l2sim_lock);
		if (r == 0 || e != EAGAIN || req != VIDIOC_DQBUF || tries)
			break;
		if (wait <= 0 || wait > iv)
			wait = iv;
		nanosleep(&(struct timespec){ 0, (long)wait }, NULL);
	}
	errno = e;
	return r;
}

__attribute__((visibility("default"))) const struct libv4l_dev_ops libv4l2_plugin = {
	.init = plugin_init,
	.close = plugin_close,
	.ioctl = plugin_ioctl,
};

