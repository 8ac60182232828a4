/* photorigd: plates per turntable angle (see plate_angles.h).
 *
 * Angles are kept in degrees within [0, 360), so a scan of 12 steps over
 * 360 degrees and one started from a table turned a full revolution find
 * the same plates; two angles within ANGLE_EPS are the same step. The
 * store is rebuilt from the state folder whenever the rig is (start-up,
 * a reload that changes cameras), like the single plates. */
#define _GNU_SOURCE
#include "plate_angles.h"

#include "daemon.h"
#include "session.h"
#include "sync.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

#define ANGLE_EPS 0.01

struct angle_plate {
	double angle;
	struct plate_ref *ref;
};

struct cam_angles {
	struct angle_plate *v;
	unsigned n, cap;
};

struct plate_angles {
	uint32_t ncams;
	struct cam_angles cams[];
};

static double norm_angle(double a)
{
	a = fmod(a, 360.0);
	if (a < 0)
		a += 360.0;
	return a >= 360.0 - ANGLE_EPS / 2 ? 0.0 : a;
}

void plate_angles_name(const char *camera, double angle, char *buf, size_t size)
{
	snprintf(buf, size, "plates/%s/angle-%07.3f.prplate", camera, norm_angle(angle));
}

int plate_angles_mkdir(const struct daemon *d, const char *camera, char *why, size_t size)
{
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s/plates/%s", d->cfg.daemon.state_dir, camera) >=
	    (int)sizeof(dir))
		return snprintf(why, size, "the state folder's path is too long"), -1;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return snprintf(why, size, "cannot create %s: %s", dir, strerror(errno)), -1;
	return 0;
}

static struct cam_angles *cam_of(const struct daemon *d, int cam)
{
	if (!d->pangles || cam < 0 || (uint32_t)cam >= d->pangles->ncams)
		return NULL;
	return &d->pangles->cams[cam];
}

void plate_angles_put(struct daemon *d, int cam, double angle, struct plate_ref *ref)
{
	struct cam_angles *c = cam_of(d, cam);
	angle = norm_angle(angle);
	if (!c) {
		plate_ref_put(ref);
		return;
	}
	unsigned i = 0;
	while (i < c->n && c->v[i].angle < angle - ANGLE_EPS)
		i++;
	if (i < c->n && fabs(c->v[i].angle - angle) <= ANGLE_EPS) {
		plate_ref_put(c->v[i].ref); /* masks still running keep the old one */
		c->v[i].ref = ref;
		return;
	}
	if (c->n == c->cap) {
		unsigned cap = c->cap ? c->cap * 2 : 16;
		struct angle_plate *v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			LOG_ERR("out of memory for the plate at %g degrees", angle);
			plate_ref_put(ref);
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	memmove(c->v + i + 1, c->v + i, (c->n - i) * sizeof(*c->v));
	c->v[i].angle = angle;
	c->v[i].ref = ref;
	c->n++;
}

static struct plate_ref *find(const struct daemon *d, int cam, double angle)
{
	const struct cam_angles *c = cam_of(d, cam);
	angle = norm_angle(angle);
	for (unsigned i = 0; c && i < c->n; i++)
		if (fabs(c->v[i].angle - angle) <= ANGLE_EPS ||
		    fabs(c->v[i].angle - angle) >= 360.0 - ANGLE_EPS)
			return c->v[i].ref;
	return NULL;
}

unsigned plate_angles_count(const struct daemon *d, int cam)
{
	const struct cam_angles *c = cam_of(d, cam);
	return c ? c->n : 0;
}

json_object *plate_angles_json(const struct daemon *d, int cam)
{
	const struct cam_angles *c = cam_of(d, cam);
	if (!c || !c->n)
		return NULL;
	json_object *a = json_object_new_array();
	for (unsigned i = 0; i < c->n; i++) {
		char id[24];
		json_object *o = json_object_new_object();
		snprintf(id, sizeof(id), "%016" PRIx64, c->v[i].ref->plate.id);
		json_object_object_add(o, "angle", json_object_new_double(c->v[i].angle));
		json_object_object_add(o, "id", json_object_new_string(id));
		json_object_object_add(o, "created", json_object_new_int64(c->v[i].ref->plate.created));
		json_object_array_add(a, o);
	}
	return a;
}

struct plate_ref *plate_for_set(const struct daemon *d, int cam, const struct set_rec *set,
				char *file, size_t size)
{
	const char *name = d->cfg.cameras[cam].name;
	struct plate_ref *p = set && set->has_angle ? find(d, cam, set->angle) : NULL;
	if (p) {
		plate_angles_name(name, set->angle, file, size);
		return p;
	}
	p = d->plates ? d->plates[cam] : NULL;
	if (p)
		snprintf(file, size, "plates/%s.prplate", name);
	else if (size)
		file[0] = '\0';
	return p;
}

/* Load STATE_DIR/plates/CAMERA/angle-*.prplate of camera cam. */
static void load_camera(struct daemon *d, int cam)
{
	const char *name = d->cfg.cameras[cam].name;
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s/plates/%s", d->cfg.daemon.state_dir, name) >=
	    (int)sizeof(dir))
		return;
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *e;
	while ((e = readdir(dp))) {
		double angle;
		char tail[16] = "";
		if (sscanf(e->d_name, "angle-%lf.%15s", &angle, tail) != 2 ||
		    strcmp(tail, "prplate") || !isfinite(angle))
			continue;
		char path[PATH_MAX + 300];
		struct pr_error err;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct plate_ref *p = calloc(1, sizeof(*p));
		if (!p)
			break;
		atomic_init(&p->refs, 1);
		if (pr_plate_load(path, &p->plate, &err)) {
			LOG_WARN("camera %s: plate at %g degrees not loaded: %s", name, angle, err.msg);
			free(p);
			continue;
		}
		plate_angles_put(d, cam, angle, p);
	}
	closedir(dp);
	if (plate_angles_count(d, cam))
		LOG_INFO("camera %s: %u turntable plates loaded", name, plate_angles_count(d, cam));
}

void plate_angles_load(struct daemon *d)
{
	plate_angles_free(d);
	d->pangles = calloc(1, sizeof(*d->pangles) + d->nslots * sizeof(struct cam_angles));
	if (!d->pangles)
		return;
	d->pangles->ncams = d->nslots;
	for (uint32_t i = 0; i < d->nslots; i++)
		load_camera(d, (int)i);
}

void plate_angles_free(struct daemon *d)
{
	if (!d->pangles)
		return;
	for (uint32_t i = 0; i < d->pangles->ncams; i++) {
		struct cam_angles *c = &d->pangles->cams[i];
		for (unsigned k = 0; k < c->n; k++)
			plate_ref_put(c->v[k].ref);
		free(c->v);
	}
	free(d->pangles);
	d->pangles = NULL;
}
