/* photorig client: the cluster part of `photorig status` (see cmd_cluster.h):
 * the broker link and its outages, and each node online or offline with its
 * cameras and its clock, in words. */
#include "cmd_cluster.h"

#include <stdio.h>

#include "protocol.h"

static void print_clock(json_object *clock)
{
	if (!clock) {
		printf("clock unknown");
		return;
	}
	long long err = (long long)pr_json_int(clock, "error_us", -1);
	if (pr_json_bool(clock, "ok", 0))
		printf("clock synchronised (error %lld us)", err);
	else
		printf("CLOCK %s (error %lld us)", pr_json_bool(clock, "synced", 0)
		       ? "ESTIMATED ERROR OVER 1 MS" : "NOT SYNCHRONISED", err);
}

static void print_node(json_object *n)
{
	json_object *clock = NULL, *session = NULL;
	printf("  %-12s %s", pr_json_str(n, "node", "?"),
	       pr_json_bool(n, "online", 0) ? "online" : "OFFLINE");
	if (json_object_object_get_ex(n, "cameras", NULL))
		printf(", %lld/%lld cameras", (long long)pr_json_int(n, "attached", 0),
		       (long long)pr_json_int(n, "cameras", 0));
	if (json_object_object_get_ex(n, "session", &session) && session)
		printf(", session %s", json_object_get_string(session));
	if (pr_json_bool(n, "busy", 0))
		printf(", busy");
	if (pr_json_bool(n, "disk_full", 0))
		printf(", DISK FULL");
	if (json_object_object_get_ex(n, "clock", &clock)) {
		printf(", ");
		print_clock(clock);
	}
	printf("%s\n", pr_json_bool(n, "self", 0) ? " (this node)" : "");
}

void print_cluster_status(json_object *r)
{
	json_object *cl, *nodes = NULL, *gaps = NULL;
	if (!json_object_object_get_ex(r, "cluster", &cl) || !cl)
		return;
	printf("cluster: node %s of rig %s, broker %s: %s\n", pr_json_str(cl, "node", "?"),
	       pr_json_str(cl, "rig", "?"), pr_json_str(cl, "broker", "?"),
	       pr_json_bool(cl, "connected", 0) ? "connected" : "NOT CONNECTED");
	if (pr_json_str(cl, "error", NULL) && !pr_json_bool(cl, "connected", 0))
		printf("  %s\n", pr_json_str(cl, "error", ""));
	if (json_object_object_get_ex(cl, "outages", &gaps) && json_object_array_length(gaps)) {
		json_object *last = json_object_array_get_idx(gaps, json_object_array_length(gaps) - 1);
		json_object *to = NULL;
		json_object_object_get_ex(last, "to_ns", &to);
		printf("  broker outages: %zu, the last %s%.1f s\n", json_object_array_length(gaps),
		       to ? "" : "going on for ", pr_json_double(last, "seconds", 0));
	}
	if (pr_json_int(cl, "local_sets", 0))
		printf("  %lld sets shot by this node alone (local), the last: set %lld\n",
		       (long long)pr_json_int(cl, "local_sets", 0),
		       (long long)pr_json_int(cl, "last_local_set", 0));
	if (pr_json_int(cl, "dropped", 0))
		printf("  %lld messages dropped; the last: %s\n", (long long)pr_json_int(cl, "dropped", 0),
		       pr_json_str(cl, "last_dropped", "?"));
	if (json_object_object_get_ex(cl, "nodes", &nodes))
		for (size_t i = 0; i < json_object_array_length(nodes); i++)
			print_node(json_object_array_get_idx(nodes, i));
}
