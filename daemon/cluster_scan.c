/* photorigd: a turntable scan of the whole rig (see cluster_scan.h), on the
 * loop thread.
 *
 * Where the scan runs: every node says in its state whether a turntable is
 * attached. A scan request on a node without one is sent as "cmd scan" to
 * the node that has it, carrying the control socket's own request line; that
 * node answers with its reply and the scan's status, which go back to the
 * client as if this node had answered. An answer not back within
 * FWD_WAIT_NS is an error naming the node.
 *
 * How a step is shot: the scan (scan.c) asks the rig's hold before its
 * first turn (cluster_hold.c: one capture at a time), keeps it until it
 * ends or pauses, and names the step about to be shot, so the arm of the
 * rig's set carries the scan, step and angle: every node shoots it as a
 * scan set (angle in its journal and manifest) and the coordinator's rig
 * manifest names it. The table turns on once every node reported the set
 * (cluster_rig.c gives up on a node at the set's time plus a grace).
 *
 * The broker away: the scan pauses before its next turn or set, with the
 * reason, and goes on by itself once the broker is back and the other
 * nodes are seen again (or BACK_WAIT_NS passed). Nothing is shot without
 * the rig, so no step lacks the other nodes' cameras for that reason; a
 * set in flight when the broker went is settled as any set of the rig
 * (nodes that could not report it missing) and its step shot again once
 * the broker is back.
 *
 * Progress: each scan event of the turntable's node is published to the
 * rig and its state carries the last one (retained, so a node that
 * reconnects hears where the scan is); every other node publishes it to
 * its own clients as a scan event with "node", so `photorig scan start`
 * through any node follows the scan step by step. */
#define _GNU_SOURCE
#include "cluster_scan.h"
#include "cluster_int.h"
#include "daemon.h"
#include "capture.h"
#include "disk.h"
#include "events.h"
#include "loop.h"
#include "scan.h"
#include "session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define FWD_MAX 8
#define FWD_WAIT_NS (10 * 1000000000LL)   /* a forwarded request's answer */
#define BACK_WAIT_NS (20 * 1000000000LL)  /* after a reconnect: beyond the 16 s back-off */
#define SCAN_DEPTH 4                      /* JSON nesting of a scan's status */

/* A request of this node's client, sent to the node with the turntable. */
struct cl_fwd {
	uint64_t requester, req;          /* req 0: a free slot */
	int64_t id;                       /* the client's request id */
	int64_t deadline_ns;              /* mono */
	char node[PR_CL_NAME_MAX + 1];
};

struct cl_scan {
	struct cl_fwd fwd[FWD_MAX];
	/* the node with the turntable: the step of the set being triggered */
	int step_on;
	uint32_t step_scan;
	int32_t step;
	double step_angle;
	char *step_text;
	char *sent;                       /* its last scan event, carried by its state */
	/* the other nodes: the last scan heard, and from which node */
	char *heard;
	char heard_from[PR_CL_NAME_MAX + 1];
};

static struct cl_scan *cs_get(struct cluster *cl)
{
	if (!cl->scan)
		cl->scan = calloc(1, sizeof(*cl->scan));
	return cl->scan;
}

void cl_scan_fini(struct cluster *cl)
{
	if (!cl->scan)
		return;
	free(cl->scan->step_text);
	free(cl->scan->sent);
	free(cl->scan->heard);
	free(cl->scan);
	cl->scan = NULL;
}

/* A scan's status as message text (malloc'd), NULL when it does not fit. */
static char *scan_text(json_object *o)
{
	size_t n;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	if (!s || n > PR_CL_SCAN_MAX) {
		LOG_RATELIMITED(PR_LOG_WARNING, "cluster: a scan's status of %zu bytes does not fit "
				"a message (%d)", n, PR_CL_SCAN_MAX);
		return NULL;
	}
	return strdup(s);
}

/* ---- a scan's status from another node: checked, key by key ---- */

