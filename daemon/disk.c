/* photorigd: free space on the output disk.
 *
 * Originals come first. A set (capture, scan step) starts only when the
 * session's filesystem has [daemon] min_free_mb free (statvfs: the blocks
 * the daemon's user may use), so the masks, journal lines and manifest of
 * the sets in flight still find room after it. Below that, or once a write
 * failed for lack of space (ENOSPC, EDQUOT) or with EIO, photorigd is "disk
 * full": captures and scan steps are refused naming the folder, its free
 * space and the threshold; `status`, the log, watchers and systemd's STATUS
 * line say so. Originals that could not be written wait in their camera
 * thread's memory (originals.c).
 *
 * The state is checked every DISK_POLL_MS and on every request, and left by
 * itself once there is room again (the threshold, plus what is held, plus a
 * little after a failed write) and every held original is written. Then the
 * manifest is rewritten, masks that failed for lack of space are made again
 * and a scan the disk paused resumes. */
#define _GNU_SOURCE
#include "disk.h"

#include "daemon.h"
#include "events.h"
#include "capture.h"
#include "journal.h"
#include "loop.h"
#include "originals.h"
#include "rig.h"
#include "scan.h"
#include "session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "log.h"

#define DISK_POLL_MS 2000
#define MIB 1048576.0
/* after a failed write, room for at least this much more than is held */
#define DISK_SLACK_BYTES ((uint64_t)1 << 20)

static const char *output_dir(const struct daemon *d)
{
	return d->session ? d->session->dir : d->cfg.daemon.output_root;
}

static uint64_t threshold(const struct daemon *d)
{
	return (uint64_t)d->cfg.daemon.min_free_mb << 20;
}

static int free_space(const char *dir, uint64_t *bytes)
{
	struct statvfs sv;
	if (statvfs(dir, &sv))
		return -1;
	*bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

uint32_t disk_held_shots(const struct daemon *d)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < d->nslots; i++)
		n += d->slots[i].held_shots;
	return n;
}

static uint64_t held_bytes(const struct daemon *d)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < d->nslots; i++)
		n += d->slots[i].held_bytes;
	return n;
}

static void enter(struct daemon *d, int by_write, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void enter(struct daemon *d, int by_write, const char *fmt, ...)
{
	struct disk_state *ds = &d->disk;
	int was = ds->full;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ds->reason, sizeof(ds->reason), fmt, ap);
	va_end(ap);
	ds->full = 1;
	ds->write_failed |= by_write;
	if (was)
		return;
	ds->since_ns = mono_ns();
	LOG_WARN("disk full: %s: captures and scan steps are refused until there is room again",
		 ds->reason);
	json_object *e = pr_proto_event(PR_EV_ERROR, 0, 0);
	json_object_object_add(e, "error", json_object_new_string(ds->reason));
	json_object_object_add(e, "disk_full", json_object_new_boolean(1));
	events_publish(d, e);
}

void disk_write_failed(struct daemon *d, int rc, const char *msg)
{
	if (rc == PR_ENOSPC || rc == PR_EIO)
		enter(d, 1, "%s", msg);
}

/* Masks that failed for lack of space, as many as the queue takes now. */
static void remask(struct daemon *d)
{
	struct session *s = d->session;
	for (uint32_t i = 0; s && i < s->nsets; i++)
		for (uint32_t k = 0; k < s->sets[i]->nshots; k++) {
			struct shot_rec *r = &s->sets[i]->shots[k];
			if (r->mask_retry && capture_remask(d, s->sets[i], k))
				return; /* the queue is full: the rest at the next poll */
		}
	d->disk.mask_retry = 0;
}

static void leave(struct daemon *d)
{
	struct disk_state *ds = &d->disk;
	ds->full = 0;
	ds->write_failed = 0;
	ds->reason[0] = '\0';
	LOG_NOTICE("disk space back: %s has %.1f MB free (min_free_mb = %d) after %.0f s: captures "
		   "are accepted again", ds->path, (double)ds->free_bytes / MIB,
		   d->cfg.daemon.min_free_mb, (double)(mono_ns() - ds->since_ns) / 1e9);
	originals_restore(d, 0);
	if (d->disk.full)
		return; /* the spilled originals found no room after all */
	manifest_write(d); /* the sets finished meanwhile may have found no room for it */
	scan_disk_resumed(d);
}

