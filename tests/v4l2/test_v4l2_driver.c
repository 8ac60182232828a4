/* The v4l2 camera driver through the real libv4l2 and simulated cameras.
 *
 * Why a libv4l2 plugin and not a replaced ops table: libv4l2 gives every
 * ioctl of a device to the first plugin in its plugin directory whose
 * init() claims the fd (libv4l-plugin.h), and maps buffers with a real
 * mmap() of the fd at the offsets QUERYBUF gives. So a plugin answering the
 * V4L2 ioctls over a regular file (which can be mmap'd) stands in for a
 * camera, and everything above it is the production code: the driver as
 * built, libv4l2's buffer handling and libv4lconvert's real YUYV -> RGB24
 * conversion, MJPEG passed through. No test seam in the driver at all.
 * The plugin directory is compiled into libv4l2 (no environment variable),
 * so run_v4l2_test.sh runs this test in a private mount namespace where the
 * build's plugin directory is bound over it: nothing on the machine is
 * touched, and no other process sees the plugin. Without namespaces the
 * test is skipped (77), saying why.
 *
 * The sysfs tree the driver walks for serial numbers is a fake one in a
 * temporary directory (cam_params.sysfs_root / dev_root), with device
 * nodes as regular files. Every wait is bounded by the driver's
 * timeout_ms. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <linux/videodev2.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cam_v4l2.h"
#include "camera.h"
#include "imageio.h"
#include "v4l2sim.h"
#include "v4l2_fixture.h"

static const struct v4l2sim_api *sim;
static const struct cam_driver *drv = &cam_v4l2_driver;
static char tmpdir[] = "/tmp/photorig-v4l2-test.XXXXXX";
static char sysroot[200], devroot[200];

/* Camera colours: YUV halves and the RGB libv4lconvert makes of them. Its
 * YUYV conversion uses integer approximations of R = Y + 1.5 V',
 * G = Y - (3 U' + 6 V') / 8, B = Y + 129 U' / 64 (U' = U - 128, ...). */
static const uint8_t GREY_YUV[3] = { 180, 128, 128 }, GREY_RGB[3] = { 180, 180, 180 };
static const uint8_t RED_YUV[3] = { 82, 90, 240 }, RED_RGB[3] = { 250, 13, 5 };

static uint8_t *jpeg[2];
static size_t jpeg_size[2];

enum { CAM_YUYV = 0, CAM_MJPG, CAM_AUTO, NCAMS };
static int sim_id[NCAMS];
static const char *const serials[NCAMS] = { "SIM-YUYV-1", "SIM-MJPG-2", "SIM-AUTO-3" };

static void make_jpegs(void)
{
	for (int k = 0; k < 2; k++) {
		struct pr_image img = { 0 };
		struct pr_error err;
		assert_int_equal(pr_image_alloc(&img, 320, 240, 3, 8, NULL), 0);
		for (uint32_t y = 0; y < 240; y++)
			for (uint32_t x = 0; x < 320; x++) {
				uint8_t *px = img.pixels + y * img.stride + x * 3;
				px[0] = (uint8_t)(k ? 30 : x * 255 / 320);
				px[1] = (uint8_t)(y * 255 / 240);
				px[2] = (uint8_t)(k ? 200 : 90);
			}
		assert_int_equal(pr_encode_jpeg_memory(&img, 90, &jpeg[k], &jpeg_size[k], &err), 0);
		pr_image_free(&img);
	}
}

