/* photorigd: the operator key.
 *
 * A USB foot pedal or big button is a keyboard: [trigger] key_device names
 * its evdev node (/dev/input/by-id/...-event-kbd), key_code the key. Its fd
 * sits in the epoll loop; drivers/operator_key.c turns the events into
 * presses (a press is EV_KEY value 1; release and auto-repeat never count;
 * bounces within the debounce time are one press). Each press fires one
 * capture set (key_action = capture), or pauses / resumes the scan
 * (key_action = pause).
 *
 * A pedal that is missing at start-up or unplugged later is not an error
 * of the daemon: it is logged, and the key is looked for again once a
 * second, so plugging it back in works without a restart. */
#define _GNU_SOURCE
#include "key.h"

#include "daemon.h"
#include "capture.h"
#include "loop.h"
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "operator_key.h"

struct opkey_state {
	struct opkey k;
	int64_t presses;
};

int opkey_setup(struct daemon *d)
{
	const struct pr_trigger_config *tc = &d->cfg.trigger;
	if (!tc->key_device[0] || d->key_fd >= 0)
		return 0;
	struct pr_error err = { 0 };
	if (!d->key && !(d->key = calloc(1, sizeof(*d->key))))
		return PR_ENOMEM;
	/* grab: the pedal's Enter must not also type into a terminal */
	int fd = opkey_open(tc->key_device, 1, &err);
	if (fd < 0) {
		LOG_RATELIMITED(PR_LOG_WARNING, "operator key %s: %s", tc->key_device, err.msg);
		return fd;
	}
	if (loop_add_fd(d, fd, TAG_KEY)) {
		LOG_ERR("operator key %s: cannot watch it", tc->key_device);
		close(fd);
		return PR_EIO;
	}
	d->key_fd = fd;
	opkey_init(&d->key->k, tc->key_code, 0);
	LOG_INFO("operator key %s: key %d %s", tc->key_device, tc->key_code,
		 tc->key_action == PR_KEY_PAUSE ? "pauses and resumes the scan" : "captures a set");
	return 0;
}

static void key_close(struct daemon *d)
{
	if (d->key_fd < 0)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->key_fd, NULL);
	close(d->key_fd);
	d->key_fd = -1;
}

void opkey_on_event(struct daemon *d)
{
	struct pr_error err = { 0 };
	int n = opkey_read(&d->key->k, d->key_fd, &err);
	if (n < 0) {
		LOG_WARN("operator key %s: %s (it is opened again when it returns)",
			 d->cfg.trigger.key_device, n == PR_ENOENT ? "gone" : err.msg);
		key_close(d);
		return;
	}
	for (int i = 0; i < n; i++) {
		d->key->presses++;
		if (d->cfg.trigger.key_action == PR_KEY_PAUSE)
			scan_toggle_pause(d, "the operator key");
		else
			capture_local(d, "operator key");
	}
}

/* The 100 ms tick: a missing key is looked for again once a second. */
void opkey_tick(struct daemon *d)
{
	static int64_t last;
	int64_t now = mono_ns();
	if (d->key_fd >= 0 || !d->cfg.trigger.key_device[0] || now - last < 1000000000LL)
		return;
	last = now;
	opkey_setup(d);
}

void opkey_shutdown(struct daemon *d)
{
	key_close(d);
	free(d->key);
	d->key = NULL;
}
