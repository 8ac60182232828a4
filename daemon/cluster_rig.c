/* photorigd: the whole rig's sets (see cluster.h), on the loop thread.
 *
 * Fire at T. The node whose socket starts a capture coordinates it: for
 * each set it picks the number (the highest next set of every online node
 * in the session, so numbers never collide) and a release time T = now +
 * lead_ms on CLOCK_REALTIME, and sends "arm" to every node. Each node,
 * itself included, arms its cameras and releases them at T (converted to
 * CLOCK_MONOTONIC when the arm arrives), through the trigger plan that the
 * capture path asks for before every set (cluster_set_plan). Every node
 * reports each file it saved (path, size, hash, trigger time) and the end
 * of its set; the coordinator keeps the rig's record of the set and writes
 * SESSION/rig_manifest.json: every node's shots. A node that does not
 * report within the set's time makes the set incomplete, naming its
 * NODE/CAMERAs. A set shot while the broker is away is the node's own,
 * flagged local, with its own number. */
#define _GNU_SOURCE
#include "cluster_int.h"
#include "daemon.h"
#include "capture.h"
#include "loop.h"
#include "plate_op.h"
#include "pool.h"
#include "rig_op.h"
#include "scan.h"
#include "session.h"
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "log.h"

#define RIG_GRACE_NS (5 * 1000000000LL)   /* beyond set_timeout_ms, for the reports */

struct rig_set *rig_find(struct cluster *cl, uint32_t number)
{
	for (uint32_t i = 0; i < cl->nrig; i++)
		if (cl->rig[i]->number == number)
			return cl->rig[i];
	return NULL;
}

static void rig_free_all(struct cluster *cl)
{
	for (uint32_t i = 0; i < cl->nrig; i++) {
		free(cl->rig[i]->shots);
		free(cl->rig[i]->nodes);
		free(cl->rig[i]);
	}
	free(cl->rig);
	cl->rig = NULL;
	cl->nrig = cl->caprig = 0;
	cl->rig_session[0] = '\0';
}

void cl_rig_fini(struct cluster *cl)
{
	rig_free_all(cl);
}

struct rig_node *rig_node(struct rig_set *rs, const char *name)
{
	for (uint32_t i = 0; i < rs->nnodes; i++)
		if (!strcmp(rs->nodes[i].name, name))
			return &rs->nodes[i];
	return NULL;
}

static int64_t to_mono(int64_t realtime_ns)
{
	return realtime_ns - (cl_realtime_ns() - mono_ns());
}

/* ---- the rig manifest ---- */

