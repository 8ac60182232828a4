/* photorigd: the operator page (web.c, web_loop.c, web_auth.c, web_files.c).
 *
 * libmicrohttpd serves the page from its own threads (one per connection).
 * Those threads never touch the daemon's state: a page request that acts
 * (POST /api, one protocol request as JSON) is queued and handed to the
 * loop through an eventfd; the loop runs it through ops_dispatch, exactly
 * as a control-socket line, under a requester id of its own; the page is a
 * front end of the event bus (events.h), which hands the reply back to the
 * waiting connection thread. The daemon's events reach the page
 * as Server-Sent Events (GET /events). Static files are built into the
 * binary (daemon/web/, embedded at build time); session files are served
 * from the session folders only. */
#ifndef PHOTORIGD_WEB_H
#define PHOTORIGD_WEB_H

struct daemon;

/* Loop setup: start serving when [web] enabled (and, with auth = password,
 * a password has been set). A page that cannot start is logged, never
 * fatal: captures do not depend on it. Returns 0. */
int web_start(struct daemon *d);
/* Loop: the page's eventfd is readable (requests queued). */
void web_on_event(struct daemon *d);
/* Stop serving: waiting requests are answered "stopping", threads joined. */
void web_stop(struct daemon *d);

#endif
