/* photorig client: talking to photorigd over its control socket.
 *
 * The socket is --socket PATH, else $PHOTORIG_SOCKET, else the default
 * /run/photorig/control.sock. Every failure is printed in words a user can
 * act on: the daemon not running, access denied (and what to do), the
 * daemon gone mid-request. */
#ifndef PHOTORIG_CLIENT_CONN_H
#define PHOTORIG_CLIENT_CONN_H

#include <stddef.h>

#include "protocol.h"

#define PHOTORIG_DEFAULT_SOCKET "/run/photorig/control.sock"

struct client_conn {
	const char *cmd;          /* subcommand, for messages */
	const char *path;
	int fd;
	char *buf;                /* received, not yet returned */
	size_t len, cap;
	size_t consumed;          /* bytes of the line returned last */
	int timed_out;            /* conn_read_line returned -1 for its timeout */
	const volatile int *stop; /* when set (by a signal handler), reads give up */
};

/* The socket path from --socket (may be NULL), the environment, the default. */
const char *client_socket_path(const char *opt);

/* Connect; prints why not (unless quiet) and returns -1. */
int conn_open(struct client_conn *c, const char *cmd, const char *socket_opt);
int conn_open_ex(struct client_conn *c, const char *cmd, const char *socket_opt, int quiet);
void conn_close(struct client_conn *c);
/* Send raw bytes. */
int conn_send(struct client_conn *c, const void *data, size_t len);
int conn_send_request(struct client_conn *c, const struct pr_request *req);
/* Next line from the daemon (without '\n'), NUL-terminated, valid until the
 * next call. timeout_ms < 0 waits forever. Returns its length, or -1 on
 * EOF / error / timeout (printed unless quiet). */
long conn_read_line(struct client_conn *c, int timeout_ms, int quiet, const char **line);

/* Send req and wait for its reply, drawing a progress bar on a terminal from
 * the daemon's progress events. The reply is in *rep (pr_reply_free it).
 * raw_json: print the reply line to stdout as received. Returns 0 when
 * the daemon answered (ok or not), -1 when it did not. */
int conn_call(struct client_conn *c, const struct pr_request *req, int timeout_ms,
	      struct pr_reply *rep, int raw_json);
/* The same, handing the request's own events other than progress (a
 * capture's set_result) to on_event as they come. */
typedef void (*conn_event_fn)(json_object *ev, const char *name, void *arg);
int conn_call_ev(struct client_conn *c, const struct pr_request *req, int timeout_ms,
		 struct pr_reply *rep, int raw_json, conn_event_fn on_event, void *arg);

/* One shot: open, call, close. Returns the exit status: 0 when the reply
 * is ok, 1 otherwise (the daemon's error printed). rep is filled on 0. */
int client_simple(const char *cmd, const char *socket_opt, const struct pr_request *req,
		  int timeout_ms, int json, struct pr_reply *rep);
int client_simple_ev(const char *cmd, const char *socket_opt, const struct pr_request *req,
		     int timeout_ms, int json, struct pr_reply *rep, conn_event_fn on_event,
		     void *arg);

#endif
