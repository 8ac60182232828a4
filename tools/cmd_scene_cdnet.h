/* photorig scene: the CDnet change-detection layout (cmd_scene_cdnet.c). */
#ifndef PHOTORIG_CMD_SCENE_CDNET_H
#define PHOTORIG_CMD_SCENE_CDNET_H

#include <stdint.h>

#include "scene.h"

/* Write `frames` plate frames and then `shots` shots (turned by `step`
 * degrees each) to DIR in the CDnet layout, JPEG at `quality` (0: 90).
 * Returns 0, or 1 after printing why. */
int scene_write_cdnet(struct pr_scene_params *sp, const char *out, uint32_t frames,
		      uint32_t shots, double step, int quality);

#endif
