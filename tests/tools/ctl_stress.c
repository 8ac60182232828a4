/* ctl_stress: hostile and impatient clients of photorigd's control socket,
 * for tests/integration/access_matrix.sh (bash alone cannot hold 2000
 * sockets or time one request to the millisecond).
 *
 *   ctl_stress hold SOCK N SECONDS   open N connections, send nothing, hold
 *                                    them; then report how many are still
 *                                    open and how many the daemon closed,
 *                                    with a message line or without
 *   ctl_stress flood SOCK SECONDS    one connection sending status requests
 *                                    as fast as the socket takes them (and
 *                                    reading the replies); report sent,
 *                                    served, rate-limited, other
 *   ctl_stress ping SOCK N           N status requests, each on a new
 *                                    connection; report the slowest in ms
 *
 * Output is one line of key=value pairs, for the script to check. Every
 * wait is bounded. Exit 0 unless the program itself failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void raise_fd_limit(int want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < (rlim_t)want) {
		rl.rlim_cur = (rlim_t)want;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur; /* only root may; others get what they have */
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			getrlimit(RLIMIT_NOFILE, &rl);
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
}

static int hold(const char *path, int n, int seconds)
{
	raise_fd_limit(n + 64);
	int *fds = calloc((size_t)n, sizeof(int));
	if (!fds)
		return 1;
	int opened = 0, failed = 0;
	for (int i = 0; i < n; i++) {
		fds[i] = connect_to(path);
		if (fds[i] < 0)
			failed++;
		else
			opened++;
	}
	fprintf(stderr, "ctl_stress: %d connections made, %d failed; holding %d s\n", opened,
		failed, seconds);
	double end = now_ms() + seconds * 1e3;
	while (now_ms() < end)
		usleep(100 * 1000);
	/* classify: still open (nothing to read), closed after a message, closed silently */
	int open_ = 0, closed_msg = 0, closed_silent = 0, evicted = 0, refused = 0;
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		char buf[1024];
		ssize_t got = recv(fds[i], buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			open_++;
		} else if (got > 0) {
			buf[got] = '\0';
			closed_msg++;
			evicted += strstr(buf, "closed: idle") != NULL;
			refused += strstr(buf, "too many clients") != NULL;
		} else {
			closed_silent++;
		}
		close(fds[i]);
	}
	printf("made=%d failed=%d open=%d closed_msg=%d evicted=%d refused=%d closed_silent=%d\n",
	       opened, failed, open_, closed_msg, evicted, refused, closed_silent);
	free(fds);
	return 0;
}

static int flood(const char *path, int seconds)
{
	int fd = connect_to(path);
	if (fd < 0) {
		perror("ctl_stress: connect");
		return 1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	long sent = 0, ok = 0, limited = 0, other = 0;
	char out[4096];
	size_t out_len = 0, out_off = 0;
	static char in[1 << 20];
	size_t in_len = 0;
	int gone = 0;
	double stop = now_ms() + seconds * 1e3, drain_end = stop + 3000;
	while (!gone && now_ms() < drain_end) {
		int writing = now_ms() < stop;
		if (writing && out_off == out_len) {
			out_len = (size_t)snprintf(out, sizeof(out), "{\"v\":1,\"id\":%ld,\"op\":\"status\"}\n",
						   sent);
			out_off = 0;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN | (writing ? POLLOUT : 0) };
		if (poll(&p, 1, 100) < 0)
			continue;
		if ((p.revents & POLLOUT) && writing) {
			ssize_t w = send(fd, out + out_off, out_len - out_off, MSG_NOSIGNAL);
			if (w > 0) {
				out_off += (size_t)w;
				if (out_off == out_len)
					sent++;
			} else if (w < 0 && errno != EAGAIN) {
				gone = 1;
			}
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(fd, in + in_len, sizeof(in) - in_len - 1, 0);
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				gone = 1;
			} else if (r > 0) {
				in_len += (size_t)r;
				char *line = in, *nl;
				while ((nl = memchr(line, '\n', in_len - (size_t)(line - in)))) {
					*nl = '\0';
					if (strstr(line, "\"ok\":true"))
						ok++;
					else if (strstr(line, "too many requests"))
						limited++;
					else
						other++;
					line = nl + 1;
				}
				in_len -= (size_t)(line - in);
				memmove(in, line, in_len);
			}
		}
		if (!writing && ok + limited + other >= sent)
			break;
	}
	printf("sent=%ld ok=%ld limited=%ld other=%ld dropped=%d\n", sent, ok, limited, other, gone);
	close(fd);
	return 0;
}

static int ping(const char *path, int n)
{
	double worst = 0;
	int failed = 0;
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();
		int fd = connect_to(path);
		const char req[] = "{\"v\":1,\"id\":1,\"op\":\"status\"}\n";
		char buf[65536];
		ssize_t got = -1;
		if (fd >= 0 && send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) == (ssize_t)sizeof(req) - 1) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (poll(&p, 1, 5000) == 1)
				got = recv(fd, buf, sizeof(buf) - 1, 0);
		}
		double ms = now_ms() - t0;
		if (got > 0) {
			buf[got] = '\0';
			if (!strstr(buf, "\"ok\":true"))
				failed++;
		} else {
			failed++;
		}
		if (ms > worst)
			worst = ms;
		if (fd >= 0)
			close(fd);
		usleep(50 * 1000);
	}
	printf("pings=%d failed=%d worst_ms=%.0f\n", n, failed, worst);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "hold"))
		return hold(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "flood"))
		return flood(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "ping"))
		return ping(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: ctl_stress hold SOCK N SECONDS | flood SOCK SECONDS | ping SOCK N\n");
	return 2;
}
