/* photorig scan start|pause|resume|stop|status: turntable scans run by
 * photorigd. The scan runs unattended in the daemon; these commands only
 * start and steer it, so closing the terminal never stops a scan. status
 * draws a progress bar on a terminal (step i of N, the table's angle, the
 * time left) and says why a paused scan is paused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_follow.h"
#include "cli_util.h"
#include "client_conn.h"
#include "cmd.h"

static const char scan_usage[] =
	"usage: photorig scan start [--steps N] [--degrees D] [--settle-ms MS] [--detach]\n"
	"                           [--socket PATH] [--json]\n"
	"       photorig scan pause|resume|stop|status [--socket PATH] [--json]\n"
	"\n"
	"start   turns the table step by step and shoots a set at each angle, in the\n"
	"        active session, and follows the scan live until it ends (--detach:\n"
	"        return at once; Ctrl-C detaches, the scan goes on).\n"
	"        (With no active session, a new session scan-DATE-TIME is opened.)\n"
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
	"  --detach        scan start: return once the scan is started\n"
	"  --json          print the daemon's JSON reply instead of text (implies\n"
	"                  --detach)\n"
	"  -h, --help      this text\n";

static int scan_over(json_object *sc)
{
	const char *state = pr_json_str(sc, "state", "");
	return !strcmp(state, "done") || !strcmp(state, "stopped");
}

static void print_bar(json_object *sc)
{
	long long steps = (long long)pr_json_int(sc, "steps", 0);
	long long done = (long long)pr_json_int(sc, "steps_done", 0);
	int width = 40, full = steps > 0 ? (int)(done * width / steps) : 0;
	printf("[");
	for (int i = 0; i < width; i++)
		putchar(i < full ? '#' : '.');
	printf("] ");
}

/* What the scan is doing, in words that fit its state: a finished or
 * stopped scan has no current step; a stop asked during a step says it
 * stops after it, with no time left to count. */
static void show_scan(json_object *sc, int tty, enum pr_op op)
{
	if (!sc || json_object_is_type(sc, json_type_null)) {
		printf("no scan in the active session\n");
		return;
	}
	long long steps = (long long)pr_json_int(sc, "steps", 0);
	long long done = (long long)pr_json_int(sc, "steps_done", 0);
	const char *state = pr_json_str(sc, "state", "?");
	long long id = (long long)pr_json_int(sc, "scan", 0);
	const char *session = pr_json_str(sc, "session", "?");
	if (!strcmp(state, "done")) {
		printf("scan %lld of session %s finished: %lld of %lld steps shot\n", id, session, done,
		       steps);
	} else if (!strcmp(state, "stopped")) {
		printf("scan %lld of session %s stopped after %lld of %lld steps (their sets stay "
		       "in the session)\n", id, session, done, steps);
	} else if (op == PR_OP_SCAN_STOP || pr_json_bool(sc, "stop_pending", 0)) {
		printf("scan %lld of session %s stops after the step in progress (step %lld of "
		       "%lld); %lld done\n", id, session, (long long)pr_json_int(sc, "step", 0),
		       steps, done);
	} else {
		printf("scan %lld of session %s: %s", id, session, state);
		if (!strcmp(state, "running"))
			printf(" (%s)", pr_json_str(sc, "phase", "?"));
		printf("\n");
		if (tty && steps > 0)
			print_bar(sc);
		printf("%lld of %lld steps done; step %lld at %.4g degrees, table at %.4g degrees",
		       done, steps, (long long)pr_json_int(sc, "step", 0),
		       pr_json_double(sc, "angle", 0), pr_json_double(sc, "table_angle", 0));
		double eta = pr_json_double(sc, "eta_s", -1);
		if (eta >= 0 && !strcmp(state, "running"))
			printf(", about %d:%02d left", (int)eta / 60, (int)eta % 60);
		printf("\n");
	}
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
	if (pr_json_str(sc, "node", NULL)) /* a rig of several nodes: the one with the table */
		printf("the turntable is on node %s\n", pr_json_str(sc, "node", ""));
}

/* scan start, followed live: the start is sent once the watch connection
 * is open, so no step can pass unseen. */
struct live {
	const char *sock;
	struct pr_request req;
	int tty, rc, started, drawn, over;
	uint32_t id;
};

