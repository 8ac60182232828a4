/* photorigd: writing originals, and holding them when the disk is full.
 *
 * A camera thread writes every file of a capture atomically the moment the
 * camera delivers it: STEM.EXT (STEM_2.EXT when two share an extension),
 * the file masking can decode first. When the disk has no room (ENOSPC,
 * EDQUOT) or the write fails with EIO, the temporary file is gone
 * (atomic_file.c) but the bytes are not dropped: the thread keeps the whole
 * capture in memory and reports the shot as failed with the names its
 * files will have. The loop journals them and enters the disk-full state
 * (disk.c); when there is room again it sends JOB_FLUSH, and the thread
 * writes what it holds, oldest first, each reported as a late file of its
 * set. New sets are refused meanwhile, so a camera rarely holds more than
 * the set in flight; a capture beyond [daemon] hold_max_mb (per camera) is
 * written to the spill folder (below) at once instead, and the loop brings
 * it into the session with the space.
 *
 * A camera thread that quits (photorigd stops, a reload changes the
 * cameras) with originals still held writes them to
 * STATE_DIR/held/SESSION/CAMERA/NAME, the spill folder; the loop moves them
 * into the session and journals them as soon as it can (originals_restore).
 * Only when the spill fails too is an image lost, and the log names it. */
#define _GNU_SOURCE
#include "originals.h"

#include "daemon.h"
#include "capture.h"
#include "disk.h"
#include "journal.h"
#include "rig.h"
#include "session.h"
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "imageio.h"
#include "log.h"

#define CAPTURE_FILES_MAX (1 + SHOT_EXTRA_MAX)
#define FRAMES_SEEN_MAX (CAPTURE_FILES_MAX + 8)
/* A file name in a capture's names[][300]; the precision in "%.*s" tells gcc
 * the bound that it loses in the two-dimensional array (-Wformat-truncation
 * at -O3). */
#define NAME_LEN 299

struct held_shot {
	struct held_shot *next;
	uint32_t set;
	char session_dir[PATH_MAX];
	char stem[256];
	struct cam_frame frame;   /* the capture's files and the sim's truth (owned) */
	uint64_t bytes;
};

/* The file to mask: the first one masking can decode (the JPEG of
 * RAW+JPEG), else the first. */
static int decodable(const char *ext)
{
	static const char *const exts[] = { "jpg", "jpeg", "png", "tif", "tiff" };
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcmp(ext, exts[i]))
			return 1;
	return 0;
}

/* The files of a capture in the order they are saved, with their names
 * relative to the session (the stem fits with room to spare: the template
 * is checked). Returns how many are saved; *dropped: how many more the
 * capture had. */
static uint32_t capture_files(const char *stem, struct cam_frame *first,
			      struct cam_frame *order[CAPTURE_FILES_MAX],
			      char names[CAPTURE_FILES_MAX][300], uint32_t *dropped)
{
	struct cam_frame *all[FRAMES_SEEN_MAX];
	uint32_t n = 0;
	for (struct cam_frame *f = first; f && n < FRAMES_SEEN_MAX; f = f->next)
		all[n++] = f;
	for (uint32_t i = 1; i < n; i++)
		if (decodable(all[i]->ext) && !decodable(all[0]->ext)) {
			struct cam_frame *t = all[0];
			all[0] = all[i];
			all[i] = t;
		}
	*dropped = n > CAPTURE_FILES_MAX ? n - CAPTURE_FILES_MAX : 0;
	n -= *dropped;
	for (uint32_t i = 0; i < n; i++) {
		int dup = 0;
		for (uint32_t k = 0; k < i; k++)
			dup += !strcmp(all[k]->ext, all[i]->ext);
		if (dup)
			pathf(names[i], sizeof(names[i]), "%s_%d.%s", stem, dup + 1, all[i]->ext);
		else
			pathf(names[i], sizeof(names[i]), "%s.%s", stem, all[i]->ext);
		order[i] = all[i];
	}
	return n;
}

/* Write every file of a capture below dir; the one to mask goes into
 * r->file, the others into r->extra (r may be NULL). */