static void add_cameras(void)
{
	char path[600];
	struct v4l2sim_config yuyv = {
		.card = "Sim YUYV Webcam", .nformats = 2,
		.formats = { { V4L2_PIX_FMT_YUYV, 2, { 320, 640 }, { 240, 480 } },
			     { V4L2_PIX_FMT_MJPEG, 1, { 320 }, { 240 } } },
		.njpeg = 2, .jpeg = { jpeg[0], jpeg[1] }, .jpeg_size = { jpeg_size[0], jpeg_size[1] },
	};
	memcpy(yuyv.yuv_left, GREY_YUV, 3);
	memcpy(yuyv.yuv_right, RED_YUV, 3);
	struct v4l2sim_config mjpg = {
		.card = "Sim MJPEG Camera", .nformats = 1,
		.formats = { { V4L2_PIX_FMT_MJPEG, 1, { 320 }, { 240 } } },
		.njpeg = 2, .jpeg = { jpeg[0], jpeg[1] }, .jpeg_size = { jpeg_size[0], jpeg_size[1] },
	};
	struct v4l2sim_config autoexp = yuyv;
	autoexp.card = "Sim Auto-only Webcam";
	autoexp.nformats = 1;
	autoexp.refuse_manual_exposure = 1;
	struct v4l2sim_config *cfg[NCAMS] = { &yuyv, &mjpg, &autoexp };
	for (int i = 0; i < NCAMS; i++) {
		v4l2fx_add_node(sysroot, devroot, i * 2, i + 1, serials[i]); /* video0, video2, video4: UVC-like numbering */
		snprintf(path, sizeof(path), "%s/video%d", devroot, i * 2);
		cfg[i]->path = path;
		sim_id[i] = sim->add(cfg[i]);
		assert_true(sim_id[i] >= 0);
	}
}

static int setup(void **state)
{
	(void)state;
	sim->reset();
	snprintf(sysroot, sizeof(sysroot), "%s/sys", tmpdir);
	snprintf(devroot, sizeof(devroot), "%s/dev", tmpdir);
	v4l2fx_mkdirs(sysroot);
	v4l2fx_mkdirs(devroot);
	add_cameras();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sim->reset();
	v4l2fx_rmtree(sysroot);
	v4l2fx_rmtree(devroot);
	return 0;
}

/* ---- helpers ---- */

static struct cam_params params(const char *name, const char *serial, const char *device)
{
	return (struct cam_params){ .name = name, .serial = serial ? serial : "",
				    .port = "", .device = device ? device : "",
				    .timeout_ms = 2000, .sysfs_root = sysroot, .dev_root = devroot };
}

static struct cam_handle *open_ok(const struct cam_params *p)
{
	struct cam_handle *h = NULL;
	struct pr_error err = { 0 };
	int rc = drv->open(p, &h, &err);
	if (rc)
		fail_msg("open %s: %d %s", p->name, rc, err.msg);
	assert_non_null(h);
	return h;
}

static int open_err(const struct cam_params *p, struct pr_error *err)
{
	struct cam_handle *h = NULL;
	int rc = drv->open(p, &h, err);
	assert_null(h);
	assert_int_not_equal(rc, 0);
	return rc;
}

