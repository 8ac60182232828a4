/* photorig tests: simulated V4L2 cameras inside a program that knows
 * nothing of them (photorigd), set up from the environment.
 *
 * The driver test calls v4l2sim_api() itself; photorigd cannot, so when
 * libv4l2 first hands the plugin a device, the plugin reads
 * $PHOTORIG_V4L2SIM_CONFIG, one camera per line (ids count from 0):
 *
 *     # device      formats                 options
 *     /tmp/x/video0 YUYV:640x480            jpegs=plate1.jpg,plate2.jpg
 *     /tmp/x/video1 MJPG:640x480,YUYV:320x240 refuse_exposure card=Cam-B
 *
 * jpegs= are the frames (MJPEG: sent as they are, frame k is file k mod n;
 * YUYV: the first file, converted); without them YUYV frames are two grey
 * halves and MJPEG cannot stream. refuse_exposure: the camera offers only
 * aperture priority, as some webcams do. Serials live in the sysfs tree the
 * test builds, not here.
 *
 * While the program runs, the test appends commands to
 * $PHOTORIG_V4L2SIM_CONTROL; the plugin reads new lines before every ioctl:
 *
 *     unplug ID             every open handle answers ENODEV from now on
 *     replug ID PATH        back, maybe at another path (controls forgotten)
 *     jpegs ID F1[,F2...]   other frames (a plate's background, then shots)
 *     exposure ID VALUE     change the absolute exposure behind the driver
 *     stall ID 0|1          stop or resume delivering frames */
#define _GNU_SOURCE
#include "v4l2sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>

static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;
static int env_loaded;
static off_t control_done;           /* bytes of the control file already run */
static int ids[MAX_CAMS], ncams;     /* config line -> the plugin's camera id */

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (!nb)
				break;
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	fclose(f);
	*size = n;
	return buf;
}

int v4l2sim_jpeg_to_yuyv(const uint8_t *jpeg, size_t size, uint32_t w, uint32_t h,
			 uint8_t *out, uint32_t bpl)
{
	tjhandle tj = tjInitDecompress();
	int jw, jh, sub, cs;
	uint8_t *rgb = NULL;
	int rc = -1;
	if (tj && !tjDecompressHeader3(tj, jpeg, (unsigned long)size, &jw, &jh, &sub, &cs) &&
	    (rgb = malloc((size_t)jw * (size_t)jh * 3)) &&
	    !tjDecompress2(tj, jpeg, (unsigned long)size, rgb, jw, 0, jh, TJPF_RGB, 0)) {
		/* BT.601 limited range, as libv4lconvert reads it back */
		for (uint32_t y = 0; y < h; y++) {
			const uint8_t *src = rgb + (size_t)((uint64_t)y * (uint32_t)jh / h) * (size_t)jw * 3;
			uint8_t *row = out + (size_t)y * bpl;
			for (uint32_t x = 0; x + 1 < w; x += 2) {
				const uint8_t *p0 = src + (size_t)((uint64_t)x * (uint32_t)jw / w) * 3;
				const uint8_t *p1 = src + (size_t)((uint64_t)(x + 1) * (uint32_t)jw / w) * 3;
				int r = (p0[0] + p1[0]) / 2, g = (p0[1] + p1[1]) / 2, b = (p0[2] + p1[2]) / 2;
				row[x * 2 + 0] = (uint8_t)(16 + ((66 * p0[0] + 129 * p0[1] + 25 * p0[2] + 128) >> 8));
				row[x * 2 + 1] = (uint8_t)(128 + ((-38 * r - 74 * g + 112 * b + 128) >> 8));
				row[x * 2 + 2] = (uint8_t)(16 + ((66 * p1[0] + 129 * p1[1] + 25 * p1[2] + 128) >> 8));
				row[x * 2 + 3] = (uint8_t)(128 + ((112 * r - 94 * g - 18 * b + 128) >> 8));
			}
		}
		rc = 0;
	}
	free(rgb);
	if (tj)
		tjDestroy(tj);
	return rc;
}

/* "F1,F2,...": loads up to V4L2SIM_MAX_JPEGS files; returns how many. */
static uint32_t load_jpegs(char *list, uint8_t **data, size_t *size)
{
	uint32_t n = 0;
	for (char *save = NULL, *f = strtok_r(list, ",", &save); f && n < V4L2SIM_MAX_JPEGS;
	     f = strtok_r(NULL, ",", &save)) {
		if ((data[n] = read_all(f, &size[n])))
			n++;
		else
			fprintf(stderr, "v4l2sim: cannot read %s\n", f);
	}
	return n;
}

