/* photorig drivers: the turntable driver interface.
 *
 * Like the cameras (camera.h), a turntable driver is one const table over
 * an opaque handle, one per file: tt_grbl.c (G-code controllers), tt_line.c
 * (a configurable line protocol) and tt_sim.c (no device). Nothing here
 * knows the config file: the daemon maps [turntable] onto struct tt_params.
 *
 * Calls block: rotate() returns when the motion is done, failed, or the
 * timeout passed. The daemon calls a handle from one thread (a worker, so
 * its epoll loop stays free); a handle is not shared between threads.
 *
 * Return values: 0, or a negative code. Recoverable states have their own
 * codes (TT_E*): the scan pauses with the message and the operator can
 * resume; anything else is a PR_E* code from core/base/error.h. Every error
 * fills a struct pr_error with a sentence naming the device and quoting the
 * controller's reply. */
#ifndef PHOTORIG_TURNTABLE_H
#define PHOTORIG_TURNTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum tt_errcode {
	TT_EBUSY = -30,       /* the controller is busy or locked (GRBL error:9, door open): retry later */
	TT_ETIMEOUT = -31,    /* no reply / motion not done within timeout_ms */
	TT_EALARM = -32,      /* the controller raised an alarm (GRBL ALARM:N): position may be lost */
	TT_EREFUSED = -33,    /* the controller refused a command (GRBL error:N, line error_reply) */
	TT_EGONE = -34,       /* the port went away (unplugged): re-open */
};

/* "turntable timed out", ... or pr_strerror for PR_E* codes. */
const char *tt_strerror(int code);

#define TT_DEFAULT_TIMEOUT_MS 30000u
#define TT_DEFAULT_WAKE_MS 2500u
#define TT_DEFAULT_SIM_MS_PER_DEGREE 2.0

/* What a driver needs. Strings may be NULL or "" when not given; borrowed
 * (valid only during open()). Zero means "the default" for every number. */
struct tt_params {
	const char *device;        /* grbl, line: serial port */
	int baud;                  /* 0 = 115200 */
	double degrees_per_unit;   /* grbl, line {units}: degrees per axis unit; 0 = 1 */
	double feed;               /* grbl: G1 feed, axis units per minute; 0 = 3600 */
	char axis;                 /* grbl: axis letter of the table; 0 = 'X' (stock GRBL has X, Y, Z only) */
	uint32_t wake_ms;          /* grbl: wait for the greeting at open; 0 = TT_DEFAULT_WAKE_MS */
	const char *rotate_cmd;    /* line: template with {degrees} and {units}, e.g. "R {degrees}\n" */
	const char *done_reply;    /* line: a reply starting with this means the move is done */
	const char *error_reply;   /* line: a reply starting with this means it failed ("" = none) */
	uint32_t timeout_ms;       /* longest wait for one reply, motion included; 0 = TT_DEFAULT_TIMEOUT_MS */
	double sim_ms_per_degree;  /* sim: time per degree turned; 0 = TT_DEFAULT_SIM_MS_PER_DEGREE, <0 = instant */
};

struct tt_handle;

struct turntable_driver {
	const char *name;
	/* Open the port and make contact with the controller. */
	int (*open)(const struct tt_params *params, struct tt_handle **out, struct pr_error *err);
	/* Turn by degrees (relative; negative turns back) and return once the
	 * motion is done. */
	int (*rotate)(struct tt_handle *h, double degrees, struct pr_error *err);
	/* Optional (may be NULL): the angle the table was commanded to since
	 * open, in degrees (not wrapped). */
	int (*position)(struct tt_handle *h, double *degrees);
	/* Release the port; *h becomes NULL, so closing twice is safe. */
	void (*close)(struct tt_handle **h);
};

extern const struct turntable_driver tt_sim_driver;
extern const struct turntable_driver tt_grbl_driver;
extern const struct turntable_driver tt_line_driver;

/* The driver called name ("sim", "grbl", "line"), or NULL. */
const struct turntable_driver *tt_driver_find(const char *name);

/* Shared by the drivers. */

/* A number as a controller reads it: fixed point, at most 4 decimals,
 * trailing zeros dropped ("30", "7.5", "-0.25"). */
void tt_format_number(char *buf, size_t cap, double v);

/* Expand {degrees} and {units} in tmpl into out. PR_EINVAL (message names
 * the template) for another {name}, an unclosed brace, or no room. */
int tt_expand_template(const char *tmpl, double degrees, double units, char *out, size_t cap,
		       struct pr_error *err);

/* Check a template without expanding it for real. */
int tt_check_template(const char *tmpl, struct pr_error *err);

#endif
