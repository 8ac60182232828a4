/* photorigd: real-time priority for the moment a shutter is released.
 *
 * Every camera of a set is released at one instant (go_wait), but a rig
 * has more camera threads than the workstation has cores, and at that
 * instant the cores may be busy: mask workers of the last set, a
 * photogrammetry suite, a build. A camera thread at the normal priority
 * then waits its turn, and libgphoto2 makes it wait more than once: before
 * sending any PTP/IP request it polls the event socket with a 1 µs select,
 * which puts the thread to sleep and back in the queue. Measured with 8
 * PTP/IP cameras on 2 busy cores (tools/bench_ptpip_rig.sh), the trigger
 * spread was 4-7 ms at the normal priority and 0.4 ms with SCHED_FIFO.
 *
 * So each thread that releases a shutter raises itself to SCHED_FIFO
 * (lowest real-time priority, 1) just before the release instant and drops
 * back as soon as its trigger is sent: the real-time part is a few hundred
 * microseconds of sending a command, never a download or a loop. Where the
 * daemon is not allowed (no CAP_SYS_NICE, no RLIMIT_RTPRIO, a seccomp
 * filter), it says so once and the rig works at the normal priority. */
#define _GNU_SOURCE
#include "trigger_priority.h"

#include "daemon.h"
#include "sync.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "log.h"

#define TRIGGER_RT_PRIORITY 1

static _Thread_local int raised;
static atomic_int refusal_logged;

void trigger_priority_raise(void)
{
	if (raised)
		return;
	struct sched_param sp = { .sched_priority = TRIGGER_RT_PRIORITY };
	int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (!rc) {
		raised = 1;
		return;
	}
	if (!atomic_exchange(&refusal_logged, 1))
		LOG_NOTICE("shutters are released at the normal priority (real-time priority "
			   "refused: %s); the trigger spread may grow when the cores are busy. "
			   "Allow it with LimitRTPRIO=1 (systemd) or CAP_SYS_NICE",
			   strerror(rc));
}

void trigger_priority_drop(void)
{
	if (!raised)
		return;
	/* SCHED_OTHER keeps the thread's nice value */
	struct sched_param sp = { .sched_priority = 0 };
	int rc = pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
	if (rc)
		LOG_ERR("cannot leave real-time priority after a trigger: %s", strerror(rc));
	else
		raised = 0;
}