static void shoot(struct cam_handle *h, enum cam_kind kind, struct cam_frame *f)
{
	struct pr_error err = { 0 };
	struct cam_request req = { .kind = kind };
	memset(f, 0, sizeof(*f));
	int rc = drv->arm(h, &req, &err);
	if (!rc)
		rc = drv->capture(h, &req, f, &err);
	if (rc)
		fail_msg("capture: %d %s", rc, err.msg);
	assert_true(f->size > 0);
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void check_yuyv_png(const struct cam_frame *f, uint32_t w, uint32_t hh)
{
	assert_string_equal(f->ext, "png");
	struct pr_image img = { 0 };
	struct pr_error err;
	assert_int_equal(pr_decode_memory(f->data, f->size, "frame", &img, &err), 0);
	assert_int_equal(img.width, w);
	assert_int_equal(img.height, hh);
	assert_int_equal(img.channels, 3);
	const uint8_t *l = img.pixels + (hh / 2) * img.stride + (w / 4) * 3;
	const uint8_t *r = img.pixels + (hh / 2) * img.stride + (3 * w / 4) * 3;
	for (int c = 0; c < 3; c++) {
		if (abs(l[c] - GREY_RGB[c]) > 8 || abs(r[c] - RED_RGB[c]) > 8)
			fail_msg("colours: left %u,%u,%u right %u,%u,%u", l[0], l[1], l[2], r[0], r[1],
				 r[2]);
	}
	pr_image_free(&img);
}

/* Which of the simulator's JPEGs the frame is, byte for byte; -1 if none. */
static int which_jpeg(const struct cam_frame *f)
{
	for (int k = 0; k < 2; k++)
		if (f->size == jpeg_size[k] && !memcmp(f->data, jpeg[k], f->size))
			return k;
	return -1;
}

/* ---- tests ---- */

static void test_rig_plates_and_shots(void **state)
{
	(void)state;
	struct cam_setting set_a[] = { { "exposure_absolute", "200" }, { "gain", "40" },
				       { "white_balance_temperature", "5000" },
				       { "focus_absolute", "12" }, { "power_line_frequency", "50" } };
	struct cam_params pa = params("yuyv", serials[CAM_YUYV], NULL);
	pa.settings = set_a;
	pa.nsettings = 5;
	char dev_b[400];
	snprintf(dev_b, sizeof(dev_b), "%s/video2", devroot);
	struct cam_params pb = params("mjpg", NULL, dev_b);
	struct cam_setting set_c[] = { { "exposure_time_absolute", "100" } };
	struct cam_params pc = params("auto", serials[CAM_AUTO], NULL);
	pc.settings = set_c;
	pc.nsettings = 1;

	/* The refusing camera: a clear error by default... */
	struct pr_error err = { 0 };
	assert_int_equal(open_err(&pc, &err), PR_EUNSUPPORTED);
	printf("refusal: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "refuses exposure_auto = 1 (manual exposure)"));
	assert_non_null(strstr(err.msg, "Aperture Priority Mode"));
	assert_non_null(strstr(err.msg, "on_refused_control = warn"));
	/* ...a warning when configured so. */
	pc.controls_warn = 1;
	struct cam_handle *h[NCAMS] = { open_ok(&pa), open_ok(&pb), open_ok(&pc) };
	assert_non_null(strstr(cam_v4l2_warnings(h[CAM_AUTO]), "refuses exposure_auto"));
	assert_string_equal(cam_v4l2_warnings(h[CAM_YUYV]), "");

	struct cam_info info;
	assert_int_equal(drv->identify(h[CAM_MJPG], &info, &err), 0);
	assert_string_equal(info.serial, serials[CAM_MJPG]); /* from sysfs, by device path */
	assert_string_equal(info.model, "Sim MJPEG Camera");
	assert_int_equal(drv->identify(h[CAM_YUYV], &info, &err), 0);
	assert_string_equal(info.serial, serials[CAM_YUYV]);

	char text[NCAMS][1024];
	assert_int_equal(cam_v4l2_controls_text(h[CAM_YUYV], text[0], sizeof(text[0])), 0);
	printf("locked controls:\n%s", text[0]);
	assert_non_null(strstr(text[0], "v4l2.exposure_auto=1\n"));
	assert_non_null(strstr(text[0], "v4l2.exposure_absolute=200\n"));
	assert_non_null(strstr(text[0], "v4l2.gain=40\n"));
	assert_non_null(strstr(text[0], "v4l2.white_balance_temperature_auto=0\n"));
	assert_non_null(strstr(text[0], "v4l2.white_balance_temperature=5000\n"));
	assert_non_null(strstr(text[0], "v4l2.focus_auto=0\n"));
	assert_non_null(strstr(text[0], "v4l2.focus_absolute=10\n")); /* the camera's step is 5 */
	assert_non_null(strstr(text[0], "v4l2.power_line_frequency=1\n"));
	/* Unconfigured automatic modes are locked too. */
	assert_int_equal(cam_v4l2_controls_text(h[CAM_MJPG], text[1], sizeof(text[1])), 0);
	assert_non_null(strstr(text[1], "v4l2.exposure_auto=1\n"));
	assert_non_null(strstr(text[1], "v4l2.focus_auto=0\n"));
	assert_int_equal(cam_v4l2_controls_text(h[CAM_AUTO], text[2], sizeof(text[2])), 0);
	assert_non_null(strstr(text[2], "v4l2.exposure_auto=3\n"));

	/* Plates, then shots: each shot's controls match its plate's. */
	struct cam_frame f;
	for (int i = 0; i < NCAMS; i++) {
		for (int k = 0; k < 2; k++) {
			shoot(h[i], k ? CAM_SHOT : CAM_PLATE, &f);
			struct cam_v4l2_frame_info fi;
			assert_int_equal(cam_v4l2_last_frame(h[i], &fi), 0);
			if (i == CAM_MJPG) {
				assert_string_equal(f.ext, "jpg");
				/* Byte-identical to what the camera produced for that frame. */
				assert_int_equal(which_jpeg(&f), (int)(fi.sequence % 2));
			} else {
				check_yuyv_png(&f, 640, 480); /* the largest size by default */
			}
			cam_frame_free(&f);
			char now[1024], why[256];
			assert_int_equal(cam_v4l2_controls_text(h[i], now, sizeof(now)), 0);
			assert_int_equal(cam_v4l2_controls_compare(text[i], now, why, sizeof(why)), 0);
		}
	}
	/* Someone turns the exposure up between plate and shot: flagged. */
	assert_int_equal(sim->poke_ctrl(sim_id[CAM_YUYV], V4L2_CID_EXPOSURE_ABSOLUTE, 300), 0);
	shoot(h[CAM_YUYV], CAM_SHOT, &f);
	cam_frame_free(&f);
	char now[1024], why[256];
	assert_int_equal(cam_v4l2_controls_text(h[CAM_YUYV], now, sizeof(now)), 0);
	assert_int_equal(cam_v4l2_controls_compare(text[0], now, why, sizeof(why)), 1);
	assert_string_equal(why, "exposure_absolute 200 -> 300");

	for (int i = 0; i < NCAMS; i++) {
		drv->close(&h[i]);
		drv->close(&h[i]); /* safe twice */
		assert_null(h[i]);
	}
}

struct shot_thread {
	struct cam_handle *h;
	struct cam_frame f;
	int rc;
	pthread_barrier_t *barrier;
	struct pr_error err;
};

static void *shot_main(void *arg)
{
	struct shot_thread *t = arg;
	struct cam_request req = { .kind = CAM_SHOT };
	t->rc = drv->arm(t->h, &req, &t->err);
	pthread_barrier_wait(t->barrier);
	if (!t->rc)
		t->rc = drv->capture(t->h, &req, &t->f, &t->err);
	return NULL;
}

static void test_stale_frames_and_set_spread(void **state)
{
	(void)state;
	struct cam_params p[2] = { params("yuyv", serials[CAM_YUYV], NULL),
				   params("mjpg", serials[CAM_MJPG], NULL) };
	struct cam_handle *h[2] = { open_ok(&p[0]), open_ok(&p[1]) };
	for (int round = 0; round < 3; round++) {
		/* Let every buffer fill with frames from before the trigger. */
		nanosleep(&(struct timespec){ 0, 250 * 1000000 }, NULL);
		pthread_barrier_t barrier;
		pthread_barrier_init(&barrier, NULL, 3);
		struct shot_thread t[2] = { { .h = h[0], .barrier = &barrier },
					    { .h = h[1], .barrier = &barrier } };
		pthread_t th[2];
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&th[i], NULL, shot_main, &t[i]), 0);
		int64_t before_rt = cam_now_realtime_ns();
		pthread_barrier_wait(&barrier);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&barrier);
		int64_t cap[2], trig[2], iv = 0;
		int dropped = 0;
		for (int i = 0; i < 2; i++) {
			if (t[i].rc)
				fail_msg("capture %d: %s", i, t[i].err.msg);
			struct cam_v4l2_frame_info fi;
			assert_int_equal(cam_v4l2_last_frame(h[i], &fi), 0);
			/* Stale frames were there, and were given back. */
			assert_true(fi.stale_dropped >= 3);
			/* The frame is the simulator's frame, taken after the trigger... */
			assert_true(fi.capture_mono_ns == sim->frame_time(sim_id[i], fi.sequence));
			assert_true(fi.capture_mono_ns > fi.trigger_mono_ns);
			assert_true(t[i].f.trigger_ns > before_rt);
			assert_true(t[i].f.arrival_ns >= t[i].f.trigger_ns);
			/* ...and the first one after it: the frame before was taken
			 * before the trigger, or was never captured (no buffer). */
			int64_t lag = fi.capture_mono_ns - fi.trigger_mono_ns;
			int64_t prev = sim->frame_time(sim_id[i], fi.sequence - 1);
			assert_true(fi.sequence > 0 && prev <= fi.trigger_mono_ns);
			if (prev >= 0)
				assert_true(lag <= (int64_t)fi.interval_us * 1000);
			dropped |= prev < 0;
			cap[i] = fi.capture_mono_ns;
			trig[i] = fi.trigger_mono_ns;
			iv = (int64_t)fi.interval_us * 1000;
			printf("round %d cam %d: %u stale dropped, frame %u at trigger +%.1f ms\n", round,
			       i, fi.stale_dropped, fi.sequence, (double)lag / 1e6);
			cam_frame_free(&t[i].f);
		}
		/* Each frame is within one interval after its camera's trigger, so
		 * the set is within one interval (plus the threads' start skew). */
		int64_t spread = cap[0] > cap[1] ? cap[0] - cap[1] : cap[1] - cap[0];
		int64_t skew = trig[0] > trig[1] ? trig[0] - trig[1] : trig[1] - trig[0];
		printf("round %d: set spread %.1f ms (trigger skew %.2f ms)\n", round,
		       (double)spread / 1e6, (double)skew / 1e6);
		if (!dropped)
			assert_true(spread <= iv + skew);
	}
	drv->close(&h[0]);
	drv->close(&h[1]);
}

