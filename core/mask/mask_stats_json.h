/* photorig mask: a shot's mask statistics as journals and manifests hold
 * them, one form for photorigd and the offline remask. */
#ifndef PHOTORIG_MASK_STATS_JSON_H
#define PHOTORIG_MASK_STATS_JSON_H

#include <json-c/json.h>
#include <stdint.h>

#include "mask.h"

/* {plate_id, foreground, touches_border, gain, offset, drift_residual,
 * edge_agreement, stale_plate, camera_moved, seconds}; plate_id as 16 hex
 * digits. */
json_object *pr_mask_stats_json(const struct pr_mask_stats *st, uint64_t plate_id,
				double seconds);

#endif
