/* photorig drivers, sim: its settings (see cam_sim_settings.h). Values are
 * matched as written, then without case, as a real camera's driver does. */
#include "cam_sim_settings.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct sim_setting_def {
	const char *key, *label;
	uint8_t def;
	const char *choices[10];
};

static const struct sim_setting_def defs[SIM_NSETTINGS] = {
	{ "iso", "ISO Speed", 0, { "100", "200", "400", "800", "1600", "3200" } },
	{ "shutterspeed", "Shutter Speed", 2, { "1/30", "1/60", "1/125", "1/250", "1/500",
						 "1/1000" } },
	{ "aperture", "Aperture", 3, { "2.8", "4", "5.6", "8", "11", "16" } },
	{ "whitebalance", "WhiteBalance", 0, { "Auto", "Daylight", "Shade", "Cloudy", "Tungsten",
					       "Fluorescent" } },
};

static int find_key(const char *key)
{
	for (int i = 0; i < SIM_NSETTINGS; i++)
		if (!strcasecmp(defs[i].key, key))
			return i;
	return -1;
}

static int find_choice(const struct sim_setting_def *d, const char *value)
{
	for (int i = 0; i < 10 && d->choices[i]; i++)
		if (!strcmp(d->choices[i], value))
			return i;
	for (int i = 0; i < 10 && d->choices[i]; i++)
		if (!strcasecmp(d->choices[i], value))
			return i;
	return -1;
}

static void join(char *buf, size_t size, const char *const *items, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && items[i] && used < size; i++) {
		int k = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", items[i]);
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

/* Why key = value is refused, or "" when it is fine (*idx, *choice set). */
static void check(const char *key, const char *value, int *idx, int *choice, char *why,
		  size_t size)
{
	why[0] = '\0';
	*idx = find_key(key);
	if (*idx < 0) {
		const char *keys[SIM_NSETTINGS];
		char list[128];
		for (int i = 0; i < SIM_NSETTINGS; i++)
			keys[i] = defs[i].key;
		join(list, sizeof(list), keys, SIM_NSETTINGS);
		snprintf(why, size, "set.%s: no such setting (the sim has %s)", key, list);
		return;
	}
	*choice = find_choice(&defs[*idx], value);
	if (*choice < 0) {
		char list[160];
		join(list, sizeof(list), defs[*idx].choices, 10);
		snprintf(why, size, "set.%s = %s is not a value the camera offers; allowed: %s", key,
			 value, list);
	}
}

int sim_settings_init(struct sim_settings *s, const char *camera, const struct cam_setting *set,
		      uint32_t n, struct pr_error *err)
{
	char msg[sizeof(err->msg)];
	size_t used = 0;
	int bad = 0;
	for (int i = 0; i < SIM_NSETTINGS; i++)
		s->cur[i] = defs[i].def;
	msg[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		int idx, choice;
		char why[256];
		check(set[i].key, set[i].value, &idx, &choice, why, sizeof(why));
		if (!why[0]) {
			s->cur[idx] = (uint8_t)choice;
			continue;
		}
		bad++;
		if (used < sizeof(msg)) {
			int k = snprintf(msg + used, sizeof(msg) - used, "%s%s", used ? "; " : "", why);
			used += k > 0 ? (size_t)k : 0;
		}
	}
	if (bad)
		return pr_error_set(err, PR_EINVAL, "camera %s: %d bad setting%s: %s", camera, bad,
				    bad == 1 ? "" : "s", msg);
	return 0;
}

int sim_settings_list(const struct sim_settings *s, struct cam_settings_list *out,
		      struct pr_error *err)
{
	for (int i = 0; i < SIM_NSETTINGS; i++) {
		struct cam_setting_info *it = cam_settings_add(out, defs[i].key, defs[i].label,
							       "radio");
		if (!it)
			return pr_error_set(err, PR_ENOMEM, "out of memory");
		snprintf(it->value, sizeof(it->value), "%s", defs[i].choices[s->cur[i]]);
		for (int k = 0; k < 10 && defs[i].choices[k]; k++)
			if (cam_setting_add_choice(it, defs[i].choices[k]))
				return pr_error_set(err, PR_ENOMEM, "out of memory");
	}
	return 0;
}

int sim_settings_set(struct sim_settings *s, const char *camera, const char *key,
		     const char *value, char *readback, size_t size, struct pr_error *err)
{
	int idx, choice;
	char why[256];
	check(key, value, &idx, &choice, why, sizeof(why));
	if (why[0])
		return pr_error_set(err, PR_EINVAL, "camera %s: %s", camera, why);
	s->cur[idx] = (uint8_t)choice;
	snprintf(readback, size, "%s", defs[idx].choices[choice]);
	return 0;
}
