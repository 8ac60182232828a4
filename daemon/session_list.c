/* photorigd: the sessions in output_root, for `photorig session list`.
 *
 * Per session: its sets and complete sets (from manifest.json), its folder,
 * the space it takes on disk and its last activity (the newest file in it:
 * the journal is appended at every event). The walk of the folders runs in
 * the event loop; it stats each file once (a 1000-set session of 8 cameras
 * is some 40000 files), which a listing asked for by hand can afford. The
 * client computes the same entries itself, through the same function
 * (pr_session_summary), when photorigd does not answer
 * (tools/cmd_session_list.c). */
#define _GNU_SOURCE
#include "daemon.h"
#include "session.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session_summary.h"

#define SESSION_LIST_MAX 1000

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

json_object *session_list(struct daemon *d)
{
	json_object *arr = json_object_new_array();
	DIR *dir = opendir(d->cfg.daemon.output_root);
	if (!dir)
		return arr;
	char *names[SESSION_LIST_MAX];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dir)) && n < SESSION_LIST_MAX) {
		char why[128], j[PATH_MAX + 300];
		if (pr_proto_check_name(e->d_name, why, sizeof(why)))
			continue;
		snprintf(j, sizeof(j), "%s/%s/journal.jsonl", d->cfg.daemon.output_root, e->d_name);
		if (access(j, F_OK) == 0 && (names[n] = strdup(e->d_name)))
			n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/%s", d->cfg.daemon.output_root, names[i]);
		json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(names[i]));
		/* the folder, for clients that work on its files (photorig export) */
		json_object_object_add(o, "dir", json_object_new_string(path));
		json_object_object_add(o, "active", json_object_new_boolean(
						       d->session && !strcmp(d->session->name, names[i])));
		pr_session_summary(o, path);
		json_object_array_add(arr, o);
		free(names[i]);
	}
	return arr;
}