static json_object *rig_set_json(const struct rig_set *rs)
{
	json_object *o = json_object_new_object(), *shots = json_object_new_array();
	json_object *missing = json_object_new_array(), *nodes = json_object_new_array();
	int64_t lo = INT64_MAX, hi = 0;
	for (uint32_t i = 0; i < rs->nshots; i++) {
		const struct rig_shot *s = &rs->shots[i];
		json_object *e = json_object_new_object();
		char hash[32];
		snprintf(hash, sizeof(hash), "fnv1a64:%016llx", (unsigned long long)s->hash);
		json_object_object_add(e, "node", json_object_new_string(s->node));
		json_object_object_add(e, "camera", json_object_new_string(s->camera));
		json_object_object_add(e, "serial", json_object_new_string(s->serial));
		json_object_object_add(e, "file", json_object_new_string(s->file));
		json_object_object_add(e, "size", json_object_new_int64((int64_t)s->size));
		json_object_object_add(e, "hash", json_object_new_string(hash));
		json_object_object_add(e, "trigger_ns", json_object_new_int64(s->trigger_ns));
		json_object_array_add(shots, e);
		if (s->trigger_ns) {
			lo = s->trigger_ns < lo ? s->trigger_ns : lo;
			hi = s->trigger_ns > hi ? s->trigger_ns : hi;
		}
	}
	int complete = 1;
	for (uint32_t i = 0; i < rs->nnodes; i++) {
		const struct rig_node *n = &rs->nodes[i];
		json_object *e = json_object_new_object();
		json_object_object_add(e, "node", json_object_new_string(n->name));
		json_object_object_add(e, "finished", json_object_new_boolean(n->finished));
		json_object_object_add(e, "complete", json_object_new_boolean(n->complete));
		json_object_object_add(e, "reported", json_object_new_boolean(n->reported));
		json_object_object_add(e, "clock", cluster_clock_json(&n->clock));
		json_object_array_add(nodes, e);
		complete &= n->complete;
		for (const char *p = n->missing; *p;) {
			size_t len = strcspn(p, ",");
			char name[2 * PR_CL_NAME_MAX + 2];
			snprintf(name, sizeof(name), "%s/%.*s", n->name, (int)len, p);
			json_object_array_add(missing, json_object_new_string(name));
			p += len + (p[len] == ',');
		}
	}
	json_object_object_add(o, "set", json_object_new_int64(rs->number));
	cl_scan_set_json(rs, o);
	json_object_object_add(o, "release_ns", json_object_new_int64(rs->release_ns));
	json_object_object_add(o, "finished", json_object_new_boolean(rs->finished));
	json_object_object_add(o, "complete", json_object_new_boolean(rs->finished && complete));
	json_object_object_add(o, "missing", missing);
	json_object_object_add(o, "spread_ms", hi >= lo ? json_object_new_double((double)(hi - lo) / 1e6)
							: NULL);
	json_object_object_add(o, "nodes", nodes);
	json_object_object_add(o, "shots", shots);
	return o;
}

static void rig_manifest_write(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	if (!d->session || strcmp(d->session->name, cl->rig_session) || !cl->nrig)
		return;
	json_object *m = json_object_new_object(), *sets = json_object_new_array();
	json_object_object_add(m, "rig", json_object_new_string(cl->cfg.rig));
	json_object_object_add(m, "session", json_object_new_string(d->session->name));
	json_object_object_add(m, "coordinator", json_object_new_string(cl->cfg.node));
	for (uint32_t i = 0; i < cl->nrig; i++)
		json_object_array_add(sets, rig_set_json(cl->rig[i]));
	json_object_object_add(m, "sets", sets);
	char path[PATH_MAX];
	struct pr_error err = { 0 };
	size_t len;
	const char *text = json_object_to_json_string_length(m, JSON_C_TO_STRING_PRETTY, &len);
	if (pathf(path, sizeof(path), "%s/rig_manifest.json", d->session->dir) ||
	    pr_atomic_write(path, text, len, &err))
		LOG_RATELIMITED(PR_LOG_ERR, "cluster: cannot write the rig manifest: %s", err.msg);
	json_object_put(m);
}

/* A node's report of its end of the set, or its absence at the deadline. */
void rig_node_done(struct daemon *d, struct rig_set *rs, struct rig_node *n, int complete,
		   uint32_t nmissing, char (*missing)[PR_CL_NAME_MAX + 1])
{
	n->finished = 1;
	n->complete = complete && !nmissing;
	n->missing[0] = '\0';
	for (uint32_t i = 0; i < nmissing; i++) {
		size_t used = strlen(n->missing);
		if (used + PR_CL_NAME_MAX + 2 >= sizeof(n->missing))
			break;
		snprintf(n->missing + used, sizeof(n->missing) - used, "%s%s", used ? "," : "",
			 missing[i]);
	}
	int all = 1, complete_all = 1;
	for (uint32_t i = 0; i < rs->nnodes; i++) {
		all &= rs->nodes[i].finished;
		complete_all &= rs->nodes[i].complete;
	}
	if (all && !rs->finished) {
		rs->finished = 1;
		LOG_INFO("cluster: rig set %u %s", rs->number, complete_all ? "complete" : "incomplete");
	}
	rig_manifest_write(d);
}

