/* photorigd: one capture at a time in a multi-node rig (see cluster_int.h).
 *
 * Two operators may press capture on two nodes at the same moment. Each
 * coordinator first sends "hold" to every node and starts its first set only
 * when every online node said yes (or stayed silent for HOLD_WAIT_NS: a node
 * that vanished must not stop the rig; its cameras are named missing). Every
 * node answers by one rule, the same everywhere: of the holds it has seen,
 * the earliest (its sent time, then the node name) wins, unless the other one
 * already runs (it has armed a set). A coordinator that sees an earlier hold
 * than its own gives way, and its capture is refused as busy; the winner
 * gets every yes. So one capture runs, the other is refused, and only the
 * winner picks set numbers. "release" ends the hold when the capture is
 * over, or the node's Will does. */
#define _GNU_SOURCE
#include "cluster_int.h"
#include "daemon.h"
#include "loop.h"
#include "rig_op.h"
#include "scan.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

#define HOLD_WAIT_NS (2 * 1000000000LL)

/* 1 when (a_ns, a) comes before (b_ns, b). */
static int earlier(int64_t a_ns, const char *a, int64_t b_ns, const char *b)
{
	return a_ns != b_ns ? a_ns < b_ns : strcmp(a, b) < 0;
}

static void refuse(struct daemon *d, const char *why)
{
	struct rig_op *op = &d->op;
	op->aborted = 1;
	snprintf(op->error, sizeof(op->error), "%s", why);
}

int cl_hold_gate(struct daemon *d)
{
	char why[300];
	int rc = cl_hold_try(d, why, sizeof(why));
	if (rc < 0)
		refuse(d, why);
	return rc > 0;
}

int cl_hold_try(struct daemon *d, char *why, size_t size)
{
	struct cluster *cl = d->cluster;
	struct cl_hold_mine *h = &cl->mine;
	if (h->state == 2)
		return 1;
	int peers = 0;
	for (uint32_t i = 0; i < cl->npeers; i++)
		peers += cl->peers[i].online && cl->peers[i].state;
	if (h->state == 0) {
		if (!cl->connected || !peers)
			return 1; /* this node alone: nothing to agree on */
		if (cl->granted.active) {
			snprintf(why, size, "busy: node %s is capturing", cl->granted.node);
			return -1;
		}
		h->state = 1;
		h->sent_ns = cl_realtime_ns();
		h->asked = (uint32_t)peers;
		h->answered = 0;
		h->refused[0] = '\0';
		h->deadline_ns = mono_ns() + HOLD_WAIT_NS;
		/* every node compares holds by this time, so it is the one sent */
		h->req = cl_command_all(cl, PR_CL_OP_HOLD, NULL, 0, h->sent_ns);
		return 0;
	}
	if (h->refused[0]) {
		snprintf(why, size, "%s", h->refused);
		cl_command_all(cl, PR_CL_OP_RELEASE, NULL, 0, 0);
		memset(h, 0, sizeof(*h));
		return -1;
	}
	if (h->answered < h->asked && mono_ns() < h->deadline_ns)
		return 0;
	if (h->answered < h->asked)
		LOG_WARN("cluster: %u of %u nodes answered the hold; going on without the others",
			 h->answered, h->asked);
	h->state = 2;
	return 1;
}

int cl_hold_gave_way(const struct daemon *d)
{
	return d->op.kind == OP_CAPTURE && !d->op.sets_started &&
	       (d->op.aborted || d->cluster->mine.refused[0]);
}

void cl_hold_tick(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	/* a rig scan holds the rig from its first step to its end or pause */
	if (cl->mine.state && d->op.kind == OP_NONE && !scan_running(d)) {
		if (cl->connected)
			cl_command_all(cl, PR_CL_OP_RELEASE, NULL, 0, 0);
		memset(&cl->mine, 0, sizeof(cl->mine));
	}
}

void cl_hold_armed(struct cluster *cl, const char *node)
{
	if (cl->granted.active && !strcmp(cl->granted.node, node))
		cl->granted.armed = 1;
}

void cl_hold_node_gone(struct cluster *cl, const char *node)
{
	if (cl->granted.active && !strcmp(cl->granted.node, node))
		memset(&cl->granted, 0, sizeof(cl->granted));
}

static void grant(struct cluster *cl, const struct pr_cl_msg *m)
{
	cl->granted.active = 1;
	cl->granted.armed = 0;
	snprintf(cl->granted.node, sizeof(cl->granted.node), "%s", m->from);
	cl->granted.sent_ns = m->sent_ns;
	cl_reply(cl, m, 1, NULL);
}

static void on_hold(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	struct cl_hold_mine *h = &cl->mine;
	char why[300];
	if (h->state == 1 && earlier(m->sent_ns, m->from, h->sent_ns, cl->cfg.node)) {
		/* the other press came first: ours gives way */
		snprintf(h->refused, sizeof(h->refused), "busy: node %s started a capture first",
			 m->from);
		grant(cl, m);
		return;
	}
	/* this node's own work (not a set of the rig it holds for) */
	if (h->state || (d->op.kind != OP_NONE && !cl->granted.active) || scan_running(d)) {
		snprintf(why, sizeof(why), "busy: node %s is capturing", cl->cfg.node);
		cl_reply(cl, m, 0, why);
		return;
	}
	struct cl_hold_granted *g = &cl->granted;
	if (g->active && strcmp(g->node, m->from) &&
	    (g->armed || !earlier(m->sent_ns, m->from, g->sent_ns, g->node))) {
		snprintf(why, sizeof(why), "busy: node %s is capturing", g->node);
		cl_reply(cl, m, 0, why);
		return;
	}
	grant(cl, m);
}

int cl_hold_message(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	if (m->kind == PR_CL_CMD && m->op == PR_CL_OP_HOLD) {
		on_hold(d, m);
		return 1;
	}
	if (m->kind == PR_CL_CMD && m->op == PR_CL_OP_RELEASE) {
		cl_hold_node_gone(cl, m->from);
		return 1;
	}
	if (m->kind == PR_CL_REPLY && m->op == PR_CL_OP_HOLD) {
		if (!strcmp(m->to, cl->cfg.node) && cl->mine.state == 1 && m->req == cl->mine.req) {
			cl->mine.answered++;
			if (!m->ok && !cl->mine.refused[0])
				snprintf(cl->mine.refused, sizeof(cl->mine.refused), "%s", m->error);
		}
		return 1;
	}
	return 0;
}