static void test_unplug_and_return(void **state)
{
	(void)state;
	struct cam_params pa = params("yuyv", serials[CAM_YUYV], NULL);
	struct cam_params pb = params("mjpg", serials[CAM_MJPG], NULL);
	struct cam_handle *a = open_ok(&pa), *b = open_ok(&pb);
	struct cam_frame kept_a, kept_b, f;
	shoot(a, CAM_SHOT, &kept_a);
	shoot(b, CAM_SHOT, &kept_b);
	uint8_t *copy_b = malloc(kept_b.size);
	assert_non_null(copy_b);
	memcpy(copy_b, kept_b.data, kept_b.size);

	/* Unplug b mid-stream. */
	sim->unplug(sim_id[CAM_MJPG]);
	v4l2fx_remove_node(sysroot, devroot, 2);
	struct pr_error err = { 0 };
	struct cam_request req = { .kind = CAM_SHOT };
	memset(&f, 0, sizeof(f));
	int64_t t0 = mono_ns();
	assert_int_equal(drv->capture(b, &req, &f, &err), CAM_EGONE);
	assert_true(mono_ns() - t0 < 1000000000LL); /* at once, not after the timeout */
	printf("unplugged: %s\n", err.msg);
	assert_int_equal(drv->arm(b, &req, &err), CAM_EGONE);
	/* The other camera carries on. */
	shoot(a, CAM_SHOT, &f);
	check_yuyv_png(&f, 640, 480);
	cam_frame_free(&f);
	/* Re-open while it is away: not there. */
	assert_int_equal(open_err(&pb, &err), CAM_EGONE);
	printf("while away: %s\n", err.msg);
	drv->close(&b);
	drv->close(&b);

	/* Back, as another node: found by its serial. */
	v4l2fx_add_node(sysroot, devroot, 7, 2, serials[CAM_MJPG]);
	char path[400];
	snprintf(path, sizeof(path), "%s/video7", devroot);
	sim->replug(sim_id[CAM_MJPG], path);
	b = open_ok(&pb);
	struct cam_info info;
	assert_int_equal(drv->identify(b, &info, &err), 0);
	assert_string_equal(info.port, path);
	assert_string_equal(info.serial, serials[CAM_MJPG]);
	shoot(b, CAM_SHOT, &f);
	assert_true(which_jpeg(&f) >= 0);
	cam_frame_free(&f);
	shoot(a, CAM_SHOT, &f);
	cam_frame_free(&f);

	/* Nothing already delivered was lost or touched. */
	assert_memory_equal(kept_b.data, copy_b, kept_b.size);
	assert_true(which_jpeg(&kept_b) >= 0);
	check_yuyv_png(&kept_a, 640, 480);
	free(copy_b);
	cam_frame_free(&kept_a);
	cam_frame_free(&kept_b);
	drv->close(&a);
	drv->close(&b);
}