static int parse_formats(char *s, struct v4l2sim_config *c)
{
	for (char *save = NULL, *f = strtok_r(s, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		unsigned w, h;
		char cc[5];
		if (c->nformats >= V4L2SIM_MAX_FORMATS || sscanf(f, "%4[A-Z0-9]:%ux%u", cc, &w, &h) != 3)
			return -1;
		struct v4l2sim_format *fm = &c->formats[c->nformats++];
		fm->fourcc = !strcmp(cc, "MJPG") ? V4L2_PIX_FMT_MJPEG : V4L2_PIX_FMT_YUYV;
		fm->nsizes = 1;
		fm->w[0] = w;
		fm->h[0] = h;
	}
	return c->nformats ? 0 : -1;
}

static void load_config(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	if (!f) {
		fprintf(stderr, "v4l2sim: cannot read %s\n", path);
		return;
	}
	while (fgets(line, sizeof(line), f) && ncams < MAX_CAMS) {
		struct v4l2sim_config c = { .yuv_left = { 60, 128, 128 }, .yuv_right = { 180, 128, 128 } };
		uint8_t *jpeg[V4L2SIM_MAX_JPEGS] = { 0 };
		char *save = NULL, *dev = strtok_r(line, " \t\r\n", &save), *tok;
		if (!dev || dev[0] == '#')
			continue;
		c.path = dev;
		if (!(tok = strtok_r(NULL, " \t\r\n", &save)) || parse_formats(tok, &c)) {
			fprintf(stderr, "v4l2sim: %s: bad formats\n", dev);
			continue;
		}
		while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
			if (!strcmp(tok, "refuse_exposure"))
				c.refuse_manual_exposure = 1;
			else if (!strncmp(tok, "card=", 5))
				c.card = tok + 5;
			else if (!strncmp(tok, "jpegs=", 6))
				c.njpeg = load_jpegs(tok + 6, jpeg, c.jpeg_size);
		}
		for (uint32_t k = 0; k < c.njpeg; k++)
			c.jpeg[k] = jpeg[k];
		int id = ids[ncams++] = v4l2sim_api()->add(&c);
		pthread_mutex_lock(&v4l2sim_lock);
		if (id >= 0)
			v4l2sim_cams[id].yuyv_from_jpeg = 1;
		pthread_mutex_unlock(&v4l2sim_lock);
		for (uint32_t k = 0; k < c.njpeg; k++)
			free(jpeg[k]);
	}
	fclose(f);
}

static void set_jpegs(int id, char *list)
{
	uint8_t *data[V4L2SIM_MAX_JPEGS] = { 0 };
	size_t size[V4L2SIM_MAX_JPEGS] = { 0 };
	uint32_t n = load_jpegs(list, data, size);
	if (!n || id < 0 || id >= MAX_CAMS)
		return;
	pthread_mutex_lock(&v4l2sim_lock);
	struct sim_cam *c = &v4l2sim_cams[id];
	for (uint32_t k = 0; k < V4L2SIM_MAX_JPEGS; k++) {
		free(c->jpeg[k]);
		c->jpeg[k] = data[k];
		c->cfg.jpeg[k] = data[k];
		c->cfg.jpeg_size[k] = size[k];
	}
	c->cfg.njpeg = n;
	if (c->streaming)
		v4l2sim_build_yuyv(c);
	pthread_mutex_unlock(&v4l2sim_lock);
}

static void run_command(char *line)
{
	char verb[16], arg[1024];
	int n, id;
	arg[0] = '\0';
	if (sscanf(line, "%15s %d %1023s", verb, &n, arg) < 2 || n < 0 || n >= ncams)
		return;
	id = ids[n];
	const struct v4l2sim_api *api = v4l2sim_api();
	if (!strcmp(verb, "unplug"))
		api->unplug(id);
	else if (!strcmp(verb, "replug") && arg[0])
		api->replug(id, arg);
	else if (!strcmp(verb, "jpegs"))
		set_jpegs(id, arg);
	else if (!strcmp(verb, "exposure"))
		api->poke_ctrl(id, V4L2_CID_EXPOSURE_ABSOLUTE, atoi(arg));
	else if (!strcmp(verb, "stall"))
		api->stall(id, atoi(arg));
}

void v4l2sim_env_poll(void)
{
	const char *cfg = getenv("PHOTORIG_V4L2SIM_CONFIG");
	const char *ctl = getenv("PHOTORIG_V4L2SIM_CONTROL");
	if (!cfg)
		return; /* the driver test sets its cameras up itself */
	pthread_mutex_lock(&env_lock);
	if (!env_loaded) {
		env_loaded = 1;
		load_config(cfg);
	}
	struct stat st;
	if (ctl && !stat(ctl, &st) && st.st_size > control_done) {
		FILE *f = fopen(ctl, "r");
		char line[1100];
		if (f && !fseeko(f, control_done, SEEK_SET))
			/* whole lines only: the test may be half-way through one */
			while (fgets(line, sizeof(line), f) && strchr(line, '\n')) {
				control_done += (off_t)strlen(line);
				run_command(line);
			}
		if (f)
			fclose(f);
	}
	pthread_mutex_unlock(&env_lock);
}

/* libv4l2 unloads the plugin when its last device is closed (and loads it
 * again at the next open, which reads the config and replays the control
 * file from its start, so the cameras come back as the test left them):
 * free what the cameras hold, or the program's leak check counts it. */
__attribute__((destructor)) static void env_unload(void)
{
	if (getenv("PHOTORIG_V4L2SIM_CONFIG"))
		v4l2sim_api()->reset();
}
