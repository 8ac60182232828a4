/* photorigd: the control socket and its clients.
 *
 * AF_UNIX stream socket, mode 0660, group = [daemon] group. Every
 * connection's peer credentials (SO_PEERCRED, SO_PEERGROUPS) are checked:
 * root, the daemon's own user and members of the group are served; anyone
 * else gets one error line saying so and is disconnected. (The file mode
 * already keeps strangers out; the check also covers a socket whose mode was
 * loosened by hand.)
 *
 * Clients are non-blocking. Each has an input buffer of one request line
 * (PR_PROTO_MAX_LINE; a longer line is answered "too long" and skipped to
 * its newline, never buffered) and an output buffer of at most
 * CLIENT_OUT_MAX bytes: a client that stops reading (a stuck watcher) is
 * dropped when it overflows, so it can never stall the daemon. Sends use
 * MSG_NOSIGNAL; a vanished peer is EPOLLRDHUP/EPIPE, and its client freed at
 * the end of the loop iteration (other events of the same batch may still
 * name it).
 *
 * Limits against clients faster or lazier than any operator (checked by
 * tests/integration/access_matrix.sh):
 *  - fairness: one recv (at most one input buffer) per wakeup; epoll is
 *    level-triggered, so a client that keeps writing is read again on the
 *    next round, after everyone else had their turn;
 *  - rate: a token bucket of RATE_BURST requests refilled at RATE_PER_SEC
 *    per client; a request beyond it is answered "too many requests" at once
 *    and not run, so a flood costs one short error line per request;
 *  - slots: at max_clients, a new client takes the slot of the client idle
 *    longest (no request of its own in flight or unread, not watching),
 *    which is told why it is closed; only when every slot is busy is the
 *    newcomer refused.
 *    So connections held open and forgotten can never lock the operator
 *    out, and the daemon never holds more than max_clients of them. */
#define _GNU_SOURCE
#include "ctl.h"

#include "daemon.h"
#include "events.h"
#include "ops.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define CLIENT_OUT_MAX (4u * 1024 * 1024)
#define CLIENT_IN_MAX (PR_PROTO_MAX_LINE + 2)
#define PEER_GROUPS_MAX 256
/* An operator, or a script polling status, stays far below this. */
#define RATE_PER_SEC 100.0
#define RATE_BURST 200.0
#define ACCEPT_BATCH 32

struct client {
	int kind;                 /* epoll tag: must be first (loop.c) */
	struct client *next;
	uint64_t id;
	int fd;
	uid_t uid;
	pid_t pid;
	char in[CLIENT_IN_MAX];
	size_t in_len;
	int skipping;             /* discarding the rest of an oversize line */
	char *out;
	size_t out_len, out_cap;
	int want_out;             /* EPOLLOUT registered */
	int watch;
	int dead;
	unsigned pending;         /* requests read and not yet answered */
	double last_active;       /* monotonic seconds: connected, or last line read */
	double tokens, refilled;  /* rate limit bucket, its last refill */
};

static void sink_broadcast(void *ctx, json_object *msg);
static void sink_send(void *ctx, uint64_t requester, json_object *msg);
static void sink_watch(void *ctx, uint64_t requester);
static int sink_clients(void *ctx);

