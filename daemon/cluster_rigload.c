/* photorigd: a coordinator's records of the rig's sets, read back from
 * SESSION/rig_manifest.json (see cluster_late.c), on the loop thread.
 *
 * The coordinator keeps the rig's sets of its session in memory and writes
 * them to rig_manifest.json after every change. When photorigd restarts, or
 * its session is opened again, the memory is empty while the manifest is
 * not: a node's late report of a set coordinated before would find nothing,
 * and the next set would write a manifest without the earlier ones. So the
 * records are read back from the manifest the first time they are needed.
 * Only a manifest this node wrote as coordinator of this rig is taken; one
 * that cannot be read is logged, and the rig manifest is then started
 * afresh, as before. A set the restart left unfinished is given up at once:
 * the nodes that had not reported are missing from it, until their late
 * reports come. */
#define _GNU_SOURCE
#include "cluster_int.h"
#include "daemon.h"
#include "loop.h"
#include "session.h"
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imageio.h"
#include "log.h"

#define RIG_MANIFEST_MAX (64 << 20)

static int rig_append(struct cluster *cl, struct rig_set *rs)
{
	if (cl->nrig == cl->caprig) {
		uint32_t cap = cl->caprig ? 2 * cl->caprig : 16;
		struct rig_set **r = realloc(cl->rig, cap * sizeof(*r));
		if (!r)
			return -1;
		cl->rig = r;
		cl->caprig = cap;
	}
	cl->rig[cl->nrig++] = rs;
	return 0;
}

static void name_copy(char *dst, size_t size, json_object *o, const char *key)
{
	snprintf(dst, size, "%s", pr_json_str(o, key, ""));
}

static void load_shots(struct rig_set *rs, json_object *shots)
{
	size_t n = json_object_is_type(shots, json_type_array) ? json_object_array_length(shots) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(shots, i);
		const char *h = pr_json_str(e, "hash", "");
		if (!strncmp(h, "fnv1a64:", 8))
			h += 8;
		rig_add_shot(rs, pr_json_str(e, "node", ""), pr_json_str(e, "camera", ""),
			     pr_json_str(e, "serial", ""), pr_json_str(e, "file", ""),
			     (uint64_t)pr_json_int(e, "size", 0), strtoull(h, NULL, 16),
			     pr_json_int(e, "trigger_ns", 0));
	}
}

