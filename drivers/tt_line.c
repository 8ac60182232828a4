/* photorig drivers: `line`, turntables with a simple line protocol.
 *
 * Commercial and home-made tables that are not G-code machines mostly take
 * one command per move and answer one line when the move is done (or went
 * wrong). The protocol is configured, not coded:
 *   rotate_cmd   the command, a template: {degrees} is the relative angle,
 *                {units} the same divided by degrees_per_unit (for tables
 *                that count steps); written exactly as expanded, so the
 *                template carries its own terminator ("R {degrees}\n");
 *   done_reply   a reply starting with this means the move is done;
 *   error_reply  a reply starting with this means it failed ("" = none);
 *   timeout_ms   the longest wait for either, motion included.
 * Other lines (echoes, progress) are ignored. Input is discarded before
 * each command, so a late reply to an earlier, timed-out move is never taken
 * for this move's answer. */
#define _GNU_SOURCE
#include "turntable.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serial_port.h"

struct tt_handle {
	struct serial_port sp;
	char rotate_cmd[256];
	char done_reply[128];
	char error_reply[128];
	double degrees_per_unit;
	uint32_t timeout_ms;
	double commanded_deg;
};

static void line_close(struct tt_handle **hp)
{
	if (!hp || !*hp)
		return;
	serial_port_close(&(*hp)->sp);
	free(*hp);
	*hp = NULL;
}

static int copy_param(char *dst, size_t cap, const char *src, const char *what, const char *dev,
		      struct pr_error *err)
{
	if (!src)
		src = "";
	if (strlen(src) >= cap)
		return pr_error_set(err, PR_EINVAL, "turntable %s: %s is longer than %zu characters",
				    dev, what, cap - 1);
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int line_open(const struct tt_params *p, struct tt_handle **out, struct pr_error *err)
{
	*out = NULL;
	const char *dev = p->device ? p->device : "";
	if (!p->rotate_cmd || !p->rotate_cmd[0])
		return pr_error_set(err, PR_EINVAL, "turntable %s: the line driver needs rotate_cmd "
				    "(e.g. \"R {degrees}\\n\")", dev);
	if (!p->done_reply || !p->done_reply[0])
		return pr_error_set(err, PR_EINVAL, "turntable %s: the line driver needs done_reply, "
				    "the reply that means the move is done", dev);
	int rc = tt_check_template(p->rotate_cmd, err);
	if (rc)
		return rc;
	double dpu = p->degrees_per_unit > 0 ? p->degrees_per_unit : 1.0;
	if (!isfinite(dpu))
		return pr_error_set(err, PR_EINVAL, "turntable %s: degrees_per_unit must be finite", dev);
	struct tt_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return pr_error_set(err, PR_ENOMEM, "turntable %s: out of memory", dev);
	h->sp.fd = -1;
	if ((rc = copy_param(h->rotate_cmd, sizeof(h->rotate_cmd), p->rotate_cmd, "rotate_cmd", dev,
			     err)) ||
	    (rc = copy_param(h->done_reply, sizeof(h->done_reply), p->done_reply, "done_reply", dev,
			     err)) ||
	    (rc = copy_param(h->error_reply, sizeof(h->error_reply), p->error_reply, "error_reply",
			     dev, err))) {
		free(h);
		return rc;
	}
	h->degrees_per_unit = dpu;
	h->timeout_ms = p->timeout_ms ? p->timeout_ms : TT_DEFAULT_TIMEOUT_MS;
	rc = serial_port_open(&h->sp, dev, p->baud ? p->baud : 115200, err);
	if (rc) {
		free(h);
		return rc;
	}
	*out = h;
	return 0;
}

static int starts_with(const char *s, const char *prefix)
{
	return prefix[0] && !strncmp(s, prefix, strlen(prefix));
}

static int line_rotate(struct tt_handle *h, double degrees, struct pr_error *err)
{
	if (!h || h->sp.fd < 0)
		return pr_error_set(err, TT_EGONE, "turntable is not open");
	if (!isfinite(degrees) || fabs(degrees) > 1e5)
		return pr_error_set(err, PR_EINVAL, "turntable %s: cannot turn by %g degrees",
				    h->sp.name, degrees);
	char cmd[512];
	int rc = tt_expand_template(h->rotate_cmd, degrees, degrees / h->degrees_per_unit, cmd,
				    sizeof(cmd), err);
	if (rc)
		return rc;
	/* What the messages quote: the command without its terminator. */
	char shown[sizeof(cmd)];
	snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(cmd, "\r\n"), cmd);

	serial_port_discard_input(&h->sp);
	int64_t deadline = serial_deadline(h->timeout_ms);
	rc = serial_port_write_str(&h->sp, cmd, deadline, err);
	if (rc == SERIAL_ETIMEOUT || rc == SERIAL_EGONE) {
		int tc = rc == SERIAL_ETIMEOUT ? TT_ETIMEOUT : TT_EGONE;
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err ? err->msg : tt_strerror(tc));
		return pr_error_set(err, tc, "turntable %s: cannot send \"%s\": %s", h->sp.name, shown,
				    why);
	}
	if (rc)
		return rc;
	char line[SERIAL_LINE_MAX];
	for (;;) {
		rc = serial_port_read_line(&h->sp, line, sizeof(line), deadline, err);
		if (rc == SERIAL_ETIMEOUT)
			return pr_error_set(err, TT_ETIMEOUT,
					    "turntable %s: no \"%s\" after \"%s\" within %u ms",
					    h->sp.name, h->done_reply, shown, h->timeout_ms);
		if (rc == SERIAL_EGONE) {
			if (err)
				err->code = TT_EGONE;
			return TT_EGONE;
		}
		if (rc < 0)
			return rc;
		/* Error first: a done_reply of "OK" must not swallow "OK ERR 3". */
		if (starts_with(line, h->error_reply))
			return pr_error_set(err, TT_EREFUSED, "turntable %s: \"%s\" failed: the "
					    "controller answered \"%s\"", h->sp.name, shown, line);
		if (starts_with(line, h->done_reply)) {
			h->commanded_deg += degrees;
			return 0;
		}
	}
}

static int line_position(struct tt_handle *h, double *degrees)
{
	if (!h)
		return PR_EINVAL;
	*degrees = h->commanded_deg;
	return 0;
}

const struct turntable_driver tt_line_driver = {
	.name = "line",
	.open = line_open,
	.rotate = line_rotate,
	.position = line_position,
	.close = line_close,
};
