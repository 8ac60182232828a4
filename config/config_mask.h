/* photorig config: the rig's mask defaults and a camera's inheritance of
 * them (config_mask.c). */
#ifndef PHOTORIG_CONFIG_MASK_H
#define PHOTORIG_CONFIG_MASK_H

#include "config.h"

/* [rig]'s mask keys before the file is read: core's defaults. */
void cfg_rig_mask_defaults(struct pr_rig_mask *rm);

/* Every mask key that the camera's section did not give (given(ctx, key)
 * is 0) takes the rig's value. */
void cfg_camera_mask_inherit(struct pr_mask_params *cam, const struct pr_rig_mask *rm,
			     int (*given)(const void *ctx, const char *key), const void *ctx);

#endif
