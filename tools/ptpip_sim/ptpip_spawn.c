/* photorig-ptpip-sim: simulator process control for tests and benchmarks. */
#define _GNU_SOURCE
#include "ptpip_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one line from fd within the deadline. */
static int read_line(int fd, char *buf, size_t bufsz, long long deadline)
{
	size_t n = 0;
	while (n + 1 < bufsz) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		ssize_t got = read(fd, buf + n, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : -EPIPE; /* exited before READY */
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

int sim_proc_start(struct sim_proc *p, const char *sim_path, const char *address,
		   const char *serial, const char *const *extra, int timeout_ms)
{
	memset(p, 0, sizeof(*p));
	const char *argv[MAX_ARGS];
	size_t n = 0;
	argv[n++] = sim_path;
	argv[n++] = "--address";
	argv[n++] = address;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--serial";
	argv[n++] = serial;
	for (size_t i = 0; extra && extra[i]; i++) {
		if (n + 1 >= MAX_ARGS)
			return -E2BIG;
		argv[n++] = extra[i];
	}
	argv[n] = NULL;

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return e;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls until exec. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		if (dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execv(sim_path, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	p->pid = pid;
	char line[256];
	int r = read_line(pfd[0], line, sizeof(line), now_ms() + timeout_ms);
	close(pfd[0]);
	if (r == 0 && sscanf(line, "READY address=%31s port=%d event_port=%d", p->address, &p->port,
			     &p->event_port) != 3)
		r = -EPROTO;
	if (r < 0) {
		sim_proc_stop(p, 1000);
		return r;
	}
	snprintf(p->serial, sizeof(p->serial), "%s", serial);
	return 0;
}

int sim_proc_stop(struct sim_proc *p, int timeout_ms)
{
	if (p->pid <= 0)
		return 0;
	kill(p->pid, SIGTERM);
	long long deadline = now_ms() + timeout_ms;
	int status = 0;
	for (;;) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid)
			break;
		if (r < 0 && errno != EINTR) {
			p->pid = 0;
			return -errno;
		}
		if (now_ms() >= deadline) {
			kill(p->pid, SIGKILL);
			while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	p->pid = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -ECHILD;
}

void sim_proc_port_path(const struct sim_proc *p, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "ptpip:%s:%d:%d", p->address, p->port, p->event_port);
}
