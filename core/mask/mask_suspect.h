/* photorig core: is a mask to be trusted? (mask_suspect.c)
 *
 * Two kinds of shot make a mask that looks normal and is not: a shot mostly
 * clipped (blown to white or crushed to black: no colour left to compare
 * with the plate), and a mask covering almost the whole frame while the
 * plate no longer fits the light (stale plate): the background itself was
 * taken for the object. Such shots are reported as suspect, not passed off
 * as a normal mask. */
#ifndef PHOTORIG_MASK_SUSPECT_H
#define PHOTORIG_MASK_SUSPECT_H

#include <stddef.h>

#include "image.h"
#include "mask.h"

/* A shot with at least this share of clipped pixels is suspect. */
#define PR_SUSPECT_CLIPPED_SHARE 0.5
/* A mask keeping at least this share of the frame, with a stale plate. */
#define PR_SUSPECT_FULL_FRAME 0.9

enum {
	PR_SUSPECT_CLIPPED = 1u << 0,   /* mostly clipped */
	PR_SUSPECT_FULL_STALE = 1u << 1, /* almost all kept, stale plate */
};

/* Share of pixels clipped: a channel at the top of its range (>= 254 of 255,
 * >= 65280 of 65535), or every channel at the bottom (<= 1 of 255). Sampled
 * on a grid of at most about 250 000 pixels; an empty image gives 0. */
double pr_clipped_share(const struct pr_image *img);

/* The PR_SUSPECT_* flags of a shot whose clipped share is `clipped` and
 * whose mask has statistics st (NULL: no mask yet, clipping alone), and in
 * why (if size > 0) what it is, in words, or "" when not suspect. */
unsigned pr_mask_suspect(double clipped, const struct pr_mask_stats *st, char *why, size_t size);

#endif
