/* Turntable drivers against simulated controllers on real pseudo-terminals:
 * the exact G-code of a 12-step scan, GRBL's error:/ALARM replies, a
 * controller that stops answering, the configurable line protocol, the sim
 * table, and the serial layer's handling of hostile bytes. Every wait is
 * bounded by the drivers' own timeouts. */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "grbl_sim.h"
#include "pty_sim.h"
#include "serial_port.h"
#include "turntable.h"

static double ms_since(int64_t t0)
{
	return (double)(serial_now_ns() - t0) / 1e6;
}

static struct grbl_sim *start_grbl(int greet, double time_scale)
{
	struct grbl_sim *g = NULL;
	struct grbl_sim_opts o = { .greet = greet, .time_scale = time_scale };
	assert_int_equal(grbl_sim_start(&g, &o), 0);
	return g;
}

static void test_twelve_steps_exact_gcode(void **state)
{
	(void)state;
	/* 30 units at F3600 (60 units/s) is 0.5 s; scaled to 25 ms. */
	struct grbl_sim *g = start_grbl(1, 0.05);
	struct tt_params p = { .device = grbl_sim_path(g), .baud = 115200, .degrees_per_unit = 1,
			       .feed = 3600, .timeout_ms = 5000, .wake_ms = 3000 };
	struct tt_handle *h = NULL;
	struct pr_error err = { 0 };
	int64_t t0 = serial_now_ns();
	assert_int_equal(tt_grbl_driver.open(&p, &h, &err), 0);
	/* Greeted: nothing needed sending, and no waiting out wake_ms. */
	assert_true(ms_since(t0) < 1000);
	t0 = serial_now_ns();
	for (int i = 0; i < 12; i++) {
		int rc = tt_grbl_driver.rotate(h, 30, &err);
		if (rc)
			fail_msg("step %d: %s", i, err.msg);
	}
	/* rotate() returned only after each motion was done. */
	assert_true(ms_since(t0) >= 12 * 25 - 5);
	char expect[1024] = "";
	for (int i = 0; i < 12; i++)
		strcat(expect, "G91\nG1 X30 F3600\nG4 P0\n");
	char *got = grbl_sim_transcript(g);
	assert_string_equal(got, expect);
	free(got);
	double deg = 0;
	assert_int_equal(tt_grbl_driver.position(h, &deg), 0);
	assert_true(fabs(deg - 360) < 1e-9);
	assert_true(fabs(grbl_sim_position(g, 'X') - 360) < 1e-9);
	tt_grbl_driver.close(&h);
	tt_grbl_driver.close(&h); /* twice is safe */
	assert_null(h);
	grbl_sim_stop(&g);
}

static void test_no_greeting_handshake_and_units(void **state)
{
	(void)state;
	struct grbl_sim *g = start_grbl(0, 0.01);
	/* 2 degrees per unit: 7.5 degrees is 3.75 units; 10 steps of 7.5
	 * round to 4 decimals without drift. */
	struct tt_params p = { .device = grbl_sim_path(g), .degrees_per_unit = 2, .feed = 1200.5,
			       .timeout_ms = 3000, .wake_ms = 100 };
	struct tt_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_int_equal(tt_grbl_driver.open(&p, &h, &err), 0);
	assert_int_equal(tt_grbl_driver.rotate(h, 7.5, &err), 0);
	assert_int_equal(tt_grbl_driver.rotate(h, -7.5, &err), 0);
	char *got = grbl_sim_transcript(g);
	assert_string_equal(got, "\r\n\r\n"
				 "G91\nG1 X3.75 F1200.5\nG4 P0\n"
				 "G91\nG1 X-3.75 F1200.5\nG4 P0\n");
	free(got);
	assert_true(fabs(grbl_sim_position(g, 'X')) < 1e-9);
	tt_grbl_driver.close(&h);
	grbl_sim_stop(&g);
}