void rig_add_shot(struct rig_set *rs, const char *node, const char *camera, const char *serial,
		  const char *file, uint64_t size, uint64_t hash, int64_t trigger_ns)
{
	struct rig_shot *s = realloc(rs->shots, (rs->nshots + 1) * sizeof(*s));
	if (!s)
		return;
	rs->shots = s;
	s = &rs->shots[rs->nshots++];
	memset(s, 0, sizeof(*s));
	snprintf(s->node, sizeof(s->node), "%s", node);
	snprintf(s->camera, sizeof(s->camera), "%s", camera);
	snprintf(s->serial, sizeof(s->serial), "%s", serial);
	snprintf(s->file, sizeof(s->file), "%s", file);
	s->size = size;
	s->hash = hash;
	s->trigger_ns = trigger_ns;
}

/* A node that is offline or did not report: every camera it had (its last
 * state) is missing from the set. */
static void node_missing_all(struct daemon *d, struct rig_set *rs, struct rig_node *n)
{
	struct cluster *cl = d->cluster;
	static char missing[PR_CL_MAX_CAMERAS][PR_CL_NAME_MAX + 1]; /* loop thread only */
	const struct cl_peer *p = NULL;
	uint32_t nm = 0;
	for (uint32_t j = 0; j < cl->npeers; j++)
		if (!strcmp(cl->peers[j].name, n->name))
			p = &cl->peers[j];
	for (uint32_t c = 0; p && p->state && c < p->state->ncameras; c++)
		snprintf(missing[nm++], sizeof(missing[0]), "%s", p->state->cameras[c].name);
	rig_node_done(d, rs, n, 0, nm, missing);
}

/* ---- the coordinator ---- */

/* A new rig set: this node and every node the view knows; those offline
 * now are missing from it at once. */
static struct rig_set *rig_new(struct daemon *d, uint32_t number, int64_t release_ns)
{
	struct cluster *cl = d->cluster;
	cl_rig_load(d); /* the session's earlier rig sets, after a restart */
	if (cl->nrig == cl->caprig) {
		uint32_t cap = cl->caprig ? 2 * cl->caprig : 16;
		struct rig_set **r = realloc(cl->rig, cap * sizeof(*r));
		if (!r)
			return NULL;
		cl->rig = r;
		cl->caprig = cap;
	}
	struct rig_set *rs = calloc(1, sizeof(*rs));
	if (rs && !(rs->nodes = calloc(cl->npeers + 1, sizeof(*rs->nodes)))) {
		free(rs);
		rs = NULL;
	}
	if (!rs)
		return NULL;
	cl->rig[cl->nrig++] = rs;
	rs->number = number;
	rs->release_ns = release_ns;
	rs->deadline_mono_ns = to_mono(release_ns) + (int64_t)d->cfg.rig.set_timeout_ms * 1000000 +
			       RIG_GRACE_NS;
	snprintf(rs->nodes[rs->nnodes++].name, sizeof(rs->nodes[0].name), "%s", cl->cfg.node);
	for (uint32_t i = 0; i < cl->npeers; i++)
		if (cl->peers[i].state)
			snprintf(rs->nodes[rs->nnodes++].name, sizeof(rs->nodes[0].name), "%s",
				 cl->peers[i].name);
	for (uint32_t i = 1; i < rs->nnodes; i++) {
		const struct cl_peer *p = &cl->peers[0];
		for (uint32_t j = 0; j < cl->npeers; j++)
			if (!strcmp(cl->peers[j].name, rs->nodes[i].name))
				p = &cl->peers[j];
		if (!p->online) {
			LOG_WARN("cluster: node %s is offline: its cameras miss set %u",
				 rs->nodes[i].name, number);
			node_missing_all(d, rs, &rs->nodes[i]);
		}
	}
	return rs;
}

