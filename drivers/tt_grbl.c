/* photorig drivers: `grbl`, turntables on GRBL and other G-code controllers.
 *
 * Many open-source turntables are a stepper on a GRBL board (an Arduino
 * with a CNC shield, or grblHAL/FluidNC boards). Stock GRBL has axes X, Y
 * and Z only, so the table is the X axis unless tt_params.axis says
 * otherwise (A on 4-axis forks and grblHAL); its steps/mm setting ($100 for
 * X) is set so that one axis unit is degrees_per_unit degrees of the table.
 *
 * Contact. An Arduino resets when the port opens (DTR) and prints its
 * greeting ("Grbl 1.1h ['$' for help]") a second or two later; the driver
 * waits up to wake_ms for it. A board that does not reset (native USB,
 * already running) prints nothing: then "\r\n\r\n" is sent, which GRBL
 * answers with an "ok" per empty line, proving it listens; the oks are
 * drained until the line is quiet.
 *
 * One rotation is three lines, each answered before the next is sent (the
 * "send-response" streaming of GRBL's own docs, so nothing overflows its
 * 128-byte receive buffer):
 *     G91                  relative distances (sent each time: cheap, and
 *                          robust against another program leaving G90 set)
 *     G1 X<units> F<feed>  the move; its "ok" only means it was queued
 *     G4 P0                a zero dwell, which GRBL answers only once the
 *                          planner is empty, i.e. the table has stopped
 * Units are computed from the cumulative commanded angle, rounded to 4
 * decimals, so 36 steps of 10 degrees at any degrees_per_unit add up to one
 * turn without drift.
 *
 * Replies. "error:N" names the refused line and the code's meaning;
 * "ALARM:N" (which may come at any time, e.g. a limit switch mid-move) is
 * TT_EALARM with its meaning; "error:9" (G-code locked out while in alarm)
 * is TT_EALARM too, since only the operator can clear it ($X). Greetings,
 * [MSG:...] and <status> lines are skipped. After a timeout the count of
 * replies can no longer be trusted (a late "ok" would answer the wrong
 * line), so the next rotate() first repeats the "\r\n\r\n" handshake. */
#define _GNU_SOURCE
#include "turntable.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serial_port.h"

#define GRBL_QUIET_MS 100u   /* silence that ends a drain of stale replies */

struct tt_handle {
	struct serial_port sp;
	double degrees_per_unit;
	double feed;
	char axis;
	uint32_t timeout_ms;
	double commanded_deg;     /* sum of the rotations done since open */
	double sent_units;        /* sum of the (rounded) units sent */
	int desync;               /* replies may be out of step: handshake first */
};

/* GRBL 1.1's error codes (doc/csv/error_codes_en_US.csv), in words. */
static const char *grbl_error_meaning(int code)
{
	switch (code) {
	case 1: return "expected command letter";
	case 2: return "bad number format";
	case 3: return "invalid '$' statement";
	case 4: return "negative value";
	case 5: return "homing cycle not enabled";
	case 8: return "'$' command only valid when idle";
	case 9: return "G-code locked out during alarm or jog state";
	case 10: return "soft limits require homing to be enabled";
	case 11: return "line too long";
	case 12: return "step rate above 30 kHz";
	case 13: return "safety door open";
	case 15: return "jog target exceeds machine travel";
	case 20: return "unsupported or invalid G-code command";
	case 21: return "two G-code commands of the same modal group";
	case 22: return "feed rate not set";
	case 23: return "G-code command needs an integer value";
	case 24: return "two G-code commands that both use axis words";
	case 25: return "repeated G-code word";
	case 26: return "no axis words where a command needs them";
	case 28: return "missing P or L value";
	case 31: return "axis words where no command uses them (the axis may not exist on this controller)";
	case 33: return "invalid motion target";
	case 36: return "unused value words";
	default: return "see the controller's error code list";
	}
}

static const char *grbl_alarm_meaning(int code)
{
	switch (code) {
	case 1: return "hard limit triggered; position is likely lost";
	case 2: return "motion target exceeds machine travel (soft limit)";
	case 3: return "reset while in motion; position is likely lost";
	case 4: return "probe fail: not in expected initial state";
	case 5: return "probe fail: did not contact";
	case 6: return "homing fail: reset during homing";
	case 7: return "homing fail: safety door opened during homing";
	case 8: return "homing fail: could not clear the limit switch";
	case 9: return "homing fail: limit switch not found";
	case 10: return "emergency stop";
	default: return "see the controller's alarm code list";
	}
}

static int code_of(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	long v = strtol(s, NULL, 10);
	return v > 999 ? 999 : (int)v;
}

/* A serial-layer code as a turntable code; err (already filled by the
 * serial layer) gets the same code. */
