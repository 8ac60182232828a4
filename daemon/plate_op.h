/* photorigd: recording plates and the plate store (plate_op.c). */
#ifndef PHOTORIGD_PLATE_OP_H
#define PHOTORIGD_PLATE_OP_H

#include <json-c/json.h>
#include <stdint.h>

#include "protocol.h"

struct daemon;
struct report;

int plate_begin(struct daemon *d, uint64_t requester, const struct pr_request *req);
void plate_on_report(struct daemon *d, struct report *r);
void plate_store_load(struct daemon *d);
void plate_store_free(struct daemon *d);
json_object *plate_store_json(const struct daemon *d, int cam);

#endif
