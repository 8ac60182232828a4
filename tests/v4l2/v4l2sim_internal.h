/* photorig tests: the simulated V4L2 camera's state, shared by the
 * plugin's ioctl side (v4l2sim.c) and the test's side (v4l2sim_ctl.c). */
#ifndef PHOTORIG_V4L2SIM_INTERNAL_H
#define PHOTORIG_V4L2SIM_INTERNAL_H

#include <linux/videodev2.h>
#include <pthread.h>
#include <stdint.h>

#include "v4l2sim.h"

#define MAX_CAMS 8
#define NBUF_MAX 8
#define NCTRLS 9
#define TIMES 64

enum bstate { B_DEQUEUED = 0, B_QUEUED, B_DONE };

struct sim_ctrl {
	uint32_t id;
	const char *name;
	uint32_t type;
	int32_t min, max, step, def, value;
};

struct sim_cam {
	int used;
	struct v4l2sim_config cfg;
	char path[256];
	char card[32];
	uint8_t *jpeg[V4L2SIM_MAX_JPEGS];
	unsigned generation;
	int gone, stalled;
	struct sim_ctrl ctrls[NCTRLS];
	/* format and stream */
	uint32_t fourcc, width, height, sizeimage, bytesperline;
	uint32_t fps;
	uint32_t nbuf;
	size_t buflen;
	enum bstate state[NBUF_MAX];
	uint32_t bytesused[NBUF_MAX], seq[NBUF_MAX];
	int64_t stamp[NBUF_MAX];
	uint64_t order[NBUF_MAX];           /* queue/done order */
	uint64_t ticket;
	int streaming;
	int64_t t0;
	uint32_t next_frame;
	uint32_t produced;
	int64_t times[TIMES];
	uint8_t *yuyv;                      /* one YUYV frame, built at STREAMON */
	int yuyv_from_jpeg;                 /* YUYV frames show jpeg[0] (v4l2sim_env.c) */
};

struct sim_open {
	struct sim_cam *cam;
	unsigned generation;
};

/* One lock for every camera: the plugin's ioctls and the test's calls. */
extern pthread_mutex_t v4l2sim_lock;
extern struct sim_cam v4l2sim_cams[MAX_CAMS];

int64_t v4l2sim_mono_ns(void);
void v4l2sim_default_ctrls(struct sim_cam *c);
struct sim_ctrl *v4l2sim_ctrl(struct sim_cam *c, uint32_t id);
/* TRY_FMT: the closest size of the asked format (or the first format). */
void v4l2sim_try_fmt(const struct sim_cam *c, struct v4l2_pix_format *p);
/* One YUYV frame for the current format (at STREAMON, or new frames). */
void v4l2sim_build_yuyv(struct sim_cam *c);

/* v4l2sim_env.c: cameras from $PHOTORIG_V4L2SIM_CONFIG and commands from
 * $PHOTORIG_V4L2SIM_CONTROL, for a program that cannot call v4l2sim_api()
 * (photorigd); a no-op without them. Called before each ioctl, unlocked. */
void v4l2sim_env_poll(void);
int v4l2sim_jpeg_to_yuyv(const uint8_t *jpeg, size_t size, uint32_t w, uint32_t h,
			 uint8_t *out, uint32_t bpl);

#endif
