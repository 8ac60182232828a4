/* photorigd, the operator page: what its files share. Not for other modules. */
#ifndef PHOTORIGD_WEB_INTERNAL_H
#define PHOTORIGD_WEB_INTERNAL_H

#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#include "config.h"

#define WEB_BODY_MAX (64 * 1024)       /* a request body: one protocol request */
#define WEB_SESSIONS_MAX 32            /* logged-in browsers */
#define WEB_SESSION_TTL_S (12 * 3600)  /* idle logins expire */
#define WEB_TOKEN_HEX 64               /* 32 random bytes */
#define WEB_EVENTS_RING 256            /* events kept for slow SSE readers */
#define WEB_RATE_PER_S 100.0           /* requests per client address */
#define WEB_RATE_BURST 200.0
#define WEB_RATE_CLIENTS 64
#define WEB_REPLY_WAIT_S 900           /* a request the loop has not answered by then: 504 */

/* One page request handed to the loop (POST /api). */
struct web_req {
	struct web_req *next;
	char *body;                 /* the request JSON (NUL-terminated) */
	size_t len;
	int refs;                   /* connection thread + loop; under web.lock */
	int done;
	char *reply;                /* the reply JSON, malloc'd */
	uint64_t requester;         /* loop only: its id on the event bus */
	struct web *w;
};

struct web_login {
	char token[WEB_TOKEN_HEX + 1];  /* the cookie */
	char csrf[WEB_TOKEN_HEX + 1];
	double last_used;               /* monotonic seconds */
};

struct web_rate {
	unsigned char addr[16];
	double tokens, refilled;
};

struct web {
	struct daemon *d;           /* loop only (never from connection threads) */
	struct MHD_Daemon *mhd;
	int evfd;
	int tls;
	enum pr_web_auth auth;
	char password_file[PATH_MAX];
	char output_root[PATH_MAX];
	char *tls_cert, *tls_key;   /* PEM text, kept while serving */

	pthread_mutex_t lock;       /* everything below */
	pthread_cond_t cond;        /* a reply, an event, or stopping */
	int stopping;
	struct web_req *queue, *queue_tail;
	struct web_login logins[WEB_SESSIONS_MAX];
	struct web_rate rates[WEB_RATE_CLIENTS];
	char *events[WEB_EVENTS_RING]; /* "data: {...}\n\n", by seq % RING */
	uint64_t event_seq;         /* events published so far */
};

/* web_auth.c (any thread; takes web.lock itself) */
void web_random_hex(char *out, size_t nbytes);
/* 0 with a new login's cookie token, -1 wrong password, -2 none set (why). */
int web_login_password(struct web *w, const char *password, char *token, char *why, size_t size);
/* 1 when the cookie token is a live login; its CSRF token copied to csrf. */
int web_login_check(struct web *w, const char *token, char *csrf);
void web_logout(struct web *w, const char *token);
/* 1 when the address may make one more request now. */
int web_rate_take(struct web *w, const void *addr, size_t len);
/* Constant-time string equality. */
int web_equal(const char *a, const char *b);

/* web_files.c (connection threads): a file of a session folder, opened, or
 * -1 (404) for anything else. url: the part after "/files/", decoded. */
int web_file_open(const struct web *w, const char *url, const char **mime);
const char *web_mime(const char *name);

/* web_loop.c: connection thread -> loop */
void web_req_submit(struct web *w, struct web_req *r);
void web_req_put(struct web *w, struct web_req *r);  /* under web.lock */
/* Subscribe the page to the event bus (once per process). */
int web_bus_subscribe(struct web *w);
void web_loop_take(struct web *w);  /* loop: run the queued requests */
void web_loop_drop(struct web *w);  /* loop, stopping: forget them */

/* web.c: libmicrohttpd's callbacks */
enum MHD_Result web_handler(void *cls, struct MHD_Connection *con, const char *url,
			    const char *method, const char *version, const char *upload,
			    size_t *upload_size, void **con_cls);
void web_completed(void *cls, struct MHD_Connection *con, void **con_cls,
		   enum MHD_RequestTerminationCode toe);
void web_mhd_log(void *cls, const char *fmt, va_list ap);

/* web_assets.c (generated from daemon/web/ at build time) */
struct web_asset {
	const char *path;           /* "/index.html" */
	const char *mime;
	const unsigned char *data;
	size_t size;
};
extern const struct web_asset web_assets[];
extern const size_t web_nassets;

#endif
