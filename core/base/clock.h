/* photorig core: reading the clocks. CLOCK_MONOTONIC for deadlines and
 * durations, CLOCK_REALTIME for the trigger and arrival times written to
 * manifests (comparable across processes and machines). */
#ifndef PHOTORIG_CLOCK_H
#define PHOTORIG_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t pr_clock_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Monotonic seconds, for timing work. */
static inline double pr_monotonic_s(void)
{
	return (double)pr_clock_ns(CLOCK_MONOTONIC) * 1e-9;
}

#endif