void cluster_set_plan(struct daemon *d, struct trigger_plan *plan)
{
	struct cluster *cl = d->cluster;
	memset(plan, 0, sizeof(*plan));
	if (!cl || !d->session)
		return;
	if (cl->armed.set) { /* this node was armed by a coordinator */
		*plan = cl->armed;
		memset(&cl->armed, 0, sizeof(cl->armed));
		return;
	}
	int peers = 0;
	uint32_t number = d->session->next_set;
	for (uint32_t i = 0; i < cl->npeers; i++) {
		const struct cl_peer *p = &cl->peers[i];
		if (!p->online || !p->state)
			continue;
		peers++;
		if (!strcmp(p->state->session, d->session->name) && p->state->next_set > number)
			number = p->state->next_set;
	}
	plan->local = !cl->connected || !peers;
	if (plan->local)
		return;
	int64_t t = cl_realtime_ns() + (int64_t)cl->cfg.lead_ms * 1000000;
	plan->set = number;
	plan->release_mono_ns = to_mono(t);
	struct rig_set *rs = rig_new(d, number, t);
	if (!rs)
		return;
	struct pr_cl_msg *m = malloc(sizeof(*m));
	if (!m)
		return;
	pr_cl_msg_init(m, PR_CL_CMD, cl->cfg.rig, cl->cfg.node);
	m->sent_ns = cl_realtime_ns();
	m->op = PR_CL_OP_ARM;
	snprintf(m->to, sizeof(m->to), "all");
	m->req = ++cl->next_req;
	m->set = number;
	m->t_ns = t;
	snprintf(m->session, sizeof(m->session), "%s", d->session->name);
	cl_scan_plan(d, m, rs);
	cl_publish(cl, m, "all", 0);
	free(m);
	LOG_INFO("cluster: rig set %u released at T = now + %d ms on %d node%s", number,
		 cl->cfg.lead_ms, peers + 1, peers ? "s" : "");
}

int cluster_may_start_set(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	if (!cl)
		return 1;
	for (uint32_t i = 0; i < cl->nrig; i++)
		if (!cl->rig[i]->finished)
			return 0;
	return cl->armed.set ? 1 : cl_hold_gate(d);
}

/* ---- every node: what it tells the rig of its sets (cluster_late.c) ---- */

void cluster_set_finished(struct daemon *d, const struct set_rec *set)
{
	struct cluster *cl = d->cluster;
	if (!cl || !d->session)
		return;
	struct rig_set *rs = rig_find(cl, set->number);
	if (rs && strcmp(cl->rig_session, d->session->name))
		rs = NULL;
	uint32_t nmissing = 0;
	static char missing[PR_CL_MAX_CAMERAS][PR_CL_NAME_MAX + 1]; /* loop thread only */
	for (uint32_t i = 0; i < set->nshots; i++) {
		const struct shot_rec *r = &set->shots[i];
		if (r->state != SHOT_SAVED && nmissing < PR_CL_MAX_CAMERAS)
			snprintf(missing[nmissing++], sizeof(missing[0]), "%s", r->camera);
		else if (r->state == SHOT_SAVED && rs)
			rig_add_shot(rs, cl->cfg.node, r->camera, r->serial, r->file, r->size, r->hash,
				     r->trigger_ns);
	}
	/* shot without the rig: the broker was away, or no other node was there;
	 * a set another node armed is the rig's, even settled after a restart */
	int local = !rs && set->number != cl->armed_last && !cl_late_rig_set(d, set->number);
	if (local && cl->npeers) {
		/* a node of a rig shot on its own: said in the log and in status */
		cl->local_sets++;
		cl->last_local_set = set->number;
		LOG_NOTICE("cluster: set %u of session %s was shot by this node alone (local)%s",
			   set->number, d->session->name, cl->connected ? "" : ": the broker is away");
	}
	cl_report_set(d, set, NULL, local);
	if (!rs)
		cl_late_reported(d, set->number);
	if (rs) {
		struct rig_node *n = rig_node(rs, cl->cfg.node);
		n->clock = cl->clock;
		n->reported = 1;
		rig_node_done(d, rs, n, set->complete, nmissing, missing);
	}
}

/* ---- messages of the rig ---- */

