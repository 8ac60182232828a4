#include "parallel.h"

#include <pthread.h>
#include <unistd.h>

#define PR_MAX_THREADS 64

struct band {
	pr_rows_fn fn;
	void *ctx;
	uint32_t y0, y1;
	uint32_t chunk, stride; /* interleaved: chunks of `chunk` rows, every `stride`-th */
};

static void *band_main(void *arg)
{
	struct band *b = arg;
	if (!b->chunk) {
		b->fn(b->ctx, b->y0, b->y1);
		return NULL;
	}
	for (uint64_t y = b->y0; y < b->y1; y += (uint64_t)b->chunk * b->stride)
		b->fn(b->ctx, (uint32_t)y, (uint32_t)(y + b->chunk < b->y1 ? y + b->chunk : b->y1));
	return NULL;
}

int pr_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (n > PR_MAX_THREADS ? PR_MAX_THREADS : (int)n);
}

static void run_bands(int threads, uint32_t height, uint32_t chunk, pr_rows_fn fn, void *ctx);

void pr_parallel_rows(int threads, uint32_t height, pr_rows_fn fn, void *ctx)
{
	run_bands(threads, height, 0, fn, ctx);
}

void pr_parallel_rows_interleaved(int threads, uint32_t height, uint32_t chunk, pr_rows_fn fn,
				  void *ctx)
{
	run_bands(threads, height, chunk ? chunk : 1, fn, ctx);
}

static void run_bands(int threads, uint32_t height, uint32_t chunk, pr_rows_fn fn, void *ctx)
{
	struct band bands[PR_MAX_THREADS];
	pthread_t tids[PR_MAX_THREADS];
	int started[PR_MAX_THREADS] = { 0 };

	if (threads <= 0)
		threads = pr_cpu_count();
	if (threads > PR_MAX_THREADS)
		threads = PR_MAX_THREADS;
	/* bands of fewer than 16 rows cost more in thread start than they save */
	if ((uint32_t)threads > height / 16 + 1)
		threads = (int)(height / 16 + 1);
	if (threads <= 1) {
		fn(ctx, 0, height);
		return;
	}
	for (int i = 0; i < threads; i++) {
		bands[i].fn = fn;
		bands[i].ctx = ctx;
		bands[i].chunk = chunk;
		bands[i].stride = (uint32_t)threads;
		if (chunk) {
			/* thread i takes chunks i, i + threads, i + 2 threads, ... */
			uint64_t y0 = (uint64_t)chunk * (uint32_t)i;
			bands[i].y0 = (uint32_t)(y0 < height ? y0 : height);
			bands[i].y1 = height;
		} else {
			bands[i].y0 = (uint32_t)((uint64_t)height * i / threads);
			bands[i].y1 = (uint32_t)((uint64_t)height * (i + 1) / threads);
		}
	}
	for (int i = 1; i < threads; i++)
		started[i] = pthread_create(&tids[i], NULL, band_main, &bands[i]) == 0;
	band_main(&bands[0]);
	for (int i = 1; i < threads; i++) {
		if (started[i])
			pthread_join(tids[i], NULL);
		else
			band_main(&bands[i]);
	}
}
