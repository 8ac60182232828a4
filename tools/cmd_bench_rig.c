/* photorig bench --rig: the whole capture path, measured through photorigd.
 *
 * For each rig size it writes a config of N sim cameras at the given size
 * into a temporary folder, starts photorigd on it (the real daemon, socket
 * and files), records one-frame plates, starts a session, captures the sets
 * and reads the manifest. It reports:
 *   sets/min          sets captured and fully masked per minute (the capture
 *                     request's wall time, so it includes the last masks)
 *   trigger->last     per set, from the first camera's trigger to the last
 *                     original on disk (median and worst)
 *   spread            per set, trigger time spread across the cameras
 * The sim camera renders and JPEG-encodes each frame in its own thread, so
 * at 24 MP the figures include that camera-side work on the same cores. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "client_conn.h"
#include "cmd.h"
#include "scene.h"

#define RIG_MAX_CAMERAS 64
#define RIG_MAX_SIZES 8

static const char rig_usage[] =
	"usage: photorig bench --rig [--cameras N[,N...]] [--size WxH] [--sets K]\n"
	"                            [--conditions TEXT] [--daemon PATH] [--keep]\n"
	"\n"
	"Runs photorigd on rigs of N simulated cameras (default 4 and 8) at WxH (default\n"
	"6000x4000, 24 MP), captures K sets (default 5) and prints sets per minute,\n"
	"trigger-to-last-file latency and trigger spread.\n"
	"  --conditions T the sim cameras render their scenes under these conditions\n"
	"                 (their scene key, e.g. \"background=foliage,shadow=0.2,jpeg=85\")\n"
	"  --daemon PATH  photorigd to run (default: ../daemon/photorigd beside this\n"
	"                 program, else photorigd on $PATH)\n"
	"  --keep         keep the temporary folders\n";

struct rig_opts {
	uint32_t cams[RIG_MAX_SIZES];
	int ncams;
	uint32_t width, height, sets;
	const char *conditions; /* the sim cameras' scene key, or NULL */
	char daemon[4096];
	int keep;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void default_daemon(char *buf, size_t size)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, size, "%.3000s/../daemon/photorigd", self);
			if (access(buf, X_OK) == 0)
				return;
		}
	}
	snprintf(buf, size, "photorigd");
}

static int write_config(const char *dir, const struct rig_opts *o, uint32_t n)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/photorig.ini", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "[daemon]\nsocket = run/control.sock\nstate_dir = state\n"
		   "output_root = sessions\ngroup =\nlog_level = warning\n\n"
		   "[rig]\nname = bench\nfile_template = {camera}_{set:04}\n"
		   "conventions = metashape\nplate_frames = 1\n");
	for (uint32_t i = 0; i < n; i++) {
		fprintf(f, "\n[camera cam%02u]\ndriver = sim\nseed = %u\nwidth = %u\nheight = %u\n",
			i + 1, 101 * (i + 1), o->width, o->height);
		if (o->conditions)
			fprintf(f, "scene = \"%s\"\n", o->conditions);
	}
	return fclose(f) ? -1 : 0;
}

