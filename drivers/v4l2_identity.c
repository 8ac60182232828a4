/* photorig drivers: which V4L2 node is which camera.
 *
 * /dev/videoN numbers follow plug order, so a rig binds its positions by
 * the USB serial number: sysfs links each node to its USB interface
 * (class/video4linux/videoN/device), whose parent USB device has the
 * `serial` attribute. A camera that is unplugged and comes back as another
 * videoN is found again by the same walk. UVC cameras also create a
 * metadata node for the same interface; its `index` is not 0, so it is
 * skipped. The roots are parameters so tests can use a fake tree. */
#define _GNU_SOURCE
#include "v4l2_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* First line of a small sysfs attribute, trimmed; "" if unreadable. */
static void read_attr(const char *path, char *out, size_t size)
{
	out[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(out, (int)size, f))
		out[0] = '\0';
	fclose(f);
	size_t n = strlen(out);
	while (n && isspace((unsigned char)out[n - 1]))
		out[--n] = '\0';
	/* Serials end up in messages and manifests: keep them printable. */
	for (char *c = out; *c; c++)
		if (!isprint((unsigned char)*c))
			*c = '?';
}

/* The serial of node `video` (e.g. "video3"): walk up from its device
 * (the USB interface) to the first directory with a `serial`. */
static void serial_of_node(const char *sysfs, const char *video, char *serial, size_t size)
{
	serial[0] = '\0';
	char link[PATH_MAX];
	if (snprintf(link, sizeof(link), "%s/class/video4linux/%s/device", sysfs, video) >=
	    (int)sizeof(link))
		return;
	char *dir = realpath(link, NULL);
	if (!dir)
		return;
	char root[PATH_MAX];
	if (!realpath(sysfs, root))
		snprintf(root, sizeof(root), "%s", sysfs);
	size_t rootlen = strlen(root);
	/* A USB interface sits one level below its device; allow a few more
	 * for bridges and hubs, and never leave the sysfs tree. */
	for (int depth = 0; depth < 6; depth++) {
		char attr[PATH_MAX + 8];
		snprintf(attr, sizeof(attr), "%s/serial", dir);
		read_attr(attr, serial, size);
		if (serial[0])
			break;
		char *slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) <= rootlen)
			break;
		*slash = '\0';
	}
	free(dir);
}

void v4d_serial_of(const char *sysfs_root, const char *devpath, char *serial, size_t size)
{
	serial[0] = '\0';
	char *real = realpath(devpath, NULL); /* /dev/v4l/by-id/... -> /dev/videoN */
	const char *base = strrchr(real ? real : devpath, '/');
	base = base ? base + 1 : (real ? real : devpath);
	if (!strncmp(base, "video", 5))
		serial_of_node(sysfs_root ? sysfs_root : "/sys", base, serial, size);
	free(real);
}

/* Capture nodes have index 0 (or no index attribute on old kernels). */
static int is_capture_node(const char *sysfs, const char *video)
{
	char path[PATH_MAX], idx[16];
	snprintf(path, sizeof(path), "%s/class/video4linux/%s/index", sysfs, video);
	read_attr(path, idx, sizeof(idx));
	return !idx[0] || !strcmp(idx, "0");
}

int cam_v4l2_find_serial(const char *sysfs_root, const char *dev_root, const char *serial,
			 char *path, size_t size, struct pr_error *err)
{
	const char *sysfs = sysfs_root ? sysfs_root : "/sys";
	const char *dev = dev_root ? dev_root : "/dev";
	char dirpath[PATH_MAX];
	snprintf(dirpath, sizeof(dirpath), "%s/class/video4linux", sysfs);
	DIR *d = opendir(dirpath);
	if (!d)
		return pr_error_set(err, CAM_EGONE, "no V4L2 camera with serial %s: no video "
				    "devices (%s)", serial, dirpath);
	/* Lowest node number wins, so the choice does not depend on readdir order. */
	long best = -1;
	char seen[256] = "";
	size_t nseen = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		if (strncmp(e->d_name, "video", 5))
			continue;
		long n = strtol(e->d_name + 5, &end, 10);
		if (end == e->d_name + 5 || *end || n < 0 || !is_capture_node(sysfs, e->d_name))
			continue;
		char s[64];
		serial_of_node(sysfs, e->d_name, s, sizeof(s));
		if (s[0] && nseen < sizeof(seen))
			nseen += (size_t)snprintf(seen + nseen, sizeof(seen) - nseen, "%s%s=%s",
						  nseen ? ", " : "", e->d_name, s);
		if (s[0] && !strcmp(s, serial) && (best < 0 || n < best))
			best = n;
	}
	closedir(d);
	if (best < 0)
		return pr_error_set(err, CAM_EGONE, "no V4L2 camera with serial %s is connected "
				    "(found: %s)", serial, nseen ? seen : "none with a serial");
	if (snprintf(path, size, "%s/video%ld", dev, best) >= (int)size)
		return pr_error_set(err, PR_EINVAL, "device path too long");
	return 0;
}