int ctl_listen(struct daemon *d)
{
	const char *path = d->cfg.daemon.socket;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		LOG_ERR("socket path %s is too long (at most %zu bytes)", path,
			sizeof(sa.sun_path) - 1);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* the socket's folder: systemd's RuntimeDirectory, or the demo's run/ */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			LOG_WARN("cannot create %s: %s", dir, strerror(errno));
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		LOG_ERR("socket: %s", strerror(errno));
		return -1;
	}
	/* a socket file left by a crash is stale only if nobody answers on it */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN) {
		LOG_ERR("another photorigd is already listening on %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		LOG_ERR("cannot bind %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (chmod(path, 0660))
		LOG_WARN("chmod %s: %s", path, strerror(errno));
	/* Under the unit the socket is born with the right group (Group=photorig)
	 * and the unit's SystemCallFilter refuses chown, so only a socket whose
	 * group differs is chowned; that one still warns when refused. */
	struct stat st;
	if (d->cfg.daemon.group[0] && (stat(path, &st) || st.st_gid != d->group_gid) &&
	    chown(path, (uid_t)-1, d->group_gid))
		LOG_WARN("cannot give %s to group %s: %s", path, d->cfg.daemon.group,
			 strerror(errno));
	if (listen(fd, 64)) {
		LOG_ERR("listen %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	d->listen_fd = fd;
	const struct event_sink sink = { .ctx = d, .broadcast = sink_broadcast, .send = sink_send,
					 .watch = sink_watch, .clients = sink_clients };
	if (events_subscribe(d, &sink)) {
		LOG_ERR("control socket: no room on the event bus");
		return -1;
	}
	return 0;
}

static int peer_allowed(struct daemon *d, int fd, struct ucred *cred, char *why, size_t size)
{
	socklen_t len = sizeof(*cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len)) {
		snprintf(why, size, "cannot read peer credentials: %s", strerror(errno));
		return 0;
	}
	if (cred->uid == 0 || cred->uid == d->uid || cred->gid == d->group_gid)
		return 1;
	gid_t groups[PEER_GROUPS_MAX];
	len = sizeof(groups);
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		for (size_t i = 0; i < len / sizeof(gid_t); i++)
			if (groups[i] == d->group_gid)
				return 1;
	struct group *g = getgrgid(d->group_gid);
	snprintf(why, size, "access denied: uid %u is not root, photorigd's user or a member of "
		 "group '%s'", (unsigned)cred->uid, g ? g->gr_name : "?");
	return 0;
}

static void refuse(int fd, const char *why)
{
	json_object *m = pr_proto_reply_error(0, 0, "%s", why);
	char *line;
	size_t len;
	if (!pr_proto_serialize(m, &line, &len)) {
		/* best effort: the socket buffer of a new connection holds one line */
		if (send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			LOG_DEBUG("refusal not delivered: %s", strerror(errno));
		free(line);
	}
	json_object_put(m);
	close(fd);
}

static void client_kill(struct daemon *d, struct client *c, const char *why);
static void send_line(struct daemon *d, struct client *c, json_object *msg);

/* A client with bytes not yet read (a request waiting in its socket, or
 * part of a line) has something to say: not idle. Under a connection storm
 * the accepts of one wakeup come before any client is read, so without this
 * the operator's `photorig capture`, connected a moment before the storm,
 * was closed as idle with its request unread. */
static int has_input(const struct client *c)
{
	int n = 0;
	return c->in_len > 0 || (ioctl(c->fd, FIONREAD, &n) == 0 && n > 0);
}

/* At max_clients: close the client idle longest to make room, if any is
 * idle. Returns 1 when a slot was freed. */
static int evict_idle(struct daemon *d)
{
	struct client *victim = NULL;
	for (struct client *c = d->clients; c; c = c->next)
		if (!c->dead && !c->pending && !c->watch &&
		    (!victim || c->last_active < victim->last_active) && !has_input(c))
			victim = c;
	if (!victim)
		return 0;
	json_object *m = pr_proto_reply_error(0, 0, PR_PROTO_CLOSED_IDLE " while photorigd is "
					      "at max_clients (%d) and another client connected",
					      d->cfg.daemon.max_clients);
	send_line(d, victim, m);
	json_object_put(m);
	LOG_RATELIMITED(PR_LOG_NOTICE, "max_clients (%d) reached: idle client %llu (pid %d) "
			"closed for a new one", d->cfg.daemon.max_clients,
			(unsigned long long)victim->id, (int)victim->pid);
	client_kill(d, victim, "evicted while idle at max_clients");
	return 1;
}

/* Clients holding a slot: the dead ones wait for ctl_reap but hold nothing. */
static int live_clients(const struct daemon *d)
{
	int n = 0;
	for (const struct client *c = d->clients; c; c = c->next)
		n += !c->dead;
	return n;
}

void ctl_accept(struct daemon *d)
{
	/* At most ACCEPT_BATCH per wakeup: clients evicted or refused here are
	 * only freed by ctl_reap after the batch, so an unbounded loop under a
	 * connection storm would hold thousands of dead clients (64 KB each) at
	 * once. The listening socket is level-triggered: the rest wait a round. */
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				LOG_RATELIMITED(PR_LOG_WARNING, "accept: %s", strerror(errno));
			return;
		}
		struct ucred cred;
		char why[256];
		if (!peer_allowed(d, fd, &cred, why, sizeof(why))) {
			LOG_RATELIMITED(PR_LOG_NOTICE, "connection from pid %d refused: %s",
					(int)cred.pid, why);
			refuse(fd, why);
			continue;
		}
		if (live_clients(d) >= d->cfg.daemon.max_clients && !evict_idle(d)) {
			snprintf(why, sizeof(why), "too many clients (max_clients = %d, all busy)",
				 d->cfg.daemon.max_clients);
			LOG_RATELIMITED(PR_LOG_WARNING, "%s", why);
			refuse(fd, why);
			continue;
		}
		struct client *c = calloc(1, sizeof(*c));
		if (!c) {
			refuse(fd, "out of memory");
			continue;
		}
		c->kind = 100;
		c->fd = fd;
		c->id = events_new_requester(d);
		c->uid = cred.uid;
		c->pid = cred.pid;
		c->last_active = c->refilled = pr_monotonic_s();
		c->tokens = RATE_BURST;
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			LOG_ERR("epoll_ctl: %s", strerror(errno));
			close(fd);
			free(c);
			continue;
		}
		c->next = d->clients;
		d->clients = c;
		d->nclients++;
		LOG_DEBUG("client %llu connected (uid %u, pid %d)", (unsigned long long)c->id,
			  (unsigned)c->uid, (int)c->pid);
	}
}

