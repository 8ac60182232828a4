/* photorigd: what a recorded plate tells the operator.
 *
 * The plate builder leaves out of the model what only some frames showed
 * (an operator's hand, someone walking past) and says how much of the frame
 * that was and where (struct pr_plate's transient_*). Masks are right
 * either way, but the operator should know: a large transient means the
 * background was not empty while the plate was taken, and the box says
 * where to look. So every place a plate is shown carries it: the reply of
 * `photorig plate` and `plate --scan`, `status` and `cameras` (through
 * plate_store_json), the log, and the session's journal. */
#define _GNU_SOURCE
#include "plate_report.h"

#include "daemon.h"
#include "journal.h"
#include "plate_op.h"

#include <inttypes.h>
#include <stdio.h>

#include "log.h"

void plate_transient_json(const struct pr_plate *p, json_object *o)
{
	json_object *t = json_object_new_object();
	json_object_object_add(t, "share", json_object_new_double(p->transient_share));
	if (p->transient_share > 0 && p->transient_w > 0 && p->transient_h > 0) {
		json_object_object_add(t, "x", json_object_new_int(p->transient_x));
		json_object_object_add(t, "y", json_object_new_int(p->transient_y));
		json_object_object_add(t, "w", json_object_new_int(p->transient_w));
		json_object_object_add(t, "h", json_object_new_int(p->transient_h));
	}
	json_object_object_add(o, "transient", t);
}

void plate_recorded(struct daemon *d, const char *camera, const struct pr_plate *p,
		    const char *file, double angle)
{
	char where[64] = "";
	if (angle >= 0)
		snprintf(where, sizeof(where), " at %g degrees", angle);
	if (p->transient_share > 0)
		LOG_NOTICE("camera %s: plate%s: the frames disagreed on %.2f%% of the pixels "
			   "(something moved through some of them), within x %d..%d, y %d..%d; "
			   "left out of the plate", camera, where, 100.0 * p->transient_share,
			   p->transient_x, p->transient_x + p->transient_w - 1, p->transient_y,
			   p->transient_y + p->transient_h - 1);
	if (!d->session)
		return;
	char id[24];
	snprintf(id, sizeof(id), "%016" PRIx64, p->id);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ev", json_object_new_string("plate_saved"));
	json_object_object_add(o, "camera", json_object_new_string(camera));
	json_object_object_add(o, "plate_id", json_object_new_string(id));
	json_object_object_add(o, "plate", json_object_new_string(file));
	if (angle >= 0)
		json_object_object_add(o, "angle", json_object_new_double(angle));
	json_object_object_add(o, "frames", json_object_new_int64(p->frames));
	plate_transient_json(p, o);
	journal_append(d->session, o);
	json_object_put(o);
	journal_sync(d->session);
}
