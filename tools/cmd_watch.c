/* photorig watch: print photorigd's events as they happen (sets started,
 * files saved, masks written, backdrop composites and contact sheets written,
 * sets complete, errors), one line each, or the
 * raw JSON lines with --json. Runs until interrupted or the daemon stops.
 *
 * photorig raw: send stdin to the daemon byte for byte and print every line
 * it answers; for scripts and tests that need to speak the protocol
 * directly (malformed requests included). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_follow.h"
#include "cli_util.h"
#include "client_conn.h"
#include "cmd.h"

static void show_event(json_object *e, const char *name)
{
	long long set = (long long)pr_json_int(e, "set", 0);
	const char *cam = pr_json_str(e, "camera", "?");
	if (!strcmp(name, "set_started"))
		printf("set %lld: triggered %lld cameras\n", set, (long long)pr_json_int(e, "cameras", 0));
	else if (!strcmp(name, "file_saved"))
		printf("set %lld: %s saved %s\n", set, cam, pr_json_str(e, "file", "?"));
	else if (!strcmp(name, "mask_written"))
		printf("set %lld: %s masked, %.1f%% foreground%s%s%s%s\n", set, cam,
		       100.0 * pr_json_double(e, "foreground", 0),
		       pr_json_bool(e, "stale_plate", 0) ? ", STALE-PLATE" : "",
		       pr_json_bool(e, "camera_moved", 0) ? ", CAMERA-MOVED" : "",
		       pr_json_str(e, "suspect", NULL) ? ", SUSPECT: " : "",
		       pr_json_str(e, "suspect", ""));
	else if (!strcmp(name, "set_complete"))
		printf("set %lld: %s, spread %.2f ms\n", set,
		       pr_json_bool(e, "complete", 0) ? "complete" : "INCOMPLETE",
		       pr_json_double(e, "spread_ms", 0));
	else if (!strcmp(name, "mask_skipped"))
		printf("set %lld: %s saved, NOT MASKED: %s (%s)\n", set, cam,
		       pr_json_str(e, "reason", "?"), pr_json_str(e, "note", ""));
	else if (!strcmp(name, "backdrop_written"))
		printf("set %lld: %s backdrop %s\n", set, cam, pr_json_str(e, "file", "?"));
	else if (!strcmp(name, "sheet_written"))
		printf("set %lld: contact sheet %s\n", set,
		       pr_json_str(e, "path", pr_json_str(e, "file", "?")));
	else if (!strcmp(name, "plate_saved")) {
		json_object *p = NULL;
		json_object_object_get_ex(e, "plate", &p);
		printf("%s: plate saved", cam);
		if (p && pr_json_double(p, "angle", -1) >= 0)
			printf(" at %g degrees", pr_json_double(p, "angle", 0));
		client_print_transient(p);
		printf("\n");
	}
	else if (!strcmp(name, "scan") && (!strcmp(pr_json_str(e, "state", ""), "done") ||
					    !strcmp(pr_json_str(e, "state", ""), "stopped")))
		/* an ended scan has no step in hand */
		printf("scan %lld: %s, %lld of %lld steps done\n", (long long)pr_json_int(e, "scan", 0),
		       pr_json_str(e, "what", "?"), (long long)pr_json_int(e, "steps_done", 0),
		       (long long)pr_json_int(e, "steps", 0));
	else if (!strcmp(name, "scan")) {
		printf("scan %lld: %s, step %lld of %lld at %.4g degrees, %lld done",
		       (long long)pr_json_int(e, "scan", 0), pr_json_str(e, "what", "?"),
		       (long long)pr_json_int(e, "step", 0), (long long)pr_json_int(e, "steps", 0),
		       pr_json_double(e, "angle", 0), (long long)pr_json_int(e, "steps_done", 0));
		if (pr_json_double(e, "eta_s", -1) >= 0)
			printf(", ETA %.0f s", pr_json_double(e, "eta_s", 0));
		if (pr_json_str(e, "reason", NULL))
			printf(": %s", pr_json_str(e, "reason", ""));
		printf("\n");
	} else if (!strcmp(name, "error"))
		printf("set %lld: %s: ERROR %s\n", set, cam, pr_json_str(e, "error", "?"));
	else
		printf("%s\n", json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
}

static const char watch_usage[] =
	"usage: photorig watch [--socket PATH] [--json] [--no-reconnect]\n\n"
	"Prints photorigd's events as they happen, one line each, until interrupted:\n"
	"sets triggered, files saved, masks written, shots saved but not masked,\n"
	"backdrop composites and contact sheets written, sets complete, scan steps,\n"
	"plates saved, errors. When photorigd restarts, watch says so and reconnects\n"
	"(trying every second for 60 s).\n\n"
	"  --socket PATH   photorigd's socket (default: $PHOTORIG_SOCKET, else\n"
	"                  " PHOTORIG_DEFAULT_SOCKET ")\n"
	"  --json          the events as photorigd sends them, one JSON object a line\n"
	"  --no-reconnect  end when photorigd goes away\n"
	"  -h, --help      this text\n\n"
	"Exit status: 0 when interrupted, 1 when photorigd went away and did not\n"
	"come back (or could not be reached), 2 on a usage error.\n";

static int watch_event(json_object *ev, const char *name, void *arg)
{
	(void)arg;
	show_event(ev, name);
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct follow f = { .cmd = "watch", .reconnect = 1, .on_event = watch_event };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			f.raw_json = 1;
		} else if (!strcmp(argv[i], "--no-reconnect")) {
			f.reconnect = 0;
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			f.socket = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(watch_usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "photorig watch: unknown argument '%s'\n%s", argv[i], watch_usage);
			return 2;
		}
	}
	return cli_follow(&f) == FOLLOW_LOST ? 1 : 0;
}

int cmd_raw(int argc, char **argv)
{
	const char *sock = NULL;
	uint32_t timeout_s = 10;
	static const char raw_usage[] =
		"usage: photorig raw [--socket PATH] [--timeout S] < LINES\n\n"
		"Sends its input to photorigd byte for byte (one JSON request a line, see\n"
		"core/protocol/protocol.h), then prints every line photorigd answers until it\n"
		"has been silent for S seconds. For scripts and tests.\n\n"
		"  --socket PATH   photorigd's socket (default: $PHOTORIG_SOCKET, else\n"
		"                  " PHOTORIG_DEFAULT_SOCKET ")\n"
		"  --timeout S     seconds to wait for more replies (default 10, 1..3600)\n"
		"  -h, --help      this text\n";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (cli_parse_u32("raw", "timeout", argv[++i], 1, 3600, &timeout_s))
				return 2;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(raw_usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "photorig raw: unknown argument '%s'\n%s", argv[i], raw_usage);
			return 2;
		}
	}
	struct client_conn c;
	if (conn_open(&c, "raw", sock))
		return 1;
	char buf[65536];
	ssize_t n;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (conn_send(&c, buf, (size_t)n)) {
			conn_close(&c);
			return 1;
		}
	/* tell the daemon we are done sending; it answers what it read */
	shutdown(c.fd, SHUT_WR);
	const char *line;
	while (conn_read_line(&c, (int)timeout_s * 1000, 1, &line) >= 0)
		printf("%s\n", line);
	conn_close(&c);
	return 0;
}
