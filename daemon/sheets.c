/* photorigd: contact sheets, to check a set at a glance.
 *
 * The mask worker makes a shot's tiles right after masking, while the
 * full-size shot and mask are in memory (no file is read again): one for
 * the set's sheet (SHEET_TILE_WIDTH) and a smaller one for the session
 * sheet. The loop keeps them, per set in flight, until the set is finished
 * (complete or not); then a camera with no tile gets a "missing" one and the
 * set's tiles go to the sheet thread, which writes, atomically,
 *
 *   SESSION/sheets/set_NNNN.png   the set, a tile per camera
 *   SESSION/sheets/session.png    a row per set, rewritten after each set (once
 *                                 for all the sets queued meanwhile)
 *
 * and reports back (REP_SHEET): the loop journals sheet_written, puts the
 * sheet in the manifest and tells watchers. A thread of its own, so the PNG
 * encode of a tall session sheet never delays the loop or a mask.
 *
 * Memory: the set tiles live only until their sheet is written; the session
 * sheet keeps its small tiles (128 px: about 36 KB each, 9 MB for a 36-step
 * scan with 8 cameras) for its last SESSION_ROWS_MAX sets. After a restart
 * the session sheet starts again from the sets shot since; `photorig sheet
 * SESSION` rebuilds it in full from the files. */
#define _GNU_SOURCE
#include "sheets.h"

#include "daemon.h"
#include "events.h"
#include "journal.h"
#include "session.h"
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "atomic_file.h"
#include "log.h"
#include "unmasked.h"

#define SESSION_ROWS_MAX 200
#define SHEETS_NICE 10

/* Loop only: the tiles of a set in flight, [shot][SHEET_TILES]. */
struct pending {
	struct pending *next;
	char dir[PATH_MAX];
	uint32_t set, nshots;
	struct pr_sheet_tile (*tiles)[SHEET_TILES];
	uint8_t *have;
};

/* A shot saved but not masked: the sheet thread reads its original. */
struct unmasked_shot {
	char path[PATH_MAX];      /* "" = none */
	char note[64];
};

struct sheet_job {
	struct sheet_job *next;
	char dir[PATH_MAX];
	uint32_t set, nshots;
	char label[96];
	struct pr_sheet_tile (*tiles)[SHEET_TILES];
	struct unmasked_shot *unmasked; /* [nshots] or NULL */
};

struct srow {
	char label[96];
	size_t ntiles;
	struct pr_sheet_tile *tiles;
};

struct sheets {
	struct daemon *d;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sheet_job *head, *tail; /* under lock */
	int stopping;                  /* under lock */
	struct pending *pending;       /* loop only */
	/* sheet thread only: the session sheet's rows */
	char dir[PATH_MAX];
	struct srow rows[SESSION_ROWS_MAX];
	size_t nrows;
};

struct pr_sheet_tile *sheets_tiles_make(const char *camera, const struct pr_image *shot,
					const struct pr_mask_result *res, int inverted, int rc,
					const char *why)
{
	static const uint32_t widths[SHEET_TILES] = { SHEET_TILE_WIDTH, SHEET_SESSION_TILE_WIDTH };
	struct pr_sheet_tile *t = calloc(SHEET_TILES, sizeof(*t));
	if (!t)
		return NULL;
	for (int i = 0; i < SHEET_TILES; i++) {
		struct pr_sheet_options o;
		struct pr_error err = { 0 };
		pr_sheet_options_default(&o);
		o.tile_width = widths[i];
		if (rc || pr_sheet_tile_make(&t[i], camera, shot, res->mask, inverted, &res->stats, &o,
					     &err))
			pr_sheet_tile_missing(&t[i], camera, rc ? why : err.msg);
	}
	return t;
}

void sheets_tiles_free(struct pr_sheet_tile *t)
{
	for (int i = 0; t && i < SHEET_TILES; i++)
		pr_sheet_tile_free(&t[i]);
	free(t);
}

static void tiles_free(struct pr_sheet_tile (*t)[SHEET_TILES], uint32_t n)
{
	for (uint32_t i = 0; t && i < n; i++)
		for (int k = 0; k < SHEET_TILES; k++)
			pr_sheet_tile_free(&t[i][k]);
	free(t);
}

static void rows_free(struct sheets *sh)
{
	for (size_t r = 0; r < sh->nrows; r++) {
		for (size_t i = 0; i < sh->rows[r].ntiles; i++)
			pr_sheet_tile_free(&sh->rows[r].tiles[i]);
		free(sh->rows[r].tiles);
	}
	sh->nrows = 0;
}

