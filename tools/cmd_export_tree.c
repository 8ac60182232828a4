/* photorig export: building an export folder so that a half-made one never
 * looks finished (cmd_export.h).
 *
 * Everything is made in a hidden sibling of the final folder, on the same
 * filesystem, and renamed into place at the end: a reader sees either the
 * earlier export or the new one, whole. An earlier export is swapped out
 * with renameat2(RENAME_EXCHANGE) where the filesystem has it, then
 * removed. Files are hard links to the session's own (no space, no copy
 * time); where a link cannot be made (another filesystem, a filesystem
 * without links) the file is copied and synced. */
#define _GNU_SOURCE
#include "cmd_export.h"
#include "cli_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CMD "export"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP ? rmdir(path) : unlink(path))
		fprintf(stderr, "photorig " CMD ": cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

static void remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* An earlier export (its README's first line), or an empty folder. */
static int replaceable(const char *out)
{
	char path[PATH_MAX + 16], line[64] = "";
	snprintf(path, sizeof(path), "%s/README.txt", out);
	FILE *f = fopen(path, "re");
	if (f) {
		int ok = fgets(line, sizeof(line), f) &&
			 !strncmp(line, EXPORT_README_MARK, strlen(EXPORT_README_MARK));
		fclose(f);
		if (ok)
			return 1;
	}
	DIR *d = opendir(out);
	if (!d)
		return 0;
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/* Temporary folders of runs that were killed: .NAME.export-XXXXXX beside out. */
static void sweep_stale(const char *parent, const char *base)
{
	char prefix[NAME_MAX + 16], path[PATH_MAX + NAME_MAX + 2];
	snprintf(prefix, sizeof(prefix), ".%s.export-", base);
	DIR *d = opendir(parent);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)) && strlen(e->d_name) ==
		    strlen(prefix) + 6) {
			snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
			remove_tree(path);
		}
	closedir(d);
}

int export_tree_begin(struct export_tree *t, const char *out, int copy)
{
	char a[PATH_MAX], b[PATH_MAX], parent[PATH_MAX];
	memset(t, 0, sizeof(*t));
	t->copy = copy;
	if (snprintf(a, sizeof(a), "%s", out) >= (int)sizeof(a) ||
	    snprintf(b, sizeof(b), "%s", out) >= (int)sizeof(b)) {
		fprintf(stderr, "photorig " CMD ": --out %s: path too long\n", out);
		return -1;
	}
	const char *base = basename(b);
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/")) {
		fprintf(stderr, "photorig " CMD ": --out %s: name a folder of its own\n", out);
		return -1;
	}
	/* the folders above --out are made as mkdir -p would */
	if (cli_make_dirs(CMD, dirname(a)))
		return -1;
	snprintf(a, sizeof(a), "%s", out);
	if (!realpath(dirname(a), parent)) {
		fprintf(stderr, "photorig " CMD ": --out %s: its parent folder: %s\n", out,
			strerror(errno));
		return -1;
	}
	if (snprintf(t->out, sizeof(t->out), "%s/%s", strcmp(parent, "/") ? parent : "", base) >=
		    (int)sizeof(t->out) ||
	    snprintf(t->tmp, sizeof(t->tmp), "%s/.%s.export-XXXXXX", parent, base) >=
		    (int)sizeof(t->tmp)) {
		fprintf(stderr, "photorig " CMD ": --out %s: path too long\n", out);
		return -1;
	}
	struct stat st;
	if (!lstat(t->out, &st) && (!S_ISDIR(st.st_mode) || !replaceable(t->out))) {
		fprintf(stderr, "photorig " CMD ": %s exists and is not an earlier photorig export: "
			"choose another --out, or remove it\n", t->out);
		return -1;
	}
	sweep_stale(parent, base);
	if (!mkdtemp(t->tmp)) {
		fprintf(stderr, "photorig " CMD ": cannot create a folder beside %s: %s\n", t->out,
			strerror(errno));
		t->tmp[0] = '\0';
		return -1;
	}
	chmod(t->tmp, 0755);
	return 0;
}

/* The path of rel inside the tree, in path (PATH_MAX), with its folders
 * made (mkdir -p). */
