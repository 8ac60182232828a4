/* The gphoto2 camera driver through the real libgphoto2 and simulated
 * PTP/IP cameras (photorig-ptpip-sim).
 *
 * Every test starts its own simulators on 127.0.0.2..5, all on one port
 * picked free for the test (as real PTP/IP cameras all listen on 15740), so
 * a camera's port string stays valid when the simulators swap addresses;
 * the port is chosen by the kernel and checked free on every address, so
 * the test runs in parallel with others. Simulators die with the test.
 * Every wait is bounded. Files are compared byte for byte with each
 * simulator's --served-dir copy, and trigger times come from the
 * simulators' shared --log. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cam_gphoto2.h"
#include "camera.h"
#include "gp_internal.h"
#include "ptpip_gpclient.h"
#include "ptpip_spawn.h"

#define NCAM 4
#define MAX_KEEP 64

static char tmpdir[] = "/tmp/photorig-gpdrv-test.XXXXXX";
static const struct cam_driver *drv = &cam_gphoto2_driver;

struct kept {                 /* a downloaded file, checked again at the end */
	uint8_t *data;
	size_t size;
	char served_dir[512];
};

struct rig {
	struct sim_proc sim[NCAM];
	struct cam_handle *h[NCAM];
	char serial[NCAM][32];
	char served[NCAM][512];
	char log[512];
	int port;
	unsigned test_no;
	struct kept kept[MAX_KEEP];
	int nkept;
};

static int group_setup(void **state)
{
	(void)state;
	/* SIGPIPE is left at its default on purpose: the driver must protect
	 * itself from libgphoto2 writing to a dropped connection. */
	return gpc_scratch_setup(tmpdir);
}

static int group_teardown(void **state)
{
	(void)state;
	gpc_scratch_remove(tmpdir);
	return 0;
}

