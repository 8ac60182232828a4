/* photorig session start NAME | stop | list: a session is a named scan with
 * its own output folder, journal and manifest, kept by photorigd. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
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
	"stop   ends the active session (its files stay), once the masks of its last\n"
	"       sets are written (waiting for them, with a progress bar).\n"
	"list   the sessions in the output folder: sets, complete sets, size on disk, last\n"
	"       activity. When photorigd does not answer, read from the output_root of\n"
	"       its config (--config FILE, else $PHOTORIG_CONFIG, else\n"
	"       /etc/photorig/photorig.ini).\n"
	"\n"
	"  --socket PATH   photorigd's socket (default: $PHOTORIG_SOCKET, else\n"
	"                  " PHOTORIG_DEFAULT_SOCKET ")\n"
	"  --json          print the daemon's JSON reply instead of text\n";

#define STOP_WAIT_S 600 /* masks of a big set on a slow machine, with margin */

/* Masks in flight, from status; -1 when photorigd did not answer. */
static long masks_in_flight(const char *sock)
{
	struct pr_request req;
	struct pr_reply rep = { 0 };
	pr_request_init(&req, PR_OP_STATUS, 2);
	long n = client_simple("session", sock, &req, 30000, 0, &rep) ? -1
		 : (long)pr_json_int(rep.obj, "mask_queue", 0);
	pr_reply_free(&rep);
	return n;
}

/* session stop while masks of the last sets are being written: they need
 * the session, so photorigd refuses to close it; wait for them (a bar on a
 * terminal), then ask again. */
static int stop_session(const char *sock, int json, struct pr_reply *rep)
{
	struct pr_request req;
	pr_request_init(&req, PR_OP_SESSION_STOP, 1);
	double start = cli_now();
	long first = 0;
	int tty = isatty(STDERR_FILENO);
	for (;;) {
		struct client_conn c;
		if (conn_open(&c, "session", sock))
			return 1;
		int rc = conn_call(&c, &req, 30000, rep, 0);
		conn_close(&c);
		if (rc)
			return 1;
		long n = rep->ok ? 0 : (long)pr_json_int(rep->obj, "masks_in_flight", 0);
		if (rep->ok || n <= 0)
			break;
		pr_reply_free(rep);
		if (!first) {
			first = n;
			fprintf(stderr, "photorig session: waiting for %ld mask%s of the last sets to be "
				"written\n", n, n == 1 ? "" : "s");
		}
		while ((n = masks_in_flight(sock)) > 0 && cli_now() - start < STOP_WAIT_S) {
			if (tty) {
				long done = first > n ? first - n : 0;
				int fill = (int)(30 * done / (first > 0 ? first : 1));
				fprintf(stderr, "\rmasks [");
				for (int i = 0; i < 30; i++)
					fputc(i < fill ? '#' : '.', stderr);
				fprintf(stderr, "] %ld/%ld written", done, first);
			}
			struct timespec pause = { 0, 200000000L };
			nanosleep(&pause, NULL);
		}
		if (tty)
			fputc('\n', stderr);
		if (n < 0)
			return 1;
		if (n > 0) {
			fprintf(stderr, "photorig session: %ld masks still in flight after %d s; the "
				"session stays active\n", n, STOP_WAIT_S);
			return 1;
		}
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(rep->obj, JSON_C_TO_STRING_PLAIN));
	if (!rep->ok) {
		fprintf(stderr, "photorig session: %s\n", rep->error);
		return 1;
	}
	return 0;
}

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
	int rc = req.op == PR_OP_SESSION_STOP ? stop_session(sock, json, &rep)
		 : client_simple("session", sock, &req, 30000, json, &rep);
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