static int map_serial(struct tt_handle *h, int rc, struct pr_error *err)
{
	if (rc == SERIAL_ETIMEOUT) {
		h->desync = 1;
		rc = TT_ETIMEOUT;
	} else if (rc == SERIAL_EGONE) {
		rc = TT_EGONE;
	}
	if (err)
		err->code = rc;
	return rc;
}

/* An ALARM line: TT_EALARM with its meaning. */
static int alarm_error(struct tt_handle *h, const char *line, const char *during,
		       struct pr_error *err)
{
	int code = code_of(line + 6);
	h->desync = 1;
	return pr_error_set(err, TT_EALARM,
			    "turntable %s: GRBL raised %s (%s)%s%s; check the table, then unlock it "
			    "with $X",
			    h->sp.name, line, code >= 0 ? grbl_alarm_meaning(code) : "no code",
			    during ? " during " : "", during ? during : "");
}

/* Send one line and wait for its answer. */
static int grbl_command(struct tt_handle *h, const char *cmd, struct pr_error *err)
{
	char out[160];
	snprintf(out, sizeof(out), "%s\n", cmd);
	int64_t deadline = serial_deadline(h->timeout_ms);
	int rc = serial_port_write_str(&h->sp, out, deadline, err);
	if (rc)
		return map_serial(h, rc, err);
	char line[SERIAL_LINE_MAX];
	for (;;) {
		rc = serial_port_read_line(&h->sp, line, sizeof(line), deadline, err);
		if (rc == SERIAL_ETIMEOUT)
			return pr_error_set(err, map_serial(h, rc, err),
					    "turntable %s: no answer to \"%s\" within %u ms%s",
					    h->sp.name, cmd, h->timeout_ms,
					    !strncmp(cmd, "G4", 2) ? " (the move did not finish)" : "");
		if (rc < 0)
			return map_serial(h, rc, err);
		if (!strcmp(line, "ok"))
			return 0;
		if (!strncmp(line, "ALARM:", 6))
			return alarm_error(h, line, cmd, err);
		if (!strncmp(line, "error:", 6)) {
			int code = code_of(line + 6);
			const char *meaning = code >= 0 ? grbl_error_meaning(code) : line + 6;
			int tc = code == 9 ? TT_EALARM : code == 13 ? TT_EBUSY : TT_EREFUSED;
			return pr_error_set(err, tc, "turntable %s: GRBL refused \"%s\": %s (%s)%s",
					    h->sp.name, cmd, line, meaning,
					    code == 9 ? "; check the table, then unlock it with $X" : "");
		}
		/* Greeting after a reset, [MSG:..], [GC:..], <status>, echo:
		 * not an answer. */
	}
}

/* Replies that are already here: an ALARM among them is reported, the rest
 * (late oks, messages) dropped. */
static int drain_pending(struct tt_handle *h, uint32_t quiet_ms, struct pr_error *err)
{
	char line[SERIAL_LINE_MAX];
	int64_t limit = serial_deadline(h->timeout_ms);
	for (;;) {
		int64_t d = serial_deadline(quiet_ms);
		int rc = serial_port_read_line(&h->sp, line, sizeof(line), d < limit ? d : limit, NULL);
		if (rc == SERIAL_ETIMEOUT)
			return 0;
		if (rc < 0)
			return pr_error_set(err, map_serial(h, rc, err), "turntable %s: device went away",
					    h->sp.name);
		if (!strncmp(line, "ALARM:", 6))
			return alarm_error(h, line, NULL, err);
		if (serial_now_ns() >= limit)
			return pr_error_set(err, TT_EBUSY, "turntable %s: the controller keeps talking "
					    "(last: \"%s\")", h->sp.name, line);
	}
}

/* "\r\n\r\n": GRBL answers each empty line with ok. Wait for one, then drain
 * the rest until the line is quiet. */
static int grbl_handshake(struct tt_handle *h, struct pr_error *err)
{
	serial_port_discard_input(&h->sp);
	int64_t deadline = serial_deadline(h->timeout_ms);
	int rc = serial_port_write_str(&h->sp, "\r\n\r\n", deadline, err);
	if (rc)
		return map_serial(h, rc, err);
	char line[SERIAL_LINE_MAX];
	for (;;) {
		rc = serial_port_read_line(&h->sp, line, sizeof(line), deadline, err);
		if (rc == SERIAL_ETIMEOUT)
			return pr_error_set(err, TT_ETIMEOUT,
					    "turntable %s: no answer from a GRBL controller within %u ms "
					    "(powered? right port and baud?)",
					    h->sp.name, h->timeout_ms);
		if (rc < 0)
			return map_serial(h, rc, err);
		if (!strncmp(line, "ALARM:", 6))
			return alarm_error(h, line, NULL, err);
		if (!strcmp(line, "ok") || !strncmp(line, "Grbl", 4))
			break;
	}
	rc = drain_pending(h, GRBL_QUIET_MS, err);
	if (rc == 0)
		h->desync = 0;
	return rc;
}

