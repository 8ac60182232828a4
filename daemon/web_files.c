/* photorigd, the operator page: the files it may serve from the disk.
 *
 * Only files inside a session folder (OUTPUT_ROOT/NAME/, a folder with a
 * journal) are served: GET /files/NAME/REL. The URL arrives decoded
 * (libmicrohttpd undoes %XX, so "%2e%2e" is ".." here). Any "." or ".."
 * segment, an empty segment (a doubled or leading '/': an absolute path), a
 * session name that is not a name, or a path whose real location (symlinks
 * resolved) is outside the session's real folder is refused the same way: a
 * plain 404, which says nothing about what exists elsewhere. */
#define _GNU_SOURCE
#include "web_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol.h"

const char *web_mime(const char *name)
{
	static const struct {
		const char *ext, *mime;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },   { ".json", "application/json" },
		{ ".jsonl", "text/plain; charset=utf-8" }, { ".png", "image/png" },
		{ ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" }, { ".svg", "image/svg+xml" },
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].mime;
	/* TIFFs, RAW files: downloaded, never rendered by the browser */
	return "application/octet-stream";
}

/* Every segment a plain name: no "", ".", "..". */
static int plain_segments(const char *rel)
{
	const char *p = rel;
	for (;;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!p[n])
			return 1;
		p += n + 1;
	}
}

int web_file_open(const struct web *w, const char *url, const char **mime)
{
	char name[PR_PROTO_NAME_MAX + 1], why[128];
	size_t n = strcspn(url, "/");
	if (n == 0 || n > PR_PROTO_NAME_MAX || url[n] != '/' || !url[n + 1] ||
	    strchr(url, '\\') || !plain_segments(url))
		return -1;
	memcpy(name, url, n);
	name[n] = '\0';
	if (pr_proto_check_name(name, why, sizeof(why)))
		return -1;
	char dir[PATH_MAX], path[PATH_MAX * 2], base[PATH_MAX], real[PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s/%s", w->output_root, name) >= (int)sizeof(dir) ||
	    !realpath(dir, base))
		return -1;
	/* a session folder has its journal; other folders of output_root are not served */
	snprintf(path, sizeof(path), "%s/journal.jsonl", base);
	if (access(path, F_OK))
		return -1;
	if (snprintf(path, sizeof(path), "%s/%s", base, url + n + 1) >= (int)sizeof(path) ||
	    !realpath(path, real))
		return -1;
	size_t bl = strlen(base);
	if (strncmp(real, base, bl) || real[bl] != '/')
		return -1;
	int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	/* temporary files of atomic writes (".NAME.tmp") are not results yet */
	const char *leaf = strrchr(real, '/');
	if (leaf && leaf[1] == '.') {
		close(fd);
		return -1;
	}
	*mime = web_mime(real);
	return fd;
}
