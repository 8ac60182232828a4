/* photorig-ptpip-sim: sockets, PTP/IP handshake, the event queue and the
 * single-threaded poll loop.
 *
 * libgphoto2 opens the command connection, does Init_Command, then opens
 * the event connection to the same port (unless told otherwise) and does
 * Init_Event. So a new connection is only classified by its first packet.
 * One client is served at a time: a second Init_Command while a live client
 * is connected gets Init_Fail, as a camera's single Wi-Fi slot would give.
 * The camera (card, settings, counters) survives clients; queued events do
 * not, because a camera only delivers events to the connection that
 * exists. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ptpip_sim.h"

#define MAX_PENDING 8
#define EVENT_CONNECT_TIMEOUT_MS 10000

struct pending {
	int fd;
	uint64_t deadline_ns;
};

struct server {
	struct sim *s;
	int lfd_cmd, lfd_evt;   /* lfd_evt == -1: events use lfd_cmd */
	struct pending pend[MAX_PENDING];
	unsigned npend;
	uint64_t evt_deadline_ns; /* session must get its event link by then */
};

static int make_listener(const char *addr, int port, int *bound)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -EINVAL;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	/* A restarted simulator must rebind at once, TIME_WAIT or not. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	socklen_t len = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	*bound = ntohs(sa.sin_port);
	return fd;
}

static void end_session(struct server *sv, const char *why)
{
	struct sim *s = sv->s;
	if (s->s.cmd_fd < 0 && s->s.evt_fd < 0)
		return;
	SIM_LOG(s, "client %s disconnected: %s", s->s.client_name, why);
	if (s->s.cmd_fd >= 0)
		close(s->s.cmd_fd);
	if (s->s.evt_fd >= 0)
		close(s->s.evt_fd);
	memset(&s->s, 0, sizeof(s->s));
	s->s.cmd_fd = s->s.evt_fd = -1;
	s->nevents = 0;
}

/* True if the peer has closed fd (or it failed); never blocks. */
static bool peer_gone(int fd)
{
	char c;
	ssize_t r = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void send_init_fail(struct sim *s, int fd, uint32_t reason)
{
	uint8_t p[4] = { (uint8_t)reason, (uint8_t)(reason >> 8), (uint8_t)(reason >> 16),
			 (uint8_t)(reason >> 24) };
	(void)ptpip_send_packet(fd, PTPIP_INIT_FAIL, p, sizeof(p), s->cfg->io_timeout_ms);
}

static void guid_of(const char *serial, uint8_t guid[16])
{
	/* Stable per serial, so a client that remembers cameras by GUID sees
	 * the same camera after a restart. */
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 0; i < 16; i++) {
		for (const char *p = serial; *p; p++)
			h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
		h = (h ^ (uint64_t)i) * 0x100000001b3ull;
		guid[i] = (uint8_t)(h >> 56);
	}
}

static bool init_command(struct server *sv, int fd, const uint8_t *p, size_t len)
{
	struct sim *s = sv->s;
	char name[64];
	if (len < 16 + 2 || ucs2z_decode(p + 16, len - 16, name, sizeof(name)) < 0) {
		SIM_LOG(s, "malformed Init_Command_Request (%zu bytes)", len);
		return false;
	}
	if (s->s.cmd_fd >= 0 && (peer_gone(s->s.cmd_fd) || (s->s.evt_fd >= 0 && peer_gone(s->s.evt_fd))))
		end_session(sv, "closed before a new client arrived");
	if (s->s.cmd_fd >= 0) {
		SIM_LOG(s, "refusing client %s: %s is connected", name, s->s.client_name);
		send_init_fail(s, fd, PTP_RC_DeviceBusy);
		return false;
	}
	struct pbuf b;
	pbuf_init(&b);
	uint8_t guid[16];
	guid_of(s->cfg->serial, guid);
	uint32_t conn = s->next_conn_number++;
	pb_u32(&b, conn);
	pb_bytes(&b, guid, sizeof(guid));
	pb_ucs2z(&b, s->cfg->friendly_name);
	pb_u32(&b, 0x00010000u); /* protocol version 1.0 */
	int r = b.oom ? -ENOMEM
		      : ptpip_send_packet(fd, PTPIP_INIT_COMMAND_ACK, b.data, b.len, s->cfg->io_timeout_ms);
	pbuf_free(&b);
	if (r < 0)
		return false;
	memset(&s->s, 0, sizeof(s->s));
	/* the kernel stamps each request's arrival (see arrival_realtime) */
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	s->s.cmd_fd = fd;
	s->s.evt_fd = -1;
	s->s.conn_number = conn;
	snprintf(s->s.client_name, sizeof(s->s.client_name), "%s", name);
	sv->evt_deadline_ns = sim_now_ns(CLOCK_MONOTONIC) + EVENT_CONNECT_TIMEOUT_MS * 1000000ull;
	SIM_LOG(s, "client %s connected (connection %u)", name, conn);
	return true;
}

