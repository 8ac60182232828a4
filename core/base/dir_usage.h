/* photorig core: what a folder tree holds on disk, for `photorig session
 * list` (the daemon's answer and the offline one are the same numbers). */
#ifndef PHOTORIG_DIR_USAGE_H
#define PHOTORIG_DIR_USAGE_H

#include <stdint.h>

struct pr_dir_usage {
	uint64_t bytes;     /* allocated on disk (st_blocks), each inode once */
	uint64_t files;     /* regular files */
	int64_t newest_ns;  /* the latest modification time of a file, ns since the epoch */
};

/* Walk dir (not following symbolic links, at most 16 levels deep) and add
 * up its files. A file that vanishes meanwhile is skipped. Returns 0, or a
 * negative PR_E* code when dir itself cannot be read. */
int pr_dir_usage(const char *dir, struct pr_dir_usage *out);

#endif
