/* photorig drivers: `usbrelay`, the common USB HID relay boards.
 *
 * The one-to-eight channel boards sold everywhere as "USB relay" (V-USB
 * firmware on an ATtiny, HID vendor 0x16c0 product 0x05df, product string
 * "USBRelayN", a 5-character board id) take one 8-byte HID feature report
 * per command, report ID 0, through SET_REPORT on the control pipe:
 *     byte 0   0xFF channel on, 0xFD channel off (0xFE all on, 0xFC all off)
 *     byte 1   channel, 1..8
 *     2..7     0
 * (as the boards' firmware and the usbrelay project implement it). A relay
 * on a camera's remote-shutter cable is the button: relay channel_focus is
 * the half-press, channel_shutter the full press.
 *
 * The driver talks to the board only through struct trig_usb_ops (libusb in
 * trig_usb_libusb.c), so tests replace the board with a fake that records
 * each report and when it came.
 *
 * Every relay is switched off at open (a crashed run may have left one
 * closed) and at close, and a fire() that fails half-way still opens both
 * relays. The shutter stays closed pulse_ms from the moment its report was
 * accepted; the sleeps use absolute CLOCK_MONOTONIC deadlines, so an early
 * wake-up (signal) never shortens a pulse. */
#define _GNU_SOURCE
#include "trigger.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serial_port.h"

struct trig_handle {
	const struct trig_usb_ops *ops;
	struct trig_usb_dev *dev;
	struct trig_usb_info info;
	char name[64];            /* for messages: "USB relay QWERT (usb:1,7)" */
	int ch_focus;             /* 0 = none */
	int ch_shutter;
	uint32_t focus_ms, pulse_ms;
};

static int relay_set(struct trig_handle *h, int channel, int on, struct pr_error *err)
{
	uint8_t report[8] = { on ? TRIG_USBRELAY_ON : TRIG_USBRELAY_OFF, (uint8_t)channel };
	int rc = h->ops->set_feature(h->dev, 0, report, sizeof(report), err);
	if (rc && err) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		pr_error_set(err, rc, "%s: cannot switch relay %d %s: %s", h->name, channel,
			     on ? "on" : "off", why);
	}
	return rc;
}

/* Open every relay we use; the first error wins but all are tried. */
static int release_all(struct trig_handle *h, struct pr_error *err)
{
	int rc = relay_set(h, h->ch_shutter, 0, err);
	if (h->ch_focus) {
		int r2 = relay_set(h, h->ch_focus, 0, rc ? NULL : err);
		if (!rc)
			rc = r2;
	}
	return rc;
}

static void usbrelay_close(struct trig_handle **hp)
{
	if (!hp || !*hp)
		return;
	struct trig_handle *h = *hp;
	if (h->dev) {
		release_all(h, NULL);
		h->ops->close(h->dev);
	}
	free(h);
	*hp = NULL;
}

static int usbrelay_open(const struct trig_params *p, struct trig_handle **out,
			 struct pr_error *err)
{
	*out = NULL;
	const struct trig_usb_ops *ops = p->usb ? p->usb : trig_usb_libusb_ops;
	if (!ops)
		return pr_error_set(err, TRIG_ENOTCOMPILED, "trigger: driver 'usbrelay' is not "
				    "compiled in: rebuild photorig with -DPHOTORIG_WITH_USBRELAY=ON");
	int focus = p->no_focus ? 0 : p->channel_focus;
	if (p->channel_shutter < 1 || p->channel_shutter > 8 || focus < 0 || focus > 8)
		return pr_error_set(err, PR_EINVAL, "trigger: USB relay channels are 1..8 (shutter "
				    "%d, focus %d)", p->channel_shutter, focus);
	if (focus == p->channel_shutter)
		return pr_error_set(err, PR_EINVAL, "trigger: focus and shutter are both relay %d",
				    focus);
	struct trig_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return pr_error_set(err, PR_ENOMEM, "trigger: out of memory");
	h->ops = ops;
	h->ch_focus = focus;
	h->ch_shutter = p->channel_shutter;
	h->focus_ms = p->no_focus ? 0 : p->focus_ms ? p->focus_ms : TRIG_DEFAULT_FOCUS_MS;
	h->pulse_ms = p->pulse_ms ? p->pulse_ms : TRIG_DEFAULT_PULSE_MS;
	const char *match = p->device ? p->device : "";
	int rc = ops->open(ops->ctx, TRIG_USBRELAY_VID, TRIG_USBRELAY_PID, match, &h->dev, &h->info,
			   err);
	if (rc) {
		free(h);
		return rc;
	}
	h->info.product[sizeof(h->info.product) - 1] = 0;
	h->info.serial[sizeof(h->info.serial) - 1] = 0;
	h->info.path[sizeof(h->info.path) - 1] = 0;
	snprintf(h->name, sizeof(h->name), "USB relay %s (%s)", h->info.serial[0] ? h->info.serial : "?",
		 h->info.path[0] ? h->info.path : "?");
	int top = focus > h->ch_shutter ? focus : h->ch_shutter;
	if (h->info.channels > 0 && top > h->info.channels) {
		pr_error_set(err, PR_EINVAL, "%s: relay %d configured, but the board (%s) has %d",
			     h->name, top, h->info.product, h->info.channels);
		h->ops->close(h->dev);
		free(h);
		return PR_EINVAL;
	}
	if ((rc = release_all(h, err))) {
		usbrelay_close(&h);
		return rc;
	}
	*out = h;
	return 0;
}

static int usbrelay_fire(struct trig_handle *h, int64_t *fired_ns, struct pr_error *err)
{
	if (fired_ns)
		*fired_ns = 0;
	if (!h || !h->dev)
		return pr_error_set(err, TRIG_EGONE, "trigger is not open");
	int rc = 0;
	if (h->ch_focus) {
		rc = relay_set(h, h->ch_focus, 1, err);
		if (rc) {
			release_all(h, NULL);
			return rc;
		}
		serial_sleep_until(serial_deadline(h->focus_ms));
	}
	rc = relay_set(h, h->ch_shutter, 1, err);
	if (rc == 0) {
		int64_t closed = serial_now_ns();
		if (fired_ns)
			*fired_ns = pr_clock_ns(CLOCK_REALTIME);
		serial_sleep_until(closed + (int64_t)h->pulse_ms * 1000000);
	}
	/* Shutter first, then focus: the order a finger lets go. */
	int r2 = release_all(h, rc ? NULL : err);
	return rc ? rc : r2;
}

const struct trigger_driver trig_usbrelay_driver = {
	.name = "usbrelay",
	.open = usbrelay_open,
	.fire = usbrelay_fire,
	.close = usbrelay_close,
};
