/* photorig session start NAME | stop | list: a session is a named scan with
 * its own output folder, journal and manifest, kept by photorigd. */
#include <stdio.h>
#include <string.h>

#include "client_conn.h"
#include "cmd.h"
#include "cmd_session_list.h"

static const char session_usage[] =
	"usage: photorig session start NAME [--socket PATH] [--json]\n"
	"       photorig session stop [--socket PATH] [--json]\n"
	"       photorig session list [--socket PATH] [--config FILE] [--json]\n"
	"\n"
	"start  makes NAME the active session: captures go to OUTPUT_ROOT/NAME/, one folder\n"
	"       per camera position, with journal.jsonl and manifest.json. Starting a\n"
	"       session that exists resumes it at its next set number. NAME: 1..64 of\n"
	"       letters, digits, '.', '_', '-', not starting with '.'.\n"
	"stop   ends the active session (its files stay).\n"
	"list   the sessions in the output folder: sets, complete sets, size on disk, last\n"
	"       activity. When photorigd does not answer, read from the output_root of\n"
	"       its config (--config FILE, else $PHOTORIG_CONFIG, else\n"
	"       /etc/photorig/photorig.ini).\n"
	"\n"
	"  --socket PATH   photorigd's socket (default: $PHOTORIG_SOCKET, else\n"
	"                  " PHOTORIG_DEFAULT_SOCKET ")\n"
	"  --json          print the daemon's JSON reply instead of text\n";

int cmd_session(int argc, char **argv)
{
	const char *sock = NULL, *name = NULL, *action = NULL, *config = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			sock = argv[++i];
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(session_usage, stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "photorig session: unknown option '%s'\n%s", argv[i],
				session_usage);
			return 2;
		} else if (!action) {
			action = argv[i];
		} else if (!name) {
			name = argv[i];
		} else {
			fprintf(stderr, "photorig session: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	struct pr_request req;
	if (action && !strcmp(action, "start") && name) {
		char why[128];
		if (pr_proto_check_name(name, why, sizeof(why))) {
			fprintf(stderr, "photorig session: '%s' is not a session name: %s\n", name, why);
			return 2;
		}
		pr_request_init(&req, PR_OP_SESSION_START, 1);
		snprintf(req.name, sizeof(req.name), "%s", name);
	} else if (action && !strcmp(action, "stop") && !name) {
		pr_request_init(&req, PR_OP_SESSION_STOP, 1);
	} else if (action && !strcmp(action, "list") && !name) {
		return session_list_run(sock, config, json);
	} else {
		fputs(session_usage, stderr);
		return 2;
	}
	struct pr_reply rep = { 0 };
	int rc = client_simple("session", sock, &req, 30000, json, &rep);
	if (!rc && !json) {
		if (req.op == PR_OP_SESSION_START)
			printf("session %s active: outputs in %s, next set %lld\n",
			       pr_json_str(rep.obj, "session", "?"), pr_json_str(rep.obj, "dir", "?"),
			       (long long)pr_json_int(rep.obj, "next_set", 1));
		else
			printf("session %s stopped after %lld set(s); outputs in %s\n",
			       pr_json_str(rep.obj, "session", "?"),
			       (long long)pr_json_int(rep.obj, "sets", 0), pr_json_str(rep.obj, "dir", "?"));
	}
	pr_reply_free(&rep);
	return rc;
}
