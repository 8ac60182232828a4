/* photorig core: splitting pixel work across threads by rows.
 *
 * Each stage is a plain scanline loop; pr_parallel_rows runs it on bands of
 * rows in up to `threads` threads (the caller's thread takes one band) and
 * returns when all are done. Threads are created per call: a few tens of
 * microseconds against stages that take milliseconds. */
#ifndef PHOTORIG_PARALLEL_H
#define PHOTORIG_PARALLEL_H

#include <stdint.h>

/* On the two or three hottest pixel loops: also compile an AVX2 copy and
 * pick it at load time, so a generic x86-64 build still runs 8 floats a
 * step on the machines that can. Plain C either way; FMA stays off, so
 * both copies round identically. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define PR_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PR_VECTOR_CLONES
#endif

typedef void (*pr_rows_fn)(void *ctx, uint32_t y0, uint32_t y1);

/* Number of online cores (at least 1). */
int pr_cpu_count(void);

/* Run fn(ctx, y0, y1) over [0, height) in bands. threads <= 0 means one per
 * core. If a thread cannot be created its band runs in the caller. */
void pr_parallel_rows(int threads, uint32_t height, pr_rows_fn fn, void *ctx);

/* The same, but each thread takes every threads-th chunk of `chunk` rows
 * (fn is called once per chunk): for work that gathers in part of the
 * frame (an object's outline, its shadow), which contiguous bands would
 * leave to one thread. */
void pr_parallel_rows_interleaved(int threads, uint32_t height, uint32_t chunk, pr_rows_fn fn,
				  void *ctx);

#endif
