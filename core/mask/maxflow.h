/* photorig core: minimum s-t cut of a sparse graph, by the augmenting-path
 * algorithm of Boykov and Kolmogorov (2004): two search trees, one from the
 * source and one from the sink, that are reused between augmentations. It
 * is fast on the grid graphs of image segmentation, where most paths are
 * short. Capacities are floats; edges are added in pairs (i->j, j->i). */
#ifndef PHOTORIG_MAXFLOW_H
#define PHOTORIG_MAXFLOW_H

#include <stdint.h>

struct pr_maxflow;

/* A graph of `nodes` nodes with room for `max_edges` undirected edges.
 * NULL when out of memory. */
struct pr_maxflow *pr_maxflow_new(uint32_t nodes, uint32_t max_edges);
void pr_maxflow_free(struct pr_maxflow *g);

/* Terminal capacities of a node (added to any set before): from the source
 * (the cost of cutting it to the sink side) and to the sink. */
void pr_maxflow_add_tweights(struct pr_maxflow *g, uint32_t node, float source, float sink);
/* Edge i-j with capacity cap one way and rev_cap the other. Returns -1 when
 * the edge budget is used up. */
int pr_maxflow_add_edge(struct pr_maxflow *g, uint32_t i, uint32_t j, float cap, float rev_cap);

/* Compute the maximum flow; returns its value. */
double pr_maxflow_run(struct pr_maxflow *g);
/* After run: 1 if the node is on the source side of the minimum cut. */
int pr_maxflow_source_side(const struct pr_maxflow *g, uint32_t node);

#endif
