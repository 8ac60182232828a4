/* photorig drivers, gphoto2: camera settings from `set.KEY = VALUE`.
 *
 * Each key is looked up as one widget (gp_camera_get_single_config), so a
 * camera with hundreds of properties is not read whole for each setting.
 * The value is matched against the widget's choices, set, then read back
 * from the camera: a camera that silently ignores a setting (wrong mode
 * dial, lens without aperture control) is caught at attach, not in the
 * photos. Values are matched as written first, then without case, then as
 * numbers, so config files may say `shutterspeed = 1/125` where the camera
 * lists "0.0080s", or `aperture = 8` for "f/8".
 *
 * The values a camera reports are strings it chose; they are copied into
 * bounded buffers and never trusted to be terminated or short. */
#define _GNU_SOURCE
#include "gp_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Names that differ between camera makers for the same thing. */
static const char *const aliases[][2] = {
	{ "aperture", "f-number" },
	{ "f-number", "aperture" },
	{ "iso", "isospeed" },
	{ "imageformat", "imagequality" },
};

static int get_widget(struct cam_handle *h, const char *key, CameraWidget **w, const char **used)
{
	*used = key;
	int r = gp_camera_get_single_config(h->cam, key, w, h->ctx);
	for (size_t i = 0; r < GP_OK && i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i][0], key)) {
			r = gp_camera_get_single_config(h->cam, aliases[i][1], w, h->ctx);
			if (r >= GP_OK)
				*used = aliases[i][1];
		}
	return r;
}

/* The widget's value as text. */
int gpcfg_widget_text(CameraWidget *w, char *buf, size_t bufsz)
{
	CameraWidgetType type;
	int r = gp_widget_get_type(w, &type);
	if (r < GP_OK)
		return r;
	buf[0] = '\0';
	switch (type) {
	case GP_WIDGET_TEXT:
	case GP_WIDGET_RADIO:
	case GP_WIDGET_MENU: {
		const char *s = NULL;
		r = gp_widget_get_value(w, &s);
		if (r >= GP_OK)
			snprintf(buf, bufsz, "%s", s ? s : "");
		return r;
	}
	case GP_WIDGET_RANGE: {
		float f = 0;
		r = gp_widget_get_value(w, &f);
		if (r >= GP_OK)
			snprintf(buf, bufsz, "%g", (double)f);
		return r;
	}
	case GP_WIDGET_TOGGLE:
	case GP_WIDGET_DATE: {
		int v = 0;
		r = gp_widget_get_value(w, &v);
		if (r >= GP_OK)
			snprintf(buf, bufsz, "%d", v);
		return r;
	}
	default:
		return GP_ERROR_NOT_SUPPORTED;
	}
}

int gpcfg_read(struct cam_handle *h, const char *key, char *buf, size_t bufsz)
{
	CameraWidget *w = NULL;
	const char *used;
	int r = get_widget(h, key, &w, &used);
	if (r >= GP_OK)
		r = gpcfg_widget_text(w, buf, bufsz);
	if (w)
		gp_widget_free(w);
	return r;
}

/* "1/125", "0.0080s", "f/8", "ISO 400", "8" -> a number; 0 if it is not one. */
static int parse_number(const char *s, double *out)
{
	while (*s == ' ')
		s++;
	if (!strncasecmp(s, "f/", 2))
		s += 2;
	else if (!strncasecmp(s, "iso", 3))
		s += 3 + strspn(s + 3, " ");
	char *end;
	double v = strtod(s, &end);
	if (end == s)
		return 0;
	if (*end == '/') {
		char *end2;
		double d = strtod(end + 1, &end2);
		if (end2 == end + 1 || d == 0)
			return 0;
		v /= d;
		end = end2;
	}
	if (*end == 's' || *end == 'S')
		end++;
	while (*end == ' ')
		end++;
	if (*end || !isfinite(v))
		return 0;
	*out = v;
	return 1;
}

