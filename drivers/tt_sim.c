/* photorig drivers: `sim`, a simulated turntable.
 *
 * No device: it keeps its angle and takes sim_ms_per_degree per degree
 * turned, so a demo scan has the rhythm of a real one (turn, settle, shoot)
 * and tests can measure that the orchestrator waits for motion. The sim
 * cameras see the object turn because the daemon passes the table's angle
 * in struct cam_request.angle_deg (camera.h); position() gives it.
 *
 * PHOTORIG_TT_SIM_FAIL_AT=N in the environment makes the N-th rotate()
 * (1-based) fail with TT_ETIMEOUT, once, so daemon tests can show a scan
 * pausing on a turntable error and resuming without a real controller. */
#define _GNU_SOURCE
#include "turntable.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "serial_port.h"

struct tt_handle {
	double angle;             /* commanded, not wrapped */
	double ms_per_degree;
	unsigned rotations;
	unsigned fail_at;         /* 0 = never */
};

static int sim_open(const struct tt_params *p, struct tt_handle **out, struct pr_error *err)
{
	*out = NULL;
	struct tt_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return pr_error_set(err, PR_ENOMEM, "turntable sim: out of memory");
	double ms = p->sim_ms_per_degree;
	h->ms_per_degree = ms == 0 || !isfinite(ms) ? TT_DEFAULT_SIM_MS_PER_DEGREE : ms < 0 ? 0 : ms;
	if (h->ms_per_degree > 1000)
		h->ms_per_degree = 1000;
	const char *fail = getenv("PHOTORIG_TT_SIM_FAIL_AT");
	if (fail && *fail) {
		long n = strtol(fail, NULL, 10);
		h->fail_at = n > 0 && n < 1000000 ? (unsigned)n : 0;
	}
	*out = h;
	return 0;
}

static int sim_rotate(struct tt_handle *h, double degrees, struct pr_error *err)
{
	if (!h)
		return pr_error_set(err, TT_EGONE, "turntable sim: not open");
	if (!isfinite(degrees) || fabs(degrees) > 1e5)
		return pr_error_set(err, PR_EINVAL, "turntable sim: cannot turn by %g degrees", degrees);
	h->rotations++;
	if (h->fail_at && h->rotations == h->fail_at)
		return pr_error_set(err, TT_ETIMEOUT, "turntable sim: rotation %u failed on purpose "
				    "(PHOTORIG_TT_SIM_FAIL_AT)", h->rotations);
	double ms = fabs(degrees) * h->ms_per_degree;
	if (ms > 0)
		serial_sleep_until(serial_now_ns() + (int64_t)(ms * 1e6));
	h->angle += degrees;
	return 0;
}

static int sim_position(struct tt_handle *h, double *degrees)
{
	if (!h)
		return PR_EINVAL;
	*degrees = h->angle;
	return 0;
}

static void sim_close(struct tt_handle **hp)
{
	if (!hp)
		return;
	free(*hp);
	*hp = NULL;
}

const struct turntable_driver tt_sim_driver = {
	.name = "sim",
	.open = sim_open,
	.rotate = sim_rotate,
	.position = sim_position,
	.close = sim_close,
};