/* A port free on 127.0.0.2..5 right now. */
static int free_port(void)
{
	for (int attempt = 0; attempt < 50; attempt++) {
		int fds[NCAM], port = 0, ok = 1;
		for (int i = 0; i < NCAM; i++)
			fds[i] = -1;
		for (int i = 0; i < NCAM && ok; i++) {
			struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
			char addr[32];
			snprintf(addr, sizeof(addr), "127.0.0.%d", 2 + i);
			inet_pton(AF_INET, addr, &a.sin_addr);
			fds[i] = socket(AF_INET, SOCK_STREAM, 0);
			int one = 1;
			setsockopt(fds[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			ok = fds[i] >= 0 && bind(fds[i], (struct sockaddr *)&a, sizeof(a)) == 0;
			socklen_t len = sizeof(a);
			if (ok && i == 0 && getsockname(fds[0], (struct sockaddr *)&a, &len) == 0)
				port = ntohs(a.sin_port);
		}
		for (int i = 0; i < NCAM; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		if (ok && port)
			return port;
	}
	return -1;
}

static int rig_setup(void **state)
{
	static unsigned test_no;
	struct rig *r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	r->test_no = ++test_no;
	r->port = free_port();
	snprintf(r->log, sizeof(r->log), "%s/t%u-trigger.log", tmpdir, r->test_no);
	for (int i = 0; i < NCAM; i++)
		snprintf(r->serial[i], sizeof(r->serial[i]), "GPDRV%u-%c", r->test_no, 'A' + i);
	gpd_forget_candidates();
	*state = r;
	return r->port > 0 ? 0 : -1;
}

static int rig_teardown(void **state)
{
	struct rig *r = *state;
	for (int i = 0; i < NCAM; i++) {
		drv->close(&r->h[i]);
		sim_proc_stop(&r->sim[i], 3000);
	}
	for (int i = 0; i < r->nkept; i++)
		free(r->kept[i].data);
	free(r);
	return 0;
}

static void port_of(const struct rig *r, int addr, char *buf, size_t size)
{
	snprintf(buf, size, "ptpip:127.0.0.%d:%d:%d", 2 + addr, r->port, r->port);
}

/* Starts camera i's simulator on address addr; gen names its served dir. */
static void start_sim(struct rig *r, int i, int addr, int gen, const char *const *extra)
{
	char port[16], address[32];
	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(address, sizeof(address), "127.0.0.%d", 2 + addr);
	char serial[32], dir[512];
	memcpy(serial, r->serial[i], sizeof(serial));
	snprintf(dir, sizeof(dir), "%s/t%u-%s-%d", tmpdir, r->test_no, serial, gen);
	memcpy(r->served[i], dir, sizeof(dir));
	const char *args[16] = { "--port", port, "--served-dir", r->served[i], "--log", r->log };
	size_t n = 6;
	for (size_t k = 0; extra && extra[k] && n < 15; k++)
		args[n++] = extra[k];
	args[n] = NULL;
	int rc = sim_proc_start(&r->sim[i], PTPIP_SIM_PATH, address, r->serial[i], args, 5000);
	if (rc < 0)
		fail_msg("cannot start simulator %s on %s: %s", r->serial[i], address, strerror(-rc));
}

static int open_cam(struct rig *r, int i, const char *serial, const char *port,
		    const struct cam_setting *set, uint32_t nset, uint32_t timeout_ms,
		    struct pr_error *err)
{
	char name[16];
	snprintf(name, sizeof(name), "cam%02d", i + 1);
	struct cam_params p = { .name = name, .serial = serial, .port = port, .device = "",
				.settings = set, .nsettings = nset, .timeout_ms = timeout_ms,
				.delete_after_download = 1 };
	return drv->open(&p, &r->h[i], err);
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
			uint8_t *b = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (!b)
				break;
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (!got)
			break;
	}
	fclose(fp);
	*size = n;
	return buf;
}

/* Is data byte-identical to one of the files the simulator served? */
static int served_match(const char *dir, const uint8_t *data, size_t size)
{
	for (int k = 1; k <= 99; k++) {
		char path[700];
		snprintf(path, sizeof(path), "%s/IMG_%04d.JPG", dir, k);
		size_t n;
		uint8_t *want = read_all(path, &n);
		if (!want)
			continue;
		int same = n == size && !memcmp(want, data, n);
		free(want);
		if (same)
			return 1;
	}
	return 0;
}

/* Checks a delivered frame and keeps a copy for the final check. */
static void check_frame(struct rig *r, int i, struct cam_frame *f)
{
	assert_non_null(f->data);
	assert_true(f->size > 4 && f->data[0] == 0xFF && f->data[1] == 0xD8);
	assert_string_equal(f->ext, "jpg");
	assert_null(f->next); /* the simulator writes one file per capture */
	assert_true(f->trigger_ns > 0 && f->arrival_ns >= f->trigger_ns);
	if (!served_match(r->served[i], f->data, f->size))
		fail_msg("%s: the downloaded file differs from every file the simulator served",
			 r->serial[i]);
	if (r->nkept < MAX_KEEP) {
		struct kept *k = &r->kept[r->nkept++];
		k->data = f->data;
		k->size = f->size;
		memcpy(k->served_dir, r->served[i], sizeof(k->served_dir));
		f->data = NULL;
	}
	cam_frame_free(f);
}

static void check_kept(struct rig *r)
{
	for (int i = 0; i < r->nkept; i++)
		assert_true(served_match(r->kept[i].served_dir, r->kept[i].data, r->kept[i].size));
}

/* ---- barrier rounds ---- */

struct job {
	struct cam_handle *h;
	pthread_barrier_t *barrier;
	int rc;
	struct pr_error err;
	struct cam_frame frame;
	double ms;                /* arm to capture end, after the barrier */
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	struct cam_request req = { .kind = CAM_SHOT };
	j->rc = drv->arm(j->h, &req, &j->err);
	pthread_barrier_wait(j->barrier);
	double t0 = gpc_now_ms();
	if (!j->rc)
		j->rc = drv->capture(j->h, &req, &j->frame, &j->err);
	j->ms = gpc_now_ms() - t0;
	return NULL;
}

/* One set: every camera armed, released together, captured. */
static void run_round(struct rig *r, struct job *jobs)
{
	pthread_barrier_t b;
	pthread_t t[NCAM];
	pthread_barrier_init(&b, NULL, NCAM);
	for (int i = 0; i < NCAM; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].h = r->h[i];
		jobs[i].barrier = &b;
		pthread_create(&t[i], NULL, job_main, &jobs[i]);
	}
	for (int i = 0; i < NCAM; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&b);
}

/* Spread of trigger arrivals (ms) for capture number cap of every camera. */
static double log_spread(struct rig *r, unsigned cap)
{
	size_t size;
	char *text = (char *)read_all(r->log, &size);
	if (!text)
		return -1;
	char *buf = realloc(text, size + 1);
	if (!buf) {
		free(text);
		return -1;
	}
	buf[size] = '\0';
	double lo = 1e300, hi = -1e300;
	int seen = 0;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long s, ns;
		char serial[64];
		unsigned c;
		if (sscanf(line, "mono=%llu.%llu real=%*s serial=%63s capture=%u", &s, &ns, serial,
			   &c) != 4 || c != cap)
			continue;
		for (int i = 0; i < NCAM; i++)
			if (!strcmp(serial, r->serial[i])) {
				double t = (double)s * 1e3 + (double)ns / 1e6;
				lo = t < lo ? t : lo;
				hi = t > hi ? t : hi;
				seen++;
			}
	}
	free(buf);
	return seen == NCAM ? hi - lo : -1;
}