/* The sheet thread's report: rc, and the set sheet's file in r->file. */
static void report_sheet(struct sheets *sh, const struct sheet_job *j, int rc, const char *msg)
{
	struct report *r = calloc(1, sizeof(*r));
	if (!r)
		return;
	r->type = REP_SHEET;
	r->set = j->set;
	r->rc = rc;
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
	snprintf(r->file, sizeof(r->file), "%s", j->dir); /* which session it was */
	report_post(sh->d, r);
}

static int queue_empty(struct sheets *sh)
{
	pthread_mutex_lock(&sh->lock);
	int empty = !sh->head;
	pthread_mutex_unlock(&sh->lock);
	return empty;
}

static const char *set_tiles_name(const struct sheet_job *j, uint32_t i)
{
	return j->tiles[i][SHEET_TILE_SET].name;
}

static void write_job(struct sheets *sh, struct sheet_job *j)
{
	char folder[PATH_MAX + 16], path[PATH_MAX + 64];
	struct pr_error err = { 0 };
	struct pr_sheet_options o;
	struct pr_sheet_tile *set_tiles = calloc(j->nshots ? j->nshots : 1, sizeof(*set_tiles));
	struct pr_sheet_tile *small = calloc(j->nshots ? j->nshots : 1, sizeof(*small));
	int rc = 0;
	if (!set_tiles || !small) {
		free(set_tiles);
		free(small);
		report_sheet(sh, j, PR_ENOMEM, "out of memory for the contact sheet");
		return;
	}
	for (uint32_t i = 0; j->unmasked && i < j->nshots; i++)
		if (j->unmasked[i].path[0])
			unmasked_tiles(j->tiles[i], set_tiles_name(j, i), j->unmasked[i].path,
				       j->unmasked[i].note);
	/* the tiles move out of the job: set_tiles freed here, small kept */
	for (uint32_t i = 0; i < j->nshots; i++) {
		set_tiles[i] = j->tiles[i][SHEET_TILE_SET];
		small[i] = j->tiles[i][SHEET_TILE_SESSION];
	}
	free(j->tiles);
	j->tiles = NULL;
	if (strcmp(sh->dir, j->dir)) {
		rows_free(sh); /* another session */
		snprintf(sh->dir, sizeof(sh->dir), "%s", j->dir);
	}
	if (pathf(folder, sizeof(folder), "%s/sheets", j->dir) ||
	    (mkdir(folder, 0755) && errno != EEXIST)) {
		rc = pr_error_set(&err, PR_EIO, "cannot create %s: %s", folder, strerror(errno));
	} else {
		if (sh->nrows == 0)
			pr_atomic_sweep(folder); /* temp files a crash left */
		pr_sheet_options_default(&o);
		o.tile_width = SHEET_TILE_WIDTH;
		struct pr_sheet_row row = { j->label, set_tiles, j->nshots };
		if (pathf(path, sizeof(path), "%s/set_%04u.png", folder, j->set))
			rc = pr_error_set(&err, PR_EINVAL, "path too long: %s", folder);
		else
			rc = pr_sheet_write(path, &row, 1, &o, &err);
	}
	for (uint32_t i = 0; i < j->nshots; i++)
		pr_sheet_tile_free(&set_tiles[i]);
	free(set_tiles);

	/* the session sheet: its oldest row goes when it is full */
	if (sh->nrows == SESSION_ROWS_MAX) {
		for (size_t i = 0; i < sh->rows[0].ntiles; i++)
			pr_sheet_tile_free(&sh->rows[0].tiles[i]);
		free(sh->rows[0].tiles);
		memmove(&sh->rows[0], &sh->rows[1], (SESSION_ROWS_MAX - 1) * sizeof(sh->rows[0]));
		sh->nrows--;
	}
	struct srow *sr = &sh->rows[sh->nrows++];
	snprintf(sr->label, sizeof(sr->label), "%s", j->label);
	sr->tiles = small;
	sr->ntiles = j->nshots;
	/* Only the last of the sets queued meanwhile rewrites the session sheet:
	 * encoding its 200 rows takes longer than a small set takes to shoot,
	 * and rewriting it for each would let the queue, and the set tiles it
	 * holds, grow for as long as the session runs. */
	if (!rc && queue_empty(sh)) {
		struct pr_sheet_row *rows = calloc(sh->nrows, sizeof(*rows));
		for (size_t r = 0; rows && r < sh->nrows; r++)
			rows[r] = (struct pr_sheet_row){ sh->rows[r].label, sh->rows[r].tiles,
							 sh->rows[r].ntiles };
		pr_sheet_options_default(&o);
		o.tile_width = SHEET_SESSION_TILE_WIDTH;
		if (!rows)
			LOG_WARN("session sheet not written: out of memory");
		else if (pathf(path, sizeof(path), "%s/session.png", folder) ||
			 pr_sheet_write(path, rows, sh->nrows, &o, &err))
			LOG_WARN("session sheet %s not written: %s", path, err.msg);
		free(rows);
	}
	report_sheet(sh, j, rc, rc ? err.msg : "");
}

