/* photorig config: checks of names and addresses that the daemon also uses
 * on values given at run time (session names, the page's listen address). */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int pr_config_check_name(const char *name, char *why, size_t size)
{
	size_t n = strlen(name);
	if (n < 1 || n > PR_CONFIG_NAME_MAX) {
		snprintf(why, size, "must be 1..%d characters", PR_CONFIG_NAME_MAX);
		return -1;
	}
	for (const char *p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-') {
			snprintf(why, size, "only letters, digits, '.', '_' and '-' are allowed");
			return -1;
		}
	}
	/* Names become folder and file names: "." and ".." would be path tricks. */
	if (strspn(name, ".") == n) {
		snprintf(why, size, "'.' and '..' are not names");
		return -1;
	}
	return 0;
}

int pr_config_parse_listen(const char *s, void *addr, unsigned *len, int *loopback, char *why,
			   size_t size)
{
	char host[64];
	const char *colon, *h = s;
	size_t hl;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':') {
			snprintf(why, size, "expected [IPv6]:PORT, e.g. [::1]:8080");
			return -1;
		}
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon) {
			snprintf(why, size, "expected HOST:PORT with an IPv4 address, e.g. 127.0.0.1:8080");
			return -1;
		}
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(why, size, "the address before ':PORT' is missing or too long");
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end || port < 1 || port > 65535) {
		snprintf(why, size, "the port must be a number 1..65535");
		return -1;
	}
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) {
			snprintf(why, size, "'%s' is not an IPv6 address", host);
			return -1;
		}
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
			snprintf(why, size, "'%s' is not an IPv4 address (names are not looked up)", host);
			return -1;
		}
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
		*len = sizeof(*a);
	}
	memcpy(addr, &ss, *len);
	return 0;
}

int pr_config_check_listen(const void *field, char *why, size_t size)
{
	struct sockaddr_storage ss;
	unsigned len = sizeof(ss);
	int lb;
	return pr_config_parse_listen(field, &ss, &len, &lb, why, size);
}
