/* photorigd: sessions.
 *
 * A session is output_root/NAME/: one folder per camera position (the
 * originals, RGBA TIFFs and masks), journal.jsonl (append-only, the truth of
 * what happened) and manifest.json (rewritten atomically after each set,
 * derived from the same records as the journal, so they agree).
 *
 * The active session's name is kept in state_dir/active_session. At start-up
 * the daemon opens it again: temp files a crash left are swept, the journal
 * is replayed, sets that were cut short are settled (capture.c), and the
 * next set continues the numbering. */
#define _GNU_SOURCE
#include "session.h"

#include "daemon.h"
#include "capture.h"
#include "journal.h"
#include "originals.h"
#include "scan.h"
#include "sync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "imageio.h"
#include "log.h"

#define ACTIVE_FILE "active_session"

static void active_path(const struct daemon *d, char *buf, size_t size)
{
	pathf(buf, size, "%s/" ACTIVE_FILE, d->cfg.daemon.state_dir);
}

static int make_dir(const char *path, char *why, size_t size)
{
	if (mkdir(path, 0755) && errno != EEXIST) {
		snprintf(why, size, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(why, size, "%s is not a folder", path);
		return -1;
	}
	return 0;
}

/* Temp files of writers killed mid-write: nothing writes here yet. */
static void sweep(const char *dir)
{
	int n = pr_atomic_sweep(dir);
	if (n > 0)
		LOG_NOTICE("removed %d unfinished temporary file%s in %s", n, n == 1 ? "" : "s", dir);
}

static void sweep_session(const struct daemon *d, const char *dir)
{
	char sub[PATH_MAX + 64];
	sweep(dir);
	for (uint32_t i = 0; i < d->cfg.ncameras; i++) {
		static const char *const parts[] = { "", "/masks", "/truth" };
		for (size_t k = 0; k < 3; k++) {
			snprintf(sub, sizeof(sub), "%s/%s%s", dir, d->cfg.cameras[i].name, parts[k]);
			if (access(sub, F_OK) == 0)
				sweep(sub);
		}
	}
}

void session_note_seq(struct session *s, const char *camera, uint32_t seq)
{
	for (uint32_t i = 0; i < s->nseq; i++)
		if (!strcmp(s->seq[i].camera, camera)) {
			if (seq > s->seq[i].seq)
				s->seq[i].seq = seq;
			return;
		}
	struct cam_seq *n = realloc(s->seq, (s->nseq + 1) * sizeof(*n));
	if (!n)
		return;
	s->seq = n;
	snprintf(n[s->nseq].camera, sizeof(n[s->nseq].camera), "%s", camera);
	n[s->nseq++].seq = seq;
}

uint32_t session_take_seq(struct session *s, const char *camera)
{
	uint32_t next = 1;
	for (uint32_t i = 0; i < s->nseq; i++)
		if (!strcmp(s->seq[i].camera, camera))
			next = s->seq[i].seq + 1;
	session_note_seq(s, camera, next);
	return next;
}

struct set_rec *session_new_set(struct daemon *d)
{
	struct session *s = d->session;
	if (s->nsets == s->cap) {
		uint32_t cap = s->cap ? 2 * s->cap : 64;
		struct set_rec **n = realloc(s->sets, cap * sizeof(*n));
		if (!n)
			return NULL;
		s->sets = n;
		s->cap = cap;
	}
	struct set_rec *set = calloc(1, sizeof(*set));
	if (!set)
		return NULL;
	set->step = -1;
	s->sets[s->nsets++] = set;
	return set;
}

void session_drop_new_set(struct session *s)
{
	struct set_rec *set = s->sets[--s->nsets];
	free(set->shots);
	free(set);
}

struct set_rec *session_find_set(struct daemon *d, uint32_t number)
{
	struct session *s = d->session;
	if (!s)
		return NULL;
	/* reports are almost always about the newest sets */
	for (uint32_t i = s->nsets; i-- > 0;)
		if (s->sets[i]->number == number)
			return s->sets[i];
	return NULL;
}

struct shot_rec *set_find_shot(struct set_rec *set, const char *camera)
{
	for (uint32_t i = 0; i < set->nshots; i++)
		if (!strcmp(set->shots[i].camera, camera))
			return &set->shots[i];
	return NULL;
}

static void session_free(struct session *s)
{
	if (!s)
		return;
	if (s->journal_fd >= 0)
		close(s->journal_fd);
	for (uint32_t i = 0; i < s->nsets; i++) {
		free(s->sets[i]->shots);
		free(s->sets[i]);
	}
	free(s->sets);
	free(s->seq);
	scan_free(s->scan);
	free(s);
}

void session_close(struct daemon *d, int forget)
{
	if (!d->session)
		return;
	if (d->session->journal_fd >= 0)
		journal_sync(d->session);
	LOG_INFO("session %s closed after %u set%s", d->session->name, d->session->next_set - 1,
		 d->session->next_set == 2 ? "" : "s");
	session_free(d->session);
	d->session = NULL;
	if (forget) {
		char path[PATH_MAX];
		active_path(d, path, sizeof(path));
		if (unlink(path) && errno != ENOENT)
			LOG_WARN("cannot remove %s: %s", path, strerror(errno));
	}
}

int session_open(struct daemon *d, const char *name, char *why, size_t size)
{
	if (pr_proto_check_name(name, why, size))
		return -1;
	if (d->session && !strcmp(d->session->name, name))
		return 0;
	struct session *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, size, "out of memory");
		return -1;
	}
	s->journal_fd = -1;
	s->next_set = 1;
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (snprintf(s->dir, sizeof(s->dir), "%s/%s", d->cfg.daemon.output_root, name) >=
	    (int)sizeof(s->dir)) {
		snprintf(why, size, "session path too long");
		goto fail;
	}
	if (make_dir(d->cfg.daemon.output_root, why, size) || make_dir(s->dir, why, size))
		goto fail;
	for (uint32_t i = 0; i < d->cfg.ncameras; i++) {
		char sub[PATH_MAX + 64];
		snprintf(sub, sizeof(sub), "%s/%s", s->dir, d->cfg.cameras[i].name);
		if (make_dir(sub, why, size))
			goto fail;
	}
	sweep_session(d, s->dir);
	char jpath[PATH_MAX + 32];
	snprintf(jpath, sizeof(jpath), "%s/journal.jsonl", s->dir);
	int existed = access(jpath, F_OK) == 0;
	s->journal_fd = open(jpath, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (s->journal_fd < 0) {
		snprintf(why, size, "cannot open %s: %s", jpath, strerror(errno));
		goto fail;
	}
	s->created_ns = cam_now_realtime_ns();
	if (existed && journal_replay(d, s, why, size))
		goto fail;
	if (!existed) {
		json_object *line = json_object_new_object();
		json_object_object_add(line, "ev", json_object_new_string("session_started"));
		json_object_object_add(line, "session", json_object_new_string(name));
		json_object_object_add(line, "rig", json_object_new_string(d->cfg.rig.name));
		json_object_object_add(line, "time_ns", json_object_new_int64(s->created_ns));
		int rc = journal_append(s, line);
		json_object_put(line);
		if (rc || journal_sync(s)) {
			snprintf(why, size, "cannot write the journal %s", jpath);
			goto fail;
		}
	}
	char apath[PATH_MAX], text[PR_PROTO_NAME_MAX + 2];
	active_path(d, apath, sizeof(apath));
	snprintf(text, sizeof(text), "%s\n", name);
	struct pr_error err;
	if (pr_atomic_write(apath, text, strlen(text), &err)) {
		snprintf(why, size, "%s", err.msg);
		goto fail;
	}
	session_close(d, 0);
	d->session = s;
	LOG_INFO("session %s %s in %s; next set %u", name, existed ? "resumed" : "started", s->dir,
		 s->next_set);
	/* settle sets a crash cut short, bring back originals a stop while the
	 * disk was full left in the spill folder, then record the state on disk */
	capture_finish_recovered(d);
	originals_restore(d, 1);
	manifest_write(d);
	return 0;
fail:
	session_free(s);
	return -1;
}

