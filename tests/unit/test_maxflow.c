/* Maximum flow / minimum cut: against hand-worked graphs and against brute
 * force over every cut of small random graphs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "maxflow.h"

static void test_chain(void **state)
{
	(void)state;
	/* s -5-> 0 -3-> 1 -4-> t : flow 3, cut between 0 and 1 */
	struct pr_maxflow *g = pr_maxflow_new(2, 1);
	assert_non_null(g);
	pr_maxflow_add_tweights(g, 0, 5, 0);
	pr_maxflow_add_tweights(g, 1, 0, 4);
	assert_int_equal(pr_maxflow_add_edge(g, 0, 1, 3, 0), 0);
	assert_true(fabs(pr_maxflow_run(g) - 3) < 1e-6);
	assert_true(pr_maxflow_source_side(g, 0));
	assert_false(pr_maxflow_source_side(g, 1));
	/* the edge budget is enforced */
	assert_int_equal(pr_maxflow_add_edge(g, 0, 1, 1, 1), -1);
	pr_maxflow_free(g);
}

static void test_both_terminals_on_a_node(void **state)
{
	(void)state;
	/* a node with 2 from the source and 7 to the sink: 2 of flow, sink side */
	struct pr_maxflow *g = pr_maxflow_new(1, 0);
	pr_maxflow_add_tweights(g, 0, 2, 7);
	assert_true(fabs(pr_maxflow_run(g) - 2) < 1e-6);
	assert_false(pr_maxflow_source_side(g, 0));
	pr_maxflow_free(g);
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static void test_random_against_brute_force(void **state)
{
	(void)state;
	enum { N = 9, E = 16 };
	for (int round = 0; round < 300; round++) {
		float src[N], snk[N];
		uint32_t ei[E], ej[E];
		float ec[E], er[E];
		struct pr_maxflow *g = pr_maxflow_new(N, E);
		for (int i = 0; i < N; i++) {
			src[i] = (float)(next_rand() % 6);
			snk[i] = (float)(next_rand() % 6);
			pr_maxflow_add_tweights(g, (uint32_t)i, src[i], snk[i]);
		}
		for (int e = 0; e < E; e++) {
			ei[e] = next_rand() % N;
			do
				ej[e] = next_rand() % N;
			while (ej[e] == ei[e]);
			ec[e] = (float)(next_rand() % 5);
			er[e] = (float)(next_rand() % 5);
			assert_int_equal(pr_maxflow_add_edge(g, ei[e], ej[e], ec[e], er[e]), 0);
		}
		double flow = pr_maxflow_run(g);
		/* brute force: the cheapest of all 2^N source/sink assignments */
		double best = INFINITY;
		for (uint32_t set = 0; set < (1u << N); set++) {
			double cut = 0;
			for (int i = 0; i < N; i++)
				cut += (set >> i & 1) ? snk[i] : src[i];
			for (int e = 0; e < E; e++) {
				int a = set >> ei[e] & 1, b = set >> ej[e] & 1;
				if (a && !b)
					cut += ec[e];
				if (!a && b)
					cut += er[e];
			}
			if (cut < best)
				best = cut;
		}
		assert_true(fabs(flow - best) < 1e-4);
		/* and the labelling found is a cut of that value */
		double cut = 0;
		for (int i = 0; i < N; i++)
			cut += pr_maxflow_source_side(g, (uint32_t)i) ? snk[i] : src[i];
		for (int e = 0; e < E; e++) {
			int a = pr_maxflow_source_side(g, ei[e]), b = pr_maxflow_source_side(g, ej[e]);
			if (a && !b)
				cut += ec[e];
			if (!a && b)
				cut += er[e];
		}
		assert_true(fabs(cut - best) < 1e-4);
		pr_maxflow_free(g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_both_terminals_on_a_node),
		cmocka_unit_test(test_random_against_brute_force),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