/* The choice of a radio/menu widget that value names, or NULL. */
static const char *match_choice(CameraWidget *w, const char *value)
{
	int n = gp_widget_count_choices(w);
	const char *c;
	for (int i = 0; i < n; i++)
		if (gp_widget_get_choice(w, i, &c) >= GP_OK && c && !strcmp(c, value))
			return c;
	for (int i = 0; i < n; i++)
		if (gp_widget_get_choice(w, i, &c) >= GP_OK && c && !strcasecmp(c, value))
			return c;
	double want, got, best_err = 0.02; /* 2%: 1/60 is listed as 0.0166s */
	const char *best = NULL;
	if (!parse_number(value, &want) || want == 0)
		return NULL;
	for (int i = 0; i < n; i++)
		if (gp_widget_get_choice(w, i, &c) >= GP_OK && c && parse_number(c, &got)) {
			double e = fabs(got - want) / fabs(want);
			if (e <= best_err) {
				best_err = e;
				best = c;
			}
		}
	return best;
}

static void list_choices(CameraWidget *w, char *buf, size_t bufsz)
{
	size_t used = 0;
	int n = gp_widget_count_choices(w);
	buf[0] = '\0';
	for (int i = 0; i < n && used + 8 < bufsz; i++) {
		const char *c;
		if (gp_widget_get_choice(w, i, &c) < GP_OK || !c)
			continue;
		int k = snprintf(buf + used, bufsz - used, "%s%s", used ? ", " : "", c);
		if (k < 0 || (size_t)k >= bufsz - used) {
			snprintf(buf + (bufsz > 5 ? bufsz - 5 : 0), bufsz > 5 ? 5 : bufsz, " ...");
			return;
		}
		used += (size_t)k;
	}
}

/* Puts value into w; fills canon with the text the camera should read back. */
static int put_value(struct cam_handle *h, CameraWidget *w, const char *key, const char *value,
		     char *canon, size_t canonsz, struct pr_error *err)
{
	CameraWidgetType type;
	gp_widget_get_type(w, &type);
	int r = GP_ERROR_NOT_SUPPORTED;
	if (type == GP_WIDGET_RADIO || type == GP_WIDGET_MENU) {
		const char *c = match_choice(w, value);
		if (!c) {
			char choices[360];
			list_choices(w, choices, sizeof(choices));
			return pr_error_set(err, PR_EINVAL, "camera %s: set.%s = %s is not a value the "
					    "camera offers; allowed: %s", h->name, key, value, choices);
		}
		snprintf(canon, canonsz, "%s", c);
		r = gp_widget_set_value(w, canon);
	} else if (type == GP_WIDGET_TEXT) {
		snprintf(canon, canonsz, "%s", value);
		r = gp_widget_set_value(w, value);
	} else if (type == GP_WIDGET_RANGE) {
		float lo, hi, step;
		double v;
		gp_widget_get_range(w, &lo, &hi, &step);
		if (!parse_number(value, &v) || v < lo || v > hi)
			return pr_error_set(err, PR_EINVAL, "camera %s: set.%s = %s: allowed %g to %g in "
					    "steps of %g", h->name, key, value, (double)lo,
					    (double)hi, (double)step);
		float f = (float)v;
		snprintf(canon, canonsz, "%g", (double)f);
		r = gp_widget_set_value(w, &f);
	} else if (type == GP_WIDGET_TOGGLE) {
		int v = !strcasecmp(value, "1") || !strcasecmp(value, "on") ||
			!strcasecmp(value, "true") || !strcasecmp(value, "yes");
		if (!v && strcasecmp(value, "0") && strcasecmp(value, "off") &&
		    strcasecmp(value, "false") && strcasecmp(value, "no"))
			return pr_error_set(err, PR_EINVAL, "camera %s: set.%s = %s: allowed on or off",
					    h->name, key, value);
		snprintf(canon, canonsz, "%d", v);
		r = gp_widget_set_value(w, &v);
	} else {
		return pr_error_set(err, PR_EUNSUPPORTED, "camera %s: set.%s: photorig cannot set "
				    "this kind of camera setting", h->name, key);
	}
	return r < GP_OK ? gpd_fail(h, r, key, 0, err) : 0;
}