void cl_send_reply(struct cluster *cl, enum pr_cl_op op, const char *to, uint64_t req,
		   uint32_t set, int ok, const char *error)
{
	struct pr_cl_msg *m = malloc(sizeof(*m));
	if (!m)
		return;
	pr_cl_msg_init(m, PR_CL_REPLY, cl->cfg.rig, cl->cfg.node);
	m->sent_ns = cl_realtime_ns();
	m->op = op;
	snprintf(m->to, sizeof(m->to), "%s", to);
	m->req = req;
	m->set = set;
	m->ok = ok;
	snprintf(m->error, sizeof(m->error), "%s", error ? error : "");
	cl_publish(cl, m, to, 0);
	free(m);
}

void cl_reply(struct cluster *cl, const struct pr_cl_msg *cmd, int ok, const char *error)
{
	cl_send_reply(cl, cmd->op, cmd->from, cmd->req, cmd->set, ok, error);
	if (!ok)
		LOG_WARN("cluster: %s from %s refused: %s", pr_cl_op_name(cmd->op), cmd->from, error);
}

static void on_arm(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	char why[300];
	if (!d->session || (m->session[0] && strcmp(m->session, d->session->name)))
		snprintf(why, sizeof(why), "session %s is not active on %s", m->session, cl->cfg.node);
	else if (m->set < d->session->next_set)
		snprintf(why, sizeof(why), "set %u is already taken on %s (next is %u)", m->set,
			 cl->cfg.node, d->session->next_set);
	else if ((d->op.kind != OP_NONE && !cl_hold_gave_way(d)) || cl->armed.set)
		snprintf(why, sizeof(why), "busy: %s is still shooting", cl->cfg.node);
	else
		why[0] = '\0';
	if (!why[0]) {
		cl->armed.set = cl->armed_last = m->set;
		cl_late_armed(d, m);
		cl_hold_armed(cl, m->from);
		cl->armed.release_mono_ns = to_mono(m->t_ns);
		if (cl_scan_arm(d, m)) {
			memset(&cl->armed, 0, sizeof(cl->armed));
			cl_late_not_shot(d, m->set);
			snprintf(why, sizeof(why), "%s cannot shoot now (see its log)", cl->cfg.node);
		}
	}
	cl_reply(cl, m, !why[0], why);
}

static void on_session(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	char why[300] = "";
	if (d->op.kind != OP_NONE || scan_running(d) || pool_in_flight(d))
		snprintf(why, sizeof(why), "busy: %s is still working", cl->cfg.node);
	else if (m->op == PR_CL_OP_SESSION_STOP && d->session)
		session_close(d, 1);
	else if (m->op == PR_CL_OP_SESSION_START &&
		 (!d->session || strcmp(d->session->name, m->session)) &&
		 session_open(d, m->session, why, sizeof(why)) == 0)
		why[0] = '\0';
	if (!why[0])
		LOG_NOTICE("cluster: %s %s for %s", pr_cl_op_name(m->op), m->session, m->from);
	cl_reply(cl, m, !why[0], why);
}

static void on_event(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	struct rig_set *rs = d->session && !strcmp(cl->rig_session, m->session) &&
			     !strcmp(d->session->name, m->session) ? rig_find(cl, m->set) : NULL;
	struct rig_node *n = rs ? rig_node(rs, m->from) : NULL;
	if (cl_late_event(d, m) || !n || n->finished)
		return;
	if (m->event == PR_CL_EV_FILE_SAVED)
		rig_add_shot(rs, m->from, m->camera, m->serial, m->file, m->size, m->hash,
			     m->trigger_ns);
	else if (m->event == PR_CL_EV_SET_FINISHED) {
		n->clock = m->clock;
		if (!cluster_clock_ok(&m->clock))
			LOG_WARN("cluster: set %u on %s was shot on a clock not in step (%s, error %lld "
				 "us)", m->set, m->from, m->clock.synced ? "synchronised" : "unsynchronised",
				 (long long)m->clock.error_us);
		n->reported = 1;
		rig_node_done(d, rs, n, m->complete, m->nmissing, (char (*)[PR_CL_NAME_MAX + 1])
			      m->missing);
		cl_late_answer(cl, m, 1, NULL);
	}
}

