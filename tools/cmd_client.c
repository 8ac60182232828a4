/* photorig status | cameras | plate | capture | reload: requests to
 * photorigd. Human output by default, the daemon's JSON reply with --json;
 * exit 0 only when the daemon says the work succeeded. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_cluster.h"
#include "cli_util.h"
#include "client_conn.h"
#include "cmd.h"

#define QUICK_TIMEOUT_MS 30000

struct client_opts {
	const char *socket;
	int json;
	uint32_t frames, count;
	const char *camera;
};

/* Parse the options every client command shares, plus those in `extra`
 * ("frames", "count", "camera"). Returns -1 after --help, 2 on a usage
 * error, 0 otherwise. */
static int parse_opts(int argc, char **argv, const char *cmd, const char *usage,
		      const char *extra, struct client_opts *o)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
		{ "frames", required_argument, NULL, 'f' }, { "count", required_argument, NULL, 'n' },
		{ "camera", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		const char *name = opt == 'f' ? "frames" : opt == 'n' ? "count" : "camera";
		if ((opt == 'f' || opt == 'n' || opt == 'c') && !strstr(extra, name))
			opt = '?';
		switch (opt) {
		case 's': o->socket = optarg; break;
		case 'j': o->json = 1; break;
		case 'f':
			if (cli_parse_u32(cmd, "frames", optarg, 1, PR_PROTO_MAX_FRAMES, &o->frames))
				return 2;
			break;
		case 'n':
			if (cli_parse_u32(cmd, "count", optarg, 1, PR_PROTO_MAX_COUNT, &o->count))
				return 2;
			break;
		case 'c': o->camera = optarg; break;
		case 'h': fputs(usage, stdout); return -1;
		case ':':
			fprintf(stderr, "photorig %s: %s needs a value\n", cmd, argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "photorig %s: unknown option '%s'\n%s", cmd, argv[optind - 1],
				usage);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "photorig %s: unexpected argument '%s'\n%s", cmd, argv[optind], usage);
		return 2;
	}
	return 0;
}

#define COMMON_HELP                                                                            \
	"  --socket PATH   photorigd's socket (default: $PHOTORIG_SOCKET, else\n"               \
	"                  " PHOTORIG_DEFAULT_SOCKET ")\n"                                      \
	"  --json          print the daemon's JSON reply instead of text\n"                     \
	"  -h, --help      this text\n"

/* e: the camera's entry, which says why a plate file was not loaded */
static void print_plate(json_object *p, json_object *e)
{
	if (!p || json_object_is_type(p, json_type_null)) {
		if (pr_json_str(e, "plate_error", NULL))
			printf("PLATE UNREADABLE: %s (record it again: photorig plate)",
			       pr_json_str(e, "plate_error", ""));
		else
			printf("no plate");
		return;
	}
	if (json_object_is_type(p, json_type_boolean)) { /* a camera of another node */
		printf("%s", json_object_get_boolean(p) ? "plate (on its node)" : "no plate");
		return;
	}
	long age = (long)pr_json_int(p, "age_s", 0);
	printf("plate %s, %lld frames, %lldx%lld, ", pr_json_str(p, "id", "?"),
	       (long long)pr_json_int(p, "frames", 0), (long long)pr_json_int(p, "width", 0),
	       (long long)pr_json_int(p, "height", 0));
	if (age < 120)
		printf("%ld s old", age);
	else if (age < 7200)
		printf("%ld min old", age / 60);
	else
		printf("%.1f h old", age / 3600.0);
	if (!pr_json_bool(p, "settings_match", 1))
		printf(", SETTINGS CHANGED since (record again)");
	client_print_transient(p);
}

/* The output disk: free space, or the disk-full state and what waits for it. */
static void print_disk(json_object *disk)
{
	json_object *free_mb = NULL;
	long long held = (long long)pr_json_int(disk, "held", 0);
	if (pr_json_bool(disk, "full", 0))
		printf("DISK FULL: captures refused until there is room again (for %.0f s): %s\n",
		       pr_json_double(disk, "since_s", 0), pr_json_str(disk, "reason", "?"));
	if (json_object_object_get_ex(disk, "free_mb", &free_mb) && free_mb)
		printf("%s%.1f MB free in %s (min_free_mb %lld)\n",
		       pr_json_bool(disk, "full", 0) ? "  now " : "disk: ", json_object_get_double(free_mb),
		       pr_json_str(disk, "path", "?"), (long long)pr_json_int(disk, "min_free_mb", 0));
	if (held)
		printf("  %lld original%s (%.1f MB) held in memory, written when there is room\n", held,
		       held == 1 ? "" : "s", pr_json_double(disk, "held_mb", 0));
}

