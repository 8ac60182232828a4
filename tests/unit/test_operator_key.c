/* The operator key: evdev events written to a pipe (the fd the daemon's
 * epoll loop would own) count one press per key-down, none for release or
 * auto-repeat, none for other keys or event types; bounces within the
 * debounce time are ignored; events split across reads still count once. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "operator_key.h"

#define KEY 28 /* KEY_ENTER, the usual foot pedal */

static struct input_event ev(int type, int code, int value, int64_t ms)
{
	struct input_event e;
	memset(&e, 0, sizeof(e));
	e.input_event_sec = (time_t)(ms / 1000);
	e.input_event_usec = (suseconds_t)((ms % 1000) * 1000);
	e.type = (uint16_t)type;
	e.code = (uint16_t)code;
	e.value = value;
	return e;
}

/* One press as a keyboard reports it: scan code, key down, sync. */
static int put_press(struct input_event *out, int64_t ms)
{
	out[0] = ev(EV_MSC, MSC_SCAN, 0x70028, ms);
	out[1] = ev(EV_KEY, KEY, 1, ms);
	out[2] = ev(EV_SYN, SYN_REPORT, 0, ms);
	return 3;
}

static int put_release(struct input_event *out, int64_t ms)
{
	out[0] = ev(EV_KEY, KEY, 0, ms);
	out[1] = ev(EV_SYN, SYN_REPORT, 0, ms);
	return 2;
}

static void write_all(int fd, const void *buf, size_t n)
{
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
}

static void test_pipe_presses(void **state)
{
	(void)state;
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	/* The pipe stands in for /dev/input/by-id/...: opened as the daemon
	 * opens a device (grab is best-effort on a non-evdev fd). */
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd[0]);
	struct pr_error err;
	int fd = opkey_open(path, 1, &err);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	struct opkey k;
	opkey_init(&k, KEY, 200);

	/* Nothing yet. */
	assert_int_equal(opkey_read(&k, fd, &err), 0);

	struct input_event e[64];
	int n = 0;
	n += put_press(e + n, 1000);
	for (int i = 0; i < 5; i++) /* held: auto-repeat every 33 ms */
		e[n++] = ev(EV_KEY, KEY, 2, 1250 + 33 * i);
	n += put_release(e + n, 1500);
	e[n++] = ev(EV_KEY, 30, 1, 1600);     /* another key: not ours */
	e[n++] = ev(EV_REL, KEY, 1, 1700);    /* same code, other type */
	write_all(pfd[1], e, (size_t)n * sizeof(e[0]));
	assert_int_equal(opkey_read(&k, fd, &err), 1);

	/* A second and third press, well apart: two. */
	n = 0;
	n += put_press(e + n, 3000);
	n += put_release(e + n, 3100);
	n += put_press(e + n, 4000);
	n += put_release(e + n, 4100);
	write_all(pfd[1], e, (size_t)n * sizeof(e[0]));
	assert_int_equal(opkey_read(&k, fd, &err), 2);

	/* A worn switch bouncing: down/up/down within 200 ms is one press. */
	n = 0;
	n += put_press(e + n, 6000);
	n += put_release(e + n, 6020);
	n += put_press(e + n, 6050);
	n += put_release(e + n, 6120);
	n += put_press(e + n, 6199);
	n += put_release(e + n, 6300);
	n += put_press(e + n, 6400); /* 400 ms after the counted one: a press */
	write_all(pfd[1], e, (size_t)n * sizeof(e[0]));
	assert_int_equal(opkey_read(&k, fd, &err), 2);

	/* The writer goes away (unplugged): reported once nothing is left. */
	close(pfd[1]);
	assert_int_equal(opkey_read(&k, fd, &err), PR_ENOENT);
	close(fd);
	close(pfd[0]);
}

static void test_partial_reads(void **state)
{
	(void)state;
	struct opkey k;
	opkey_init(&k, KEY, 0); /* default debounce */
	assert_int_equal(k.debounce_ms, OPKEY_DEFAULT_DEBOUNCE_MS);
	struct input_event e[8];
	int n = put_press(e, 10000);
	n += put_release(e + n, 10100);
	n += put_press(e + n, 11000);
	const uint8_t *bytes = (const uint8_t *)e;
	size_t total = (size_t)n * sizeof(e[0]);
	/* Byte by byte, then in odd-sized pieces: the same two presses. */
	int presses = 0;
	for (size_t i = 0; i < total; i++)
		presses += opkey_feed(&k, bytes + i, 1);
	assert_int_equal(presses, 2);
	opkey_init(&k, KEY, 50);
	presses = 0;
	for (size_t off = 0; off < total;) {
		size_t step = 7 + off % 13;
		if (step > total - off)
			step = total - off;
		presses += opkey_feed(&k, bytes + off, step);
		off += step;
	}
	assert_int_equal(presses, 2);
	assert_int_equal(k.npartial, 0);

	/* Half an event is kept, not counted, until the rest comes. */
	opkey_init(&k, KEY, 50);
	struct input_event down = ev(EV_KEY, KEY, 1, 20000);
	assert_int_equal(opkey_feed(&k, &down, sizeof(down) / 2), 0);
	assert_int_equal(opkey_feed(&k, (const uint8_t *)&down + sizeof(down) / 2,
				    sizeof(down) - sizeof(down) / 2),
			 1);

	/* Garbage never crashes and never counts unless it is our key down. */
	uint8_t junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	opkey_init(&k, KEY, 50);
	assert_true(opkey_feed(&k, junk, sizeof(junk)) >= 0);

	/* No debounce: every key-down counts. */
	opkey_init(&k, KEY, 50);
	opkey_set_debounce(&k, 0);
	struct input_event two[2] = { ev(EV_KEY, KEY, 1, 30000), ev(EV_KEY, KEY, 1, 30001) };
	assert_int_equal(opkey_feed(&k, two, sizeof(two)), 2);
}

static void test_open_errors(void **state)
{
	(void)state;
	struct pr_error err;
	assert_int_equal(opkey_open("/nonexistent/input/event-kbd", 0, &err), PR_ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/input/event-kbd"));
	assert_int_equal(opkey_open("", 0, &err), PR_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_presses),
		cmocka_unit_test(test_partial_reads),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
