/* photorig core: the plate builder's stages, shared between its files.
 * Not part of the public interface. */
#ifndef PHOTORIG_PLATE_INTERNAL_H
#define PHOTORIG_PLATE_INTERNAL_H

#include "plate.h"

/* plate_robust.c: the plate of two or more frames from the builder's bins:
 * per-pixel sigma-clipped colour and noise around the median, and the
 * transient report. Fills mean, noise, global_noise and transient_*.
 * Returns 0 or -1 when out of memory. */
int plate_combine(const struct pr_plate_builder *b, struct pr_plate *out);

#endif
