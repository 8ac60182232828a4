/* Replay driver for the fuzz targets: a main() that feeds every file named
 * on the command line, or found in a folder named there, to the same
 * LLVMFuzzerTestOneInput the libFuzzer build links.
 *
 * Why it exists: libFuzzer needs clang, but the ordinary test suite is built
 * with gcc under ASan/UBSan. Linking each target against this driver instead
 * makes its seed corpus and every input that ever crashed it
 * (tests/fuzz/regressions/TARGET/) a plain ctest test, so a crash once fixed
 * stays fixed without anyone running the fuzzer.
 *
 * A folder that does not exist is skipped (a target with no regressions has
 * no folder); an unreadable file is an error. Files are fed in name order so
 * that a failure is reproducible. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not fuzz inputs (libFuzzer's default -max_len
 * is 4096; the seeds are a few KB): refusing them keeps a stray file from
 * turning the test into a memory hog. */
#define REPLAY_MAX_INPUT (16u * 1024 * 1024)

static int run_file(const char *path, unsigned *count)
{
	FILE *fp = fopen(path, "rbe");
	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(fp), &st) || st.st_size < 0 || (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: unreadable or larger than %u bytes\n", path,
			REPLAY_MAX_INPUT);
		fclose(fp);
		return -1;
	}
	size_t size = (size_t)st.st_size;
	/* an exact-size heap copy, so ASan sees a read one byte past the input */
	uint8_t *data = malloc(size ? size : 1);
	if (!data || fread(data, 1, size, fp) != size) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		free(data);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	(*count)++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned *count)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT) {
			fprintf(stderr, "replay: %s: no such folder, skipped\n", dir);
			return 0;
		}
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* ".", "..", and notes such as .gitkeep */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				rc = -1;
				break;
			}
			names = grown;
		}
		if (asprintf(&names[n], "%s/%s", dir, e->d_name) < 0) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (!rc && !stat(names[i], &st) && S_ISREG(st.st_mode))
			rc = run_file(names[i], count);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-FOLDER...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int rc;
		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode))
			rc = run_dir(argv[i], &count);
		else if (stat(argv[i], &st) && errno == ENOENT)
			rc = run_dir(argv[i], &count); /* reports the missing folder */
		else
			rc = run_file(argv[i], &count);
		if (rc)
			return 1;
	}
	printf("replay: %u inputs, no crash\n", count);
	return 0;
}
