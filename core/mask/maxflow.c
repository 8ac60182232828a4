/* Boykov-Kolmogorov maximum flow.
 *
 * Each node belongs to the source tree S, the sink tree T, or neither. The
 * trees grow from active nodes along arcs with residual capacity until they
 * touch; the path found is augmented, which saturates some arcs and orphans
 * the nodes below them; orphans then look for a new parent in their tree
 * (one whose own path to the terminal is valid) or become free. Distances to
 * the terminal and time stamps make the validity check cheap and prefer
 * short paths, as in the original paper. */
#include "maxflow.h"

#include <float.h>
#include <stdlib.h>

#define NONE UINT32_MAX
#define TERMINAL (UINT32_MAX - 1) /* parent of a node linked straight to its terminal */
#define ORPHAN (UINT32_MAX - 2)

enum { FREE = 0, SOURCE_TREE = 1, SINK_TREE = 2 };

struct node {
	uint32_t first;    /* first outgoing arc */
	uint32_t parent;   /* arc to the parent (from this node), TERMINAL, ORPHAN or NONE */
	uint32_t next_active;
	uint32_t ts, dist;
	float tr_cap;      /* > 0: residual from source; < 0: residual to sink */
	uint8_t tree;
	uint8_t in_active;
};

struct arc {
	uint32_t head;     /* node the arc points to */
	uint32_t next;     /* next arc out of the same node */
	float r_cap;       /* residual capacity */
};

struct pr_maxflow {
	struct node *nodes;
	struct arc *arcs;   /* arc a and a^1 are sisters */
	uint32_t nnodes, narcs, max_arcs;
	uint32_t active_head, active_tail;
	uint32_t *orphans;  /* stack */
	uint32_t norphans;
	uint32_t time;
	double flow;
};

struct pr_maxflow *pr_maxflow_new(uint32_t nodes, uint32_t max_edges)
{
	struct pr_maxflow *g = calloc(1, sizeof(*g));
	if (!g || (uint64_t)max_edges * 2 >= NONE - 3)
		goto fail;
	g->nodes = calloc(nodes ? nodes : 1, sizeof(*g->nodes));
	g->arcs = malloc(sizeof(*g->arcs) * (max_edges ? (size_t)max_edges * 2 : 2));
	g->orphans = malloc(sizeof(uint32_t) * (nodes ? nodes : 1));
	if (!g->nodes || !g->arcs || !g->orphans)
		goto fail;
	g->nnodes = nodes;
	g->max_arcs = max_edges * 2;
	for (uint32_t i = 0; i < nodes; i++) {
		g->nodes[i].first = NONE;
		g->nodes[i].parent = NONE;
		g->nodes[i].next_active = NONE;
	}
	return g;
fail:
	pr_maxflow_free(g);
	return NULL;
}

void pr_maxflow_free(struct pr_maxflow *g)
{
	if (!g)
		return;
	free(g->nodes);
	free(g->arcs);
	free(g->orphans);
	free(g);
}

void pr_maxflow_add_tweights(struct pr_maxflow *g, uint32_t i, float source, float sink)
{
	/* only the difference matters for the cut; the common part is flow */
	float delta = g->nodes[i].tr_cap;
	if (delta > 0)
		source += delta;
	else
		sink -= delta;
	g->flow += source < sink ? source : sink;
	g->nodes[i].tr_cap = source - sink;
}

int pr_maxflow_add_edge(struct pr_maxflow *g, uint32_t i, uint32_t j, float cap, float rev_cap)
{
	if (g->narcs + 2 > g->max_arcs)
		return -1;
	uint32_t a = g->narcs, b = a + 1;
	g->arcs[a] = (struct arc){ j, g->nodes[i].first, cap };
	g->arcs[b] = (struct arc){ i, g->nodes[j].first, rev_cap };
	g->nodes[i].first = a;
	g->nodes[j].first = b;
	g->narcs += 2;
	return 0;
}

static void set_active(struct pr_maxflow *g, uint32_t i)
{
	struct node *n = &g->nodes[i];
	if (n->in_active)
		return;
	n->in_active = 1;
	n->next_active = NONE;
	if (g->active_tail == NONE)
		g->active_head = i;
	else
		g->nodes[g->active_tail].next_active = i;
	g->active_tail = i;
}