/* Set one setting, verify it; canon: the value the camera should hold. */
static int apply_one(struct cam_handle *h, const struct cam_setting *s, char *canon,
		     size_t canonsz, struct pr_error *err)
{
	CameraWidget *w = NULL;
	const char *key;
	int r = get_widget(h, s->key, &w, &key);
	if (r < GP_OK) {
		if (r == GP_ERROR_BAD_PARAMETERS || r == GP_ERROR_NOT_SUPPORTED || r == GP_ERROR)
			return pr_error_set(err, PR_EINVAL, "camera %s: set.%s: the camera (%s) has no "
					    "setting '%s' (see gphoto2 --list-config)", h->name,
					    s->key, h->model, s->key);
		return gpd_fail(h, r, s->key, 0, err);
	}
	int ro = 0;
	gp_widget_get_readonly(w, &ro);
	int rc = ro ? pr_error_set(err, PR_EINVAL, "camera %s: set.%s: the setting is read-only",
				   h->name, s->key)
		    : put_value(h, w, s->key, s->value, canon, canonsz, err);
	if (!rc) {
		double t0 = gpd_now_ms();
		r = gp_camera_set_single_config(h->cam, key, w, h->ctx);
		if (r == GP_ERROR || r == GP_ERROR_BAD_PARAMETERS)
			rc = pr_error_set(err, PR_EINVAL, "camera %s: the camera refused set.%s = %s "
					  "(%s)", h->name, s->key, s->value, gp_result_as_string(r));
		else if (r < GP_OK)
			rc = gpd_fail(h, r, s->key, gpd_now_ms() - t0, err);
	}
	gp_widget_free(w);
	if (!rc)
		rc = gpcfg_verify(h, key, canon, err);
	if (!rc && !strcmp(s->key, "capturetarget")) {
		snprintf(h->target_key, sizeof(h->target_key), "%s", key);
		snprintf(h->target_value, sizeof(h->target_value), "%s", canon);
	}
	return rc;
}

/* Every setting is tried, so one attach names every bad set.KEY line at
 * once; a camera that is gone or stalled stops it at the first. */
int gpcfg_apply(struct cam_handle *h, const struct cam_setting *set, uint32_t n,
		struct pr_error *err)
{
	char msg[sizeof(err->msg)] = "", canon[192];
	size_t used = 0;
	int bad = 0, first = 0;
	h->target_key[0] = h->target_value[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		if (!set[i].key || !set[i].key[0] || !set[i].value)
			return pr_error_set(err, PR_EINVAL, "camera %s: empty setting", h->name);
		int rc = apply_one(h, &set[i], canon, sizeof(canon), err);
		if (!rc)
			continue;
		if (rc != PR_EINVAL && rc != PR_EUNSUPPORTED)
			return rc;
		first = first ? first : rc;
		bad++;
		/* "camera NAME: " once, at the front */
		const char *why = err->msg;
		size_t pre = strlen(h->name) + 9;
		if (!strncmp(why, "camera ", 7) && strlen(why) > pre)
			why += pre;
		if (used < sizeof(msg)) {
			int k = snprintf(msg + used, sizeof(msg) - used, "%s%s", used ? "; " : "", why);
			used += k > 0 ? (size_t)k : 0;
		}
	}
	if (bad > 1)
		return pr_error_set(err, first, "camera %s: %d bad settings: %s", h->name, bad, msg);
	if (bad)
		return pr_error_set(err, first, "camera %s: %s", h->name, msg);
	return 0;
}

int gpcfg_set_one(struct cam_handle *h, const char *key, const char *value, char *readback,
		  size_t size, struct pr_error *err)
{
	char canon[192];
	struct cam_setting s = { key, value };
	int rc = apply_one(h, &s, canon, sizeof(canon), err);
	if (rc)
		return rc;
	if (gpcfg_read(h, key, readback, size) < GP_OK)
		snprintf(readback, size, "%s", canon);
	return 0;
}

int gpcfg_verify(struct cam_handle *h, const char *key, const char *want, struct pr_error *err)
{
	char got[192];
	double t0 = gpd_now_ms();
	int r = gpcfg_read(h, key, got, sizeof(got));
	if (r < GP_OK)
		return gpd_fail(h, r, key, gpd_now_ms() - t0, err);
	double a, b;
	if (!strcmp(got, want) || (parse_number(got, &a) && parse_number(want, &b) &&
				   fabs(a - b) <= 1e-6 * (fabs(b) + 1e-9)))
		return 0;
	return pr_error_set(err, PR_EINVAL, "camera %s: %s is '%s', expected '%s' (the camera "
			    "changed it or did not accept it)", h->name, key, got, want);
}
