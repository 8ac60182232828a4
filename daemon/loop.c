/* photorigd: the event loop, signals, reload and shutdown.
 *
 * One epoll set: the listening socket, each client, a signalfd (SIGTERM,
 * SIGINT, SIGHUP: blocked, so no handler runs at all), a 100 ms timerfd (set
 * timeouts, watchdog pings, READY once the cameras are attached) and the
 * eventfd the camera threads and mask workers poke (sync.c).
 *
 * SIGTERM/SIGINT: no new work; the set in flight finishes (its files, its
 * masks, its journal line), then the loop ends and main exits 0. Bounded by
 * STOP_GRACE_S, after which files still in flight are abandoned (their temp
 * files are swept at the next start).
 * SIGHUP (or the reload request): parse the file into a fresh config and
 * swap it in only if it is valid; otherwise log why and keep running on the
 * old one. A reload that changes the cameras re-attaches them, and so waits
 * until no capture is running. */
#define _GNU_SOURCE
#include "loop.h"

#include "daemon.h"
#include "session.h"
#include "backdrops.h"
#include "capture.h"
#include "ctl.h"
#include "disk.h"
#include "hwtrig.h"
#include "key.h"
#include "originals.h"
#include "plate_op.h"
#include "pool.h"
#include "rig.h"
#include "rig_op.h"
#include "scan.h"
#include "sheets.h"
#include "sync.h"
#include "tt_worker.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "camera_settings.h"
#include "preview.h"
#include "cluster.h"
#include "remask.h"
#include "log.h"
#include "notify.h"
#include "plate_scan.h"
#include "web.h"

#define TICK_MS 100
#define ATTACH_WAIT_S 30
#define STOP_GRACE_S 60

static int tags[TAG_COUNT] = { 0, TAG_LISTEN, TAG_SIGNAL, TAG_TIMER, TAG_EVENT, TAG_SCAN, TAG_KEY,
				TAG_WEB, TAG_CLUSTER };

void ctl_reap(struct daemon *d);

/* systemd's status line is derived from the state, so no module has to ask
 * for it: after every round of the loop it is formed again and sent when it
 * changed. */
static void status_refresh(struct daemon *d)
{
	static char last[256];
	char now[256];
	const char *disk = d->disk.full ? ", DISK FULL: captures refused" : "";
	if (d->session)
		snprintf(now, sizeof(now), "%d/%u cameras, session %s, set %u%s%s", rig_attached(d),
			 d->nslots, d->session->name, d->session->next_set - 1, disk,
			 d->stopping ? ", stopping" : "");
	else
		snprintf(now, sizeof(now), "%d/%u cameras, no session%s%s", rig_attached(d),
			 d->nslots, disk, d->stopping ? ", stopping" : "");
	if (strcmp(now, last)) {
		memcpy(last, now, sizeof(last));
		notify_status("%s", now);
	}
}

static int camera_differs(const struct pr_camera_config *a, const struct pr_camera_config *b)
{
	if (strcmp(a->name, b->name) || a->driver != b->driver || strcmp(a->serial, b->serial) ||
	    strcmp(a->port, b->port) || strcmp(a->device, b->device) || a->width != b->width ||
	    a->height != b->height || a->seed != b->seed || a->latency_ms != b->latency_ms ||
	    a->noise != b->noise || strcmp(a->pixel_format, b->pixel_format) || a->fps != b->fps ||
	    a->delete_after_download != b->delete_after_download ||
	    a->timeout_ms != b->timeout_ms || a->nsettings != b->nsettings ||
	    a->on_refused_control != b->on_refused_control)
		return 1;
	for (uint32_t i = 0; i < a->nsettings; i++)
		if (strcmp(a->settings[i].key, b->settings[i].key) ||
		    strcmp(a->settings[i].value, b->settings[i].value))
			return 1;
	return 0;
}

static int rig_differs(const struct pr_config *a, const struct pr_config *b)
{
	if (a->ncameras != b->ncameras)
		return 1;
	for (uint32_t i = 0; i < a->ncameras; i++)
		if (camera_differs(&a->cameras[i], &b->cameras[i]))
			return 1;
	return 0;
}

static int rig_idle(struct daemon *d)
{
	if (d->op.kind != OP_NONE || pool_in_flight(d) || ttw_busy(d))
		return 0;
	for (uint32_t i = 0; i < d->nslots; i++)
		if (d->slots[i].busy)
			return 0;
	return 1;
}

/* Keep what only a restart can change, and say so. */
static void keep_restart_only(const struct pr_config *old, struct pr_config *fresh)
{
	struct {
		const char *key;
		const char *was;
		char *now;
		size_t size;
	} keys[] = {
		{ "socket", old->daemon.socket, fresh->daemon.socket, sizeof(fresh->daemon.socket) },
		{ "state_dir", old->daemon.state_dir, fresh->daemon.state_dir,
		  sizeof(fresh->daemon.state_dir) },
		{ "output_root", old->daemon.output_root, fresh->daemon.output_root,
		  sizeof(fresh->daemon.output_root) },
		{ "group", old->daemon.group, fresh->daemon.group, sizeof(fresh->daemon.group) },
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].was, keys[i].now)) {
			LOG_NOTICE("reload: [daemon] %s changes only at restart; still %s", keys[i].key,
				   keys[i].was);
			snprintf(keys[i].now, keys[i].size, "%s", keys[i].was);
		}
	if (old->daemon.worker_threads != fresh->daemon.worker_threads)
		LOG_NOTICE("reload: [daemon] worker_threads changes only at restart");
}