static void test_error_reply_has_meaning(void **state)
{
	(void)state;
	struct grbl_sim *g = start_grbl(1, 0.01);
	/* Stock GRBL has no A axis: it refuses the move with error:20. */
	struct tt_params p = { .device = grbl_sim_path(g), .axis = 'A', .timeout_ms = 3000 };
	struct tt_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_int_equal(tt_grbl_driver.open(&p, &h, &err), 0);
	int rc = tt_grbl_driver.rotate(h, 30, &err);
	assert_int_equal(rc, TT_EREFUSED);
	assert_int_equal(err.code, TT_EREFUSED);
	assert_non_null(strstr(err.msg, grbl_sim_path(g)));
	assert_non_null(strstr(err.msg, "\"G1 A30 F3600\""));
	assert_non_null(strstr(err.msg, "error:20"));
	assert_non_null(strstr(err.msg, "unsupported or invalid G-code command"));
	/* A refused line leaves the link in step: the next command works. */
	grbl_sim_error_next(g, 2);
	rc = tt_grbl_driver.rotate(h, 30, &err);
	assert_int_equal(rc, TT_EREFUSED);
	assert_non_null(strstr(err.msg, "error:2 (bad number format)"));
	tt_grbl_driver.close(&h);
	grbl_sim_stop(&g);
}

static void test_alarm_is_an_error(void **state)
{
	(void)state;
	struct grbl_sim *g = start_grbl(1, 0.05);
	struct tt_params p = { .device = grbl_sim_path(g), .timeout_ms = 3000 };
	struct tt_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_int_equal(tt_grbl_driver.open(&p, &h, &err), 0);
	grbl_sim_alarm_next_move(g, 1);
	int rc = tt_grbl_driver.rotate(h, 30, &err);
	assert_int_equal(rc, TT_EALARM);
	assert_non_null(strstr(err.msg, "ALARM:1"));
	assert_non_null(strstr(err.msg, "hard limit"));
	/* Still locked: G-code is refused with error:9, an alarm too. */
	rc = tt_grbl_driver.rotate(h, 30, &err);
	assert_int_equal(rc, TT_EALARM);
	assert_non_null(strstr(err.msg, "error:9"));
	assert_non_null(strstr(err.msg, "$X"));
	tt_grbl_driver.close(&h);
	grbl_sim_stop(&g);
}

static void test_silent_controller_times_out(void **state)
{
	(void)state;
	struct grbl_sim *g = start_grbl(1, 0.01);
	struct tt_params p = { .device = grbl_sim_path(g), .timeout_ms = 300 };
	struct tt_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_int_equal(tt_grbl_driver.open(&p, &h, &err), 0);
	grbl_sim_mute(g, 1);
	int64_t t0 = serial_now_ns();
	int rc = tt_grbl_driver.rotate(h, 30, &err);
	double ms = ms_since(t0);
	assert_int_equal(rc, TT_ETIMEOUT);
	assert_int_equal(err.code, TT_ETIMEOUT);
	assert_non_null(strstr(err.msg, "within 300 ms"));
	assert_true(ms >= 295 && ms < 300 + 1000);
	/* It answers again: the next rotate() resynchronises and works. */
	grbl_sim_mute(g, 0);
	rc = tt_grbl_driver.rotate(h, 30, &err);
	if (rc)
		fail_msg("after recovery: %s", err.msg);
	tt_grbl_driver.close(&h);

	/* Nobody home at all: open gives up within wake + timeout. */
	grbl_sim_mute(g, 1);
	p.wake_ms = 100;
	t0 = serial_now_ns();
	rc = tt_grbl_driver.open(&p, &h, &err);
	assert_int_equal(rc, TT_ETIMEOUT);
	assert_null(h);
	assert_true(ms_since(t0) < 100 + 300 + 1000);
	assert_non_null(strstr(err.msg, "no answer from a GRBL controller"));
	grbl_sim_stop(&g);
}

/* The simulator's scripted failures (used by daemon tests through
 * photorig-serial-sim): silent from the third move. */
static void test_scripted_silence(void **state)
{
	(void)state;
	struct grbl_sim *g = NULL;
	struct grbl_sim_opts o = { .greet = 1, .time_scale = 0.01, .mute_after_moves = 2 };
	assert_int_equal(grbl_sim_start(&g, &o), 0);
	struct tt_params p = { .device = grbl_sim_path(g), .timeout_ms = 300 };
	struct tt_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_int_equal(tt_grbl_driver.open(&p, &h, &err), 0);
	assert_int_equal(tt_grbl_driver.rotate(h, 30, &err), 0);
	assert_int_equal(tt_grbl_driver.rotate(h, 30, &err), 0);
	assert_int_equal(tt_grbl_driver.rotate(h, 30, &err), TT_ETIMEOUT);
	assert_non_null(strstr(err.msg, "\"G1 X30 F3600\""));
	tt_grbl_driver.close(&h);
	grbl_sim_stop(&g);
}