static int write_files(const char *dir, const char *stem, struct cam_frame *first,
		       struct report *r, struct pr_error *err)
{
	struct cam_frame *order[CAPTURE_FILES_MAX];
	char names[CAPTURE_FILES_MAX][300], path[PATH_MAX + 300];
	uint32_t dropped, n = capture_files(stem, first, order, names, &dropped);
	/* the camera's folder: made with the session, or now if the camera
	 * was added by a reload */
	snprintf(path, sizeof(path), "%s/%s", dir, stem);
	*strrchr(path, '/') = '\0';
	if (mkdir(path, 0755) && errno != EEXIST)
		LOG_RATELIMITED(PR_LOG_WARNING, "cannot create %s: %s", path, strerror(errno));
	if (r)
		r->nextra = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct cam_frame *f = order[i];
		snprintf(path, sizeof(path), "%s/%.*s", dir, NAME_LEN, names[i]);
		int rc = pr_atomic_write(path, f->data, f->size, err);
		if (rc)
			return rc;
		if (!r)
			continue;
		uint64_t hash = hash_fnv1a64(f->data, f->size, HASH_FNV_INIT);
		int64_t arrive = f->arrival_ns ? f->arrival_ns : cam_now_realtime_ns();
		if (i == 0) {
			snprintf(r->file, sizeof(r->file), "%s", names[i]);
			r->size = f->size;
			r->hash = hash;
			r->arrive_ns = arrive;
		} else {
			struct shot_file *x = &r->extra[r->nextra++];
			snprintf(x->file, sizeof(x->file), "%.*s", NAME_LEN, names[i]);
			x->size = f->size;
			x->hash = hash;
			x->arrive_ns = arrive;
		}
	}
	return 0;
}

static void write_truth(struct cam_slot *s, const char *session_dir, const char *stem,
			const struct pr_image *t)
{
	/* stem is CAMERA/NAME: the truth goes to CAMERA/truth/NAME.png */
	const char *slash = strrchr(stem, '/');
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct pr_error err;
	pathf(dir, sizeof(dir), "%s/%.*s/truth", session_dir, (int)(slash ? slash - stem : 0), stem);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/%s.png", dir, slash ? slash + 1 : stem);
	if (pr_write_png_grey8(path, t->pixels, t->width, t->height, t->stride, &err))
		LOG_WARN("camera %s: truth not written: %s", s->cfg.name, err.msg);
}

/* The names a held capture's files will have, in r->file and r->extra;
 * r->size: their bytes together. */
static void held_names(const char *stem, const struct cam_frame *frame, struct report *r)
{
	struct cam_frame *order[CAPTURE_FILES_MAX];
	char names[CAPTURE_FILES_MAX][300];
	uint32_t dropped, n = capture_files(stem, (struct cam_frame *)frame, order, names,
					    &dropped);
	r->nextra = 0;
	r->size = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (i == 0)
			snprintf(r->file, sizeof(r->file), "%s", names[0]);
		else
			snprintf(r->extra[r->nextra++].file, sizeof(r->extra[0].file), "%.*s", NAME_LEN,
				 names[i]);
		r->size += order[i]->size;
	}
	r->held = 1;
}

static void held_free(struct held_shot *h)
{
	cam_frame_free(&h->frame);
	free(h);
}

