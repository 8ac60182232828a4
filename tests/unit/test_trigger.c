/* Hardware triggers: the USB relay driver through its libusb seam (the
 * exact HID reports for focus, fire and release, in order, with the pulse
 * width kept), and the serial trigger box driver against simulated boxes on
 * real pseudo-terminals (the exact bytes, replies checked, a wrong or
 * missing reply an error). Every wait is bounded. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pty_sim.h"
#include "serial_port.h"
#include "trigbox_sim.h"
#include "trigger.h"

/* ---- a fake relay board behind the seam ---- */

#define FAKE_MAX 32

struct fake_board {
	uint8_t reports[FAKE_MAX][8];
	uint8_t report_id[FAKE_MAX];
	size_t len[FAKE_MAX];
	int64_t when[FAKE_MAX];
	int n;
	int fail_at;              /* 1-based report that fails; 0 = none */
	int opened, closed;
	char match[32];
};

struct trig_usb_dev {
	struct fake_board *b;
};

static int fake_open(void *ctx, uint16_t vid, uint16_t pid, const char *match,
		     struct trig_usb_dev **dev, struct trig_usb_info *info, struct pr_error *err)
{
	struct fake_board *b = ctx;
	if (vid != 0x16c0 || pid != 0x05df)
		return pr_error_set(err, PR_ENOENT, "wrong vid:pid %04x:%04x", vid, pid);
	snprintf(b->match, sizeof(b->match), "%s", match);
	static struct trig_usb_dev d;
	d.b = b;
	*dev = &d;
	memset(info, 0, sizeof(*info));
	snprintf(info->product, sizeof(info->product), "USBRelay2");
	snprintf(info->serial, sizeof(info->serial), "ABCDE");
	snprintf(info->path, sizeof(info->path), "usb:1,7");
	info->channels = 2;
	b->opened++;
	return 0;
}

static int fake_set_feature(struct trig_usb_dev *dev, uint8_t report_id, const uint8_t *data,
			    size_t len, struct pr_error *err)
{
	struct fake_board *b = dev->b;
	if (b->n >= FAKE_MAX)
		return pr_error_set(err, PR_EIO, "fake: too many reports");
	int i = b->n++;
	memset(b->reports[i], 0xaa, 8);
	memcpy(b->reports[i], data, len < 8 ? len : 8);
	b->len[i] = len;
	b->report_id[i] = report_id;
	b->when[i] = serial_now_ns();
	if (b->fail_at == b->n)
		return pr_error_set(err, PR_EIO, "fake: transfer failed");
	return 0;
}

static void fake_close(struct trig_usb_dev *dev)
{
	dev->b->closed++;
}

static void expect_report(const struct fake_board *b, int i, uint8_t cmd, uint8_t ch)
{
	const uint8_t want[8] = { cmd, ch, 0, 0, 0, 0, 0, 0 };
	assert_true(i < b->n);
	assert_int_equal(b->len[i], 8);
	assert_int_equal(b->report_id[i], 0);
	assert_memory_equal(b->reports[i], want, 8);
}

static void test_usbrelay_reports(void **state)
{
	(void)state;
	struct fake_board b = { 0 };
	struct trig_usb_ops ops = { fake_open, fake_set_feature, fake_close, &b };
	struct trig_params p = { .device = "ABCDE", .channel_focus = 1, .channel_shutter = 2,
				 .focus_ms = 30, .pulse_ms = 80, .usb = &ops };
	struct trig_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_ptr_equal(trig_driver_find("usbrelay"), &trig_usbrelay_driver);
	assert_int_equal(trig_usbrelay_driver.open(&p, &h, &err), 0);
	assert_string_equal(b.match, "ABCDE");
	/* Open leaves both relays open, whatever a crashed run left. */
	assert_int_equal(b.n, 2);
	expect_report(&b, 0, 0xfd, 2);
	expect_report(&b, 1, 0xfd, 1);

	b.n = 0;
	int64_t fired = 0;
	assert_int_equal(trig_usbrelay_driver.fire(h, &fired, &err), 0);
	assert_true(fired > 0);
	assert_int_equal(b.n, 4);
	expect_report(&b, 0, 0xff, 1); /* focus: half-press */
	expect_report(&b, 1, 0xff, 2); /* shutter */
	expect_report(&b, 2, 0xfd, 2); /* shutter released */
	expect_report(&b, 3, 0xfd, 1); /* focus released */
	double lead = (double)(b.when[1] - b.when[0]) / 1e6;
	double pulse = (double)(b.when[2] - b.when[1]) / 1e6;
	assert_true(lead >= 30 && lead < 30 + 1000);
	assert_true(pulse >= 80 && pulse < 80 + 1000);

	b.n = 0;
	trig_usbrelay_driver.close(&h);
	assert_null(h);
	trig_usbrelay_driver.close(&h);
	assert_int_equal(b.closed, 1);
	expect_report(&b, 0, 0xfd, 2);
	expect_report(&b, 1, 0xfd, 1);
}

