/* photorigd: output file names from [rig] file_template.
 *
 * Tokens: {session} {set} {camera} {serial} {seq} {date} {time}; {set} and
 * {seq} take a zero-padded width, {set:04} -> 0007. The config checks the
 * template when it is loaded; here anything unexpected is still handled
 * (copied literally), because a name is built for every shot and must never
 * fail half-way through a set. Values that come from a device (the serial)
 * are reduced to letters, digits, '.', '_' and '-', so a camera cannot put
 * a '/' into a path. */
#define _GNU_SOURCE
#include "naming.h"

#include "daemon.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct out {
	char *buf;
	size_t size, len;
	int overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n >= o->size) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* A value from outside: only safe file-name characters survive. */
static void put_clean(struct out *o, const char *s)
{
	for (; *s; s++) {
		char c = *s;
		if (!isalnum((unsigned char)c) && c != '.' && c != '_' && c != '-')
			c = '_';
		put(o, &c, 1);
	}
}

static void put_number(struct out *o, uint32_t v, int width)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%0*u", width, v);
	put(o, num, (size_t)n);
}

int naming_expand(const char *tmpl, const char *session, uint32_t set, const char *camera,
		  const char *serial, uint32_t seq, int64_t time_ns, char *buf, size_t size)
{
	struct out o = { buf, size, 0, 0 };
	time_t t = (time_t)(time_ns / 1000000000LL);
	struct tm tm;
	localtime_r(&t, &tm);
	if (size)
		buf[0] = '\0';
	for (const char *p = tmpl; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		if (!close) {
			put(&o, p, 1);
			p++;
			continue;
		}
		char tok[32];
		size_t n = (size_t)(close - p - 1);
		int width = 0;
		if (n >= sizeof(tok)) {
			put(&o, p, 1);
			p++;
			continue;
		}
		memcpy(tok, p + 1, n);
		tok[n] = '\0';
		char *colon = strchr(tok, ':');
		if (colon) {
			*colon = '\0';
			width = atoi(colon + 1);
			if (width < 0 || width > 12)
				width = 0;
		}
		char tmp[32];
		if (!strcmp(tok, "session"))
			put_clean(&o, session);
		else if (!strcmp(tok, "set"))
			put_number(&o, set, width);
		else if (!strcmp(tok, "camera"))
			put_clean(&o, camera);
		else if (!strcmp(tok, "serial"))
			put_clean(&o, serial && serial[0] ? serial : "noserial");
		else if (!strcmp(tok, "seq"))
			put_number(&o, seq, width);
		else if (!strcmp(tok, "date"))
			put(&o, tmp, strftime(tmp, sizeof(tmp), "%Y%m%d", &tm));
		else if (!strcmp(tok, "time"))
			put(&o, tmp, strftime(tmp, sizeof(tmp), "%H%M%S", &tm));
		else
			put(&o, p, (size_t)(close - p + 1));
		p = close + 1;
	}
	/* never a hidden or empty name */
	if (!o.overflow && (o.len == 0 || buf[0] == '.'))
		return PR_EINVAL;
	return o.overflow ? PR_EINVAL : 0;
}