static void show_status(json_object *r)
{
	json_object *sess, *busy, *plates;
	printf("rig %s: %lld/%lld cameras attached%s%s\n", pr_json_str(r, "rig", "?"),
	       (long long)pr_json_int(r, "attached", 0), (long long)pr_json_int(r, "cameras", 0),
	       pr_json_bool(r, "ready", 0) ? "" : " (attaching)",
	       pr_json_bool(r, "stopping", 0) ? ", stopping" : "");
	if (json_object_object_get_ex(r, "session", &sess) && sess)
		printf("session %s in %s, next set %lld\n", pr_json_str(sess, "name", "?"),
		       pr_json_str(sess, "dir", "?"), (long long)pr_json_int(sess, "next_set", 0));
	else
		printf("no session (start one: photorig session start NAME)\n");
	json_object *sc = NULL;
	json_object_object_get_ex(r, "scan", &sc);
	const char *sstate = sc ? pr_json_str(sc, "state", "") : "";
	int scanning = !strcmp(sstate, "running") || !strcmp(sstate, "paused");
	if (json_object_object_get_ex(r, "busy", &busy) && busy)
		printf("busy: %s, %lld of %lld done\n", pr_json_str(busy, "what", "?"),
		       (long long)pr_json_int(busy, "done", 0), (long long)pr_json_int(busy, "total", 0));
	else if (!scanning)
		printf("idle\n");
	if (scanning && !strcmp(sstate, "running")) {
		double eta = pr_json_double(sc, "eta_s", -1);
		printf("scan %lld running (%s): step %lld of %lld at %.4g degrees, %lld done",
		       (long long)pr_json_int(sc, "scan", 0), pr_json_str(sc, "phase", "?"),
		       (long long)pr_json_int(sc, "step", 0), (long long)pr_json_int(sc, "steps", 0),
		       pr_json_double(sc, "angle", 0), (long long)pr_json_int(sc, "steps_done", 0));
		if (eta >= 0)
			printf(", about %d:%02d left", (int)eta / 60, (int)eta % 60);
		printf("\n");
	} else if (scanning) {
		printf("scan %lld PAUSED at step %lld of %lld: %s (photorig scan resume)\n",
		       (long long)pr_json_int(sc, "scan", 0), (long long)pr_json_int(sc, "step", 0),
		       (long long)pr_json_int(sc, "steps", 0), pr_json_str(sc, "reason", "?"));
	}
	printf("masks in the queue: %lld\n", (long long)pr_json_int(r, "mask_queue", 0));
	json_object *disk;
	if (json_object_object_get_ex(r, "disk", &disk) && disk)
		print_disk(disk);
	if (json_object_object_get_ex(r, "plates", &plates)) {
		printf("plates:\n");
		for (size_t i = 0; i < json_object_array_length(plates); i++) {
			json_object *e = json_object_array_get_idx(plates, i), *p = NULL;
			json_object_object_get_ex(e, "plate", &p);
			printf("  %-12s ", pr_json_str(e, "camera", "?"));
			print_plate(p, e);
			printf("\n");
		}
	}
	print_cluster_status(r);
	json_object *sus, *shots;
	if (json_object_object_get_ex(r, "suspect", &sus) && sus &&
	    pr_json_int(sus, "count", 0) > 0) {
		printf("SUSPECT masks in the session: %lld (not to be trusted as they are)\n",
		       (long long)pr_json_int(sus, "count", 0));
		if (json_object_object_get_ex(sus, "shots", &shots))
			for (size_t i = 0; i < json_object_array_length(shots); i++) {
				json_object *e = json_object_array_get_idx(shots, i);
				printf("  set %lld %s: %s\n", (long long)pr_json_int(e, "set", 0),
				       pr_json_str(e, "camera", "?"), pr_json_str(e, "why", "?"));
			}
	}
}