static void test_usbrelay_failures_release(void **state)
{
	(void)state;
	struct fake_board b = { 0 };
	struct trig_usb_ops ops = { fake_open, fake_set_feature, fake_close, &b };
	struct trig_params p = { .channel_focus = 1, .channel_shutter = 2, .focus_ms = 1,
				 .pulse_ms = 1, .usb = &ops };
	struct trig_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_int_equal(trig_usbrelay_driver.open(&p, &h, &err), 0);
	/* The shutter report fails: an error naming the relay, and both
	 * relays are still switched off. */
	b.n = 0;
	b.fail_at = 2;
	int rc = trig_usbrelay_driver.fire(h, NULL, &err);
	assert_int_equal(rc, PR_EIO);
	assert_non_null(strstr(err.msg, "USB relay ABCDE (usb:1,7)"));
	assert_non_null(strstr(err.msg, "relay 2 on"));
	assert_int_equal(b.n, 4);
	expect_report(&b, 2, 0xfd, 2);
	expect_report(&b, 3, 0xfd, 1);
	b.fail_at = 0;
	trig_usbrelay_driver.close(&h);

	/* No focus channel: shutter only. */
	p.channel_focus = 0;
	b.n = 0;
	assert_int_equal(trig_usbrelay_driver.open(&p, &h, &err), 0);
	b.n = 0;
	assert_int_equal(trig_usbrelay_driver.fire(h, NULL, &err), 0);
	assert_int_equal(b.n, 2);
	expect_report(&b, 0, 0xff, 2);
	expect_report(&b, 1, 0xfd, 2);
	trig_usbrelay_driver.close(&h);

	/* A relay the board does not have, or the same relay twice. */
	p.channel_shutter = 3;
	assert_int_equal(trig_usbrelay_driver.open(&p, &h, &err), PR_EINVAL);
	assert_non_null(strstr(err.msg, "USBRelay2"));
	p.channel_shutter = 9;
	assert_int_equal(trig_usbrelay_driver.open(&p, &h, &err), PR_EINVAL);
	p.channel_shutter = 1;
	p.channel_focus = 1;
	assert_int_equal(trig_usbrelay_driver.open(&p, &h, &err), PR_EINVAL);
	assert_null(h);

	/* The real libusb seam, with no board on this machine: a clear error,
	 * never a crash. */
	if (trig_usb_libusb_ops) {
		struct trig_params real = { .channel_shutter = 1, .pulse_ms = 1 };
		rc = trig_usbrelay_driver.open(&real, &h, &err);
		assert_true(rc < 0);
		assert_true(err.msg[0] != 0);
		assert_null(h);
	}
}

/* ---- serial trigger boxes ---- */

static char *lines_of(struct trigbox_sim *t, int64_t *when, int *n)
{
	static char lines[TRIGBOX_SIM_MAX_LINES][32];
	*n = trigbox_sim_lines(t, lines, when, TRIGBOX_SIM_MAX_LINES);
	return &lines[0][0];
}

static void test_esper_exact_bytes(void **state)
{
	(void)state;
	struct trigbox_sim *t = NULL;
	assert_int_equal(trigbox_sim_start(&t, NULL), 0);
	struct trig_params p = { .device = trigbox_sim_path(t), .protocol = TRIG_BOX_ESPER,
				 .focus_ms = 30, .pulse_ms = 100, .timeout_ms = 500 };
	struct trig_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_ptr_equal(trig_driver_find("serialbox"), &trig_serialbox_driver);
	if (trig_serialbox_driver.open(&p, &h, &err))
		fail_msg("open: %s", err.msg);
	char *got = trigbox_sim_transcript(t);
	assert_string_equal(got, "m0\ns111111\nf111111\nb0100\n");
	free(got);

	trigbox_sim_clear(t);
	int64_t fired = 0, called = pty_sim_now_ns();
	if (trig_serialbox_driver.fire(h, &fired, &err))
		fail_msg("fire: %s", err.msg);
	assert_true(fired > 0);
	got = trigbox_sim_transcript(t);
	assert_string_equal(got, "F1\nS\nF0\n");
	free(got);
	int64_t when[TRIGBOX_SIM_MAX_LINES];
	int n;
	lines_of(t, when, &n);
	assert_int_equal(n, 3);
	/* The simulator stamps a line when it reads it, which a loaded machine
	 * can delay, so the gaps are measured from the call: S cannot come
	 * before focus_ms after it, nor F0 before focus_ms + pulse_ms. */
	double s_at = (double)(when[1] - called) / 1e6, f0_at = (double)(when[2] - called) / 1e6;
	assert_true(s_at >= 30 && s_at < 30 + 1000);
	assert_true(f0_at >= 30 + 100 && f0_at < 30 + 100 + 1000);

	/* A wrong reply is an error quoting both; focus is still released. */
	trigbox_sim_clear(t);
	trigbox_sim_wrong_reply(t, "F1", "huh?");
	int rc = trig_serialbox_driver.fire(h, NULL, &err);
	assert_int_equal(rc, TRIG_EREPLY);
	assert_non_null(strstr(err.msg, "\"F1\" was answered \"huh?\", expected \"tenFour\""));
	assert_non_null(strstr(err.msg, trigbox_sim_path(t)));
	got = trigbox_sim_transcript(t);
	assert_string_equal(got, "F1\nF0\n");
	free(got);
	trigbox_sim_wrong_reply(t, NULL, NULL);

	/* Silence: a timeout within the budget. */
	trigbox_sim_mute(t, 1);
	int64_t t0 = serial_now_ns();
	rc = trig_serialbox_driver.fire(h, NULL, &err);
	double ms = (double)(serial_now_ns() - t0) / 1e6;
	assert_int_equal(rc, TRIG_ETIMEOUT);
	assert_non_null(strstr(err.msg, "no answer to \"F1\" within 500 ms"));
	assert_true(ms >= 495 && ms < 2 * 500 + 1000); /* F1, then the F0 attempt */
	trigbox_sim_mute(t, 0);
	if (trig_serialbox_driver.fire(h, NULL, &err))
		fail_msg("after recovery: %s", err.msg);
	trig_serialbox_driver.close(&h);
	trig_serialbox_driver.close(&h);

	/* Bad outputs are refused before the port is touched. */
	p.outputs = "1111";
	assert_int_equal(trig_serialbox_driver.open(&p, &h, &err), PR_EINVAL);
	assert_null(h);
	trigbox_sim_stop(&t);
}