/* A line-protocol table: "R <deg> U<units>" answered "DONE", or
 * "ERR overload" above 90 degrees. */
static void line_table(struct pty_sim *s, const char *line, void *user)
{
	(void)user;
	if (!*line)
		return;
	double deg = 0;
	if (sscanf(line, "R %lf", &deg) != 1) {
		pty_sim_send(s, "ERR syntax\r\n");
		return;
	}
	pty_sim_send(s, "moving\r\n"); /* progress lines are ignored */
	pty_sim_send(s, fabs(deg) > 90 ? "ERR overload\r\n" : "DONE %g\r\n", deg);
}

static void test_line_protocol(void **state)
{
	(void)state;
	struct pty_sim *s = NULL;
	struct pty_sim_ops ops = { .on_line = line_table };
	assert_int_equal(pty_sim_start(&s, &ops), 0);
	struct tt_params p = { .device = pty_sim_path(s), .baud = 9600, .degrees_per_unit = 0.1,
			       .rotate_cmd = "R {degrees} U{units}\r\n", .done_reply = "DONE",
			       .error_reply = "ERR", .timeout_ms = 300 };
	struct tt_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_int_equal(tt_line_driver.open(&p, &h, &err), 0);
	assert_int_equal(tt_line_driver.rotate(h, 30, &err), 0);
	assert_int_equal(tt_line_driver.rotate(h, 12.5, &err), 0);
	char *got = pty_sim_transcript(s, NULL);
	assert_string_equal(got, "R 30 U300\r\nR 12.5 U125\r\n");
	free(got);
	double deg;
	assert_int_equal(tt_line_driver.position(h, &deg), 0);
	assert_true(fabs(deg - 42.5) < 1e-9);

	int rc = tt_line_driver.rotate(h, 120, &err);
	assert_int_equal(rc, TT_EREFUSED);
	assert_non_null(strstr(err.msg, "\"R 120 U1200\""));
	assert_non_null(strstr(err.msg, "\"ERR overload\""));

	pty_sim_mute(s, 1);
	int64_t t0 = serial_now_ns();
	rc = tt_line_driver.rotate(h, 30, &err);
	assert_int_equal(rc, TT_ETIMEOUT);
	assert_true(ms_since(t0) >= 295 && ms_since(t0) < 300 + 1000);
	assert_non_null(strstr(err.msg, "no \"DONE\""));
	pty_sim_mute(s, 0);
	/* The late answers of the timed-out move are not this move's. */
	assert_int_equal(tt_line_driver.rotate(h, 30, &err), 0);
	tt_line_driver.close(&h);

	/* Bad configurations are refused at open, naming what is wrong. */
	p.rotate_cmd = "R {angle}\n";
	assert_int_equal(tt_line_driver.open(&p, &h, &err), PR_EINVAL);
	assert_non_null(strstr(err.msg, "{angle}"));
	p.rotate_cmd = "R {degrees\n";
	assert_int_equal(tt_line_driver.open(&p, &h, &err), PR_EINVAL);
	p.rotate_cmd = "R {degrees}\n";
	p.done_reply = "";
	assert_int_equal(tt_line_driver.open(&p, &h, &err), PR_EINVAL);
	assert_non_null(strstr(err.msg, "done_reply"));
	assert_null(h);
	pty_sim_stop(&s);
}

static void test_sim_table(void **state)
{
	(void)state;
	assert_ptr_equal(tt_driver_find("sim"), &tt_sim_driver);
	assert_ptr_equal(tt_driver_find("grbl"), &tt_grbl_driver);
	assert_ptr_equal(tt_driver_find("line"), &tt_line_driver);
	assert_null(tt_driver_find("nope"));
	struct tt_params p = { .sim_ms_per_degree = 1 };
	struct tt_handle *h = NULL;
	struct pr_error err = { 0 };
	assert_int_equal(tt_sim_driver.open(&p, &h, &err), 0);
	int64_t t0 = serial_now_ns();
	assert_int_equal(tt_sim_driver.rotate(h, 30, &err), 0);
	assert_true(ms_since(t0) >= 29);
	assert_int_equal(tt_sim_driver.rotate(h, 30, &err), 0);
	double deg;
	assert_int_equal(tt_sim_driver.position(h, &deg), 0);
	assert_true(fabs(deg - 60) < 1e-9);
	assert_int_equal(tt_sim_driver.rotate(h, NAN, &err), PR_EINVAL);
	tt_sim_driver.close(&h);
	tt_sim_driver.close(&h);
}

