/* photorig drivers: serial port setup and line I/O (see serial_port.h). */
#define _GNU_SOURCE
#include "serial_port.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const struct {
	int baud;
	speed_t speed;
} baud_table[] = {
	{ 1200, B1200 },     { 2400, B2400 },     { 4800, B4800 },     { 9600, B9600 },
	{ 19200, B19200 },   { 38400, B38400 },   { 57600, B57600 },   { 115200, B115200 },
	{ 230400, B230400 }, { 460800, B460800 }, { 500000, B500000 }, { 921600, B921600 },
	{ 1000000, B1000000 }, { 2000000, B2000000 }, { 4000000, B4000000 },
};

static int baud_speed(int baud, speed_t *out)
{
	for (size_t i = 0; i < sizeof(baud_table) / sizeof(baud_table[0]); i++)
		if (baud_table[i].baud == baud) {
			*out = baud_table[i].speed;
			return 0;
		}
	return PR_EINVAL;
}

int serial_baud_supported(int baud)
{
	speed_t s;
	return baud_speed(baud, &s) == 0;
}

int64_t serial_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t serial_deadline(uint32_t ms)
{
	return serial_now_ns() + (int64_t)ms * 1000000;
}

void serial_sleep_until(int64_t deadline_ns)
{
	struct timespec t = { .tv_sec = deadline_ns / 1000000000,
			      .tv_nsec = deadline_ns % 1000000000 };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

/* Milliseconds left until deadline, rounded up so that poll() never wakes
 * a fraction of a millisecond early and spins; 0 when it has passed. */
static int ms_left(int64_t deadline_ns)
{
	int64_t left = deadline_ns - serial_now_ns();
	if (left <= 0)
		return 0;
	int64_t ms = (left + 999999) / 1000000;
	return ms > 3600000 ? 3600000 : (int)ms;
}

int serial_port_open(struct serial_port *sp, const char *device, int baud, struct pr_error *err)
{
	memset(sp, 0, sizeof(*sp));
	sp->fd = -1;
	snprintf(sp->name, sizeof(sp->name), "%s", device ? device : "");
	speed_t speed;
	if (!device || !device[0])
		return pr_error_set(err, PR_EINVAL, "no serial device configured");
	if (baud_speed(baud, &speed))
		return pr_error_set(err, PR_EINVAL, "%s: baud rate %d is not supported", device, baud);
	int fd = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		return pr_error_set(err, pr_error_from_errno(e), "%s: cannot open: %s%s", device,
				    strerror(e),
				    e == EACCES ? " (is the daemon's user in the dialout group?)" : "");
	}
	struct termios tio;
	if (tcgetattr(fd, &tio)) {
		int e = errno;
		close(fd);
		return pr_error_set(err, PR_EIO, "%s: not a serial port: %s", device, strerror(e));
	}
	/* Raw: no line editing, echo, CR/LF translation or signals; 8N1, no
	 * hardware or software flow control. VMIN 1 with O_NONBLOCK: read()
	 * returns what is there or EAGAIN (with VMIN 0 a tty says 0, which
	 * would look like end of file). */
	cfmakeraw(&tio);
	tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
	tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	if (tcsetattr(fd, TCSANOW, &tio)) {
		int e = errno;
		close(fd);
		return pr_error_set(err, PR_EIO, "%s: cannot set %d 8N1: %s", device, baud, strerror(e));
	}
	tcflush(fd, TCIOFLUSH);
	sp->fd = fd;
	return 0;
}

void serial_port_close(struct serial_port *sp)
{
	if (!sp)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	sp->len = 0;
	sp->discarding = 0;
}

static int gone(struct serial_port *sp, int e, struct pr_error *err)
{
	return pr_error_set(err, SERIAL_EGONE, "%s: device went away: %s", sp->name,
			    e ? strerror(e) : "end of file");
}

