/* photorigd: the daemon's shared state.
 *
 * One struct daemon, owned by the loop thread (loop.c): only the loop reads
 * or writes it, so no lock guards it. Camera threads (rig.c), mask workers
 * (pool.c), the sheet thread (sheets.c), the turntable thread
 * (tt_worker.c) and the trigger thread (hwtrig.c) tell the loop what
 * happened through reports (sync.h) and never touch this struct.
 *
 * Each module declares what others may call in its own header (capture.h,
 * session.h, journal.h, ...); ARCHITECTURE.md maps the modules, their
 * threads and the life of a capture set. */
#ifndef PHOTORIGD_DAEMON_H
#define PHOTORIGD_DAEMON_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "disk.h"
#include "events.h"
#include "rig_op.h"

struct backdrop_ref;
struct cam_slot;
struct client;
struct cluster;
struct hwtrig;
struct opkey_state;
struct plate_angles;
struct plate_scan;
struct plate_ref;
struct pool;
struct report;
struct session;
struct sheets;
struct ttw;

struct daemon {
	const char *config_path;
	struct pr_config cfg;
	int epfd, sigfd, timerfd, evfd, listen_fd;
	uid_t uid;
	gid_t group_gid;
	int64_t started_ns;

	/* rig */
	struct cam_slot *slots;
	uint32_t nslots;
	int generation;
	int ready_sent;
	int64_t attach_deadline;
	struct plate_ref **plates;    /* by camera index */
	char (*plate_errors)[512];    /* plates that could not be loaded (unmasked.c) */
	struct plate_angles *pangles; /* plates per turntable angle (plate_angles.c) */
	struct plate_scan *pscan;     /* a running plate --scan (plate_scan.c), or NULL */

	/* reports */
	pthread_mutex_t rep_lock;
	struct report *rep_head, *rep_tail;

	/* mask pool */
	struct pool *pool;
	/* backdrop composites (by camera index) and contact sheets */
	struct backdrop_ref **backdrops;
	uint32_t nbackdrops;
	struct sheets *sheets;

	struct session *session;
	struct rig_op op;
	struct disk_state disk;

	/* front ends: the event bus and the control socket's clients (ctl.c) */
	struct events events;
	struct client *clients;
	int nclients;

	/* turntable scans, operator key, hardware trigger */
	int scan_timerfd;
	struct ttw *ttw;
	int key_fd;
	struct opkey_state *key;
	struct hwtrig *trig;
	struct cluster *cluster;  /* the cluster link (cluster.h); NULL without [cluster] */

	int stopping, reload_pending;
	uint64_t watchdog_usec;
	int64_t last_ping_ns;
	int64_t last_trim_ns;     /* the last malloc_trim (loop.c) */
	int want_truth;
};


#endif