/* The contact sheets' temporary files a crash left, in every session: the
 * sheet thread sweeps a folder only when it writes that session's next
 * sheet, which a session with no set after the restart never has, and it
 * may have been writing the sheet of a session the operator had just left.
 * At start-up, before the thread has work, nothing else writes there; later
 * a sweep could take a sheet it is writing. */
static void sweep_sheets(const struct daemon *d)
{
	DIR *dir = opendir(d->cfg.daemon.output_root);
	if (!dir)
		return;
	struct dirent *e;
	char why[128], path[PATH_MAX];
	while ((e = readdir(dir)))
		if (!pr_proto_check_name(e->d_name, why, sizeof(why)) &&
		    !pathf(path, sizeof(path), "%s/%s/sheets", d->cfg.daemon.output_root, e->d_name) &&
		    access(path, F_OK) == 0)
			sweep(path);
	closedir(dir);
}

int session_resume(struct daemon *d)
{
	char path[PATH_MAX], name[PR_PROTO_NAME_MAX + 2] = "", why[512];
	sweep_sheets(d);
	active_path(d, path, sizeof(path));
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(name, sizeof(name), f))
		name[0] = '\0';
	fclose(f);
	name[strcspn(name, "\r\n")] = '\0';
	if (session_open(d, name, why, sizeof(why))) {
		LOG_ERR("cannot resume session '%s' (recorded in %s): %s", name, path, why);
		return -1;
	}
	return 0;
}
