/* photorigd, the operator page: logins, CSRF tokens and request rates.
 *
 * The password is stored as a crypt(5) hash (yescrypt, salted, made by
 * `photorig web-password`) in a file readable by photorig only; it is read
 * at every login so a new password counts without a restart. A login gets a
 * random cookie token and a random CSRF token; both live in memory only, so
 * a restart logs everyone out. The cookie is HttpOnly and SameSite=Strict
 * (web.c); every state-changing request must also carry the CSRF token in a
 * header, which a page of another site cannot read. */
#define _GNU_SOURCE
#include "web_internal.h"
#include "clock.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "log.h"

void web_random_hex(char *out, size_t nbytes)
{
	unsigned char buf[64];
	size_t got = 0;
	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	while (got < nbytes) {
		ssize_t n = getrandom(buf + got, nbytes - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			abort(); /* no randomness means no safe token: never hand out a weak one */
		got += (size_t)n;
	}
	for (size_t i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", buf[i]);
	out[2 * nbytes] = '\0';
}

int web_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* The stored hash: the file's first line. */
static int read_hash(const char *path, char *out, size_t size, char *why, size_t wsize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(why, wsize, "no password is set (%s: %s); set one with photorig web-password",
			 path, strerror(errno));
		return -1;
	}
	ssize_t n = read(fd, out, size - 1);
	close(fd);
	if (n <= 0) {
		snprintf(why, wsize, "%s is empty or unreadable", path);
		return -1;
	}
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (out[0] != '$') {
		snprintf(why, wsize, "%s does not hold a crypt(5) hash; set the password again with "
			 "photorig web-password", path);
		return -1;
	}
	return 0;
}

int web_login_password(struct web *w, const char *password, char *token, char *why, size_t size)
{
	char hash[512];
	if (read_hash(w->password_file, hash, sizeof(hash), why, size))
		return -2;
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (!cd) {
		snprintf(why, size, "out of memory");
		return -2;
	}
	const char *got = crypt_r(password, hash, cd);
	int ok = got && got[0] == '$' && web_equal(got, hash);
	free(cd);
	if (!ok) {
		snprintf(why, size, "wrong password");
		return -1;
	}
	pthread_mutex_lock(&w->lock);
	/* a free slot, else the login idle longest */
	struct web_login *slot = &w->logins[0];
	for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
		if (!w->logins[i].token[0]) {
			slot = &w->logins[i];
			break;
		}
		if (w->logins[i].last_used < slot->last_used)
			slot = &w->logins[i];
	}
	web_random_hex(slot->token, WEB_TOKEN_HEX / 2);
	web_random_hex(slot->csrf, WEB_TOKEN_HEX / 2);
	slot->last_used = pr_monotonic_s();
	snprintf(token, WEB_TOKEN_HEX + 1, "%s", slot->token);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int web_login_check(struct web *w, const char *token, char *csrf)
{
	int found = 0;
	if (!token || strlen(token) != WEB_TOKEN_HEX)
		return 0;
	double now = pr_monotonic_s();
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct web_login *l = &w->logins[i];
		if (!l->token[0])
			continue;
		if (now - l->last_used > WEB_SESSION_TTL_S) {
			memset(l, 0, sizeof(*l));
			continue;
		}
		if (web_equal(l->token, token)) {
			l->last_used = now;
			if (csrf)
				snprintf(csrf, WEB_TOKEN_HEX + 1, "%s", l->csrf);
			found = 1;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return found;
}

void web_logout(struct web *w, const char *token)
{
	if (!token)
		return;
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < WEB_SESSIONS_MAX; i++)
		if (w->logins[i].token[0] && web_equal(w->logins[i].token, token))
			memset(&w->logins[i], 0, sizeof(w->logins[i]));
	pthread_mutex_unlock(&w->lock);
}

/* A token bucket per client address (the table's least recently refilled
 * entry is reused for a new address), so one client hammering the page
 * gets 429s while the others, and the daemon's loop, carry on. */
int web_rate_take(struct web *w, const void *addr, size_t len)
{
	unsigned char key[16] = { 0 };
	memcpy(key, addr, len < sizeof(key) ? len : sizeof(key));
	double now = pr_monotonic_s();
	int ok;
	pthread_mutex_lock(&w->lock);
	struct web_rate *r = NULL, *oldest = &w->rates[0];
	for (int i = 0; i < WEB_RATE_CLIENTS; i++) {
		if (!memcmp(w->rates[i].addr, key, sizeof(key)) && w->rates[i].refilled > 0) {
			r = &w->rates[i];
			break;
		}
		if (w->rates[i].refilled < oldest->refilled)
			oldest = &w->rates[i];
	}
	if (!r) {
		r = oldest;
		memcpy(r->addr, key, sizeof(key));
		r->tokens = WEB_RATE_BURST;
		r->refilled = now;
	}
	r->tokens += (now - r->refilled) * WEB_RATE_PER_S;
	if (r->tokens > WEB_RATE_BURST)
		r->tokens = WEB_RATE_BURST;
	r->refilled = now;
	ok = r->tokens >= 1.0;
	if (ok)
		r->tokens -= 1.0;
	pthread_mutex_unlock(&w->lock);
	return ok;
}
