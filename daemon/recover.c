/* photorigd: the originals a crash left on disk before they were journaled.
 *
 * A camera's files are written atomically (temp + rename) before the loop
 * journals them, so a crash in between leaves whole files under their final
 * names that the journal does not know: CAMERA/NAME.EXT and, from a camera
 * that delivers several files at once (RAW+JPEG), the others beside it as
 * NAME.EXT2, or NAME_N.EXT when two share an extension (capture_files in
 * originals.c; at most 1 + SHOT_EXTRA_MAX files a capture). At the restart
 * each shot still waiting in a set the crash cut short is looked for here,
 * and every file found is taken back with its size and hash, the one to
 * mask as the shot's file and the others as its extras. */
#define _GNU_SOURCE
#include "daemon.h"
#include "capture.h"
#include "journal.h"
#include "session.h"
#include "sync.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imageio.h"
#include "log.h"

#define NAMES_MAX (1 + SHOT_EXTRA_MAX)

/* NAME.EXT or NAME_N.EXT with one extension; NAME.tif is the masked output. */
static int is_original(const char *entry, const char *base)
{
	size_t n = strlen(base);
	if (strncmp(entry, base, n))
		return 0;
	const char *p = entry + n;
	if (*p == '_') {
		size_t digits = strspn(p + 1, "0123456789");
		if (!digits)
			return 0;
		p += 1 + digits;
	} else if (!strcmp(p, ".tif")) {
		return 0;
	}
	return *p == '.' && p[1] && !strchr(p + 1, '.');
}

/* Which file the shot is masked from: one the core decodes, JPEG or PNG
 * before TIFF (a RAW file is a TIFF container too), else any. */
static int mask_rank(const uint8_t *data, size_t len)
{
	enum pr_file_format f = pr_detect_format(data, len);
	return f == PR_FMT_JPEG || f == PR_FMT_PNG ? 2 : f == PR_FMT_TIFF ? 1 : 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int recover_originals(const char *dir, struct shot_rec *r)
{
	const char *slash = strrchr(r->stem, '/');
	const char *base = slash ? slash + 1 : r->stem;
	int cam_len = (int)(slash ? slash - r->stem : 0);
	char folder[PATH_MAX + 300], names[NAMES_MAX][256];
	size_t n = 0;
	snprintf(folder, sizeof(folder), "%s/%.*s", dir, cam_len, r->stem);
	DIR *dd = opendir(folder);
	if (!dd)
		return -1;
	struct dirent *e;
	while ((e = readdir(dd))) {
		if (!is_original(e->d_name, base) || strlen(e->d_name) >= sizeof(names[0]))
			continue;
		if (n == NAMES_MAX) {
			LOG_WARN("%s: more than %d files of %s: %s not taken back", folder, NAMES_MAX,
				 base, e->d_name);
			continue;
		}
		snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
	}
	closedir(dd);
	qsort(names, n, sizeof(names[0]), cmp_name);

	struct shot_file found[NAMES_MAX];
	int best = -1, best_rank = -1;
	size_t got = 0;
	for (size_t i = 0; i < n; i++) {
		char path[sizeof(folder) + 260];
		uint8_t *data;
		size_t len;
		struct pr_error err;
		snprintf(path, sizeof(path), "%s/%s", folder, names[i]);
		if (pr_read_file(path, PR_IMAGE_MAX_FILE_SIZE, &data, &len, &err)) {
			LOG_WARN("%s not taken back: %s", path, err.msg);
			continue;
		}
		struct shot_file *f = &found[got];
		snprintf(f->file, sizeof(f->file), "%.*s/%s", cam_len, r->stem, names[i]);
		f->size = len;
		f->hash = hash_fnv1a64(data, len, HASH_FNV_INIT);
		f->arrive_ns = 0;
		int rank = mask_rank(data, len);
		free(data);
		if (rank > best_rank) {
			best = (int)got;
			best_rank = rank;
		}
		got++;
	}
	if (best < 0)
		return -1;
	snprintf(r->file, sizeof(r->file), "%s", found[best].file);
	r->size = found[best].size;
	r->hash = found[best].hash;
	r->nextra = 0;
	for (size_t i = 0; i < got; i++)
		if ((int)i != best)
			r->extra[r->nextra++] = found[i];
	return 0;
}
