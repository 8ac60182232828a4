/* photorig-ptpip-sim: libgphoto2 client helpers (see ptpip_gpclient.h). */
#define _GNU_SOURCE
#include "ptpip_gpclient.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static CameraAbilitiesList *abilities;
static GPPortInfoList *ports;

double gpc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int link_one(const char *scratch, const char *sub, const char *srcdir, const char *lib,
		    const char *env)
{
	char src[1024], dir[1024], dst[1200];
	snprintf(src, sizeof(src), "%s/%s", srcdir, lib);
	if (access(src, R_OK) < 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s/%s", scratch, sub);
	snprintf(dst, sizeof(dst), "%s/%s", dir, lib);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (symlink(src, dst) < 0 && errno != EEXIST)
		return -errno;
	return setenv(env, dir, 1) < 0 ? -errno : 0;
}

int gpc_restrict_drivers(const char *scratch_dir)
{
	int r = 0;
#ifdef PTPIP_GP_IOLIB_DIR
	r = link_one(scratch_dir, "iolibs", PTPIP_GP_IOLIB_DIR, "ptpip.so", "IOLIBS");
#endif
#ifdef PTPIP_GP_CAMLIB_DIR
	if (r == 0)
		r = link_one(scratch_dir, "camlibs", PTPIP_GP_CAMLIB_DIR, "ptp2.so", "CAMLIBS");
#endif
	(void)scratch_dir;
	(void)link_one;
	return r;
}

int gpc_global_init(GPContext *ctx)
{
	int r = gp_abilities_list_new(&abilities);
	if (r >= GP_OK)
		r = gp_abilities_list_load(abilities, ctx);
	if (r >= GP_OK)
		r = gp_port_info_list_new(&ports);
	if (r >= GP_OK)
		r = gp_port_info_list_load(ports);
	if (r < GP_OK)
		gpc_global_free();
	return r < GP_OK ? r : GP_OK;
}

void gpc_global_free(void)
{
	if (abilities)
		gp_abilities_list_free(abilities);
	if (ports)
		gp_port_info_list_free(ports);
	abilities = NULL;
	ports = NULL;
}

int gpc_open(GPContext *ctx, const char *port_path, Camera **out)
{
	*out = NULL;
	if (!abilities || !ports)
		return GP_ERROR_BAD_PARAMETERS;
	int m = gp_abilities_list_lookup_model(abilities, "PTP/IP Camera");
	if (m < GP_OK)
		return m;
	CameraAbilities a;
	int r = gp_abilities_list_get_abilities(abilities, m, &a);
	if (r < GP_OK)
		return r;
	/* The generic "ptpip:" entry matches any address; lookup_path adds a
	 * port entry for this exact path. */
	int p = gp_port_info_list_lookup_path(ports, port_path);
	if (p < GP_OK)
		return p;
	GPPortInfo info;
	r = gp_port_info_list_get_info(ports, p, &info);
	if (r < GP_OK)
		return r;
	Camera *cam;
	r = gp_camera_new(&cam);
	if (r < GP_OK)
		return r;
	r = gp_camera_set_abilities(cam, a);
	if (r >= GP_OK)
		r = gp_camera_set_port_info(cam, info);
	if (r >= GP_OK)
		r = gp_camera_init(cam, ctx);
	if (r < GP_OK) {
		gp_camera_unref(cam);
		return r;
	}
	*out = cam;
	return GP_OK;
}

int gpc_wait_file(Camera *cam, GPContext *ctx, int timeout_ms, CameraFilePath *path)
{
	double deadline = gpc_now_ms() + timeout_ms;
	while (gpc_now_ms() < deadline) {
		CameraEventType type;
		void *data = NULL;
		int r = gp_camera_wait_for_event(cam, 100, &type, &data, ctx);
		if (r < GP_OK) {
			free(data);
			return r;
		}
		if (type == GP_EVENT_FILE_ADDED && data) {
			*path = *(CameraFilePath *)data;
			free(data);
			return GP_OK;
		}
		free(data); /* path, message string, or NULL */
	}
	return GP_ERROR_TIMEOUT;
}

int gpc_download(Camera *cam, GPContext *ctx, const CameraFilePath *path, uint8_t **data,
		 size_t *size)
{
	CameraFile *file;
	*data = NULL;
	*size = 0;
	int r = gp_file_new(&file);
	if (r < GP_OK)
		return r;
	r = gp_camera_file_get(cam, path->folder, path->name, GP_FILE_TYPE_NORMAL, file, ctx);
	const char *bytes = NULL;
	unsigned long n = 0;
	if (r >= GP_OK)
		r = gp_file_get_data_and_size(file, &bytes, &n);
	if (r >= GP_OK) {
		*data = malloc(n ? n : 1);
		if (!*data)
			r = GP_ERROR_NO_MEMORY;
		else if (n)
			memcpy(*data, bytes, n);
		*size = n;
	}
	gp_file_unref(file);
	return r < GP_OK ? r : GP_OK;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int gpc_scratch_setup(char *tmpl)
{
	if (!mkdtemp(tmpl))
		return -1;
	setenv("HOME", tmpl, 1);
	return gpc_restrict_drivers(tmpl) < 0 ? -1 : 0;
}

void gpc_scratch_remove(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
