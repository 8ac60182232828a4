/* photorig drivers, v4l2: the capture devices attached, for `photorig
 * detect` (see cam_detect.h). Only QUERYCAP is asked: the format, the
 * controls and the stream are left as they are. */
#define _GNU_SOURCE
#include "cam_detect.h"
#include "v4l2_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int node_number(const char *name)
{
	char *end;
	if (strncmp(name, "video", 5))
		return -1;
	long n = strtol(name + 5, &end, 10);
	return end == name + 5 || *end || n < 0 || n > 4095 ? -1 : (int)n;
}

static int by_number(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int cam_detect_v4l2(const char *sysfs_root, const char *dev_root, struct cam_found_list *out,
		    struct pr_error *err)
{
	const char *dev = dev_root ? dev_root : "/dev";
	DIR *d = opendir(dev);
	if (!d)
		return pr_error_set(err, PR_EIO, "cannot list %s: %s", dev, strerror(errno));
	int nums[256], n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		int k = node_number(e->d_name);
		if (k >= 0)
			nums[n++] = k;
	}
	closedir(d);
	qsort(nums, (size_t)n, sizeof(nums[0]), by_number); /* not readdir's order */
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/video%d", dev, nums[i]);
		int fd = v4l2_open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		struct v4l2_capability cap;
		memset(&cap, 0, sizeof(cap));
		int ok = fd >= 0 && v4l2_ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0;
		int e2 = errno;
		if (fd >= 0)
			v4l2_close(fd);
		uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps
									 : cap.capabilities;
		/* a UVC camera's second node is metadata, not a camera */
		if (ok && (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING)))
			continue;
		struct cam_found *f = cam_found_add(out, "v4l2");
		if (!f)
			return pr_error_set(err, PR_ENOMEM, "out of memory");
		snprintf(f->port, sizeof(f->port), "%.*s", (int)sizeof(f->port) - 1, path);
		if (!ok) {
			snprintf(f->error, sizeof(f->error), "cannot open %.100s: %.80s%s", path, strerror(e2),
				 e2 == EACCES ? " (add yourself to the video group)" : "");
			continue;
		}
		snprintf(f->model, sizeof(f->model), "%.32s", (const char *)cap.card);
		v4d_serial_of(sysfs_root, path, f->serial, sizeof(f->serial));
	}
	return 0;
}
