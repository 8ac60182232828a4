/* photorigd: a session's journal and manifest.
 *
 * journal.jsonl: one JSON object per line, appended with O_APPEND and
 * fdatasync'd at the end of every set. "ev" says what happened:
 *   session_started  {session, rig, time_ns}
 *   set_begun        {set, time_ns[, scan, step, angle], shots: [{camera, serial, stem, seq}]}
 *   file_saved       {set, camera, file, size, hash, trigger_ns, arrive_ns[, late][, recovered]
 *                    [, extra_files: [{file, size, hash, arrive_ns}]]} (RAW of RAW+JPEG)
 *   file_failed      {set, camera, reason, missing[, held, files, bytes, trigger_ns, arrive_ns]}
 *                    (held: the disk had no room; the files wait in memory or
 *                    in STATE_DIR/held, and come as a late file_saved with held;
 *                    a later file_failed with lost: photorigd was killed meanwhile)
 *   mask_written     {set, camera, plate_id, seconds, stats...[, backdrop_file]}
 *   mask_failed / mask_skipped {set, camera, reason[, disk_full]} (disk_full: made
 *                    again when there is room)
 *   set_end          {set, complete, missing: [camera...], spread_ms[, interrupted]}
 *   set_fired        {set, fired_ns}   (hardware trigger: when the pulse fired)
 *   sheet_written    {set, file}       (its contact sheet, sheets.c)
 *   scan_*           a turntable scan's plan and progress (scan_journal.c)
 * Replay rebuilds the sets from these lines. A crash can leave the last line
 * half-written: it is cut off (the file truncated to the last full line)
 * before anything is appended again. A line the disk had no room for is cut
 * off at once; and room for the next lines is allocated ahead (the file's
 * size unchanged), so when the disk fills up the lines that say which
 * originals could not be written still fit.
 *
 * manifest.json: the finished sets, built from the same in-memory records,
 * rewritten atomically after every set. */
#define _GNU_SOURCE
#include "journal.h"

#include "daemon.h"
#include "mask_stats_json.h"
#include "rig.h"
#include "scan.h"
#include "session.h"
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "imageio.h"
#include "log.h"

#define JOURNAL_MAX_SIZE ((size_t)1 << 30)
#define JOURNAL_RESERVE ((off_t)256 << 10)

uint64_t hash_fnv1a64(const void *data, size_t size, uint64_t h)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < size; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

int journal_append(struct session *s, json_object *line)
{
	char *text;
	size_t len;
	int rc = pr_proto_serialize(line, &text, &len);
	if (rc)
		return rc;
	size_t off = 0;
	off_t end = lseek(s->journal_fd, 0, SEEK_END);
	while (off < len) {
		ssize_t n = write(s->journal_fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;
			LOG_RATELIMITED(PR_LOG_ERR, "session %s: journal write failed: %s", s->name,
					strerror(e));
			/* half a line would glue itself to the next one */
			if (off && end >= 0 && ftruncate(s->journal_fd, end))
				LOG_ERR("session %s: cannot cut a partial journal line: %s", s->name,
					strerror(errno));
			free(text);
			return pr_error_from_errno(e);
		}
		off += (size_t)n;
	}
	free(text);
	return 0;
}

/* Allocate room past the end (the size stays): a no-op while it is there. */
static void journal_reserve(struct session *s)
{
	struct stat st;
	if (!fstat(s->journal_fd, &st) &&
	    fallocate(s->journal_fd, FALLOC_FL_KEEP_SIZE, st.st_size, JOURNAL_RESERVE) &&
	    errno != ENOSPC && errno != EOPNOTSUPP)
		LOG_DEBUG("session %s: no room reserved for the journal: %s", s->name,
			  strerror(errno));
}

int journal_sync(struct session *s)
{
	if (fdatasync(s->journal_fd)) {
		LOG_ERR("session %s: journal sync failed: %s", s->name, strerror(errno));
		return pr_error_from_errno(errno);
	}
	journal_reserve(s);
	return 0;
}

static void hash_hex(uint64_t h, char *buf, size_t size)
{
	snprintf(buf, size, "fnv1a64:%016" PRIx64, h);
}

