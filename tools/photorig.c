/* photorig: the command-line client. Offline commands (mask, eval, scene,
 * bench) run the core directly with no daemon; the others talk to photorigd
 * over its control socket (client_conn.c). */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli_global.h"
#include "cmd.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "mask", cmd_mask, "mask shots against background plates (offline)" },
	{ "eval", cmd_eval, "score masks against truth masks (CDnet 2014 metrics)" },
	{ "scene", cmd_scene, "write a generated scene with known truth (plates, shots, truth)" },
	{ "status", cmd_status, "what photorigd is doing: cameras, session, plates" },
	{ "cameras", cmd_cameras, "the camera positions and their state" },
	{ "detect", cmd_detect, "list attached cameras and print [camera] sections for them" },
	{ "camera", cmd_camera, "NAME settings | NAME|all set KEY VALUE: a camera's settings" },
	{ "plate", cmd_plate, "record the background plates (remove the object first)" },
	{ "capture", cmd_capture, "fire every camera together, N sets, into the session" },
	{ "session", cmd_session, "start NAME | stop | list: named scans and their outputs" },
	{ "scan", cmd_scan, "start|pause|resume|stop|status: turntable scans, step by step" },
	{ "watch", cmd_watch, "print photorigd's events as they happen" },
	{ "reload", cmd_reload, "make photorigd read its config again" },
	{ "raw", cmd_raw, "send stdin to photorigd as is, print the replies (scripts)" },
	{ "bench", cmd_bench, "time each masking stage on a generated scene or given files" },
	{ "sheet", cmd_sheet, "contact sheet of shots with their mask outlines (offline)" },
	{ "remask", cmd_remask, "mask a session's shots again (new plates, settings)" },
	{ "export", cmd_export, "a session for colmap, metashape, realitycapture, meshroom (offline)" },
	{ "web-password", cmd_web_password, "set the password of photorigd's operator page" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: photorig COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nglobal options, before or after the command:\n"
		"  --socket PATH   photorigd's socket (default: $PHOTORIG_SOCKET, else\n"
		"                  /run/photorig/control.sock)\n"
		"  -c FILE         take the socket from photorigd's config FILE\n"
		"  --json          the daemon's JSON replies, for scripts\n"
		"\n'photorig COMMAND --help' describes each command.\n");
}

/* Masking a 24 MP shot allocates and frees full-frame planes of 24 to 100
 * MB several times over. By default glibc serves each from its own mmap and
 * unmaps it on free, so every plane's pages fault in again, zeroed, at the
 * next allocation (and unmapping with worker threads about costs TLB
 * shootdowns): about 100 ms of a 24 MP shot on a 2-core machine. Serve them
 * from the heap and keep what is freed for the next plane instead; the peak
 * is the same, since the same blocks are reused. */
static void keep_freed_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int main(int argc, char **argv)
{
	keep_freed_memory();
	int n;
	char **v;
	int rc = cli_global_args(argc, argv, &n, &v);
	if (rc == 2)
		return 2;
	if (rc < 0) {
		const char *a = argc > 1 ? argv[argc > 1 ? 1 : 0] : NULL;
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
			    !strcmp(argv[i], "--version"))
				a = argv[i];
		if (a && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
			usage(stdout);
			return 0;
		}
		if (a && !strcmp(a, "--version")) {
			printf("photorig %s\n", PHOTORIG_VERSION);
			return 0;
		}
		if (a && a[0] == '-')
			fprintf(stderr, "photorig: unknown option '%s' before the command\n", a);
		usage(stderr);
		return 2;
	}
	if (!strcmp(v[0], "help")) {
		free(v);
		usage(stdout);
		return 0;
	}
	const char *names[sizeof(commands) / sizeof(commands[0])];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		names[i] = commands[i].name;
		if (!strcmp(v[0], commands[i].name)) {
			rc = commands[i].run(n, v);
			free(v);
			return rc;
		}
	}
	const char *near = cli_suggest(v[0], names, sizeof(names) / sizeof(names[0]));
	if (near)
		fprintf(stderr, "photorig: unknown command '%s': did you mean '%s'?\n", v[0], near);
	else
		fprintf(stderr, "photorig: unknown command '%s'\n", v[0]);
	free(v);
	usage(stderr);
	return 2;
}
