/* photorig core: atomic file writes.
 *
 * Output files are written to a temporary file in the destination folder,
 * flushed with fsync, then renamed over the final name and the folder
 * fsync'd. A reader never sees a half-written file under its final name; a
 * crash leaves at most a hidden ".NAME.XXXXXX.tmp" file, which
 * pr_atomic_sweep() removes. */
#ifndef PHOTORIG_ATOMIC_FILE_H
#define PHOTORIG_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

struct pr_atomic_file {
	int fd;            /* open temp file, -1 when closed */
	FILE *fp;          /* stdio stream over fd when asked for, else NULL */
	char *tmp_path;
	char *final_path;
};

/* Create the temp file beside path. With want_stdio, fp is a FILE* on it. */
int pr_atomic_open(struct pr_atomic_file *af, const char *path, int want_stdio,
		   struct pr_error *err);
/* fsync, close, rename to the final name, fsync the folder. On failure the
 * temp file is removed and the final name is untouched. Frees af. */
int pr_atomic_commit(struct pr_atomic_file *af, struct pr_error *err);
/* Remove the temp file and free af; safe after commit and safe twice. */
void pr_atomic_abort(struct pr_atomic_file *af);

/* Write a whole buffer atomically to path. */
int pr_atomic_write(const char *path, const void *data, size_t size, struct pr_error *err);

/* Remove stale temp files (".NAME.XXXXXX.tmp", plain files only) left in dir
 * by a crash; returns how many, or a negative PR_E* code if dir cannot be
 * read. Call it when no writer is active in dir (daemon start-up, session
 * resume): it cannot tell a crashed writer's file from a live one's. */
int pr_atomic_sweep(const char *dir);

#endif
