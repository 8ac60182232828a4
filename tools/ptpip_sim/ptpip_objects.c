/* photorig-ptpip-sim: object store and image directory source. */
#define _GNU_SOURCE
#include "ptpip_objects.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void sim_store_init(struct sim_store *st)
{
	memset(st, 0, sizeof(*st));
	/* Start away from 0 and 1 so a client confusing handles with indices
	 * or with "root" fails visibly. */
	st->next_handle = 0x00100001u;
}

void sim_store_free(struct sim_store *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->obj[i].data);
	free(st->obj);
	memset(st, 0, sizeof(*st));
}

int sim_store_has_room(const struct sim_store *st)
{
	return st->n < SIM_STORE_MAX_OBJECTS && st->total_bytes < SIM_STORE_MAX_BYTES;
}

int sim_store_add(struct sim_store *st, struct sim_object *o)
{
	if (!sim_store_has_room(st) || o->size > SIM_STORE_MAX_BYTES - st->total_bytes) {
		free(o->data);
		o->data = NULL;
		return -ENOSPC;
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct sim_object *d = realloc(st->obj, cap * sizeof(*d));
		if (!d) {
			free(o->data);
			o->data = NULL;
			return -ENOMEM;
		}
		st->obj = d;
		st->cap = cap;
	}
	o->handle = st->next_handle++;
	if (st->next_handle == 0xFFFFFFFFu) /* reserved by PTP */
		st->next_handle = 0x00100001u;
	st->obj[st->n++] = *o;
	st->total_bytes += o->size;
	return 0;
}

struct sim_object *sim_store_find(struct sim_store *st, uint32_t handle, uint64_t now_ns)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->obj[i].handle == handle)
			return st->obj[i].ready_ns <= now_ns ? &st->obj[i] : NULL;
	return NULL;
}

int sim_store_delete(struct sim_store *st, uint32_t handle)
{
	for (size_t i = 0; i < st->n; i++) {
		if (st->obj[i].handle != handle)
			continue;
		st->total_bytes -= st->obj[i].size;
		free(st->obj[i].data);
		memmove(&st->obj[i], &st->obj[i + 1], (st->n - i - 1) * sizeof(st->obj[0]));
		st->n--;
		return 0;
	}
	return -ENOENT;
}

size_t sim_store_visible(const struct sim_store *st, uint64_t now_ns, uint32_t *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < st->n; i++) {
		if (st->obj[i].ready_ns > now_ns)
			continue;
		if (out && k < max)
			out[k] = st->obj[i].handle;
		k++;
	}
	return k;
}

static int is_jpeg_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	return name[0] != '.' && dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void sim_images_close(struct image_source *src)
{
	for (size_t i = 0; i < src->n; i++)
		free(src->names[i]);
	free(src->names);
	free(src->dir);
	memset(src, 0, sizeof(*src));
}

int sim_images_open(struct image_source *src, const char *dir)
{
	memset(src, 0, sizeof(*src));
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	int rc = 0;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!is_jpeg_name(e->d_name))
			continue;
		if (src->n == cap) {
			cap = cap ? cap * 2 : 32;
			char **names = realloc(src->names, cap * sizeof(*names));
			if (!names) {
				rc = -ENOMEM;
				break;
			}
			src->names = names;
		}
		src->names[src->n] = strdup(e->d_name);
		if (!src->names[src->n]) {
			rc = -ENOMEM;
			break;
		}
		src->n++;
	}
	closedir(d);
	src->dir = strdup(dir);
	if (rc == 0 && !src->dir)
		rc = -ENOMEM;
	if (rc == 0 && src->n == 0)
		rc = -ENOENT;
	if (rc < 0) {
		sim_images_close(src);
		return rc;
	}
	qsort(src->names, src->n, sizeof(src->names[0]), cmp_names);
	return 0;
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat sb;
	int rc = 0;
	if (fstat(fd, &sb) < 0)
		rc = -errno;
	else if (!S_ISREG(sb.st_mode) || sb.st_size <= 0 || (uint64_t)sb.st_size > SIM_MAX_IMAGE_FILE)
		rc = -EFBIG;
	uint8_t *buf = rc == 0 ? malloc((size_t)sb.st_size) : NULL;
	if (rc == 0 && !buf)
		rc = -ENOMEM;
	size_t got = 0;
	while (rc == 0 && got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			rc = r < 0 ? -errno : -EIO; /* shrank under us */
		else
			got += (size_t)r;
	}
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*data = buf;
	*size = got;
	return 0;
}

int sim_images_next(struct image_source *src, uint8_t **data, size_t *size, char *path,
		    size_t pathsz)
{
	if (src->n == 0)
		return -ENOENT;
	const char *name = src->names[src->next];
	src->next = (src->next + 1) % src->n;
	char full[4096];
	int len = snprintf(full, sizeof(full), "%s/%s", src->dir, name);
	if (len < 0 || (size_t)len >= sizeof(full))
		return -ENAMETOOLONG;
	snprintf(path, pathsz, "%s", full);
	return read_file(full, data, size);
}