static void *sheet_thread(void *arg)
{
	struct sheets *sh = arg;
	/* sheets can wait; a camera releasing a shutter cannot */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), SHEETS_NICE))
		LOG_DEBUG("sheet thread keeps its priority: %s", strerror(errno));
	pthread_mutex_lock(&sh->lock);
	for (;;) {
		while (!sh->head && !sh->stopping)
			pthread_cond_wait(&sh->cond, &sh->lock);
		struct sheet_job *j = sh->head;
		if (!j)
			break; /* stopping, every sheet written */
		sh->head = j->next;
		if (!sh->head)
			sh->tail = NULL;
		pthread_mutex_unlock(&sh->lock);
		write_job(sh, j);
		tiles_free(j->tiles, j->nshots);
		free(j->unmasked);
		free(j);
		pthread_mutex_lock(&sh->lock);
	}
	pthread_mutex_unlock(&sh->lock);
	rows_free(sh);
	return NULL;
}

int sheets_start(struct daemon *d)
{
	struct sheets *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return PR_ENOMEM;
	sh->d = d;
	pthread_mutex_init(&sh->lock, NULL);
	pthread_cond_init(&sh->cond, NULL);
	if (pthread_create(&sh->thread, NULL, sheet_thread, sh)) {
		pthread_mutex_destroy(&sh->lock);
		pthread_cond_destroy(&sh->cond);
		free(sh);
		return PR_ENOMEM;
	}
	d->sheets = sh;
	return 0;
}

static void pending_free(struct pending *p)
{
	tiles_free(p->tiles, p->nshots);
	free(p->have);
	free(p);
}

