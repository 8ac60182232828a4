/* photorigd: the capture daemon.
 *
 *   photorigd [-c FILE]      run in the foreground (systemd Type=notify)
 *   photorigd -n [-c FILE]   check the config: print it normalised, or its
 *                            errors with file:line (exit 1)
 *
 * Start-up order: config, log, folders, control socket (so a second daemon
 * on the same socket is refused before any camera is touched), report queue,
 * mask workers, camera threads, plates, the session a crash or a stop left
 * active; then the loop. READY=1 is sent by the loop once every camera has
 * attached or failed to (or after 30 s). */
#define _GNU_SOURCE
#include "daemon.h"
#include "backdrops.h"
#include "ctl.h"
#include "hwtrig.h"
#include "key.h"
#include "loop.h"
#include "plate_op.h"
#include "pool.h"
#include "rig.h"
#include "session.h"
#include "sheets.h"
#include "sync.h"
#include "tt_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "camera_settings.h"
#include "preview.h"
#include "cluster.h"
#include "remask.h"
#include "log.h"
#include "web.h"
#include "notify.h"

int daemon_run(struct daemon *d);
void ctl_reap(struct daemon *d);

static const char usage[] =
	"usage: photorigd [-c FILE] [-n]\n"
	"\n"
	"The photorig capture daemon. Runs in the foreground; stop it with SIGTERM (files in\n"
	"flight are finished first), reload its config with SIGHUP.\n"
	"\n"
	"  -c, --config FILE  config file (default " PR_CONFIG_DEFAULT_PATH ")\n"
	"  -n, --check        check the config: print it normalised and exit 0, or print\n"
	"                     every error (file:line) and exit 1\n"
	"  -h, --help         this text\n"
	"      --version      print the version\n"
	"\n"
	"Environment: PHOTORIG_SIM_TRUTH=1 makes sim cameras also write the exact truth\n"
	"alpha of every shot to SESSION/CAMERA/truth/NAME.png (tests, the demo).\n";

static int make_dirs(const char *path)
{
	char buf[PATH_MAX + 16];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

/* 0, 1 and 2 must be open before anything else is: a file or socket that
 * got one of them would be written to as stdout, and libgphoto2 2.5.30
 * closes descriptor 0 whenever a PTP/IP camera is closed. With 0 on
 * /dev/null it closes that (the driver puts it back), not a camera's
 * socket or the journal. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", O_RDWR);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

static int load(const char *path, struct pr_config *cfg)
{
	struct pr_error_list errs;
	pr_error_list_init(&errs);
	if (pr_config_load(path, cfg, &errs)) {
		fprintf(stderr, "photorigd: %s is not a valid config:\n", path);
		pr_error_list_print(&errs, stderr);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	ensure_std_fds();
	const char *path = PR_CONFIG_DEFAULT_PATH;
	int check = 0, opt;
	while ((opt = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'n': check = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': printf("photorigd %s\n", PHOTORIG_VERSION); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "photorigd: unexpected argument '%s'\n", argv[optind]);
		fputs(usage, stderr);
		return 2;
	}
	static struct daemon d;
	if (load(path, &d.cfg))
		return 1;
	if (check) {
		pr_config_print(&d.cfg, stdout);
		pr_config_free(&d.cfg);
		return 0;
	}
	/* the umask is the caller's (systemd: UMask=0027, so outputs are
	 * readable by group photorig); atomic_file.c reads it once */
	signal(SIGPIPE, SIG_IGN);
	/* blocked before any thread exists, so every thread inherits the mask
	 * and the signals reach only the loop's signalfd */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	log_init(d.cfg.daemon.log_level);
	d.config_path = path;
	d.listen_fd = d.sigfd = d.timerfd = d.evfd = d.epfd = -1;
	d.scan_timerfd = d.key_fd = -1;
	d.started_ns = mono_ns();
	d.uid = geteuid();
	d.want_truth = getenv("PHOTORIG_SIM_TRUTH") && !strcmp(getenv("PHOTORIG_SIM_TRUTH"), "1");
	if (d.cfg.daemon.group[0]) {
		struct group *g = getgrnam(d.cfg.daemon.group);
		if (!g) {
			LOG_ERR("group '%s' ([daemon] group) does not exist: create it (systemd-sysusers "
				"photorig.conf) or set group to empty", d.cfg.daemon.group);
			return 1;
		}
		d.group_gid = g->gr_gid;
	} else {
		d.group_gid = getegid();
	}
	char plates[PATH_MAX + 16];
	snprintf(plates, sizeof(plates), "%s/plates", d.cfg.daemon.state_dir);
	if (make_dirs(plates) || make_dirs(d.cfg.daemon.output_root)) {
		LOG_ERR("cannot create %s or %s: %s", plates, d.cfg.daemon.output_root,
			strerror(errno));
		return 1;
	}
	/* temp files of plates a crash cut short */
	pr_atomic_sweep(plates);
	pr_atomic_sweep(d.cfg.daemon.state_dir);
	if (ctl_listen(&d))
		return 1;
	unsigned capacity = 4 * d.cfg.ncameras > 64 ? 4 * d.cfg.ncameras : 64;
	char why[PATH_MAX + 512];
	if (backdrops_load(&d.cfg, &d.backdrops, why, sizeof(why))) {
		LOG_ERR("%s", why);
		return 1;
	}
	d.nbackdrops = d.cfg.ncameras;
	if (report_init(&d) || pool_start(&d, d.cfg.daemon.worker_threads, capacity) ||
	    sheets_start(&d)) {
		LOG_ERR("cannot start: out of resources");
		return 1;
	}
	LOG_NOTICE("photorigd %s: rig %s, %u camera%s, config %s", PHOTORIG_VERSION,
		   d.cfg.rig.name, d.cfg.ncameras, d.cfg.ncameras == 1 ? "" : "s", path);
	rig_start(&d);
	if (ttw_start(&d) || hwtrig_start(&d)) {
		LOG_ERR("cannot start the turntable or trigger thread: out of resources");
		return 1;
	}
	plate_store_load(&d);
	session_resume(&d);
	int rc = daemon_run(&d);
	web_stop(&d);
	cluster_stop(&d);
	ctl_close_all(&d);
	opkey_shutdown(&d);
	plate_store_free(&d);
	ttw_stop(&d);
	hwtrig_stop(&d);
	rig_stop(&d);
	pool_stop(&d);
	sheets_stop(&d);
	backdrops_free(d.backdrops, d.nbackdrops);
	session_close(&d, 0);
	report_fini(&d);
	camsettings_fini();
	preview_fini();
	remask_fini();
	pr_config_free(&d.cfg);
	return rc ? 1 : 0;
}