static void test_stalled_camera_times_out(void **state)
{
	(void)state;
	struct cam_params p = params("yuyv", serials[CAM_YUYV], NULL);
	p.timeout_ms = 300;
	struct cam_handle *h = open_ok(&p);
	struct cam_frame f;
	shoot(h, CAM_SHOT, &f);
	cam_frame_free(&f);
	sim->stall(sim_id[CAM_YUYV], 1);
	struct pr_error err = { 0 };
	struct cam_request req = { .kind = CAM_SHOT };
	memset(&f, 0, sizeof(f));
	int64_t t0 = mono_ns();
	assert_int_equal(drv->capture(h, &req, &f, &err), CAM_ETIMEOUT);
	int64_t took = mono_ns() - t0;
	printf("stalled: %s (%.0f ms)\n", err.msg, (double)took / 1e6);
	assert_true(took >= 300 * 1000000LL && took < 1500 * 1000000LL);
	sim->stall(sim_id[CAM_YUYV], 0);
	shoot(h, CAM_SHOT, &f); /* it recovers when frames come again */
	cam_frame_free(&f);
	drv->close(&h);
}

static void test_formats(void **state)
{
	(void)state;
	struct pr_error err = { 0 };
	struct cam_params p = params("yuyv", serials[CAM_YUYV], NULL);
	struct cam_frame f;
	/* MJPEG asked of a camera that also offers YUYV: its own JPEG bytes. */
	p.pixel_format = "MJPG";
	struct cam_handle *h = open_ok(&p);
	shoot(h, CAM_SHOT, &f);
	assert_string_equal(f.ext, "jpg");
	assert_true(which_jpeg(&f) >= 0);
	cam_frame_free(&f);
	drv->close(&h);
	/* YUYV at a size MJPEG also offers: still converted from YUYV. */
	p.pixel_format = "YUYV";
	p.width = 320;
	p.height = 240;
	p.fps = 15;
	h = open_ok(&p);
	shoot(h, CAM_SHOT, &f);
	check_yuyv_png(&f, 320, 240);
	cam_frame_free(&f);
	struct cam_v4l2_frame_info fi;
	assert_int_equal(cam_v4l2_last_frame(h, &fi), 0);
	assert_int_equal(fi.interval_us, 1000000 / 15);
	assert_int_equal(fi.fourcc, V4L2_PIX_FMT_YUYV);
	drv->close(&h);

	/* What the camera cannot do, named with what it can. */
	p = params("yuyv", serials[CAM_YUYV], NULL);
	p.pixel_format = "H264";
	open_err(&p, &err);
	printf("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "pixel_format = H264 is not offered; the camera offers "
					"YUYV 320x240 640x480, MJPG 320x240"));
	p.pixel_format = NULL;
	p.width = 1000;
	p.height = 700;
	open_err(&p, &err);
	assert_non_null(strstr(err.msg, "YUYV has no 1000x700"));
	p.width = p.height = 0;
	p.fps = 60;
	open_err(&p, &err);
	printf("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "cannot run at fps = 60; it offers 30, 15 fps"));
	p.fps = 0;
	struct cam_setting bad[] = { { "zoom_absolute", "3" } };
	p.settings = bad;
	p.nsettings = 1;
	assert_int_equal(open_err(&p, &err), PR_EINVAL);
	assert_non_null(strstr(err.msg, "no control set.zoom_absolute; it has brightness"));
	/* every bad line of a camera in one message, not one per reload */
	struct cam_setting two[] = { { "zoom_absolute", "3" }, { "gain", "lots" } };
	p.settings = two;
	p.nsettings = 2;
	assert_int_equal(open_err(&p, &err), PR_EINVAL);
	assert_non_null(strstr(err.msg, ": 2 bad settings: no control set.zoom_absolute; it has "));
	assert_non_null(strstr(err.msg, "; set.gain = lots is not a value"));
	p.nsettings = 1;
	struct cam_setting range[] = { { "gain", "999" } };
	p.settings = range;
	assert_int_equal(open_err(&p, &err), PR_EINVAL);
	assert_non_null(strstr(err.msg, "outside 0..255"));
	/* Any control by its QUERYCTRL name, and menus by their item names. */
	struct cam_setting named[] = { { "brightness", "100" }, { "auto_exposure", "manual" },
				       { "power_line_frequency", "60 Hz" } };
	p.settings = named;
	p.nsettings = 3;
	h = open_ok(&p);
	char text[1024];
	cam_v4l2_controls_text(h, text, sizeof(text));
	assert_non_null(strstr(text, "v4l2.brightness=100\n"));
	assert_non_null(strstr(text, "v4l2.power_line_frequency=2\n"));
	drv->close(&h);
	/* A serial nobody has. */
	p = params("x", "NOPE", NULL);
	assert_int_equal(open_err(&p, &err), CAM_EGONE);
	assert_non_null(strstr(err.msg, "no V4L2 camera with serial NOPE"));
	assert_non_null(strstr(err.msg, "video0=SIM-YUYV-1"));
}