/* One set of the manifest; NULL when it is not one. */
static struct rig_set *load_set(json_object *o)
{
	json_object *nodes, *missing, *shots, *clock;
	int64_t number = pr_json_int(o, "set", 0);
	if (number <= 0 || number > UINT32_MAX || !json_object_object_get_ex(o, "nodes", &nodes) ||
	    !json_object_is_type(nodes, json_type_array) || !json_object_array_length(nodes))
		return NULL;
	size_t nn = json_object_array_length(nodes);
	struct rig_set *rs = calloc(1, sizeof(*rs));
	if (rs && !(rs->nodes = calloc(nn, sizeof(*rs->nodes)))) {
		free(rs);
		rs = NULL;
	}
	if (!rs)
		return NULL;
	rs->number = (uint32_t)number;
	rs->release_ns = pr_json_int(o, "release_ns", 0);
	rs->finished = pr_json_bool(o, "finished", 0);
	rs->deadline_mono_ns = mono_ns(); /* unfinished: the restart ended its time */
	json_object *angle;
	if (json_object_object_get_ex(o, "angle", &angle)) { /* a scan step (cl_scan_set_json) */
		rs->has_angle = 1;
		rs->scan = (uint32_t)pr_json_int(o, "scan", 0);
		rs->step = (int32_t)pr_json_int(o, "step", -1);
		rs->angle = json_object_get_double(angle);
	}
	for (size_t i = 0; i < nn; i++) {
		json_object *e = json_object_array_get_idx(nodes, i);
		struct rig_node *n = &rs->nodes[rs->nnodes++];
		name_copy(n->name, sizeof(n->name), e, "node");
		n->finished = pr_json_bool(e, "finished", 0);
		n->complete = pr_json_bool(e, "complete", 0);
		n->reported = pr_json_bool(e, "reported", n->complete);
		n->clock.error_us = -1;
		if (json_object_object_get_ex(e, "clock", &clock)) {
			n->clock.synced = pr_json_bool(clock, "synced", 0);
			n->clock.error_us = pr_json_int(clock, "error_us", -1);
		}
	}
	/* "missing": NODE/CAMERA, back to each node's list of cameras */
	size_t nm = json_object_object_get_ex(o, "missing", &missing) &&
		    json_object_is_type(missing, json_type_array) ? json_object_array_length(missing) : 0;
	for (size_t i = 0; i < nm; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(missing, i));
		const char *slash = s ? strchr(s, '/') : NULL;
		for (uint32_t k = 0; slash && k < rs->nnodes; k++) {
			struct rig_node *n = &rs->nodes[k];
			size_t used = strlen(n->missing);
			if (strlen(n->name) != (size_t)(slash - s) || strncmp(n->name, s, (size_t)(slash - s)) ||
			    used + strlen(slash) + 1 >= sizeof(n->missing))
				continue;
			snprintf(n->missing + used, sizeof(n->missing) - used, "%s%s", used ? "," : "",
				 slash + 1);
		}
	}
	if (json_object_object_get_ex(o, "shots", &shots))
		load_shots(rs, shots);
	return rs;
}

void cl_rig_load(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	if (!d->session || !strcmp(cl->rig_session, d->session->name))
		return;
	cl_rig_fini(cl);
	snprintf(cl->rig_session, sizeof(cl->rig_session), "%s", d->session->name);
	char path[PATH_MAX];
	if (pathf(path, sizeof(path), "%s/rig_manifest.json", d->session->dir))
		return;
	uint8_t *text = NULL;
	size_t len = 0;
	struct pr_error err = { 0 };
	if (access(path, F_OK) && errno == ENOENT)
		return; /* this node coordinated no set of the session yet */
	if (pr_read_file(path, RIG_MANIFEST_MAX, &text, &len, &err)) {
		LOG_ERR("cluster: cannot read %s: %s; the rig manifest starts afresh", path, err.msg);
		return;
	}
	json_tokener *tok = json_tokener_new();
	json_object *m = tok ? json_tokener_parse_ex(tok, (const char *)text, (int)len) : NULL, *sets;
	json_tokener_free(tok);
	free(text);
	if (!m || !json_object_object_get_ex(m, "sets", &sets) ||
	    !json_object_is_type(sets, json_type_array)) {
		LOG_ERR("cluster: %s is not a rig manifest; it starts afresh", path);
		json_object_put(m);
		return;
	}
	if (strcmp(pr_json_str(m, "coordinator", ""), cl->cfg.node) ||
	    strcmp(pr_json_str(m, "rig", ""), cl->cfg.rig)) {
		LOG_WARN("cluster: %s was written by node %s of rig %s, not by this node: it starts afresh",
			 path, pr_json_str(m, "coordinator", "?"), pr_json_str(m, "rig", "?"));
		json_object_put(m);
		return;
	}
	size_t n = json_object_array_length(sets), bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct rig_set *rs = load_set(json_object_array_get_idx(sets, i));
		if (rs && !rig_find(cl, rs->number) && !rig_append(cl, rs))
			continue;
		if (rs) {
			free(rs->shots);
			free(rs->nodes);
			free(rs);
		}
		bad++;
	}
	json_object_put(m);
	LOG_INFO("cluster: %u rig set%s of session %s read back from %s%s", cl->nrig,
		 cl->nrig == 1 ? "" : "s", d->session->name, path, bad ? " (some unreadable)" : "");
}
