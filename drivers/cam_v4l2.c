/* photorig drivers: `v4l2`, USB webcams and UVC machine cameras through
 * libv4l2 (whose libv4lconvert turns YUYV and the other formats cameras
 * send into RGB24).
 *
 * open     find the node (serial through sysfs, or device path), check it
 *          can capture by streaming, set format/size/rate (v4l2_format.c),
 *          lock the controls (v4l2_controls.c), map buffers, start streaming
 * arm      re-read the controls, so each shot reports what it was taken with
 * capture  the first frame captured AFTER the call: frames that waited in
 *          the queue are given back, so every V4L2 camera of a set is within
 *          one frame interval of the trigger
 * close    stop, unmap, close; safe twice and after the camera vanished
 *
 * The stream runs from open to close: a webcam needs seconds of frames to
 * settle, so starting it per shot would be slow and give dark first frames.
 * A camera that vanishes (ENODEV, POLLERR) gives CAM_EGONE and touches
 * nothing shared, so the other cameras carry on; the daemon re-opens it by
 * serial when it is back. No frame within timeout_ms gives CAM_ETIMEOUT.
 * Bytes from the camera are bounds-checked against the mapped buffer. */
#define _GNU_SOURCE
#include "v4l2_internal.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "imageio.h"

int v4d_ioctl(struct cam_handle *h, unsigned long req, void *arg)
{
	int r;
	do
		r = v4l2_ioctl(h->fd, req, arg);
	while (r == -1 && errno == EINTR);
	return r;
}

int v4d_errno_gone(int e)
{
	return e == ENODEV || e == ENXIO || e == EBADF;
}

int v4d_fail(struct cam_handle *h, int code, const char *what, struct pr_error *err)
{
	int e = errno;
	if (code == CAM_EGONE || v4d_errno_gone(e)) {
		h->broken = 1;
		return pr_error_set(err, CAM_EGONE, "camera %s (%s): %s: %s: the camera is gone, "
				    "re-open it", h->name, h->path, what, strerror(e));
	}
	return pr_error_set(err, code, "camera %s (%s): %s: %s", h->name, h->path, what,
			    strerror(e));
}

const char *v4d_fourcc_str(uint32_t f, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((f >> (8 * i)) & 0xff);
		out[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	out[4] = '\0';
	return out;
}

void v4d_warn(struct cam_handle *h, const char *fmt, ...)
{
	size_t n = strlen(h->warnings);
	if (n + 3 >= sizeof(h->warnings))
		return;
	if (n)
		n += (size_t)snprintf(h->warnings + n, sizeof(h->warnings) - n, "; ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->warnings + n, sizeof(h->warnings) - n, fmt, ap);
	va_end(ap);
}

static void stop_stream(struct cam_handle *h)
{
	if (h->streaming) {
		enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		v4d_ioctl(h, VIDIOC_STREAMOFF, &t); /* fails harmlessly on a vanished camera */
		h->streaming = 0;
	}
	for (uint32_t i = 0; i < h->nbuf; i++)
		if (h->buf[i].start && h->buf[i].start != MAP_FAILED)
			v4l2_munmap(h->buf[i].start, h->buf[i].length);
	if (h->nbuf && !h->broken) {
		struct v4l2_requestbuffers rb = { .count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
						  .memory = V4L2_MEMORY_MMAP };
		v4d_ioctl(h, VIDIOC_REQBUFS, &rb);
	}
	memset(h->buf, 0, sizeof(h->buf));
	h->nbuf = 0;
}

static void v4l_close(struct cam_handle **hp)
{
	if (!hp || !*hp)
		return;
	struct cam_handle *h = *hp;
	if (h->fd >= 0) {
		stop_stream(h);
		v4l2_close(h->fd);
		h->fd = -1;
	}
	free(h);
	*hp = NULL;
}

static int queue(struct cam_handle *h, uint32_t index, struct pr_error *err)
{
	struct v4l2_buffer b = { .index = index, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
				 .memory = V4L2_MEMORY_MMAP };
	if (v4d_ioctl(h, VIDIOC_QBUF, &b))
		return v4d_fail(h, v4d_errno_gone(errno) ? CAM_EGONE : PR_EIO, "queueing a buffer",
				err);
	return 0;
}

static int start_stream(struct cam_handle *h, struct pr_error *err)
{
	struct v4l2_requestbuffers rb = { .count = V4D_NBUFFERS, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					  .memory = V4L2_MEMORY_MMAP };
	if (v4d_ioctl(h, VIDIOC_REQBUFS, &rb))
		return v4d_fail(h, v4d_errno_gone(errno) ? CAM_EGONE : PR_EUNSUPPORTED,
				"asking for mmap buffers", err);
	if (rb.count < 2 || rb.count > V4D_MAX_BUFFERS)
		return pr_error_set(err, PR_EUNSUPPORTED, "camera %s (%s): gave %u buffers (need "
				    "2..%d)", h->name, h->path, rb.count, V4D_MAX_BUFFERS);
	for (uint32_t i = 0; i < rb.count; i++) {
		struct v4l2_buffer b = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = V4L2_MEMORY_MMAP };
		if (v4d_ioctl(h, VIDIOC_QUERYBUF, &b))
			return v4d_fail(h, v4d_errno_gone(errno) ? CAM_EGONE : PR_EIO,
					"querying a buffer", err);
		void *p = v4l2_mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, h->fd,
				    b.m.offset);
		if (p == MAP_FAILED || !b.length)
			return v4d_fail(h, PR_EIO, "mapping a buffer", err);
		h->buf[i].start = p;
		h->buf[i].length = b.length;
		h->nbuf = i + 1;
	}
	for (uint32_t i = 0; i < h->nbuf; i++) {
		int rc = queue(h, i, err);
		if (rc)
			return rc;
	}
	enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (v4d_ioctl(h, VIDIOC_STREAMON, &t))
		return v4d_fail(h, v4d_errno_gone(errno) ? CAM_EGONE : PR_EIO, "starting the stream",
				err);
	h->streaming = 1;
	return 0;
}