/* "48 kB", "23.1 MB": the size of an image for people. */
static void size_words(uint64_t bytes, char *buf, size_t size)
{
	if (bytes < 1048576)
		snprintf(buf, size, "%.0f kB", (double)bytes / 1024.0);
	else
		snprintf(buf, size, "%.1f MB", (double)bytes / 1048576.0);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Write a capture of the session in session_dir to the spill folder,
 * STATE_DIR/held/SESSION/; where: the folder it went to. */
static int spill_write(struct cam_slot *s, const char *session_dir, const char *stem,
		       struct cam_frame *frame, char *where, size_t size, struct pr_error *err)
{
	if (pathf(where, size, "%s/%s", s->spill_dir, base_name(session_dir))) {
		snprintf(err->msg, sizeof(err->msg), "spill folder name too long");
		return PR_EINVAL;
	}
	mkdir(s->spill_dir, 0755);
	mkdir(where, 0755);
	return write_files(where, stem, frame, NULL, err);
}

/* A capture the disk had no room for and that would take the camera's
 * memory for held originals beyond [daemon] hold_max_mb: written to the
 * spill folder now, journaled as held, and brought into the session when
 * there is room (originals_restore). Lost only when that fails too. */
static void spill_now(struct cam_slot *s, const struct cam_job *job, struct cam_frame *frame,
		      struct report *r, struct pr_error *err)
{
	char msg[sizeof(err->msg)], dir[PATH_MAX], held[32];
	struct pr_error serr = { 0 };
	size_words(s->t_held_bytes, held, sizeof(held));
	int rc = spill_write(s, job->session_dir, job->stem, frame, dir, sizeof(dir), &serr);
	if (rc) {
		r->lost = 1;
		pathf(msg, sizeof(msg), "%s; LOST: the camera already holds %s in memory waiting "
		      "for disk space ([daemon] hold_max_mb = %llu), and writing it to %s failed "
		      "too: %s", err->msg, held, (unsigned long long)(job->hold_max_bytes >> 20),
		      dir, serr.msg);
	} else {
		held_names(job->stem, frame, r);
		pathf(msg, sizeof(msg), "%s; the camera already holds %s in memory waiting for "
		      "disk space ([daemon] hold_max_mb = %llu): the image is kept in %s and "
		      "brought into the session when there is room again", err->msg, held,
		      (unsigned long long)(job->hold_max_bytes >> 20), dir);
	}
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/* Keep a capture the disk had no room for; err gets what happens to it
 * (the loop logs and journals it). */
static void hold(struct cam_slot *s, const struct cam_job *job, struct cam_frame *frame,
		 struct report *r, struct pr_error *err)
{
	char msg[sizeof(err->msg)], words[32];
	uint64_t bytes = (uint64_t)frame->truth.stride * frame->truth.height;
	for (struct cam_frame *f = frame; f; f = f->next)
		bytes += f->size;
	if (s->t_held_bytes + bytes > job->hold_max_bytes) {
		spill_now(s, job, frame, r, err);
		return;
	}
	struct held_shot *h = calloc(1, sizeof(*h));
	if (!h) {
		spill_now(s, job, frame, r, err);
		return;
	}
	h->set = job->set;
	snprintf(h->session_dir, sizeof(h->session_dir), "%s", job->session_dir);
	snprintf(h->stem, sizeof(h->stem), "%s", job->stem);
	h->frame = *frame;
	h->bytes = bytes;
	memset(frame, 0, sizeof(*frame)); /* the data moved into h */
	int64_t now = cam_now_realtime_ns();
	for (struct cam_frame *f = &h->frame; f; f = f->next)
		if (!f->arrival_ns)
			f->arrival_ns = now;
	struct held_shot **tail = &s->t_held;
	while (*tail)
		tail = &(*tail)->next;
	*tail = h;
	s->t_held_shots++;
	s->t_held_bytes += bytes;
	held_names(h->stem, &h->frame, r);
	size_words(r->size, words, sizeof(words));
	pathf(msg, sizeof(msg), "%s; the image (%s) is kept in memory and written when there is "
	      "room again", err->msg, words);
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

int originals_save(struct cam_slot *s, const struct cam_job *job, struct cam_frame *frame,
		   struct report *r, struct pr_error *err)
{
	struct cam_frame *order[CAPTURE_FILES_MAX];
	char names[CAPTURE_FILES_MAX][300];
	uint32_t dropped;
	capture_files(job->stem, frame, order, names, &dropped);
	if (dropped)
		LOG_WARN("camera %s: set %u: more than %d files in one capture: %u not saved",
			 s->cfg.name, job->set, CAPTURE_FILES_MAX, dropped);
	int rc = write_files(job->session_dir, job->stem, frame, r, err);
	if (!rc) {
		if (frame->truth.pixels)
			write_truth(s, job->session_dir, job->stem, &frame->truth);
		return 0;
	}
	if (r) {
		r->write_failed = 1;
		if (rc == PR_ENOSPC || rc == PR_EIO)
			hold(s, job, frame, r, err);
	}
	return rc;
}

static void unlink_held(struct cam_slot *s, struct held_shot *h)
{
	s->t_held = h->next;
	s->t_held_shots--;
	s->t_held_bytes -= h->bytes;
	held_free(h);
}

void originals_flush(struct cam_slot *s)
{
	struct held_shot *h;
	while ((h = s->t_held)) {
		struct report *r = rig_report(s, REP_SHOT);
		if (!r)
			return;
		struct pr_error err = { 0 };
		r->set = h->set;
		r->from_held = FROM_CAMERA;
		r->trigger_ns = h->frame.trigger_ns;
		r->rc = write_files(h->session_dir, h->stem, &h->frame, r, &err);
		if (r->rc) {
			r->write_failed = 1;
			held_names(h->stem, &h->frame, r);
			snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
		} else {
			if (h->frame.truth.pixels)
				write_truth(s, h->session_dir, h->stem, &h->frame.truth);
			LOG_NOTICE("camera %s: set %u: %s written after the wait for disk space",
				   s->cfg.name, h->set, r->file);
			unlink_held(s, h);
		}
		r->held_shots = s->t_held_shots;
		r->held_bytes = s->t_held_bytes;
		int failed = r->rc;
		report_post(s->d, r);
		if (failed)
			return;
	}
}

void originals_spill(struct cam_slot *s)
{
	struct held_shot *h;
	while ((h = s->t_held)) {
		char dir[PATH_MAX], file[PATH_MAX + 300];
		struct pr_error err = { 0 };
		struct report names = { 0 };
		held_names(h->stem, &h->frame, &names);
		int rc = spill_write(s, h->session_dir, h->stem, &h->frame, dir, sizeof(dir), &err);
		pathf(file, sizeof(file), "%s/%s", dir, names.file);
		if (rc)
			LOG_ERR("camera %s: set %u: %s LOST: no room in %s, and not written to %s "
				"either: %s", s->cfg.name, h->set, names.file, h->session_dir, dir,
				err.msg);
		else
			LOG_WARN("camera %s: set %u: %s is kept in %s until there is room in %s",
				 s->cfg.name, h->set, names.file, file, h->session_dir);
		unlink_held(s, h);
	}
}

/* ---- the loop: the journal, spilled originals back into the session ---- */

/* The journal's note of originals held for disk space: their names, size,
 * times (a restart that finds them spilled journals them from this). */
void originals_note_held(struct shot_rec *s, const struct report *r, json_object *o)
{
	json_object *files = json_object_new_array();
	s->held = 1;
	snprintf(s->file, sizeof(s->file), "%.*s", (int)sizeof(s->file) - 1, r->file);
	s->nextra = r->nextra < SHOT_EXTRA_MAX ? r->nextra : SHOT_EXTRA_MAX;
	memcpy(s->extra, r->extra, s->nextra * sizeof(s->extra[0]));
	s->trigger_ns = r->trigger_ns;
	s->arrive_ns = r->arrive_ns;
	json_object_array_add(files, json_object_new_string(s->file));
	for (uint32_t i = 0; i < s->nextra; i++)
		json_object_array_add(files, json_object_new_string(s->extra[i].file));
	json_object_object_add(o, "held", json_object_new_boolean(1));
	json_object_object_add(o, "files", files);
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)r->size));
	json_object_object_add(o, "trigger_ns", json_object_new_int64(s->trigger_ns));
	json_object_object_add(o, "arrive_ns", json_object_new_int64(s->arrive_ns));
}