static uint32_t next_active(struct pr_maxflow *g)
{
	while (g->active_head != NONE) {
		uint32_t i = g->active_head;
		struct node *n = &g->nodes[i];
		g->active_head = n->next_active;
		if (g->active_head == NONE)
			g->active_tail = NONE;
		n->in_active = 0;
		if (n->parent != NONE)
			return i; /* still in a tree */
	}
	return NONE;
}

/* Grow the trees from active nodes until they meet; returns the arc that
 * joins them, oriented from the source tree to the sink tree, or NONE. */
static uint32_t grow(struct pr_maxflow *g, uint32_t *from)
{
	uint32_t i;
	while ((i = next_active(g)) != NONE) {
		struct node *n = &g->nodes[i];
		for (uint32_t a = n->first; a != NONE; a = g->arcs[a].next) {
			uint32_t j = g->arcs[a].head;
			struct node *m = &g->nodes[j];
			/* residual in the tree's direction: i->j for S, j->i for T */
			float cap = n->tree == SOURCE_TREE ? g->arcs[a].r_cap : g->arcs[a ^ 1].r_cap;
			if (cap <= 0)
				continue;
			if (m->tree == FREE) {
				m->tree = n->tree;
				m->parent = a ^ 1;
				m->ts = n->ts;
				m->dist = n->dist + 1;
				set_active(g, j);
			} else if (m->tree != n->tree) {
				/* the trees meet; keep i active, it may have more */
				set_active(g, i);
				*from = n->tree == SOURCE_TREE ? i : j;
				return n->tree == SOURCE_TREE ? a : a ^ 1;
			} else if (m->ts <= n->ts && m->dist > n->dist) {
				/* j can reach the terminal by a shorter path through i */
				m->parent = a ^ 1;
				m->ts = n->ts;
				m->dist = n->dist + 1;
			}
		}
	}
	return NONE;
}

static void add_orphan(struct pr_maxflow *g, uint32_t i)
{
	g->nodes[i].parent = ORPHAN;
	g->orphans[g->norphans++] = i;
}

/* Push the bottleneck along source .. s -(mid)-> t .. sink. */
static void augment(struct pr_maxflow *g, uint32_t mid)
{
	float bottleneck = g->arcs[mid].r_cap;
	uint32_t s = g->arcs[mid ^ 1].head, t = g->arcs[mid].head, i, a;

	for (i = s; (a = g->nodes[i].parent) != TERMINAL; i = g->arcs[a].head)
		if (g->arcs[a ^ 1].r_cap < bottleneck)
			bottleneck = g->arcs[a ^ 1].r_cap;
	if (g->nodes[i].tr_cap < bottleneck)
		bottleneck = g->nodes[i].tr_cap;
	for (i = t; (a = g->nodes[i].parent) != TERMINAL; i = g->arcs[a].head)
		if (g->arcs[a].r_cap < bottleneck)
			bottleneck = g->arcs[a].r_cap;
	if (-g->nodes[i].tr_cap < bottleneck)
		bottleneck = -g->nodes[i].tr_cap;

	g->arcs[mid].r_cap -= bottleneck;
	g->arcs[mid ^ 1].r_cap += bottleneck;
	/* source side: flow runs from parent to child, i.e. along arc a^1 */
	for (i = s; (a = g->nodes[i].parent) != TERMINAL;) {
		uint32_t up = g->arcs[a].head;
		g->arcs[a].r_cap += bottleneck;
		g->arcs[a ^ 1].r_cap -= bottleneck;
		if (g->arcs[a ^ 1].r_cap <= 0)
			add_orphan(g, i);
		i = up;
	}
	g->nodes[i].tr_cap -= bottleneck;
	if (g->nodes[i].tr_cap <= 0)
		add_orphan(g, i);
	/* sink side: flow runs from child to parent, along arc a */
	for (i = t; (a = g->nodes[i].parent) != TERMINAL;) {
		uint32_t up = g->arcs[a].head;
		g->arcs[a ^ 1].r_cap += bottleneck;
		g->arcs[a].r_cap -= bottleneck;
		if (g->arcs[a].r_cap <= 0)
			add_orphan(g, i);
		i = up;
	}
	g->nodes[i].tr_cap += bottleneck;
	if (g->nodes[i].tr_cap >= 0)
		add_orphan(g, i);
	g->flow += bottleneck;
}

