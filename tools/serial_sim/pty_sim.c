/* photorig tools: a serial device simulated on a pty (see pty_sim.h). */
#define _GNU_SOURCE
#include "pty_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct pty_sim {
	int master, slave;        /* slave: our own, kept open */
	int stop_pipe[2];
	char path[64];
	struct pty_sim_ops ops;
	pthread_t thread;
	pthread_mutex_t mu;       /* transcript and mute */
	char *log;
	size_t len, cap;
	int mute;
	int log_fd;
	char line[1024];          /* the line being received */
	size_t linelen;
};

int64_t pty_sim_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void record(struct pty_sim *s, const char *p, size_t n)
{
	pthread_mutex_lock(&s->mu);
	if (s->len + n + 1 > s->cap) {
		size_t cap = (s->len + n + 1) * 2;
		char *nl = realloc(s->log, cap);
		if (!nl) {
			pthread_mutex_unlock(&s->mu);
			return;
		}
		s->log = nl;
		s->cap = cap;
	}
	memcpy(s->log + s->len, p, n);
	s->len += n;
	s->log[s->len] = 0;
	for (size_t off = 0; s->log_fd >= 0 && off < n;) {
		ssize_t w = write(s->log_fd, p + off, n - off);
		if (w <= 0 && errno != EINTR)
			break;
		off += w > 0 ? (size_t)w : 0;
	}
	pthread_mutex_unlock(&s->mu);
}

static void take_bytes(struct pty_sim *s, const char *p, size_t n)
{
	record(s, p, n);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' || p[i] == '\r') {
			s->line[s->linelen] = 0;
			if (s->ops.on_line)
				s->ops.on_line(s, s->line, s->ops.user);
			s->linelen = 0;
		} else if (s->linelen < sizeof(s->line) - 1) {
			s->line[s->linelen++] = p[i];
		}
	}
}

static void *serve(void *arg)
{
	struct pty_sim *s = arg;
	char buf[1025];
	for (;;) {
		struct pollfd pfd[2] = { { .fd = s->master, .events = POLLIN },
					 { .fd = s->stop_pipe[0], .events = POLLIN } };
		if (poll(pfd, 2, 1000) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		ssize_t r = read(s->master, buf, sizeof(buf));
		if (r <= 0) {
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			break;
		}
		/* Packet mode: a leading 0 means data follows; anything else is
		 * a status byte alone. */
		if (buf[0] == TIOCPKT_DATA) {
			take_bytes(s, buf + 1, (size_t)r - 1);
		} else if ((buf[0] & TIOCPKT_FLUSHWRITE) && s->ops.on_open) {
			s->linelen = 0;
			s->ops.on_open(s, s->ops.user);
		}
	}
	return NULL;
}

int pty_sim_start(struct pty_sim **out, const struct pty_sim_ops *ops)
{
	*out = NULL;
	struct pty_sim *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->master = s->slave = s->stop_pipe[0] = s->stop_pipe[1] = s->log_fd = -1;
	s->ops = *ops;
	pthread_mutex_init(&s->mu, NULL);
	int one = 1;
	s->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s->master < 0 || grantpt(s->master) || unlockpt(s->master) ||
	    ptsname_r(s->master, s->path, sizeof(s->path)) || ioctl(s->master, TIOCPKT, &one))
		goto fail;
	s->slave = open(s->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios tio;
	if (s->slave < 0 || tcgetattr(s->slave, &tio))
		goto fail;
	/* Raw from the start: no echo of our replies back to us before the
	 * driver sets its own modes. */
	cfmakeraw(&tio);
	if (tcsetattr(s->slave, TCSANOW, &tio) || pipe2(s->stop_pipe, O_CLOEXEC))
		goto fail;
	if (pthread_create(&s->thread, NULL, serve, s)) {
		errno = EAGAIN;
		goto fail;
	}
	*out = s;
	return 0;
fail:;
	int e = errno ? errno : EIO;
	if (s->master >= 0)
		close(s->master);
	if (s->slave >= 0)
		close(s->slave);
	if (s->stop_pipe[0] >= 0) {
		close(s->stop_pipe[0]);
		close(s->stop_pipe[1]);
	}
	pthread_mutex_destroy(&s->mu);
	free(s);
	return -e;
}

void pty_sim_stop(struct pty_sim **sp)
{
	if (!sp || !*sp)
		return;
	struct pty_sim *s = *sp;
	if (write(s->stop_pipe[1], "x", 1) < 0) {
		/* the thread also ends when the master is closed */
	}
	pthread_join(s->thread, NULL);
	close(s->master);
	close(s->slave);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	pthread_mutex_destroy(&s->mu);
	free(s->log);
	free(s);
	*sp = NULL;
}

const char *pty_sim_path(const struct pty_sim *s)
{
	return s->path;
}

void pty_sim_write(struct pty_sim *s, const void *buf, size_t len)
{
	const char *p = buf;
	pthread_mutex_lock(&s->mu);
	int mute = s->mute;
	pthread_mutex_unlock(&s->mu);
	if (mute)
		return;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(s->master, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

void pty_sim_send(struct pty_sim *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	pty_sim_write(s, buf, (size_t)n);
}

void pty_sim_set_log_fd(struct pty_sim *s, int fd)
{
	pthread_mutex_lock(&s->mu);
	s->log_fd = fd;
	pthread_mutex_unlock(&s->mu);
}

void pty_sim_mute(struct pty_sim *s, int mute)
{
	pthread_mutex_lock(&s->mu);
	s->mute = mute;
	pthread_mutex_unlock(&s->mu);
}

char *pty_sim_transcript(struct pty_sim *s, size_t *len)
{
	pthread_mutex_lock(&s->mu);
	char *copy = malloc(s->len + 1);
	if (copy) {
		if (s->len)
			memcpy(copy, s->log, s->len);
		copy[s->len] = 0;
		if (len)
			*len = s->len;
	}
	pthread_mutex_unlock(&s->mu);
	return copy;
}

void pty_sim_clear(struct pty_sim *s)
{
	pthread_mutex_lock(&s->mu);
	s->len = 0;
	if (s->log)
		s->log[0] = 0;
	pthread_mutex_unlock(&s->mu);
}