static uint64_t hash_parse(const char *s)
{
	return s && !strncmp(s, "fnv1a64:", 8) ? strtoull(s + 8, NULL, 16) : 0;
}

static void replay_set_begun(struct daemon *d, struct session *s, json_object *o)
{
	uint32_t number = (uint32_t)pr_json_int(o, "set", 0);
	json_object *shots;
	if (!number || !json_object_object_get_ex(o, "shots", &shots) ||
	    !json_object_is_type(shots, json_type_array))
		return;
	/* the session is not d->session yet: grow its array directly */
	struct session *keep = d->session;
	d->session = s;
	struct set_rec *set = session_new_set(d);
	d->session = keep;
	if (!set)
		return;
	size_t n = json_object_array_length(shots);
	set->number = number;
	set->started_ns = pr_json_int(o, "time_ns", 0);
	json_object *ang;
	if (json_object_object_get_ex(o, "angle", &ang)) {
		set->has_angle = 1;
		set->angle = pr_json_double(o, "angle", 0);
		set->scan = (uint32_t)pr_json_int(o, "scan", 0);
		set->step = (int32_t)pr_json_int(o, "step", -1);
	}
	set->shots = calloc(n ? n : 1, sizeof(*set->shots));
	if (!set->shots) {
		session_drop_new_set(s);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *sh = json_object_array_get_idx(shots, i);
		struct shot_rec *r = &set->shots[set->nshots];
		const char *cam = pr_json_str(sh, "camera", NULL);
		if (!cam)
			continue;
		snprintf(r->camera, sizeof(r->camera), "%s", cam);
		snprintf(r->serial, sizeof(r->serial), "%s", pr_json_str(sh, "serial", ""));
		snprintf(r->stem, sizeof(r->stem), "%s", pr_json_str(sh, "stem", ""));
		session_note_seq(s, cam, (uint32_t)pr_json_int(sh, "seq", 0));
		set->nshots++;
	}
	if (number >= s->next_set)
		s->next_set = number + 1;
}

static void replay_stats(struct shot_rec *r, json_object *o)
{
	struct pr_mask_stats *st = &r->stats;
	json_object *a;
	st->foreground = pr_json_double(o, "foreground", 0);
	st->touches_border = pr_json_bool(o, "touches_border", 0);
	st->drift_residual = pr_json_double(o, "drift_residual", 0);
	st->edge_agreement = pr_json_double(o, "edge_agreement", 0);
	st->stale_plate = pr_json_bool(o, "stale_plate", 0);
	st->camera_moved = pr_json_bool(o, "camera_moved", 0);
	for (int c = 0; c < 3; c++) {
		if (json_object_object_get_ex(o, "gain", &a) && json_object_is_type(a, json_type_array))
			st->gain[c] = json_object_get_double(json_object_array_get_idx(a, (size_t)c));
		if (json_object_object_get_ex(o, "offset", &a) &&
		    json_object_is_type(a, json_type_array))
			st->offset[c] = json_object_get_double(json_object_array_get_idx(a, (size_t)c));
	}
	/* stats_json writes the plate id as bare hex (no "fnv1a64:"): read it so,
	 * or a restart's manifest named every plate 0000000000000000 */
	const char *pid = pr_json_str(o, "plate_id", NULL);
	r->plate_id = pid && strncmp(pid, "fnv1a64:", 8) ? strtoull(pid, NULL, 16) : hash_parse(pid);
	snprintf(r->plate_file, sizeof(r->plate_file), "%s", pr_json_str(o, "plate", ""));
	snprintf(r->suspect, sizeof(r->suspect), "%s", pr_json_str(o, "suspect", ""));
	r->mask_seconds = pr_json_double(o, "seconds", 0);
}

