/* photorig session list: each session's sets, complete sets, size on disk
 * and last activity.
 *
 * Through photorigd when it answers (it knows which session is active);
 * otherwise read from the sessions folder itself, output_root of the
 * daemon's config (--config FILE, else $PHOTORIG_CONFIG, else
 * /etc/photorig/photorig.ini), with the same numbers: sets from each
 * manifest.json, the space and the newest file from a walk of the folder
 * (core/protocol/session_summary.c, which photorigd uses too). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli_session.h"
#include "client_conn.h"
#include "cmd_session_list.h"
#include "config.h"
#include "session_summary.h"

#define LIST_MAX 1000
#define DEFAULT_CONFIG "/etc/photorig/photorig.ini"

static void human_bytes(int64_t b, char *buf, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)b;
	size_t u = 0;
	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void print_sessions(json_object *list)
{
	printf("%-32s %6s %8s %10s  %s\n", "SESSION", "SETS", "COMPLETE", "SIZE", "LAST ACTIVITY");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *s = json_object_array_get_idx(list, i);
		char size[32] = "?", when[32] = "?";
		json_object *v;
		if (json_object_object_get_ex(s, "bytes", &v))
			human_bytes(json_object_get_int64(v), size, sizeof(size));
		if (json_object_object_get_ex(s, "last_ns", &v) && json_object_get_int64(v) > 0) {
			time_t t = (time_t)(json_object_get_int64(v) / 1000000000);
			struct tm tm;
			if (localtime_r(&t, &tm))
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		}
		printf("%-32s %6lld %8lld %10s  %s%s\n", pr_json_str(s, "name", "?"),
		       (long long)pr_json_int(s, "sets", 0), (long long)pr_json_int(s, "complete", 0),
		       size, when, pr_json_bool(s, "active", 0) ? "  [active]" : "");
	}
}

/* One session as photorigd describes it (daemon/session_list.c). */
static json_object *describe(const char *root, const char *name, const char *active)
{
	char dir[PATH_MAX + NAME_MAX + 2];
	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "dir", json_object_new_string(dir));
	json_object_object_add(o, "active", json_object_new_boolean(!strcmp(name, active)));
	pr_session_summary(o, dir);
	return o;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_offline(const char *config, int json)
{
	if (!config)
		config = getenv("PHOTORIG_CONFIG");
	if (!config || !*config)
		config = DEFAULT_CONFIG;
	struct pr_config cfg;
	struct pr_error_list errs;
	pr_error_list_init(&errs);
	if (pr_config_load(config, &cfg, &errs)) {
		fprintf(stderr, "photorig session: photorigd does not answer, and its config %s "
			"cannot be read to find the sessions (--config FILE):\n", config);
		pr_error_list_print(&errs, stderr);
		return 1;
	}
	const char *root = cfg.daemon.output_root;
	char active[PR_PROTO_NAME_MAX + 2] = "", path[PATH_MAX + NAME_MAX + 32];
	snprintf(path, sizeof(path), "%s/active_session", cfg.daemon.state_dir);
	FILE *f = fopen(path, "re");
	if (f) {
		if (!fgets(active, sizeof(active), f))
			active[0] = '\0';
		active[strcspn(active, "\r\n")] = '\0';
		fclose(f);
	}
	json_object *list = json_object_new_array();
	DIR *d = opendir(root);
	int rc = 0;
	if (!d && errno != ENOENT) {
		fprintf(stderr, "photorig session: cannot read %s: %s\n", root, strerror(errno));
		rc = 1;
	}
	char *names[LIST_MAX];
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) && n < LIST_MAX) {
		char why[128];
		if (pr_proto_check_name(e->d_name, why, sizeof(why)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/journal.jsonl", root, e->d_name);
		if (access(path, F_OK) == 0 && (names[n] = strdup(e->d_name)))
			n++;
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (size_t i = 0; i < n; i++) {
		json_object_array_add(list, describe(root, names[i], active));
		free(names[i]);
	}
	if (!rc && json) {
		json_object *r = json_object_new_object();
		json_object_object_add(r, "ok", json_object_new_boolean(1));
		json_object_object_add(r, "offline", json_object_new_boolean(1));
		json_object_object_add(r, "output_root", json_object_new_string(root));
		json_object_object_add(r, "sessions", json_object_get(list));
		printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(r);
	} else if (!rc) {
		printf("(photorigd does not answer: read from %s)\n", root);
		print_sessions(list);
	}
	json_object_put(list);
	pr_config_free(&cfg);
	return rc;
}

int session_list_run(const char *sock, const char *config, int json)
{
	if (!client_daemon_answers(sock))
		return list_offline(config, json);
	struct pr_request req;
	struct pr_reply rep = { 0 };
	pr_request_init(&req, PR_OP_SESSION_LIST, 1);
	int rc = client_simple("session", sock, &req, 30000, json, &rep);
	json_object *list;
	if (!rc && !json && json_object_object_get_ex(rep.obj, "sessions", &list) &&
	    json_object_is_type(list, json_type_array))
		print_sessions(list);
	pr_reply_free(&rep);
	return rc;
}
