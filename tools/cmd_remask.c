/* photorig remask SESSION [--sets A-B] [--cameras LIST]: a session's saved
 * shots masked again, after new plates or other mask settings.
 *
 * When SESSION is photorigd's active session, photorigd does it (its mask
 * workers, journal and manifest: daemon/remask.c), since it may write to
 * that session at any moment. Otherwise, or when photorigd does not answer,
 * photorig does it offline from the files, with the plates and settings of
 * photorigd's config (cmd_remask_offline.c). Either way originals are only
 * read, each output is replaced atomically, every shot gets its line in the
 * journal and the manifest is rewritten. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli_session.h"
#include "cli_util.h"
#include "client_conn.h"
#include "cmd.h"
#include "cmd_remask.h"

#define CMD "remask"

static const char remask_usage[] =
	"usage: photorig remask SESSION [--sets A-B] [--cameras LIST] [--offline]\n"
	"                       [--config FILE] [--socket PATH] [--json]\n"
	"\n"
	"Masks a session's saved shots again with the current plates and mask settings\n"
	"(after recording a plate again, or changing a camera's tolerance, regions...).\n"
	"Originals are only read; each mask, TIFF and convention file is replaced\n"
	"atomically; the journal gets a line per shot and manifest.json is rewritten.\n"
	"\n"
	"photorigd's active session is remasked by photorigd itself. Any other session,\n"
	"or any session when photorigd does not answer, is remasked here, offline, with\n"
	"the plates (STATE_DIR/plates/CAMERA.prplate) and settings of photorigd's config.\n"
	"SESSION is a session's name or its folder.\n"
	"\n"
	"  --sets A-B       only sets A to B (or one set: --sets A)\n"
	"  --cameras LIST   only these camera positions (comma-separated)\n"
	"  --offline        never ask photorigd (refused for its active session)\n"
	"  --config FILE    photorigd's config (default $PHOTORIG_CONFIG, else\n"
	"                   /etc/photorig/photorig.ini), for the offline remask\n"
	"  --socket PATH    photorigd's socket\n"
	"  --json           print the result as JSON\n";

enum { R_SETS = 256, R_CAMERAS, R_OFFLINE, R_CONFIG, R_SOCKET, R_JSON };

static const struct option remask_options[] = {
	{ "sets", required_argument, NULL, R_SETS },
	{ "cameras", required_argument, NULL, R_CAMERAS },
	{ "offline", no_argument, NULL, R_OFFLINE },
	{ "config", required_argument, NULL, R_CONFIG },
	{ "socket", required_argument, NULL, R_SOCKET },
	{ "json", no_argument, NULL, R_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* photorigd's active session: its name and folder, or "" (none, or no daemon). */
static int daemon_active(const char *sock, char *name, size_t nsize, char *dir, size_t dsize)
{
	struct pr_request req;
	struct pr_reply rep = { 0 };
	pr_request_init(&req, PR_OP_SESSION_LIST, 1);
	if (client_simple(CMD, sock, &req, 30000, 0, &rep))
		return -1;
	json_object *list;
	if (json_object_object_get_ex(rep.obj, "sessions", &list) &&
	    json_object_is_type(list, json_type_array))
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			json_object *s = json_object_array_get_idx(list, i);
			if (pr_json_bool(s, "active", 0)) {
				snprintf(name, nsize, "%s", pr_json_str(s, "name", ""));
				snprintf(dir, dsize, "%s", pr_json_str(s, "dir", ""));
			}
		}
	pr_reply_free(&rep);
	return 0;
}

static int same_folder(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];
	return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

static int remask_daemon(const struct remask_opts *o, const char *name)
{
	struct pr_request req;
	struct pr_reply rep = { 0 };
	pr_request_init(&req, PR_OP_REMASK, 1);
	snprintf(req.name, sizeof(req.name), "%s", name);
	req.set_from = o->set_from;
	req.set_to = o->set_to;
	if (o->cameras && snprintf(req.cameras, sizeof(req.cameras), "%s", o->cameras) >=
				  (int)sizeof(req.cameras)) {
		fprintf(stderr, "photorig " CMD ": --cameras: the list is too long\n");
		return 2;
	}
	/* a remask of a long session takes a while: progress events keep it alive */
	int rc = client_simple(CMD, o->sock, &req, 3600 * 1000, o->json, &rep);
	json_object *shots;
	if (!o->json && rep.obj && json_object_object_get_ex(rep.obj, "shots", &shots) &&
	    json_object_is_type(shots, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(shots); i++) {
			json_object *s = json_object_array_get_idx(shots, i);
			if (pr_json_bool(s, "mask", 0))
				printf("set %lld %s: masked again, fg %.1f%%\n",
				       (long long)pr_json_int(s, "set", 0), pr_json_str(s, "camera", "?"),
				       100.0 * pr_json_double(s, "foreground", 0));
			else
				printf("set %lld %s: not masked: %s\n", (long long)pr_json_int(s, "set", 0),
				       pr_json_str(s, "camera", "?"), pr_json_str(s, "note", "?"));
		}
		if (!rc)
			printf("session %s: %lld shot(s) masked again by photorigd\n", name,
			       (long long)pr_json_int(rep.obj, "remasked", 0));
	}
	pr_reply_free(&rep);
	return rc;
}

int cmd_remask(int argc, char **argv)
{
	struct remask_opts o = { 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", remask_options, NULL)) != -1) {
		switch (c) {
		case R_SETS:
			if (cli_parse_sets(CMD, optarg, &o.set_from, &o.set_to))
				return 2;
			break;
		case R_CAMERAS:
			o.cameras = optarg;
			break;
		case R_OFFLINE:
			o.offline = 1;
			break;
		case R_CONFIG:
			o.config = optarg;
			break;
		case R_SOCKET:
			o.sock = optarg;
			break;
		case R_JSON:
			o.json = 1;
			break;
		case 'h':
			fputs(remask_usage, stdout);
			return 0;
		default:
			fputs(remask_usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "photorig " CMD ": give one SESSION\n%s", remask_usage);
		return 2;
	}
	o.session = argv[optind];
	char active[PR_PROTO_NAME_MAX + 2] = "", active_dir[PATH_MAX] = "";
	if (!client_daemon_answers(o.sock) ||
	    daemon_active(o.sock, active, sizeof(active), active_dir, sizeof(active_dir)))
		active[0] = '\0';
	int is_active = active[0] && (!strcmp(o.session, active) ||
				      same_folder(o.session, active_dir));
	if (is_active && o.offline) {
		fprintf(stderr, "photorig " CMD ": %s is photorigd's active session: it remasks it "
			"itself (leave out --offline), or stop the session first\n", o.session);
		return 1;
	}
	if (is_active)
		return remask_daemon(&o, active);
	return remask_offline(&o);
}