int daemon_reload(struct daemon *d, char *why, size_t size)
{
	struct pr_config fresh;
	struct pr_error_list errs;
	pr_error_list_init(&errs);
	notify_reloading();
	if (pr_config_load(d->config_path, &fresh, &errs)) {
		LOG_ERR("reload: %s is not valid; the running config is kept:", d->config_path);
		for (unsigned i = 0; i < errs.count; i++)
			LOG_ERR("  %s", errs.msg[i]);
		snprintf(why, size, "config not reloaded (the running one is kept): %s%s",
			 errs.count ? errs.msg[0] : "unreadable", errs.count > 1 ? " (and more: see "
			 "the daemon's log or photorigd -n)" : "");
		notify_ready();
		return -1;
	}
	keep_restart_only(&d->cfg, &fresh);
	int rig_changed = rig_differs(&d->cfg, &fresh);
	if (rig_changed && !rig_idle(d)) {
		pr_config_free(&fresh);
		d->reload_pending = 1;
		snprintf(why, size, "busy: the new config changes the cameras; it will be applied "
			 "when the current work is done");
		LOG_NOTICE("reload: %s", why);
		notify_ready();
		return -2;
	}
	/* backdrop images are loaded with the config they belong to: one that
	 * cannot be read makes the new config invalid */
	struct backdrop_ref **backdrops;
	if (backdrops_load(&fresh, &backdrops, why, size)) {
		LOG_ERR("reload: %s; the running config is kept", why);
		pr_config_free(&fresh);
		notify_ready();
		return -1;
	}
	backdrops_free(d->backdrops, d->nbackdrops);
	d->backdrops = backdrops;
	d->nbackdrops = fresh.ncameras;
	if (rig_changed) {
		plate_store_free(d);
		rig_stop(d);
	}
	struct pr_config old = d->cfg;
	d->cfg = fresh;
	pr_config_free(&old);
	log_set_level(d->cfg.daemon.log_level);
	if (rig_changed) {
		rig_start(d);
		plate_store_load(d);
		d->attach_deadline = mono_ns() + (int64_t)ATTACH_WAIT_S * 1000000000LL;
		/* originals the old camera threads held went to the spill folder */
		originals_restore(d, 0);
	}
	LOG_NOTICE("config reloaded from %s%s", d->config_path,
		   rig_changed ? ": cameras re-attached" : "");
	notify_ready();
	status_refresh(d);
	return 0;
}

static void on_report(struct daemon *d, struct report *r)
{
	switch (r->type) {
	case REP_ATTACHED: {
		if (r->generation != d->generation)
			break;
		struct cam_slot *s = &d->slots[r->cam];
		s->state = r->rc ? (enum slot_state)r->slot_state : SLOT_READY;
		s->attempts = r->attempts;
		s->retry_ns = r->retry_ns;
		/* the last error stays shown once the camera is back */
		if (r->rc)
			snprintf(s->error, sizeof(s->error), "%s", r->msg);
		if (!r->rc) {
			s->info = r->info;
			LOG_INFO("camera %s attached: %s, serial %s, port %s", s->cfg.name,
				 r->info.model, r->info.serial, r->info.port);
		}
		status_refresh(d);
		break;
	}
	case REP_SHOT:
		capture_on_shot(d, r);
		break;
	case REP_MASK:
		capture_on_mask(d, r);
		break;
	case REP_PLATE_PROGRESS:
	case REP_PLATE_DONE:
		plate_on_report(d, r);
		break;
	case REP_TURNED:
		if (plate_scan_active(d))
			plate_scan_on_turned(d, r);
		else
			scan_on_turned(d, r);
		break;
	case REP_FIRED:
		hwtrig_on_fired(d, r);
		break;
	case REP_SHEET:
		sheets_on_report(d, r);
		break;
	case REP_SETTINGS:
		camsettings_on_report(d, r);
		break;
	case REP_PREVIEW:
		preview_on_report(d, r);
		break;
	}
}

static void on_reports(struct daemon *d)
{
	struct report *r = report_take_all(d);
	while (r) {
		struct report *next = r->next;
		on_report(d, r);
		plate_ref_put(r->plate);
		sheets_tiles_free(r->tiles);
		json_object_put(r->json);
		free(r);
		r = next;
	}
}

/* Image buffers are allocated and freed by many threads (cameras, mask
 * workers, the sheet thread); glibc keeps what they free in per-thread
 * arenas, and the free pages between the records a session keeps add up
 * set by set. Once in a while, with nothing in flight, they go back to the
 * system (the soak measures it: tests/soak/soak.sh). */
#define TRIM_EVERY_NS (30 * 1000000000LL)

