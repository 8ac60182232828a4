/* photorig drivers, gphoto2: the USB side of recovery.
 *
 * A camera whose PTP session hangs often answers again after a USB port
 * reset, which is what unplugging would do, without anyone walking to the
 * rig. libgphoto2 has no reset call, so libusb does it, behind a one-entry
 * ops table that tests replace (there is no USB device in CI).
 *
 * "Could not claim the USB device" means another process has the device
 * node open, nearly always gvfs's gphoto2 volume monitor, which grabs every
 * camera the desktop sees. Saying which process, and how to stop it, turns
 * a mystery into one command. */
#define _GNU_SOURCE
#include "gp_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libusb.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int libusb_reset(int bus, int dev)
{
	libusb_context *lc = NULL;
	if (libusb_init(&lc) < 0)
		return -EIO;
	libusb_device **list = NULL;
	ssize_t n = libusb_get_device_list(lc, &list);
	int rc = -ENODEV;
	for (ssize_t i = 0; i < n; i++) {
		if (libusb_get_bus_number(list[i]) != bus || libusb_get_device_address(list[i]) != dev)
			continue;
		libusb_device_handle *dh = NULL;
		int r = libusb_open(list[i], &dh);
		if (r == 0) {
			r = libusb_reset_device(dh);
			libusb_close(dh);
		}
		/* NOT_FOUND after a reset: the device re-enumerated, which is
		 * what a reset is for. */
		rc = r == 0 || r == LIBUSB_ERROR_NOT_FOUND ? 0
		   : r == LIBUSB_ERROR_ACCESS ? -EACCES
		   : r == LIBUSB_ERROR_NO_DEVICE ? -ENODEV : -EIO;
		break;
	}
	if (n >= 0)
		libusb_free_device_list(list, 1);
	libusb_exit(lc);
	return rc;
}

const struct gp_usb_ops gp_usb_libusb_ops = { .reset = libusb_reset };
static const struct gp_usb_ops *usb_ops = &gp_usb_libusb_ops;

void gp_usb_set_ops(const struct gp_usb_ops *ops)
{
	usb_ops = ops ? ops : &gp_usb_libusb_ops;
}

int gp_usb_parse_port(const char *port, int *bus, int *dev)
{
	if (!port || strncmp(port, "usb:", 4))
		return PR_EINVAL;
	char *end;
	long b = strtol(port + 4, &end, 10);
	if (end == port + 4 || *end != ',' || b < 1 || b > 999)
		return PR_EINVAL;
	const char *d0 = end + 1;
	long d = strtol(d0, &end, 10);
	if (end == d0 || *end || d < 1 || d > 999)
		return PR_EINVAL;
	*bus = (int)b;
	*dev = (int)d;
	return 0;
}

int gp_usb_reset_port(const char *name, const char *port, struct pr_error *err)
{
	int bus, dev;
	if (gp_usb_parse_port(port, &bus, &dev) < 0)
		return pr_error_set(err, PR_EUNSUPPORTED, "camera %s: %s is not a USB camera: it "
				    "cannot be reset, only re-opened", name, port && *port ? port : "?");
	int r = usb_ops->reset(bus, dev);
	if (r == 0)
		return 0;
	if (r == -ENODEV)
		return pr_error_set(err, CAM_EGONE, "camera %s: USB device %03d/%03d is gone: re-open "
				    "it by serial once it is back", name, bus, dev);
	if (r == -EACCES)
		return pr_error_set(err, PR_EACCES, "camera %s: no permission to reset USB device "
				    "/dev/bus/usb/%03d/%03d (see the udev rules in systemd/)", name,
				    bus, dev);
	return pr_error_set(err, PR_EIO, "camera %s: USB reset of %03d/%03d failed: %s", name, bus,
			    dev, strerror(r < 0 ? -r : r));
}

static void process_name(pid_t pid, char *buf, size_t bufsz)
{
	char path[64], cmd[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		if (n > 0) {
			cmd[n] = '\0'; /* argv[0] ends at the first NUL */
			const char *base = strrchr(cmd, '/');
			snprintf(buf, bufsz, "%.*s", (int)(bufsz > 1 ? bufsz - 1 : 0), base ? base + 1 : cmd);
		}
	}
	if (buf[0])
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	FILE *fp = fopen(path, "re");
	if (fp) {
		if (fgets(buf, (int)bufsz, fp))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(fp);
	}
	if (!buf[0])
		snprintf(buf, bufsz, "?");
}

int gp_usb_find_holders(const char *path, struct gp_holder *out, int max)
{
	DIR *proc = opendir("/proc");
	if (!proc)
		return -errno;
	int found = 0;
	pid_t self = getpid();
	struct dirent *de;
	while ((de = readdir(proc))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		char fddir[64];
		snprintf(fddir, sizeof(fddir), "/proc/%ld/fd", pid);
		DIR *fds = opendir(fddir); /* other users' processes: EACCES unless root */
		if (!fds)
			continue;
		struct dirent *fe;
		int holds = 0;
		while (!holds && (fe = readdir(fds))) {
			char link[sizeof(fddir) + 300], target[PATH_MAX];
			snprintf(link, sizeof(link), "%s/%s", fddir, fe->d_name);
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			holds = !strcmp(target, path);
		}
		closedir(fds);
		if (!holds)
			continue;
		if (found < max) {
			out[found].pid = (pid_t)pid;
			process_name((pid_t)pid, out[found].name, sizeof(out[found].name));
		}
		found++;
	}
	closedir(proc);
	return found;
}

void gp_usb_held_message(const char *path, char *buf, size_t bufsz)
{
	struct gp_holder who[4];
	int n = path && *path ? gp_usb_find_holders(path, who, 4) : 0;
	if (n <= 0) {
		snprintf(buf, bufsz, "another process has it open (none visible in /proc: run "
			 "photorigd as root to see which), often gvfs-gphoto2-volume-monitor: "
			 "`systemctl --user stop gvfs-gphoto2-volume-monitor`");
		return;
	}
	int gvfs = 0, gphoto = 0;
	size_t used = (size_t)snprintf(buf, bufsz, "%s is held by", path);
	for (int i = 0; i < n && i < 4 && used < bufsz; i++) {
		used += (size_t)snprintf(buf + used, bufsz - used, "%s pid %d (%s)", i ? "," : "",
					 (int)who[i].pid, who[i].name);
		gvfs |= !strncmp(who[i].name, "gvfs", 4);
		gphoto |= !!strstr(who[i].name, "gphoto2") && strncmp(who[i].name, "gvfs", 4);
	}
	if (used >= bufsz)
		return;
	if (gvfs)
		snprintf(buf + used, bufsz - used, ": release it with `systemctl --user stop "
			 "gvfs-gphoto2-volume-monitor` (and `systemctl --user mask` it), or install "
			 "photorig's udev rules (systemd/60-photorig.rules) so gvfs leaves the rig's "
			 "cameras alone, then unplug and replug the camera");
	else if (gphoto)
		snprintf(buf + used, bufsz - used, ": another gphoto2 program is using the camera; "
			 "quit it");
	else
		snprintf(buf + used, bufsz - used, ": stop that process (kill %d) to release it",
			 (int)who[0].pid);
}