/* Plates of every camera of this node, asked by another node: the reply
 * says they were started; each node's status shows them when done. */
static void on_plate(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	struct pr_request req;
	char why[300] = "";
	pr_request_init(&req, PR_OP_PLATE, 0);
	req.frames = m->frames;
	if (d->op.kind != OP_NONE || scan_running(d) || d->stopping)
		snprintf(why, sizeof(why), "busy: %s is still working", cl->cfg.node);
	else if (plate_begin(d, 0, &req))
		snprintf(why, sizeof(why), "%s cannot record plates now (see its log)", cl->cfg.node);
	else
		LOG_NOTICE("cluster: recording plates for %s", m->from);
	cl_reply(cl, m, !why[0], why);
}

void cl_rig_message(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	if (cl_hold_message(d, m) || cl_scan_message(d, m) || cl_late_message(d, m))
		return;
	if (m->kind == PR_CL_CMD && (!strcmp(m->to, "all") || !strcmp(m->to, cl->cfg.node))) {
		if (m->op == PR_CL_OP_ARM)
			on_arm(d, m);
		else if (m->op == PR_CL_OP_SESSION_START || m->op == PR_CL_OP_SESSION_STOP)
			on_session(d, m);
		else if (m->op == PR_CL_OP_PLATE)
			on_plate(d, m);
	} else if (m->kind == PR_CL_REPLY && !strcmp(m->to, cl->cfg.node) && !m->ok) {
		LOG_WARN("cluster: %s refused %s of set %u: %s", m->from, pr_cl_op_name(m->op), m->set,
			 m->error);
	} else if (m->kind == PR_CL_EVENT) {
		on_event(d, m);
	}
}

/* Loop, every tick: nodes that did not report by a set's deadline. */
void cl_rig_tick(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	int64_t now = mono_ns();
	for (uint32_t i = 0; i < cl->nrig; i++) {
		struct rig_set *rs = cl->rig[i];
		if (rs->finished || now < rs->deadline_mono_ns)
			continue;
		for (uint32_t k = 0; k < rs->nnodes; k++) {
			struct rig_node *n = &rs->nodes[k];
			if (n->finished)
				continue;
			LOG_WARN("cluster: node %s did not report set %u: its cameras are missing",
				 n->name, rs->number);
			node_missing_all(d, rs, n);
		}
	}
}

uint64_t cl_command_all(struct cluster *cl, enum pr_cl_op op, const char *session,
		       uint32_t frames, int64_t sent_ns)
{
	struct pr_cl_msg *m = malloc(sizeof(*m));
	if (!m)
		return 0;
	pr_cl_msg_init(m, PR_CL_CMD, cl->cfg.rig, cl->cfg.node);
	m->sent_ns = sent_ns ? sent_ns : cl_realtime_ns();
	m->op = op;
	snprintf(m->to, sizeof(m->to), "all");
	m->req = ++cl->next_req;
	snprintf(m->session, sizeof(m->session), "%s", session ? session : "");
	m->frames = frames;
	uint64_t req = m->req;
	cl_publish(cl, m, "all", 0);
	free(m);
	return req;
}

/* A session started or stopped through this node: the rig follows. */
void cluster_session_changed(struct daemon *d, int started, const char *name)
{
	struct cluster *cl = d->cluster;
	if (cl && cl->connected)
		cl_command_all(cl, started ? PR_CL_OP_SESSION_START : PR_CL_OP_SESSION_STOP, name, 0,
			       0);
}

void cluster_plate_started(struct daemon *d, uint32_t frames)
{
	struct cluster *cl = d->cluster;
	if (cl && cl->connected)
		cl_command_all(cl, PR_CL_OP_PLATE, NULL, frames, 0);
}