int serial_port_write(struct serial_port *sp, const void *buf, size_t len, int64_t deadline_ns,
		      struct pr_error *err)
{
	const uint8_t *p = buf;
	if (sp->fd < 0)
		return pr_error_set(err, SERIAL_EGONE, "%s: port is not open", sp->name);
	/* Bounded: every pass either writes something or waits in poll() for
	 * the time left, and the loop ends at the deadline. */
	while (len > 0) {
		ssize_t n = write(sp->fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			int e = errno;
			if (e == EIO || e == ENXIO || e == ENODEV)
				return gone(sp, e, err);
			return pr_error_set(err, PR_EIO, "%s: write failed: %s", sp->name, strerror(e));
		}
		int ms = ms_left(deadline_ns);
		if (ms == 0)
			return pr_error_set(err, SERIAL_ETIMEOUT, "%s: write timed out (%zu bytes unsent)",
					    sp->name, len);
		struct pollfd pfd = { .fd = sp->fd, .events = POLLOUT };
		int r = poll(&pfd, 1, ms);
		if (r < 0 && errno != EINTR)
			return pr_error_set(err, PR_EIO, "%s: poll: %s", sp->name, strerror(errno));
		if (r > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pfd.revents & POLLOUT))
			return gone(sp, 0, err);
	}
	return 0;
}

int serial_port_write_str(struct serial_port *sp, const char *s, int64_t deadline_ns,
			  struct pr_error *err)
{
	return serial_port_write(sp, s, strlen(s), deadline_ns, err);
}

/* A complete line in the buffer: copy it out (sanitised and cut) and drop
 * it with its terminator. Returns the length, or -1 when there is none yet.
 * Empty lines are consumed and skipped. */
static int take_line(struct serial_port *sp, char *line, size_t cap)
{
	for (;;) {
		size_t end = 0;
		while (end < sp->len && sp->buf[end] != '\r' && sp->buf[end] != '\n')
			end++;
		if (end == sp->len) {
			/* No terminator. A full buffer is an overlong line:
			 * keep nothing of it and skip to its end. */
			if (sp->len == sizeof(sp->buf)) {
				sp->len = 0;
				sp->discarding = 1;
			}
			return -1;
		}
		size_t skip = end + 1;
		if (sp->discarding) {
			sp->discarding = 0;
			end = 0; /* the tail of an overlong line is not a line */
		}
		size_t n = end < cap - 1 ? end : cap - 1;
		if (n > SERIAL_LINE_MAX - 1)
			n = SERIAL_LINE_MAX - 1;
		for (size_t i = 0; i < n; i++) {
			uint8_t c = sp->buf[i];
			line[i] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?';
		}
		line[n] = 0;
		memmove(sp->buf, sp->buf + skip, sp->len - skip);
		sp->len -= skip;
		if (end > 0)
			return (int)n;
	}
}

int serial_port_read_line(struct serial_port *sp, char *line, size_t cap, int64_t deadline_ns,
			  struct pr_error *err)
{
	if (cap == 0)
		return pr_error_set(err, PR_EINVAL, "%s: no room for a line", sp->name);
	line[0] = 0;
	if (sp->fd < 0)
		return pr_error_set(err, SERIAL_EGONE, "%s: port is not open", sp->name);
	int hup = 0;
	for (;;) {
		int n = take_line(sp, line, cap);
		if (n >= 0)
			return n;
		ssize_t r = read(sp->fd, sp->buf + sp->len, sizeof(sp->buf) - sp->len);
		if (r > 0) {
			sp->len += (size_t)r;
			continue;
		}
		if (r == 0)
			return gone(sp, 0, err);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			int e = errno;
			if (e == EIO || e == ENXIO || e == ENODEV)
				return gone(sp, e, err);
			return pr_error_set(err, PR_EIO, "%s: read failed: %s", sp->name, strerror(e));
		}
		if (hup) /* hung up and nothing to read: never spin on it */
			return gone(sp, 0, err);
		int ms = ms_left(deadline_ns);
		if (ms == 0)
			return pr_error_set(err, SERIAL_ETIMEOUT, "%s: no reply in time", sp->name);
		struct pollfd pfd = { .fd = sp->fd, .events = POLLIN };
		int pr = poll(&pfd, 1, ms);
		if (pr < 0 && errno != EINTR)
			return pr_error_set(err, PR_EIO, "%s: poll: %s", sp->name, strerror(errno));
		/* POLLHUP without data: the next read() says EOF or EIO, or
		 * EAGAIN, which then means gone too. */
		if (pr > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pfd.revents & POLLIN))
			hup = 1;
	}
}

void serial_port_discard_input(struct serial_port *sp)
{
	if (sp->fd < 0)
		return;
	tcflush(sp->fd, TCIFLUSH);
	/* tcflush does not reach bytes a pty already moved to our side. */
	uint8_t junk[256];
	for (int i = 0; i < 64 && read(sp->fd, junk, sizeof(junk)) > 0; i++)
		;
	sp->len = 0;
	sp->discarding = 0;
}