/* Distance from j to its terminal through valid parents, or NONE when the
 * path is broken by an orphan. Marks the path with the current time. */
static uint32_t origin_distance(struct pr_maxflow *g, uint32_t j)
{
	uint32_t d = 0, k = j;
	for (;;) {
		struct node *n = &g->nodes[k];
		if (n->ts == g->time) {
			d += n->dist;
			break;
		}
		uint32_t a = n->parent;
		d++;
		if (a == TERMINAL) {
			n->ts = g->time;
			n->dist = 1;
			break;
		}
		if (a == ORPHAN || a == NONE)
			return NONE;
		k = g->arcs[a].head;
	}
	/* stamp the path so later checks stop early */
	for (uint32_t k2 = j; g->nodes[k2].ts != g->time; k2 = g->arcs[g->nodes[k2].parent].head) {
		g->nodes[k2].ts = g->time;
		g->nodes[k2].dist = d--;
	}
	return g->nodes[j].dist;
}

static void adopt(struct pr_maxflow *g, uint32_t i)
{
	struct node *n = &g->nodes[i];
	uint32_t best = NONE, best_d = NONE;
	for (uint32_t a = n->first; a != NONE; a = g->arcs[a].next) {
		uint32_t j = g->arcs[a].head;
		struct node *m = &g->nodes[j];
		if (m->tree != n->tree)
			continue;
		/* j may be i's parent if flow can run j -> i (S) or i -> j (T) */
		float cap = n->tree == SOURCE_TREE ? g->arcs[a ^ 1].r_cap : g->arcs[a].r_cap;
		if (cap <= 0)
			continue;
		uint32_t d = origin_distance(g, j);
		if (d != NONE && d < best_d) {
			best = a;
			best_d = d;
		}
	}
	if (best != NONE) {
		n->parent = best;
		n->ts = g->time;
		n->dist = best_d + 1;
		return;
	}
	/* no parent: i leaves its tree; its children become orphans, and
	 * neighbours that could reach it become active to regrow */
	for (uint32_t a = n->first; a != NONE; a = g->arcs[a].next) {
		uint32_t j = g->arcs[a].head;
		struct node *m = &g->nodes[j];
		if (m->tree != n->tree)
			continue;
		float cap = n->tree == SOURCE_TREE ? g->arcs[a ^ 1].r_cap : g->arcs[a].r_cap;
		if (cap > 0)
			set_active(g, j);
		if (m->parent != TERMINAL && m->parent != ORPHAN && m->parent != NONE &&
		    g->arcs[m->parent].head == i)
			add_orphan(g, j);
	}
	n->tree = FREE;
	n->parent = NONE;
}

double pr_maxflow_run(struct pr_maxflow *g)
{
	g->active_head = g->active_tail = NONE;
	g->time = 0;
	for (uint32_t i = 0; i < g->nnodes; i++) {
		struct node *n = &g->nodes[i];
		n->in_active = 0;
		n->ts = 0;
		if (n->tr_cap > 0) {
			n->tree = SOURCE_TREE;
			n->parent = TERMINAL;
			n->dist = 1;
			set_active(g, i);
		} else if (n->tr_cap < 0) {
			n->tree = SINK_TREE;
			n->parent = TERMINAL;
			n->dist = 1;
			set_active(g, i);
		} else {
			n->tree = FREE;
			n->parent = NONE;
		}
	}
	for (;;) {
		uint32_t from, mid = grow(g, &from);
		if (mid == NONE)
			break;
		g->time++;
		g->norphans = 0;
		augment(g, mid);
		while (g->norphans) {
			uint32_t o = g->orphans[--g->norphans];
			adopt(g, o);
		}
	}
	return g->flow;
}

int pr_maxflow_source_side(const struct pr_maxflow *g, uint32_t i)
{
	return g->nodes[i].tree == SOURCE_TREE;
}
