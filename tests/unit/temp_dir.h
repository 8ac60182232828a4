/* Shared by unit tests that write files: one scratch folder per test
 * program, made by the group setup and removed, whatever is in it, by the
 * group teardown. Header-only: each test program is one translation unit. */
#ifndef PHOTORIG_TEST_TEMP_DIR_H
#define PHOTORIG_TEST_TEMP_DIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[256];

/* The folder /tmp/photorig-NAME-XXXXXX; 0 or -1, as cmocka setups return. */
static inline int temp_dir_make(const char *name)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/photorig-%s-XXXXXX", name);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int temp_dir_open_up(const char *path, const struct stat *sb, int flag,
				   struct FTW *ftw)
{
	(void)ftw;
	/* tests make folders they cannot write into: open them up first */
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, (sb->st_mode & 07777) | S_IRWXU);
	return 0;
}

static inline int temp_dir_remove_entry(const char *path, const struct stat *sb, int flag,
					struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

static inline int temp_dir_remove(void)
{
	nftw(tmpdir, temp_dir_open_up, 16, FTW_PHYS);
	return nftw(tmpdir, temp_dir_remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

#endif
