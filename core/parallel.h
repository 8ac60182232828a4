/* photorig core: splitting pixel work across threads by rows.
 *
 * Each stage is a plain scanline loop; pr_parallel_rows runs it on bands of
 * rows in up to `threads` threads (the caller's thread takes one band) and
 * returns when all are done. Threads are created per call: a few tens of
 * microseconds against stages that take milliseconds. */
#ifndef PHOTORIG_PARALLEL_H
#define PHOTORIG_PARALLEL_H

#include <stdint.h>

typedef void (*pr_rows_fn)(void *ctx, uint32_t y0, uint32_t y1);

/* Number of online cores (at least 1). */
int pr_cpu_count(void);

/* Run fn(ctx, y0, y1) over [0, height) in bands. threads <= 0 means one per
 * core. If a thread cannot be created its band runs in the caller. */
void pr_parallel_rows(int threads, uint32_t height, pr_rows_fn fn, void *ctx);

#endif