static const struct {
	const char *key;
	enum json_type type;
} scan_keys[] = {
	{ "what", json_type_string }, { "scan", json_type_int }, { "session", json_type_string },
	{ "state", json_type_string }, { "phase", json_type_string }, { "steps", json_type_int },
	{ "steps_done", json_type_int }, { "step", json_type_int }, { "angle", json_type_double },
	{ "table_angle", json_type_double }, { "degrees", json_type_double },
	{ "settle_ms", json_type_int }, { "reason", json_type_string },
	{ "stop_pending", json_type_boolean }, { "eta_s", json_type_double },
	{ "incomplete_steps", json_type_array },
};

static json_object *scan_value(json_object *v, enum json_type want)
{
	enum json_type t = json_object_get_type(v);
	if (want == json_type_string && t == json_type_string) {
		char *s = strdup(json_object_get_string(v));
		if (!s)
			return NULL;
		for (char *p = s; *p; p++) /* it is printed on the operator's terminal */
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		json_object *o = json_object_new_string(s);
		free(s);
		return o;
	}
	if (want == json_type_int && t == json_type_int)
		return json_object_new_int64(json_object_get_int64(v));
	if (want == json_type_double && (t == json_type_double || t == json_type_int) &&
	    isfinite(json_object_get_double(v)))
		return json_object_new_double(json_object_get_double(v));
	if (want == json_type_boolean && t == json_type_boolean)
		return json_object_new_boolean(json_object_get_boolean(v));
	if (want != json_type_array || t != json_type_array)
		return NULL;
	json_object *a = json_object_new_array();
	size_t n = json_object_array_length(v);
	for (size_t i = 0; i < n && i < PR_PROTO_MAX_STEPS; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (json_object_is_type(e, json_type_int))
			json_object_array_add(a, json_object_new_int64(json_object_get_int64(e)));
	}
	return a;
}

/* The keys a scan's status has, of their types, strings without control
 * characters, plus "node" (when given); NULL when text is no JSON object. */
static json_object *scan_parse(const char *text, const char *node)
{
	struct json_tokener *tok = json_tokener_new_ex(SCAN_DEPTH);
	if (!tok)
		return NULL;
	json_object *in = json_tokener_parse_ex(tok, text, (int)strlen(text));
	int ok = in && json_tokener_get_error(tok) == json_tokener_success &&
		 json_object_is_type(in, json_type_object);
	json_tokener_free(tok);
	if (!ok) {
		json_object_put(in);
		return NULL;
	}
	json_object *out = json_object_new_object(), *v, *c;
	for (size_t i = 0; i < sizeof(scan_keys) / sizeof(scan_keys[0]); i++)
		if (json_object_object_get_ex(in, scan_keys[i].key, &v) && v &&
		    (c = scan_value(v, scan_keys[i].type)))
			json_object_object_add(out, scan_keys[i].key, c);
	if (node)
		json_object_object_add(out, "node", json_object_new_string(node));
	json_object_put(in);
	return out;
}

/* A scan heard from node: this node's clients see it as their own event. */
static void relay(struct daemon *d, const char *node, const char *text)
{
	struct cl_scan *cs = cs_get(d->cluster);
	if (!cs || !text[0] || (cs->heard && !strcmp(cs->heard, text) &&
				!strcmp(cs->heard_from, node)))
		return;
	json_object *sc = scan_parse(text, node);
	if (!sc) {
		LOG_RATELIMITED(PR_LOG_WARNING, "cluster: the scan status from %s is not a JSON "
				"object: dropped", node);
		return;
	}
	free(cs->heard);
	cs->heard = strdup(text);
	snprintf(cs->heard_from, sizeof(cs->heard_from), "%s", node);
	json_object *e = pr_proto_event(PR_EV_SCAN, 0, 0);
	json_object_object_foreach(sc, key, val)
		json_object_object_add(e, key, json_object_get(val));
	json_object_put(sc);
	events_publish(d, e);
}

/* ---- where the scan runs ---- */