static void test_compare_texts(void **state)
{
	(void)state;
	char why[200];
	const char *plate = "driver=v4l2\nv4l2.exposure_auto=1\nv4l2.gain=40\n";
	assert_int_equal(cam_v4l2_controls_compare(plate, plate, why, sizeof(why)), 0);
	assert_int_equal(cam_v4l2_controls_compare(plate, "driver=v4l2\nv4l2.gain=40\nv4l2.exposure_auto=1",
						   why, sizeof(why)), 0);
	assert_int_equal(cam_v4l2_controls_compare(plate, "v4l2.exposure_auto=1\n", why, sizeof(why)),
			 1);
	assert_string_equal(why, "gain 40 -> none");
	assert_int_equal(cam_v4l2_controls_compare(plate, "v4l2.exposure_auto=1\nv4l2.gain=40\n"
						   "v4l2.focus_auto=0\n", why, sizeof(why)), 1);
	assert_string_equal(why, "focus_auto none -> 0");
	assert_int_equal(cam_v4l2_controls_compare(NULL, "", why, sizeof(why)), 0);
	/* Hostile text: no crash, no overflow. */
	char tiny[4];
	assert_int_equal(cam_v4l2_controls_compare("v4l2.=\nv4l2.a=1", "v4l2.a=22222222\n=", tiny,
						   sizeof(tiny)), 1);
}

int main(void)
{
	const char *plugin = getenv("PHOTORIG_V4L2SIM_PLUGIN");
	if (!plugin) {
		fprintf(stderr, "skip: run through run_v4l2_test.sh (PHOTORIG_V4L2SIM_PLUGIN unset)\n");
		return 77;
	}
	/* The same path libv4l2 will dlopen, so both get this one instance. */
	void *lib = dlopen(plugin, RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "cannot load the simulated camera plugin: %s\n", dlerror());
		return 1;
	}
	const struct v4l2sim_api *(*get)(void) =
		(const struct v4l2sim_api *(*)(void))dlsym(lib, "v4l2sim_api");
	if (!get || !(sim = get()))
		return 1;
	if (!mkdtemp(tmpdir))
		return 1;
	make_jpegs();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rig_plates_and_shots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_frames_and_set_spread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unplug_and_return, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stalled_camera_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_formats, setup, teardown),
		cmocka_unit_test(test_compare_texts),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	v4l2fx_rmtree(tmpdir);
	free(jpeg[0]);
	free(jpeg[1]);
	return rc;
}