/* The names of a held shot's files; returns how many. */
static uint32_t shot_names(const struct shot_rec *s, const char *names[CAPTURE_FILES_MAX])
{
	uint32_t n = 0;
	names[n++] = s->file;
	for (uint32_t i = 0; i < s->nextra && n < CAPTURE_FILES_MAX; i++)
		names[n++] = s->extra[i].file;
	return n;
}

/* Are all of a held shot's files in the spill folder dir? */
static int spilled(const struct shot_rec *s, const char *dir)
{
	const char *names[CAPTURE_FILES_MAX];
	char src[PATH_MAX + 300];
	uint32_t n = shot_names(s, names);
	for (uint32_t i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "%s/%s", dir, names[i]);
		if (access(src, F_OK))
			return 0;
	}
	return 1;
}

/* A held shot that is neither spilled nor in a camera's memory: photorigd
 * was killed while it waited. The journal says it is lost. */
static void mark_lost(struct daemon *d, struct set_rec *set, struct shot_rec *s)
{
	s->held = 0;
	snprintf(s->note, sizeof(s->note), "%.180s LOST: photorigd ended while it waited in memory "
		 "for disk space", s->file);
	LOG_ERR("set %u, camera %s: %s", set->number, s->camera, s->note);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ev", json_object_new_string("file_failed"));
	json_object_object_add(o, "set", json_object_new_int64(set->number));
	json_object_object_add(o, "camera", json_object_new_string(s->camera));
	json_object_object_add(o, "reason", json_object_new_string(s->note));
	json_object_object_add(o, "missing", json_object_new_boolean(0));
	json_object_object_add(o, "lost", json_object_new_boolean(1));
	journal_append(d->session, o);
	json_object_put(o);
}

