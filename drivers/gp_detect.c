/* photorig drivers, gphoto2: finding a camera and binding it by serial.
 *
 * libgphoto2's abilities and port lists, and the camlib/iolib loading that
 * gp_camera_init and gp_camera_exit do through libltdl, are shared state
 * with no locking, so all of it runs under one mutex. Opening a camera is
 * rare (attach, re-attach), so serialising whole opens costs little and
 * makes the bind-by-serial search deterministic: two positions never probe
 * the same port at once, and a port bound to one position is never probed
 * for another (a PTP/IP camera serves one client; a probe would knock it
 * off or fail).
 *
 * Binding: with a serial, every candidate port is opened and asked for its
 * serial until one matches: where that serial was last seen, the
 * position's own port, every PTP/IP port the daemon told us about
 * (gpd_add_candidate: all configured ports), and every detected USB
 * camera. So a re-plugged camera, or PTP/IP cameras whose addresses were
 * swapped, return to their positions.
 *
 * Every failed gp_camera_init on PTP/IP leaks about 65 KB inside libgphoto2
 * 2.5.30, so a PTP/IP port is first tested with a plain TCP connect: a
 * camera that is off costs a refused connect, not a leak. Every
 * gp_abilities_list_detect leaks about 150 KB (its usb iolib lists the USB
 * devices once per camera model it knows, and keeps each list), and a
 * camera that is away is searched for every few seconds, so what it
 * detected is kept for as long as the USB bus holds the same devices. */
#define _GNU_SOURCE
#include "gp_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PTPIP_DEFAULT_PORT 15740
#define PROBE_TIMEOUT_MS 1000
#define MAX_PORTS 64
#define MAX_TRY 96

static pthread_mutex_t gpd_mutex = PTHREAD_MUTEX_INITIALIZER;
static GPContext *gctx;
static CameraAbilitiesList *abilities;
static GPPortInfoList *portinfo;

/* Registry, all under gpd_mutex. */
static char candidates[MAX_PORTS][128];
static int ncandidates;
static struct { char port[128]; char name[64]; } held[MAX_PORTS];
static struct { char serial[64]; char port[128]; } seen[MAX_PORTS];
static int nseen;
/* The cameras gp_abilities_list_detect found, and the USB bus they were
 * found on (usb_bus_signature; 0: not cached). */
static CameraList *detected;
static uint64_t detected_bus;

void gpd_lock(void)
{
	pthread_mutex_lock(&gpd_mutex);
}

void gpd_unlock(void)
{
	pthread_mutex_unlock(&gpd_mutex);
}

/* The devices on the USB bus now, as a number that changes when one is
 * plugged, unplugged or re-enumerated (sysfs: each device's bus and device
 * number); 1 for a machine with no USB at all, 0 when sysfs cannot be
 * read. */
static uint64_t usb_bus_signature(void)
{
	DIR *dir = opendir("/sys/bus/usb/devices");
	if (!dir)
		return errno == ENOENT ? 1 : 0;
	uint64_t sig = 2;
	struct dirent *e;
	while ((e = readdir(dir))) {
		char path[300], num[2][16] = { "", "" };
		const char *files[2] = { "busnum", "devnum" };
		if (e->d_name[0] == '.' || strchr(e->d_name, ':'))
			continue; /* an interface, not a device */
		for (int i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "/sys/bus/usb/devices/%.200s/%s", e->d_name,
				 files[i]);
			FILE *f = fopen(path, "re");
			if (f) {
				if (!fgets(num[i], sizeof(num[i]), f))
					num[i][0] = '\0';
				fclose(f);
			}
		}
		/* summed, so the order readdir gives does not matter */
		uint64_t h = 1469598103934665603ULL;
		for (const char *s = num[0]; *s; s++)
			h = (h ^ (uint8_t)*s) * 1099511628211ULL;
		h = (h ^ '/') * 1099511628211ULL;
		for (const char *s = num[1]; *s; s++)
			h = (h ^ (uint8_t)*s) * 1099511628211ULL;
		sig += h | 1;
	}
	closedir(dir);
	return sig ? sig : 1;
}

/* The cameras libgphoto2 detects (lock held; NULL when it cannot tell):
 * detected again only when the USB bus changed since. */