void sheets_stop(struct daemon *d)
{
	struct sheets *sh = d->sheets;
	if (!sh)
		return;
	pthread_mutex_lock(&sh->lock);
	sh->stopping = 1;
	pthread_cond_signal(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
	pthread_join(sh->thread, NULL);
	while (sh->pending) {
		struct pending *n = sh->pending->next;
		pending_free(sh->pending);
		sh->pending = n;
	}
	pthread_mutex_destroy(&sh->lock);
	pthread_cond_destroy(&sh->cond);
	free(sh);
	d->sheets = NULL;
}

/* The set's entry; created when create is set. Entries of another session
 * (switched while a set was in flight) are dropped on the way. */
static struct pending *pending_find(struct daemon *d, const struct set_rec *set, int create)
{
	struct sheets *sh = d->sheets;
	for (struct pending **pp = &sh->pending; *pp;) {
		struct pending *p = *pp;
		if (strcmp(p->dir, d->session->dir)) {
			*pp = p->next;
			pending_free(p);
			continue;
		}
		if (p->set == set->number)
			return p;
		pp = &p->next;
	}
	if (!create)
		return NULL;
	struct pending *p = calloc(1, sizeof(*p));
	if (!p || !(p->tiles = calloc(set->nshots ? set->nshots : 1, sizeof(*p->tiles))) ||
	    !(p->have = calloc(set->nshots ? set->nshots : 1, 1))) {
		if (p)
			free(p->tiles);
		free(p);
		return NULL;
	}
	snprintf(p->dir, sizeof(p->dir), "%s", d->session->dir);
	p->set = set->number;
	p->nshots = set->nshots;
	p->next = sh->pending;
	sh->pending = p;
	return p;
}

void sheets_keep(struct daemon *d, const struct set_rec *set, int shot,
		 struct pr_sheet_tile *tiles)
{
	/* A finished set's sheet has gone to the sheet thread already: the
	 * tiles of a file that came late (or was masked again once the disk had
	 * room) would wait for it in a pending entry for as long as the session
	 * lasts. `photorig sheet` rebuilds the sheet from the files. */
	struct pending *p = d->sheets && d->session && d->cfg.rig.contact_sheets && !set->finished
				    ? pending_find(d, set, 1) : NULL;
	if (!p || shot < 0 || (uint32_t)shot >= p->nshots || p->have[shot]) {
		sheets_tiles_free(tiles);
		return;
	}
	for (int k = 0; k < SHEET_TILES; k++)
		p->tiles[shot][k] = tiles[k];
	free(tiles); /* the thumbnails moved into p */
	p->have[shot] = 1;
}

/* A short caption for a camera with no tile. */
static const char *missing_why(const struct shot_rec *r)
{
	if (r->state == SHOT_MISSING)
		return "missing: no shot";
	if (r->state != SHOT_SAVED)
		return "failed: no shot";
	return r->mask == MASK_SKIPPED	? "not masked"
	       : r->mask == MASK_WRITTEN ? "masked before a restart"
					 : "mask failed";
}

void sheets_set_finished(struct daemon *d, const struct set_rec *set)
{
	struct sheets *sh = d->sheets;
	if (!sh || !d->session)
		return;
	struct pending *p = pending_find(d, set, d->cfg.rig.contact_sheets);
	if (!p)
		return;
	/* out of the pending list: the job owns the tiles now */
	for (struct pending **pp = &sh->pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	struct sheet_job *j = calloc(1, sizeof(*j));
	if (!j) {
		pending_free(p);
		return;
	}
	for (uint32_t i = 0; i < p->nshots; i++) {
		const struct shot_rec *r = &set->shots[i];
		if (p->have[i])
			continue;
		for (int k = 0; k < SHEET_TILES; k++)
			pr_sheet_tile_missing(&p->tiles[i][k], r->camera, missing_why(r));
		/* a saved photo is shown, never a blank tile: the sheet thread reads it */
		if (!unmasked_shot(r) ||
		    (!j->unmasked && !(j->unmasked = calloc(p->nshots, sizeof(*j->unmasked)))))
			continue;
		struct unmasked_shot *u = &j->unmasked[i];
		if (pathf(u->path, sizeof(u->path), "%s/%s", p->dir, r->file))
			u->path[0] = '\0';
		snprintf(u->note, sizeof(u->note), "not masked: %s", unmasked_reason(r));
	}
	snprintf(j->dir, sizeof(j->dir), "%s", p->dir);
	j->set = set->number;
	j->nshots = p->nshots;
	j->tiles = p->tiles;
	p->tiles = NULL;
	pending_free(p);
	int n = snprintf(j->label, sizeof(j->label), "set %04u", set->number);
	if (set->has_angle && n > 0)
		n += snprintf(j->label + n, sizeof(j->label) - (size_t)n, ", %.1f deg", set->angle);
	if (!set->complete && n > 0 && (size_t)n < sizeof(j->label))
		snprintf(j->label + n, sizeof(j->label) - (size_t)n, " (INCOMPLETE)");
	pthread_mutex_lock(&sh->lock);
	if (sh->tail)
		sh->tail->next = j;
	else
		sh->head = j;
	sh->tail = j;
	pthread_cond_signal(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
}

void sheets_on_report(struct daemon *d, struct report *r)
{
	struct session *s = d->session;
	if (!s || strcmp(r->file, s->dir))
		return; /* written for a session no longer active */
	struct set_rec *set = session_find_set(d, r->set);
	if (r->rc) {
		LOG_WARN("session %s: contact sheet of set %u not written: %s", s->name, r->set,
			 r->msg);
		return;
	}
	if (!set)
		return;
	snprintf(set->sheet, sizeof(set->sheet), "sheets/set_%04u.png", set->number);
	json_object *line = json_object_new_object();
	json_object_object_add(line, "ev", json_object_new_string("sheet_written"));
	json_object_object_add(line, "set", json_object_new_int64(set->number));
	json_object_object_add(line, "file", json_object_new_string(set->sheet));
	journal_append(s, line);
	json_object_put(line);
	manifest_write(d);
	char path[PATH_MAX + 64];
	json_object *e = pr_proto_event(PR_EV_SHEET_WRITTEN, 0, 0);
	json_object_object_add(e, "session", json_object_new_string(s->name));
	json_object_object_add(e, "set", json_object_new_int64(set->number));
	json_object_object_add(e, "file", json_object_new_string(set->sheet));
	if (!pathf(path, sizeof(path), "%s/%s", s->dir, set->sheet))
		json_object_object_add(e, "path", json_object_new_string(path));
	if (!pathf(path, sizeof(path), "%s/sheets/session.png", s->dir))
		json_object_object_add(e, "session_sheet", json_object_new_string(path));
	events_publish(d, e);
}
