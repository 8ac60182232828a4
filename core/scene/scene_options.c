/* photorig core: scene parameters from a line of text.
 *
 * The sim camera's `scene` key (and anything else that wants a scene in
 * one string) names the conditions it renders: "background=foliage,
 * transient=0.3, platter, shadow=0.2, tint=0.08". One parser, so the config
 * check, the driver and the tests agree on what a text means; every error
 * names the item and the range it must be in. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"

#define ITEM_MAX 64

static int number(const char *item, const char *val, double lo, double hi, double *out,
		  struct pr_error *err)
{
	char *end;
	errno = 0;
	double v = val ? strtod(val, &end) : NAN;
	if (!val || end == val || *end || errno || !(v >= lo && v <= hi))
		return pr_error_set(err, PR_EINVAL, "scene item '%s': expected a number in %g..%g",
				    item, lo, hi);
	*out = v;
	return 0;
}

static int apply(const char *item, struct pr_scene_params *p, struct pr_error *err)
{
	char key[ITEM_MAX + 1];
	const char *eq = strchr(item, '=');
	size_t klen = eq ? (size_t)(eq - item) : strlen(item);
	const char *val = eq ? eq + 1 : NULL;
	double d = 0;
	int rc = 0;
	memcpy(key, item, klen);
	key[klen] = '\0';
	if (!strcmp(key, "background")) {
		static const char *const names[] = { "textured", "plain", "green", "foliage" };
		for (int i = 0; val && i < 4; i++)
			if (!strcmp(val, names[i])) {
				p->background = (enum pr_scene_background)i;
				return 0;
			}
		return pr_error_set(err, PR_EINVAL, "scene item '%s': background is textured, "
				    "plain, green or foliage", item);
	} else if (!strcmp(key, "transient")) {
		if (!(rc = number(item, val, 0, 1, &d, err)))
			p->transient = (float)d;
	} else if (!strcmp(key, "platter") || !strcmp(key, "thin") || !strcmp(key, "camouflage")) {
		if (val)
			return pr_error_set(err, PR_EINVAL, "scene item '%s': %s takes no value",
					    item, key);
		*(key[0] == 'p' ? &p->platter : key[0] == 't' ? &p->thin : &p->camouflage) = 1;
	} else if (!strcmp(key, "small")) {
		if (!(rc = number(item, val, 0.05, 1, &d, err)))
			p->object_scale = (float)d;
	} else if (!strcmp(key, "colours") || !strcmp(key, "colors")) {
		if (!(rc = number(item, val, 2, 8, &d, err))) {
			if (d != floor(d))
				return pr_error_set(err, PR_EINVAL, "scene item '%s': a whole number "
						    "of colours, 2..8", item);
			p->colours = (int)d;
		}
	} else if (!strcmp(key, "shadow")) {
		p->shadow = 1;
		if (val && !(rc = number(item, val, 0.05, 0.95, &d, err)))
			p->shadow_ratio = (float)d;
	} else if (!strcmp(key, "tint")) {
		if (!(rc = number(item, val, 0, 0.5, &d, err)))
			p->shadow_tint = (float)d;
	} else if (!strcmp(key, "ev")) {
		if (!(rc = number(item, val, -8, 8, &d, err)))
			p->exposure_ev = (float)d;
	} else if (!strcmp(key, "jpeg")) {
		if (!(rc = number(item, val, 1, 100, &d, err)))
			p->jpeg_quality = (int)d;
	} else if (!strcmp(key, "noise")) {
		if (!(rc = number(item, val, 0, 64, &d, err)))
			p->noise_sigma = (float)d;
	} else {
		return pr_error_set(err, PR_EINVAL, "scene item '%s': unknown (known: background, "
				    "transient, platter, small, colours, shadow, tint, ev, jpeg, "
				    "thin, camouflage, noise)", item);
	}
	return rc;
}

int pr_scene_options_parse(const char *text, struct pr_scene_params *p, struct pr_error *err)
{
	const char *s = text ? text : "";
	while (*s) {
		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		size_t n = 0;
		while (s[n] && s[n] != ',' && !isspace((unsigned char)s[n]))
			n++;
		char item[ITEM_MAX + 1];
		if (n > ITEM_MAX)
			return pr_error_set(err, PR_EINVAL, "scene item '%.*s...' is too long",
					    ITEM_MAX, s);
		memcpy(item, s, n);
		item[n] = '\0';
		int rc = apply(item, p, err);
		if (rc)
			return rc;
		s += n;
	}
	return 0;
}
