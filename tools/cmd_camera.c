/* photorig camera NAME settings | camera NAME|all set KEY VALUE: a camera's
 * settings with their current and allowed values, and changing one, through
 * photorigd (which makes the call on the camera's own thread). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_conn.h"
#include "cmd.h"

#define CAMERA_TIMEOUT_MS 120000 /* a camera may finish a capture first */

static const char *usage_text =
	"usage: photorig camera NAME settings [--socket PATH] [--json]\n"
	"       photorig camera NAME|all set KEY VALUE [--socket PATH] [--json]\n\n"
	"settings  lists every setting of camera position NAME with its current value\n"
	"          and the values it allows (as gphoto2 --list-config and --get-config\n"
	"          do; V4L2 controls as v4l2-ctl lists them).\n"
	"set       sets KEY to VALUE on NAME, or on every camera with 'all', and prints\n"
	"          the value each camera reads back. The change lasts until the camera\n"
	"          is attached again; write set.KEY = VALUE in its [camera NAME]\n"
	"          section to keep it. Refused while a capture, plate or scan runs.\n\n"
	"  --socket PATH   photorigd's socket (default: $PHOTORIG_SOCKET, else\n"
	"                  " PHOTORIG_DEFAULT_SOCKET ")\n"
	"  --json          print the daemon's JSON reply instead of text\n"
	"  -h, --help      this text\n\n"
	"Exit status: 0 when every camera answered (and took the setting), 1 otherwise,\n"
	"2 on a usage error.\n";

static void show_settings(json_object *r)
{
	json_object *cams, *sets, *ch;
	if (!json_object_object_get_ex(r, "cameras", &cams))
		return;
	for (size_t i = 0; i < json_object_array_length(cams); i++) {
		json_object *c = json_object_array_get_idx(cams, i);
		printf("%s:\n", pr_json_str(c, "camera", "?"));
		if (!json_object_object_get_ex(c, "settings", &sets)) {
			printf("  ERROR: %s\n", pr_json_str(c, "error", "?"));
			continue;
		}
		for (size_t k = 0; k < json_object_array_length(sets); k++) {
			json_object *s = json_object_array_get_idx(sets, k);
			printf("  %-20s = %-16s %s (%s%s)", pr_json_str(s, "key", "?"),
			       pr_json_str(s, "value", ""), pr_json_str(s, "label", ""),
			       pr_json_str(s, "type", "?"),
			       pr_json_bool(s, "readonly", 0) ? ", read-only" : "");
			if (json_object_object_get_ex(s, "min", NULL))
				printf(" %g..%g step %g", pr_json_double(s, "min", 0),
				       pr_json_double(s, "max", 0), pr_json_double(s, "step", 0));
			if (json_object_object_get_ex(s, "choices", &ch) &&
			    json_object_array_length(ch)) {
				printf(" choices:");
				for (size_t n = 0; n < json_object_array_length(ch); n++)
					printf("%s %s", n ? "," : "",
					       json_object_get_string(json_object_array_get_idx(ch, n)));
			}
			printf("\n");
		}
	}
}

static void show_set(json_object *r, const char *key)
{
	json_object *res;
	if (!json_object_object_get_ex(r, "results", &res))
		return;
	for (size_t i = 0; i < json_object_array_length(res); i++) {
		json_object *e = json_object_array_get_idx(res, i);
		if (pr_json_bool(e, "ok", 0))
			printf("%s: %s = %s\n", pr_json_str(e, "camera", "?"), key,
			       pr_json_str(e, "value", ""));
		else
			printf("%s: FAILED: %s\n", pr_json_str(e, "camera", "?"),
			       pr_json_str(e, "error", "?"));
	}
}

int cmd_camera(int argc, char **argv)
{
	const char *sock = NULL, *pos[5];
	int json = 0, npos = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--socket")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "photorig camera: --socket needs a value\n");
				return 2;
			}
			sock = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] && npos < 3) {
			fprintf(stderr, "photorig camera: unknown option '%s'\n%s", argv[i], usage_text);
			return 2;
		} else if (npos < 4) {
			pos[npos++] = argv[i];
		} else {
			fprintf(stderr, "photorig camera: unexpected argument '%s'\n%s", argv[i],
				usage_text);
			return 2;
		}
	}
	int is_set = npos == 4 && !strcmp(pos[1], "set");
	if (!(npos == 2 && !strcmp(pos[1], "settings")) && !is_set) {
		fprintf(stderr, "photorig camera: expected NAME settings, or NAME|all set KEY VALUE\n%s",
			usage_text);
		return 2;
	}
	struct pr_request req;
	char why[128];
	pr_request_init(&req, is_set ? PR_OP_CAMERA_SET : PR_OP_CAMERA_SETTINGS, 1);
	if (is_set && !strcmp(pos[0], "all")) {
		snprintf(req.camera, sizeof(req.camera), "%s", PR_PROTO_ALL_CAMERAS);
	} else if (!is_set && !strcmp(pos[0], "all")) {
		req.camera[0] = '\0';
	} else if (pr_proto_check_name(pos[0], why, sizeof(why))) {
		fprintf(stderr, "photorig camera: '%s': %s\n", pos[0], why);
		return 2;
	} else {
		snprintf(req.camera, sizeof(req.camera), "%s", pos[0]);
	}
	if (is_set) {
		if (!pos[2][0] || strlen(pos[2]) > PR_PROTO_KEY_MAX ||
		    strlen(pos[3]) > PR_PROTO_VALUE_MAX) {
			fprintf(stderr, "photorig camera: KEY is 1 to %d characters, VALUE at most %d\n",
				PR_PROTO_KEY_MAX, PR_PROTO_VALUE_MAX);
			return 2;
		}
		snprintf(req.key, sizeof(req.key), "%s", pos[2]);
		snprintf(req.value, sizeof(req.value), "%s", pos[3]);
	}
	struct pr_reply rep = { 0 };
	int rc = client_simple("camera", sock, &req, CAMERA_TIMEOUT_MS, json, &rep);
	if (rep.obj && !json) {
		if (is_set)
			show_set(rep.obj, req.key);
		else
			show_settings(rep.obj);
	}
	/* a camera that could not list its settings fails the command */
	json_object *cams;
	if (!rc && !is_set && rep.obj && json_object_object_get_ex(rep.obj, "cameras", &cams))
		for (size_t i = 0; i < json_object_array_length(cams); i++)
			if (pr_json_str(json_object_array_get_idx(cams, i), "error", NULL))
				rc = 1;
	pr_reply_free(&rep);
	return rc;
}
