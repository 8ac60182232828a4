/* photorig drivers: `serialbox`, ASCII serial trigger boxes.
 *
 * ESPER TriggerBox (firmware 1.2 and later; its published serial
 * instruction set): 115200 baud, one ASCII command per line ending in "\n".
 * Every command that prints no data answers "tenFour" and the box wants
 * that awaited before the next one; the one exception is "S" (fire), which
 * answers nothing. At open, in Simple Mode:
 *     m0          simple mode (not the sequencer)
 *     s111111     enable the shutter outputs (tt_params.outputs, 6 ports)
 *     f111111     enable the focus outputs
 *     b0100       bulb time: the box holds the shutter lines pulse_ms
 * and per shot:
 *     F1          assert focus on the enabled ports   -> tenFour
 *     (focus_ms)
 *     S           release the shutters for the bulb time (no reply)
 *     (pulse_ms)
 *     F0          de-assert focus                     -> tenFour
 * The box is an Arduino behind an FTDI chip and reboots when the port
 * opens; until its firmware runs, commands are lost. So "m0" is repeated
 * every 500 ms until it is answered (within timeout_ms + 2.5 s), then
 * extra answers to the repeats are drained before anything else is sent.
 *
 * Other boxes (TRIG_BOX_LINE): focus_cmd, fire_cmd and release_cmd are sent
 * as configured (focus and release may be empty), and each must be answered
 * by a line starting with ok_reply (when it is not empty).
 *
 * Replies are checked: a line other than the expected one is TRIG_EREPLY
 * with both quoted; silence is TRIG_ETIMEOUT. F0 / release_cmd is sent even
 * after a failed focus or shutter command, so no camera is left half-pressed. */
#define _GNU_SOURCE
#include "trigger.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serial_port.h"

#define ESPER_ACK "tenFour"
#define ESPER_BOOT_MS 2500u
#define ESPER_RETRY_MS 500u

struct trig_handle {
	struct serial_port sp;
	enum trig_box_protocol protocol;
	int focus;                /* 0: no focus step */
	uint32_t focus_ms, pulse_ms, timeout_ms;
	char focus_cmd[64], fire_cmd[64], release_cmd[64], ok_reply[64];
};

static int map_serial(int rc, struct pr_error *err)
{
	if (rc == SERIAL_ETIMEOUT)
		rc = TRIG_ETIMEOUT;
	else if (rc == SERIAL_EGONE)
		rc = TRIG_EGONE;
	if (err)
		err->code = rc;
	return rc;
}

/* What a message quotes: the command without its line end. */
static void shown(char *out, size_t cap, const char *cmd)
{
	snprintf(out, cap, "%.*s", (int)strcspn(cmd, "\r\n"), cmd);
}

/* Send cmd and check the next line starts with expect ("" = no reply
 * awaited). */
static int box_command(struct trig_handle *h, const char *cmd, const char *expect,
		       struct pr_error *err)
{
	char what[64];
	shown(what, sizeof(what), cmd);
	int64_t deadline = serial_deadline(h->timeout_ms);
	int rc = serial_port_write_str(&h->sp, cmd, deadline, err);
	if (rc)
		return map_serial(rc, err);
	if (!expect[0])
		return 0;
	char line[SERIAL_LINE_MAX];
	rc = serial_port_read_line(&h->sp, line, sizeof(line), deadline, err);
	if (rc == SERIAL_ETIMEOUT)
		return pr_error_set(err, TRIG_ETIMEOUT, "trigger box %s: no answer to \"%s\" within "
				    "%u ms", h->sp.name, what, h->timeout_ms);
	if (rc < 0)
		return map_serial(rc, err);
	if (strncmp(line, expect, strlen(expect)))
		return pr_error_set(err, TRIG_EREPLY, "trigger box %s: \"%s\" was answered \"%s\", "
				    "expected \"%s\"", h->sp.name, what, line, expect);
	return 0;
}

/* Lines that arrive until deadline are dropped. */
static void drain_until(struct trig_handle *h, int64_t deadline)
{
	char line[SERIAL_LINE_MAX];
	while (serial_port_read_line(&h->sp, line, sizeof(line), deadline, NULL) >= 0)
		;
}

static int esper_setup(struct trig_handle *h, const char *outputs, struct pr_error *err)
{
	int64_t limit = serial_deadline(h->timeout_ms + ESPER_BOOT_MS);
	int tries = 0;
	char line[SERIAL_LINE_MAX];
	for (int acked = 0; !acked;) {
		if (serial_now_ns() >= limit)
			return pr_error_set(err, TRIG_ETIMEOUT, "trigger box %s: no \"" ESPER_ACK "\" "
					    "from an ESPER TriggerBox within %u ms (switch on blue "
					    "mode? right port?)", h->sp.name,
					    h->timeout_ms + ESPER_BOOT_MS);
		int rc = serial_port_write_str(&h->sp, "m0\n", limit, err);
		if (rc)
			return map_serial(rc, err);
		tries++;
		int64_t retry = serial_deadline(ESPER_RETRY_MS);
		while (!acked) {
			rc = serial_port_read_line(&h->sp, line, sizeof(line),
						   retry < limit ? retry : limit, err);
			if (rc == SERIAL_ETIMEOUT)
				break;
			if (rc < 0)
				return map_serial(rc, err);
			/* Anything else is boot noise. */
			acked = !strcmp(line, ESPER_ACK);
		}
	}
	if (tries > 1)
		drain_until(h, serial_deadline(ESPER_RETRY_MS));
	char cmd[32];
	int rc;
	snprintf(cmd, sizeof(cmd), "s%s\n", outputs);
	if ((rc = box_command(h, cmd, ESPER_ACK, err)))
		return rc;
	snprintf(cmd, sizeof(cmd), "f%s\n", outputs);
	if ((rc = box_command(h, cmd, ESPER_ACK, err)))
		return rc;
	snprintf(cmd, sizeof(cmd), "b%04u\n", h->pulse_ms);
	return box_command(h, cmd, ESPER_ACK, err);
}

