/* photorigd: mask workers behind a bounded queue (pool.c). */
#ifndef PHOTORIGD_POOL_H
#define PHOTORIGD_POOL_H

#include <limits.h>
#include <stdint.h>

#include "composite.h"
#include "config.h"
#include "mask.h"
#include "outputs.h"

struct daemon;
struct plate_ref;
struct backdrop_ref;

struct mask_job {
	uint32_t set;
	int cam;
	int generation;
	char path[PATH_MAX];     /* the original */
	char out_dir[PATH_MAX];
	struct plate_ref *plate; /* owned reference */
	struct pr_mask_params params;
	struct pr_output_options output;
	struct backdrop_ref *backdrop;          /* owned reference; NULL: no composite */
	struct pr_composite_options composite;  /* .backdrop points into it */
	int tiles;                              /* make contact sheet tiles */
	char camera[PR_CONFIG_NAME_MAX + 1];
};

int pool_start(struct daemon *d, int threads, unsigned capacity);
/* 0, or -1 when the queue is full (the caller keeps the job). */
int pool_submit(struct daemon *d, struct mask_job *job);
unsigned pool_free_slots(struct daemon *d);
unsigned pool_in_flight(struct daemon *d);
/* Finish every queued job, then join the workers. */
void pool_stop(struct daemon *d);

#endif