static void grbl_close(struct tt_handle **hp)
{
	if (!hp || !*hp)
		return;
	serial_port_close(&(*hp)->sp);
	free(*hp);
	*hp = NULL;
}

static int grbl_open(const struct tt_params *p, struct tt_handle **out, struct pr_error *err)
{
	*out = NULL;
	double dpu = p->degrees_per_unit > 0 ? p->degrees_per_unit : 1.0;
	double feed = p->feed > 0 ? p->feed : 3600.0;
	char axis = p->axis ? (char)toupper((unsigned char)p->axis) : 'X';
	const char *dev = p->device ? p->device : "";
	if (!isfinite(dpu) || !isfinite(feed) || dpu > 1e6 || feed > 1e6)
		return pr_error_set(err, PR_EINVAL, "turntable %s: degrees_per_unit and feed must be "
				    "finite and at most 1e6", dev);
	if (!strchr("XYZABCUVW", axis))
		return pr_error_set(err, PR_EINVAL, "turntable %s: axis '%c' is not a G-code axis "
				    "(X Y Z A B C U V W)", dev, p->axis);
	struct tt_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return pr_error_set(err, PR_ENOMEM, "turntable %s: out of memory", dev);
	h->degrees_per_unit = dpu;
	h->feed = feed;
	h->axis = axis;
	h->timeout_ms = p->timeout_ms ? p->timeout_ms : TT_DEFAULT_TIMEOUT_MS;
	int rc = serial_port_open(&h->sp, dev, p->baud ? p->baud : 115200, err);
	if (rc) {
		free(h);
		return rc == SERIAL_EGONE ? TT_EGONE : rc;
	}
	/* The greeting of a board that reset when the port opened. */
	uint32_t wake = p->wake_ms ? p->wake_ms : TT_DEFAULT_WAKE_MS;
	int64_t deadline = serial_deadline(wake);
	char line[SERIAL_LINE_MAX];
	int greeted = 0;
	while (!greeted) {
		rc = serial_port_read_line(&h->sp, line, sizeof(line), deadline, err);
		if (rc == SERIAL_ETIMEOUT)
			break;
		if (rc < 0) {
			rc = map_serial(h, rc, err);
			grbl_close(&h);
			return rc;
		}
		greeted = !strncmp(line, "Grbl", 4);
	}
	/* A greeting may be followed by "[MSG:'$H'|'$X' to unlock]"; drain
	 * it. Without one, make contact. */
	rc = greeted ? drain_pending(h, GRBL_QUIET_MS, err) : grbl_handshake(h, err);
	if (rc) {
		grbl_close(&h);
		return rc;
	}
	*out = h;
	return 0;
}

static int grbl_rotate(struct tt_handle *h, double degrees, struct pr_error *err)
{
	if (!h || h->sp.fd < 0)
		return pr_error_set(err, TT_EGONE, "turntable is not open");
	if (!isfinite(degrees) || fabs(degrees) > 1e5)
		return pr_error_set(err, PR_EINVAL, "turntable %s: cannot turn by %g degrees",
				    h->sp.name, degrees);
	int rc = h->desync ? grbl_handshake(h, err) : drain_pending(h, 0, err);
	if (rc)
		return rc;
	double target = round((h->commanded_deg + degrees) / h->degrees_per_unit * 10000.0) / 10000.0;
	double delta = target - h->sent_units;
	char units[48];
	tt_format_number(units, sizeof(units), delta);
	if (!strcmp(units, "0")) {
		h->commanded_deg += degrees;
		return 0;
	}
	char g1[128];
	char feed[48];
	tt_format_number(feed, sizeof(feed), h->feed);
	snprintf(g1, sizeof(g1), "G1 %c%s F%s", h->axis, units, feed);
	if ((rc = grbl_command(h, "G91", err)) || (rc = grbl_command(h, g1, err)))
		return rc;
	/* The move is queued: whatever happens next, it was sent. */
	h->sent_units = target;
	h->commanded_deg += degrees;
	return grbl_command(h, "G4 P0", err);
}

static int grbl_position(struct tt_handle *h, double *degrees)
{
	if (!h)
		return PR_EINVAL;
	*degrees = h->commanded_deg;
	return 0;
}

const struct turntable_driver tt_grbl_driver = {
	.name = "grbl",
	.open = grbl_open,
	.rotate = grbl_rotate,
	.position = grbl_position,
	.close = grbl_close,
};
