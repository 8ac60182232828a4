/* photorig client: the connection to photorigd (see client_conn.h). */
#define _GNU_SOURCE
#include "client_conn.h"
#include "clock.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

const char *client_socket_path(const char *opt)
{
	if (opt && opt[0])
		return opt;
	const char *env = getenv("PHOTORIG_SOCKET");
	return env && env[0] ? env : PHOTORIG_DEFAULT_SOCKET;
}

int conn_open(struct client_conn *c, const char *cmd, const char *socket_opt)
{
	return conn_open_ex(c, cmd, socket_opt, 0);
}

int conn_open_ex(struct client_conn *c, const char *cmd, const char *socket_opt, int quiet)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->fd = -1;
	c->path = client_socket_path(socket_opt);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(c->path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "photorig %s: socket path %s is too long\n", cmd, c->path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fprintf(stderr, "photorig %s: socket: %s\n", cmd, strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	int e = errno;
	if (quiet)
		;
	else if (e == ENOENT || e == ENOTDIR)
		fprintf(stderr, "photorig %s: photorigd is not running (no socket at %s)\n", cmd,
			c->path);
	else if (e == ECONNREFUSED)
		fprintf(stderr, "photorig %s: photorigd is not running (nothing listens on %s)\n",
			cmd, c->path);
	else if (e == EACCES || e == EPERM)
		fprintf(stderr, "photorig %s: access denied to %s: only root, photorigd's user and "
			"members of its group (usually 'photorig') may use it; ask an administrator "
			"to run: usermod -aG photorig $USER\n", cmd, c->path);
	else
		fprintf(stderr, "photorig %s: cannot connect to %s: %s\n", cmd, c->path,
			strerror(e));
	close(c->fd);
	c->fd = -1;
	return -1;
}

void conn_close(struct client_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

int conn_send(struct client_conn *c, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* a daemon that refuses a connection writes why, then closes:
			 * the caller reads that line before reporting a broken pipe */
			if (errno != EPIPE && errno != ECONNRESET)
				fprintf(stderr, "photorig %s: cannot send to photorigd: %s\n",
					c->cmd, strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int conn_send_request(struct client_conn *c, const struct pr_request *req)
{
	char line[1024];
	int n = pr_proto_encode_request(req, line, sizeof(line));
	if (n < 0) {
		fprintf(stderr, "photorig %s: cannot encode the request\n", c->cmd);
		return -1;
	}
	return conn_send(c, line, (size_t)n);
}

long conn_read_line(struct client_conn *c, int timeout_ms, int quiet, const char **line)
{
	if (c->consumed) {
		memmove(c->buf, c->buf + c->consumed, c->len - c->consumed);
		c->len -= c->consumed;
		c->consumed = 0;
	}
	c->timed_out = 0;
	int64_t deadline = timeout_ms >= 0 ? (pr_clock_ns(CLOCK_MONOTONIC) / 1000000) + timeout_ms : -1;
	for (;;) {
		char *nl = c->buf ? memchr(c->buf, '\n', c->len) : NULL;
		if (nl) {
			*nl = '\0';
			c->consumed = (size_t)(nl - c->buf) + 1;
			*line = c->buf;
			return (long)(nl - c->buf);
		}
		if (c->len > PR_PROTO_MAX_REPLY + 1) {
			if (!quiet)
				fprintf(stderr, "photorig %s: reply from photorigd too long\n", c->cmd);
			return -1;
		}
		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *n = realloc(c->buf, cap);
			if (!n)
				return -1;
			c->buf = n;
			c->cap = cap;
		}
		int wait = -1;
		if (deadline >= 0) {
			int64_t left = deadline - (pr_clock_ns(CLOCK_MONOTONIC) / 1000000);
			if (left <= 0) {
				c->timed_out = 1;
				if (!quiet)
					fprintf(stderr, "photorig %s: no answer from photorigd within "
						"%d s\n", c->cmd, timeout_ms / 1000);
				return -1;
			}
			wait = (int)left;
		}
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int r = poll(&pfd, 1, wait);
		if (r < 0 && errno == EINTR && c->stop && *c->stop)
			return -1; /* the user interrupted: c->stop says so */
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!quiet)
				fprintf(stderr, "photorig %s: photorigd closed the connection%s\n",
					c->cmd, n < 0 ? " (error)" : "");
			return -1;
		}
		c->len += (size_t)n;
	}
}

static void progress_bar(json_object *ev)
{
	long done = (long)pr_json_int(ev, "done", 0), total = (long)pr_json_int(ev, "total", 0);
	const char *what = pr_json_str(ev, "what", "");
	int width = 30, fill = total > 0 ? (int)(width * done / total) : 0;
	fprintf(stderr, "\r%s [", what);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %ld/%ld %s", done, total, !strcmp(what, "plate") ? "frames" : "sets");
	fflush(stderr);
}

#define CLOSED_IDLE_TRIES 3

/* Closed as idle by a daemon at max_clients: it had read none of our
 * request (it never closes a client with a request waiting or in flight). */
static int closed_idle(const struct pr_reply *rep)
{
	return !rep->has_id && !rep->ok && rep->error &&
	       !strncmp(rep->error, PR_PROTO_CLOSED_IDLE, strlen(PR_PROTO_CLOSED_IDLE));
}

int conn_call(struct client_conn *c, const struct pr_request *req, int timeout_ms,
	      struct pr_reply *rep, int raw_json)
{
	return conn_call_ev(c, req, timeout_ms, rep, raw_json, NULL, NULL);
}

int conn_call_ev(struct client_conn *c, const struct pr_request *req, int timeout_ms,
		 struct pr_reply *rep, int raw_json, conn_event_fn on_event, void *arg)
{
	int bar = isatty(STDERR_FILENO) && !raw_json, drawn = 0;
	/* on a failed send, what the daemon said before closing is still read */
	if (conn_send_request(c, req))
		timeout_ms = 2000;
	for (;;) {
		const char *line;
		struct pr_error err;
		long n = conn_read_line(c, timeout_ms, 0, &line);
		if (n < 0)
			break;
		if (pr_proto_decode_reply(line, (size_t)n, rep, &err)) {
			fprintf(stderr, "photorig %s: bad message from photorigd: %s\n", c->cmd,
				err.msg);
			break;
		}
		if (rep->kind == PR_REPLY_EVENT) {
			if (bar && rep->has_id && rep->id == req->id &&
			    !strcmp(rep->event, "progress")) {
				progress_bar(rep->obj);
				drawn = 1;
			} else if (on_event && rep->has_id && rep->id == req->id &&
				   strcmp(rep->event, "progress")) {
				if (drawn) /* the bar's line is taken over */
					fputs("\r\033[K", stderr);
				on_event(rep->obj, rep->event, arg);
			}
			pr_reply_free(rep);
			continue;
		}
		/* a reply without an id is the daemon refusing the connection */
		if (rep->has_id && rep->id != req->id) {
			pr_reply_free(rep);
			continue;
		}
		if (drawn)
			fputc('\n', stderr);
		if (raw_json && !closed_idle(rep)) /* sent again: see client_simple */
			printf("%s\n", line);
		return 0;
	}
	if (drawn)
		fputc('\n', stderr);
	return -1;
}

int client_simple(const char *cmd, const char *socket_opt, const struct pr_request *req,
		  int timeout_ms, int json, struct pr_reply *rep)
{
	return client_simple_ev(cmd, socket_opt, req, timeout_ms, json, rep, NULL, NULL);
}

int client_simple_ev(const char *cmd, const char *socket_opt, const struct pr_request *req,
		     int timeout_ms, int json, struct pr_reply *rep, conn_event_fn on_event,
		     void *arg)
{
	/* Connected a moment before a storm of other connections, a client can
	 * be closed as idle before its request arrives: then it sends it again,
	 * a few times, as nothing of it ran. */
	for (int attempt = 1;; attempt++) {
		struct client_conn c;
		if (conn_open(&c, cmd, socket_opt))
			return 1;
		int rc = conn_call_ev(&c, req, timeout_ms, rep, json, on_event, arg);
		conn_close(&c);
		if (rc)
			return 1;
		if (!closed_idle(rep) || attempt == CLOSED_IDLE_TRIES)
			break;
		pr_reply_free(rep);
		struct timespec pause = { 0, 100000000L * attempt };
		nanosleep(&pause, NULL);
	}
	if (!rep->ok) {
		fprintf(stderr, "photorig %s: %s%s\n", cmd, rep->has_id ? "" : "photorigd refused: ",
			rep->error);
		return 1;
	}
	return 0;
}
