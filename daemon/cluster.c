/* photorigd: the cluster link's loop side (see cluster.h): the posts of the
 * network thread, this node's retained state, the other nodes' view, the
 * broker outages, and what `status` and `cameras` show of the rig. */
#define _GNU_SOURCE
#include "cluster_int.h"
#include "daemon.h"
#include "loop.h"
#include "rig.h"
#include "rig_op.h"
#include "session.h"
#include "scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

#define STATE_REFRESH_NS (30 * 1000000000LL)  /* republished anyway, so a lost one heals */
#define CLOCK_READ_NS (1000000000LL)

static const char *const slot_words[] = { "attaching", "ready", "offline", "recovering" };

int cluster_enabled(const struct daemon *d)
{
	return d->cluster != NULL;
}

int cluster_start(struct daemon *d)
{
	if (!d->cfg.cluster.enabled)
		return 0;
	struct cluster *cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -1;
	cl->d = d;
	cl->cfg = d->cfg.cluster;
	cl->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (cl->evfd < 0 || pthread_mutex_init(&cl->lock, NULL)) {
		LOG_ERR("cluster: %s", strerror(errno));
		if (cl->evfd >= 0)
			close(cl->evfd);
		free(cl);
		return -1;
	}
	d->cluster = cl;
	if (loop_add_fd(d, cl->evfd, TAG_CLUSTER) || cl_link_open(cl)) {
		cluster_stop(d);
		return -1;
	}
	/* an outage is counted from the start until the first connect */
	cl->gaps[0].from_ns = cl_realtime_ns();
	cl->ngaps = 1;
	return 0;
}

static void post_free(struct cl_post *p)
{
	while (p) {
		struct cl_post *next = p->next;
		free(p->msg);
		free(p);
		p = next;
	}
}

void cluster_stop(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	if (!cl)
		return;
	cl_link_close(cl);
	post_free(cl_take_all(cl));
	cl_rig_fini(cl);
	cl_scan_fini(cl);
	cl_late_fini(cl);
	for (uint32_t i = 0; i < cl->npeers; i++)
		free(cl->peers[i].state);
	free(cl->state_sent);
	close(cl->evfd);
	pthread_mutex_destroy(&cl->lock);
	free(cl);
	d->cluster = NULL;
}

/* ---- this node's state ---- */

