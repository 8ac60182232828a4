/* photorigd, the operator page: the HTTP server (libmicrohttpd).
 *
 * Why libmicrohttpd: it is in Debian, small, maintained by GNU, does TLS
 * through GnuTLS, and its content-reader callbacks give Server-Sent Events
 * without a WebSocket layer; the page only needs events one way (daemon to
 * browser) and plain POSTs the other way.
 *
 * One thread per connection (bounded by WEB_CONNECTIONS): a connection
 * thread may wait, for the loop's reply or the next event, without holding
 * up the others, and never touches the daemon's state (see web.h).
 *
 * Every route needs a login (or auth = none on a loopback address): without
 * one, 401 (GET: with the login form as the body). Every POST but the login
 * itself needs the login's CSRF token in X-CSRF-Token: 403 without. Bodies
 * over WEB_BODY_MAX: 413. Over WEB_RATE_PER_S requests a second from one
 * address: 429. Routes:
 *   GET  /, /app.js, /style.css      the page (built into the binary)
 *   GET  /api/session                {"csrf":..., "auth":...}
 *   POST /api                        one protocol request; its reply
 *   GET  /events                     the daemon's events (text/event-stream)
 *   GET  /files/SESSION/PATH         a file of a session folder (web_files.c)
 *   POST /login, /logout */
#define _GNU_SOURCE
#include "daemon.h"
#include "web.h"
#include "web_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define COOKIE "prsid"
#define WEB_NICE 10

struct conn {
	char *body;
	size_t len;
	int too_big;
	int authed;
	char token[WEB_TOKEN_HEX + 1];
	char csrf[WEB_TOKEN_HEX + 1];
};

void web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	LOG_RATELIMITED(PR_LOG_NOTICE, "web: %s", buf);
}