static CameraList *detect_cameras(void)
{
	uint64_t bus = usb_bus_signature();
	if (detected && bus && bus == detected_bus)
		return detected;
	if (detected)
		gp_list_free(detected);
	detected = NULL;
	detected_bus = 0;
	if (gp_list_new(&detected) < GP_OK)
		return NULL;
	if (gp_abilities_list_detect(abilities, portinfo, detected, gctx) < GP_OK) {
		gp_list_free(detected);
		detected = NULL;
		return NULL;
	}
	detected_bus = bus;
	return detected;
}

static int load_lists(struct pr_error *err, const char *name)
{
	gpd_protect_fd0();
	/* A dropped PTP/IP link makes libgphoto2 write to a dead socket; the
	 * daemon ignores SIGPIPE, but a program that only links the driver
	 * must not die of it either. */
	struct sigaction old;
	if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
	if (!gctx && !(gctx = gp_context_new()))
		return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", name);
	int r = GP_OK;
	if (!abilities) {
		r = gp_abilities_list_new(&abilities);
		if (r >= GP_OK)
			r = gp_abilities_list_load(abilities, gctx);
		if (r < GP_OK && abilities) {
			gp_abilities_list_free(abilities);
			abilities = NULL;
		}
	}
	/* The port list is re-read on each open: a camera plugged in since the
	 * last one gets a new usb:BUS,DEV entry. */
	if (r >= GP_OK) {
		if (portinfo)
			gp_port_info_list_free(portinfo);
		portinfo = NULL;
		r = gp_port_info_list_new(&portinfo);
		if (r >= GP_OK)
			r = gp_port_info_list_load(portinfo);
		if (r < GP_OK && portinfo) {
			gp_port_info_list_free(portinfo);
			portinfo = NULL;
		}
	}
	if (r < GP_OK)
		return pr_error_set(err, PR_EIO, "camera %s: cannot load libgphoto2's driver lists: %s",
				    name, gp_result_as_string(r));
	return 0;
}

int gpd_parse_ptpip(const char *port, char *host, size_t hostsz, int *cmd_port)
{
	if (strncmp(port, "ptpip:", 6))
		return PR_EINVAL;
	const char *h = port + 6;
	size_t n = strcspn(h, ":");
	if (n == 0 || n >= hostsz)
		return PR_EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	*cmd_port = PTPIP_DEFAULT_PORT;
	if (h[n] == ':') {
		char *end;
		long v = strtol(h + n + 1, &end, 10);
		if (v < 1 || v > 65535 || (*end && *end != ':'))
			return PR_EINVAL;
		*cmd_port = (int)v;
	}
	return 0;
}