static void replay_extra(struct shot_rec *r, json_object *o)
{
	json_object *a;
	r->nextra = 0;
	if (!json_object_object_get_ex(o, "extra_files", &a) ||
	    !json_object_is_type(a, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(a) && r->nextra < SHOT_EXTRA_MAX; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		struct shot_file *x = &r->extra[r->nextra];
		const char *f = pr_json_str(e, "file", NULL);
		if (!f)
			continue;
		snprintf(x->file, sizeof(x->file), "%s", f);
		x->size = (uint64_t)pr_json_int(e, "size", 0);
		x->hash = hash_parse(pr_json_str(e, "hash", NULL));
		x->arrive_ns = pr_json_int(e, "arrive_ns", 0);
		r->nextra++;
	}
}

/* Originals held for disk space: the names they will have (a restart finds
 * them in the spill folder by these) and their times. */
static void replay_held(struct shot_rec *r, json_object *o)
{
	json_object *a;
	if (!json_object_object_get_ex(o, "files", &a) || !json_object_is_type(a, json_type_array) ||
	    !json_object_array_length(a))
		return;
	r->held = 1;
	r->nextra = 0;
	snprintf(r->file, sizeof(r->file), "%s",
		 json_object_get_string(json_object_array_get_idx(a, 0)));
	for (size_t i = 1; i < json_object_array_length(a) && r->nextra < SHOT_EXTRA_MAX; i++)
		snprintf(r->extra[r->nextra++].file, sizeof(r->extra[0].file), "%s",
			 json_object_get_string(json_object_array_get_idx(a, i)));
	r->trigger_ns = pr_json_int(o, "trigger_ns", 0);
	r->arrive_ns = pr_json_int(o, "arrive_ns", 0);
}

static void replay_line(struct daemon *d, struct session *s, json_object *o)
{
	const char *ev = pr_json_str(o, "ev", "");
	if (!strcmp(ev, "session_started")) {
		s->created_ns = pr_json_int(o, "time_ns", s->created_ns);
		return;
	}
	if (!strcmp(ev, "set_begun")) {
		replay_set_begun(d, s, o);
		return;
	}
	if (!strncmp(ev, "scan_", 5)) {
		scan_replay_line(s, ev, o);
		return;
	}
	uint32_t number = (uint32_t)pr_json_int(o, "set", 0);
	struct set_rec *set = NULL;
	for (uint32_t i = s->nsets; i-- > 0 && !set;)
		if (s->sets[i]->number == number)
			set = s->sets[i];
	if (!set)
		return;
	if (!strcmp(ev, "set_fired")) {
		set->fired_ns = pr_json_int(o, "fired_ns", 0);
		return;
	}
	if (!strcmp(ev, "sheet_written")) {
		snprintf(set->sheet, sizeof(set->sheet), "%s", pr_json_str(o, "file", ""));
		return;
	}
	if (!strcmp(ev, "set_end")) {
		set->finished = 1;
		set->complete = pr_json_bool(o, "complete", 0);
		set->interrupted = pr_json_bool(o, "interrupted", 0);
		return;
	}
	struct shot_rec *r = set_find_shot(set, pr_json_str(o, "camera", ""));
	if (!r)
		return;
	if (!strcmp(ev, "file_saved")) {
		r->state = SHOT_SAVED;
		snprintf(r->file, sizeof(r->file), "%s", pr_json_str(o, "file", ""));
		r->size = (uint64_t)pr_json_int(o, "size", 0);
		r->hash = hash_parse(pr_json_str(o, "hash", NULL));
		r->trigger_ns = pr_json_int(o, "trigger_ns", 0);
		r->arrive_ns = pr_json_int(o, "arrive_ns", 0);
		r->late = pr_json_bool(o, "late", 0);
		journal_v4l2_replay(r, o);
		replay_extra(r, o);
		r->held = 0;
	} else if (!strcmp(ev, "file_failed")) {
		r->state = pr_json_bool(o, "missing", 0) ? SHOT_MISSING : SHOT_FAILED;
		snprintf(r->note, sizeof(r->note), "%s", pr_json_str(o, "reason", ""));
		if (pr_json_bool(o, "held", 0))
			replay_held(r, o);
	} else if (!strcmp(ev, "mask_written")) {
		r->mask = MASK_WRITTEN;
		r->mask_retry = 0;
		replay_stats(r, o);
		snprintf(r->backdrop, sizeof(r->backdrop), "%s", pr_json_str(o, "backdrop_file", ""));
	} else if (!strcmp(ev, "mask_failed") || !strcmp(ev, "mask_skipped")) {
		r->mask = ev[5] == 'f' ? MASK_FAILED : MASK_SKIPPED;
		snprintf(r->note, sizeof(r->note), "%s", pr_json_str(o, "reason", ""));
		r->mask_retry = pr_json_bool(o, "disk_full", 0);
		d->disk.mask_retry |= r->mask_retry;
	}
}

int journal_replay(struct daemon *d, struct session *s, char *why, size_t size)
{
	char path[PATH_MAX + 32];
	uint8_t *data;
	size_t len;
	struct pr_error err;
	snprintf(path, sizeof(path), "%s/journal.jsonl", s->dir);
	if (pr_read_file(path, JOURNAL_MAX_SIZE, &data, &len, &err)) {
		snprintf(why, size, "%s", err.msg);
		return -1;
	}
	size_t start = 0, lines = 0, bad = 0;
	while (start < len) {
		uint8_t *nl = memchr(data + start, '\n', len - start);
		if (!nl) {
			/* a line the crash cut: drop it so the next append starts clean */
			LOG_WARN("session %s: journal ends in a partial line (%zu bytes): removed",
				 s->name, len - start);
			if (ftruncate(s->journal_fd, (off_t)start))
				LOG_ERR("session %s: cannot cut the journal: %s", s->name,
					strerror(errno));
			break;
		}
		size_t n = (size_t)(nl - (data + start));
		json_object *o = NULL;
		/* journal lines are not replies: parse them directly */
		struct json_tokener *tok = json_tokener_new_ex(PR_PROTO_MAX_DEPTH);
		if (tok) {
			o = json_tokener_parse_ex(tok, (const char *)data + start, (int)n);
			if (json_tokener_get_error(tok) != json_tokener_success) {
				json_object_put(o);
				o = NULL;
			}
			json_tokener_free(tok);
		}
		if (o && json_object_is_type(o, json_type_object))
			replay_line(d, s, o);
		else
			bad++;
		json_object_put(o);
		lines++;
		start += n + 1;
	}
	free(data);
	scan_replay_done(s);
	if (bad)
		LOG_WARN("session %s: %zu unreadable journal line%s skipped", s->name, bad,
			 bad == 1 ? "" : "s");
	LOG_INFO("session %s: journal replayed, %zu lines, %u sets", s->name, lines, s->nsets);
	return 0;
}

/* The mask statistics of a shot, and which plate made them. */
static json_object *stats_json(const struct shot_rec *r)
{
	json_object *o = pr_mask_stats_json(&r->stats, r->plate_id, r->mask_seconds);
	if (r->plate_file[0]) /* which plate: the camera's, or its turntable angle's */
		json_object_object_add(o, "plate", json_object_new_string(r->plate_file));
	if (r->suspect[0]) /* suspect.c: not to be passed off as a normal mask */
		json_object_object_add(o, "suspect", json_object_new_string(r->suspect));
	return o;
}

json_object *journal_stats_json(const struct shot_rec *r)
{
	return stats_json(r);
}

/* {file, size, hash} of one saved file */
static json_object *file_json(const char *file, uint64_t size, uint64_t hash)
{
	json_object *o = json_object_new_object();
	char h[40];
	hash_hex(hash, h, sizeof(h));
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
	json_object_object_add(o, "hash", json_object_new_string(h));
	return o;
}

json_object *journal_extra_json(const struct shot_rec *r)
{
	json_object *a = json_object_new_array();
	for (uint32_t i = 0; i < r->nextra; i++) {
		const struct shot_file *x = &r->extra[i];
		json_object *o = file_json(x->file, x->size, x->hash);
		json_object_object_add(o, "arrive_ns", json_object_new_int64(x->arrive_ns));
		json_object_array_add(a, o);
	}
	return a;
}

json_object *journal_file_json(const struct shot_rec *r)
{
	json_object *o = file_json(r->file, r->size, r->hash);
	if (r->nextra)
		json_object_object_add(o, "extra_files", journal_extra_json(r));
	return o;
}

json_object *manifest_mask_files(const struct daemon *d, const char *file)
{
	json_object *a = json_object_new_array();
	const char *slash = strrchr(file, '/');
	char folder[PATH_MAX], stem[256], buf[PATH_MAX + 600];
	snprintf(folder, sizeof(folder), "%.*s", (int)(slash ? slash - file + 1 : 0), file);
	const char *name = slash ? slash + 1 : file;
	pr_output_stem(name, stem, sizeof(stem));
	snprintf(buf, sizeof(buf), "%smasks/%s.png", folder, stem);
	json_object_array_add(a, json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "%s%s.tif", folder, stem);
	json_object_array_add(a, json_object_new_string(buf));
	unsigned conv = d->cfg.rig.conventions;
	if (conv & PR_CONV_METASHAPE) {
		snprintf(buf, sizeof(buf), "%s%s_mask.png", folder, stem);
		json_object_array_add(a, json_object_new_string(buf));
	}
	if (conv & PR_CONV_REALITYCAPTURE) {
		snprintf(buf, sizeof(buf), "%s%s.mask.png", folder, name);
		json_object_array_add(a, json_object_new_string(buf));
	}
	if (conv & PR_CONV_COLMAP) {
		snprintf(buf, sizeof(buf), "%smasks/%s.png", folder, name);
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

static const char *const shot_words[] = { "waiting", "saved", "failed", "missing" };
static const char *const mask_words[] = { "none", "pending", "written", "failed", "skipped" };

json_object *journal_set_json(const struct daemon *d, const struct set_rec *set)
{
	json_object *o = json_object_new_object(), *shots = json_object_new_array();
	json_object *missing = json_object_new_array();
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	json_object_object_add(o, "set", json_object_new_int64(set->number));
	json_object_object_add(o, "complete", json_object_new_boolean(set->complete));
	if (set->interrupted)
		json_object_object_add(o, "interrupted", json_object_new_boolean(1));
	json_object_object_add(o, "time_ns", json_object_new_int64(set->started_ns));
	if (set->has_angle) {
		json_object_object_add(o, "angle", json_object_new_double(set->angle));
		json_object_object_add(o, "scan", json_object_new_int64(set->scan));
		json_object_object_add(o, "step", json_object_new_int64(set->step));
	}
	if (set->fired_ns)
		json_object_object_add(o, "fired_ns", json_object_new_int64(set->fired_ns));
	for (uint32_t i = 0; i < set->nshots; i++) {
		const struct shot_rec *r = &set->shots[i];
		json_object *s = json_object_new_object();
		json_object_object_add(s, "camera", json_object_new_string(r->camera));
		json_object_object_add(s, "serial", json_object_new_string(r->serial));
		json_object_object_add(s, "state", json_object_new_string(shot_words[r->state]));
		if (r->state == SHOT_SAVED) {
			char h[40];
			hash_hex(r->hash, h, sizeof(h));
			json_object_object_add(s, "file", json_object_new_string(r->file));
			json_object_object_add(s, "size", json_object_new_int64((int64_t)r->size));
			json_object_object_add(s, "hash", json_object_new_string(h));
			json_object_object_add(s, "trigger_ns", json_object_new_int64(r->trigger_ns));
			json_object_object_add(s, "arrive_ns", json_object_new_int64(r->arrive_ns));
			if (r->nextra)
				json_object_object_add(s, "extra_files", journal_extra_json(r));
			if (r->late)
				json_object_object_add(s, "late", json_object_new_boolean(1));
			journal_v4l2_json(r, s);
			if (r->trigger_ns < tmin)
				tmin = r->trigger_ns;
			if (r->trigger_ns > tmax)
				tmax = r->trigger_ns;
		} else {
			json_object_array_add(missing, json_object_new_string(r->camera));
		}
		json_object_object_add(s, "mask", json_object_new_string(mask_words[r->mask]));
		if (r->mask == MASK_WRITTEN) {
			json_object_object_add(s, "mask_stats", stats_json(r));
			json_object_object_add(s, "mask_files", manifest_mask_files(d, r->file));
			if (r->backdrop[0])
				json_object_object_add(s, "backdrop_file",
						       json_object_new_string(r->backdrop));
		}
		if (r->note[0])
			json_object_object_add(s, "note", json_object_new_string(r->note));
		json_object_array_add(shots, s);
	}
	json_object_object_add(o, "spread_ms", json_object_new_double(
						       tmax >= tmin ? (double)(tmax - tmin) / 1e6 : 0.0));
	json_object_object_add(o, "missing", missing);
	if (set->sheet[0])
		json_object_object_add(o, "sheet", json_object_new_string(set->sheet));
	json_object_object_add(o, "shots", shots);
	return o;
}

/* Writes text with indent before each of its lines. */
static void put_indented(FILE *fp, const char *text, const char *indent)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
		fputs(indent, fp);
		fwrite(line, 1, n, fp);
		line += n;
	}
}

/* The manifest is written a set at a time: built as one json-c tree, the
 * whole document (objects for every shot of every set, then its text) took
 * tens of kB a set, so the rewrite after each set of a long session needed,
 * and left the allocator holding, more memory with every set. The text is
 * what json-c's pretty printer makes of the whole document. */
int manifest_write(struct daemon *d)
{
	struct session *s = d->session;
	if (!s)
		return 0;
	json_object *m = json_object_new_object();
	uint32_t complete = 0, finished = 0;
	for (uint32_t i = 0; i < s->nsets; i++) {
		finished += s->sets[i]->finished;
		complete += s->sets[i]->finished && s->sets[i]->complete;
	}
	json_object_object_add(m, "v", json_object_new_int(1));
	json_object_object_add(m, "session", json_object_new_string(s->name));
	json_object_object_add(m, "rig", json_object_new_string(d->cfg.rig.name));
	json_object_object_add(m, "created_ns", json_object_new_int64(s->created_ns));
	json_object_object_add(m, "updated_ns", json_object_new_int64(cam_now_realtime_ns()));
	json_object_object_add(m, "sets_finished", json_object_new_int64(finished));
	json_object_object_add(m, "sets_complete", json_object_new_int64(complete));
	if (s->scan) {
		static const char *const words[] = { "running", "paused", "done", "stopped" };
		json_object *sc = json_object_new_object();
		json_object_object_add(sc, "scan", json_object_new_int64(s->scan->id));
		json_object_object_add(sc, "state", json_object_new_string(words[s->scan->state]));
		json_object_object_add(sc, "steps", json_object_new_int64(s->scan->steps));
		json_object_object_add(sc, "degrees", json_object_new_double(s->scan->degrees));
		json_object_object_add(sc, "settle_ms", json_object_new_int64(s->scan->settle_ms));
		json_object_object_add(sc, "steps_done", json_object_new_int64(s->scan->done));
		json_object_object_add(m, "scan", sc);
	}
	const int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE;
	char path[PATH_MAX + 32];
	struct pr_error err;
	struct pr_atomic_file af;
	snprintf(path, sizeof(path), "%s/manifest.json", s->dir);
	int rc = pr_atomic_open(&af, path, 1, &err);
	if (!rc) {
		/* the header object without its closing "\n}", then "sets" */
		const char *head = json_object_to_json_string_ext(m, flags);
		fwrite(head, 1, strlen(head) - 2, af.fp);
		fputs(",\n  \"sets\":[", af.fp);
		uint32_t n = 0;
		for (uint32_t i = 0; i < s->nsets; i++) {
			if (!s->sets[i]->finished)
				continue;
			json_object *set = journal_set_json(d, s->sets[i]);
			fputs(n++ ? ",\n" : "\n", af.fp);
			put_indented(af.fp, json_object_to_json_string_ext(set, flags), "    ");
			json_object_put(set);
		}
		fputs("\n  ]\n}", af.fp);
		rc = pr_atomic_commit(&af, &err); /* a write error is reported here */
	}
	json_object_put(m);
	if (rc)
		LOG_ERR("session %s: manifest not written: %s", s->name, err.msg);
	return rc;
}
