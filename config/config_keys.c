/* photorig config: looking keys up in the schema (config_schema.c): by
 * name, by a near name ("did you mean"), in another section, and the words
 * an error uses to list what a key allows. */
#include "config_schema.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const struct cfg_key *cfg_find_key(enum cfg_section sec, const char *key)
{
	for (unsigned i = 0; i < pr_cfg_nkeys; i++)
		if (pr_cfg_keys[i].section == sec && !strcmp(pr_cfg_keys[i].key, key))
			return &pr_cfg_keys[i];
	return NULL;
}

unsigned cfg_edit_distance(const char *a, const char *b, unsigned cap)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];
	if (la >= 64 || lb >= 64)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0], best = row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned v = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

const struct cfg_key *cfg_suggest_key(enum cfg_section sec, const char *key)
{
	const struct cfg_key *best = NULL;
	unsigned best_d = strlen(key) <= 4 ? 1 : 2;
	for (unsigned i = 0; i < pr_cfg_nkeys; i++) {
		if (pr_cfg_keys[i].section != sec)
			continue;
		unsigned d = cfg_edit_distance(key, pr_cfg_keys[i].key, best_d);
		if (d <= best_d && (!best || d < best_d)) {
			best = &pr_cfg_keys[i];
			best_d = d;
		}
	}
	return best;
}

const struct cfg_key *cfg_key_elsewhere(enum cfg_section sec, const char *key)
{
	for (unsigned i = 0; i < pr_cfg_nkeys; i++)
		if (pr_cfg_keys[i].section != sec && !strcmp(pr_cfg_keys[i].key, key))
			return &pr_cfg_keys[i];
	return NULL;
}

static const char *const *section_drivers(enum cfg_section sec)
{
	switch (sec) {
	case SEC_CAMERA: return pr_cfg_cam_drivers;
	case SEC_TURNTABLE: return pr_cfg_tt_drivers;
	case SEC_TRIGGER: return pr_cfg_trig_drivers;
	default: return NULL;
	}
}

static void join_names(const char *const *names, unsigned mask, const char *last_sep,
		       char *buf, size_t size)
{
	unsigned total = 0, done = 0;
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned i = 0; names[i]; i++)
		total += (mask >> i) & 1;
	for (unsigned i = 0; names[i] && used < size; i++) {
		if (!((mask >> i) & 1))
			continue;
		const char *sep = done == 0 ? "" : done + 1 == total ? last_sep : ", ";
		used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, names[i]);
		done++;
	}
}

void cfg_driver_list(const struct cfg_key *k, char *buf, size_t size)
{
	const char *const *names = section_drivers(k->section);
	if (!names || !k->drivers) {
		snprintf(buf, size, "any driver");
		return;
	}
	join_names(names, k->drivers, " or ", buf, size);
}

void cfg_allowed(const struct cfg_key *k, char *buf, size_t size)
{
	char lo[32], hi[32];
	switch (k->type) {
	case CT_INT:
	case CT_U32:
	case CT_DOUBLE:
		cfg_format_double(k->min, lo, sizeof(lo));
		cfg_format_double(k->max, hi, sizeof(hi));
		snprintf(buf, size, "%s..%s", lo, hi);
		break;
	case CT_BOOL:
		snprintf(buf, size, "true/false, yes/no, on/off, 1/0");
		break;
	case CT_ENUM:
		join_names(k->values, ~0u, ", ", buf, size);
		break;
	case CT_LIST:
		join_names(k->values, ~0u, ", ", buf, size);
		snprintf(buf + strlen(buf), size - strlen(buf), ", separated by commas");
		break;
	case CT_COLOUR:
		snprintf(buf, size, "RRGGBB or #RRGGBB, e.g. 00FF00");
		break;
	case CT_REGION:
		snprintf(buf, size, "rect:X,Y,W,H or poly:X1,Y1,X2,Y2,X3,Y3,...");
		break;
	case CT_STRING:
	case CT_PATH:
		snprintf(buf, size, "at most %zu characters", k->size - 1);
		break;
	}
}

int cfg_section_driver(enum cfg_section sec, const void *base)
{
	switch (sec) {
	case SEC_CAMERA: return (int)((const struct pr_camera_config *)base)->driver;
	case SEC_TURNTABLE: return (int)((const struct pr_turntable_config *)base)->driver;
	case SEC_TRIGGER: return (int)((const struct pr_trigger_config *)base)->driver;
	default: return -1;
	}
}
