/* photorigd: the backdrop composites of each camera (backdrops.c). */
#ifndef PHOTORIGD_BACKDROPS_H
#define PHOTORIGD_BACKDROPS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "backdrop.h"
#include "config.h"

struct daemon;
struct mask_job;

/* A loaded backdrop (an image can be large): loaded once per config and
 * shared by the cameras with the same spec and by the mask jobs in flight,
 * so a reload can swap it while old jobs still use theirs. */
struct backdrop_ref {
	atomic_int refs;
	char spec[PR_CONFIG_PATH_MAX];
	struct pr_backdrop bd;
};
/* One per camera of cfg (NULL: no composite). 0, or -1 with why. */
int backdrops_load(const struct pr_config *cfg, struct backdrop_ref ***out, char *why,
		   size_t size);
void backdrops_free(struct backdrop_ref **b, uint32_t n);
void backdrop_ref_put(struct backdrop_ref *b);
/* Loop: fill a mask job's composite (a reference and its options). */
void backdrops_job(struct daemon *d, int cam, struct mask_job *job);

#endif
