/* photorig core: the size of a folder tree on disk (dir_usage.h).
 *
 * Allocated blocks, not file sizes, because the question is how much of the
 * disk a session takes; hard links (an export made beside the session with
 * `photorig export`) count once per inode within the tree walked. */
#define _GNU_SOURCE
#include "dir_usage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

#define MAX_DEPTH 16

struct seen {
	ino_t *ino; /* inodes with more than one link, already counted */
	size_t n, cap;
};

static int seen_before(struct seen *s, ino_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ino[i] == ino)
			return 1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		ino_t *n = realloc(s->ino, cap * sizeof(*n));
		if (!n)
			return 0; /* counted twice rather than not at all */
		s->ino = n;
		s->cap = cap;
	}
	s->ino[s->n++] = ino;
	return 0;
}

static void walk(int fd, int depth, struct pr_dir_usage *u, struct seen *s)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode)) {
			u->bytes += (uint64_t)st.st_blocks * 512;
			if (depth < MAX_DEPTH) {
				int sub = openat(dirfd(d), e->d_name,
						 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub >= 0)
					walk(sub, depth + 1, u, s);
			}
			continue;
		}
		if (!S_ISREG(st.st_mode) || (st.st_nlink > 1 && seen_before(s, st.st_ino)))
			continue;
		u->bytes += (uint64_t)st.st_blocks * 512;
		u->files++;
		int64_t ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		if (ns > u->newest_ns)
			u->newest_ns = ns;
	}
	closedir(d);
}

int pr_dir_usage(const char *dir, struct pr_dir_usage *out)
{
	memset(out, 0, sizeof(*out));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return pr_error_from_errno(errno);
	struct stat st;
	if (!fstat(fd, &st)) /* the folder's own blocks too, as du counts them */
		out->bytes += (uint64_t)st.st_blocks * 512;
	struct seen s = { 0 };
	walk(fd, 0, out, &s);
	free(s.ino);
	return 0;
}