static void trim_when_idle(struct daemon *d, int64_t now)
{
	if (now - d->last_trim_ns < TRIM_EVERY_NS || !rig_idle(d))
		return;
	d->last_trim_ns = now;
	malloc_trim(0);
}

/* A reload that changes the cameras waits while work is in flight (it
 * answered "busy: ... applied when the current work is done"). Ops apply it
 * when they end (op_reply); work without an op (masks of held originals
 * written once the disk had room, a scan's last masks) ends here. */
static void reload_when_idle(struct daemon *d)
{
	char why[512];
	if (!d->reload_pending || !rig_idle(d))
		return;
	d->reload_pending = 0;
	daemon_reload(d, why, sizeof(why));
}

static void on_tick(struct daemon *d)
{
	uint64_t n;
	if (read(d->timerfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		LOG_RATELIMITED(PR_LOG_ERR, "timerfd: %s", strerror(errno));
	int64_t now = mono_ns();
	if (!d->ready_sent) {
		int waiting = 0;
		for (uint32_t i = 0; i < d->nslots; i++)
			waiting += d->slots[i].state == SLOT_ATTACHING;
		if (!waiting || now > d->attach_deadline) {
			d->ready_sent = 1;
			notify_ready();
			status_refresh(d);
			LOG_NOTICE("ready: %d of %u cameras attached, control socket %s",
				   rig_attached(d), d->nslots, d->cfg.daemon.socket);
		}
	}
	if (d->watchdog_usec && now - d->last_ping_ns >= (int64_t)d->watchdog_usec * 500) {
		notify_watchdog();
		d->last_ping_ns = now;
	}
	disk_poll(d, 0);
	capture_tick(d);
	remask_tick(d);
	scan_tick(d);
	opkey_tick(d);
	cluster_tick(d);
	reload_when_idle(d);
	trim_when_idle(d, now);
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			char why[1024];
			LOG_NOTICE("SIGHUP: reloading %s", d->config_path);
			daemon_reload(d, why, sizeof(why));
		} else if (!d->stopping) {
			LOG_NOTICE("%s: finishing the files in flight, then stopping",
				   strsignal((int)si.ssi_signo));
			d->stopping = 1;
			notify_stopping();
			status_refresh(d);
		}
	}
}

int loop_add_fd(struct daemon *d, int fd, int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tags[tag] };
	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int setup(struct daemon *d)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->timerfd < 0 || d->epfd < 0)
		return -1;
	struct itimerspec it = { .it_interval = { 0, TICK_MS * 1000000L },
				 .it_value = { 0, TICK_MS * 1000000L } };
	if (timerfd_settime(d->timerfd, 0, &it, NULL))
		return -1;
	if (loop_add_fd(d, d->listen_fd, TAG_LISTEN) || loop_add_fd(d, d->sigfd, TAG_SIGNAL) ||
	    loop_add_fd(d, d->timerfd, TAG_TIMER) || loop_add_fd(d, d->evfd, TAG_EVENT) ||
	    scan_init(d))
		return -1;
	if (cluster_start(d))
		return -1;
	opkey_setup(d); /* an absent key is logged, not fatal: it may be plugged in later */
	web_start(d);   /* likewise the operator page */
	d->watchdog_usec = notify_watchdog_usec();
	d->attach_deadline = mono_ns() + (int64_t)ATTACH_WAIT_S * 1000000000LL;
	return 0;
}

/* Stopping: done when nothing is in flight any more. */
static int may_exit(struct daemon *d, int64_t stop_started)
{
	if (!d->stopping)
		return 0;
	if (mono_ns() - stop_started > (int64_t)STOP_GRACE_S * 1000000000LL) {
		LOG_WARN("files still in flight after %d s: stopping anyway", STOP_GRACE_S);
		return 1;
	}
	return rig_idle(d);
}

int daemon_run(struct daemon *d)
{
	if (setup(d)) {
		LOG_ERR("cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	int64_t stop_started = 0;
	while (!may_exit(d, stop_started)) {
		struct epoll_event evs[64];
		int n = epoll_wait(d->epfd, evs, 64, -1);
		if (n < 0 && errno != EINTR) {
			LOG_ERR("epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			int tag = *(int *)evs[i].data.ptr;
			if (tag == TAG_LISTEN)
				ctl_accept(d);
			else if (tag == TAG_SIGNAL)
				on_signal(d);
			else if (tag == TAG_TIMER)
				on_tick(d);
			else if (tag == TAG_EVENT)
				on_reports(d);
			else if (tag == TAG_SCAN && plate_scan_active(d))
				plate_scan_on_timer(d);
			else if (tag == TAG_SCAN)
				scan_on_timer(d);
			else if (tag == TAG_KEY)
				opkey_on_event(d);
			else if (tag == TAG_WEB)
				web_on_event(d);
			else if (tag == TAG_CLUSTER)
				cluster_on_event(d);
			else
				ctl_client_event(d, evs[i].data.ptr, evs[i].events);
		}
		ctl_reap(d);
		status_refresh(d);
		if (d->stopping && !stop_started)
			stop_started = mono_ns();
	}
	LOG_NOTICE("stopped");
	return 0;
}
