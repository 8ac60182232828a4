/* photorig client: session folders and manifests (cli_session.h). */
#define _GNU_SOURCE
#include "cli_session.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client_conn.h"
#include "imageio.h"


#define MANIFEST_MAX ((size_t)256 << 20)

static int is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int cli_session_dir(const char *cmd, const char *arg, const char *socket_opt, char *out,
		    size_t size)
{
	char why[128];
	/* a path wins: it works with no daemon and for a copied session */
	if (strchr(arg, '/') || is_dir(arg) || pr_proto_check_name(arg, why, sizeof(why))) {
		if (!is_dir(arg)) {
			fprintf(stderr, "photorig %s: %s is not a folder\n", cmd, arg);
			return -1;
		}
		if ((size_t)snprintf(out, size, "%s", arg) >= size) {
			fprintf(stderr, "photorig %s: %s: path too long\n", cmd, arg);
			return -1;
		}
		return 0;
	}
	struct pr_request req;
	struct pr_reply rep = { 0 };
	pr_request_init(&req, PR_OP_SESSION_LIST, 1);
	if (client_simple(cmd, socket_opt, &req, 30000, 0, &rep)) {
		fprintf(stderr, "photorig %s: '%s' is not a folder here, and photorigd was not there "
			"to say where its session '%s' is: give the session folder's path\n",
			cmd, arg, arg);
		return -1;
	}
	json_object *list;
	int rc = -1;
	if (json_object_object_get_ex(rep.obj, "sessions", &list) &&
	    json_object_is_type(list, json_type_array))
		for (size_t i = 0; rc && i < json_object_array_length(list); i++) {
			json_object *s = json_object_array_get_idx(list, i);
			const char *dir = pr_json_str(s, "dir", NULL);
			if (strcmp(pr_json_str(s, "name", ""), arg) || !dir)
				continue;
			rc = (size_t)snprintf(out, size, "%s", dir) < size ? 0 : -1;
		}
	if (rc)
		fprintf(stderr, "photorig %s: photorigd has no session '%s' (photorig session list "
			"shows them)\n", cmd, arg);
	pr_reply_free(&rep);
	return rc;
}

json_object *cli_read_manifest(const char *cmd, const char *dir)
{
	char path[PATH_MAX];
	uint8_t *data;
	size_t len;
	struct pr_error err;
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if (pr_read_file(path, MANIFEST_MAX, &data, &len, &err)) {
		fprintf(stderr, "photorig %s: %s (is %s a session folder?)\n", cmd, err.msg, dir);
		return NULL;
	}
	json_tokener *tok = json_tokener_new();
	json_object *m = tok ? json_tokener_parse_ex(tok, (const char *)data, (int)len) : NULL;
	if (tok && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(m);
		m = NULL;
	}
	json_tokener_free(tok);
	free(data);
	json_object *sets;
	if (!m || !json_object_object_get_ex(m, "sets", &sets) ||
	    !json_object_is_type(sets, json_type_array)) {
		fprintf(stderr, "photorig %s: %s is not a session manifest\n", cmd, path);
		json_object_put(m);
		return NULL;
	}
	return m;
}

static int parse_set(const char *s, char **end, uint32_t *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long v = strtoul(s, end, 10);
	if (v < 1 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int cli_parse_sets(const char *cmd, const char *text, uint32_t *lo, uint32_t *hi)
{
	char *end;
	if (parse_set(text, &end, lo))
		goto bad;
	*hi = *lo;
	if (*end == '-' && parse_set(end + 1, &end, hi))
		goto bad;
	if (*end || *hi < *lo)
		goto bad;
	return 0;
bad:
	fprintf(stderr, "photorig %s: --sets '%s': expected A-B or A, set numbers from 1, A <= B\n",
		cmd, text);
	return -1;
}

int cli_list_has(const char *list, const char *name)
{
	if (!list)
		return 1;
	size_t n = strlen(name);
	for (const char *s = list; *s;) {
		size_t len = strcspn(s, ",");
		if (len == n && !strncmp(s, name, n))
			return 1;
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

static int manifest_has_camera(json_object *m, const char *name, size_t len)
{
	json_object *sets, *shots;
	json_object_object_get_ex(m, "sets", &sets);
	for (size_t i = 0; i < json_object_array_length(sets); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(sets, i), "shots", &shots) &&
		    json_object_is_type(shots, json_type_array))
			for (size_t k = 0; k < json_object_array_length(shots); k++) {
				const char *c = pr_json_str(json_object_array_get_idx(shots, k),
							    "camera", "");
				if (strlen(c) == len && !strncmp(c, name, len))
					return 1;
			}
	return 0;
}

int cli_check_cameras(const char *cmd, json_object *manifest, const char *list)
{
	for (const char *s = list; s && *s;) {
		size_t len = strcspn(s, ",");
		if (!manifest_has_camera(manifest, s, len)) {
			fprintf(stderr, "photorig %s: --cameras: no camera '%.*s' in this session\n",
				cmd, (int)len, s);
			return -1;
		}
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* Does anything listen on the socket? Asked quietly: no answer is not an
 * error here, the listing is then made from the files. */
int client_daemon_answers(const char *sock_opt)
{
	const char *path = client_socket_path(sock_opt);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EACCES ||
		 errno == EPERM; /* there, but not for us: say so through client_simple */
	close(fd);
	return ok;
}
