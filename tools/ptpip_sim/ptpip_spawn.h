/* photorig-ptpip-sim: start and stop simulator processes from tests and
 * benchmarks. A started simulator dies with its parent (PR_SET_PDEATHSIG),
 * so a crashed test never leaves cameras listening. */
#ifndef PHOTORIG_PTPIP_SPAWN_H
#define PHOTORIG_PTPIP_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

struct sim_proc {
	pid_t pid;                /* 0 when not running */
	char address[32];
	int port, event_port;
	char serial[64];
};

/* Runs sim_path --address address --port 0 --serial serial [extra...]
 * (extra is NULL-terminated, may be NULL) and waits up to timeout_ms for
 * its READY line. Returns 0 or a negative errno. */
int sim_proc_start(struct sim_proc *p, const char *sim_path, const char *address,
		   const char *serial, const char *const *extra, int timeout_ms);
/* SIGTERM, wait up to timeout_ms, then SIGKILL. Returns the exit status
 * (0 = clean), 128+signal if killed, or a negative errno. Safe twice. */
int sim_proc_stop(struct sim_proc *p, int timeout_ms);
/* "ptpip:ADDRESS:PORT:EVENTPORT", the libgphoto2 port path. */
void sim_proc_port_path(const struct sim_proc *p, char *buf, size_t bufsz);

#endif
