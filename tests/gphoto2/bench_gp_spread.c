/* bench_gp_spread: trigger spread of N cameras fired through the gphoto2
 * driver, released from a barrier (one thread per camera, as photorigd
 * does) versus a sequential loop over the cameras.
 *
 * Starts N simulators on 127.0.0.2.. (kernel-chosen ports), opens each
 * through cam_gphoto2_driver by serial, then runs R sets each way. The
 * spread of a set is max - min of the simulators' CLOCK_MONOTONIC
 * trigger-arrival stamps in their shared --log, which is what the cameras
 * saw. Not a ctest: run it from a Release build.
 *
 * usage: bench_gp_spread [--cameras N] [--rounds R] [--latency-ms MS] */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cam_gphoto2.h"
#include "camera.h"
#include "ptpip_gpclient.h"
#include "ptpip_spawn.h"

#define MAX_CAMS 16
#define MAX_ROUNDS 500

static const struct cam_driver *drv = &cam_gphoto2_driver;
static struct sim_proc sims[MAX_CAMS];
static struct cam_handle *cams[MAX_CAMS];
static double mono[MAX_CAMS][2 * MAX_ROUNDS + 1];
static int ncams = 4, rounds = 20, failures;
static pthread_barrier_t barrier;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void shot(int i)
{
	struct cam_request req = { .kind = CAM_SHOT };
	struct cam_frame f = { 0 };
	struct pr_error err;
	if (drv->capture(cams[i], &req, &f, &err)) {
		pthread_mutex_lock(&fail_lock);
		failures++;
		fprintf(stderr, "%s\n", err.msg);
		pthread_mutex_unlock(&fail_lock);
	}
	cam_frame_free(&f);
}

static void *thread_main(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct cam_request req = { .kind = CAM_SHOT };
	struct pr_error err;
	for (int r = 0; r < rounds; r++) {
		if (drv->arm(cams[i], &req, &err))
			fprintf(stderr, "%s\n", err.msg);
		pthread_barrier_wait(&barrier);
		shot(i);
		pthread_barrier_wait(&barrier);
	}
	return NULL;
}

static void read_log(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	char line[1024];
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long s, ns;
		char serial[64];
		int cap;
		if (sscanf(line, "mono=%llu.%llu real=%*s serial=%63s capture=%d", &s, &ns, serial,
			   &cap) != 4 || cap < 1 || cap > 2 * rounds)
			continue;
		for (int i = 0; i < ncams; i++)
			if (!strcmp(serial, sims[i].serial))
				mono[i][cap] = (double)s * 1e3 + (double)ns / 1e6;
	}
	fclose(fp);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, int first)
{
	double sp[MAX_ROUNDS], sum = 0;
	int n = 0;
	for (int r = 0; r < rounds; r++) {
		double lo = 1e300, hi = -1e300;
		int seen = 0;
		for (int i = 0; i < ncams; i++) {
			double t = mono[i][first + r];
			if (t > 0) {
				seen++;
				lo = t < lo ? t : lo;
				hi = t > hi ? t : hi;
			}
		}
		if (seen == ncams) {
			sp[n++] = hi - lo;
			sum += hi - lo;
		}
	}
	if (!n) {
		printf("%-10s cameras=%d: no complete sets\n", what, ncams);
		return;
	}
	qsort(sp, (size_t)n, sizeof(double), cmp_double);
	printf("%-10s cameras=%d sets=%d spread ms: min %.3f median %.3f p90 %.3f max %.3f mean %.3f\n",
	       what, ncams, n, sp[0], sp[n / 2], sp[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1],
	       sp[n - 1], sum / n);
}

int main(int argc, char **argv)
{
	const char *latency = "100";
	static const struct option opts[] = {
		{ "cameras", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "latency-ms", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'n')
			ncams = atoi(optarg);
		else if (o == 'r')
			rounds = atoi(optarg);
		else if (o == 'l')
			latency = optarg;
		else
			return 2;
	}
	if (ncams < 1 || ncams > MAX_CAMS || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "bench_gp_spread: --cameras 1..%d, --rounds 1..%d\n", MAX_CAMS,
			MAX_ROUNDS);
		return 2;
	}
	char tmp[] = "/tmp/photorig-gp-spread.XXXXXX";
	if (gpc_scratch_setup(tmp) < 0)
		return 1;
	char log[512];
	snprintf(log, sizeof(log), "%s/trigger.log", tmp);
	int rc = 0;
	for (int i = 0; i < ncams && !rc; i++) {
		char addr[32], serial[32], port[128], name[16];
		snprintf(addr, sizeof(addr), "127.0.0.%d", 2 + i);
		snprintf(serial, sizeof(serial), "SPREAD-%02d", i);
		snprintf(name, sizeof(name), "cam%02d", i + 1);
		const char *extra[] = { "--log", log, "--capture-latency-ms", latency, NULL };
		if (sim_proc_start(&sims[i], PTPIP_SIM_PATH, addr, serial, extra, 5000) < 0) {
			fprintf(stderr, "cannot start simulator %d\n", i);
			rc = 1;
			break;
		}
		sim_proc_port_path(&sims[i], port, sizeof(port));
		struct cam_params p = { .name = name, .serial = serial, .port = port, .device = "",
					.timeout_ms = 10000, .delete_after_download = 1 };
		struct pr_error err;
		if (drv->open(&p, &cams[i], &err)) {
			fprintf(stderr, "%s\n", err.msg);
			rc = 1;
		}
	}
	if (!rc) {
		pthread_t t[MAX_CAMS];
		pthread_barrier_init(&barrier, NULL, (unsigned)ncams);
		for (int i = 0; i < ncams; i++)
			pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)i);
		for (int i = 0; i < ncams; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&barrier);
		/* Sequential: each camera captured in turn (trigger, wait for the
		 * file, download), as a plain loop over libgphoto2 does. */
		for (int r = 0; r < rounds; r++)
			for (int i = 0; i < ncams; i++)
				shot(i);
		read_log(log);
		report("barrier", 1);
		report("sequential", rounds + 1);
		if (failures) {
			printf("failures: %d\n", failures);
			rc = 1;
		}
	}
	for (int i = 0; i < ncams; i++) {
		drv->close(&cams[i]);
		sim_proc_stop(&sims[i], 3000);
	}
	gpc_scratch_remove(tmp);
	return rc;
}
