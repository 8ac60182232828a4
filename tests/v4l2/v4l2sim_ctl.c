/* photorig tests: the test's side of the simulated V4L2 camera plugin
 * (v4l2sim.h): add cameras, unplug and re-plug them, stall them, change
 * their controls behind the driver's back, read their frame times. */
#define _GNU_SOURCE
#include "v4l2sim_internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>


static int api_add(const struct v4l2sim_config *cfg)
{
	if (!cfg->nformats || cfg->nformats > V4L2SIM_MAX_FORMATS || cfg->njpeg > V4L2SIM_MAX_JPEGS)
		return -1;
	pthread_mutex_lock(&v4l2sim_lock);
	int id = -1;
	for (int i = 0; i < MAX_CAMS && id < 0; i++)
		if (!v4l2sim_cams[i].used)
			id = i;
	if (id >= 0) {
		struct sim_cam *c = &v4l2sim_cams[id];
		memset(c, 0, sizeof(*c));
		c->used = 1;
		c->cfg = *cfg;
		snprintf(c->path, sizeof(c->path), "%s", cfg->path);
		snprintf(c->card, sizeof(c->card), "%s", cfg->card ? cfg->card : "Sim Camera");
		c->cfg.path = c->path;
		c->cfg.card = c->card;
		for (uint32_t k = 0; k < cfg->njpeg; k++) {
			c->jpeg[k] = malloc(cfg->jpeg_size[k]);
			if (c->jpeg[k])
				memcpy(c->jpeg[k], cfg->jpeg[k], cfg->jpeg_size[k]);
			c->cfg.jpeg[k] = c->jpeg[k];
		}
		v4l2sim_default_ctrls(c);
		c->fps = 30;
		struct v4l2_pix_format p = { .pixelformat = cfg->formats[0].fourcc,
					     .width = cfg->formats[0].w[0], .height = cfg->formats[0].h[0] };
		v4l2sim_try_fmt(c, &p);
		c->fourcc = p.pixelformat;
		c->width = p.width;
		c->height = p.height;
		c->sizeimage = p.sizeimage;
		c->bytesperline = p.bytesperline;
	}
	pthread_mutex_unlock(&v4l2sim_lock);
	return id;
}

static struct sim_cam *cam_of(int id)
{
	return id >= 0 && id < MAX_CAMS && v4l2sim_cams[id].used ? &v4l2sim_cams[id] : NULL;
}

static void api_unplug(int id)
{
	pthread_mutex_lock(&v4l2sim_lock);
	struct sim_cam *c = cam_of(id);
	if (c) {
		c->gone = 1;
		c->streaming = 0;
	}
	pthread_mutex_unlock(&v4l2sim_lock);
}

static void api_replug(int id, const char *path)
{
	pthread_mutex_lock(&v4l2sim_lock);
	struct sim_cam *c = cam_of(id);
	if (c) {
		c->gone = 0;
		c->generation++;
		c->streaming = 0;
		c->nbuf = 0;
		snprintf(c->path, sizeof(c->path), "%s", path);
		v4l2sim_default_ctrls(c); /* a camera forgets its controls when unplugged */
	}
	pthread_mutex_unlock(&v4l2sim_lock);
}

static void api_stall(int id, int on)
{
	pthread_mutex_lock(&v4l2sim_lock);
	struct sim_cam *c = cam_of(id);
	if (c) {
		if (c->stalled && !on) /* resume from now, not with a burst of old frames */
			c->next_frame = (uint32_t)((v4l2sim_mono_ns() - c->t0) / (1000000000LL / c->fps));
		c->stalled = on;
	}
	pthread_mutex_unlock(&v4l2sim_lock);
}

static int api_poke(int id, uint32_t cid, int32_t value)
{
	pthread_mutex_lock(&v4l2sim_lock);
	struct sim_cam *c = cam_of(id);
	struct sim_ctrl *k = c ? v4l2sim_ctrl(c, cid) : NULL;
	if (k)
		k->value = value;
	pthread_mutex_unlock(&v4l2sim_lock);
	return k ? 0 : -1;
}

static int64_t api_frame_time(int id, uint32_t seq)
{
	pthread_mutex_lock(&v4l2sim_lock);
	struct sim_cam *c = cam_of(id);
	int64_t t = c && seq < c->next_frame && seq + TIMES >= c->next_frame ? c->times[seq % TIMES] : -1;
	pthread_mutex_unlock(&v4l2sim_lock);
	return t;
}

static uint32_t api_frames(int id)
{
	pthread_mutex_lock(&v4l2sim_lock);
	struct sim_cam *c = cam_of(id);
	uint32_t n = c ? c->produced : 0;
	pthread_mutex_unlock(&v4l2sim_lock);
	return n;
}

static void api_reset(void)
{
	pthread_mutex_lock(&v4l2sim_lock);
	for (int i = 0; i < MAX_CAMS; i++) {
		for (uint32_t k = 0; k < V4L2SIM_MAX_JPEGS; k++)
			free(v4l2sim_cams[i].jpeg[k]);
		free(v4l2sim_cams[i].yuyv);
		memset(&v4l2sim_cams[i], 0, sizeof(v4l2sim_cams[i]));
	}
	pthread_mutex_unlock(&v4l2sim_lock);
}

static const struct v4l2sim_api api = {
	.add = api_add, .unplug = api_unplug, .replug = api_replug, .stall = api_stall,
	.poke_ctrl = api_poke, .frame_time = api_frame_time, .frames = api_frames,
	.reset = api_reset,
};

__attribute__((visibility("default"))) const struct v4l2sim_api *v4l2sim_api(void)
{
	return &api;
}