static int open_node(struct cam_handle *h, const struct cam_params *p, struct pr_error *err)
{
	if (p->serial && p->serial[0]) {
		struct pr_error e2 = { 0 };
		int rc = cam_v4l2_find_serial(p->sysfs_root, p->dev_root, p->serial, h->path,
					      sizeof(h->path), &e2);
		if (rc)
			return pr_error_set(err, rc, "camera %s: %s", h->name, e2.msg);
	} else if (p->device && p->device[0]) {
		snprintf(h->path, sizeof(h->path), "%s", p->device);
	} else {
		return pr_error_set(err, PR_EINVAL, "camera %s: give device = or serial =", h->name);
	}
	h->fd = v4l2_open(h->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (h->fd < 0) {
		int e = errno;
		if (e == ENOENT || e == ENODEV || e == ENXIO)
			return pr_error_set(err, CAM_EGONE, "camera %s: %s is not there (unplugged?)",
					    h->name, h->path);
		return pr_error_set(err, e == EACCES || e == EPERM ? PR_EACCES : PR_EIO,
				    "camera %s: cannot open %s: %s%s", h->name, h->path, strerror(e),
				    e == EACCES ? " (is photorigd in the video group?)" : "");
	}
	struct v4l2_capability cap;
	memset(&cap, 0, sizeof(cap));
	if (v4d_ioctl(h, VIDIOC_QUERYCAP, &cap))
		return v4d_fail(h, PR_EUNSUPPORTED, "not a V4L2 device (QUERYCAP)", err);
	uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
	if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING))
		return pr_error_set(err, PR_EUNSUPPORTED, "camera %s: %s (%.32s) %s", h->name,
				    h->path, (const char *)cap.card,
				    !(caps & V4L2_CAP_VIDEO_CAPTURE)
					    ? "is not a video capture node (a UVC camera's second "
					      "node is metadata: use the first, or serial =)"
					    : "cannot stream to memory buffers (only read()), "
					      "which photorig needs");
	snprintf(h->model, sizeof(h->model), "%.32s", (const char *)cap.card);
	snprintf(h->bus_info, sizeof(h->bus_info), "%.32s", (const char *)cap.bus_info);
	v4d_serial_of(p->sysfs_root, h->path, h->serial, sizeof(h->serial));
	if (p->serial && p->serial[0] && !h->serial[0])
		snprintf(h->serial, sizeof(h->serial), "%s", p->serial);
	return 0;
}

