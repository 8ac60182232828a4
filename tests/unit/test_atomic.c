/* Unit tests: atomic file writes (core/image/atomic_file.c). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "atomic_file.h"
#include "temp_dir.h"

static int setup(void **state)
{
	(void)state;
	return temp_dir_make("atomic");
}

static int teardown(void **state)
{
	(void)state;
	return temp_dir_remove();
}

static void path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

/* Number of entries in the test folder (excluding . and ..). */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static size_t read_all(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
	return n;
}

static void test_write_creates_file_with_mode(void **state)
{
	(void)state;
	char p[512];
	path_in(p, sizeof(p), "a.bin");
	struct pr_error err = { 0 };
	assert_int_equal(pr_atomic_write(p, "hello", 5, &err), 0);
	char buf[64];
	assert_int_equal(read_all(p, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	/* umask is 022 (set in main): 0666 & ~022 */
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_entries(tmpdir), 1); /* no temp file left */
}

static void test_final_name_untouched_until_commit(void **state)
{
	(void)state;
	char p[512];
	path_in(p, sizeof(p), "b.txt");
	struct pr_error err = { 0 };
	assert_int_equal(pr_atomic_write(p, "old", 3, &err), 0);

	struct pr_atomic_file af;
	assert_int_equal(pr_atomic_open(&af, p, 1, &err), 0);
	assert_non_null(af.fp);
	assert_non_null(af.tmp_path);
	/* temp is hidden, in the same folder, with the documented pattern */
	const char *base = strrchr(af.tmp_path, '/') + 1;
	assert_int_equal(strncmp(base, ".b.txt.", 7), 0);
	assert_string_equal(base + strlen(base) - 4, ".tmp");
	assert_int_equal(strncmp(af.tmp_path, tmpdir, strlen(tmpdir)), 0);
	fprintf(af.fp, "new content, longer than the old one");
	fflush(af.fp);

	char buf[128];
	read_all(p, buf, sizeof(buf));
	assert_string_equal(buf, "old"); /* readers still see the old file */
	assert_int_equal(count_entries(tmpdir), 2);

	assert_int_equal(pr_atomic_commit(&af, &err), 0);
	read_all(p, buf, sizeof(buf));
	assert_string_equal(buf, "new content, longer than the old one");
	assert_int_equal(count_entries(tmpdir), 1);
	assert_null(af.tmp_path);
	assert_int_equal(af.fd, -1);
	pr_atomic_abort(&af); /* safe after commit: must not remove the result */
	assert_int_equal(access(p, F_OK), 0);
}

static void test_abort_leaves_nothing(void **state)
{
	(void)state;
	char p[512];
	path_in(p, sizeof(p), "c.tif");
	struct pr_error err = { 0 };
	struct pr_atomic_file af;
	assert_int_equal(pr_atomic_open(&af, p, 0, &err), 0);
	assert_true(af.fd >= 0);
	assert_null(af.fp);
	assert_int_equal(write(af.fd, "partial", 7), 7);
	pr_atomic_abort(&af);
	pr_atomic_abort(&af); /* safe twice */
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(count_entries(tmpdir), 0);
}

static void test_abort_keeps_old_file(void **state)
{
	(void)state;
	char p[512];
	path_in(p, sizeof(p), "d.png");
	struct pr_error err = { 0 };
	assert_int_equal(pr_atomic_write(p, "previous", 8, &err), 0);
	struct pr_atomic_file af;
	assert_int_equal(pr_atomic_open(&af, p, 0, &err), 0);
	assert_int_equal(write(af.fd, "xx", 2), 2);
	pr_atomic_abort(&af);
	char buf[64];
	read_all(p, buf, sizeof(buf));
	assert_string_equal(buf, "previous");
	assert_int_equal(count_entries(tmpdir), 1);
}

static void test_missing_folder_fails_clearly(void **state)
{
	(void)state;
	char p[512];
	path_in(p, sizeof(p), "no-such-folder/e.png");
	struct pr_error err = { 0 };
	assert_int_equal(pr_atomic_write(p, "x", 1, &err), PR_ENOENT);
	assert_int_equal(err.code, PR_ENOENT);
	assert_non_null(strstr(err.msg, p));
	assert_non_null(strstr(err.msg, strerror(ENOENT)));
	assert_int_equal(count_entries(tmpdir), 0);

	/* folder component is a regular file */
	char f[512], q[600];
	path_in(f, sizeof(f), "plainfile");
	assert_int_equal(pr_atomic_write(f, "x", 1, &err), 0);
	snprintf(q, sizeof(q), "%s/inside.png", f);
	assert_true(pr_atomic_write(q, "x", 1, &err) < 0);
	assert_non_null(strstr(err.msg, q));
	assert_int_equal(count_entries(tmpdir), 1);
}

static void test_unwritable_folder_fails_clearly(void **state)
{
	(void)state;
	if (geteuid() == 0)
		skip(); /* root ignores folder permissions */
	char d[512], p[600];
	path_in(d, sizeof(d), "ro");
	assert_int_equal(mkdir(d, 0500), 0);
	snprintf(p, sizeof(p), "%s/f.png", d);
	struct pr_error err = { 0 };
	assert_int_equal(pr_atomic_write(p, "x", 1, &err), PR_EACCES);
	assert_non_null(strstr(err.msg, p));
	assert_int_equal(count_entries(d), 0);
}

static void test_rename_failure_removes_temp(void **state)
{
	(void)state;
	/* The final name is an existing non-empty folder: rename must fail,
	 * the error name the path, and the temp file go away. */
	char d[512], inner[600];
	path_in(d, sizeof(d), "busy");
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(inner, sizeof(inner), "%s/x", d);
	struct pr_error err = { 0 };
	assert_int_equal(pr_atomic_write(inner, "x", 1, &err), 0);
	assert_true(pr_atomic_write(d, "data", 4, &err) < 0);
	assert_non_null(strstr(err.msg, d));
	assert_non_null(strstr(err.msg, "rename"));
	assert_int_equal(count_entries(tmpdir), 1);
	assert_int_equal(count_entries(d), 1);
}

static void test_path_naming_folder_rejected(void **state)
{
	(void)state;
	char p[512];
	path_in(p, sizeof(p), "");
	struct pr_error err = { 0 };
	struct pr_atomic_file af;
	assert_int_equal(pr_atomic_open(&af, p, 0, &err), PR_EINVAL);
	assert_int_equal(pr_atomic_open(&af, "", 0, &err), PR_EINVAL);
	pr_atomic_abort(&af); /* safe after a failed open */
	assert_int_equal(count_entries(tmpdir), 0);
}

static void touch(const char *name)
{
	char p[512];
	path_in(p, sizeof(p), name);
	int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void test_sweep_removes_only_stale_temps(void **state)
{
	(void)state;
	touch(".shot.png.AbC123.tmp");
	touch(".cam01_0001.tif.zz9XyQ.tmp");
	touch("keep.tmp");                 /* not hidden */
	touch(".hidden");                  /* not a temp */
	touch(".short.png.AbC12.tmp");     /* 5 random chars: not ours */
	touch(".bad.png.Ab-123.tmp");      /* '-' is never in mkostemp's alphabet */
	touch("shot.png");
	char d[512];
	path_in(d, sizeof(d), ".dir.png.AbC123.tmp");
	assert_int_equal(mkdir(d, 0755), 0); /* a folder: never removed */
	/* a real leftover from an interrupted write */
	char p[512];
	path_in(p, sizeof(p), "crash.png");
	struct pr_atomic_file af;
	struct pr_error err = { 0 };
	assert_int_equal(pr_atomic_open(&af, p, 0, &err), 0);
	close(af.fd);
	free(af.final_path);
	free(af.tmp_path); /* "crash": forget it without unlinking */

	assert_int_equal(count_entries(tmpdir), 9);
	assert_int_equal(pr_atomic_sweep(tmpdir), 3);
	assert_int_equal(count_entries(tmpdir), 6);
	assert_int_equal(pr_atomic_sweep(tmpdir), 0);
	char k[512];
	path_in(k, sizeof(k), "keep.tmp");
	assert_int_equal(access(k, F_OK), 0);
	path_in(k, sizeof(k), ".short.png.AbC12.tmp");
	assert_int_equal(access(k, F_OK), 0);

	char missing[512];
	path_in(missing, sizeof(missing), "nope");
	assert_int_equal(pr_atomic_sweep(missing), PR_ENOENT);
}

static void test_large_write(void **state)
{
	(void)state;
	size_t n = 8u << 20;
	uint8_t *data = malloc(n);
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 24);
	char p[512];
	path_in(p, sizeof(p), "big.bin");
	struct pr_error err = { 0 };
	assert_int_equal(pr_atomic_write(p, data, n, &err), 0);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal((size_t)st.st_size, n);
	FILE *f = fopen(p, "rb");
	uint8_t *back = malloc(n);
	assert_int_equal(fread(back, 1, n, f), n);
	fclose(f);
	assert_memory_equal(back, data, n);
	free(back);
	free(data);
}

int main(void)
{
	umask(022);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_creates_file_with_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_final_name_untouched_until_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_keeps_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_folder_fails_clearly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_folder_fails_clearly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_failure_removes_temp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_naming_folder_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_removes_only_stale_temps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_write, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