static void show_cameras(json_object *r)
{
	json_object *cams;
	if (!json_object_object_get_ex(r, "cameras", &cams))
		return;
	printf("%-12s %-8s %-10s %-16s %-24s %s\n", "CAMERA", "DRIVER", "STATE", "SERIAL", "MODEL",
	       "PLATE");
	for (size_t i = 0; i < json_object_array_length(cams); i++) {
		json_object *c = json_object_array_get_idx(cams, i), *p = NULL;
		json_object_object_get_ex(c, "plate", &p);
		printf("%-12s %-8s %-10s %-16s %-24s ", pr_json_str(c, "name", "?"),
		       pr_json_str(c, "driver", pr_json_str(c, "node", NULL) ? "-" : "?"), pr_json_str(c, "state", "?"),
		       pr_json_str(c, "serial", ""), pr_json_str(c, "model", ""));
		print_plate(p, c);
		printf("\n");
		if (pr_json_str(c, "error", NULL))
			printf("             %s%s\n", strcmp(pr_json_str(c, "state", ""), "ready")
			       ? "" : "last error: ", pr_json_str(c, "error", ""));
		/* recovery of a camera that dropped out: attempts and the next one */
		long long attempts = (long long)pr_json_int(c, "attempts", 0);
		json_object *next = NULL;
		if (json_object_object_get_ex(c, "next_retry_s", &next) && next)
			printf("             %lld failed attempt%s, next in %.1f s\n", attempts,
			       attempts == 1 ? "" : "s", json_object_get_double(next));
		else if (attempts)
			printf("             %lld failed attempt%s\n", attempts, attempts == 1 ? "" : "s");
	}
}

static void show_plates(json_object *r)
{
	json_object *cams;
	if (!json_object_object_get_ex(r, "cameras", &cams))
		return;
	json_object_object_foreach(cams, name, res) {
		json_object *p = NULL;
		json_object_object_get_ex(res, "plate", &p);
		if (pr_json_bool(res, "ok", 0)) {
			printf("%-12s ", name);
			print_plate(p, res);
			printf("\n");
		} else {
			printf("%-12s FAILED: %s\n", name, pr_json_str(res, "error", "?"));
		}
	}
}

/* One set's result: complete or what is missing, and the shots saved but
 * not masked, by camera and why. */
void client_show_set(json_object *s)
{
	json_object *miss, *um;
	printf("set %lld: ", (long long)pr_json_int(s, "set", 0));
	if (pr_json_bool(s, "complete", 0)) {
		printf("complete, trigger spread %.2f ms\n", pr_json_double(s, "spread_ms", 0));
	} else {
		printf("INCOMPLETE, missing:");
		if (json_object_object_get_ex(s, "missing", &miss))
			for (size_t k = 0; k < json_object_array_length(miss); k++)
				printf(" %s", json_object_get_string(json_object_array_get_idx(miss, k)));
		printf("\n");
	}
	if (!json_object_object_get_ex(s, "unmasked", &um) || !json_object_array_length(um))
		return;
	for (size_t k = 0; k < json_object_array_length(um); k++) {
		json_object *u = json_object_array_get_idx(um, k);
		printf("  %s: saved, NOT MASKED: %s (%s)\n", pr_json_str(u, "camera", "?"),
		       pr_json_str(u, "reason", "?"), pr_json_str(u, "note", ""));
	}
}

/* Sets printed as they ended (set_result events), so the reply's list
 * repeats none of them. */
static int64_t last_shown_set;

static void live_set(json_object *ev, const char *name, void *arg)
{
	(void)arg;
	json_object *res;
	if (strcmp(name, "set_result") || !json_object_object_get_ex(ev, "result", &res))
		return;
	client_show_set(res);
	fflush(stdout);
	last_shown_set = pr_json_int(res, "set", 0);
}

static void show_capture(json_object *r)
{
	json_object *sets;
	if (!json_object_object_get_ex(r, "sets", &sets))
		return;
	for (size_t i = 0; i < json_object_array_length(sets); i++) {
		json_object *s = json_object_array_get_idx(sets, i);
		if (pr_json_int(s, "set", 0) > last_shown_set)
			client_show_set(s);
	}
}

/* A capture whose sets were complete but left shots unmasked has its own
 * exit status, so a script can tell "all there" from "all there and masked". */
int client_capture_verdict(json_object *r)
{
	json_object *sets, *um;
	if (!r || !json_object_object_get_ex(r, "sets", &sets))
		return 0;
	for (size_t i = 0; i < json_object_array_length(sets); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(sets, i), "unmasked", &um) &&
		    json_object_array_length(um))
			return PHOTORIG_EXIT_UNMASKED;
	return 0;
}

