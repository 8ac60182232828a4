/* photorig drivers, gphoto2: every setting of a camera, as `gphoto2
 * --list-config` and `--get-config` show them: the camera's whole widget
 * tree is read once (gp_camera_get_config) and each leaf becomes one entry
 * with its name (what set.KEY takes), label, type, current value and, for
 * radio and menu widgets, the choices; range widgets carry their bounds.
 * Sections are walked, not listed; buttons (actions, not settings) are left
 * out. The strings come from the camera and are copied bounded. */
#define _GNU_SOURCE
#include "gp_internal.h"

#include <stdio.h>
#include <string.h>

#define GPSET_MAX_DEPTH 8

static const char *type_word(CameraWidgetType t)
{
	switch (t) {
	case GP_WIDGET_TEXT: return "text";
	case GP_WIDGET_RANGE: return "range";
	case GP_WIDGET_TOGGLE: return "toggle";
	case GP_WIDGET_RADIO: return "radio";
	case GP_WIDGET_MENU: return "menu";
	case GP_WIDGET_DATE: return "date";
	default: return NULL;
	}
}

static int add_leaf(CameraWidget *w, CameraWidgetType t, struct cam_settings_list *out,
		    struct pr_error *err)
{
	const char *name = NULL, *label = NULL;
	gp_widget_get_name(w, &name);
	gp_widget_get_label(w, &label);
	if (!name || !name[0])
		return 0;
	struct cam_setting_info *it = cam_settings_add(out, name, label, type_word(t));
	if (!it)
		return pr_error_set(err, PR_ENOMEM, "out of memory");
	int ro = 0;
	gp_widget_get_readonly(w, &ro);
	it->readonly = ro != 0;
	if (gpcfg_widget_text(w, it->value, sizeof(it->value)) < GP_OK)
		it->value[0] = '\0';
	if (t == GP_WIDGET_RANGE) {
		float lo = 0, hi = 0, step = 0;
		if (gp_widget_get_range(w, &lo, &hi, &step) >= GP_OK) {
			it->has_range = 1;
			it->min = lo;
			it->max = hi;
			it->step = step;
		}
	} else if (t == GP_WIDGET_RADIO || t == GP_WIDGET_MENU) {
		int n = gp_widget_count_choices(w);
		for (int i = 0; i < n; i++) {
			const char *c = NULL;
			if (gp_widget_get_choice(w, i, &c) >= GP_OK && c &&
			    cam_setting_add_choice(it, c))
				return pr_error_set(err, PR_ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int walk(CameraWidget *w, int depth, struct cam_settings_list *out, struct pr_error *err)
{
	CameraWidgetType t;
	if (gp_widget_get_type(w, &t) < GP_OK)
		return 0;
	if (t == GP_WIDGET_WINDOW || t == GP_WIDGET_SECTION) {
		if (depth >= GPSET_MAX_DEPTH)
			return 0;
		int n = gp_widget_count_children(w);
		for (int i = 0; i < n; i++) {
			CameraWidget *child = NULL;
			int rc;
			if (gp_widget_get_child(w, i, &child) >= GP_OK && child &&
			    (rc = walk(child, depth + 1, out, err)))
				return rc;
		}
		return 0;
	}
	return type_word(t) ? add_leaf(w, t, out, err) : 0;
}

int gpset_list(struct cam_handle *h, struct cam_settings_list *out, struct pr_error *err)
{
	if (!h || !h->cam || h->broken)
		return pr_error_set(err, CAM_EGONE, "camera %s is not open", h ? h->name : "?");
	CameraWidget *root = NULL;
	double t0 = gpd_now_ms();
	int r = gp_camera_get_config(h->cam, &root, h->ctx);
	if (r < GP_OK)
		return gpd_fail(h, r, "reading the settings", gpd_now_ms() - t0, err);
	int rc = walk(root, 0, out, err);
	gp_widget_free(root);
	return rc;
}
