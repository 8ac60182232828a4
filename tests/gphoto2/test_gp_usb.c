/* The gphoto2 driver's parts that need no camera: the libusb seam (USB
 * reset of a hung camera, replaced here by a fake), the /proc scan that
 * names the process holding a camera's device node (a child holds a file
 * under gvfs's name), and RAW+JPEG frame chains. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "camera.h"
#include "gp_internal.h"

static char tmpdir[] = "/tmp/photorig-gpusb-test.XXXXXX";

/* ---- the USB seam and the /proc scan (no camera needed) ---- */

static int reset_calls, reset_bus, reset_dev, reset_result;

static int fake_reset(int bus, int dev)
{
	reset_calls++;
	reset_bus = bus;
	reset_dev = dev;
	return reset_result;
}

static void test_usb_seam(void **state)
{
	(void)state;
	static const struct gp_usb_ops fake = { .reset = fake_reset };
	struct pr_error err;
	gp_usb_set_ops(&fake);
	assert_int_equal(gp_usb_reset_port("cam01", "usb:001,005", &err), 0);
	assert_int_equal(reset_calls, 1);
	assert_int_equal(reset_bus, 1);
	assert_int_equal(reset_dev, 5);
	reset_result = -ENODEV; /* re-enumerated away: re-open by serial */
	assert_int_equal(gp_usb_reset_port("cam01", "usb:2,17", &err), CAM_EGONE);
	assert_int_equal(reset_bus, 2);
	assert_int_equal(reset_dev, 17);
	reset_result = -EACCES;
	assert_int_equal(gp_usb_reset_port("cam01", "usb:2,17", &err), PR_EACCES);
	assert_non_null(strstr(err.msg, "/dev/bus/usb/002/017"));
	assert_int_equal(gp_usb_reset_port("cam01", "ptpip:127.0.0.2", &err), PR_EUNSUPPORTED);
	assert_int_equal(gp_usb_reset_port("cam01", "usb:0,1", &err), PR_EUNSUPPORTED);
	assert_int_equal(reset_calls, 3);
	gp_usb_set_ops(NULL);
}

/* A child that holds path open, under the given argv[0]. */
static pid_t spawn_holder(const char *path, const char *argv0)
{
	int pfd[2];
	if (pipe(pfd) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(path, O_RDONLY); /* inherited across exec */
		close(pfd[0]);
		if (fd < 0)
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		close(pfd[1]);
		execl("/bin/sleep", argv0, "30", (char *)NULL);
		_exit(1);
	}
	close(pfd[1]);
	char c;
	ssize_t n = read(pfd[0], &c, 1);
	close(pfd[0]);
	usleep(100 * 1000); /* let exec finish so cmdline shows argv0 */
	return n == 1 ? pid : -1;
}

static void test_proc_holders(void **state)
{
	(void)state;
	char path[600];
	snprintf(path, sizeof(path), "%s/fake-usb-node", tmpdir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	pid_t pid = spawn_holder(path, "gvfs-gphoto2-volume-monitor");
	assert_true(pid > 0);
	struct gp_holder who[4];
	int n = gp_usb_find_holders(path, who, 4);
	char msg[400];
	gp_usb_held_message(path, msg, sizeof(msg));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(n, 1);
	assert_int_equal(who[0].pid, pid);
	assert_string_equal(who[0].name, "gvfs-gphoto2-volume-monitor");
	print_message("held: %s\n", msg);
	assert_non_null(strstr(msg, "gvfs-gphoto2-volume-monitor"));
	assert_non_null(strstr(msg, "systemctl --user stop gvfs-gphoto2-volume-monitor"));
	/* Nobody holds it now. */
	assert_int_equal(gp_usb_find_holders(path, who, 4), 0);
}

/* RAW+JPEG arrives as a chain; cam_frame_free frees all of it (ASan). */
static void test_frame_chain(void **state)
{
	(void)state;
	struct cam_frame f = { 0 };
	f.data = malloc(10);
	f.next = calloc(1, sizeof(*f.next));
	assert_non_null(f.next);
	f.next->data = malloc(20);
	f.next->next = calloc(1, sizeof(*f.next));
	cam_frame_free(&f);
	assert_null(f.next);
	assert_null(f.data);
	cam_frame_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usb_seam),
		cmocka_unit_test(test_proc_holders),
		cmocka_unit_test(test_frame_chain),
	};
	if (!mkdtemp(tmpdir))
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char path[600];
	snprintf(path, sizeof(path), "%s/fake-usb-node", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return rc;
}