void disk_poll(struct daemon *d, int force)
{
	struct disk_state *ds = &d->disk;
	int64_t now = mono_ns();
	if (!force && now < ds->next_poll_ns)
		return;
	ds->next_poll_ns = now + (int64_t)DISK_POLL_MS * 1000000;
	snprintf(ds->path, sizeof(ds->path), "%s", output_dir(d));
	ds->have_free = !free_space(ds->path, &ds->free_bytes);
	if (!ds->have_free)
		return; /* no output folder yet: a session start will say why */
	uint64_t need = threshold(d), held = held_bytes(d);
	if (!ds->full) {
		if (ds->free_bytes < need)
			enter(d, 0, "%s has %.1f MB free, below [daemon] min_free_mb = %d", ds->path,
			      (double)ds->free_bytes / MIB, d->cfg.daemon.min_free_mb);
		else if (ds->mask_retry)
			remask(d);
		return;
	}
	if (ds->write_failed && need < DISK_SLACK_BYTES)
		need = DISK_SLACK_BYTES;
	if (ds->free_bytes < need + held)
		return;
	if (disk_held_shots(d)) {
		/* the held originals first; the state is left once they are written */
		for (uint32_t i = 0; i < d->nslots; i++) {
			struct cam_slot *sl = &d->slots[i];
			struct cam_job *job;
			if (!sl->held_shots || sl->flush_posted || !(job = calloc(1, sizeof(*job))))
				continue;
			job->type = JOB_FLUSH;
			sl->flush_posted = 1;
			rig_post(sl, job);
		}
		return;
	}
	leave(d);
}

/* Why a set cannot start, from the state just checked. */
static void refusal(const struct daemon *d, char *why, size_t size)
{
	const struct disk_state *ds = &d->disk;
	size_t n = (size_t)snprintf(why, size, "disk full, captures are refused until there is "
				    "room again (they resume by themselves): %s has %.1f MB free, "
				    "[daemon] min_free_mb = %d", ds->path,
				    (double)ds->free_bytes / MIB, d->cfg.daemon.min_free_mb);
	uint32_t held = disk_held_shots(d);
	if (held && n < size)
		n += (size_t)snprintf(why + n, size - n, "; %u original%s (%.1f MB) held in memory "
				      "wait to be written", held, held == 1 ? "" : "s",
				      (double)held_bytes(d) / MIB);
	if (ds->write_failed && n < size)
		snprintf(why + n, size - n, "; last write error: %s", ds->reason);
}

int disk_check(struct daemon *d, char *why, size_t size)
{
	disk_poll(d, 1);
	if (!d->disk.full)
		return 0;
	refusal(d, why, size);
	return -1;
}

int disk_check_folder(struct daemon *d, const char *dir, const char *what, char *why,
		      size_t size)
{
	uint64_t bytes;
	if (free_space(dir, &bytes) || bytes >= threshold(d))
		return 0;
	snprintf(why, size, "disk full: %s has %.1f MB free, below [daemon] min_free_mb = %d: %s",
		 dir, (double)bytes / MIB, d->cfg.daemon.min_free_mb, what);
	LOG_WARN("%s", why);
	return -1;
}

json_object *disk_json(struct daemon *d)
{
	const struct disk_state *ds = &d->disk;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(ds->path));
	json_object_object_add(o, "free_mb", ds->have_free ? json_object_new_double(
						  (double)ds->free_bytes / MIB) : NULL);
	json_object_object_add(o, "min_free_mb", json_object_new_int(d->cfg.daemon.min_free_mb));
	json_object_object_add(o, "full", json_object_new_boolean(ds->full));
	if (ds->full) {
		json_object_object_add(o, "reason", json_object_new_string(ds->reason));
		json_object_object_add(o, "since_s", json_object_new_double(
							     (double)(mono_ns() - ds->since_ns) / 1e9));
	}
	json_object_object_add(o, "held", json_object_new_int64(disk_held_shots(d)));
	json_object_object_add(o, "held_mb", json_object_new_double((double)held_bytes(d) / MIB));
	return o;
}