static int live_connected(void *arg, int again)
{
	struct live *lv = arg;
	if (again) {
		/* photorigd restarted: the scan goes on paused or not; say where it is */
		struct pr_request st;
		struct pr_reply rep = { 0 };
		json_object *sc = NULL;
		pr_request_init(&st, PR_OP_SCAN_STATUS, 2);
		if (!client_simple("scan", lv->sock, &st, 30000, 0, &rep) &&
		    json_object_object_get_ex(rep.obj, "scan", &sc) && sc && scan_over(sc)) {
			show_scan(sc, 0, PR_OP_SCAN_STATUS);
			lv->over = 1;
		}
		pr_reply_free(&rep);
		return lv->over;
	}
	struct pr_reply rep = { 0 };
	lv->rc = client_simple("scan", lv->sock, &lv->req, 30000, 0, &rep);
	json_object *sc = NULL;
	if (!lv->rc && json_object_object_get_ex(rep.obj, "scan", &sc) && sc) {
		lv->id = (uint32_t)pr_json_int(sc, "scan", 0);
		printf("scan %u of session %s started: %lld steps over %.4g degrees (Ctrl-C "
		       "detaches; the scan goes on)\n", lv->id, pr_json_str(sc, "session", "?"),
		       (long long)pr_json_int(sc, "steps", 0), pr_json_double(sc, "degrees", 0));
		fflush(stdout);
		lv->started = 1;
	}
	pr_reply_free(&rep);
	return !lv->started;
}

static int live_event(json_object *e, const char *name, void *arg)
{
	struct live *lv = arg;
	if (strcmp(name, "scan") || (uint32_t)pr_json_int(e, "scan", 0) != lv->id)
		return 0;
	const char *what = pr_json_str(e, "what", "");
	long long steps = (long long)pr_json_int(e, "steps", 0);
	long long done = (long long)pr_json_int(e, "steps_done", 0);
	if (scan_over(e)) {
		if (lv->drawn)
			printf("\n");
		show_scan(e, 0, PR_OP_SCAN_STATUS);
		lv->over = 1;
		return 1;
	}
	if (!strcmp(what, "paused") || !strcmp(what, "pausing") || !strcmp(what, "resumed") ||
	    !strcmp(what, "stopping") || !strcmp(what, "retry")) {
		if (lv->drawn)
			printf("\n");
		lv->drawn = 0;
		printf("scan %u: %s at step %lld of %lld%s%s\n", lv->id, what,
		       (long long)pr_json_int(e, "step", 0), steps,
		       pr_json_str(e, "reason", NULL) ? ": " : "", pr_json_str(e, "reason", ""));
	} else if (!strcmp(what, "step")) {
		double eta = pr_json_double(e, "eta_s", -1);
		if (lv->tty) {
			printf("\r");
			print_bar(e);
			printf("%lld/%lld steps", done, steps);
			if (eta >= 0)
				printf(", about %d:%02d left   ", (int)eta / 60, (int)eta % 60);
			lv->drawn = 1;
		} else {
			printf("scan %u: %lld of %lld steps done", lv->id, done, steps);
			if (eta >= 0)
				printf(", about %d:%02d left", (int)eta / 60, (int)eta % 60);
			printf("\n");
		}
	}
	fflush(stdout);
	return 0;
}

static int scan_follow(const char *sock, const struct pr_request *req)
{
	struct live lv = { .sock = sock, .req = *req, .tty = isatty(STDOUT_FILENO) };
	struct follow f = { .cmd = "scan", .socket = sock, .reconnect = 1,
			    .on_event = live_event, .on_connected = live_connected, .arg = &lv };
	enum follow_end end = cli_follow(&f);
	if (!lv.started)
		return lv.rc ? lv.rc : 1;
	if (end == FOLLOW_INTERRUPTED) {
		printf("%sdetached: scan %u goes on in photorigd (photorig scan status, photorig "
		       "scan stop)\n", lv.drawn ? "\n" : "", lv.id);
		return 0;
	}
	if (!lv.over) {
		fprintf(stderr, "photorig scan: lost photorigd while following scan %u\n", lv.id);
		return 1;
	}
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	const char *sock = NULL, *action = NULL;
	int json = 0, detach = 0;
	struct pr_request req;
	pr_request_init(&req, PR_OP_SCAN_STATUS, 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--detach")) {
			detach = 1;
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
	if (detach && req.op != PR_OP_SCAN_START) {
		fputs(scan_usage, stderr);
		return 2;
	}
	if (req.op == PR_OP_SCAN_START && !detach && !json)
		return scan_follow(sock, &req);
	struct pr_reply rep = { 0 };
	int rc = client_simple("scan", sock, &req, 30000, json, &rep);
	if (!rc && !json) {
		json_object *sc = NULL;
		json_object_object_get_ex(rep.obj, "scan", &sc);
		show_scan(sc, isatty(STDOUT_FILENO), req.op);
	}
	pr_reply_free(&rep);
	return rc;
}
