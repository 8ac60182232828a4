/* photorig core: atomic file writes (temp file + fsync + rename + folder fsync).
 *
 * The temp file lives in the destination folder so that rename() is atomic
 * (same filesystem). Its name ".NAME.XXXXXX.tmp" is hidden from tools that
 * list a session folder and is recognisable by pr_atomic_sweep() after a
 * crash. */
#define _GNU_SOURCE
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_SUFFIX ".tmp"
#define TMP_RANDOM "XXXXXX"

/* The process umask, read once. umask() can only be read by setting it,
 * which races with other threads creating files, so prefer /proc (Linux
 * >= 4.7) and fall back to the set-and-restore dance only if /proc is
 * missing. The daemon does not change its umask after start-up. */
static pthread_once_t umask_once = PTHREAD_ONCE_INIT;
static mode_t process_umask = 022;

static void read_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (f) {
		char line[256];
		while (fgets(line, sizeof(line), f)) {
			unsigned m;
			if (sscanf(line, "Umask: %o", &m) == 1) {
				process_umask = (mode_t)(m & 0777);
				fclose(f);
				return;
			}
		}
		fclose(f);
	}
	mode_t m = umask(022);
	umask(m);
	process_umask = m;
}

/* Folder part of path for fsync: "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/". */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static void af_reset(struct pr_atomic_file *af)
{
	af->fd = -1;
	af->fp = NULL;
	af->tmp_path = NULL;
	af->final_path = NULL;
}

int pr_atomic_open(struct pr_atomic_file *af, const char *path, int want_stdio,
		   struct pr_error *err)
{
	af_reset(af);
	if (!path || !*path)
		return pr_error_set(err, PR_EINVAL, "empty output path");
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return pr_error_set(err, PR_EINVAL, "%s: output path names a folder, not a file", path);

	size_t prefix_len = (size_t)(base - path);
	size_t n = prefix_len + 1 + strlen(base) + 1 + strlen(TMP_RANDOM) + strlen(TMP_SUFFIX) + 1;
	af->tmp_path = malloc(n);
	af->final_path = strdup(path);
	if (!af->tmp_path || !af->final_path) {
		pr_atomic_abort(af);
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory", path);
	}
	snprintf(af->tmp_path, n, "%.*s.%s.%s%s", (int)prefix_len, path, base, TMP_RANDOM,
		 TMP_SUFFIX);

	int fd = mkostemps(af->tmp_path, (int)strlen(TMP_SUFFIX), O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(af->tmp_path);
		af->tmp_path = NULL; /* nothing was created: abort must not unlink */
		pr_atomic_abort(af);
		return pr_error_set(err, pr_error_from_errno(e), "%s: cannot create temporary file: %s",
				    path, strerror(e));
	}
	af->fd = fd;
	/* mkostemps creates 0600; outputs are meant to be read by other users
	 * and tools, like a file made with open(O_CREAT, 0666). */
	pthread_once(&umask_once, read_umask);
	if (fchmod(fd, 0666 & ~process_umask) != 0) {
		int e = errno;
		pr_atomic_abort(af);
		return pr_error_set(err, pr_error_from_errno(e), "%s: cannot set file mode: %s", path,
				    strerror(e));
	}
	if (want_stdio) {
		af->fp = fdopen(fd, "wb");
		if (!af->fp) {
			int e = errno;
			pr_atomic_abort(af);
			return pr_error_set(err, pr_error_from_errno(e), "%s: cannot open stream: %s",
					    path, strerror(e));
		}
	}
	return 0;
}

void pr_atomic_abort(struct pr_atomic_file *af)
{
	if (!af)
		return;
	if (af->fp)
		fclose(af->fp); /* also closes fd */
	else if (af->fd >= 0)
		close(af->fd);
	if (af->tmp_path)
		unlink(af->tmp_path);
	free(af->tmp_path);
	free(af->final_path);
	af_reset(af);
}

/* fsync the folder so the rename itself survives a power cut. */
static int sync_dir(const char *path, struct pr_error *err)
{
	char *dir = dir_of(path);
	if (!dir)
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory", path);
	int rc = 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (fsync(dfd) != 0 && errno != EINVAL && errno != EROFS)) {
		/* EINVAL/EROFS: the filesystem cannot sync folders; nothing to do. */
		int e = errno;
		rc = pr_error_set(err, pr_error_from_errno(e),
				  "%s: written, but syncing folder %s failed: %s", path, dir,
				  strerror(e));
	}
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return rc;
}

int pr_atomic_commit(struct pr_atomic_file *af, struct pr_error *err)
{
	if (!af || !af->tmp_path || !af->final_path)
		return pr_error_set(err, PR_EINVAL, "atomic commit of a file that is not open");
	const char *what = NULL;
	int e = 0;
	if (af->fp) {
		/* stdio buffers late write errors (ENOSPC) until fflush/fclose. */
		if (fflush(af->fp) != 0 || ferror(af->fp)) {
			e = errno ? errno : EIO;
			what = "write";
		} else if (fsync(fileno(af->fp)) != 0) {
			e = errno;
			what = "sync";
		}
		int cr = fclose(af->fp);
		if (cr != 0 && !what) {
			e = errno;
			what = "close";
		}
		af->fp = NULL;
		af->fd = -1;
	} else if (af->fd >= 0) {
		if (fsync(af->fd) != 0) {
			e = errno;
			what = "sync";
		}
		/* close() can report a deferred write error (NFS): check it. */
		if (close(af->fd) != 0 && !what) {
			e = errno;
			what = "close";
		}
		af->fd = -1;
	}
	if (!what && rename(af->tmp_path, af->final_path) != 0) {
		e = errno;
		what = "rename";
	}
	if (what) {
		int rc = pr_error_set(err, pr_error_from_errno(e), "%s: %s failed: %s",
				      af->final_path, what, strerror(e));
		pr_atomic_abort(af);
		return rc;
	}
	free(af->tmp_path);
	af->tmp_path = NULL; /* renamed away: abort must not unlink it */
	int rc = sync_dir(af->final_path, err);
	pr_atomic_abort(af);
	return rc;
}

int pr_atomic_write(const char *path, const void *data, size_t size, struct pr_error *err)
{
	struct pr_atomic_file af;
	int rc = pr_atomic_open(&af, path, 0, err);
	if (rc)
		return rc;
	const uint8_t *p = data;
	while (size > 0) {
		ssize_t w = write(af.fd, p, size);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			pr_atomic_abort(&af);
			return pr_error_set(err, pr_error_from_errno(e), "%s: write failed: %s", path,
					    strerror(e));
		}
		p += w;
		size -= (size_t)w;
	}
	return pr_atomic_commit(&af, err);
}

/* Does name look like ".NAME.XXXXXX.tmp", the pattern pr_atomic_open makes? */
static int is_temp_name(const char *name)
{
	size_t len = strlen(name);
	size_t tail = 1 + strlen(TMP_RANDOM) + strlen(TMP_SUFFIX); /* ".XXXXXX.tmp" */
	if (len < 1 + 1 + tail || name[0] != '.')
		return 0;
	if (strcmp(name + len - strlen(TMP_SUFFIX), TMP_SUFFIX) != 0)
		return 0;
	const char *rnd = name + len - tail;
	if (rnd[0] != '.')
		return 0;
	for (size_t i = 1; i <= strlen(TMP_RANDOM); i++) {
		char c = rnd[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

int pr_atomic_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return pr_error_from_errno(errno);
	int count = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!is_temp_name(de->d_name))
			continue;
		struct stat st;
		/* Only plain files: never follow a symlink or descend. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			count++;
	}
	closedir(d);
	return count;
}
