/* photorigd: the one rig operation (plate or capture) running at a time,
 * and its progress and final reply to its requester (rig_op.c). */
#ifndef PHOTORIGD_RIG_OP_H
#define PHOTORIGD_RIG_OP_H

#include <json-c/json.h>
#include <stdint.h>

struct daemon;

enum op_kind { OP_NONE = 0, OP_CAPTURE, OP_PLATE };

struct rig_op {
	enum op_kind kind;
	uint64_t client;          /* its requester (events.h; 0: none) */
	int64_t req_id;
	uint32_t total, done;     /* capture: sets; plate: frames over all cameras */
	uint32_t sets_started, sets_finished, first_set, current_set;
	int set_open;             /* current set still waiting for files */
	int waiting_queue;        /* next set waits for room in the mask queue */
	int aborted;
	char error[1024];
	json_object *results;     /* plate: per camera; capture: per set */
	int cams_pending, failures;
};

void op_reply(struct daemon *d, json_object *msg);
void op_progress(struct daemon *d);

#endif
