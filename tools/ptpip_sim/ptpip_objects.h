/* photorig-ptpip-sim: the camera's card (an object store) and where the
 * bytes of new captures come from (a directory of JPEGs, cycled in name
 * order, or generated images).
 *
 * The store is flat: every object sits in the root of one storage, which is
 * how a camera in "capture to card" mode looks to libgphoto2 once folders
 * are ignored. Handles are never reused within one run, so a stale handle
 * a client kept cannot name a newer picture. */
#ifndef PHOTORIG_PTPIP_OBJECTS_H
#define PHOTORIG_PTPIP_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#define SIM_STORAGE_ID 0x00010001u
#define SIM_STORE_MAX_OBJECTS 4096u
#define SIM_STORE_MAX_BYTES (1024ull * 1024 * 1024)
#define SIM_MAX_IMAGE_FILE (64u * 1024 * 1024)
#define SIM_NAME_LEN 32
#define SIM_SRC_LEN 256

struct sim_object {
	uint32_t handle;
	char name[SIM_NAME_LEN];   /* name on the card, IMG_0001.JPG */
	char src[SIM_SRC_LEN];     /* source file, or "generated" */
	char date[24];             /* PTP datetime, YYYYMMDDThhmmss */
	uint8_t *data;
	size_t size;
	uint32_t width, height;
	uint16_t format;           /* PTP object format; 0 = EXIF JPEG */
	uint64_t ready_ns;         /* CLOCK_MONOTONIC: visible from then on */
};

struct sim_store {
	struct sim_object *obj;
	size_t n, cap;
	uint32_t next_handle;
	uint64_t total_bytes;
};

void sim_store_init(struct sim_store *st);
void sim_store_free(struct sim_store *st);
/* Takes ownership of o->data (also on failure, where it is freed).
 * Assigns o->handle. -ENOSPC when the card is full. */
int sim_store_add(struct sim_store *st, struct sim_object *o);
/* Only objects that are ready by now_ns are visible. */
struct sim_object *sim_store_find(struct sim_store *st, uint32_t handle, uint64_t now_ns);
int sim_store_delete(struct sim_store *st, uint32_t handle);
size_t sim_store_visible(const struct sim_store *st, uint64_t now_ns, uint32_t *out, size_t max);
int sim_store_has_room(const struct sim_store *st);

struct image_source {
	char *dir;
	char **names;
	size_t n, next;
};

/* Lists *.jpg / *.jpeg in dir; -ENOENT if there are none. */
int sim_images_open(struct image_source *src, const char *dir);
void sim_images_close(struct image_source *src);
/* Reads the next file in name order (wrapping around). */
int sim_images_next(struct image_source *src, uint8_t **data, size_t *size, char *path,
		    size_t pathsz);

#endif
