/* photorig-ptpip-spread: how far apart do triggers land when N cameras are
 * fired together through libgphoto2?
 *
 * Starts N simulators on 127.0.0.2.. (kernel-chosen ports), opens each as
 * a "PTP/IP Camera", then for R rounds releases N threads - one per camera,
 * each camera used only from its own thread - from a pthread barrier into
 * gp_camera_trigger_capture, waits for each file, downloads and deletes it.
 * Then the same R rounds from one thread triggering the cameras in a loop.
 * The spread of a round is max - min of the simulators' CLOCK_MONOTONIC
 * trigger-arrival stamps from their shared --log file, which is what the
 * cameras saw, not what the host hoped.
 *
 * usage: photorig-ptpip-spread [--sim PATH] [--cameras N] [--rounds R]
 *                              [--latency-ms MS] */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptpip_gpclient.h"
#include "ptpip_spawn.h"

#define MAX_CAMS 32
#define MAX_ROUNDS 1000

struct cam_thread {
	pthread_t tid;
	int index;
	Camera *cam;
	GPContext *ctx;
	int rounds;
	pthread_barrier_t *barrier;
	int failures;
};

static int capture_one(Camera *cam, GPContext *ctx, bool trigger)
{
	if (trigger) {
		int r = gp_camera_trigger_capture(cam, ctx);
		if (r < GP_OK)
			return r;
	}
	CameraFilePath path;
	int r = gpc_wait_file(cam, ctx, 10000, &path);
	uint8_t *data = NULL;
	size_t size = 0;
	if (r >= GP_OK)
		r = gpc_download(cam, ctx, &path, &data, &size);
	free(data);
	if (r >= GP_OK)
		r = gp_camera_file_delete(cam, path.folder, path.name, ctx);
	return r;
}

static void *thread_main(void *arg)
{
	struct cam_thread *t = arg;
	for (int r = 0; r < t->rounds; r++) {
		pthread_barrier_wait(t->barrier); /* release together */
		if (capture_one(t->cam, t->ctx, true) < GP_OK)
			t->failures++;
		pthread_barrier_wait(t->barrier); /* round over everywhere */
	}
	return NULL;
}

