/* photorig-ptpip-sim driven end to end by the real, unmodified libgphoto2.
 *
 * Each test starts its own simulators on 127.0.0.x with kernel-chosen
 * ports, so it runs safely in parallel with other tests, and stops them in
 * teardown (they also die with this process). Every wait is bounded.
 * Besides checking the simulator, the last test measures libgphoto2
 * behaviours the gphoto2 driver is built around and prints whether each
 * still holds; those are reports, not assertions, so a libgphoto2 update
 * that fixes one does not fail the build. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptpip_gpclient.h"
#include "ptpip_spawn.h"

#ifndef PTPIP_SIM_PATH
#error "PTPIP_SIM_PATH must name the photorig-ptpip-sim binary"
#endif

#define START_TIMEOUT_MS 5000
#define FILE_TIMEOUT_MS 10000

static char tmpdir[] = "/tmp/photorig-ptpip-test.XXXXXX";
static GPContext *ctx;

#define MAX_SIMS 4
struct fixture {
	struct sim_proc sim[MAX_SIMS];
	Camera *cam[MAX_SIMS];
	char served[MAX_SIMS][512];
	char log[512];
};

static int group_setup(void **state)
{
	(void)state;
	/* A camera dropping the link must not kill the test (libgphoto2 writes
	 * to the dead socket). */
	signal(SIGPIPE, SIG_IGN);
	if (gpc_scratch_setup(tmpdir) < 0)
		return -1;
	ctx = gp_context_new();
	return ctx && gpc_global_init(ctx) == GP_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	gpc_global_free();
	if (ctx)
		gp_context_unref(ctx);
	gpc_scratch_remove(tmpdir);
	return 0;
}

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	static unsigned test_no;
	test_no++;
	snprintf(f->log, sizeof(f->log), "%s/t%u-trigger.log", tmpdir, test_no);
	for (int i = 0; i < MAX_SIMS; i++)
		snprintf(f->served[i], sizeof(f->served[i]), "%s/t%u-served%d", tmpdir, test_no, i);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < MAX_SIMS; i++) {
		if (f->cam[i]) {
			gp_camera_exit(f->cam[i], ctx);
			gp_camera_unref(f->cam[i]);
		}
		sim_proc_stop(&f->sim[i], 3000);
	}
	free(f);
	return 0;
}

/* Starts simulator i on 127.0.0.(2+i) with a served dir and the shared
 * trigger log, plus extra options. */
static void start_sim(struct fixture *f, int i, const char *serial, const char *const *extra)
{
	const char *args[16] = { "--served-dir", f->served[i], "--log", f->log };
	size_t n = 4;
	for (size_t k = 0; extra && extra[k] && n < 15; k++)
		args[n++] = extra[k];
	args[n] = NULL;
	char addr[32];
	snprintf(addr, sizeof(addr), "127.0.0.%d", 2 + i);
	int r = sim_proc_start(&f->sim[i], PTPIP_SIM_PATH, addr, serial, args, START_TIMEOUT_MS);
	if (r < 0)
		fail_msg("cannot start simulator %s: %s", serial, strerror(-r));
}

static void open_cam(struct fixture *f, int i)
{
	char path[128];
	sim_proc_port_path(&f->sim[i], path, sizeof(path));
	int r = gpc_open(ctx, path, &f->cam[i]);
	if (r < GP_OK)
		fail_msg("gp_camera_init on %s: %s", path, gp_result_as_string(r));
}

static void close_cam(struct fixture *f, int i)
{
	gp_camera_exit(f->cam[i], ctx);
	gp_camera_unref(f->cam[i]);
	f->cam[i] = NULL;
}

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			uint8_t *b = realloc(buf, cap);
			if (!b)
				break;
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	fclose(fp);
	*size = n;
	return buf;
}

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Counts trigger-log lines that contain every given fragment. */
static int count_log(const char *log, int nfrag, ...)
{
	size_t size;
	char *text = (char *)read_all(log, &size);
	if (!text)
		return 0;
	int count = 0;
	char *save = NULL;
	char *buf = realloc(text, size + 1);
	if (!buf) {
		free(text);
		return 0;
	}
	buf[size] = '\0';
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		va_list ap;
		va_start(ap, nfrag);
		int ok = 1;
		for (int k = 0; k < nfrag; k++)
			if (!strstr(line, va_arg(ap, const char *)))
				ok = 0;
		va_end(ap);
		count += ok;
	}
	free(buf);
	return count;
}

/* Trigger, wait for the file, download, compare with the served copy and
 * the trigger log, delete it on the camera. Returns the file name. */