static bool init_event(struct server *sv, int fd, const uint8_t *p, size_t len)
{
	struct sim *s = sv->s;
	if (len < 4 || s->s.cmd_fd < 0 || s->s.evt_fd >= 0 || le32(p) != s->s.conn_number) {
		SIM_LOG(s, "refusing event connection (connection %u)", len >= 4 ? le32(p) : 0);
		send_init_fail(s, fd, PTP_RC_GeneralError);
		return false;
	}
	if (ptpip_send_packet(fd, PTPIP_INIT_EVENT_ACK, NULL, 0, s->cfg->io_timeout_ms) < 0)
		return false;
	s->s.evt_fd = fd;
	return true;
}

/* A new connection said its first packet: classify it. */
static void handle_pending(struct server *sv, int fd)
{
	struct sim *s = sv->s;
	uint32_t type;
	size_t len;
	bool kept = false;
	int r = ptpip_read_packet(fd, s->cfg->io_timeout_ms, &type, s->inbuf, 1024, &len);
	if (r < 0)
		SIM_LOG(s, "new connection: %s", strerror(-r));
	else if (type == PTPIP_INIT_COMMAND_REQUEST)
		kept = init_command(sv, fd, s->inbuf, len);
	else if (type == PTPIP_INIT_EVENT_REQUEST)
		kept = init_event(sv, fd, s->inbuf, len);
	else
		SIM_LOG(s, "new connection sent packet type %u first; closing", type);
	if (!kept)
		close(fd);
}

int sim_queue_event(struct sim *s, uint64_t due_ns, uint16_t code, uint32_t transid, uint32_t param)
{
	if (s->nevents >= SIM_MAX_EVENTS)
		return -ENOSPC;
	s->events[s->nevents++] = (struct sim_event){ due_ns, code, transid, param };
	return 0;
}

/* Reads the host-to-camera data phase that follows a request with
 * dataphase 2 into a malloc'd buffer. */
static int read_data_phase(struct sim *s, uint8_t **out, size_t *outlen)
{
	uint32_t type;
	size_t len;
	int to = s->cfg->io_timeout_ms;
	int r = ptpip_read_packet(s->s.cmd_fd, to, &type, s->inbuf, PTPIP_MAX_IN_PACKET, &len);
	if (r < 0)
		return r;
	if (type != PTPIP_START_DATA || len < 12)
		return -EPROTO;
	uint64_t total = le64(s->inbuf + 4);
	if (total > PTPIP_MAX_IN_DATA)
		return -EMSGSIZE;
	uint8_t *buf = malloc(total ? total : 1);
	if (!buf)
		return -ENOMEM;
	size_t got = 0;
	for (;;) {
		r = ptpip_read_packet(s->s.cmd_fd, to, &type, s->inbuf, PTPIP_MAX_IN_PACKET, &len);
		if (r == 0 && ((type != PTPIP_DATA && type != PTPIP_END_DATA) || len < 4))
			r = -EPROTO;
		if (r == 0 && len - 4 > total - got)
			r = -EMSGSIZE;
		if (r < 0) {
			free(buf);
			return r;
		}
		memcpy(buf + got, s->inbuf + 4, len - 4);
		got += len - 4;
		if (type == PTPIP_END_DATA)
			break;
	}
	*out = buf;
	*outlen = got;
	return 0;
}

/* When the pending request reached this machine: the kernel's receive
 * timestamp (SO_TIMESTAMPNS), read without consuming it. The trigger log
 * uses it, so that a rig's measured spread is when the triggers arrived,
 * not when each simulator process got a core to read them: on a small
 * machine running many simulators those differ by milliseconds. 0 when
 * the kernel gave none. */
static uint64_t arrival_realtime(int fd)
{
	char byte;
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	if (recvmsg(fd, &msg, MSG_PEEK | MSG_DONTWAIT) <= 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		}
	return 0;
}

