/* Fuzz target: the operator page's session-file paths (daemon/web_files.c).
 *
 * The input is the part of a URL after "/files/", as libmicrohttpd hands it
 * over (already %-decoded). A small tree is made once: OUTPUT_ROOT with a
 * session s1 (a journal, a shot, a symlink to /etc, a symlink to a file
 * outside, a hidden temporary file, a folder without a journal beside it).
 * Whatever the input, a file that web_file_open opens must be a regular
 * file whose real path is inside OUTPUT_ROOT/s1/ and not a hidden one;
 * anything else aborts, which libFuzzer reports as a crash. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web_internal.h"

static struct web w;
static char session[PATH_MAX];

/* snprintf into a path, aborting when it does not fit (never, for mkdtemp's) */
#define PATHF(buf, ...)                                                   \
	do {                                                              \
		if (snprintf(buf, sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf)) \
			abort();                                          \
	} while (0)

static void put(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX * 2];
	PATHF(p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char tmpl[] = "/tmp/fuzz_web_files.XXXXXX", p[PATH_MAX * 2];
	char *top = mkdtemp(tmpl);
	if (!top)
		abort();
	PATHF(w.output_root, "%s/sessions", top);
	PATHF(session, "%s/s1", w.output_root);
	PATHF(p, "%s/cam01", session);
	if (mkdir(w.output_root, 0700) || mkdir(session, 0700) || mkdir(p, 0700))
		abort();
	put(top, "secret.txt", "outside\n");
	put(session, "journal.jsonl", "{}\n");
	put(p, "a.jpg", "jpeg\n");
	put(p, ".a.jpg.tmp", "half\n");
	PATHF(p, "%s/out", session);
	if (symlink("/etc", p))
		abort();
	PATHF(p, "%s/cam01/secret.jpg", session);
	if (symlink("../../../secret.txt", p))
		abort();
	PATHF(p, "%s/nojournal", w.output_root);
	if (mkdir(p, 0700))
		abort();
	put(p, "f.txt", "not a session\n");
	/* the real path: /tmp may itself be a symlink */
	char real[PATH_MAX];
	if (!realpath(session, real))
		abort();
	PATHF(session, "%s", real);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!w.output_root[0])
		setup();
	if (size > 4096)
		return 0;
	char url[4097];
	memcpy(url, data, size);
	url[size] = '\0'; /* a NUL inside ends the URL, as in libmicrohttpd */
	const char *mime = NULL;
	int fd = web_file_open(&w, url, &mime);
	if (fd < 0)
		return 0;
	char link[64], real[PATH_MAX];
	struct stat st;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, sizeof(real) - 1);
	if (n <= 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || !mime)
		abort();
	real[n] = '\0';
	size_t bl = strlen(session);
	const char *leaf = strrchr(real, '/');
	if (strncmp(real, session, bl) || real[bl] != '/' || !leaf || leaf[1] == '.') {
		fprintf(stderr, "served %s for '%s'\n", real, url);
		abort();
	}
	close(fd);
	return 0;
}
