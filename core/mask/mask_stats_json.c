/* photorig mask: mask statistics as JSON (mask_stats_json.h). */
#include "mask_stats_json.h"

#include <inttypes.h>
#include <stdio.h>

json_object *pr_mask_stats_json(const struct pr_mask_stats *st, uint64_t plate_id,
				double seconds)
{
	json_object *o = json_object_new_object();
	char id[32];
	snprintf(id, sizeof(id), "%016" PRIx64, plate_id);
	json_object_object_add(o, "plate_id", json_object_new_string(id));
	json_object_object_add(o, "foreground", json_object_new_double(st->foreground));
	json_object_object_add(o, "touches_border", json_object_new_boolean(st->touches_border));
	json_object *g = json_object_new_array(), *f = json_object_new_array();
	for (int c = 0; c < 3; c++) {
		json_object_array_add(g, json_object_new_double(st->gain[c]));
		json_object_array_add(f, json_object_new_double(st->offset[c]));
	}
	json_object_object_add(o, "gain", g);
	json_object_object_add(o, "offset", f);
	json_object_object_add(o, "drift_residual", json_object_new_double(st->drift_residual));
	json_object_object_add(o, "edge_agreement", json_object_new_double(st->edge_agreement));
	json_object_object_add(o, "stale_plate", json_object_new_boolean(st->stale_plate));
	json_object_object_add(o, "camera_moved", json_object_new_boolean(st->camera_moved));
	json_object_object_add(o, "seconds", json_object_new_double(seconds));
	return o;
}
