/* photorigd: what capture.c and capture_mask.c share, and no other module
 * uses. */
#ifndef PHOTORIGD_CAPTURE_INTERNAL_H
#define PHOTORIGD_CAPTURE_INTERNAL_H

#include <json-c/json.h>
#include <stdint.h>

#include "protocol.h"

struct daemon;
struct set_rec;
struct shot_rec;

/* Index of the camera position named name in the config, -1 when none. */
int camera_index(const struct daemon *d, const char *name);
/* A journal line ev about shot r of set, with extra's keys (takes extra). */
void journal_shot(struct daemon *d, const char *ev, const struct set_rec *set,
		  const struct shot_rec *r, json_object *extra);
/* An event about shot r for watchers; what: its file, or the error. */
void event_shot(struct daemon *d, enum pr_event ev, const struct set_rec *set,
		const struct shot_rec *r, const char *what);
/* Queue the mask of a saved original, or record why it is not masked. */
void mask_submit(struct daemon *d, struct set_rec *set, uint32_t shot);
/* End the set when every file and mask is in. */
void set_try_finish(struct daemon *d, struct set_rec *set);

#endif
