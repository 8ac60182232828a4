/* photorig config: the normalised form (`photorigd -n`), comparison, and
 * freeing. Printing walks the same table as parsing, so a key added to the
 * schema is printed, compared and parsed back without further code. */
#include "config_schema.h"

#include <stdlib.h>
#include <string.h>

/* Whether key k is shown for this section instance: keys for other drivers
 * are not (they cannot be set either). */
static int applies(const struct cfg_key *k, int drv)
{
	return !k->drivers || drv < 0 || ((k->drivers >> drv) & 1);
}

static void print_section(enum cfg_section sec, const void *base, FILE *fp)
{
	int drv = cfg_section_driver(sec, base);
	char buf[PR_REGION_MAX_POINTS * 2 * 26 + 8];

	for (unsigned i = 0; i < pr_cfg_nkeys; i++) {
		const struct cfg_key *k = &pr_cfg_keys[i];
		if (k->section != sec || !applies(k, drv))
			continue;
		if (k->type == CT_REGION) {
			/* include and exclude share one ordered list; print it once. */
			if (k->flags & CK_EXCLUDE)
				continue;
			const struct pr_mask_params *m =
				(const struct pr_mask_params *)((const char *)base + k->offset);
			for (uint32_t r = 0; r < m->nregions; r++) {
				cfg_format_region(&m->regions[r], buf, sizeof(buf));
				fprintf(fp, "%s = %s\n", m->regions[r].exclude ? "exclude" : "include", buf);
			}
			continue;
		}
		fprintf(fp, "%s = ", k->key);
		cfg_print_value(k, base, fp);
		fputc('\n', fp);
	}
}

void pr_config_print(const struct pr_config *cfg, FILE *fp)
{
	fputs("[daemon]\n", fp);
	print_section(SEC_DAEMON, &cfg->daemon, fp);
	fputs("\n[rig]\n", fp);
	print_section(SEC_RIG, &cfg->rig, fp);
	for (uint32_t i = 0; i < cfg->ncameras; i++) {
		const struct pr_camera_config *cam = &cfg->cameras[i];
		fprintf(fp, "\n[camera %s]\n", cam->name);
		print_section(SEC_CAMERA, cam, fp);
		for (uint32_t s = 0; s < cam->nsettings; s++) {
			fprintf(fp, "set.%s = ", cam->settings[s].key);
			cfg_print_string(fp, cam->settings[s].value);
			fputc('\n', fp);
		}
	}
	fputs("\n[turntable]\n", fp);
	print_section(SEC_TURNTABLE, &cfg->turntable, fp);
	fputs("\n[trigger]\n", fp);
	print_section(SEC_TRIGGER, &cfg->trigger, fp);
	fputs("\n[web]\n", fp);
	print_section(SEC_WEB, &cfg->web, fp);
	if (cfg->cluster.enabled) {
		fputs("\n[cluster]\n", fp);
		print_section(SEC_CLUSTER, &cfg->cluster, fp);
	}
}

static int section_equal(enum cfg_section sec, const void *a, const void *b)
{
	for (unsigned i = 0; i < pr_cfg_nkeys; i++)
		if (pr_cfg_keys[i].section == sec && !cfg_value_equal(&pr_cfg_keys[i], a, b))
			return 0;
	return 1;
}

static int camera_equal(const struct pr_camera_config *a, const struct pr_camera_config *b)
{
	if (strcmp(a->name, b->name) || a->nsettings != b->nsettings ||
	    !section_equal(SEC_CAMERA, a, b))
		return 0;
	for (uint32_t s = 0; s < a->nsettings; s++)
		if (strcmp(a->settings[s].key, b->settings[s].key) ||
		    strcmp(a->settings[s].value, b->settings[s].value))
			return 0;
	return 1;
}

int pr_config_equal(const struct pr_config *a, const struct pr_config *b)
{
	if (!section_equal(SEC_DAEMON, &a->daemon, &b->daemon) ||
	    !section_equal(SEC_RIG, &a->rig, &b->rig) ||
	    !section_equal(SEC_TURNTABLE, &a->turntable, &b->turntable) ||
	    !section_equal(SEC_TRIGGER, &a->trigger, &b->trigger) ||
	    !section_equal(SEC_WEB, &a->web, &b->web) || a->ncameras != b->ncameras ||
	    a->cluster.enabled != b->cluster.enabled || !section_equal(SEC_CLUSTER, &a->cluster,
								      &b->cluster))
		return 0;
	for (uint32_t i = 0; i < a->ncameras; i++)
		if (!camera_equal(&a->cameras[i], &b->cameras[i]))
			return 0;
	return 1;
}

void pr_config_free(struct pr_config *cfg)
{
	if (!cfg)
		return;
	for (uint32_t i = 0; i < cfg->ncameras && cfg->cameras; i++) {
		free(cfg->cameras[i].settings);
		cfg->cameras[i].settings = NULL;
		cfg->cameras[i].nsettings = 0;
	}
	free(cfg->cameras);
	cfg->cameras = NULL;
	cfg->ncameras = 0;
}

const struct pr_camera_config *pr_config_camera(const struct pr_config *cfg, const char *name)
{
	for (uint32_t i = 0; i < cfg->ncameras; i++)
		if (!strcmp(cfg->cameras[i].name, name))
			return &cfg->cameras[i];
	return NULL;
}
