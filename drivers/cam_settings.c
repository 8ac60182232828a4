/* photorig drivers: the list of a camera's settings that list_settings
 * fills (see camera.h). Strings a camera reports are copied bounded. */
#include "camera.h"
#include "cam_detect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cam_setting_info *cam_settings_add(struct cam_settings_list *l, const char *key,
					  const char *label, const char *type)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? 2 * l->cap : 32;
		struct cam_setting_info *n = realloc(l->items, cap * sizeof(*n));
		if (!n)
			return NULL;
		l->items = n;
		l->cap = cap;
	}
	struct cam_setting_info *it = &l->items[l->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->key, sizeof(it->key), "%s", key ? key : "");
	snprintf(it->label, sizeof(it->label), "%s", label ? label : "");
	snprintf(it->type, sizeof(it->type), "%s", type ? type : "");
	return it;
}

int cam_setting_add_choice(struct cam_setting_info *it, const char *choice)
{
	char **n = realloc(it->choices, (it->nchoices + 1) * sizeof(*n));
	if (!n)
		return PR_ENOMEM;
	it->choices = n;
	if (!(n[it->nchoices] = strdup(choice ? choice : "")))
		return PR_ENOMEM;
	it->nchoices++;
	return 0;
}

void cam_settings_free(struct cam_settings_list *l)
{
	for (uint32_t i = 0; l->items && i < l->n; i++) {
		for (uint32_t k = 0; k < l->items[i].nchoices; k++)
			free(l->items[i].choices[k]);
		free(l->items[i].choices);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* ---- the cameras found by cam_detect_* (cam_detect.h) ---- */

struct cam_found *cam_found_add(struct cam_found_list *l, const char *driver)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct cam_found *n = realloc(l->items, cap * sizeof(*n));
		if (!n)
			return NULL;
		l->items = n;
		l->cap = cap;
	}
	struct cam_found *f = &l->items[l->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->driver, sizeof(f->driver), "%s", driver);
	return f;
}

void cam_found_free(struct cam_found_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}
