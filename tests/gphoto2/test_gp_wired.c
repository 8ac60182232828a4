/* gphoto2 driver, hardware trigger: a relay or trigger box fires the camera
 * through its remote-shutter port, and collect() only gathers the files the
 * wire made it write. The simulated camera takes SIGUSR1 as that wire. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "camera.h"
#include "ptpip_gpclient.h"
#include "ptpip_spawn.h"

static char tmpdir[] = "/tmp/photorig-gpwired-XXXXXX";

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*size = buf ? (size_t)n : 0;
	return buf;
}

static void test_wired_release_collected(void **state)
{
	(void)state;
	const struct cam_driver *drv = cam_driver_find("gphoto2");
	assert_non_null(drv);
	assert_non_null(drv->collect);
	char served[300], port[128];
	snprintf(served, sizeof(served), "%s/served", tmpdir);
	const char *extra[] = { "--served-dir", served, "--capture-latency-ms", "50", NULL };
	struct sim_proc sim;
	memset(&sim, 0, sizeof(sim));
	assert_int_equal(sim_proc_start(&sim, PTPIP_SIM_PATH, "127.0.0.2", "WIRED001", extra, 5000), 0);
	sim_proc_port_path(&sim, port, sizeof(port));

	struct cam_params p = { .name = "cam01", .serial = "WIRED001", .port = port, .device = "",
				.timeout_ms = 3000, .delete_after_download = 1 };
	struct cam_handle *h = NULL;
	struct pr_error err;
	if (drv->open(&p, &h, &err))
		fail_msg("open: %s", err.msg);
	struct cam_request req = { .kind = CAM_SHOT };
	for (int shot = 1; shot <= 2; shot++) {
		if (drv->arm && drv->arm(h, &req, &err))
			fail_msg("arm: %s", err.msg);
		int64_t since = cam_now_realtime_ns();
		assert_int_equal(kill(sim.pid, SIGUSR1), 0); /* the wire closes */
		struct cam_frame f;
		memset(&f, 0, sizeof(f));
		if (drv->collect(h, &req, since, &f, &err))
			fail_msg("collect %d: %s", shot, err.msg);
		assert_true(f.trigger_ns == since);
		assert_true(f.arrival_ns >= since);
		assert_string_equal(f.ext, "jpg");
		/* byte-identical to what the camera wrote */
		char path[400];
		snprintf(path, sizeof(path), "%s/IMG_%04d.JPG", served, shot);
		size_t n;
		uint8_t *want = read_file(path, &n);
		assert_non_null(want);
		assert_int_equal(f.size, n);
		assert_memory_equal(f.data, want, n);
		free(want);
		cam_frame_free(&f);
	}
	/* no wire, no file: a timeout, not a hang and not a stale file */
	struct cam_params quick = p;
	quick.timeout_ms = 400;
	drv->close(&h);
	if (drv->open(&quick, &h, &err))
		fail_msg("re-open: %s", err.msg);
	struct cam_frame none;
	memset(&none, 0, sizeof(none));
	if (drv->arm)
		assert_int_equal(drv->arm(h, &req, &err), 0);
	assert_int_equal(drv->collect(h, &req, cam_now_realtime_ns(), &none, &err), CAM_ETIMEOUT);
	assert_null(none.data);
	drv->close(&h);
	drv->close(&h); /* safe twice */
	assert_int_equal(sim_proc_stop(&sim, 3000), 0);
}

static int group_setup(void **state)
{
	(void)state;
	return gpc_scratch_setup(tmpdir);
}

static int group_teardown(void **state)
{
	(void)state;
	gpc_scratch_remove(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wired_release_collected),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
