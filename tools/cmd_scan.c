/* photorig scan start|pause|resume|stop|status: turntable scans run by
 * photorigd. The scan runs unattended in the daemon; these commands only
 * start and steer it, so closing the terminal never stops a scan. status
 * draws a progress bar on a terminal (step i of N, the table's angle, the
 * time left) and says why a paused scan is paused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "client_conn.h"
#include "cmd.h"

static const char scan_usage[] =
	"usage: photorig scan start [--steps N] [--degrees D] [--settle-ms MS] [--socket PATH] [--json]\n"
	"       photorig scan pause|resume|stop|status [--socket PATH] [--json]\n"
	"\n"
	"start   turns the table step by step and shoots a set at each angle, in the\n"
	"        active session (with none, a new session scan-DATE-TIME is opened).\n"
	"        Step i of N is at D*i/N degrees from where the table stands now.\n"
	"        Defaults from [turntable] steps, degrees, settle_ms.\n"
	"pause   pauses after the turn or set in progress; resume continues.\n"
	"resume  continues a paused scan (after a turntable fault or a restart of\n"
	"        photorigd) at its first step not done, turning the table from the\n"
	"        angle it last confirmed.\n"
	"stop    ends the scan (its sets stay in the session).\n"
	"status  the scan's progress, and why it is paused.\n"
	"\n"
	"  --socket PATH   photorigd's socket (default: $PHOTORIG_SOCKET, else\n"
	"                  " PHOTORIG_DEFAULT_SOCKET ")\n"
	"  --json          print the daemon's JSON reply instead of text\n";

static void show_scan(json_object *sc, int tty)
{
	if (!sc || json_object_is_type(sc, json_type_null)) {
		printf("no scan in the active session\n");
		return;
	}
	long long steps = (long long)pr_json_int(sc, "steps", 0);
	long long done = (long long)pr_json_int(sc, "steps_done", 0);
	const char *state = pr_json_str(sc, "state", "?");
	printf("scan %lld of session %s: %s", (long long)pr_json_int(sc, "scan", 0),
	       pr_json_str(sc, "session", "?"), state);
	if (!strcmp(state, "running"))
		printf(" (%s)", pr_json_str(sc, "phase", "?"));
	printf("\n");
	if (tty && steps > 0) {
		int width = 40, full = (int)(done * width / steps);
		printf("[");
		for (int i = 0; i < width; i++)
			putchar(i < full ? '#' : '.');
		printf("] ");
	}
	printf("%lld of %lld steps done; step %lld at %.4g degrees, table at %.4g degrees",
	       done, steps, (long long)pr_json_int(sc, "step", 0), pr_json_double(sc, "angle", 0),
	       pr_json_double(sc, "table_angle", 0));
	double eta = pr_json_double(sc, "eta_s", -1);
	if (eta >= 0)
		printf(", about %d:%02d left", (int)eta / 60, (int)eta % 60);
	printf("\n");
	json_object *inc;
	if (json_object_object_get_ex(sc, "incomplete_steps", &inc) &&
	    json_object_array_length(inc) > 0) {
		printf("incomplete steps (a camera missing after retries):");
		for (size_t i = 0; i < json_object_array_length(inc); i++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(inc, i)));
		printf("\n");
	}
	if (pr_json_str(sc, "reason", NULL))
		printf("paused: %s\n", pr_json_str(sc, "reason", ""));
}

int cmd_scan(int argc, char **argv)
{
	const char *sock = NULL, *action = NULL;
	int json = 0;
	struct pr_request req;
	pr_request_init(&req, PR_OP_SCAN_STATUS, 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(scan_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--socket") && v) {
			sock = v;
			i++;
		} else if (!strcmp(a, "--steps") && v) {
			if (cli_parse_u32("scan", "steps", v, 1, PR_PROTO_MAX_STEPS, &req.steps))
				return 2;
			i++;
		} else if (!strcmp(a, "--settle-ms") && v) {
			if (cli_parse_u32("scan", "settle-ms", v, 0, PR_PROTO_MAX_SETTLE_MS,
					  &req.settle_ms))
				return 2;
			req.has_settle = 1;
			i++;
		} else if (!strcmp(a, "--degrees") && v) {
			char *end;
			req.degrees = strtod(v, &end);
			if (*end || !(req.degrees >= 0.001 && req.degrees <= 3600)) {
				fprintf(stderr, "photorig scan: --degrees must be from 0.001 to 3600\n");
				return 2;
			}
			i++;
		} else if (a[0] == '-' || action) {
			fprintf(stderr, "photorig scan: unexpected argument '%s'\n%s", a, scan_usage);
			return 2;
		} else {
			action = a;
		}
	}
	static const struct { const char *name; enum pr_op op; } actions[] = {
		{ "start", PR_OP_SCAN_START }, { "pause", PR_OP_SCAN_PAUSE },
		{ "resume", PR_OP_SCAN_RESUME }, { "stop", PR_OP_SCAN_STOP },
		{ "status", PR_OP_SCAN_STATUS },
	};
	int found = 0;
	for (size_t i = 0; action && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(action, actions[i].name)) {
			req.op = actions[i].op;
			found = 1;
		}
	if (!found || (req.op != PR_OP_SCAN_START && (req.steps || req.degrees || req.has_settle))) {
		fputs(scan_usage, stderr);
		return 2;
	}
	struct pr_reply rep = { 0 };
	int rc = client_simple("scan", sock, &req, 30000, json, &rep);
	if (!rc && !json) {
		json_object *sc = NULL;
		json_object_object_get_ex(rep.obj, "scan", &sc);
		show_scan(sc, isatty(STDOUT_FILENO));
	}
	pr_reply_free(&rep);
	return rc;
}
