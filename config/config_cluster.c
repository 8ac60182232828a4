/* photorig config: the [cluster] section's checks (see config_cluster.h).
 *
 * The broker address is split here once, so the daemon connects to exactly
 * what `photorigd -n` showed. The password itself is never read by the
 * config: only the file's kind and mode are checked, so that a password left
 * readable by others is an error before any node sends it to a broker. */
#include "config_schema.h"
#include "config_cluster.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pr_cluster_parse_broker(const char *url, char *host, size_t size, int *port, int *tls,
			    char *why, size_t wsize)
{
	const char *p;
	if (!strncmp(url, "mqtt://", 7)) {
		*tls = 0;
		p = url + 7;
	} else if (!strncmp(url, "mqtts://", 8)) {
		*tls = 1;
		p = url + 8;
	} else {
		snprintf(why, wsize, "expected mqtt://HOST:PORT or mqtts://HOST:PORT");
		return -1;
	}
	*port = *tls ? 8883 : 1883;
	const char *end;
	if (*p == '[') { /* [IPv6]:PORT */
		end = strchr(p, ']');
		if (!end || end == p + 1) {
			snprintf(why, wsize, "an IPv6 address is written [ADDRESS]");
			return -1;
		}
		p++;
	} else {
		end = p + strcspn(p, ":/");
	}
	size_t n = (size_t)(end - p);
	if (n == 0 || n >= size) {
		snprintf(why, wsize, n ? "host name too long" : "no host name");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == ':')) {
			snprintf(why, wsize, "'%c' is not allowed in a host name", c);
			return -1;
		}
	}
	memcpy(host, p, n);
	host[n] = '\0';
	const char *rest = end + (*end == ']');
	if (*rest == ':') {
		char *e;
		errno = 0;
		long v = strtol(rest + 1, &e, 10);
		if (e == rest + 1 || *e || errno || v < 1 || v > 65535) {
			snprintf(why, wsize, "the port must be 1..65535");
			return -1;
		}
		*port = (int)v;
	} else if (*rest) {
		snprintf(why, wsize, "nothing may follow HOST:PORT (no path)");
		return -1;
	}
	return 0;
}

int cfg_check_broker(const void *field, char *why, size_t size)
{
	char host[200];
	int port, tls;
	return pr_cluster_parse_broker(field, host, sizeof(host), &port, &tls, why, size);
}

/* Node and rig names become MQTT topic levels and folder names: plain names
 * only, so never '+', '#' or '/'. Empty: the default (filled in later). */
int cfg_check_node_name(const void *field, char *why, size_t size)
{
	const char *s = field;
	return *s ? pr_config_check_name(s, why, size) : 0;
}

int cfg_check_username(const void *field, char *why, size_t size)
{
	for (const unsigned char *p = field; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(why, size, "control characters are not allowed");
			return -1;
		}
	return 0;
}

static int line_of(const int *lines, const char *key, int header)
{
	const struct cfg_key *k = cfg_find_key(SEC_CLUSTER, key);
	int l = k ? lines[k - pr_cfg_keys] : 0;
	return l ? l : header;
}

static void default_node(struct pr_cluster_config *cl, int header, cfg_err_fn err, void *ctx)
{
	char host[HOST_NAME_MAX + 1] = "", why[160], msg[300];
	if (gethostname(host, sizeof(host)) || !host[0]) {
		err(ctx, header, "[cluster]: the host name cannot be read: set node = NAME");
		return;
	}
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0'; /* the short name: ws-2, not ws-2.studio.lan */
	if (pr_config_check_name(host, why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "[cluster]: the host name '%.64s' is not a node name (%s): "
			 "set node = NAME", host, why);
		err(ctx, header, msg);
		return;
	}
	snprintf(cl->node, sizeof(cl->node), "%s", host);
}

static void check_password_file(const struct pr_cluster_config *cl, int line, cfg_err_fn err,
				void *ctx)
{
	struct stat st;
	char msg[300 + PR_CONFIG_PATH_MAX];
	if (stat(cl->password_file, &st)) {
		snprintf(msg, sizeof(msg), "[cluster] password_file = %s: %s", cl->password_file,
			 strerror(errno));
		err(ctx, line, msg);
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(msg, sizeof(msg), "[cluster] password_file = %s: not a regular file",
			 cl->password_file);
		err(ctx, line, msg);
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(msg, sizeof(msg), "[cluster] password_file = %s: others may read it (mode "
			 "%04o); it must be readable by photorig only: chmod 600, owned by photorig",
			 cl->password_file, (unsigned)(st.st_mode & 07777));
		err(ctx, line, msg);
	}
}

void cfg_cluster_finish(struct pr_config *cfg, const int *lines, int header, cfg_err_fn err,
			void *ctx)
{
	struct pr_cluster_config *cl = &cfg->cluster;
	char why[160], msg[300 + PR_CONFIG_PATH_MAX];
	if (!cl->node[0])
		default_node(cl, header, err, ctx);
	if (!cl->rig[0])
		snprintf(cl->rig, sizeof(cl->rig), "%s", cfg->rig.name);
	if (cl->broker[0] && pr_cluster_parse_broker(cl->broker, cl->host, sizeof(cl->host),
						     &cl->port, &cl->tls, why, sizeof(why)))
		return; /* already reported at its line */
	if (cl->tls && !cl->ca_file[0])
		err(ctx, line_of(lines, "broker", header), "[cluster] broker: mqtts:// needs ca_file "
		    "= the CA certificate that signed the broker's (PEM)");
	if (!cl->tls && cl->ca_file[0])
		err(ctx, line_of(lines, "ca_file", header), "[cluster] ca_file: only for an mqtts:// "
		    "broker (this one is mqtt://)");
	if (cl->ca_file[0] && access(cl->ca_file, R_OK)) {
		snprintf(msg, sizeof(msg), "[cluster] ca_file = %s: %s", cl->ca_file, strerror(errno));
		err(ctx, line_of(lines, "ca_file", header), msg);
	}
	if (cl->password_file[0] && !cl->username[0])
		err(ctx, line_of(lines, "password_file", header), "[cluster] password_file: needs "
		    "username = ... (the broker's user)");
	if (cl->password_file[0])
		check_password_file(cl, line_of(lines, "password_file", header), err, ctx);
}
