/* photorigd: one handler per request of the control protocol (ops.c). */
#ifndef PHOTORIGD_OPS_H
#define PHOTORIGD_OPS_H

#include <stdint.h>

#include "protocol.h"

struct daemon;

/* Run one request of requester (an id from events_new_requester); its
 * replies go back through events_reply, whichever front end it came by. */
void ops_dispatch(struct daemon *d, uint64_t requester, const struct pr_request *req);

#endif