/* mono[cam][capture] from the shared trigger log. */
static int read_log(const char *path, int ncams, struct sim_proc *sims, int maxcap,
		    double (*mono)[2 * MAX_ROUNDS + 1])
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -errno;
	char line[1024];
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long s, ns;
		char serial[64];
		int cap;
		if (sscanf(line, "mono=%llu.%llu real=%*s serial=%63s capture=%d", &s, &ns, serial,
			   &cap) != 4 || cap < 1 || cap > maxcap)
			continue;
		for (int i = 0; i < ncams; i++)
			if (!strcmp(serial, sims[i].serial))
				mono[i][cap] = (double)s * 1e3 + (double)ns / 1e6;
	}
	fclose(fp);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, int ncams, int first, int rounds,
		   double (*mono)[2 * MAX_ROUNDS + 1])
{
	double spreads[MAX_ROUNDS], sum = 0;
	int n = 0;
	for (int r = 0; r < rounds; r++) {
		double lo = 1e300, hi = -1e300;
		int seen = 0;
		for (int i = 0; i < ncams; i++) {
			double t = mono[i][first + r];
			if (t <= 0)
				continue;
			seen++;
			lo = t < lo ? t : lo;
			hi = t > hi ? t : hi;
		}
		if (seen == ncams) {
			spreads[n++] = hi - lo;
			sum += hi - lo;
		}
	}
	if (n == 0) {
		printf("%-10s cameras=%d: no complete rounds\n", what, ncams);
		return;
	}
	qsort(spreads, (size_t)n, sizeof(double), cmp_double);
	printf("%-10s cameras=%d rounds=%d spread ms: min %.3f median %.3f p90 %.3f max %.3f mean %.3f\n",
	       what, ncams, n, spreads[0], spreads[n / 2], spreads[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1],
	       spreads[n - 1], sum / n);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

int main(int argc, char **argv)
{
	const char *sim_path = PTPIP_SIM_DEFAULT_PATH;
	int ncams = 4, rounds = 20;
	const char *latency = "100"; /* like a camera: the file comes after the trigger phase */
	static const struct option opts[] = {
		{ "sim", required_argument, NULL, 's' },
		{ "cameras", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "latency-ms", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 's')
			sim_path = optarg;
		else if (o == 'n')
			ncams = atoi(optarg);
		else if (o == 'r')
			rounds = atoi(optarg);
		else if (o == 'l')
			latency = optarg;
		else
			return 2;
	}
	if (ncams < 1 || ncams > MAX_CAMS || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "photorig-ptpip-spread: --cameras 1..%d, --rounds 1..%d\n", MAX_CAMS,
			MAX_ROUNDS);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char tmp[] = "/tmp/photorig-ptpip-spread.XXXXXX";
	if (!mkdtemp(tmp))
		return 1;
	setenv("HOME", tmp, 1);
	gpc_restrict_drivers(tmp);
	char log[512];
	snprintf(log, sizeof(log), "%s/trigger.log", tmp);

	static struct sim_proc sims[MAX_CAMS];
	static struct cam_thread th[MAX_CAMS];
	static double mono[MAX_CAMS][2 * MAX_ROUNDS + 1];
	GPContext *ctx = gp_context_new();
	int rc = gpc_global_init(ctx) < GP_OK;
	for (int i = 0; i < ncams && !rc; i++) {
		char addr[32], serial[32];
		snprintf(addr, sizeof(addr), "127.0.0.%d", 2 + i);
		snprintf(serial, sizeof(serial), "SPREAD-%02d", i);
		const char *extra[] = { "--log", log, "--capture-latency-ms", latency, NULL };
		if (sim_proc_start(&sims[i], sim_path, addr, serial, extra, 5000) < 0) {
			fprintf(stderr, "cannot start simulator %d (%s)\n", i, sim_path);
			rc = 1;
			break;
		}
		char port[128];
		sim_proc_port_path(&sims[i], port, sizeof(port));
		th[i].ctx = gp_context_new();
		if (gpc_open(th[i].ctx, port, &th[i].cam) < GP_OK) {
			fprintf(stderr, "cannot open %s\n", port);
			rc = 1;
		}
	}
	if (!rc) {
		pthread_barrier_t barrier;
		pthread_barrier_init(&barrier, NULL, (unsigned)ncams);
		for (int i = 0; i < ncams; i++) {
			th[i].index = i;
			th[i].rounds = rounds;
			th[i].barrier = &barrier;
			pthread_create(&th[i].tid, NULL, thread_main, &th[i]);
		}
		int failures = 0;
		for (int i = 0; i < ncams; i++) {
			pthread_join(th[i].tid, NULL);
			failures += th[i].failures;
		}
		pthread_barrier_destroy(&barrier);
		/* Sequential: what a plain loop over cameras achieves. */
		for (int r = 0; r < rounds; r++) {
			for (int i = 0; i < ncams; i++)
				failures += gp_camera_trigger_capture(th[i].cam, th[i].ctx) < GP_OK;
			for (int i = 0; i < ncams; i++)
				failures += capture_one(th[i].cam, th[i].ctx, false) < GP_OK;
		}
		read_log(log, ncams, sims, 2 * rounds, mono);
		report("barrier", ncams, 1, rounds, mono);
		report("sequential", ncams, rounds + 1, rounds, mono);
		if (failures) {
			printf("failures: %d\n", failures);
			rc = 1;
		}
	}
	for (int i = 0; i < ncams; i++) {
		if (th[i].cam) {
			gp_camera_exit(th[i].cam, th[i].ctx);
			gp_camera_unref(th[i].cam);
		}
		if (th[i].ctx)
			gp_context_unref(th[i].ctx);
		sim_proc_stop(&sims[i], 3000);
	}
	gpc_global_free();
	gp_context_unref(ctx);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