struct unmute_arg {
	struct trigbox_sim *t;
	unsigned ms;
};

static void *unmute_later(void *arg)
{
	struct unmute_arg *a = arg;
	usleep(a->ms * 1000);
	trigbox_sim_mute(a->t, 0);
	return NULL;
}

/* A box still booting loses the first commands: m0 is repeated until it
 * answers, and the extra answers never pass for later replies. */
static void test_esper_boot_retry(void **state)
{
	(void)state;
	struct trigbox_sim *t = NULL;
	assert_int_equal(trigbox_sim_start(&t, NULL), 0);
	trigbox_sim_mute(t, 1);
	struct unmute_arg a = { t, 700 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, unmute_later, &a), 0);
	struct trig_params p = { .device = trigbox_sim_path(t), .outputs = "110000",
				 .pulse_ms = 20, .no_focus = 1, .timeout_ms = 500 };
	struct trig_handle *h = NULL;
	struct pr_error err = { 0 };
	int rc = trig_serialbox_driver.open(&p, &h, &err);
	pthread_join(th, NULL);
	if (rc)
		fail_msg("open: %s", err.msg);
	char *got = trigbox_sim_transcript(t);
	assert_non_null(strstr(got, "m0\nm0\n"));
	assert_non_null(strstr(got, "s110000\nf110000\nb0020\n"));
	free(got);
	trigbox_sim_clear(t);
	if (trig_serialbox_driver.fire(h, NULL, &err))
		fail_msg("fire: %s", err.msg);
	got = trigbox_sim_transcript(t);
	assert_string_equal(got, "S\n"); /* no focus: fire only */
	free(got);
	trig_serialbox_driver.close(&h);
	trigbox_sim_stop(&t);
}

static void test_line_box(void **state)
{
	(void)state;
	struct trigbox_sim_opts o = { .line_mode = 1, .reply = "OK ready" };
	struct trigbox_sim *t = NULL;
	assert_int_equal(trigbox_sim_start(&t, &o), 0);
	struct trig_params p = { .device = trigbox_sim_path(t), .baud = 9600,
				 .protocol = TRIG_BOX_LINE, .focus_cmd = "HALF\r\n",
				 .fire_cmd = "FULL 1\r\n", .release_cmd = "OFF\r\n", .ok_reply = "OK",
				 .focus_ms = 5, .pulse_ms = 40, .timeout_ms = 500 };
	struct trig_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_int_equal(trig_serialbox_driver.open(&p, &h, &err), 0);
	if (trig_serialbox_driver.fire(h, NULL, &err))
		fail_msg("fire: %s", err.msg);
	char *got = trigbox_sim_transcript(t);
	assert_string_equal(got, "HALF\r\nFULL 1\r\nOFF\r\n");
	free(got);
	int64_t when[TRIGBOX_SIM_MAX_LINES];
	int n;
	lines_of(t, when, &n);
	assert_int_equal(n, 3);
	assert_true((when[2] - when[1]) / 1000000 >= 40);

	trigbox_sim_wrong_reply(t, "FULL", "BUSY");
	int rc = trig_serialbox_driver.fire(h, NULL, &err);
	assert_int_equal(rc, TRIG_EREPLY);
	assert_non_null(strstr(err.msg, "\"FULL 1\" was answered \"BUSY\", expected \"OK\""));
	trig_serialbox_driver.close(&h);

	p.fire_cmd = "";
	assert_int_equal(trig_serialbox_driver.open(&p, &h, &err), PR_EINVAL);
	assert_non_null(strstr(err.msg, "fire_cmd"));
	trigbox_sim_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usbrelay_reports),
		cmocka_unit_test(test_usbrelay_failures_release),
		cmocka_unit_test(test_esper_exact_bytes),
		cmocka_unit_test(test_esper_boot_retry),
		cmocka_unit_test(test_line_box),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