static void capture_and_check(struct fixture *f, int i, char *name_out, size_t name_sz)
{
	Camera *cam = f->cam[i];
	assert_int_equal(gp_camera_trigger_capture(cam, ctx), GP_OK);
	CameraFilePath path;
	int r = gpc_wait_file(cam, ctx, FILE_TIMEOUT_MS, &path);
	if (r < GP_OK)
		fail_msg("no file from %s: %s", f->sim[i].serial, gp_result_as_string(r));
	uint8_t *got;
	size_t got_size;
	assert_int_equal(gpc_download(cam, ctx, &path, &got, &got_size), GP_OK);
	char served_path[1024];
	snprintf(served_path, sizeof(served_path), "%s/%s", f->served[i], path.name);
	size_t want_size = 0;
	uint8_t *want = read_all(served_path, &want_size);
	assert_non_null(want);
	assert_int_equal(got_size, want_size);
	assert_memory_equal(got, want, want_size);
	assert_true(got_size > 4 && got[0] == 0xFF && got[1] == 0xD8);
	char hash[64], file[160], serial[96];
	snprintf(hash, sizeof(hash), "fnv1a64=%016llx", (unsigned long long)fnv1a64(got, got_size));
	snprintf(file, sizeof(file), "file=%s ", path.name);
	snprintf(serial, sizeof(serial), "serial=%s ", f->sim[i].serial);
	assert_int_equal(count_log(f->log, 4, hash, file, serial, "status=ok"), 1);
	free(got);
	free(want);
	assert_int_equal(gp_camera_file_delete(cam, path.folder, path.name, ctx), GP_OK);
	CameraFile *again;
	gp_file_new(&again);
	assert_true(gp_camera_file_get(cam, path.folder, path.name, GP_FILE_TYPE_NORMAL, again, ctx) < GP_OK);
	gp_file_unref(again);
	snprintf(name_out, name_sz, "%s", path.name);
}

static void check_serial(struct fixture *f, int i)
{
	CameraText text;
	assert_int_equal(gp_camera_get_summary(f->cam[i], &text, ctx), GP_OK);
	char want[128];
	snprintf(want, sizeof(want), "Serial Number: %s\n", f->sim[i].serial);
	assert_non_null(strstr(text.text, want));
	CameraWidget *w = NULL;
	assert_int_equal(gp_camera_get_single_config(f->cam[i], "serialnumber", &w, ctx), GP_OK);
	const char *value = NULL;
	assert_int_equal(gp_widget_get_value(w, &value), GP_OK);
	assert_string_equal(value, f->sim[i].serial);
	gp_widget_free(w);
}

static void test_two_cameras(void **state)
{
	struct fixture *f = *state;
	start_sim(f, 0, "PTPSIM-A", NULL);
	start_sim(f, 1, "PTPSIM-B", NULL);
	open_cam(f, 0);
	open_cam(f, 1);
	check_serial(f, 0);
	check_serial(f, 1);
	char name[128];
	for (int round = 1; round <= 2; round++)
		for (int i = 0; i < 2; i++) {
			capture_and_check(f, i, name, sizeof(name));
			char want[32];
			snprintf(want, sizeof(want), "IMG_%04d.JPG", round);
			assert_string_equal(name, want);
		}
	/* The camera can be closed and re-opened: the simulator takes the
	 * next client. */
	close_cam(f, 0);
	open_cam(f, 0);
	capture_and_check(f, 0, name, sizeof(name));
	close_cam(f, 0);
	close_cam(f, 1);
	assert_int_equal(sim_proc_stop(&f->sim[0], 3000), 0); /* clean exit on SIGTERM */
	assert_int_equal(sim_proc_stop(&f->sim[1], 3000), 0);
}

static void test_busy_then_retry(void **state)
{
	struct fixture *f = *state;
	const char *extra[] = { "--busy", "2", NULL };
	start_sim(f, 0, "PTPSIM-BUSY", extra);
	open_cam(f, 0);
	assert_int_equal(gp_camera_trigger_capture(f->cam[0], ctx), GP_ERROR_CAMERA_BUSY);
	assert_int_equal(gp_camera_trigger_capture(f->cam[0], ctx), GP_ERROR_CAMERA_BUSY);
	char name[128];
	capture_and_check(f, 0, name, sizeof(name));
	assert_string_equal(name, "IMG_0003.JPG");
	assert_int_equal(count_log(f->log, 2, "serial=PTPSIM-BUSY ", "status=busy"), 2);
}

