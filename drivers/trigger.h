/* photorig drivers: the hardware trigger interface.
 *
 * A wired trigger closes the cameras' remote-shutter contacts, which is the
 * only way to sub-millisecond sync across many bodies. A trigger driver is
 * one const table over an opaque handle, one per file: trig_usbrelay.c (USB
 * HID relay boards) and trig_serialbox.c (ASCII serial trigger boxes). The
 * daemon maps [trigger] onto struct trig_params.
 *
 * fire() is the whole shot: focus (half-press) first, focus_ms later the
 * shutter for pulse_ms, then both released. It blocks for about
 * focus_ms + pulse_ms, so the daemon calls it from a worker thread, and it
 * always tries to release both lines, even after an error, so a failed
 * shot never leaves cameras half-pressed (a camera with its focus line held
 * ignores USB).
 *
 * Return values: 0, or a negative code: TRIG_E* for recoverable states,
 * PR_E* otherwise, with a sentence in struct pr_error naming the device. */
#ifndef PHOTORIG_TRIGGER_H
#define PHOTORIG_TRIGGER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum trig_errcode {
	TRIG_EBUSY = -40,        /* the device is held by another program: retry or free it */
	TRIG_ETIMEOUT = -41,     /* no reply within timeout_ms */
	TRIG_EGONE = -42,        /* unplugged or port closed: re-open */
	TRIG_EREPLY = -43,       /* the box answered something else than expected */
	TRIG_ENOTCOMPILED = -44, /* this photorig was built without the driver */
};

const char *trig_strerror(int code);

#define TRIG_DEFAULT_FOCUS_MS 100u
#define TRIG_DEFAULT_PULSE_MS 100u
#define TRIG_DEFAULT_TIMEOUT_MS 2000u

/* usbrelay: the seam between the driver and libusb, so tests can replace
 * the device. One opened board. */
struct trig_usb_dev;

struct trig_usb_info {
	char product[32];         /* "USBRelay2" */
	char serial[16];          /* the board's 5-character id, from its feature report */
	char path[32];            /* "usb:BUS,DEV" */
	int channels;             /* from the product name; 0 = unknown */
};

struct trig_usb_ops {
	/* Open the first HID device vid:pid that matches `match` ("" = any;
	 * a board serial such as "QWERT"; or "usb:BUS,DEV"), claim it and
	 * fill info. 0, PR_ENOENT (none), TRIG_EBUSY, PR_EACCES, PR_EIO. */
	int (*open)(void *ctx, uint16_t vid, uint16_t pid, const char *match,
		    struct trig_usb_dev **dev, struct trig_usb_info *info, struct pr_error *err);
	/* HID SET_REPORT, feature report `report_id`, len bytes. 0, TRIG_EGONE, PR_EIO. */
	int (*set_feature)(struct trig_usb_dev *dev, uint8_t report_id, const uint8_t *data,
			   size_t len, struct pr_error *err);
	void (*close)(struct trig_usb_dev *dev);
	void *ctx;                /* passed to open (tests keep their fake here) */
};

/* The real seam (libusb-1.0), or NULL when built without usbrelay. */
extern const struct trig_usb_ops *const trig_usb_libusb_ops;

#define TRIG_USBRELAY_VID 0x16c0
#define TRIG_USBRELAY_PID 0x05df
#define TRIG_USBRELAY_ON 0xff      /* byte 0 of the report: one channel on */
#define TRIG_USBRELAY_OFF 0xfd     /* one channel off */
#define TRIG_USBRELAY_ALL_ON 0xfe
#define TRIG_USBRELAY_ALL_OFF 0xfc

enum trig_box_protocol {
	TRIG_BOX_ESPER = 0,       /* ESPER TriggerBox (firmware 1.2+), 115200 baud */
	TRIG_BOX_LINE,            /* configured command lines */
};

/* Strings may be NULL or ""; borrowed (valid only during open()). Zero
 * means "the default" for every number. */
struct trig_params {
	const char *device;        /* serialbox: serial port; usbrelay: board serial or usb:BUS,DEV ("" = first board) */
	int channel_focus;         /* usbrelay: relay of the half-press, 1..8; 0 = none */
	int channel_shutter;       /* usbrelay: relay of the shutter, 1..8 */
	uint32_t focus_ms;         /* focus lead before the shutter; 0 = TRIG_DEFAULT_FOCUS_MS */
	int no_focus;              /* 1: skip focus entirely (no lead time either) */
	uint32_t pulse_ms;         /* shutter closed this long; 0 = TRIG_DEFAULT_PULSE_MS */
	uint32_t timeout_ms;       /* serialbox: longest wait for a reply; 0 = TRIG_DEFAULT_TIMEOUT_MS */
	/* serialbox */
	int baud;                  /* 0 = 115200 */
	enum trig_box_protocol protocol;
	const char *outputs;       /* esper: enabled ports, "111111" (default) .. "000001" */
	const char *focus_cmd;     /* line: e.g. "F1\n" ("" = no focus step) */
	const char *fire_cmd;      /* line: e.g. "S\n" */
	const char *release_cmd;   /* line: e.g. "F0\n" */
	const char *ok_reply;      /* line: the reply each command must get ("" = none awaited) */
	/* usbrelay */
	const struct trig_usb_ops *usb; /* NULL = trig_usb_libusb_ops */
};

struct trig_handle;

struct trigger_driver {
	const char *name;
	int (*open)(const struct trig_params *params, struct trig_handle **out, struct pr_error *err);
	/* Focus, shutter pulse, release. *fired_ns (may be NULL) gets the
	 * CLOCK_REALTIME instant the shutter closed, for matching files to
	 * the set. */
	int (*fire)(struct trig_handle *h, int64_t *fired_ns, struct pr_error *err);
	/* Releases every line; *h becomes NULL, so closing twice is safe. */
	void (*close)(struct trig_handle **h);
};

extern const struct trigger_driver trig_usbrelay_driver;
extern const struct trigger_driver trig_serialbox_driver;

/* The driver called name ("usbrelay", "serialbox"), or NULL. */
const struct trigger_driver *trig_driver_find(const char *name);


#endif