static void client_kill(struct daemon *d, struct client *c, const char *why)
{
	if (c->dead)
		return;
	c->dead = 1;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	LOG_DEBUG("client %llu: %s", (unsigned long long)c->id, why);
}

static void flush_out(struct daemon *d, struct client *c)
{
	size_t off = 0;
	while (off < c->out_len) {
		ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_kill(d, c, "gone while we wrote to it");
			return;
		}
		off += (size_t)n;
	}
	memmove(c->out, c->out + off, c->out_len - off);
	c->out_len -= off;
	int want = c->out_len > 0;
	if (want != c->want_out) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0),
					  .data.ptr = c };
		epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->want_out = want;
	}
}

static void send_line(struct daemon *d, struct client *c, json_object *msg)
{
	char *line;
	size_t len;
	if (c->dead)
		return;
	int rc = pr_proto_serialize(msg, &line, &len);
	if (rc == PR_PROTO_EOVERSIZE && !pr_json_str(msg, "event", NULL)) {
		/* say so rather than leave the client waiting for an answer */
		json_object *e = pr_proto_reply_error(pr_json_int(msg, "id", 0),
						      pr_json_int(msg, "id", -1) >= 0,
						      "reply too large (more than %d bytes)",
						      PR_PROTO_MAX_REPLY);
		rc = pr_proto_serialize(e, &line, &len);
		json_object_put(e);
	}
	if (rc) {
		LOG_ERR("a message could not be encoded: %s", pr_proto_strerror(rc));
		return;
	}
	/* a reply (not an event) answers one request in flight */
	if (c->pending && !pr_json_str(msg, "event", NULL))
		c->pending--;
	if (c->out_len + len > CLIENT_OUT_MAX) {
		free(line);
		LOG_RATELIMITED(PR_LOG_WARNING, "client %llu (pid %d) does not read: dropped",
				(unsigned long long)c->id, (int)c->pid);
		client_kill(d, c, "output buffer overflow");
		return;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + len)
			cap *= 2;
		char *n = realloc(c->out, cap);
		if (!n) {
			free(line);
			client_kill(d, c, "out of memory");
			return;
		}
		c->out = n;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, len);
	c->out_len += len;
	free(line);
	flush_out(d, c);
}

/* A message for one client, which keeps its own reference (gone clients
 * are skipped). */
static void ctl_send(struct daemon *d, uint64_t client_id, json_object *msg)
{
	for (struct client *c = d->clients; c; c = c->next)
		if (c->id == client_id) {
			send_line(d, c, msg);
			break;
		}
	json_object_put(msg);
}

/* The control socket's side of the event bus: messages are borrowed. */
static void sink_broadcast(void *ctx, json_object *msg)
{
	struct daemon *d = ctx;
	for (struct client *c = d->clients; c; c = c->next)
		if (c->watch)
			send_line(d, c, msg);
}

static void sink_send(void *ctx, uint64_t requester, json_object *msg)
{
	ctl_send(ctx, requester, json_object_get(msg));
}

