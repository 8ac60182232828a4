/* photorig plate --scan: a plate per turntable step, recorded by photorigd
 * with the table empty (daemon/plate_scan.c). Each later scan step's shots
 * are masked against the plate of their own angle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "client_conn.h"
#include "cmd.h"

static const char plate_scan_usage[] =
	"usage: photorig plate --scan [--steps N] [--degrees D] [--settle-ms MS] [--frames N]\n"
	"                      [--socket PATH] [--json]\n"
	"\n"
	"With the table empty, turns the turntable through the scan's steps (step i of\n"
	"N at D*i/N degrees from where it stands; defaults from [turntable]) and records\n"
	"a plate of every camera at each step, kept in photorigd's state folder as\n"
	"plates/CAMERA/angle-DDD.DDD.prplate; then turns the table back to its start.\n"
	"A turntable scan's shots are masked against the plate of their step's angle\n"
	"(the manifest names it), so a textured platter that turns with the object\n"
	"is not taken for it. Remove the object first.\n"
	"\n"
	"  --steps N       steps (1..3600)\n"
	"  --degrees D     degrees over all steps (0.001..3600)\n"
	"  --settle-ms MS  wait after each turn\n"
	"  --frames N      frames per camera and step (1..64; default [rig] plate_frames)\n"
	"  --socket PATH   photorigd's socket (default: $PHOTORIG_SOCKET, else\n"
	"                  " PHOTORIG_DEFAULT_SOCKET ")\n"
	"  --json          print the daemon's JSON reply instead of text\n";

void client_print_transient(json_object *plate)
{
	json_object *t;
	if (!plate || !json_object_object_get_ex(plate, "transient", &t))
		return;
	double share = pr_json_double(t, "share", 0);
	if (share <= 0)
		return;
	long long x = (long long)pr_json_int(t, "x", 0), y = (long long)pr_json_int(t, "y", 0);
	long long w = (long long)pr_json_int(t, "w", 0), h = (long long)pr_json_int(t, "h", 0);
	printf(", TRANSIENT: the frames disagreed on %.2f%% of the pixels, x %lld..%lld "
	       "y %lld..%lld (left out of the plate; was the background empty?)",
	       100.0 * share, x, x + w - 1, y, y + h - 1);
}

static void show_steps(json_object *r)
{
	json_object *steps;
	if (!r || !json_object_object_get_ex(r, "steps", &steps))
		return;
	for (size_t i = 0; i < json_object_array_length(steps); i++) {
		json_object *st = json_object_array_get_idx(steps, i), *cams;
		printf("step %lld at %g degrees:\n", (long long)pr_json_int(st, "step", 0),
		       pr_json_double(st, "angle", 0));
		if (!json_object_object_get_ex(st, "cameras", &cams))
			continue;
		json_object_object_foreach(cams, name, res) {
			json_object *p = NULL;
			json_object_object_get_ex(res, "plate", &p);
			if (pr_json_bool(res, "ok", 0)) {
				printf("  %-12s plate %s, %lld frames (%s)", name,
				       pr_json_str(p, "id", "?"), (long long)pr_json_int(p, "frames", 0),
				       pr_json_str(p, "file", "?"));
				client_print_transient(p);
				printf("\n");
			} else
				printf("  %-12s FAILED: %s\n", name, pr_json_str(res, "error", "?"));
		}
	}
}

int cmd_plate_scan(int argc, char **argv)
{
	const char *sock = NULL;
	int json = 0;
	struct pr_request req;
	pr_request_init(&req, PR_OP_PLATE, 1);
	req.plate_scan = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--scan")) {
			continue;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(plate_scan_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--socket") && v) {
			sock = v;
			i++;
		} else if (!strcmp(a, "--steps") && v) {
			if (cli_parse_u32("plate", "steps", v, 1, PR_PROTO_MAX_STEPS, &req.steps))
				return 2;
			i++;
		} else if (!strcmp(a, "--frames") && v) {
			if (cli_parse_u32("plate", "frames", v, 1, PR_PROTO_MAX_FRAMES, &req.frames))
				return 2;
			i++;
		} else if (!strcmp(a, "--settle-ms") && v) {
			if (cli_parse_u32("plate", "settle-ms", v, 0, PR_PROTO_MAX_SETTLE_MS,
					  &req.settle_ms))
				return 2;
			req.has_settle = 1;
			i++;
		} else if (!strcmp(a, "--degrees") && v) {
			double d;
			if (cli_parse_double("plate", "degrees", v, 0.001, 3600, &d))
				return 2;
			req.degrees = d;
			i++;
		} else {
			fprintf(stderr, "photorig plate: unexpected argument '%s' with --scan\n%s", a,
				plate_scan_usage);
			return 2;
		}
	}
	struct pr_reply rep = { 0 };
	int rc = client_simple("plate", sock, &req, -1, json, &rep);
	if (rep.obj && !json)
		show_steps(rep.obj);
	pr_reply_free(&rep);
	return rc;
}