static int make_parents(struct export_tree *t, const char *rel, char *path)
{
	int n = snprintf(path, PATH_MAX, "%s/%s", t->tmp, rel);
	if (n < 0 || n >= PATH_MAX) {
		fprintf(stderr, "photorig " CMD ": %s: path too long\n", rel);
		return -1;
	}
	for (char *p = path + strlen(t->tmp) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		int rc = mkdir(path, 0755);
		if (rc && errno != EEXIST) {
			fprintf(stderr, "photorig " CMD ": cannot create %s: %s\n", path,
				strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy src to dst (a new file), synced. */
static int copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	if (in < 0) {
		fprintf(stderr, "photorig " CMD ": cannot read %s: %s\n", src, strerror(errno));
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		goto fail;
	char buf[1 << 16];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "photorig " CMD ": cannot read %s: %s\n", src,
				strerror(errno));
			close(in);
			close(out);
			return -1;
		}
		if (!n)
			break;
		if (write_all(out, buf, (size_t)n))
			goto fail;
	}
	if (fsync(out))
		goto fail;
	rc = 0;
fail:
	if (rc)
		fprintf(stderr, "photorig " CMD ": cannot write %s: %s\n", dst, strerror(errno));
	close(in);
	if (out >= 0 && close(out) && !rc) {
		fprintf(stderr, "photorig " CMD ": cannot write %s: %s\n", dst, strerror(errno));
		rc = -1;
	}
	return rc;
}

int export_tree_add(struct export_tree *t, const char *src, const char *rel)
{
	char dst[PATH_MAX];
	if (make_parents(t, rel, dst))
		return -1;
	if (!t->copy) {
		if (!link(src, dst)) {
			t->links++;
			return 0;
		}
		/* EXDEV: another filesystem; EPERM/EMLINK/ENOTSUP: no (more) links
		 * there. Anything else (the source missing) is an error. */
		if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP) {
			fprintf(stderr, "photorig " CMD ": cannot link %s: %s\n", src,
				strerror(errno));
			return -1;
		}
	}
	if (copy_file(src, dst))
		return -1;
	t->copies++;
	return 0;
}

int export_tree_write(struct export_tree *t, const char *rel, const void *data, size_t len)
{
	char dst[PATH_MAX];
	if (make_parents(t, rel, dst))
		return -1;
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int rc = fd < 0 || write_all(fd, data, len) || fsync(fd);
	if (fd >= 0 && close(fd))
		rc = 1;
	if (rc) {
		fprintf(stderr, "photorig " CMD ": cannot write %s: %s\n", dst, strerror(errno));
		return -1;
	}
	return 0;
}

static int sync_dir_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP) {
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || fsync(fd)) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static void sync_parent(const char *out)
{
	char a[PATH_MAX];
	snprintf(a, sizeof(a), "%s", out);
	int fd = open(dirname(a), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int export_tree_commit(struct export_tree *t)
{
	/* the folders' entries are on disk before the rename makes them visible */
	if (nftw(t->tmp, sync_dir_entry, 16, FTW_DEPTH | FTW_PHYS)) {
		fprintf(stderr, "photorig " CMD ": cannot sync %s: %s\n", t->tmp, strerror(errno));
		export_tree_abort(t);
		return -1;
	}
	struct stat st;
	if (lstat(t->out, &st)) {
		if (rename(t->tmp, t->out))
			goto fail;
	} else if (!renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->out, RENAME_EXCHANGE)) {
		remove_tree(t->tmp); /* now the earlier export */
	} else if (errno == EINVAL || errno == ENOSYS) {
		/* no exchange here: the earlier export is moved aside first, so
		 * for an instant there is none, but never a half-made one */
		char old[PATH_MAX + 8];
		snprintf(old, sizeof(old), "%s.old", t->tmp);
		if (rename(t->out, old))
			goto fail;
		if (rename(t->tmp, t->out)) {
			int e = errno;
			rename(old, t->out);
			errno = e;
			goto fail;
		}
		remove_tree(old);
	} else {
		goto fail;
	}
	t->tmp[0] = '\0';
	sync_parent(t->out);
	return 0;
fail:
	fprintf(stderr, "photorig " CMD ": cannot put the export in place at %s: %s\n", t->out,
		strerror(errno));
	export_tree_abort(t);
	return -1;
}

void export_tree_abort(struct export_tree *t)
{
	if (t->tmp[0])
		remove_tree(t->tmp);
	t->tmp[0] = '\0';
}