/* The shot's files from the spill folder into the session: 0 when done,
 * -1 when writing failed. */
static int restore_shot(struct daemon *d, struct set_rec *set, uint32_t k, const char *dir)
{
	struct shot_rec *s = &set->shots[k];
	struct report rep = { .type = REP_SHOT, .cam = (int)k, .generation = d->generation,
			      .set = set->number, .from_held = FROM_SPILL,
			      .trigger_ns = s->trigger_ns };
	const char *names[CAPTURE_FILES_MAX];
	char src[PATH_MAX + 300], dst[PATH_MAX + 300];
	uint32_t n = shot_names(s, names);
	for (uint32_t i = 0; i < n; i++) {
		struct pr_error err = { 0 };
		uint8_t *data;
		size_t len;
		snprintf(src, sizeof(src), "%s/%s", dir, names[i]);
		snprintf(dst, sizeof(dst), "%s/%s", d->session->dir, names[i]);
		int rc = pr_read_file(src, PR_IMAGE_MAX_FILE_SIZE, &data, &len, &err);
		if (!rc) {
			rc = pr_atomic_write(dst, data, len, &err);
			if (!rc && i == 0) {
				snprintf(rep.file, sizeof(rep.file), "%s", names[0]);
				rep.size = len;
				rep.hash = hash_fnv1a64(data, len, HASH_FNV_INIT);
				rep.arrive_ns = s->arrive_ns;
			} else if (!rc) {
				struct shot_file *x = &rep.extra[rep.nextra++];
				snprintf(x->file, sizeof(x->file), "%s", names[i]);
				x->size = len;
				x->hash = hash_fnv1a64(data, len, HASH_FNV_INIT);
				x->arrive_ns = s->arrive_ns;
			}
			free(data);
		}
		if (rc) {
			LOG_WARN("set %u, camera %s: %s stays in %s: %s", set->number, s->camera,
				 names[i], dir, err.msg);
			disk_write_failed(d, rc, err.msg);
			return -1;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "%s/%s", dir, names[i]);
		unlink(src);
	}
	LOG_NOTICE("set %u, camera %s: %s brought back from %s", set->number, s->camera, names[0],
		   dir);
	capture_on_shot(d, &rep);
	return 0;
}

void originals_restore(struct daemon *d, int opening)
{
	struct session *s = d->session;
	char dir[PATH_MAX];
	if (!s || pathf(dir, sizeof(dir), "%s/held/%s", d->cfg.daemon.state_dir, s->name))
		return;
	int any = !access(dir, F_OK);
	if (!any && !opening)
		return;
	for (uint32_t i = 0; i < s->nsets; i++)
		for (uint32_t k = 0; k < s->sets[i]->nshots; k++) {
			struct shot_rec *r = &s->sets[i]->shots[k];
			if (!r->held || r->state != SHOT_FAILED || !r->file[0])
				continue;
			if (any && spilled(r, dir)) {
				if (restore_shot(d, s->sets[i], k, dir))
					return;
			} else if (opening) {
				mark_lost(d, s->sets[i], r);
			}
		}
	if (!any)
		return;
	/* the folders go once they are empty */
	for (uint32_t i = 0; i < d->cfg.ncameras; i++) {
		char sub[PATH_MAX + 64];
		snprintf(sub, sizeof(sub), "%s/%s", dir, d->cfg.cameras[i].name);
		rmdir(sub);
	}
	if (!rmdir(dir))
		LOG_INFO("every spilled original of session %s is back in it", s->name);
}