static void build_state(struct daemon *d, struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	pr_cl_msg_init(m, PR_CL_STATE, cl->cfg.rig, cl->cfg.node);
	m->online = 1;
	m->busy = d->op.kind != OP_NONE || scan_running(d);
	m->disk_full = d->disk.full;
	m->clock = cl->clock;
	if (d->session) {
		snprintf(m->session, sizeof(m->session), "%s", d->session->name);
		m->next_set = d->session->next_set;
	}
	for (uint32_t i = 0; i < d->nslots && i < PR_CL_MAX_CAMERAS; i++) {
		const struct cam_slot *s = &d->slots[i];
		struct pr_cl_camera *c = &m->cameras[m->ncameras++];
		snprintf(c->name, sizeof(c->name), "%s", s->cfg.name);
		/* a serial the decoder would refuse (control characters) is left out */
		snprintf(c->serial, sizeof(c->serial), "%s", s->info.serial);
		for (char *p = c->serial; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		snprintf(c->state, sizeof(c->state), "%s", slot_words[s->state]);
		c->plate = d->plates && d->plates[i] != NULL;
	}
	cl_scan_state(d, m);
}

/* Publish the state when it changed (sent_ns aside) or is due again. */
static void publish_state(struct daemon *d, int force)
{
	struct cluster *cl = d->cluster;
	if (!cl->connected)
		return;
	struct pr_cl_msg *m = malloc(sizeof(*m));
	if (!m)
		return;
	build_state(d, m);
	char *payload = NULL;
	size_t len = 0;
	struct pr_error err = { 0 };
	int rc = pr_cl_encode(m, &payload, &len, &err);
	free(m);
	if (rc) {
		LOG_RATELIMITED(PR_LOG_ERR, "cluster: cannot encode this node's state: %s", err.msg);
		return;
	}
	int64_t now = mono_ns();
	if (!force && cl->state_sent && !strcmp(cl->state_sent, payload) && now < cl->state_due_ns) {
		free(payload);
		return;
	}
	if (!cl_publish_raw(cl, "state", cl->cfg.node, payload, len, 1)) {
		free(cl->state_sent);
		cl->state_sent = payload;
		cl->state_due_ns = now + STATE_REFRESH_NS;
	} else {
		free(payload);
	}
}

void cluster_tick(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	if (!cl)
		return;
	int64_t now = mono_ns();
	if (now - cl->clock_read_ns >= CLOCK_READ_NS) {
		int was_ok = cl->clock_read_ns ? cluster_clock_ok(&cl->clock) : 1;
		cluster_clock_read(&cl->clock);
		cl->clock_read_ns = now;
		if (was_ok && !cluster_clock_ok(&cl->clock))
			LOG_WARN("cluster: this node's clock is %s (estimated error %lld us): sets "
				 "released at a time T will not be in step with the other nodes; run "
				 "chrony or PTP", cl->clock.synced ? "synchronised" : "not synchronised",
				 (long long)cl->clock.error_us);
	}
	cl_link_retry(cl);
	cl_rig_tick(d);
	cl_hold_tick(d);
	cl_scan_tick(d);
	cl_late_tick(d);
	publish_state(d, 0);
}

/* ---- the other nodes ---- */

static struct cl_peer *peer_get(struct cluster *cl, const char *name, int add)
{
	for (uint32_t i = 0; i < cl->npeers; i++)
		if (!strcmp(cl->peers[i].name, name))
			return &cl->peers[i];
	if (!add)
		return NULL;
	if (cl->npeers >= CL_MAX_PEERS) {
		LOG_RATELIMITED(PR_LOG_WARNING, "cluster: more than %d nodes; node %s is ignored",
				CL_MAX_PEERS, name);
		return NULL;
	}
	struct cl_peer *p = &cl->peers[cl->npeers++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

static void on_state(struct cluster *cl, struct pr_cl_msg *m)
{
	struct cl_peer *p = peer_get(cl, m->from, 1);
	if (!p) {
		free(m);
		return;
	}
	if (p->online != m->online || !p->state) {
		if (m->online)
			LOG_NOTICE("cluster: node %s is online (%u cameras)", m->from, m->ncameras);
		else if (p->state)
			LOG_WARN("cluster: node %s is offline", m->from);
		p->offline_since_ns = m->online ? 0 : cl_realtime_ns();
	}
	p->online = m->online;
	p->seen_ns = cl_realtime_ns();
	if (!m->online)
		cl_hold_node_gone(cl, m->from);
	if (!m->online && p->state) {
		/* the Will carries no cameras: keep the last known ones, so the rig
		 * can name the cameras that went with the node */
		p->state->online = 0;
		free(m);
		return;
	}
	free(p->state);
	p->state = m;
}

static void on_connected(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	int64_t now = cl_realtime_ns();
	if (cl->ngaps && !cl->gaps[cl->ngaps - 1].to_ns) {
		struct cl_gap *g = &cl->gaps[cl->ngaps - 1];
		g->to_ns = now;
		if (cl->ever_connected)
			LOG_NOTICE("cluster: the broker %s is back after %.1f s; this node kept its files "
				   "and journal meanwhile", cl->cfg.broker, (double)(g->to_ns - g->from_ns)
				   / 1e9);
		else
			cl->ngaps = 0; /* the start-up is no outage */
	}
	if (!cl->ever_connected)
		LOG_NOTICE("cluster: connected to %s as node %s of rig %s", cl->cfg.broker,
			   cl->cfg.node, cl->cfg.rig);
	cl->connected = cl->ever_connected = 1;
	cl->refused = 0;
	cl->error[0] = '\0';
	publish_state(d, 1);
}

static void on_lost(struct cluster *cl, const struct cl_post *p)
{
	/* a refusal is followed by the broker closing the connection: the
	 * refusal is the reason to show */
	if (p->type == CLP_DISCONNECTED && cl->refused && !cl->connected)
		return;
	cl->refused = p->type == CLP_REFUSED;
	if (strcmp(cl->error, p->text)) {
		if (p->type == CLP_REFUSED)
			LOG_ERR("cluster: %s", p->text);
		else
			LOG_WARN("cluster: %s; reconnecting with back-off", p->text);
	}
	snprintf(cl->error, sizeof(cl->error), "%s", p->text);
	if (cl->connected || !cl->ngaps || cl->gaps[cl->ngaps - 1].to_ns) {
		if (cl->ngaps == CL_MAX_GAPS) {
			memmove(cl->gaps, cl->gaps + 1, sizeof(cl->gaps[0]) * (CL_MAX_GAPS - 1));
			cl->ngaps--;
		}
		cl->gaps[cl->ngaps].from_ns = cl_realtime_ns();
		cl->gaps[cl->ngaps++].to_ns = 0;
	}
	cl->connected = 0;
	/* what the others said is from before the outage: they may be gone */
	for (uint32_t i = 0; i < cl->npeers; i++)
		cl->peers[i].online = 0;
}

/* Each dropped message is logged, up to DROP_LOG_MAX in a window of
 * DROP_LOG_WINDOW_NS; a flood beyond is counted and summed up once. */
#define DROP_LOG_MAX 20
#define DROP_LOG_WINDOW_NS (10 * 1000000000LL)

static void log_drop(struct cluster *cl, const char *text)
{
	int64_t now = mono_ns();
	cl->dropped++;
	snprintf(cl->last_drop, sizeof(cl->last_drop), "%s", text);
	if (now - cl->drop_window_ns > DROP_LOG_WINDOW_NS) {
		if (cl->drop_held)
			LOG_WARN("cluster: %u more messages dropped (not logged one by one)",
				 cl->drop_held);
		cl->drop_window_ns = now;
		cl->drop_logged = cl->drop_held = 0;
	}
	if (cl->drop_logged++ < DROP_LOG_MAX)
		LOG_WARN("cluster: %s", text);
	else
		cl->drop_held++;
}

void cluster_on_event(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	if (!cl)
		return;
	struct cl_post *p = cl_take_all(cl);
	while (p) {
		struct cl_post *next = p->next;
		switch (p->type) {
		case CLP_CONNECTED:
			on_connected(d);
			break;
		case CLP_REFUSED:
		case CLP_DISCONNECTED:
			on_lost(cl, p);
			break;
		case CLP_DROPPED:
			log_drop(cl, p->text);
			break;
		case CLP_MESSAGE:
			if (p->msg->kind == PR_CL_STATE) {
				on_state(cl, p->msg);
				p->msg = NULL;
			} else {
				cl_rig_message(d, p->msg);
			}
			break;
		}
		free(p->msg);
		free(p);
		p = next;
	}
}

/* ---- status and cameras ---- */

static json_object *gap_json(const struct cl_gap *g)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "from_ns", json_object_new_int64(g->from_ns));
	json_object_object_add(o, "to_ns", g->to_ns ? json_object_new_int64(g->to_ns) : NULL);
	int64_t end = g->to_ns ? g->to_ns : cl_realtime_ns();
	json_object_object_add(o, "seconds", json_object_new_double((double)(end - g->from_ns) / 1e9));
	return o;
}

static json_object *node_json(const char *name, int online, const struct pr_cl_msg *st,
			      int self)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "node", json_object_new_string(name));
	json_object_object_add(o, "self", json_object_new_boolean(self));
	json_object_object_add(o, "online", json_object_new_boolean(online));
	if (!st)
		return o;
	json_object_object_add(o, "cameras", json_object_new_int((int)st->ncameras));
	int ready = 0;
	for (uint32_t i = 0; i < st->ncameras; i++)
		ready += !strcmp(st->cameras[i].state, "ready");
	json_object_object_add(o, "attached", json_object_new_int(ready));
	json_object_object_add(o, "session", st->session[0] ? json_object_new_string(st->session)
							    : NULL);
	json_object_object_add(o, "next_set", json_object_new_int64(st->next_set));
	json_object_object_add(o, "busy", json_object_new_boolean(st->busy));
	json_object_object_add(o, "disk_full", json_object_new_boolean(st->disk_full));
	json_object_object_add(o, "clock", cluster_clock_json(&st->clock));
	return o;
}