static void test_drop_then_reopen(void **state)
{
	struct fixture *f = *state;
	const char *extra[] = { "--drop-on", "2", NULL };
	start_sim(f, 0, "PTPSIM-DROP", extra);
	open_cam(f, 0);
	char name[128];
	capture_and_check(f, 0, name, sizeof(name));
	double t0 = gpc_now_ms();
	int r = gp_camera_trigger_capture(f->cam[0], ctx);
	double dt = gpc_now_ms() - t0;
	print_message("drop: trigger returned %d (%s) after %.0f ms\n", r, gp_result_as_string(r), dt);
	assert_true(r < GP_OK);
	assert_true(dt < 6000);
	CameraFilePath path;
	t0 = gpc_now_ms();
	r = gpc_wait_file(f->cam[0], ctx, 3000, &path);
	assert_true(r < GP_OK);
	assert_true(gpc_now_ms() - t0 < 6000);
	t0 = gpc_now_ms();
	close_cam(f, 0);
	print_message("drop: gp_camera_exit took %.0f ms\n", gpc_now_ms() - t0);
	open_cam(f, 0);
	capture_and_check(f, 0, name, sizeof(name));
	assert_string_equal(name, "IMG_0003.JPG");
	assert_int_equal(count_log(f->log, 2, "capture=2 ", "status=drop"), 1);
}

/* A camera restarted with --first-number goes on counting: new names, new
 * pictures; what the host deletes is in --delete-log with its hash. */
static void test_first_number_and_delete_log(void **state)
{
	struct fixture *f = *state;
	char dlog[600];
	snprintf(dlog, sizeof(dlog), "%s.deleted", f->log);
	const char *extra[] = { "--first-number", "41", "--delete-log", dlog, NULL };
	start_sim(f, 0, "PTPSIM-COUNT", extra);
	open_cam(f, 0);
	char name[128], path[1024], hash[64];
	capture_and_check(f, 0, name, sizeof(name)); /* also deletes it */
	assert_string_equal(name, "IMG_0041.JPG");
	snprintf(path, sizeof(path), "%s/%s", f->served[0], name);
	size_t size = 0;
	uint8_t *img = read_all(path, &size);
	assert_non_null(img);
	snprintf(hash, sizeof(hash), "fnv1a64=%016llx", (unsigned long long)fnv1a64(img, size));
	assert_int_equal(count_log(dlog, 4, "serial=PTPSIM-COUNT ", "status=deleted",
				   "file=IMG_0041.JPG ", hash), 1);
	assert_int_equal(count_log(dlog, 1, "status=deleted"), 1);
	/* not the picture the same camera counting from 1 takes first */
	close_cam(f, 0);
	sim_proc_stop(&f->sim[0], 3000);
	start_sim(f, 1, "PTPSIM-COUNT", NULL);
	open_cam(f, 1);
	capture_and_check(f, 1, name, sizeof(name));
	assert_string_equal(name, "IMG_0001.JPG");
	snprintf(path, sizeof(path), "%s/%s", f->served[1], name);
	size_t size2 = 0;
	uint8_t *img2 = read_all(path, &size2);
	assert_non_null(img2);
	assert_true(size != size2 || memcmp(img, img2, size));
	free(img);
	free(img2);
}

static void test_stall_then_reopen(void **state)
{
	struct fixture *f = *state;
	const char *extra[] = { "--stall-on", "1", NULL };
	start_sim(f, 0, "PTPSIM-STALL", extra);
	open_cam(f, 0);
	double t0 = gpc_now_ms();
	int r = gp_camera_trigger_capture(f->cam[0], ctx);
	double trig_ms = gpc_now_ms() - t0;
	assert_true(r < GP_OK);
	t0 = gpc_now_ms();
	close_cam(f, 0);
	double exit_ms = gpc_now_ms() - t0;
	print_message("stall: trigger returned %s after %.0f ms; gp_camera_exit took %.0f ms\n",
		      gp_result_as_string(r), trig_ms, exit_ms);
	assert_true(trig_ms < 10000 && exit_ms < 10000);
	print_message("FACT 4 (2.5 s I/O timeout, exit on a stalled camera costs ~2.5 s): %s\n",
		      trig_ms > 2000 && trig_ms < 3500 && exit_ms > 2000 && exit_ms < 3500
			      ? "holds" : "differs");
	open_cam(f, 0);
	char name[128];
	capture_and_check(f, 0, name, sizeof(name));
	assert_string_equal(name, "IMG_0002.JPG");
}

/* Runs fn in a child process; returns its wait status, or -1 if it was
 * still running after timeout_ms (it is then killed). */
