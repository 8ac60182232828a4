/* photorigd, the operator page: starting and stopping the server. The
 * page's settings ([web]) are read at start; a reload does not change them. */
#define _GNU_SOURCE
#include "daemon.h"
#include "loop.h"
#include "sync.h"
#include "web.h"
#include "web_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define WEB_CONNECTIONS 64
#define WEB_PER_IP 32

/* One page per process, like the control socket: the loop's callbacks
 * (web_on_event, web_stop) find it here. */
static struct web *the_web;

/* ---- start and stop (loop thread) ---- */

static char *read_pem(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (!fstat(fd, &st) && st.st_size > 0 && st.st_size < 1024 * 1024 &&
	    (buf = calloc(1, (size_t)st.st_size + 1)) &&
	    read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

static void web_free(struct web *w)
{
	if (w->evfd >= 0)
		close(w->evfd);
	for (int i = 0; i < WEB_EVENTS_RING; i++)
		free(w->events[i]);
	free(w->tls_cert);
	free(w->tls_key);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}

int web_start(struct daemon *d)
{
	const struct pr_web_config *c = &d->cfg.web;
	char why[256];
	struct sockaddr_storage sa;
	unsigned salen = sizeof(sa);
	int loopback = 0;
	if (!c->enabled) {
		LOG_INFO("web: the operator page is off ([web] enabled = false)");
		return 0;
	}
	if (pr_config_parse_listen(c->listen, &sa, &salen, &loopback, why, sizeof(why))) {
		LOG_ERR("web: [web] listen = %s: %s; the page is not served", c->listen, why);
		return 0;
	}
	struct web *w = calloc(1, sizeof(*w));
	if (!w)
		return 0;
	w->d = d;
	w->evfd = -1;
	w->auth = c->auth;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	snprintf(w->output_root, sizeof(w->output_root), "%s", d->cfg.daemon.output_root);
	if (c->password_file[0])
		snprintf(w->password_file, sizeof(w->password_file), "%s", c->password_file);
	else if (pathf(w->password_file, sizeof(w->password_file), "%s/web-password",
		       d->cfg.daemon.state_dir))
		LOG_WARN("web: the state folder's path is too long for its web-password file");
	if (c->auth == PR_WEB_AUTH_NONE) {
		if (!loopback) { /* the config check refuses it too; never serve it */
			LOG_ERR("web: auth = none on %s, not a loopback address: not served", c->listen);
			web_free(w);
			return 0;
		}
		LOG_WARN("web: auth = none: every local user can drive the rig through the page at "
			 "%s, past the control socket's group check", c->listen);
		web_random_hex(w->logins[0].csrf, WEB_TOKEN_HEX / 2);
	} else if (access(w->password_file, F_OK)) {
		LOG_NOTICE("web: the operator page is not served: no password is set (%s); set one "
			   "with: photorig web-password --file %s, then restart photorigd",
			   w->password_file, w->password_file);
		web_free(w);
		return 0;
	}
	if (c->tls_cert[0]) {
		w->tls_cert = read_pem(c->tls_cert);
		w->tls_key = read_pem(c->tls_key);
		if (!w->tls_cert || !w->tls_key) {
			LOG_ERR("web: cannot read [web] tls_cert %s or tls_key %s: the page is not "
				"served", c->tls_cert, c->tls_key);
			web_free(w);
			return 0;
		}
		w->tls = 1;
	}
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->evfd < 0 || loop_add_fd(d, w->evfd, TAG_WEB)) {
		LOG_ERR("web: eventfd: %s; the page is not served", strerror(errno));
		web_free(w);
		return 0;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_ERROR_LOG | (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
			 (w->tls ? MHD_USE_TLS : 0);
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, w->tls_cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, w->tls_key },
		{ MHD_OPTION_END, 0, NULL },
	};
	w->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, web_handler, w,
		MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, w,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, web_completed, w,
		MHD_OPTION_ARRAY, w->tls ? tls_opts : &tls_opts[2],
		MHD_OPTION_END);
	if (!w->mhd) {
		LOG_ERR("web: cannot serve the page on %s (address in use, or the TLS certificate or "
			"key is not valid PEM): photorigd goes on without it", c->listen);
		web_free(w);
		return 0;
	}
	if (web_bus_subscribe(w)) {
		LOG_ERR("web: no room on the event bus: the page is not served");
		MHD_stop_daemon(w->mhd);
		web_free(w);
		return 0;
	}
	the_web = w;
	LOG_NOTICE("web: the operator page is at %s://%s/ (%s)", w->tls ? "https" : "http",
		   c->listen, c->auth == PR_WEB_AUTH_NONE ? "no password" : "password");
	return 0;
}

void web_on_event(struct daemon *d)
{
	(void)d;
	if (the_web)
		web_loop_take(the_web);
}

void web_stop(struct daemon *d)
{
	struct web *w = the_web;
	(void)d;
	if (!w)
		return;
	the_web = NULL;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	MHD_stop_daemon(w->mhd); /* joins the connection threads */
	web_loop_drop(w);
	web_free(w);
}
