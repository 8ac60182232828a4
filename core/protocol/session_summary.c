/* photorig protocol: a session's entry in a session list (session_summary.h). */
#include "session_summary.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "dir_usage.h"
#include "protocol.h"

void pr_session_summary(json_object *o, const char *dir)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	json_object *man = json_object_from_file(path), *sets;
	int total = 0, complete = 0;
	if (man && json_object_object_get_ex(man, "sets", &sets) &&
	    json_object_is_type(sets, json_type_array)) {
		total = (int)json_object_array_length(sets);
		for (int k = 0; k < total; k++)
			complete += pr_json_bool(json_object_array_get_idx(sets, (size_t)k),
						 "complete", 0);
	}
	json_object_put(man);
	json_object_object_add(o, "sets", json_object_new_int(total));
	json_object_object_add(o, "complete", json_object_new_int(complete));
	struct pr_dir_usage u;
	if (!pr_dir_usage(dir, &u)) {
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)u.bytes));
		json_object_object_add(o, "files", json_object_new_int64((int64_t)u.files));
		json_object_object_add(o, "last_ns", json_object_new_int64(u.newest_ns));
	}
}