static int run_child(void (*fn)(const char *), const char *port, int timeout_ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		fn(port);
		_exit(0);
	}
	double deadline = gpc_now_ms() + timeout_ms;
	int status;
	while (gpc_now_ms() < deadline) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static void child_capture(const char *port)
{
	GPContext *c = gp_context_new();
	Camera *cam;
	if (gpc_open(c, port, &cam) < GP_OK)
		_exit(3);
	CameraFilePath path;
	int r = gp_camera_capture(cam, GP_CAPTURE_IMAGE, &path, c);
	_exit(r < GP_OK ? 1 : 2);
}

static void child_trigger_after_drop(const char *port)
{
	signal(SIGPIPE, SIG_DFL);
	GPContext *c = gp_context_new();
	Camera *cam;
	if (gpc_open(c, port, &cam) < GP_OK)
		_exit(3);
	for (int i = 0; i < 3; i++)
		gp_camera_trigger_capture(cam, c);
	gp_camera_exit(cam, c);
	_exit(0);
}

/* Exit status 1: the open failed, 2: it succeeded. What it made is let go
 * first, so that valgrind, which checks leaks at _exit too, charges this
 * child only libgphoto2's own leak. */
static void child_open_only(const char *port)
{
	GPContext *c = gp_context_new();
	Camera *cam;
	int r = gpc_open(c, port, &cam);
	if (cam)
		gp_camera_unref(cam);
	gp_context_unref(c);
	_exit(r < GP_OK ? 1 : 2);
}

static void test_libgphoto2_facts(void **state)
{
	struct fixture *f = *state;
	char port[128];
	const char *busy[] = { "--busy", "1", NULL };
	start_sim(f, 0, "PTPSIM-FACT1", busy);
	sim_proc_port_path(&f->sim[0], port, sizeof(port));
	int st = run_child(child_capture, port, 5000);
	print_message("FACT 1 (gp_camera_capture ignores DeviceBusy and waits forever): %s\n",
		      st == -1 ? "holds (still waiting after 5 s)" : "differs");

	const char *drop[] = { "--drop-on", "1", NULL };
	start_sim(f, 1, "PTPSIM-FACT3", drop);
	sim_proc_port_path(&f->sim[1], port, sizeof(port));
	st = run_child(child_trigger_after_drop, port, 20000);
	print_message("FACT 3 (a dropped connection kills the client by SIGPIPE): %s\n",
		      st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE ? "holds" : "differs");

	start_sim(f, 2, "PTPSIM-FACT2", NULL);
	open_cam(f, 2);
	CameraEventType type;
	void *data = NULL;
	double t0 = gpc_now_ms();
	int r = gp_camera_wait_for_event(f->cam[2], 1000, &type, &data, ctx);
	double dt = gpc_now_ms() - t0;
	free(data);
	print_message("FACT 2 (wait_for_event(1000 ms) returns timeout early): returned %d type %d "
		      "after %.1f ms: %s\n", r, (int)type, dt,
		      r == GP_OK && type == GP_EVENT_TIMEOUT && dt < 100 ? "holds" : "differs");

	/* FACT 6: "ptpip:HOST:PORT" moves only the command port; the event
	 * connection still goes to 15740, where nothing listens on .9. */
	const char *split[] = { "--event-port", "0", NULL };
	start_sim(f, 3, "PTPSIM-PORTS", split);
	assert_int_not_equal(f->sim[3].port, f->sim[3].event_port);
	char only_cmd[128];
	snprintf(only_cmd, sizeof(only_cmd), "ptpip:%s:%d", f->sim[3].address, f->sim[3].port);
	/* In a child: a failed gp_camera_init leaks its PTPParams and iconv
	 * descriptors (about 65 KB) in libgphoto2 2.5.30, which LeakSanitizer
	 * would charge to this test. */
	st = run_child(child_open_only, only_cmd, 10000);
	open_cam(f, 3); /* HOST:PORT:EVENTPORT must work */
	print_message("FACT 6 (ptpip:HOST:PORT keeps event port 15740, HOST:PORT:EVENTPORT sets both): %s\n",
		      st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1 ? "holds" : "differs");
	char name[128];
	capture_and_check(f, 3, name, sizeof(name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_cameras, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_busy_then_retry, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_drop_then_reopen, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stall_then_reopen, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_first_number_and_delete_log, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_libgphoto2_facts, fixture_setup, fixture_teardown),
	};
	/* PTPIP_TEST_FILTER=name runs one test (while debugging). */
	if (getenv("PTPIP_TEST_FILTER"))
		cmocka_set_test_filter(getenv("PTPIP_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