static int run_verdict(int argc, char **argv, enum pr_op op, const char *usage,
		       const char *extra, int timeout_ms, void (*show)(json_object *),
		       int (*verdict)(json_object *))
{
	struct client_opts o;
	int rc = parse_opts(argc, argv, argv[0], usage, extra, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	struct pr_request req;
	pr_request_init(&req, op, 1);
	if (o.frames)
		req.frames = o.frames;
	if (o.count)
		req.count = o.count;
	if (o.camera) {
		char why[128];
		if (pr_proto_check_name(o.camera, why, sizeof(why))) {
			fprintf(stderr, "photorig %s: --camera '%s': %s\n", argv[0], o.camera, why);
			return 2;
		}
		snprintf(req.camera, sizeof(req.camera), "%s", o.camera);
	}
	struct pr_reply rep = { 0 };
	rc = client_simple_ev(argv[0], o.socket, &req, timeout_ms, o.json, &rep,
			      op == PR_OP_CAPTURE && !o.json ? live_set : NULL, NULL);
	if (rep.obj && !o.json && show)
		show(rep.obj);
	if (!rc && verdict)
		rc = verdict(rep.obj);
	pr_reply_free(&rep);
	return rc;
}

static int run(int argc, char **argv, enum pr_op op, const char *usage, const char *extra,
	       int timeout_ms, void (*show)(json_object *))
{
	return run_verdict(argc, argv, op, usage, extra, timeout_ms, show, NULL);
}

int cmd_status(int argc, char **argv)
{
	return run(argc, argv, PR_OP_STATUS,
		   "usage: photorig status [--socket PATH] [--json]\n\n"
		   "What photorigd is doing: cameras attached, the session, the work in\n"
		   "progress, and each camera's plate with its age.\n\n" COMMON_HELP,
		   "", QUICK_TIMEOUT_MS, show_status);
}

int cmd_cameras(int argc, char **argv)
{
	return run(argc, argv, PR_OP_CAMERAS,
		   "usage: photorig cameras [--socket PATH] [--json]\n\n"
		   "Every camera position: driver, state, serial number, model and plate.\n\n"
		   COMMON_HELP, "", QUICK_TIMEOUT_MS, show_cameras);
}

int cmd_plate(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--scan"))
			return cmd_plate_scan(argc, argv);
	return run(argc, argv, PR_OP_PLATE,
		   "usage: photorig plate [--frames N] [--camera NAME] [--socket PATH] [--json]\n"
		   "       photorig plate --scan [--steps N] ... (a plate per turntable step;\n"
		   "                      see photorig plate --scan --help)\n\n"
		   "Records the background plate of every camera position (or of one): N frames\n"
		   "of the empty background (default: [rig] plate_frames). Remove the object\n"
		   "first. Plates are kept in photorigd's state folder across restarts.\n\n"
		   "  --frames N      frames per camera (1..64)\n"
		   "  --camera NAME   only this camera position\n" COMMON_HELP,
		   "frames camera", -1, show_plates);
}

int cmd_capture(int argc, char **argv)
{
	return run_verdict(argc, argv, PR_OP_CAPTURE,
		   "usage: photorig capture [--count N] [--socket PATH] [--json]\n\n"
		   "Fires every camera together, N times (default 1), into the active session,\n"
		   "and prints each set's result as it ends. Each set's originals are saved as\n"
		   "they arrive and masked against each camera's plate. A capture when no\n"
		   "camera is attached is refused, with each camera's state, and uses no set\n"
		   "number. A shot saved but not masked (no plate, a plate that could\n"
		   "not be read or was recorded with other settings, a mask that failed) is\n"
		   "named with its camera and why.\n\n"
		   "  --count N       capture sets, one after another\n" COMMON_HELP
		   "\nExit status:\n"
		   "  0  every set complete and every shot masked\n"
		   "  1  a set incomplete, or the capture refused or failed\n"
		   "  2  usage error\n"
		   "  3  every set complete, but some shots saved without a mask\n",
		   "count", -1, show_capture, client_capture_verdict);
}

static void show_reload(json_object *r)
{
	if (pr_json_bool(r, "ok", 0))
		printf("config reloaded: rig %s\n", pr_json_str(r, "rig", "?"));
}

int cmd_reload(int argc, char **argv)
{
	return run(argc, argv, PR_OP_RELOAD,
		   "usage: photorig reload [--socket PATH] [--json]\n\n"
		   "Makes photorigd read its config file again (as SIGHUP does). A config with\n"
		   "errors is refused, with the errors, and the running one is kept.\n\n"
		   COMMON_HELP, "", QUICK_TIMEOUT_MS, show_reload);
}