static void sink_watch(void *ctx, uint64_t requester)
{
	struct daemon *d = ctx;
	for (struct client *c = d->clients; c; c = c->next)
		if (c->id == requester)
			c->watch = 1;
}

static int sink_clients(void *ctx)
{
	return ((struct daemon *)ctx)->nclients;
}

static void handle_line(struct daemon *d, struct client *c, const char *line, size_t len)
{
	struct pr_request req;
	struct pr_error err = { 0 };
	int64_t id = 0;
	int has_id = 0;
	c->pending++; /* every line gets one reply, whatever it is */
	c->last_active = pr_monotonic_s();
	c->tokens += (c->last_active - c->refilled) * RATE_PER_SEC;
	if (c->tokens > RATE_BURST)
		c->tokens = RATE_BURST;
	c->refilled = c->last_active;
	/* decoded first so that even a refusal carries the request's id */
	int rc = pr_proto_decode_request(line, len, &req, &id, &has_id, &err);
	if (c->tokens < 1.0) {
		/* not run: a flood costs one parse and one short line per request */
		LOG_RATELIMITED(PR_LOG_NOTICE, "client %llu (pid %d) sends more than %.0f requests "
				"a second: limited", (unsigned long long)c->id, (int)c->pid,
				RATE_PER_SEC);
		ctl_send(d, c->id, pr_proto_reply_error(id, has_id, "too many requests: at most "
							"%.0f a second per client (request not "
							"run)", RATE_PER_SEC));
		return;
	}
	c->tokens -= 1.0;
	if (rc) {
		LOG_RATELIMITED(PR_LOG_NOTICE, "bad request from pid %d: %s", (int)c->pid, err.msg);
		ctl_send(d, c->id, pr_proto_reply_error(id, has_id, "%s", err.msg));
		return;
	}
	ops_dispatch(d, c->id, &req);
}

/* One recv per wakeup (see the top of the file): the loop only retries
 * EINTR, and the rest of a fast writer's data waits for the next round. */
static void read_input(struct daemon *d, struct client *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			client_kill(d, c, n == 0 ? "disconnected" : strerror(errno));
			return;
		}
		c->in_len += (size_t)n;
		size_t start = 0;
		char *nl;
		while (!c->dead && (nl = memchr(c->in + start, '\n', c->in_len - start))) {
			size_t len = (size_t)(nl - (c->in + start)) + 1;
			if (c->skipping)
				c->skipping = 0; /* the end of the oversize line */
			else if (len > 1)
				handle_line(d, c, c->in + start, len);
			start += len;
		}
		if (c->dead)
			return;
		memmove(c->in, c->in + start, c->in_len - start);
		c->in_len -= start;
		if (c->in_len == sizeof(c->in)) {
			/* no newline within the limit: answer once, then discard to it */
			if (!c->skipping) {
				c->pending++; /* the refusal answers it */
				ctl_send(d, c->id, pr_proto_reply_error(0, 0, "request too long "
					 "(more than %d bytes): refused", PR_PROTO_MAX_LINE));
			}
			c->skipping = 1;
			c->in_len = 0;
		}
		return;
	}
}

void ctl_client_event(struct daemon *d, struct client *c, uint32_t events)
{
	if (c->dead)
		return;
	if (events & EPOLLIN)
		read_input(d, c);
	if (!c->dead && (events & EPOLLOUT))
		flush_out(d, c);
	if (!c->dead && (events & (EPOLLERR | EPOLLHUP)))
		client_kill(d, c, "hung up");
	else if (!c->dead && (events & EPOLLRDHUP) && !(events & EPOLLIN))
		client_kill(d, c, "hung up");
}

/* Free clients marked dead (called by the loop between batches). */
void ctl_reap(struct daemon *d)
{
	struct client **pp = &d->clients;
	while (*pp) {
		struct client *c = *pp;
		if (c->dead) {
			*pp = c->next;
			d->nclients--;
			free(c->out);
			free(c);
		} else {
			pp = &c->next;
		}
	}
}

void ctl_close_all(struct daemon *d)
{
	for (struct client *c = d->clients; c; c = c->next) {
		if (!c->dead && c->out_len)
			flush_out(d, c);
		client_kill(d, c, "daemon stopping");
	}
	ctl_reap(d);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->cfg.daemon.socket);
		d->listen_fd = -1;
	}
}