static void test_numbers_and_templates(void **state)
{
	(void)state;
	char b[64];
	const struct {
		double v;
		const char *s;
	} cases[] = { { 30, "30" }, { 7.5, "7.5" }, { -0.25, "-0.25" }, { 1.0 / 3, "0.3333" },
		      { -0.00001, "0" }, { 1e5, "100000" }, { 0.00005, "0.0001" } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tt_format_number(b, sizeof(b), cases[i].v);
		assert_string_equal(b, cases[i].s);
	}
	struct pr_error err;
	char out[16];
	assert_int_equal(tt_expand_template("T{degrees}/{units}", 90, 900, out, sizeof(out), &err), 0);
	assert_string_equal(out, "T90/900");
	assert_int_equal(tt_expand_template("{degrees}{degrees}{degrees}{degrees}", 123.4567, 0, out,
					    sizeof(out), &err),
			 PR_EINVAL);
}

/* The serial layer with hostile input: partial lines, CRLF, overlong lines,
 * control and high bytes. */
static void test_serial_lines(void **state)
{
	(void)state;
	struct pty_sim *s = NULL;
	struct pty_sim_ops ops = { 0 };
	assert_int_equal(pty_sim_start(&s, &ops), 0);
	struct serial_port sp;
	struct pr_error err;
	assert_int_equal(serial_port_open(&sp, pty_sim_path(s), 115200, &err), 0);
	char line[SERIAL_LINE_MAX];

	pty_sim_send(s, "par");
	assert_int_equal(serial_port_read_line(&sp, line, sizeof(line), serial_deadline(50), &err),
			 SERIAL_ETIMEOUT);
	pty_sim_send(s, "tial\r\n\r\nnext\n");
	assert_int_equal(serial_port_read_line(&sp, line, sizeof(line), serial_deadline(500), &err), 7);
	assert_string_equal(line, "partial");
	assert_int_equal(serial_port_read_line(&sp, line, sizeof(line), serial_deadline(500), &err), 4);
	assert_string_equal(line, "next");

	static char big[2000];
	memset(big, 'x', sizeof(big));
	pty_sim_write(s, big, sizeof(big));
	pty_sim_write(s, "\nok\n", 4);
	assert_int_equal(serial_port_read_line(&sp, line, sizeof(line), serial_deadline(500), &err), 2);
	assert_string_equal(line, "ok");

	const uint8_t raw[] = { 'a', 0, 0xff, 0x1b, 'b', '\n' };
	pty_sim_write(s, raw, sizeof(raw));
	assert_int_equal(serial_port_read_line(&sp, line, sizeof(line), serial_deadline(500), &err), 5);
	assert_string_equal(line, "a???b");

	/* A small caller buffer cuts, never overflows. */
	pty_sim_send(s, "0123456789\n");
	char small[4];
	assert_int_equal(serial_port_read_line(&sp, small, sizeof(small), serial_deadline(500), &err), 3);
	assert_string_equal(small, "012");

	assert_int_equal(serial_port_write_str(&sp, "hello\n", serial_deadline(500), &err), 0);
	serial_port_close(&sp);
	serial_port_close(&sp);
	assert_int_equal(serial_port_open(&sp, pty_sim_path(s), 12345, &err), PR_EINVAL);
	assert_int_equal(serial_port_open(&sp, "/nonexistent/tty", 9600, &err), PR_ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/tty"));
	pty_sim_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twelve_steps_exact_gcode),
		cmocka_unit_test(test_no_greeting_handshake_and_units),
		cmocka_unit_test(test_error_reply_has_meaning),
		cmocka_unit_test(test_alarm_is_an_error),
		cmocka_unit_test(test_silent_controller_times_out),
		cmocka_unit_test(test_scripted_silence),
		cmocka_unit_test(test_line_protocol),
		cmocka_unit_test(test_sim_table),
		cmocka_unit_test(test_numbers_and_templates),
		cmocka_unit_test(test_serial_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
