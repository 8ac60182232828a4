/* photorigd: the hardware trigger (hwtrig.c): a relay or trigger box fires
 * every camera by wire, and the cameras collect the files the pulse made. */
#ifndef PHOTORIGD_HWTRIG_H
#define PHOTORIGD_HWTRIG_H

#include <stdint.h>

#include "camera.h"
#include "error.h"

struct daemon;
struct hwfire;
struct go;
struct cam_slot;
struct cam_job;
struct report;

int hwtrig_start(struct daemon *d);
void hwtrig_stop(struct daemon *d);
int hwtrig_enabled(const struct daemon *d);
/* Loop: a shared pulse for n camera jobs (NULL on failure). */
struct hwfire *hwtrig_prepare(struct daemon *d, uint32_t set, int cameras);
void hwfire_put(struct hwfire *f);
/* Loop: hand the pulse to the trigger thread, which fires once go releases. */
void hwtrig_fire(struct daemon *d, struct hwfire *hw, struct go *go);
/* Camera thread: wait for the pulse (bounded), then collect the file. */
int hwtrig_collect(struct cam_slot *s, struct cam_job *job, const struct cam_request *req,
		   struct cam_frame *frame, struct pr_error *err);
void hwtrig_on_fired(struct daemon *d, struct report *r);

#endif