static void serve_command(struct server *sv)
{
	struct sim *s = sv->s;
	if (s->s.stalled) {
		/* A stalled camera reads nothing meaningful and answers nothing,
		 * but we still notice when the client gives up and closes. */
		ssize_t r = recv(s->s.cmd_fd, s->inbuf, PTPIP_MAX_IN_PACKET, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			end_session(sv, "closed while stalled");
		return;
	}
	uint32_t type;
	size_t len;
	const uint64_t arrived = arrival_realtime(s->s.cmd_fd);
	int r = ptpip_read_packet(s->s.cmd_fd, s->cfg->io_timeout_ms, &type, s->inbuf,
				  PTPIP_MAX_IN_PACKET, &len);
	if (r < 0) {
		end_session(sv, r == -ECONNRESET ? "closed" : strerror(-r));
		return;
	}
	if (type == PTPIP_PING) {
		r = ptpip_send_packet(s->s.cmd_fd, PTPIP_PONG, NULL, 0, s->cfg->io_timeout_ms);
		if (r < 0)
			end_session(sv, strerror(-r));
		return;
	}
	if (type != PTPIP_CMD_REQUEST) {
		SIM_LOG(s, "ignoring packet type %u on the command connection", type);
		return;
	}
	if (len < 10 || len > 30 || (len - 10) % 4) {
		end_session(sv, "malformed Cmd_Request");
		return;
	}
	struct sim_request rq = { .code = le16(s->inbuf + 4), .transid = le32(s->inbuf + 6),
				  .nparam = (unsigned)((len - 10) / 4) };
	for (unsigned i = 0; i < rq.nparam; i++)
		rq.param[i] = le32(s->inbuf + 10 + 4 * i);
	uint8_t *data = NULL;
	if (le32(s->inbuf) == 2) {
		r = read_data_phase(s, &data, &rq.data_len);
		if (r < 0) {
			end_session(sv, "bad data phase");
			return;
		}
		rq.data = data;
	}
	rq.mono_ns = sim_now_ns(CLOCK_MONOTONIC);
	rq.real_ns = sim_now_ns(CLOCK_REALTIME);
	if (arrived && arrived <= rq.real_ns && rq.real_ns - arrived < rq.mono_ns) {
		/* the same instant on the monotonic clock */
		rq.mono_ns -= rq.real_ns - arrived;
		rq.real_ns = arrived;
	}
	enum sim_after after;
	r = sim_handle_request(s, &rq, &after);
	free(data);
	if (r < 0) {
		end_session(sv, strerror(-r));
	} else if (after == SIM_AFTER_DROP) {
		end_session(sv, "dropped by --drop-on");
	} else if (after == SIM_AFTER_STALL) {
		SIM_LOG(s, "stalling by --stall-on");
		s->s.stalled = true;
		s->nevents = 0;
	}
}

static void send_due_events(struct server *sv, uint64_t now)
{
	struct sim *s = sv->s;
	if (s->s.evt_fd < 0 || s->s.stalled)
		return;
	unsigned k = 0;
	while (k < s->nevents && s->events[k].due_ns <= now) {
		const struct sim_event *e = &s->events[k];
		int r = ptpip_send_event(s->s.evt_fd, e->code, e->transid, &e->param,
					 e->code == PTP_EC_ObjectAdded ? 1 : 0, s->cfg->io_timeout_ms);
		if (r < 0) {
			end_session(sv, "event connection failed");
			return;
		}
		k++;
	}
	memmove(s->events, s->events + k, (s->nevents - k) * sizeof(s->events[0]));
	s->nevents -= k;
}

static void accept_one(struct server *sv, int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	int one = 1;
	/* Responses and events are small; Nagle would delay them by tens of
	 * milliseconds and ruin trigger timing measurements. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (sv->npend == MAX_PENDING) {
		close(fd);
		return;
	}
	sv->pend[sv->npend++] = (struct pending){ fd, sim_now_ns(CLOCK_MONOTONIC) +
							  (uint64_t)sv->s->cfg->io_timeout_ms * 1000000u };
}

static int poll_timeout_ms(const struct server *sv, uint64_t now)
{
	const struct sim *s = sv->s;
	uint64_t next = now + 1000000000ull; /* wake at least once a second */
	if (s->nevents && s->s.evt_fd >= 0 && !s->s.stalled && s->events[0].due_ns < next)
		next = s->events[0].due_ns;
	for (unsigned i = 0; i < sv->npend; i++)
		if (sv->pend[i].deadline_ns < next)
			next = sv->pend[i].deadline_ns;
	uint64_t idle = sim_capture_idle_due(s);
	if (idle && idle < next)
		next = idle;
	return next <= now ? 0 : (int)((next - now + 999999u) / 1000000u);
}

int sim_run(struct sim *s, volatile int *stop, volatile int *wired)
{
	const struct sim_config *c = s->cfg;
	struct server sv = { .s = s, .lfd_cmd = -1, .lfd_evt = -1 };
	int port = 0, evport = 0;
	sv.lfd_cmd = make_listener(c->address, c->port, &port);
	if (sv.lfd_cmd < 0) {
		SIM_LOG(s, "cannot listen on %s:%d: %s", c->address, c->port, strerror(-sv.lfd_cmd));
		return sv.lfd_cmd;
	}
	evport = port;
	if (c->event_port >= 0) {
		sv.lfd_evt = make_listener(c->address, c->event_port, &evport);
		if (sv.lfd_evt < 0) {
			SIM_LOG(s, "cannot listen on %s:%d: %s", c->address, c->event_port,
				strerror(-sv.lfd_evt));
			close(sv.lfd_cmd);
			return sv.lfd_evt;
		}
	}
	/* Tests read this line to learn the ports (and that we are ready). */
	printf("READY address=%s port=%d event_port=%d serial=%s\n", c->address, port, evport,
	       c->serial);
	fflush(stdout);

	sigset_t run_mask;
	sigprocmask(SIG_BLOCK, NULL, &run_mask);
	sigdelset(&run_mask, SIGINT);
	sigdelset(&run_mask, SIGTERM);
	sigdelset(&run_mask, SIGUSR1);
	while (!*stop) {
		struct pollfd pfd[4 + MAX_PENDING];
		nfds_t n = 0;
		pfd[n++] = (struct pollfd){ .fd = sv.lfd_cmd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sv.lfd_evt, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->s.cmd_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->s.evt_fd, .events = POLLIN };
		for (unsigned i = 0; i < sv.npend; i++)
			pfd[n++] = (struct pollfd){ .fd = sv.pend[i].fd, .events = POLLIN };
		uint64_t now = sim_now_ns(CLOCK_MONOTONIC);
		int ms = poll_timeout_ms(&sv, now);
		struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
		/* Signals are blocked except inside ppoll, so a SIGTERM between
		 * the loop test and the wait cannot be lost. */
		int r = ppoll(pfd, n, &ts, &run_mask);
		if (r < 0 && errno != EINTR) {
			SIM_LOG(s, "poll: %s", strerror(errno));
			break;
		}
		if (r > 0) {
			/* Session first: a client that closed and reconnects must
			 * be seen as gone before its new connection is judged. */
			if (pfd[2].revents)
				serve_command(&sv);
			if (pfd[3].revents && s->s.evt_fd == pfd[3].fd && peer_gone(s->s.evt_fd))
				end_session(&sv, "event connection closed");
			else if (pfd[3].revents && s->s.evt_fd == pfd[3].fd)
				(void)recv(s->s.evt_fd, s->inbuf, PTPIP_MAX_IN_PACKET, MSG_DONTWAIT);
			for (nfds_t i = 4; i < n; i++) {
				if (!pfd[i].revents)
					continue;
				sv.pend[i - 4].fd = -1; /* handed over: kept or closed */
				handle_pending(&sv, pfd[i].fd);
			}
		}
		now = sim_now_ns(CLOCK_MONOTONIC);
		unsigned kept = 0;
		for (unsigned i = 0; i < sv.npend; i++) {
			if (sv.pend[i].fd >= 0 && sv.pend[i].deadline_ns <= now) {
				close(sv.pend[i].fd); /* connected but never said who it is */
				sv.pend[i].fd = -1;
			}
			if (sv.pend[i].fd >= 0)
				sv.pend[kept++] = sv.pend[i];
		}
		sv.npend = kept;
		if (r > 0 && pfd[0].revents)
			accept_one(&sv, sv.lfd_cmd);
		if (r > 0 && pfd[1].revents)
			accept_one(&sv, sv.lfd_evt);
		if (s->s.cmd_fd >= 0 && s->s.evt_fd < 0 && now > sv.evt_deadline_ns)
			end_session(&sv, "no event connection");
		if (*wired) {
			*wired = 0;
			if (s->s.cmd_fd >= 0)
				sim_wired_release(s);
		}
		send_due_events(&sv, now);
		sim_capture_idle(s, sim_now_ns(CLOCK_MONOTONIC));
	}
	end_session(&sv, "simulator stopping");
	for (unsigned i = 0; i < sv.npend; i++)
		if (sv.pend[i].fd >= 0)
			close(sv.pend[i].fd);
	close(sv.lfd_cmd);
	if (sv.lfd_evt >= 0)
		close(sv.lfd_evt);
	return 0;
}
