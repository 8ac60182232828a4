/* photorig drivers: the operator key.
 *
 * USB foot pedals and big buttons present themselves as keyboards. The
 * configured key on an input device (/dev/input/by-id/...-event-kbd) fires
 * a capture set, or pauses/resumes a scan: the action is the daemon's
 * business; this module only turns evdev events into counted presses.
 *
 * The daemon's epoll loop owns the fd: opkey_open() gives it, and when it
 * is readable the daemon calls opkey_read() (or read()s itself and passes
 * the bytes to opkey_feed()). A press counts once: on EV_KEY with value 1;
 * auto-repeat (value 2) and release (0) never count, and a press within
 * debounce_ms of the last counted one is a bounce of a worn switch, not a
 * second press. Times are the events' own timestamps (the kernel's clock,
 * set to CLOCK_MONOTONIC at open), so a burst read late is judged by when
 * the keys moved, not when we read them. Any byte stream is safe: events
 * arrive whole or in pieces (partial structs are kept for the next call). */
#ifndef PHOTORIG_OPERATOR_KEY_H
#define PHOTORIG_OPERATOR_KEY_H

#include <linux/input.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define OPKEY_DEFAULT_DEBOUNCE_MS 250u

struct opkey {
	int code;                 /* evdev key code (KEY_ENTER = 28, KEY_B = 48, ...) */
	uint32_t debounce_ms;
	int64_t last_press_ns;    /* event time of the last counted press; -1 = none */
	uint8_t partial[sizeof(struct input_event)];
	size_t npartial;
};

/* Open path O_RDONLY|O_NONBLOCK|O_CLOEXEC; with grab, take the device for
 * ourselves (EVIOCGRAB) so the pedal's Enter does not also type into a
 * terminal. Returns the fd (>= 0) or a negative PR_E* code. A path that is
 * not an input device (a pipe in tests) is accepted: grab and the clock
 * are best-effort. */
int opkey_open(const char *path, int grab, struct pr_error *err);

/* Reset the parser: count presses of code, debounced by debounce_ms
 * (0 = OPKEY_DEFAULT_DEBOUNCE_MS; use opkey_set_debounce for none). */
void opkey_init(struct opkey *k, int code, uint32_t debounce_ms);
void opkey_set_debounce(struct opkey *k, uint32_t debounce_ms);

/* Parse n bytes from the device: the number of presses they hold (>= 0). */
int opkey_feed(struct opkey *k, const void *bytes, size_t n);

/* Read everything the (non-blocking) fd has now and parse it: presses
 * (>= 0), or PR_ENOENT when the device went away (unplugged: EOF or
 * ENODEV; close the fd, reopen later), PR_EIO. */
int opkey_read(struct opkey *k, int fd, struct pr_error *err);

#endif