json_object *cluster_status_json(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	if (!cl)
		return NULL;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "node", json_object_new_string(cl->cfg.node));
	json_object_object_add(o, "rig", json_object_new_string(cl->cfg.rig));
	json_object_object_add(o, "broker", json_object_new_string(cl->cfg.broker));
	json_object_object_add(o, "connected", json_object_new_boolean(cl->connected));
	json_object_object_add(o, "error", cl->error[0] ? json_object_new_string(cl->error) : NULL);
	json_object *gaps = json_object_new_array();
	for (uint32_t i = 0; i < cl->ngaps; i++)
		json_object_array_add(gaps, gap_json(&cl->gaps[i]));
	json_object_object_add(o, "outages", gaps);
	json_object_object_add(o, "dropped", json_object_new_int64((int64_t)cl->dropped));
	json_object_object_add(o, "last_dropped", cl->last_drop[0] ?
			       json_object_new_string(cl->last_drop) : NULL);
	json_object_object_add(o, "clock", cluster_clock_json(&cl->clock));
	json_object_object_add(o, "local_sets", json_object_new_int64(cl->local_sets));
	json_object_object_add(o, "last_local_set", cl->local_sets ?
			       json_object_new_int64(cl->last_local_set) : NULL);
	json_object *nodes = json_object_new_array();
	struct pr_cl_msg *self = malloc(sizeof(*self));
	if (self)
		build_state(d, self);
	json_object_array_add(nodes, node_json(cl->cfg.node, 1, self, 1));
	free(self);
	for (uint32_t i = 0; i < cl->npeers; i++)
		json_object_array_add(nodes, node_json(cl->peers[i].name, cl->peers[i].online,
						       cl->peers[i].state, 0));
	json_object_object_add(o, "nodes", nodes);
	return o;
}

