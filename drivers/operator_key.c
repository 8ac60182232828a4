/* photorig drivers: the operator key (see operator_key.h). */
#define _GNU_SOURCE
#include "operator_key.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

int opkey_open(const char *path, int grab, struct pr_error *err)
{
	if (!path || !path[0])
		return pr_error_set(err, PR_EINVAL, "operator key: no key_device configured");
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return pr_error_set(err, pr_error_from_errno(e), "operator key %s: cannot open: %s%s",
				    path, strerror(e),
				    e == EACCES ? " (is the daemon's user in the input group?)" : "");
	}
	/* Event times on the monotonic clock: debouncing must not jump with
	 * the wall clock. Fails harmlessly on things that are not evdev. */
	int clk = CLOCK_MONOTONIC;
	(void)ioctl(fd, EVIOCSCLOCKID, &clk);
	if (grab && ioctl(fd, EVIOCGRAB, (void *)1) < 0 && errno == EBUSY) {
		close(fd);
		return pr_error_set(err, PR_EACCES, "operator key %s: another program has grabbed the "
				    "device", path);
	}
	return fd;
}

void opkey_init(struct opkey *k, int code, uint32_t debounce_ms)
{
	memset(k, 0, sizeof(*k));
	k->code = code;
	k->debounce_ms = debounce_ms ? debounce_ms : OPKEY_DEFAULT_DEBOUNCE_MS;
	k->last_press_ns = -1;
}

void opkey_set_debounce(struct opkey *k, uint32_t debounce_ms)
{
	k->debounce_ms = debounce_ms;
}

static int one_event(struct opkey *k, const struct input_event *ev)
{
	if (ev->type != EV_KEY || ev->code != k->code || ev->value != 1)
		return 0;
	int64_t sec = (int64_t)ev->input_event_sec, usec = (int64_t)ev->input_event_usec;
	int64_t t;
	/* A source without timestamps (zero, or nonsense) is judged by now. */
	if ((sec == 0 && usec == 0) || sec < 0 || sec > (int64_t)1 << 40 || usec < 0 ||
	    usec >= 1000000)
		t = pr_clock_ns(CLOCK_MONOTONIC);
	else
		t = sec * 1000000000 + usec * 1000;
	/* Time going backwards (another clock, a reset) starts afresh. */
	if (k->last_press_ns >= 0 && t >= k->last_press_ns &&
	    t - k->last_press_ns < (int64_t)k->debounce_ms * 1000000)
		return 0;
	k->last_press_ns = t;
	return 1;
}

int opkey_feed(struct opkey *k, const void *bytes, size_t n)
{
	const uint8_t *p = bytes;
	const size_t evsize = sizeof(struct input_event);
	int presses = 0;
	struct input_event ev;
	if (k->npartial) {
		size_t take = evsize - k->npartial;
		if (take > n)
			take = n;
		memcpy(k->partial + k->npartial, p, take);
		k->npartial += take;
		p += take;
		n -= take;
		if (k->npartial < evsize)
			return 0;
		memcpy(&ev, k->partial, evsize);
		k->npartial = 0;
		presses += one_event(k, &ev);
	}
	for (; n >= evsize; p += evsize, n -= evsize) {
		memcpy(&ev, p, evsize); /* the bytes need not be aligned */
		presses += one_event(k, &ev);
	}
	memcpy(k->partial, p, n);
	k->npartial = n;
	return presses;
}

int opkey_read(struct opkey *k, int fd, struct pr_error *err)
{
	uint8_t buf[64 * sizeof(struct input_event)];
	int presses = 0;
	/* Bounded: a device that never stops talking still yields to the
	 * loop after 64 reads; what is left stays readable. */
	for (int i = 0; i < 64; i++) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r > 0) {
			presses += opkey_feed(k, buf, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r == 0 || errno == ENODEV)
			return presses ? presses
				       : pr_error_set(err, PR_ENOENT, "operator key: the device "
						      "went away");
		return pr_error_set(err, PR_EIO, "operator key: read: %s", strerror(errno));
	}
	return presses;
}
