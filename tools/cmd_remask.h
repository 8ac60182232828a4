/* photorig remask: offline, on a session's files (cmd_remask_offline.c). */
#ifndef PHOTORIG_CMD_REMASK_H
#define PHOTORIG_CMD_REMASK_H

#include <stdint.h>

struct remask_opts {
	const char *session, *cameras, *sock, *config;
	uint32_t set_from, set_to; /* 0: open */
	int offline, json;
};

/* Mask the session's saved shots again with the plates and settings of
 * photorigd's config, without photorigd. Returns the exit status. */
int remask_offline(const struct remask_opts *o);

#endif