static int v4l_open(const struct cam_params *p, struct cam_handle **out, struct pr_error *err)
{
	*out = NULL;
	struct cam_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", p->name);
	h->fd = -1;
	snprintf(h->name, sizeof(h->name), "%s", p->name ? p->name : "?");
	h->timeout_ms = p->timeout_ms ? p->timeout_ms : V4D_DEFAULT_TIMEOUT_MS;
	h->controls_warn = p->controls_warn;
	int rc = open_node(h, p, err);
	if (!rc)
		rc = v4d_format_setup(h, p, err);
	if (!rc)
		rc = v4d_controls_lock(h, p->settings, p->nsettings, err);
	if (!rc)
		rc = start_stream(h, err);
	if (rc) {
		v4l_close(&h);
		return rc;
	}
	h->last.fourcc = h->fourcc;
	h->last.width = h->width;
	h->last.height = h->height;
	h->last.interval_us = h->interval_us;
	*out = h;
	return 0;
}

static int usable(struct cam_handle *h, struct pr_error *err)
{
	if (!h || h->fd < 0)
		return pr_error_set(err, CAM_EGONE, "camera is not open");
	if (h->broken)
		return pr_error_set(err, CAM_EGONE, "camera %s (%s) went away: re-open it", h->name,
				    h->path);
	return 0;
}

static int v4l_identify(struct cam_handle *h, struct cam_info *info, struct pr_error *err)
{
	int rc = usable(h, err);
	if (rc)
		return rc;
	snprintf(info->serial, sizeof(info->serial), "%s", h->serial);
	snprintf(info->model, sizeof(info->model), "%s", h->model);
	snprintf(info->port, sizeof(info->port), "%.127s", h->path);
	return 0;
}

static int v4l_arm(struct cam_handle *h, const struct cam_request *req, struct pr_error *err)
{
	(void)req;
	int rc = usable(h, err);
	return rc ? rc : v4d_controls_recheck(h, err);
}

/* The frame's bytes as the original file: MJPEG as the camera sent it,
 * RGB24 (converted by libv4l2) as PNG. */
static int frame_file(struct cam_handle *h, const uint8_t *data, size_t used,
		      struct cam_frame *out, struct pr_error *err)
{
	if (h->out_fourcc != V4L2_PIX_FMT_RGB24) {
		out->data = malloc(used);
		if (!out->data)
			return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
		memcpy(out->data, data, used);
		out->size = used;
		snprintf(out->ext, sizeof(out->ext), "jpg");
		return 0;
	}
	struct pr_image img = { .width = h->width, .height = h->height, .channels = 3, .depth = 8,
				.stride = h->bytesperline, .pixels = (uint8_t *)data };
	struct pr_error e2 = { 0 };
	int rc = pr_encode_png_memory(&img, &out->data, &out->size, &e2);
	if (rc)
		return pr_error_set(err, rc, "camera %s: %s", h->name, e2.msg);
	snprintf(out->ext, sizeof(out->ext), "png");
	return 0;
}

/* Is the dequeued buffer a whole frame we can use? */
static int frame_ok(const struct cam_handle *h, const struct v4l2_buffer *b)
{
	if (b->flags & V4L2_BUF_FLAG_ERROR)
		return 0;
	if (b->bytesused == 0 || b->bytesused > h->buf[b->index].length)
		return 0;
	if (h->out_fourcc == V4L2_PIX_FMT_RGB24)
		return (size_t)b->bytesused >= (size_t)h->bytesperline * (h->height - 1) + h->width * 3;
	const uint8_t *d = h->buf[b->index].start;
	return b->bytesused >= 4 && d[0] == 0xff && d[1] == 0xd8; /* JPEG SOI */
}

