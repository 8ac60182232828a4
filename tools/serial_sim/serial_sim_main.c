/* photorig-serial-sim: a simulated turntable controller or trigger box on a
 * pseudo-terminal, as a process, for integration tests and the demo: the
 * daemon's config names the link as its serial device.
 *
 *   photorig-serial-sim grbl|esper|line --link PATH [--transcript FILE]
 *       [--greet] [--time-scale X] [--error-at-move N [--error-code C]]
 *       [--mute-after-moves N] [--reply TEXT]
 *
 * PATH becomes a symlink to the pty (it appears once the device is ready,
 * so a test waits for it); FILE receives every byte the client sends, as it
 * arrives. Runs until SIGTERM or SIGINT, then removes the link. The sim
 * outlives the daemon, so a daemon killed mid-scan and restarted finds the
 * table where it left it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grbl_sim.h"
#include "pty_sim.h"
#include "trigbox_sim.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: photorig-serial-sim grbl|esper|line --link PATH [--transcript FILE]\n"
			"       [--greet] [--time-scale X] [--error-at-move N [--error-code C]]\n"
			"       [--mute-after-moves N] [--reply TEXT]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *kind = argv[1], *link_path = NULL, *transcript = NULL, *reply = "OK";
	struct grbl_sim_opts go = { 0 };
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--greet")) {
			go.greet = 1;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--link"))
			link_path = v;
		else if (!strcmp(a, "--transcript"))
			transcript = v;
		else if (!strcmp(a, "--time-scale"))
			go.time_scale = atof(v);
		else if (!strcmp(a, "--error-at-move"))
			go.error_at_move = atoi(v);
		else if (!strcmp(a, "--error-code"))
			go.error_code = atoi(v);
		else if (!strcmp(a, "--mute-after-moves"))
			go.mute_after_moves = atoi(v);
		else if (!strcmp(a, "--reply"))
			reply = v;
		else
			return usage();
	}
	if (!link_path)
		return usage();
	int log_fd = -1;
	if (transcript) {
		log_fd = open(transcript, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0) {
			fprintf(stderr, "photorig-serial-sim: %s: %s\n", transcript, strerror(errno));
			return 1;
		}
	}
	struct grbl_sim *g = NULL;
	struct trigbox_sim *t = NULL;
	struct pty_sim *pty = NULL;
	const char *path = NULL;
	int rc;
	if (!strcmp(kind, "grbl")) {
		rc = grbl_sim_start(&g, &go);
		if (!rc) {
			pty = grbl_sim_pty(g);
			path = grbl_sim_path(g);
		}
	} else if (!strcmp(kind, "esper") || !strcmp(kind, "line")) {
		struct trigbox_sim_opts to = { .line_mode = !strcmp(kind, "line"), .reply = reply };
		rc = trigbox_sim_start(&t, &to);
		if (!rc) {
			pty = trigbox_sim_pty(t);
			path = trigbox_sim_path(t);
		}
	} else {
		return usage();
	}
	if (rc) {
		fprintf(stderr, "photorig-serial-sim: cannot create a pty\n");
		return 1;
	}
	pty_sim_set_log_fd(pty, log_fd);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Atomically: a waiter never sees a link to nowhere. */
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", link_path, (int)getpid());
	unlink(tmp);
	if (symlink(path, tmp) || rename(tmp, link_path)) {
		fprintf(stderr, "photorig-serial-sim: %s: %s\n", link_path, strerror(errno));
		unlink(tmp);
		rc = 1;
	} else {
		printf("%s %s\n", kind, path);
		fflush(stdout);
		while (!stop)
			pause();
		unlink(link_path);
		rc = 0;
	}
	pty_sim_set_log_fd(pty, -1);
	grbl_sim_stop(&g);
	trigbox_sim_stop(&t);
	if (log_fd >= 0)
		close(log_fd);
	return rc;
}
