/* photorig tests: a fake sysfs tree and /dev for the v4l2 driver test
 * (see v4l2_fixture.h). Failures abort the test through cmocka. */
#define _GNU_SOURCE
#include "v4l2_fixture.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static void writef(const char *path, const char *fmt, ...)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

void v4l2fx_mkdirs(const char *path)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

void v4l2fx_add_node(const char *sysroot, const char *devroot, int node, int usbport,
		     const char *serial)
{
	char usb[300], iface[400], p[500], link[600];
	snprintf(usb, sizeof(usb), "%s/devices/usb1/1-%d", sysroot, usbport);
	snprintf(iface, sizeof(iface), "%s/1-%d:1.0", usb, usbport);
	snprintf(p, sizeof(p), "%s/video4linux/video%d", iface, node);
	v4l2fx_mkdirs(p);
	snprintf(link, sizeof(link), "%s/serial", usb);
	writef(link, "%s\n", serial);
	snprintf(link, sizeof(link), "%s/index", p);
	writef(link, "0\n");
	snprintf(link, sizeof(link), "%s/device", p);
	unlink(link);
	char rel[64];
	snprintf(rel, sizeof(rel), "../../../1-%d:1.0", usbport);
	assert_int_equal(symlink(rel, link), 0);
	snprintf(link, sizeof(link), "%s/class/video4linux", sysroot);
	v4l2fx_mkdirs(link);
	snprintf(link, sizeof(link), "%s/class/video4linux/video%d", sysroot, node);
	unlink(link);
	assert_int_equal(symlink(p, link), 0);
	snprintf(p, sizeof(p), "%s/video%d", devroot, node);
	writef(p, "%s", "");
}

void v4l2fx_remove_node(const char *sysroot, const char *devroot, int node)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/class/video4linux/video%d", sysroot, node);
	unlink(p);
	snprintf(p, sizeof(p), "%s/video%d", devroot, node);
	unlink(p);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

void v4l2fx_rmtree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
