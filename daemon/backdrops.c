/* photorigd: backdrop composites ([rig] backdrop and a camera's override).
 *
 * Each camera's backdrop is loaded once per config, at start-up and on
 * reload, before the new config is swapped in: a backdrop image that cannot
 * be read makes the config invalid (the running one is kept), rather than
 * every later shot failing one by one. Cameras with the same spec share one
 * loaded backdrop (an image backdrop can be tens of megabytes). Mask jobs
 * hold a reference, so a reload frees the old backdrops only when the last
 * job that uses one is done.
 *
 * A camera's backdrop: its own `backdrop` key if set ("none" = no composite
 * for that camera), else [rig] backdrop ("" = no composites at all). */
#define _GNU_SOURCE
#include "backdrops.h"

#include "daemon.h"
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *camera_spec(const struct pr_config *cfg, uint32_t cam)
{
	const char *own = cfg->cameras[cam].backdrop;
	const char *spec = *own ? own : cfg->rig.backdrop;
	return !*spec || !strcmp(spec, "none") ? NULL : spec;
}

void backdrop_ref_put(struct backdrop_ref *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
		pr_backdrop_free(&b->bd);
		free(b);
	}
}

static struct backdrop_ref *backdrop_ref_get(struct backdrop_ref *b)
{
	if (b)
		atomic_fetch_add(&b->refs, 1);
	return b;
}

void backdrops_free(struct backdrop_ref **b, uint32_t n)
{
	if (!b)
		return;
	for (uint32_t i = 0; i < n; i++)
		backdrop_ref_put(b[i]);
	free(b);
}

int backdrops_load(const struct pr_config *cfg, struct backdrop_ref ***out, char *why,
		   size_t size)
{
	*out = NULL;
	if (!cfg->ncameras)
		return 0;
	struct backdrop_ref **b = calloc(cfg->ncameras, sizeof(*b));
	if (!b) {
		snprintf(why, size, "out of memory for the backdrops");
		return -1;
	}
	for (uint32_t i = 0; i < cfg->ncameras; i++) {
		const char *spec = camera_spec(cfg, i);
		if (!spec)
			continue;
		for (uint32_t k = 0; k < i && !b[i]; k++)
			if (b[k] && !strcmp(b[k]->spec, spec))
				b[i] = backdrop_ref_get(b[k]);
		if (b[i])
			continue;
		struct pr_error err = { 0 };
		b[i] = calloc(1, sizeof(*b[i]));
		if (!b[i] || pr_backdrop_load(spec, &b[i]->bd, &err)) {
			snprintf(why, size, "camera %s: backdrop %s: %s", cfg->cameras[i].name, spec,
				 b[i] ? err.msg : "out of memory");
			free(b[i]);
			b[i] = NULL;
			backdrops_free(b, cfg->ncameras);
			return -1;
		}
		atomic_init(&b[i]->refs, 1);
		snprintf(b[i]->spec, sizeof(b[i]->spec), "%s", spec);
		LOG_INFO("camera %s: backdrop composites over %s", cfg->cameras[i].name, spec);
	}
	*out = b;
	return 0;
}

void backdrops_job(struct daemon *d, int cam, struct mask_job *job)
{
	job->backdrop = NULL;
	if (cam < 0 || (uint32_t)cam >= d->nbackdrops || !d->backdrops[cam])
		return;
	struct pr_composite_options *co = &job->composite;
	struct pr_error err = { 0 };
	pr_composite_options_default(co);
	co->format = (enum pr_composite_format)d->cfg.rig.backdrop_format;
	co->quality = d->cfg.rig.backdrop_quality;
	co->alpha_inverted = d->cfg.cameras[cam].mask.invert;
	/* both were checked with these functions when the config was loaded */
	if ((*d->cfg.rig.crop_margin && pr_crop_parse_margin(d->cfg.rig.crop_margin, &co->crop, &err)) ||
	    (*d->cfg.rig.aspect && pr_crop_parse_aspect(d->cfg.rig.aspect, &co->crop, &err))) {
		LOG_WARN("camera %s: composite not cropped: %s", d->cfg.cameras[cam].name, err.msg);
		pr_crop_options_default(&co->crop);
	}
	job->backdrop = backdrop_ref_get(d->backdrops[cam]);
	co->backdrop = &job->backdrop->bd;
}