void cluster_cameras_json(struct daemon *d, json_object *a)
{
	struct cluster *cl = d->cluster;
	if (!cl)
		return;
	/* this node's own cameras are listed first: named NODE/CAMERA too */
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		char name[2 * PR_CL_NAME_MAX + 2];
		snprintf(name, sizeof(name), "%s/%s", cl->cfg.node, pr_json_str(o, "name", ""));
		json_object_object_add(o, "camera", json_object_new_string(pr_json_str(o, "name", "")));
		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "node", json_object_new_string(cl->cfg.node));
	}
	for (uint32_t i = 0; i < cl->npeers; i++) {
		const struct cl_peer *p = &cl->peers[i];
		if (!p->state)
			continue;
		for (uint32_t c = 0; c < p->state->ncameras; c++) {
			const struct pr_cl_camera *cam = &p->state->cameras[c];
			char name[2 * PR_CL_NAME_MAX + 2];
			snprintf(name, sizeof(name), "%s/%s", p->name, cam->name);
			json_object *o = json_object_new_object();
			json_object_object_add(o, "name", json_object_new_string(name));
			json_object_object_add(o, "camera", json_object_new_string(cam->name));
			json_object_object_add(o, "node", json_object_new_string(p->name));
			json_object_object_add(o, "state", json_object_new_string(
							    p->online ? cam->state : "node offline"));
			json_object_object_add(o, "serial", json_object_new_string(cam->serial));
			json_object_object_add(o, "plate", json_object_new_boolean(cam->plate));
			json_object_array_add(a, o);
		}
	}
}