static void add_headers(struct web *w, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data: blob:; "
				"style-src 'self'; script-src 'self'; frame-ancestors 'none'");
	if (w->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_buf(struct web *w, struct MHD_Connection *con, unsigned status,
				const char *mime, const void *data, size_t size, int copy)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		size, (void *)data, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	add_headers(w, resp);
	MHD_add_response_header(resp, "Content-Type", mime);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	enum MHD_Result rc = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result send_json(struct web *w, struct MHD_Connection *con, unsigned status,
				 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum MHD_Result send_json(struct web *w, struct MHD_Connection *con, unsigned status,
				 const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return send_buf(w, con, status, "application/json", buf, strlen(buf), 1);
}

static const struct web_asset *asset(const char *path)
{
	for (size_t i = 0; i < web_nassets; i++)
		if (!strcmp(web_assets[i].path, path))
			return &web_assets[i];
	return NULL;
}

static enum MHD_Result send_asset(struct web *w, struct MHD_Connection *con, unsigned status,
				  const struct web_asset *a)
{
	return send_buf(w, con, status, a->mime, a->data, a->size, 0);
}

static enum MHD_Result unauthorized(struct web *w, struct MHD_Connection *con, const char *method)
{
	const struct web_asset *login = asset("/login.html");
	if (!strcmp(method, "GET") && login)
		return send_asset(w, con, MHD_HTTP_UNAUTHORIZED, login);
	return send_json(w, con, MHD_HTTP_UNAUTHORIZED, "{\"ok\":false,\"error\":\"log in first\"}");
}

/* ---- Server-Sent Events ---- */

struct sse {
	struct web *w;
	uint64_t next;              /* the next event to send */
	char *cur;                  /* the line being sent, its offset */
	size_t off;
	int hello;
};

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse *s = cls;
	struct web *w = s->w;
	(void)pos;
	if (!s->hello) {
		s->hello = 1;
		return snprintf(buf, max, "retry: 2000\nevent: hello\ndata: {}\n\n");
	}
	if (!s->cur) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 15;
		pthread_mutex_lock(&w->lock);
		while (s->next == w->event_seq && !w->stopping)
			if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT)
				break;
		if (w->stopping) {
			pthread_mutex_unlock(&w->lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (s->next == w->event_seq) {
			pthread_mutex_unlock(&w->lock);
			return snprintf(buf, max, ": idle\n\n"); /* keeps proxies and the browser awake */
		}
		if (w->event_seq - s->next > WEB_EVENTS_RING) {
			/* too slow: events were overwritten; the page reloads its state */
			s->next = w->event_seq;
			pthread_mutex_unlock(&w->lock);
			return snprintf(buf, max, "event: resync\ndata: {}\n\n");
		}
		s->cur = strdup(w->events[s->next % WEB_EVENTS_RING]);
		s->next++;
		s->off = 0;
		pthread_mutex_unlock(&w->lock);
		if (!s->cur)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	size_t left = strlen(s->cur + s->off), n = left < max ? left : max;
	memcpy(buf, s->cur + s->off, n);
	s->off += n;
	if (s->off == strlen(s->cur)) {
		free(s->cur);
		s->cur = NULL;
	}
	return (ssize_t)n;
}

static void sse_free(void *cls)
{
	struct sse *s = cls;
	free(s->cur);
	free(s);
}

static enum MHD_Result serve_events(struct web *w, struct MHD_Connection *con)
{
	struct sse *s = calloc(1, sizeof(*s));
	if (!s)
		return MHD_NO;
	s->w = w;
	pthread_mutex_lock(&w->lock);
	s->next = w->event_seq;
	pthread_mutex_unlock(&w->lock);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024,
								      sse_read, s, sse_free);
	if (!resp) {
		free(s);
		return MHD_NO;
	}
	add_headers(w, resp);
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	enum MHD_Result rc = MHD_queue_response(con, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* ---- requests ---- */

static enum MHD_Result serve_file(struct web *w, struct MHD_Connection *con, const char *rel)
{
	const char *mime;
	int fd = web_file_open(w, rel, &mime);
	if (fd < 0)
		return send_json(w, con, MHD_HTTP_NOT_FOUND, "{\"ok\":false,\"error\":\"not found\"}");
	struct stat st;
	fstat(fd, &st);
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	add_headers(w, resp);
	MHD_add_response_header(resp, "Content-Type", mime);
	/* files of a set never change once written; the manifest does */
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	enum MHD_Result rc = MHD_queue_response(con, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result do_api(struct web *w, struct MHD_Connection *con, struct conn *cn)
{
	struct web_req *r = calloc(1, sizeof(*r));
	if (!r)
		return MHD_NO;
	r->w = w;
	r->body = cn->body ? cn->body : strdup("");
	r->len = cn->len;
	cn->body = NULL;
	web_req_submit(w, r);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WEB_REPLY_WAIT_S;
	pthread_mutex_lock(&w->lock);
	while (!r->done && !w->stopping)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT)
			break;
	char *reply = r->done ? r->reply : NULL;
	int stopping = w->stopping;
	r->reply = NULL;
	web_req_put(w, r);
	pthread_mutex_unlock(&w->lock);
	if (!reply)
		return send_json(w, con, stopping ? MHD_HTTP_SERVICE_UNAVAILABLE
				 : MHD_HTTP_GATEWAY_TIMEOUT, "{\"ok\":false,\"error\":\"%s\"}",
				 stopping ? "photorigd is stopping" : "no reply from photorigd in time; "
				 "the work may go on: watch the events");
	enum MHD_Result rc = send_buf(w, con, MHD_HTTP_OK, "application/json", reply,
				      strlen(reply), 1);
	free(reply);
	return rc;
}

/* "password=..." of an application/x-www-form-urlencoded body, decoded. */
static void form_password(char *body, char *out, size_t size)
{
	out[0] = '\0';
	for (char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, "password=", 9))
			continue;
		size_t n = strcspn(p + 9, "&");
		if (n >= size)
			n = size - 1;
		memcpy(out, p + 9, n);
		out[n] = '\0';
		for (char *c = out; *c; c++)
			if (*c == '+')
				*c = ' ';
		MHD_http_unescape(out);
		return;
	}
}

static enum MHD_Result do_login(struct web *w, struct MHD_Connection *con, struct conn *cn)
{
	char password[1024], token[WEB_TOKEN_HEX + 1], why[512];
	form_password(cn->body ? cn->body : (char *)"", password, sizeof(password));
	int rc = web_login_password(w, password, token, why, sizeof(why));
	explicit_bzero(password, sizeof(password));
	if (rc) {
		LOG_RATELIMITED(PR_LOG_NOTICE, "web: login refused: %s", why);
		return unauthorized(w, con, "GET");
	}
	char cookie[256];
	snprintf(cookie, sizeof(cookie), COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
		 w->tls ? "; Secure" : "");
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"",
								    MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	add_headers(w, resp);
	MHD_add_response_header(resp, "Set-Cookie", cookie);
	MHD_add_response_header(resp, "Location", "/");
	enum MHD_Result r = MHD_queue_response(con, MHD_HTTP_SEE_OTHER, resp);
	MHD_destroy_response(resp);
	return r;
}

/* The first call of a request: everything decided from its headers. Returns
 * 1 when a response was queued (into *res). */
static int first_call(struct web *w, struct MHD_Connection *con, const char *url,
		      const char *method, struct conn *cn, enum MHD_Result *res)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	const void *addr = "";
	size_t alen = 1;
	if (sa && sa->sa_family == AF_INET) {
		addr = &((const struct sockaddr_in *)sa)->sin_addr;
		alen = 4;
	} else if (sa && sa->sa_family == AF_INET6) {
		addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		alen = 16;
	}
	int post = !strcmp(method, "POST");
	if (!web_rate_take(w, addr, alen)) {
		*res = send_json(w, con, MHD_HTTP_TOO_MANY_REQUESTS, "{\"ok\":false,\"error\":"
				 "\"too many requests: at most %.0f a second\"}", WEB_RATE_PER_S);
		return 1;
	}
	if (!post && strcmp(method, "GET") && strcmp(method, "HEAD")) {
		*res = send_json(w, con, MHD_HTTP_METHOD_NOT_ALLOWED, "{\"ok\":false,\"error\":"
				 "\"method not allowed\"}");
		return 1;
	}
	const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
	int login = post && !strcmp(url, "/login");
	const char *cookie = MHD_lookup_connection_value(con, MHD_COOKIE_KIND, COOKIE);
	if (cookie)
		snprintf(cn->token, sizeof(cn->token), "%s", cookie);
	if (w->auth == PR_WEB_AUTH_NONE) {
		cn->authed = 1;
		pthread_mutex_lock(&w->lock);
		snprintf(cn->csrf, sizeof(cn->csrf), "%s", w->logins[0].csrf);
		pthread_mutex_unlock(&w->lock);
	} else {
		cn->authed = web_login_check(w, cookie, cn->csrf);
	}
	if (!cn->authed && !login) {
		*res = unauthorized(w, con, method);
		return 1;
	}
	if (post && !login) {
		const char *tok = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-CSRF-Token");
		if (!tok || !web_equal(tok, cn->csrf)) {
			*res = send_json(w, con, MHD_HTTP_FORBIDDEN, "{\"ok\":false,\"error\":"
					 "\"missing or wrong CSRF token (X-CSRF-Token)\"}");
			return 1;
		}
	}
	if (cl && strtoull(cl, NULL, 10) > WEB_BODY_MAX) {
		*res = send_json(w, con, MHD_HTTP_CONTENT_TOO_LARGE, "{\"ok\":false,\"error\":"
				 "\"request too large (more than %d bytes)\"}", WEB_BODY_MAX);
		return 1;
	}
	return 0;
}

static enum MHD_Result serve_get(struct web *w, struct MHD_Connection *con, const char *url,
				 struct conn *cn)
{
	const struct web_asset *a = asset(!strcmp(url, "/") ? "/index.html" : url);
	if (a)
		return send_asset(w, con, MHD_HTTP_OK, a);
	if (!strcmp(url, "/api/session"))
		return send_json(w, con, MHD_HTTP_OK, "{\"ok\":true,\"csrf\":\"%s\",\"auth\":\"%s\","
				 "\"tls\":%s}", cn->csrf, w->auth == PR_WEB_AUTH_NONE ? "none"
				 : "password", w->tls ? "true" : "false");
	if (!strcmp(url, "/events"))
		return serve_events(w, con);
	if (!strncmp(url, "/files/", 7))
		return serve_file(w, con, url + 7);
	return send_json(w, con, MHD_HTTP_NOT_FOUND, "{\"ok\":false,\"error\":\"not found\"}");
}

enum MHD_Result web_handler(void *cls, struct MHD_Connection *con, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct web *w = cls;
	struct conn *cn = *con_cls;
	(void)version;
	/* Serving a page can wait; a camera thread arming for a trigger cannot.
	 * Like the mask workers, connection threads run at a lower priority
	 * (per thread on Linux), so a client hammering the page does not take
	 * the cores from the cameras. */
	static _Thread_local int niced;
	if (!niced) {
		niced = 1;
		if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WEB_NICE))
			LOG_DEBUG("web: connection thread keeps its priority: %s", strerror(errno));
	}
	if (!cn) {
		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		*con_cls = cn;
		enum MHD_Result res;
		if (first_call(w, con, url, method, cn, &res))
			return res;
		if (strcmp(method, "POST"))
			return serve_get(w, con, url, cn);
		return MHD_YES; /* the body follows */
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (cn->too_big || cn->len + n > WEB_BODY_MAX) {
			cn->too_big = 1; /* a chunked body without a length: counted as it comes */
			return MHD_YES;
		}
		char *b = realloc(cn->body, cn->len + n + 1);
		if (!b)
			return MHD_NO;
		memcpy(b + cn->len, upload, n);
		cn->len += n;
		b[cn->len] = '\0';
		cn->body = b;
		return MHD_YES;
	}
	if (cn->too_big)
		return send_json(w, con, MHD_HTTP_CONTENT_TOO_LARGE, "{\"ok\":false,\"error\":"
				 "\"request too large (more than %d bytes)\"}", WEB_BODY_MAX);
	if (!strcmp(url, "/login"))
		return do_login(w, con, cn);
	if (!strcmp(url, "/logout")) {
		web_logout(w, cn->token);
		return send_json(w, con, MHD_HTTP_OK, "{\"ok\":true}");
	}
	if (!strcmp(url, "/api"))
		return do_api(w, con, cn);
	return send_json(w, con, MHD_HTTP_NOT_FOUND, "{\"ok\":false,\"error\":\"not found\"}");
}

void web_completed(void *cls, struct MHD_Connection *con, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;
	(void)cls;
	(void)con;
	(void)toe;
	if (cn) {
		free(cn->body);
		free(cn);
	}
	*con_cls = NULL;
}
