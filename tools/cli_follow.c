/* photorig client: following photorigd's events (see cli_follow.h). */
#define _GNU_SOURCE
#include "cli_follow.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client_conn.h"

static volatile int interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Open a watch connection; 0, or -1 (printed unless quiet). */
static int open_watch(struct client_conn *c, const struct follow *f, int quiet)
{
	struct pr_request req;
	struct pr_reply rep = { 0 };
	if (conn_open_ex(c, f->cmd, f->socket, quiet))
		return -1;
	c->stop = &interrupted;
	pr_request_init(&req, PR_OP_WATCH, 1);
	if (conn_call(c, &req, 30000, &rep, 0) || !rep.ok) {
		if (rep.obj && !quiet)
			fprintf(stderr, "photorig %s: %s\n", f->cmd, rep.error);
		pr_reply_free(&rep);
		conn_close(c);
		return -1;
	}
	pr_reply_free(&rep);
	return 0;
}

static int wait_for_daemon(struct client_conn *c, const struct follow *f)
{
	fprintf(stderr, "photorig %s: photorigd went away; trying to reconnect for up to %d s\n",
		f->cmd, FOLLOW_RECONNECT_S);
	for (int i = 0; i < FOLLOW_RECONNECT_S && !interrupted; i++) {
		struct timespec one = { 1, 0 };
		nanosleep(&one, NULL);
		if (!interrupted && open_watch(c, f, 1) == 0) {
			fprintf(stderr, "photorig %s: reconnected to photorigd\n", f->cmd);
			return 0;
		}
	}
	if (!interrupted)
		fprintf(stderr, "photorig %s: photorigd did not come back within %d s; giving up\n",
			f->cmd, FOLLOW_RECONNECT_S);
	return -1;
}

enum follow_end cli_follow(const struct follow *f)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint; /* no SA_RESTART: the poll returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	interrupted = 0;
	struct client_conn c;
	enum follow_end end = FOLLOW_LOST;
	int again = 0;
	if (open_watch(&c, f, 0))
		goto out;
	for (;;) {
		if (f->on_connected && f->on_connected(f->arg, again)) {
			end = FOLLOW_DONE;
			break;
		}
		const char *line;
		long n;
		while ((n = conn_read_line(&c, -1, 1, &line)) >= 0) {
			if (f->raw_json) {
				printf("%s\n", line);
				fflush(stdout);
				continue;
			}
			struct pr_reply rep;
			struct pr_error err;
			int stop = 0;
			if (pr_proto_decode_reply(line, (size_t)n, &rep, &err) == 0) {
				if (rep.kind == PR_REPLY_EVENT && f->on_event)
					stop = f->on_event(rep.obj, rep.event, f->arg);
				pr_reply_free(&rep);
			}
			if (stop)
				break;
		}
		conn_close(&c);
		if (interrupted) {
			end = FOLLOW_INTERRUPTED;
			break;
		}
		if (n >= 0) {
			end = FOLLOW_DONE;
			break;
		}
		if (!f->reconnect || wait_for_daemon(&c, f)) {
			end = interrupted ? FOLLOW_INTERRUPTED : FOLLOW_LOST;
			break;
		}
		again = 1;
	}
out:
	sigaction(SIGINT, &old, NULL);
	return end;
}