int gpd_tcp_probe(const char *host, int port, int timeout_ms)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char service[16];
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &ai) != 0) {
		hints.ai_flags = AI_NUMERICSERV; /* a host name: resolve it */
		if (getaddrinfo(host, service, &hints, &ai) != 0)
			return -EHOSTUNREACH;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc = fd < 0 ? -errno : 0;
	if (!rc && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		rc = errno == EINPROGRESS ? 0 : -errno;
		if (!rc) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			int pr;
			while ((pr = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
				;
			int soerr = 0;
			socklen_t len = sizeof(soerr);
			if (pr == 0)
				rc = -ETIMEDOUT;
			else if (pr < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
				rc = -errno;
			else
				rc = -soerr;
		}
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

/* "usb:1,5" -> "usb:001,005" (libgphoto2's spelling); ptpip as given;
 * "" and "none" -> "". */
static int normalise_port(const char *in, char *out, size_t outsz)
{
	out[0] = '\0';
	if (!in || !*in || !strcmp(in, "none"))
		return 0;
	int bus, dev;
	if (!strncmp(in, "usb:", 4)) {
		if (gp_usb_parse_port(in, &bus, &dev) < 0)
			return PR_EINVAL;
		snprintf(out, outsz, "usb:%03d,%03d", bus, dev);
		return 0;
	}
	char host[96];
	int p;
	if (gpd_parse_ptpip(in, host, sizeof(host), &p) < 0 || strlen(in) >= outsz)
		return PR_EINVAL;
	snprintf(out, outsz, "%s", in);
	return 0;
}

static const char *held_by(const char *port)
{
	for (int i = 0; i < MAX_PORTS; i++)
		if (held[i].port[0] && !strcmp(held[i].port, port))
			return held[i].name;
	return NULL;
}

static void hold(const struct cam_handle *h)
{
	for (int i = 0; i < MAX_PORTS; i++)
		if (!held[i].port[0]) {
			snprintf(held[i].port, sizeof(held[i].port), "%s", h->port);
			snprintf(held[i].name, sizeof(held[i].name), "%s", h->name);
			return;
		}
}

static void remember_seen(const char *serial, const char *port)
{
	int slot = -1;
	for (int i = 0; i < nseen; i++)
		if (!strcmp(seen[i].serial, serial) || !strcmp(seen[i].port, port))
			seen[i].serial[0] = seen[i].port[0] = '\0';
	for (int i = 0; i < nseen && slot < 0; i++)
		if (!seen[i].serial[0])
			slot = i;
	if (slot < 0)
		slot = nseen < MAX_PORTS ? nseen++ : 0;
	snprintf(seen[slot].serial, sizeof(seen[slot].serial), "%s", serial);
	snprintf(seen[slot].port, sizeof(seen[slot].port), "%s", port);
}

int gpd_add_candidate(const char *port)
{
	char norm[128];
	if (!port || strncmp(port, "ptpip:", 6) || normalise_port(port, norm, sizeof(norm)) < 0)
		return PR_EINVAL;
	int rc = 0;
	gpd_lock();
	int i;
	for (i = 0; i < ncandidates && strcmp(candidates[i], norm); i++)
		;
	if (i == ncandidates) {
		if (ncandidates < MAX_PORTS)
			snprintf(candidates[ncandidates++], sizeof(candidates[0]), "%s", norm);
		else
			rc = PR_ENOSPC;
	}
	gpd_unlock();
	return rc;
}

void gpd_forget_candidates(void)
{
	gpd_lock();
	ncandidates = 0;
	nseen = 0;
	gpd_unlock();
}

/* Serial and model through the config widgets; the summary as fallback. */
static void read_identity(struct cam_handle *h)
{
	h->serial[0] = h->model[0] = '\0';
	if (gpcfg_read(h, "serialnumber", h->serial, sizeof(h->serial)) < GP_OK) {
		CameraText text;
		if (gp_camera_get_summary(h->cam, &text, h->ctx) >= GP_OK) {
			const char *s = strstr(text.text, "Serial Number:");
			if (s) {
				s += strlen("Serial Number:");
				s += strspn(s, " \t");
				size_t n = strcspn(s, "\r\n");
				snprintf(h->serial, sizeof(h->serial), "%.*s", (int)n, s);
			}
		}
	}
	if (gpcfg_read(h, "cameramodel", h->model, sizeof(h->model)) < GP_OK) {
		CameraAbilities a;
		if (gp_camera_get_abilities(h->cam, &a) >= GP_OK)
			snprintf(h->model, sizeof(h->model), "%.63s", a.model);
	}
}

/* Opens the camera at port (lock held). model: the abilities entry, NULL
 * to find it (PTP/IP, or a USB camera's detected model). */
static int open_port(struct cam_handle *h, const char *port, const char *model,
		     struct pr_error *err)
{
	char host[96];
	int tcp_port;
	int is_ptpip = gpd_parse_ptpip(port, host, sizeof(host), &tcp_port) == 0;
	if (is_ptpip) {
		int r = gpd_tcp_probe(host, tcp_port, PROBE_TIMEOUT_MS);
		if (r < 0)
			return pr_error_set(err, CAM_EGONE, "camera %s: no camera answers at %s: %s",
					    h->name, port, strerror(-r));
		model = "PTP/IP Camera";
	}
	CameraList *list = model ? NULL : detect_cameras();
	for (int i = 0; list && i < gp_list_count(list) && !model; i++) {
		const char *m, *v;
		gp_list_get_name(list, i, &m);
		gp_list_get_value(list, i, &v);
		if (v && !strcmp(v, port))
			model = m;
	}
	if (!model)
		return pr_error_set(err, CAM_EGONE, "camera %s: no camera detected at %s", h->name,
				    port);
	int m = gp_abilities_list_lookup_model(abilities, model);
	CameraAbilities a;
	int r = m < GP_OK ? m : gp_abilities_list_get_abilities(abilities, m, &a);
	int p = r < GP_OK ? r : gp_port_info_list_lookup_path(portinfo, port);
	GPPortInfo info;
	if (p < GP_OK) {
		return pr_error_set(err, CAM_EGONE, "camera %s: libgphoto2 knows no %s: %s", h->name,
				    r < GP_OK ? "camera model for it" : "such port",
				    gp_result_as_string(p));
	}
	Camera *cam = NULL;
	r = gp_port_info_list_get_info(portinfo, p, &info);
	if (r >= GP_OK)
		r = gp_camera_new(&cam);
	if (r >= GP_OK)
		r = gp_camera_set_abilities(cam, a);
	if (r >= GP_OK)
		r = gp_camera_set_port_info(cam, info);
	h->gp_msg[0] = '\0';
	double t0 = gpd_now_ms();
	if (r >= GP_OK)
		r = gp_camera_init(cam, h->ctx);
	if (r < GP_OK) {
		if (cam)
			gp_camera_unref(cam);
		gpd_guard_fd0();
		if (r == GP_ERROR_IO_USB_CLAIM) {
			char why[400], node[64] = "";
			int bus, dev;
			if (gp_usb_parse_port(port, &bus, &dev) == 0)
				snprintf(node, sizeof(node), "/dev/bus/usb/%03d/%03d", bus, dev);
			gp_usb_held_message(node, why, sizeof(why));
			return pr_error_set(err, PR_EACCES, "camera %s: could not claim %s: %s", h->name,
					    port, why);
		}
		snprintf(h->port, sizeof(h->port), "%s", port);
		return gpd_fail(h, r, "open", gpd_now_ms() - t0, err);
	}
	h->cam = cam;
	snprintf(h->port, sizeof(h->port), "%s", port);
	h->usb_bus = h->usb_dev = -1;
	gp_usb_parse_port(port, &h->usb_bus, &h->usb_dev);
	h->broken = 0;
	read_identity(h);
	return 0;
}

static void exit_camera(struct cam_handle *h)
{
	if (!h->cam)
		return;
	gp_camera_exit(h->cam, h->ctx);
	gp_camera_unref(h->cam);
	h->cam = NULL;
	gpd_guard_fd0();
}

/* Adds port to the try list unless it is there already or bound elsewhere. */
static void add_try(char (*list)[128], char (*models)[64], int *n, const char *port,
		    const char *model)
{
	if (!port[0] || *n >= MAX_TRY || held_by(port))
		return;
	for (int i = 0; i < *n; i++)
		if (!strcmp(list[i], port))
			return;
	snprintf(list[*n], 128, "%s", port);
	snprintf(models[*n], 64, "%s", model ? model : "");
	(*n)++;
}

/* Detected USB cameras into the try list (lock held). */
static void add_usb(char (*list)[128], char (*models)[64], int *n)
{
	CameraList *cl = detect_cameras();
	for (int i = 0; cl && i < gp_list_count(cl); i++) {
		const char *m, *v;
		if (gp_list_get_name(cl, i, &m) >= GP_OK && gp_list_get_value(cl, i, &v) >= GP_OK &&
		    !strncmp(v, "usb:", 4))
			add_try(list, models, n, v, m);
	}
}

static int search_serial(struct cam_handle *h, const char *want, const char *port,
			 struct pr_error *err)
{
	static char list[MAX_TRY][128], models[MAX_TRY][64]; /* lock held */
	int n = 0;
	for (int i = 0; i < nseen; i++)
		if (!strcmp(seen[i].serial, want))
			add_try(list, models, &n, seen[i].port, NULL);
	add_try(list, models, &n, port, NULL);
	for (int i = 0; i < ncandidates; i++)
		add_try(list, models, &n, candidates[i], NULL);
	add_usb(list, models, &n);
	char found[300] = "";
	size_t used = 0;
	int claim_rc = 0;
	struct pr_error claim = { 0 }, last = { 0 };
	for (int i = 0; i < n; i++) {
		struct pr_error e = { 0 };
		int r = open_port(h, list[i], models[i][0] ? models[i] : NULL, &e);
		if (r == PR_EACCES && !claim_rc) {
			claim_rc = r; /* a camera we cannot see into may be ours: say so */
			claim = e;
		}
		if (r < 0) {
			last = e;
			continue;
		}
		remember_seen(h->serial, h->port);
		if (!strcmp(h->serial, want))
			return 0;
		if (used < sizeof(found))
			used += (size_t)snprintf(found + used, sizeof(found) - used, "%s%s at %s",
						 used ? ", " : "", h->serial[0] ? h->serial : "?", list[i]);
		exit_camera(h);
	}
	h->port[0] = '\0';
	if (claim_rc) {
		*err = claim;
		return claim_rc;
	}
	/* The last failure says why, e.g. "no camera answers at ptpip:...". */
	const char *why = strstr(last.msg, ": ");
	return pr_error_set(err, CAM_EGONE, "camera %s: no camera with serial %s among %d port%s%s%s%s%.200s",
			    h->name, want, n, n == 1 ? "" : "s", used ? "; found " : "", found,
			    why ? "; last" : "", why ? why : "");
}

static int autodetect(struct cam_handle *h, struct pr_error *err)
{
	static char list[MAX_TRY][128], models[MAX_TRY][64]; /* lock held */
	int n = 0;
	add_usb(list, models, &n);
	if (n == 0)
		return pr_error_set(err, CAM_EGONE, "camera %s: no camera detected (give port = "
				    "usb:BUS,DEV or ptpip:ADDRESS for a network camera)", h->name);
	if (n > 1)
		return pr_error_set(err, PR_EINVAL, "camera %s: %d cameras detected (%s, %s%s): give "
				    "each position serial = ... to tell them apart", h->name, n,
				    list[0], list[1], n > 2 ? ", ..." : "");
	return open_port(h, list[0], models[0], err);
}

int gpd_open(struct cam_handle *h, const struct cam_params *p, struct pr_error *err)
{
	char port[128];
	if (normalise_port(p->port, port, sizeof(port)) < 0)
		return pr_error_set(err, PR_EINVAL, "camera %s: port '%s' is not usb:BUS,DEV or "
				    "ptpip:HOST[:PORT[:EVENTPORT]]", h->name, p->port);
	if (port[0] && !strncmp(port, "ptpip:", 6))
		gpd_add_candidate(port);
	gpd_lock();
	int rc = load_lists(err, h->name);
	const char *other = port[0] ? held_by(port) : NULL;
	if (!rc && p->serial && p->serial[0]) {
		rc = search_serial(h, p->serial, port, err);
	} else if (!rc && other) {
		rc = pr_error_set(err, PR_EINVAL, "camera %s: %s is already camera %s", h->name, port,
				  other);
	} else if (!rc && port[0]) {
		rc = open_port(h, port, NULL, err);
		if (!rc)
			remember_seen(h->serial, h->port);
	} else if (!rc) {
		rc = autodetect(h, err);
	}
	if (!rc)
		hold(h);
	gpd_unlock();
	return rc;
}

/* Out of line: GCC 12 with the sanitizers inlines the comparison into
 * gpd_close_camera and then warns (wrongly) that h->port has size 0. */
static __attribute__((noinline)) int same(const char *a, const char *b)
{
	return !strcmp(a, b);
}

void gpd_close_camera(struct cam_handle *h)
{
	/* A PTP/IP camera whose session failed may not have noticed the
	 * client is gone, and refuses a new one until it does: give it a
	 * moment before anyone re-opens it (the close of a stalled camera
	 * already cost 2.5 s; this adds little). */
	int settle = h->cam && h->broken && !strncmp(h->port, "ptpip:", 6);
	gpd_lock();
	exit_camera(h);
	for (int i = 0; i < MAX_PORTS; i++)
		if (held[i].port[0] && same(held[i].port, h->port) && same(held[i].name, h->name))
			held[i].port[0] = '\0';
	gpd_unlock();
	if (settle) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}
