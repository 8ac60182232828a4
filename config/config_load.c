/* photorig config: entry points that read a file or a string, and the
 * error list every message is collected in. */
#include "config_schema.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void pr_error_list_init(struct pr_error_list *l)
{
	l->count = 0;
	l->dropped = 0;
}

void pr_error_list_add(struct pr_error_list *l, const char *fmt, ...)
{
	va_list ap;
	if (l->count >= PR_CONFIG_MAX_ERRORS) {
		l->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(l->msg[l->count++], sizeof(l->msg[0]), fmt, ap);
	va_end(ap);
}

void pr_error_list_print(const struct pr_error_list *l, FILE *fp)
{
	for (unsigned i = 0; i < l->count; i++)
		fprintf(fp, "%s\n", l->msg[i]);
	if (l->dropped)
		fprintf(fp, "... and %u more error%s\n", l->dropped, l->dropped == 1 ? "" : "s");
}

int pr_config_load_string(const char *text, const char *name, struct pr_config *out,
			  struct pr_error_list *errs)
{
	char dir[PR_CONFIG_PATH_MAX];
	const char *slash = strrchr(name, '/');
	if (slash) {
		size_t n = slash == name ? 1 : (size_t)(slash - name);
		snprintf(dir, sizeof(dir), "%.*s", (int)n, name);
	}
	return cfg_load_text(text, strlen(text), name, slash ? dir : NULL, out, errs);
}

/* Read a whole config file; messages name the file. */
static int read_text(const char *path, char **data, size_t *size, struct pr_error_list *errs)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;
		if (errs)
			pr_error_list_add(errs, "%s: cannot open: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return pr_error_from_errno(e);
	}
	if (!S_ISREG(st.st_mode) || st.st_size > PR_CONFIG_FILE_MAX) {
		if (errs)
			pr_error_list_add(errs, "%s: %s", path, !S_ISREG(st.st_mode)
					  ? "not a regular file" : "larger than 1 MB: not a config file");
		close(fd);
		return PR_EINVAL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			if (errs)
				pr_error_list_add(errs, "%s: cannot read: %s", path, strerror(e));
			free(buf);
			close(fd);
			return pr_error_from_errno(e);
		}
		got += (size_t)r;
	}
	close(fd);
	if (!buf) {
		if (errs)
			pr_error_list_add(errs, "%s: out of memory", path);
		return PR_ENOMEM;
	}
	buf[got] = '\0';
	*data = buf;
	*size = got;
	return 0;
}

int pr_config_load(const char *path, struct pr_config *out, struct pr_error_list *errs)
{
	char *data = NULL;
	size_t size = 0;
	char copy[PR_CONFIG_PATH_MAX], base[PATH_MAX];

	int rc = read_text(path, &data, &size, errs);
	if (rc)
		return rc;
	const char *nul = memchr(data, '\0', size);
	if (nul) {
		int line = 1;
		for (const char *p = data; p < nul; p++)
			line += *p == '\n';
		if (errs)
			pr_error_list_add(errs, "%s:%d: NUL byte: not a text file", path, line);
		free(data);
		return PR_EFORMAT;
	}
	/* The folder holding the config, absolute, for relative paths in it. */
	snprintf(copy, sizeof(copy), "%s", path);
	const char *dir = dirname(copy);
	if (!realpath(dir, base))
		snprintf(base, sizeof(base), "%s", dir);
	rc = cfg_load_text(data, size, path, base, out, errs);
	free(data);
	return rc;
}