static int copy_cmd(char *dst, size_t cap, const char *src, const char *what,
		    struct pr_error *err)
{
	if (!src)
		src = "";
	if (strlen(src) >= cap)
		return pr_error_set(err, PR_EINVAL, "trigger box: %s is longer than %zu characters",
				    what, cap - 1);
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static void box_close(struct trig_handle **hp)
{
	if (!hp || !*hp)
		return;
	struct trig_handle *h = *hp;
	if (h->sp.fd >= 0 && h->focus) {
		/* Leave no camera half-pressed; no reply awaited. */
		const char *rel = h->protocol == TRIG_BOX_ESPER ? "F0\n" : h->release_cmd;
		if (rel[0])
			serial_port_write_str(&h->sp, rel, serial_deadline(200), NULL);
	}
	serial_port_close(&h->sp);
	free(h);
	*hp = NULL;
}

static int box_open(const struct trig_params *p, struct trig_handle **out, struct pr_error *err)
{
	*out = NULL;
	const char *outputs = p->outputs && p->outputs[0] ? p->outputs : "111111";
	if (p->protocol == TRIG_BOX_ESPER &&
	    (strlen(outputs) != 6 || strspn(outputs, "01") != 6))
		return pr_error_set(err, PR_EINVAL, "trigger box: outputs \"%s\" must be six 0/1 "
				    "flags, one per port", outputs);
	if (p->protocol == TRIG_BOX_LINE && (!p->fire_cmd || !p->fire_cmd[0]))
		return pr_error_set(err, PR_EINVAL, "trigger box: the line form needs fire_cmd");
	if (p->protocol != TRIG_BOX_ESPER && p->protocol != TRIG_BOX_LINE)
		return pr_error_set(err, PR_EINVAL, "trigger box: unknown protocol %d", p->protocol);
	struct trig_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return pr_error_set(err, PR_ENOMEM, "trigger box: out of memory");
	h->sp.fd = -1;
	h->protocol = p->protocol;
	h->pulse_ms = p->pulse_ms ? p->pulse_ms : TRIG_DEFAULT_PULSE_MS;
	h->timeout_ms = p->timeout_ms ? p->timeout_ms : TRIG_DEFAULT_TIMEOUT_MS;
	h->focus_ms = p->no_focus ? 0 : p->focus_ms ? p->focus_ms : TRIG_DEFAULT_FOCUS_MS;
	int rc = 0;
	if (p->protocol == TRIG_BOX_ESPER) {
		h->focus = !p->no_focus;
		if (h->pulse_ms > 30000)
			rc = pr_error_set(err, PR_EINVAL, "trigger box: the TriggerBox takes pulses "
					  "up to 30000 ms, not %u", h->pulse_ms);
	} else {
		rc = copy_cmd(h->focus_cmd, sizeof(h->focus_cmd), p->focus_cmd, "focus_cmd", err);
		if (!rc)
			rc = copy_cmd(h->fire_cmd, sizeof(h->fire_cmd), p->fire_cmd, "fire_cmd", err);
		if (!rc)
			rc = copy_cmd(h->release_cmd, sizeof(h->release_cmd), p->release_cmd,
				      "release_cmd", err);
		if (!rc)
			rc = copy_cmd(h->ok_reply, sizeof(h->ok_reply), p->ok_reply, "ok_reply", err);
		h->focus = !p->no_focus && h->focus_cmd[0];
	}
	if (!rc)
		rc = serial_port_open(&h->sp, p->device, p->baud ? p->baud : 115200, err);
	if (!rc && p->protocol == TRIG_BOX_ESPER)
		rc = esper_setup(h, outputs, err);
	if (rc) {
		box_close(&h);
		return rc;
	}
	*out = h;
	return 0;
}

static int box_fire(struct trig_handle *h, int64_t *fired_ns, struct pr_error *err)
{
	if (fired_ns)
		*fired_ns = 0;
	if (!h || h->sp.fd < 0)
		return pr_error_set(err, TRIG_EGONE, "trigger box is not open");
	int esper = h->protocol == TRIG_BOX_ESPER;
	const char *ack = esper ? ESPER_ACK : h->ok_reply;
	/* A reply to an earlier, timed-out command must not answer this one. */
	serial_port_discard_input(&h->sp);
	int rc = 0;
	if (h->focus) {
		rc = box_command(h, esper ? "F1\n" : h->focus_cmd, ack, err);
		if (rc == 0)
			serial_sleep_until(serial_deadline(h->focus_ms));
	}
	if (rc == 0) {
		/* The TriggerBox answers S with nothing. */
		rc = box_command(h, esper ? "S\n" : h->fire_cmd, esper ? "" : ack, err);
		int64_t closed = serial_now_ns();
		if (rc == 0 && fired_ns)
			*fired_ns = pr_clock_ns(CLOCK_REALTIME);
		/* The box itself holds the shutter pulse_ms; wait it out so
		 * focus is released after the shutter, not during it. */
		if (rc == 0)
			drain_until(h, closed + (int64_t)h->pulse_ms * 1000000);
	}
	const char *rel = esper ? (h->focus ? "F0\n" : "") : h->release_cmd;
	if (rel[0]) {
		int r2 = box_command(h, rel, ack, rc ? NULL : err);
		if (!rc)
			rc = r2;
	}
	return rc;
}

const struct trigger_driver trig_serialbox_driver = {
	.name = "serialbox",
	.open = box_open,
	.fire = box_fire,
	.close = box_close,
};
