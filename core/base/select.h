/* photorig core: order statistics without sorting. */
#ifndef PHOTORIG_SELECT_H
#define PHOTORIG_SELECT_H

#include <stddef.h>

/* The k-th smallest of v[0..n) (0-based), by quickselect: O(n) expected.
 * Reorders v. n must be > 0 and k < n. */
float pr_select_float(float *v, size_t n, size_t k);

#endif