/* Files left on the camera, all folders. */
static int count_files_in(struct cam_handle *h, const char *folder, int depth)
{
	CameraList *l;
	int n = 0;
	gp_list_new(&l);
	if (gp_camera_folder_list_files(h->cam, folder, l, h->ctx) >= GP_OK)
		n += gp_list_count(l);
	gp_list_reset(l);
	if (depth < 5 && gp_camera_folder_list_folders(h->cam, folder, l, h->ctx) >= GP_OK)
		for (int i = 0; i < gp_list_count(l); i++) {
			const char *sub;
			char path[1024];
			gp_list_get_name(l, i, &sub);
			if (snprintf(path, sizeof(path), "%s/%s", strcmp(folder, "/") ? folder : "",
				     sub) >= (int)sizeof(path))
				continue;
			n += count_files_in(h, path, depth + 1);
		}
	gp_list_free(l);
	return n;
}

static int count_files(struct cam_handle *h)
{
	return count_files_in(h, "/", 0);
}

/* ---- tests ---- */

static const struct cam_setting good[] = {
	{ "iso", "400" },          { "shutterspeed", "1/125" }, { "aperture", "8" },
	{ "whitebalance", "daylight" }, { "imagesize", "1280x960" },
};

/* libgphoto2 2.5.30 closes descriptor 0 whenever a PTP/IP camera closes:
 * whatever the program holds there (here a pipe, in photorigd a client or
 * a file being written) must survive it. */
static void test_fd0_kept(void **state)
{
	struct rig *r = *state;
	struct pr_error err = { 0 };
	char port[64];
	int p[2];
	struct stat before, after;
	assert_int_equal(pipe(p), 0);
	int saved = dup(0);
	assert_true(saved > 0);
	assert_int_equal(dup2(p[0], 0), 0);
	assert_int_equal(fstat(0, &before), 0);
	start_sim(r, 0, 0, 1, NULL);
	port_of(r, 0, port, sizeof(port));
	if (open_cam(r, 0, r->serial[0], port, NULL, 0, 0, &err))
		fail_msg("open: %s", err.msg);
	drv->close(&r->h[0]);
	int kept = fstat(0, &after) == 0 && S_ISFIFO(after.st_mode) && after.st_ino == before.st_ino;
	dup2(saved, 0);
	close(saved);
	close(p[0]);
	close(p[1]);
	assert_true(kept);
}

