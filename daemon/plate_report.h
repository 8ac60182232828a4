/* photorigd: what a recorded plate tells the operator (plate_report.c). */
#ifndef PHOTORIGD_PLATE_REPORT_H
#define PHOTORIGD_PLATE_REPORT_H

#include <json-c/json.h>

#include "plate.h"

struct daemon;

/* Add the plate's transient to o as "transient": {share, x, y, w, h}
 * (share 0 and no box when its frames agreed everywhere). */
void plate_transient_json(const struct pr_plate *p, json_object *o);
/* A plate was recorded for camera (file: relative to the state folder;
 * angle < 0: not a turntable plate): log it, and journal plate_saved in
 * the active session with its transient, so a hand or a passer-by in the
 * plate frames is on record beside the sets masked against it. */
void plate_recorded(struct daemon *d, const char *camera, const struct pr_plate *p,
		    const char *file, double angle);

#endif
