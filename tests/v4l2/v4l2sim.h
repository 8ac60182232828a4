/* photorig tests: a simulated V4L2 camera as a libv4l2 plugin.
 *
 * libv4l2 hands every ioctl of a device it opens to the first plugin in its
 * plugin directory whose init() claims the fd. This plugin claims the
 * regular files a test registered as cameras and answers the ioctls the
 * v4l2 driver (and libv4l2/libv4lconvert themselves) make: QUERYCAP,
 * ENUM_FMT, ENUM_FRAMESIZES, ENUM_FRAMEINTERVALS, TRY/S/G_FMT, S/G_PARM,
 * QUERYCTRL, QUERYMENU, S/G_CTRL, REQBUFS, QUERYBUF, QBUF, DQBUF,
 * STREAMON/OFF. The device file itself holds the buffers: libv4l2 maps
 * them with a real mmap() of the fd at QUERYBUF's offsets, and the plugin
 * writes frames into the file at those offsets.
 *
 * Frames are produced lazily: frame k of a stream is "captured" at
 * STREAMON + (k+1) * interval (CLOCK_MONOTONIC) and lands in the oldest
 * queued buffer when the driver next looks; with no buffer queued it is
 * dropped, as a real camera drops it. The test reaches the plugin's state
 * through v4l2sim_api(), found with dlsym on the same loaded plugin. */
#ifndef PHOTORIG_V4L2SIM_H
#define PHOTORIG_V4L2SIM_H

#include <stddef.h>
#include <stdint.h>

#define V4L2SIM_MAX_FORMATS 3
#define V4L2SIM_MAX_SIZES 4
#define V4L2SIM_MAX_JPEGS 4

struct v4l2sim_format {
	uint32_t fourcc;                       /* V4L2_PIX_FMT_YUYV or _MJPEG */
	uint32_t nsizes;
	uint32_t w[V4L2SIM_MAX_SIZES], h[V4L2SIM_MAX_SIZES];
};

struct v4l2sim_config {
	const char *path;                      /* the device file (created by the test) */
	const char *card;
	struct v4l2sim_format formats[V4L2SIM_MAX_FORMATS];
	uint32_t nformats;
	int refuse_manual_exposure;            /* only aperture priority, as some webcams */
	/* YUYV frames: left half and right half, as Y, U, V */
	uint8_t yuv_left[3], yuv_right[3];
	/* MJPEG frames: frame k is jpeg[k % njpeg] (copied) */
	const uint8_t *jpeg[V4L2SIM_MAX_JPEGS];
	size_t jpeg_size[V4L2SIM_MAX_JPEGS];
	uint32_t njpeg;
};

struct v4l2sim_api {
	/* A camera; returns its id (>= 0) or -1. */
	int (*add)(const struct v4l2sim_config *cfg);
	/* Unplug: every open handle answers ENODEV from now on. */
	void (*unplug)(int id);
	/* Plug back in, maybe at another path; the old handles stay dead. */
	void (*replug)(int id, const char *path);
	/* Stop (1) or resume (0) delivering frames. */
	void (*stall)(int id, int on);
	/* Change a control behind the driver's back (another program). */
	int (*poke_ctrl)(int id, uint32_t cid, int32_t value);
	/* Capture time (CLOCK_MONOTONIC ns) of frame `sequence`; -1 if it was
	 * dropped (no buffer queued) or is too old to remember. */
	int64_t (*frame_time)(int id, uint32_t sequence);
	/* Frames produced into buffers since the last STREAMON. */
	uint32_t (*frames)(int id);
	/* Forget every camera. */
	void (*reset)(void);
};

const struct v4l2sim_api *v4l2sim_api(void);

#endif