static void test_rig_of_four(void **state)
{
	struct rig *r = *state;
	struct pr_error err = { 0 };
	char port[NCAM][64];
	for (int i = 0; i < NCAM; i++) {
		start_sim(r, i, i, 1, NULL);
		port_of(r, i, port[i], sizeof(port[i]));
		assert_int_equal(cam_gphoto2_add_candidate_port(port[i]), 0);
	}
	/* cam01 by serial alone (found among the candidates), the rest by
	 * serial and port. */
	for (int i = 0; i < NCAM; i++) {
		int rc = open_cam(r, i, r->serial[i], i ? port[i] : "", good, 5, 0, &err);
		if (rc)
			fail_msg("open: %s", err.msg);
		struct cam_info info;
		assert_int_equal(drv->identify(r->h[i], &info, &err), 0);
		assert_string_equal(info.serial, r->serial[i]);
		assert_string_equal(info.port, port[i]);
	}
	/* Settings were applied and read back as the camera spells them. */
	char v[64];
	const char *want[][2] = { { "iso", "400" }, { "shutterspeed", "0.0080s" },
				  { "f-number", "f/8" }, { "whitebalance", "Daylight" },
				  { "imagesize", "1280x960" } };
	for (size_t k = 0; k < 5; k++) {
		assert_int_equal(gpcfg_read(r->h[2], want[k][0], v, sizeof(v)), GP_OK);
		assert_string_equal(v, want[k][1]);
	}
	/* Invalid settings fail at open, naming the key and the choices. */
	drv->close(&r->h[3]);
	assert_null(r->h[3]);
	drv->close(&r->h[3]); /* twice is safe */
	struct cam_setting bad_iso[] = { { "iso", "250" } };
	assert_int_equal(open_cam(r, 3, r->serial[3], port[3], bad_iso, 1, 0, &err), PR_EINVAL);
	print_message("invalid value: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "set.iso = 250"));
	assert_non_null(strstr(err.msg, "100, 200, 400, 800, 1600, 3200"));
	struct cam_setting bad_key[] = { { "capturetarget", "Memory card" } };
	assert_int_equal(open_cam(r, 3, r->serial[3], port[3], bad_key, 1, 0, &err), PR_EINVAL);
	print_message("unknown key: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "no setting 'capturetarget'"));
	assert_null(r->h[3]);
	assert_int_equal(open_cam(r, 3, r->serial[3], port[3], good, 5, 0, &err), 0);

	/* A watched setting that flipped is caught before the set and put
	 * back (capturetarget on a real camera; iso stands in for it here). */
	struct cam_handle *h = r->h[1];
	snprintf(h->target_key, sizeof(h->target_key), "iso");
	snprintf(h->target_value, sizeof(h->target_value), "400");
	CameraWidget *w;
	assert_int_equal(gp_camera_get_single_config(h->cam, "iso", &w, h->ctx), GP_OK);
	assert_int_equal(gp_widget_set_value(w, "800"), GP_OK);
	assert_int_equal(gp_camera_set_single_config(h->cam, "iso", w, h->ctx), GP_OK);
	gp_widget_free(w);
	struct cam_request req = { .kind = CAM_SHOT };
	assert_int_equal(drv->arm(h, &req, &err), PR_EINVAL);
	print_message("flipped: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "expected '400'"));
	assert_int_equal(drv->arm(h, &req, &err), 0); /* restored */

	/* Three sets released from a barrier. */
	struct job jobs[NCAM];
	for (unsigned round = 1; round <= 3; round++) {
		run_round(r, jobs);
		for (int i = 0; i < NCAM; i++) {
			if (jobs[i].rc)
				fail_msg("round %u %s: %s", round, r->serial[i], jobs[i].err.msg);
			check_frame(r, i, &jobs[i].frame);
		}
		print_message("set %u: trigger spread across %d cameras %.3f ms\n", round, NCAM,
			      log_spread(r, round));
		assert_true(log_spread(r, round) >= 0);
	}
	for (int i = 0; i < NCAM; i++)
		assert_int_equal(count_files(r->h[i]), 0); /* deleted after download */
	/* PTP/IP cameras cannot be USB-reset: the driver says so. */
	assert_int_equal(drv->reset(r->h[0], &err), PR_EUNSUPPORTED);
	check_kept(r);
}

struct opener {
	struct rig *r;
	int i;
	char port[64];
	int rc;
	struct pr_error err;
};

static void *opener_main(void *arg)
{
	struct opener *o = arg;
	o->rc = open_cam(o->r, o->i, o->r->serial[o->i], o->port, NULL, 0, 0, &o->err);
	return NULL;
}

static void test_identity_by_serial(void **state)
{
	struct rig *r = *state;
	struct pr_error err;
	char port[NCAM][64];
	for (int i = 0; i < NCAM; i++) {
		start_sim(r, i, i, 1, NULL);
		port_of(r, i, port[i], sizeof(port[i]));
		cam_gphoto2_add_candidate_port(port[i]); /* what the daemon does with its config */
	}
	for (int i = 0; i < NCAM; i++)
		assert_int_equal(open_cam(r, i, r->serial[i], port[i], NULL, 0, 0, &err), 0);
	for (int i = 0; i < NCAM; i++)
		drv->close(&r->h[i]);
	/* Every camera moves to the next address. */
	for (int i = 0; i < NCAM; i++)
		sim_proc_stop(&r->sim[i], 3000);
	for (int i = 0; i < NCAM; i++)
		start_sim(r, i, (i + 1) % NCAM, 2, NULL);
	/* All positions attach at once, each with its old (now wrong) port. */
	struct opener o[NCAM];
	pthread_t t[NCAM];
	for (int i = 0; i < NCAM; i++) {
		o[i] = (struct opener){ .r = r, .i = i };
		_Static_assert(sizeof(o[i].port) == sizeof(port[i]), "same port buffers");
		memcpy(o[i].port, port[i], sizeof(o[i].port));
		pthread_create(&t[i], NULL, opener_main, &o[i]);
	}
	for (int i = 0; i < NCAM; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NCAM; i++) {
		if (o[i].rc)
			fail_msg("re-open %s: %s", r->serial[i], o[i].err.msg);
		struct cam_info info;
		assert_int_equal(drv->identify(r->h[i], &info, &err), 0);
		assert_string_equal(info.serial, r->serial[i]);
		assert_string_equal(info.port, port[(i + 1) % NCAM]);
		print_message("cam%02d: serial %s now at %s\n", i + 1, info.serial, info.port);
	}
	struct job jobs[NCAM];
	run_round(r, jobs);
	for (int i = 0; i < NCAM; i++) {
		if (jobs[i].rc)
			fail_msg("%s: %s", r->serial[i], jobs[i].err.msg);
		check_frame(r, i, &jobs[i].frame); /* its own camera's file */
	}
}

static void test_faults(void **state)
{
	struct rig *r = *state;
	struct pr_error err;
	const char *busy[] = { "--busy", "2", NULL };
	const char *drop[] = { "--drop-on", "2", NULL };
	const char *stall[] = { "--stall-on", "2", NULL };
	const char *const *extra[NCAM] = { busy, drop, stall, NULL };
	char port[NCAM][64];
	for (int i = 0; i < NCAM; i++) {
		start_sim(r, i, i, 1, extra[i]);
		port_of(r, i, port[i], sizeof(port[i]));
		assert_int_equal(open_cam(r, i, r->serial[i], port[i], NULL, 0, 4000, &err), 0);
	}
	struct job jobs[NCAM];
	/* Set 1: the busy camera is retried and delivers. */
	run_round(r, jobs);
	for (int i = 0; i < NCAM; i++) {
		if (jobs[i].rc)
			fail_msg("set 1 %s: %s", r->serial[i], jobs[i].err.msg);
		check_frame(r, i, &jobs[i].frame);
	}
	print_message("busy camera delivered after 2 busy answers in %.0f ms\n", jobs[0].ms);
	/* Set 2: one camera drops, one stalls; the others are unaffected. */
	run_round(r, jobs);
	print_message("drop: %s after %.0f ms\nstall: %s after %.0f ms\nothers: %.0f, %.0f ms\n",
		      jobs[1].err.msg, jobs[1].ms, jobs[2].err.msg, jobs[2].ms, jobs[0].ms, jobs[3].ms);
	assert_int_equal(jobs[1].rc, CAM_EGONE);
	assert_true(jobs[1].ms < 2000);
	assert_int_equal(jobs[2].rc, CAM_ETIMEOUT);
	assert_true(jobs[2].ms < 4000 + 500);
	for (int i = 0; i < NCAM; i += 3) {
		if (jobs[i].rc)
			fail_msg("set 2 %s: %s", r->serial[i], jobs[i].err.msg);
		assert_true(jobs[i].ms < 1500);
		check_frame(r, i, &jobs[i].frame);
	}
	/* The failed handles say "re-open" at once. */
	struct cam_request req = { .kind = CAM_SHOT };
	double t0 = gpc_now_ms();
	assert_int_equal(drv->arm(r->h[1], &req, &err), CAM_EGONE);
	assert_int_equal(drv->arm(r->h[2], &req, &err), CAM_EGONE);
	assert_true(gpc_now_ms() - t0 < 1000);
	/* Re-open both; closing the stalled one costs libgphoto2's 2.5 s. The
	 * stalled simulator keeps its dead session (a real camera that hung
	 * needs a power cycle too): it is restarted before the re-open. */
	for (int i = 1; i <= 2; i++) {
		t0 = gpc_now_ms();
		drv->close(&r->h[i]);
		double close_ms = gpc_now_ms() - t0;
		if (i == 2) {
			sim_proc_stop(&r->sim[i], 3000);
			start_sim(r, i, i, 2, NULL);
		}
		int rc = open_cam(r, i, r->serial[i], port[i], NULL, 0, 4000, &err);
		print_message("%s: close %.0f ms, re-open %.0f ms total\n", r->serial[i], close_ms,
			      gpc_now_ms() - t0);
		assert_true(close_ms < 4000);
		if (rc)
			fail_msg("re-open %s: %s", r->serial[i], err.msg);
		struct cam_frame f = { 0 };
		if (drv->capture(r->h[i], &req, &f, &err))
			fail_msg("%s after re-open: %s", r->serial[i], err.msg);
		check_frame(r, i, &f);
	}
	/* A camera that is switched off: open fails fast, no hang; it attaches
	 * again when it returns. */
	drv->close(&r->h[1]);
	sim_proc_stop(&r->sim[1], 3000);
	t0 = gpc_now_ms();
	assert_int_equal(open_cam(r, 1, r->serial[1], port[1], NULL, 0, 4000, &err), CAM_EGONE);
	print_message("switched off: %s (%.0f ms)\n", err.msg, gpc_now_ms() - t0);
	assert_true(gpc_now_ms() - t0 < 2000);
	start_sim(r, 1, 1, 2, NULL);
	assert_int_equal(open_cam(r, 1, r->serial[1], port[1], NULL, 0, 4000, &err), 0);
	struct cam_frame f = { 0 };
	assert_int_equal(drv->capture(r->h[1], &req, &f, &err), 0);
	check_frame(r, 1, &f);
	/* Busy for longer than the driver retries: CAM_EBUSY, bounded. */
	drv->close(&r->h[3]);
	sim_proc_stop(&r->sim[3], 3000);
	const char *busy_long[] = { "--busy", "1000", NULL };
	start_sim(r, 3, 3, 2, busy_long);
	assert_int_equal(open_cam(r, 3, r->serial[3], port[3], NULL, 0, 4000, &err), 0);
	t0 = gpc_now_ms();
	assert_int_equal(drv->capture(r->h[3], &req, &f, &err), CAM_EBUSY);
	print_message("always busy: %s (%.0f ms)\n", err.msg, gpc_now_ms() - t0);
	assert_true(gpc_now_ms() - t0 < 3000);
	/* Nothing already downloaded was lost or changed. */
	check_kept(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rig_of_four, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_identity_by_serial, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_faults, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_fd0_kept, rig_setup, rig_teardown),
	};
	if (getenv("GPDRV_TEST_FILTER"))
		cmocka_set_test_filter(getenv("GPDRV_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