static void name_add(char *list, size_t size, const char *name)
{
	size_t used = strlen(list);
	snprintf(list + used, size - used, "%s%s", used ? ", " : "", name);
}

/* The node with the turntable: 0 this one, 1 another (node), -1 none or
 * several (why names the nodes). */
static int table_node(struct daemon *d, char *node, char *why, size_t size)
{
	struct cluster *cl = d->cluster;
	char have[512] = "", all[512] = "";
	int n = 0, self = d->cfg.turntable.driver != PR_TT_NONE;
	name_add(all, sizeof(all), cl->cfg.node);
	if (self) {
		n++;
		name_add(have, sizeof(have), cl->cfg.node);
	}
	for (uint32_t i = 0; i < cl->npeers; i++) {
		const struct cl_peer *p = &cl->peers[i];
		if (!p->state)
			continue;
		name_add(all, sizeof(all), p->name);
		if (p->state->turntable) {
			n++;
			name_add(have, sizeof(have), p->name);
			snprintf(node, PR_CL_NAME_MAX + 1, "%s", p->name);
		}
	}
	if (n == 1)
		return !self;
	if (!n)
		snprintf(why, size, "no node of rig %s has a turntable ([turntable] driver); its "
			 "nodes: %s%s", cl->cfg.rig, all, cl->connected ? "" : " (the broker is out of "
			 "reach: other nodes are not known)");
	else
		snprintf(why, size, "nodes %s each have a turntable: a scan of rig %s needs exactly "
			 "one (set [turntable] driver = none on the others)", have, cl->cfg.rig);
	return -1;
}

static const struct cl_peer *peer_find(const struct cluster *cl, const char *name)
{
	for (uint32_t i = 0; i < cl->npeers; i++)
		if (!strcmp(cl->peers[i].name, name))
			return &cl->peers[i];
	return NULL;
}

static int forward(struct daemon *d, uint64_t requester, const struct pr_request *req,
		   const char *node, char *why, size_t size)
{
	struct cluster *cl = d->cluster;
	struct cl_scan *cs = cs_get(cl);
	const struct cl_peer *p = peer_find(cl, node);
	if (!cl->connected)
		return snprintf(why, size, "the broker %s is out of reach: node %s, which has the "
				"turntable, cannot be asked", cl->cfg.broker, node), -1;
	if (!p || !p->online)
		return snprintf(why, size, "node %s, which has the turntable, is offline", node), -1;
	struct cl_fwd *f = NULL;
	for (int i = 0; cs && i < FWD_MAX && !f; i++)
		if (!cs->fwd[i].req)
			f = &cs->fwd[i];
	if (!f)
		return snprintf(why, size, "busy: %d scan requests already wait for node %s", FWD_MAX,
				node), -1;
	struct pr_cl_msg *m = malloc(sizeof(*m));
	if (!m)
		return snprintf(why, size, "out of memory"), -1;
	pr_cl_msg_init(m, PR_CL_CMD, cl->cfg.rig, cl->cfg.node);
	m->sent_ns = cl_realtime_ns();
	m->op = PR_CL_OP_SCAN;
	snprintf(m->to, sizeof(m->to), "%s", node);
	m->req = ++cl->next_req;
	int n = pr_proto_encode_request(req, m->request, sizeof(m->request));
	if (n > 0 && m->request[n - 1] == '\n')
		m->request[n - 1] = '\0';
	int rc = n > 0 ? cl_publish(cl, m, node, 0) : -1;
	if (rc) {
		snprintf(why, size, "cannot send the scan request to node %s (see photorigd's log)",
			 node);
	} else {
		f->requester = requester;
		f->req = m->req;
		f->id = req->id;
		f->deadline_ns = mono_ns() + FWD_WAIT_NS;
		snprintf(f->node, sizeof(f->node), "%s", node);
		LOG_INFO("cluster: %s sent to node %s, which has the turntable", pr_op_name(req->op),
			 node);
	}
	free(m);
	return rc ? -1 : 0;
}