static pid_t start_daemon(const char *daemon, const char *dir)
{
	char cfg[4200], log[4200];
	snprintf(cfg, sizeof(cfg), "%s/photorig.ini", dir);
	snprintf(log, sizeof(log), "%s/photorigd.log", dir);
	pid_t pid = fork();
	if (pid == 0) {
		FILE *l = freopen(log, "w", stderr);
		(void)l;
		execlp(daemon, daemon, "-c", cfg, (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", daemon, strerror(errno));
		_exit(127);
	}
	return pid;
}

static int stop_daemon(pid_t pid)
{
	int status = 0;
	kill(pid, SIGTERM);
	for (int i = 0; i < 600; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 128;
}

static int call(const char *sock, struct pr_request *req, struct pr_reply *rep)
{
	struct client_conn c;
	memset(rep, 0, sizeof(*rep));
	if (conn_open(&c, "bench", sock))
		return -1;
	int rc = conn_call(&c, req, -1, rep, 0);
	conn_close(&c);
	if (rc)
		return -1;
	if (!rep->ok)
		fprintf(stderr, "photorig bench: %s: %s\n", pr_op_name(req->op), rep->error);
	return rep->ok ? 0 : -1;
}

/* Per set: first trigger to last arrival, and the trigger spread (ms). */
static int read_manifest(const char *dir, double *lat, double *spread, uint32_t *n)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/sessions/bench/manifest.json", dir);
	json_object *m = json_object_from_file(path), *sets;
	*n = 0;
	if (!m || !json_object_object_get_ex(m, "sets", &sets))
		return -1;
	for (size_t i = 0; i < json_object_array_length(sets) && *n < 1000; i++) {
		json_object *s = json_object_array_get_idx(sets, i), *shots;
		int64_t tmin = INT64_MAX, amax = 0;
		json_object_object_get_ex(s, "shots", &shots);
		for (size_t k = 0; shots && k < json_object_array_length(shots); k++) {
			json_object *sh = json_object_array_get_idx(shots, k);
			int64_t t = pr_json_int(sh, "trigger_ns", 0), a = pr_json_int(sh, "arrive_ns", 0);
			if (t && t < tmin)
				tmin = t;
			if (a > amax)
				amax = a;
		}
		lat[*n] = tmin < INT64_MAX ? (double)(amax - tmin) / 1e6 : 0;
		spread[*n] = pr_json_double(s, "spread_ms", 0);
		(*n)++;
	}
	json_object_put(m);
	return 0;
}

static int run_rig(const struct rig_opts *o, uint32_t n)
{
	char dir[] = "/tmp/photorig-benchrig.XXXXXX", sock[4200];
	if (!mkdtemp(dir) || write_config(dir, o, n)) {
		fprintf(stderr, "photorig bench: cannot prepare a folder: %s\n", strerror(errno));
		return 1;
	}
	snprintf(sock, sizeof(sock), "%s/run/control.sock", dir);
	pid_t pid = start_daemon(o->daemon, dir);
	struct pr_request req;
	struct pr_reply rep = { 0 };
	int rc = 1, up = 0;
	for (int i = 0; i < 300 && !up; i++) {
		struct client_conn c;
		usleep(100000);
		if (access(sock, F_OK) == 0 && !conn_open(&c, "bench", sock)) {
			conn_close(&c);
			up = 1;
		}
	}
	double t0 = 0, t1 = 0;
	if (!up)
		fprintf(stderr, "photorig bench: photorigd did not start (log in %s)\n", dir);
	pr_request_init(&req, PR_OP_PLATE, 1);
	if (up && !call(sock, &req, &rep)) {
		pr_reply_free(&rep);
		pr_request_init(&req, PR_OP_SESSION_START, 2);
		snprintf(req.name, sizeof(req.name), "bench");
		if (!call(sock, &req, &rep)) {
			pr_reply_free(&rep);
			pr_request_init(&req, PR_OP_CAPTURE, 3);
			req.count = o->sets;
			t0 = cli_now();
			rc = call(sock, &req, &rep) ? 1 : 0;
			t1 = cli_now();
		}
	}
	pr_reply_free(&rep);
	int status = stop_daemon(pid);
	double lat[1000], spread[1000];
	uint32_t k = 0;
	if (!rc && !read_manifest(dir, lat, spread, &k) && k) {
		qsort(lat, k, sizeof(double), cmp_double);
		qsort(spread, k, sizeof(double), cmp_double);
		printf("%3u cameras %ux%u: %5.1f sets/min (%u sets in %.1f s); trigger->last file "
		       "median %.0f ms, worst %.0f ms; spread median %.2f ms, worst %.2f ms\n", n,
		       o->width, o->height, 60.0 * o->sets / (t1 - t0), o->sets, t1 - t0,
		       lat[k / 2], lat[k - 1], spread[k / 2], spread[k - 1]);
	} else if (!rc) {
		fprintf(stderr, "photorig bench: no manifest in %s\n", dir);
		rc = 1;
	}
	if (status)
		fprintf(stderr, "photorig bench: photorigd exited with status %d\n", status);
	if (o->keep || rc) {
		printf("    kept: %s\n", dir);
	} else {
		char cmd[4300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			fprintf(stderr, "photorig bench: could not remove %s\n", dir);
	}
	return rc || status;
}

int cmd_bench_rig(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rig", no_argument, NULL, 'r' }, { "cameras", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' }, { "sets", required_argument, NULL, 'n' },
		{ "daemon", required_argument, NULL, 'd' }, { "keep", no_argument, NULL, 'k' },
		{ "conditions", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct rig_opts o = { .cams = { 4, 8 }, .ncams = 2, .width = 6000, .height = 4000,
			      .sets = 5 };
	default_daemon(o.daemon, sizeof(o.daemon));
	int opt;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		char *tok, *save, list[256];
		switch (opt) {
		case 'r': break;
		case 'c':
			o.ncams = 0;
			snprintf(list, sizeof(list), "%s", optarg);
			for (tok = strtok_r(list, ",", &save); tok && o.ncams < RIG_MAX_SIZES;
			     tok = strtok_r(NULL, ",", &save))
				if (cli_parse_u32("bench", "cameras", tok, 1, RIG_MAX_CAMERAS,
						  &o.cams[o.ncams++]))
					return 2;
			break;
		case 's':
			if (sscanf(optarg, "%ux%u", &o.width, &o.height) != 2 || o.width < 32 ||
			    o.height < 32 || o.width > 20000 || o.height > 20000) {
				fprintf(stderr, "photorig bench: --size '%s': expected WxH\n", optarg);
				return 2;
			}
			break;
		case 'n':
			if (cli_parse_u32("bench", "sets", optarg, 1, 1000, &o.sets))
				return 2;
			break;
		case 'C': {
			/* checked here, with the sim camera's own parser, rather than
			 * left to a daemon that would refuse to start */
			struct pr_scene_params sp;
			struct pr_error err;
			pr_scene_defaults(&sp);
			if (strchr(optarg, '"')) {
				fprintf(stderr, "photorig bench: --conditions: no quotes inside\n");
				return 2;
			}
			if (pr_scene_options_parse(optarg, &sp, &err)) {
				fprintf(stderr, "photorig bench: --conditions: %s\n", err.msg);
				return 2;
			}
			o.conditions = optarg;
			break;
		}
		case 'd': snprintf(o.daemon, sizeof(o.daemon), "%s", optarg); break;
		case 'k': o.keep = 1; break;
		case 'h': fputs(rig_usage, stdout); return 0;
		default:
			fprintf(stderr, "photorig bench: unknown option '%s'\n%s", argv[optind - 1],
				rig_usage);
			return 2;
		}
	}
	int rc = 0;
	for (int i = 0; i < o.ncams; i++)
		rc |= run_rig(&o, o.cams[i]);
	return rc;
}
