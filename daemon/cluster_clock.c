/* photorigd: how far this node's clock can be trusted (see cluster.h).
 *
 * A set of a multi-node rig is released at a time T on CLOCK_REALTIME by
 * every node: the spread across nodes is no better than their clocks agree.
 * The kernel knows what chrony or ptp4l told it: adjtimex reports
 * TIME_ERROR (and STA_UNSYNC) while the clock is not disciplined, and
 * esterror, the estimated error in microseconds. Over 1 ms, or not
 * synchronised, a node says so in `status` and in every set it takes part
 * in; it still shoots (the operator decides). */
#define _GNU_SOURCE
#include "cluster.h"

#include <string.h>
#include <sys/timex.h>

#define CLOCK_MAX_ERROR_US 1000

void cluster_clock_read(struct pr_cl_clock *c)
{
	struct timex tx;
	memset(&tx, 0, sizeof(tx));
	int state = adjtimex(&tx);
	c->synced = state >= 0 && state != TIME_ERROR && !(tx.status & STA_UNSYNC);
	c->error_us = state >= 0 && tx.esterror >= 0 ? (int64_t)tx.esterror : -1;
}

int cluster_clock_ok(const struct pr_cl_clock *c)
{
	return c->synced && c->error_us >= 0 && c->error_us <= CLOCK_MAX_ERROR_US;
}

json_object *cluster_clock_json(const struct pr_cl_clock *c)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "synced", json_object_new_boolean(c->synced));
	json_object_object_add(o, "error_us", json_object_new_int64(c->error_us));
	json_object_object_add(o, "ok", json_object_new_boolean(cluster_clock_ok(c)));
	if (!cluster_clock_ok(c))
		json_object_object_add(o, "warning", json_object_new_string(
			c->synced ? "estimated error over 1 ms" : "not synchronised (chrony or PTP?)"));
	return o;
}