void cluster_scan_request(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	char node[PR_CL_NAME_MAX + 1] = "", why[1024];
	int where = d->cluster ? table_node(d, node, why, sizeof(why)) : 0;
	if (!where)
		scan_request(d, requester, req);
	else if (where < 0 || forward(d, requester, req, node, why, sizeof(why)))
		events_reply(d, requester, pr_proto_reply_error(req->id, 1, "%s", why));
}

/* The node with the turntable: a scan request another node forwarded. */
static void on_scan_cmd(struct daemon *d, const struct pr_cl_msg *cmd)
{
	struct cluster *cl = d->cluster;
	struct pr_request req;
	struct pr_error err = { 0 };
	int64_t id = 0;
	int has_id = 0;
	json_object *r;
	if (pr_proto_decode_request(cmd->request, strlen(cmd->request), &req, &id, &has_id, &err))
		r = pr_proto_reply_error(0, 0, "node %s cannot read the request: %s", cl->cfg.node,
					 err.msg);
	else if (req.op != PR_OP_SCAN_START && req.op != PR_OP_SCAN_PAUSE &&
		 req.op != PR_OP_SCAN_RESUME && req.op != PR_OP_SCAN_STOP &&
		 req.op != PR_OP_SCAN_STATUS)
		r = pr_proto_reply_error(0, 0, "%s is no scan request", pr_op_name(req.op));
	else if (d->cfg.turntable.driver == PR_TT_NONE)
		r = pr_proto_reply_error(0, 0, "node %s has no turntable", cl->cfg.node);
	else {
		LOG_NOTICE("cluster: %s for node %s", pr_op_name(req.op), cmd->from);
		r = scan_reply(d, &req);
	}
	struct pr_cl_msg *m = malloc(sizeof(*m));
	if (m) {
		pr_cl_msg_init(m, PR_CL_REPLY, cl->cfg.rig, cl->cfg.node);
		m->sent_ns = cl_realtime_ns();
		m->op = PR_CL_OP_SCAN;
		snprintf(m->to, sizeof(m->to), "%s", cmd->from);
		m->req = cmd->req;
		m->ok = pr_json_bool(r, "ok", 0);
		snprintf(m->error, sizeof(m->error), "%s", pr_json_str(r, "error", ""));
		for (char *p = m->error; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		json_object *sc = NULL;
		char *text = json_object_object_get_ex(r, "scan", &sc) && sc ? scan_text(sc) : NULL;
		if (text)
			snprintf(m->scan, sizeof(m->scan), "%s", text);
		free(text);
		cl_publish(cl, m, cmd->from, 0);
		free(m);
	}
	json_object_put(r);
}

/* This node's client: the answer of the node with the turntable. */
static void on_scan_reply(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	struct cl_scan *cs = cl->scan;
	struct cl_fwd *f = NULL;
	for (int i = 0; cs && i < FWD_MAX && !f; i++)
		if (cs->fwd[i].req && cs->fwd[i].req == m->req && !strcmp(cs->fwd[i].node, m->from))
			f = &cs->fwd[i];
	if (!f || strcmp(m->to, cl->cfg.node))
		return;
	json_object *r;
	if (m->ok) {
		r = pr_proto_reply_ok(f->id);
		json_object_object_add(r, "scan", m->scan[0] ? scan_parse(m->scan, m->from) : NULL);
		json_object_object_add(r, "node", json_object_new_string(m->from));
	} else {
		r = pr_proto_reply_error(f->id, 1, "node %s: %s", m->from, m->error);
	}
	events_reply(d, f->requester, r);
	memset(f, 0, sizeof(*f));
}

int cl_scan_message(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	if (m->kind == PR_CL_CMD && m->op == PR_CL_OP_SCAN) {
		if (!strcmp(m->to, cl->cfg.node))
			on_scan_cmd(d, m);
		return 1;
	}
	if (m->kind == PR_CL_REPLY && m->op == PR_CL_OP_SCAN) {
		on_scan_reply(d, m);
		return 1;
	}
	if (m->kind == PR_CL_EVENT && m->event == PR_CL_EV_SCAN) {
		relay(d, m->from, m->scan);
		return 1;
	}
	return 0;
}

void cl_scan_tick(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	struct cl_scan *cs = cl->scan;
	int64_t now = mono_ns();
	for (int i = 0; cs && i < FWD_MAX; i++) {
		struct cl_fwd *f = &cs->fwd[i];
		if (!f->req || now < f->deadline_ns)
			continue;
		events_reply(d, f->requester, pr_proto_reply_error(f->id, 1, "node %s, which has the "
				     "turntable, did not answer within %lld s (photorig status shows "
				     "the rig's nodes)", f->node, FWD_WAIT_NS / 1000000000LL));
		memset(f, 0, sizeof(*f));
	}
	/* a scan event missed (an outage, a restart) is in the node's state */
	for (uint32_t i = 0; i < cl->npeers; i++) {
		const struct cl_peer *p = &cl->peers[i];
		if (p->state && p->state->turntable && p->state->scan[0])
			relay(d, p->name, p->state->scan);
	}
}

void cl_scan_state(struct daemon *d, struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	m->turntable = d->cfg.turntable.driver != PR_TT_NONE;
	if (cl->scan && cl->scan->sent)
		snprintf(m->scan, sizeof(m->scan), "%s", cl->scan->sent);
}

void cluster_scan_broadcast(struct daemon *d, json_object *e)
{
	struct cluster *cl = d->cluster;
	struct cl_scan *cs = cl ? cs_get(cl) : NULL;
	char *text = cs ? scan_text(e) : NULL;
	if (!text)
		return;
	free(cs->sent);
	cs->sent = text;
	struct pr_cl_msg *m = malloc(sizeof(*m));
	if (!m)
		return;
	pr_cl_msg_init(m, PR_CL_EVENT, cl->cfg.rig, cl->cfg.node);
	m->sent_ns = cl_realtime_ns();
	m->event = PR_CL_EV_SCAN;
	if (d->session)
		snprintf(m->session, sizeof(m->session), "%s", d->session->name);
	snprintf(m->scan, sizeof(m->scan), "%s", text);
	cl_publish(cl, m, NULL, 0); /* not connected: the state carries it when it is back */
	free(m);
}

json_object *cluster_scan_json(struct daemon *d)
{
	json_object *o = scan_json(d);
	struct cluster *cl = d->cluster;
	if (o || !cl || !cl->scan || !cl->scan->heard)
		return o;
	return scan_parse(cl->scan->heard, cl->scan->heard_from);
}

/* ---- the steps of a scan of the rig ---- */

int cluster_scan_gate(struct daemon *d, char *why, size_t size)
{
	struct cluster *cl = d->cluster;
	if (!cl)
		return 1;
	if (!cl->connected) {
		snprintf(why, size, "the broker %s is out of reach: the other nodes of rig %s cannot "
			 "shoot with this node; the scan goes on by itself once the broker is back",
			 cl->cfg.broker, cl->cfg.rig);
		return -2;
	}
	return cl_hold_try(d, why, size);
}

int cluster_scan_rig_back(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	if (!cl || !cl->connected)
		return 0;
	int all = 1;
	for (uint32_t i = 0; i < cl->npeers; i++)
		all &= !cl->peers[i].state || cl->peers[i].online;
	int64_t since = cl->ngaps ? cl->gaps[cl->ngaps - 1].to_ns : 0;
	return all || cl_realtime_ns() - since >= BACK_WAIT_NS;
}

void cluster_scan_step(struct daemon *d, const struct scan *sc)
{
	struct cluster *cl = d->cluster;
	struct cl_scan *cs = cl ? cs_get(cl) : NULL;
	if (!cs)
		return;
	free(cs->step_text);
	cs->step_text = NULL;
	cs->step_on = 0;
	if (!sc)
		return;
	json_object *o = scan_json(d);
	cs->step_text = o ? scan_text(o) : NULL;
	json_object_put(o);
	cs->step_on = 1;
	cs->step_scan = sc->id;
	cs->step = (int32_t)sc->cur;
	cs->step_angle = scan_angle(sc, sc->cur);
}

int cluster_scan_set_done(struct daemon *d, uint32_t set, char *others, size_t size,
			  int *retry)
{
	struct cluster *cl = d->cluster;
	const struct rig_set *rs = NULL;
	for (uint32_t i = 0; cl && d->session && !strcmp(cl->rig_session, d->session->name) &&
	     i < cl->nrig; i++)
		if (cl->rig[i]->number == set)
			rs = cl->rig[i];
	if (!rs) /* shot without the rig, or no rig */
		return 1;
	if (!rs->finished)
		return 0;
	/* nodes[0] is this node: its own cameras are the set's own business */
	for (uint32_t i = 1; i < rs->nnodes; i++) {
		const struct rig_node *n = &rs->nodes[i];
		const struct cl_peer *p = peer_find(cl, n->name);
		for (const char *c = n->missing; *c;) {
			size_t len = strcspn(c, ",");
			size_t used = strlen(others);
			snprintf(others + used, size - used, "%s%s/%.*s", used ? ", " : "", n->name,
				 (int)len, c);
			c += len + (c[len] == ',');
			/* its node is there, or the broker went with its report */
			*retry |= (p && p->online) || !cl->connected;
		}
	}
	return 1;
}

void cl_scan_plan(struct daemon *d, struct pr_cl_msg *arm, struct rig_set *rs)
{
	struct cl_scan *cs = d->cluster->scan;
	if (!cs || !cs->step_on)
		return;
	if (cs->step_text)
		snprintf(arm->scan, sizeof(arm->scan), "%s", cs->step_text);
	rs->has_angle = 1;
	rs->scan = cs->step_scan;
	rs->step = cs->step;
	rs->angle = cs->step_angle;
}

void cl_scan_set_json(const struct rig_set *rs, json_object *o)
{
	if (!rs->has_angle)
		return;
	json_object_object_add(o, "scan", json_object_new_int64(rs->scan));
	json_object_object_add(o, "step", json_object_new_int64(rs->step));
	json_object_object_add(o, "angle", json_object_new_double(rs->angle));
}

/* Another node's arm: a set of the rig, which is a scan step when the arm
 * names one (its scan's status: scan, step counted from 1, angle). */
int cl_scan_arm(struct daemon *d, const struct pr_cl_msg *m)
{
	if (!m->scan[0])
		return capture_local(d, "rig set");
	json_object *sc = scan_parse(m->scan, NULL);
	int64_t id = sc ? pr_json_int(sc, "scan", 0) : 0, step = sc ? pr_json_int(sc, "step", 0) - 1 : -1;
	double angle = sc ? pr_json_double(sc, "angle", NAN) : NAN;
	json_object_put(sc);
	char why[1024] = "";
	if (id < 1 || id > UINT32_MAX || step < 0 || step >= PR_PROTO_MAX_STEPS || !isfinite(angle) ||
	    fabs(angle) > 3600)
		snprintf(why, sizeof(why), "the arm names no scan step this node can read");
	else if (!d->session || !d->nslots || scan_running(d) || d->stopping)
		snprintf(why, sizeof(why), "%s", !d->session ? "no session is active" : !d->nslots ?
			 "this node has no cameras" : d->stopping ? "stopping" : "a scan runs here");
	else
		disk_check(d, why, sizeof(why));
	if (why[0]) {
		LOG_NOTICE("cluster: set %u of %s not shot here: %s", m->set, m->from, why);
		return -1;
	}
	struct set_rec *set = capture_scan_set(d, (uint32_t)id, (uint32_t)step, angle);
	if (!set)
		return -1;
	LOG_INFO("cluster: set %u is step %lld of scan %lld of node %s, at %g degrees", set->number,
		 (long long)step + 1, (long long)id, m->from, angle);
	return 0;
}
