/* The rig's mask defaults and how a camera inherits them.
 *
 * [rig] holds the mask settings every camera starts from; a [camera]
 * section overrides any of them. The defaults themselves are core's
 * (pr_mask_params_default), so photorigd and `photorig mask` agree. */
#include <string.h>

#include "config_mask.h"

void cfg_rig_mask_defaults(struct pr_rig_mask *rm)
{
	struct pr_mask_params m;
	pr_mask_params_default(&m);
	rm->method = m.method;
	rm->tolerance = m.tolerance;
	rm->invert = m.invert;
	memcpy(rm->key_rgb, m.key_rgb, 3);
	rm->min_area = m.min_area;
	rm->shadow = m.shadow;
	rm->shadow_min = m.shadow_min;
}

void cfg_camera_mask_inherit(struct pr_mask_params *cam, const struct pr_rig_mask *rm,
			     int (*given)(const void *ctx, const char *key), const void *ctx)
{
	if (!given(ctx, "method"))
		cam->method = rm->method;
	/* a camera that changed method without a tolerance gets that
	 * method's default, not the rig's tolerance for another method */
	if (!given(ctx, "tolerance"))
		cam->tolerance = cam->method == rm->method	   ? rm->tolerance
				 : cam->method == PR_MASK_CHROMA ? PR_MASK_DEFAULT_CHROMA_TOLERANCE
								 : PR_MASK_DEFAULT_TOLERANCE;
	if (!given(ctx, "invert"))
		cam->invert = rm->invert;
	if (!given(ctx, "key_color"))
		memcpy(cam->key_rgb, rm->key_rgb, 3);
	if (!given(ctx, "min_area"))
		cam->min_area = rm->min_area;
	if (!given(ctx, "shadow"))
		cam->shadow = rm->shadow;
	if (!given(ctx, "shadow_min"))
		cam->shadow_min = rm->shadow_min;
}