static int v4l_capture(struct cam_handle *h, const struct cam_request *req, struct cam_frame *out,
		       struct pr_error *err)
{
	int rc = usable(h, err);
	if (rc)
		return rc;
	/* Realtime = monotonic + offset, measured now: buffer timestamps are
	 * monotonic, manifests want wall-clock time. */
	const int64_t trig_mono = pr_clock_ns(CLOCK_MONOTONIC);
	const int64_t offset = pr_clock_ns(CLOCK_REALTIME) - trig_mono;
	const int64_t deadline = trig_mono + (int64_t)h->timeout_ms * 1000000;
	cam_released(req); /* the first frame exposed after trig_mono is the shot */
	uint32_t stale = 0;
	for (;;) {
		int64_t left = deadline - pr_clock_ns(CLOCK_MONOTONIC);
		if (left <= 0)
			return pr_error_set(err, CAM_ETIMEOUT, "camera %s (%s): no frame within %u ms "
					    "(%u stale frames given back)", h->name, h->path,
					    h->timeout_ms, stale);
		struct pollfd pfd = { .fd = h->fd, .events = POLLIN };
		int pr = poll(&pfd, 1, (int)((left + 999999) / 1000000));
		if (pr < 0 && errno != EINTR)
			return v4d_fail(h, PR_EIO, "waiting for a frame", err);
		if (pr > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) {
			errno = ENODEV;
			return v4d_fail(h, CAM_EGONE, "waiting for a frame", err);
		}
		if (pr <= 0)
			continue;
		struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = V4L2_MEMORY_MMAP };
		if (v4d_ioctl(h, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN) {
				/* Ready but nothing to take (a spurious wake-up): do
				 * not spin on it. */
				nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
				continue;
			}
			return v4d_fail(h, v4d_errno_gone(errno) ? CAM_EGONE : PR_EIO,
					"taking a frame", err);
		}
		if (b.index >= h->nbuf)
			return pr_error_set(err, PR_EIO, "camera %s (%s): returned buffer %u of %u",
					    h->name, h->path, b.index, h->nbuf);
		int64_t ts = (int64_t)b.timestamp.tv_sec * 1000000000LL +
			     (int64_t)b.timestamp.tv_usec * 1000;
		int mono = (b.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) ==
			   V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
		/* Without monotonic timestamps the dequeue time has to stand
		 * in for the capture time. */
		if (!mono || ts <= 0)
			ts = pr_clock_ns(CLOCK_MONOTONIC);
		if (ts <= trig_mono || !frame_ok(h, &b)) {
			stale++;
			rc = queue(h, b.index, err);
			if (rc)
				return rc;
			continue;
		}
		/* Copy out first: the PNG encode must not hold a buffer back
		 * from the camera. */
		size_t used = b.bytesused;
		uint8_t *copy = malloc(used);
		if (!copy) {
			queue(h, b.index, err);
			return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
		}
		memcpy(copy, h->buf[b.index].start, used);
		int64_t arrival = pr_clock_ns(CLOCK_MONOTONIC);
		rc = queue(h, b.index, err);
		if (!rc)
			rc = frame_file(h, copy, used, out, err);
		free(copy);
		if (rc)
			return rc;
		out->trigger_ns = ts + offset;
		out->arrival_ns = arrival + offset;
		out->next = NULL;
		h->last.sequence = b.sequence;
		h->last.capture_mono_ns = ts;
		h->last.trigger_mono_ns = trig_mono;
		h->last.stale_dropped = stale;
		return 0;
	}
}

const char *cam_v4l2_warnings(struct cam_handle *h)
{
	return h ? h->warnings : "";
}

int cam_v4l2_last_frame(struct cam_handle *h, struct cam_v4l2_frame_info *out)
{
	if (!h)
		return CAM_EGONE;
	*out = h->last;
	return 0;
}

/* The next frame the camera exposes, as a shot would get it; the last
 * shot's frame record (cam_v4l2_last_frame) is kept as it was. */
static int v4l_preview(struct cam_handle *h, struct cam_frame *out, struct pr_error *err)
{
	struct cam_request req = { .kind = CAM_SHOT };
	memset(out, 0, sizeof(*out));
	if (!h)
		return pr_error_set(err, CAM_EGONE, "camera is not open");
	struct cam_v4l2_frame_info last = h->last;
	int rc = v4l_capture(h, &req, out, err);
	h->last = last;
	return rc;
}

const struct cam_driver cam_v4l2_driver = {
	.name = "v4l2",
	.open = v4l_open,
	.identify = v4l_identify,
	.arm = v4l_arm,
	.capture = v4l_capture,
	.close = v4l_close,
	.list_settings = cam_v4l2_list_settings,
	.set_setting = cam_v4l2_set_setting,
	.preview = v4l_preview,
};
