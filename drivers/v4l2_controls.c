/* photorig drivers: V4L2 controls locked for plates and shots.
 *
 * A plate only masks a shot if the camera did not change exposure, gain,
 * white balance or focus in between, and webcams default to doing all of
 * that automatically. So at open the driver
 *   - applies the config's set.* controls (names from the table below, or
 *     any control as QUERYCTRL names it, lower-cased with underscores);
 *   - switches exposure, white balance and focus to manual, first, whether
 *     or not the config says so (an absolute value means nothing while the
 *     automatic mode is on, and an automatic mode left on ruins the plate);
 *   - reads every control back with G_CTRL and checks it took (cameras
 *     round to their step; UVC firmware may accept and ignore a value).
 * A control the config asks for that the camera refuses is an error, or a
 * warning with on_refused_control = warn; an automatic mode the config did
 * not mention that will not switch off is always just a warning.
 *
 * The values read back become "v4l2.KEY=VALUE" lines: stored with a plate,
 * compared with every shot's (cam_v4l2_controls_compare). */
#define _GNU_SOURCE
#include "v4l2_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CAM_CTRLS 128

/* Canonical keys, in the order they are applied and reported. */
static const struct known {
	const char *key;
	uint32_t id;
} known[] = {
	{ "exposure_auto", V4L2_CID_EXPOSURE_AUTO },
	{ "exposure_absolute", V4L2_CID_EXPOSURE_ABSOLUTE },
	{ "gain", V4L2_CID_GAIN },
	{ "white_balance_temperature_auto", V4L2_CID_AUTO_WHITE_BALANCE },
	{ "white_balance_temperature", V4L2_CID_WHITE_BALANCE_TEMPERATURE },
	{ "focus_auto", V4L2_CID_FOCUS_AUTO },
	{ "focus_absolute", V4L2_CID_FOCUS_ABSOLUTE },
	{ "power_line_frequency", V4L2_CID_POWER_LINE_FREQUENCY },
};

/* Other spellings: current kernels' QUERYCTRL names and v4l2-ctl's. */
static const struct known aliases[] = {
	{ "auto_exposure", V4L2_CID_EXPOSURE_AUTO },
	{ "exposure_time_absolute", V4L2_CID_EXPOSURE_ABSOLUTE },
	{ "white_balance_automatic", V4L2_CID_AUTO_WHITE_BALANCE },
	{ "auto_white_balance", V4L2_CID_AUTO_WHITE_BALANCE },
	{ "focus_automatic_continuous", V4L2_CID_FOCUS_AUTO },
};

/* Automatic modes and the value that switches each off. */
static const struct {
	uint32_t id, manual;
} autos[] = {
	{ V4L2_CID_EXPOSURE_AUTO, V4L2_EXPOSURE_MANUAL },
	{ V4L2_CID_AUTO_WHITE_BALANCE, 0 },
	{ V4L2_CID_FOCUS_AUTO, 0 },
};

struct camctl {
	struct v4l2_queryctrl q;
	char norm[48];
};

struct plan {
	uint32_t id;
	int32_t value;
	int asked;        /* the config asked for it (directly or by an absolute value) */
	const char *key;  /* for messages */
};

/* "Exposure Time, Absolute" -> "exposure_time_absolute" */
static void normalise(const char *in, char *out, size_t size)
{
	size_t n = 0;
	int gap = 0;
	for (; *in && n + 1 < size; in++) {
		unsigned char c = (unsigned char)*in;
		if (isalnum(c)) {
			if (gap && n)
				out[n++] = '_';
			if (n + 1 < size)
				out[n++] = (char)tolower(c);
			gap = 0;
		} else {
			gap = 1;
		}
	}
	out[n] = '\0';
}

static const char *canonical(uint32_t id)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].id == id)
			return known[i].key;
	return NULL;
}

static int list_controls(struct cam_handle *h, struct camctl *cc, uint32_t *n)
{
	*n = 0;
	uint32_t id = V4L2_CTRL_FLAG_NEXT_CTRL;
	while (*n < MAX_CAM_CTRLS) {
		struct v4l2_queryctrl q = { .id = id };
		if (v4d_ioctl(h, VIDIOC_QUERYCTRL, &q))
			return v4d_errno_gone(errno) ? -1 : 0;
		if (q.id <= (id & ~V4L2_CTRL_FLAG_NEXT_CTRL) && id != V4L2_CTRL_FLAG_NEXT_CTRL)
			break; /* a camera that does not advance: stop, do not spin */
		id = q.id | V4L2_CTRL_FLAG_NEXT_CTRL;
		if ((q.flags & V4L2_CTRL_FLAG_DISABLED) || q.type == V4L2_CTRL_TYPE_CTRL_CLASS)
			continue;
		q.name[sizeof(q.name) - 1] = '\0';
		cc[*n].q = q;
		normalise((const char *)q.name, cc[*n].norm, sizeof(cc[*n].norm));
		(*n)++;
	}
	return 0;
}

static const struct camctl *find_id(const struct camctl *cc, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (cc[i].q.id == id)
			return &cc[i];
	return NULL;
}

/* The control a set.KEY names: 0 if none. */
static uint32_t resolve_key(const char *key, const struct camctl *cc, uint32_t n)
{
	char k[48];
	normalise(key, k, sizeof(k));
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(k, known[i].key))
			return known[i].id;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(k, aliases[i].key))
			return aliases[i].id;
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(k, cc[i].norm))
			return cc[i].q.id;
	return 0;
}

/* Menu item names of a control, "a, b, c", for messages; matches `want`
 * (normalised) when given and sets *found to its index. */
static void menu_items(struct cam_handle *h, const struct v4l2_queryctrl *q, const char *want,
		       int32_t *found, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	if (q->type != V4L2_CTRL_TYPE_MENU || q->maximum - q->minimum > 64)
		return;
	for (int32_t i = q->minimum; i <= q->maximum; i++) {
		struct v4l2_querymenu m = { .id = q->id, .index = (uint32_t)i };
		if (v4d_ioctl(h, VIDIOC_QUERYMENU, &m))
			continue;
		m.name[sizeof(m.name) - 1] = '\0';
		char norm[40];
		normalise((const char *)m.name, norm, sizeof(norm));
		if (want && found && (!strcmp(norm, want) || !strncmp(norm, want, strlen(want))))
			*found = i;
		if (n < size)
			n += (size_t)snprintf(out + n, size - n, "%s%s (%d)", n ? ", " : "", m.name, i);
	}
}

/* A value as the config writes it: a number, on/off, or a menu item. */
static int parse_value(struct cam_handle *h, const struct v4l2_queryctrl *q, const char *text,
		       int32_t *out)
{
	char v[48];
	normalise(text, v, sizeof(v));
	char *end;
	long x = strtol(text, &end, 0);
	int numeric = end != text && *end == '\0';
	if (q->id == V4L2_CID_POWER_LINE_FREQUENCY && numeric && (x == 50 || x == 60)) {
		*out = x == 50 ? V4L2_CID_POWER_LINE_FREQUENCY_50HZ : V4L2_CID_POWER_LINE_FREQUENCY_60HZ;
		return 0;
	}
	if (!strcmp(v, "50hz") || !strcmp(v, "60hz"))
		return *out = v[0] == '5' ? 1 : 2, 0;
	if (numeric && x >= INT32_MIN && x <= INT32_MAX)
		return *out = (int32_t)x, 0;
	if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes"))
		return *out = 1, 0;
	if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no"))
		return *out = 0, 0;
	if (q->id == V4L2_CID_EXPOSURE_AUTO) {
		static const char *const names[] = { "auto", "manual", "shutter_priority",
						     "aperture_priority" };
		for (int i = 0; i < 4; i++)
			if (!strcmp(v, names[i]))
				return *out = i, 0;
	}
	int32_t found = -1;
	char items[256];
	menu_items(h, q, v, &found, items, sizeof(items));
	if (found >= 0)
		return *out = found, 0;
	return -1;
}

/* What the camera should read back for value: clamped to the range and
 * rounded to the step, as the V4L2 core does. */
static int32_t expected(const struct v4l2_queryctrl *q, int32_t value)
{
	if (q->type != V4L2_CTRL_TYPE_INTEGER || q->step <= 1)
		return value;
	int64_t off = (int64_t)value - q->minimum;
	int64_t st = q->step;
	return (int32_t)(q->minimum + (off + st / 2) / st * st);
}

/* A control the camera would not take: error or warning. */
static int refused(struct cam_handle *h, const struct plan *p, const struct v4l2_queryctrl *q,
		   const char *why, struct pr_error *err)
{
	char items[256] = "";
	if (q)
		menu_items(h, q, NULL, NULL, items, sizeof(items));
	char msg[1200];
	snprintf(msg, sizeof(msg), "camera %s (%s) refuses %s = %d%s: %s%s%s", h->name, h->path,
		 p->key, p->value,
		 p->id == V4L2_CID_EXPOSURE_AUTO ? " (manual exposure)" : "", why,
		 items[0] ? "; it offers " : "", items);
	if (p->asked && !h->controls_warn)
		return pr_error_set(err, PR_EUNSUPPORTED, "%s (on_refused_control = warn attaches it "
				    "anyway, but plates will not match shots as the light changes)",
				    msg);
	v4d_warn(h, "%s", msg);
	return 0;
}

static int apply(struct cam_handle *h, const struct plan *p, const struct camctl *cc,
		 uint32_t n, struct pr_error *err)
{
	const struct camctl *c = find_id(cc, n, p->id);
	if (!c)
		return refused(h, p, NULL, "the camera has no such control", err);
	const struct v4l2_queryctrl *q = &c->q;
	if (q->type == V4L2_CTRL_TYPE_INTEGER && (p->value < q->minimum || p->value > q->maximum)) {
		if (p->asked)
			return pr_error_set(err, PR_EINVAL, "camera %s (%s): set.%s = %d is outside "
					    "%d..%d", h->name, h->path, p->key, p->value, q->minimum,
					    q->maximum);
		return 0;
	}
	struct v4l2_control ctl = { .id = p->id, .value = p->value };
	if (v4d_ioctl(h, VIDIOC_S_CTRL, &ctl)) {
		int e = errno;
		if (v4d_errno_gone(e))
			return v4d_fail(h, CAM_EGONE, "setting controls", err);
		return refused(h, p, q, strerror(e), err);
	}
	ctl.value = 0;
	if (v4d_ioctl(h, VIDIOC_G_CTRL, &ctl)) {
		int e = errno;
		if (v4d_errno_gone(e))
			return v4d_fail(h, CAM_EGONE, "reading controls back", err);
		return refused(h, p, q, strerror(e), err);
	}
	if (ctl.value != expected(q, p->value)) {
		char why[64];
		snprintf(why, sizeof(why), "it reads back %d", ctl.value);
		return refused(h, p, q, why, err);
	}
	return 0;
}

/* Append msg (without its "camera NAME" part) to the list of bad settings. */
static size_t bad_note(char *bad, size_t used, size_t size, const char *msg, int nth)
{
	const char *why = strstr(msg, ": ");
	int k = used < size ? snprintf(bad + used, size - used, "%s%s", nth ? "; " : "",
					 why ? why + 2 : msg) : 0;
	return k > 0 ? (size_t)k : 0;
}

static int add_locked(struct cam_handle *h, uint32_t id, const char *key)
{
	for (uint32_t i = 0; i < h->nctrls; i++)
		if (h->ctrls[i].id == id)
			return 0;
	if (h->nctrls >= V4D_MAX_CTRLS)
		return 0;
	struct v4d_ctrl *c = &h->ctrls[h->nctrls];
	struct v4l2_control ctl = { .id = id };
	if (v4d_ioctl(h, VIDIOC_G_CTRL, &ctl))
		return v4d_errno_gone(errno) ? -1 : 0;
	c->id = id;
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->value = ctl.value;
	h->nctrls++;
	return 0;
}

int v4d_controls_lock(struct cam_handle *h, const struct cam_setting *set, uint32_t nset,
		      struct pr_error *err)
{
	struct camctl *cc = calloc(MAX_CAM_CTRLS, sizeof(*cc));
	struct plan *plan = calloc(nset + 4, sizeof(*plan));
	uint32_t ncc = 0, np = 0;
	int rc = 0, nbad = 0;
	char bad[sizeof(err->msg)] = "";
	size_t nb = 0;
	if (!cc || !plan) {
		rc = pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
		goto out;
	}
	if (list_controls(h, cc, &ncc)) {
		rc = v4d_fail(h, CAM_EGONE, "listing controls", err);
		goto out;
	}
	/* The automatic modes first: the absolute values only hold once they are off. */
	for (size_t a = 0; a < sizeof(autos) / sizeof(autos[0]); a++) {
		if (!find_id(cc, ncc, autos[a].id))
			continue;
		plan[np++] = (struct plan){ autos[a].id, (int32_t)autos[a].manual, 0,
					    canonical(autos[a].id) };
	}
	for (uint32_t i = 0; i < nset; i++) {
		uint32_t id = resolve_key(set[i].key, cc, ncc);
		if (!id) {
			char names[600] = "";
			size_t n = 0;
			for (uint32_t k = 0; k < ncc && n < sizeof(names); k++)
				n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
						      k ? ", " : "", cc[k].norm);
			pr_error_set(err, PR_EINVAL, "camera %s (%s): no control set.%s; it has %s",
				     h->name, h->path, set[i].key, ncc ? names : "none");
			nb += bad_note(bad, nb, sizeof(bad), err->msg, nbad++);
			continue;
		}
		const struct camctl *c = find_id(cc, ncc, id);
		struct v4l2_queryctrl none = { .id = id, .type = V4L2_CTRL_TYPE_INTEGER };
		int32_t value;
		if (parse_value(h, c ? &c->q : &none, set[i].value, &value)) {
			char items[256] = "";
			if (c)
				menu_items(h, &c->q, NULL, NULL, items, sizeof(items));
			pr_error_set(err, PR_EINVAL, "camera %s: set.%s = %s is not a value%s%s",
				     h->name, set[i].key, set[i].value, items[0] ? "; it takes " : "", items);
			nb += bad_note(bad, nb, sizeof(bad), err->msg, nbad++);
			continue;
		}
		/* An absolute value asks for its automatic mode to be off. */
		for (uint32_t k = 0; k < np; k++) {
			int pair = (plan[k].id == V4L2_CID_EXPOSURE_AUTO && id == V4L2_CID_EXPOSURE_ABSOLUTE) ||
				   (plan[k].id == V4L2_CID_AUTO_WHITE_BALANCE &&
				    id == V4L2_CID_WHITE_BALANCE_TEMPERATURE) ||
				   (plan[k].id == V4L2_CID_FOCUS_AUTO && id == V4L2_CID_FOCUS_ABSOLUTE);
			if (pair)
				plan[k].asked = 1;
			if (plan[k].id == id) {
				plan[k].value = value;
				plan[k].asked = 1;
				id = 0;
			}
		}
		if (id)
			plan[np++] = (struct plan){ id, value, 1, set[i].key };
	}
	/* every bad set.KEY line at once, not one per reload */
	if (nbad) {
		rc = nbad == 1 ? PR_EINVAL : pr_error_set(err, PR_EINVAL, "camera %s: %d bad settings: "
							  "%s", h->name, nbad, bad);
		goto out;
	}
	for (uint32_t k = 0; k < np && !rc; k++)
		rc = apply(h, &plan[k], cc, ncc, err);
	if (rc)
		goto out;
	/* What is locked: every known control the camera has, then the rest
	 * the config set, as read back now. */
	h->nctrls = 0;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !rc; i++)
		if (find_id(cc, ncc, known[i].id))
			rc = add_locked(h, known[i].id, known[i].key);
	for (uint32_t k = 0; k < np && !rc; k++) {
		const struct camctl *c = find_id(cc, ncc, plan[k].id);
		if (c)
			rc = add_locked(h, plan[k].id, canonical(plan[k].id) ? canonical(plan[k].id)
									     : c->norm);
	}
	if (rc)
		rc = v4d_fail(h, CAM_EGONE, "reading controls back", err);
out:
	free(cc);
	free(plan);
	return rc;
}

int v4d_controls_recheck(struct cam_handle *h, struct pr_error *err)
{
	for (uint32_t i = 0; i < h->nctrls; i++) {
		struct v4l2_control ctl = { .id = h->ctrls[i].id };
		if (v4d_ioctl(h, VIDIOC_G_CTRL, &ctl)) {
			if (v4d_errno_gone(errno))
				return v4d_fail(h, CAM_EGONE, "reading controls", err);
			continue;
		}
		/* Changed behind our back (v4l2-ctl, another program, a camera
		 * that reset itself): the new value is what this shot gets, and
		 * the plate comparison reports it. */
		h->ctrls[i].value = ctl.value;
	}
	return 0;
}

int cam_v4l2_controls_text(struct cam_handle *h, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (!h || h->fd < 0)
		return CAM_EGONE;
	size_t n = 0;
	for (uint32_t i = 0; i < h->nctrls && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "v4l2.%s=%d\n", h->ctrls[i].key,
				      h->ctrls[i].value);
	return 0;
}

/* The value of v4l2.KEY in text, or NULL; *len is the value's length. */
static const char *lookup(const char *text, const char *key, size_t keylen, size_t *len)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		if (ll > 5 + keylen && !strncmp(line, "v4l2.", 5) &&
		    !strncmp(line + 5, key, keylen) && line[5 + keylen] == '=') {
			*len = ll - 6 - keylen;
			return line + 6 + keylen;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* Every v4l2 key of a that b lacks or holds differently, appended to why. */
static int diff_side(const char *a, const char *b, int a_is_plate, char *why, size_t size,
		     size_t *n)
{
	int differ = 0;
	for (const char *line = a; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		const char *eq = memchr(line, '=', ll);
		if (ll > 5 && !strncmp(line, "v4l2.", 5) && eq) {
			size_t keylen = (size_t)(eq - line) - 5, alen = ll - keylen - 6, blen = 0;
			const char *bv = lookup(b, line + 5, keylen, &blen);
			if (!bv || blen != alen || strncmp(bv, eq + 1, alen)) {
				if (bv && !a_is_plate) {
					/* Reported from the plate's side already. */
				} else {
					differ = 1;
					if (*n < size)
						*n += (size_t)snprintf(why + *n, size - *n,
							"%s%.*s %.*s -> %.*s", *n ? ", " : "", (int)keylen,
							line + 5, (int)(a_is_plate ? alen : (bv ? blen : 4)),
							a_is_plate ? eq + 1 : (bv ? bv : "none"),
							(int)(a_is_plate ? (bv ? blen : 4) : alen),
							a_is_plate ? (bv ? bv : "none") : eq + 1);
				}
				differ = 1;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return differ;
}

int cam_v4l2_controls_compare(const char *plate_text, const char *shot_text, char *why,
			      size_t size)
{
	size_t n = 0;
	if (size)
		why[0] = '\0';
	plate_text = plate_text ? plate_text : "";
	shot_text = shot_text ? shot_text : "";
	int d1 = diff_side(plate_text, shot_text, 1, why, size, &n);
	int d2 = diff_side(shot_text, plate_text, 0, why, size, &n);
	return d1 || d2;
}

/* ---- list_settings / set_setting: every control, as v4l2-ctl lists them ---- */

int cam_v4l2_list_settings(struct cam_handle *h, struct cam_settings_list *out,
			   struct pr_error *err)
{
	struct camctl *cc = calloc(MAX_CAM_CTRLS, sizeof(*cc));
	uint32_t n = 0;
	int rc = 0;
	if (!cc)
		return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
	if (h->fd < 0 || list_controls(h, cc, &n))
		rc = v4d_fail(h, CAM_EGONE, "listing controls", err);
	for (uint32_t i = 0; i < n && !rc; i++) {
		const struct v4l2_queryctrl *q = &cc[i].q;
		const char *type = v4d_ctrl_type(q->type), *key = canonical(q->id);
		if (!type)
			continue;
		struct cam_setting_info *it = cam_settings_add(out, key ? key : cc[i].norm,
							       (const char *)q->name, type);
		struct v4l2_control ctl = { .id = q->id };
		if (!it) {
			rc = pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
			break;
		}
		if (v4d_ioctl(h, VIDIOC_G_CTRL, &ctl) && v4d_errno_gone(errno)) {
			rc = v4d_fail(h, CAM_EGONE, "reading controls", err);
			break;
		}
		it->readonly = (q->flags & (V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_INACTIVE)) != 0;
		snprintf(it->value, sizeof(it->value), "%d", ctl.value);
		if (q->type == V4L2_CTRL_TYPE_INTEGER) {
			it->has_range = 1;
			it->min = q->minimum;
			it->max = q->maximum;
			it->step = q->step;
		} else if (strcmp(type, "menu") == 0 && v4d_menu_choices(h, q, ctl.value, it)) {
			rc = pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
		}
	}
	free(cc);
	return rc;
}

int cam_v4l2_set_setting(struct cam_handle *h, const char *key, const char *value,
			 char *readback, size_t size, struct pr_error *err)
{
	struct camctl *cc = calloc(MAX_CAM_CTRLS, sizeof(*cc));
	uint32_t n = 0;
	int rc = 0;
	if (!cc)
		return pr_error_set(err, PR_ENOMEM, "camera %s: out of memory", h->name);
	if (h->fd < 0 || list_controls(h, cc, &n)) {
		rc = v4d_fail(h, CAM_EGONE, "listing controls", err);
		goto out;
	}
	uint32_t id = resolve_key(key, cc, n);
	const struct camctl *c = id ? find_id(cc, n, id) : NULL;
	int32_t v;
	if (!c) {
		rc = pr_error_set(err, PR_EINVAL, "camera %s (%s): no control '%s' (photorig camera "
				  "%s settings lists them)", h->name, h->path, key, h->name);
		goto out;
	}
	if (parse_value(h, &c->q, value, &v) ||
	    (c->q.type == V4L2_CTRL_TYPE_INTEGER && (v < c->q.minimum || v > c->q.maximum))) {
		char items[256] = "";
		menu_items(h, &c->q, NULL, NULL, items, sizeof(items));
		if (!items[0] && c->q.type == V4L2_CTRL_TYPE_INTEGER)
			snprintf(items, sizeof(items), "%d..%d", c->q.minimum, c->q.maximum);
		rc = pr_error_set(err, PR_EINVAL, "camera %s: %s = %s is not a value it takes%s%s",
				  h->name, key, value, items[0] ? "; allowed: " : "", items);
		goto out;
	}
	struct plan p = { id, v, 1, key };
	int warn = h->controls_warn;
	h->controls_warn = 0; /* asked for now: a refusal is the answer, not a warning */
	rc = apply(h, &p, cc, n, err);
	h->controls_warn = warn;
	if (rc)
		goto out;
	struct v4l2_control ctl = { .id = id };
	if (v4d_ioctl(h, VIDIOC_G_CTRL, &ctl))
		ctl.value = expected(&c->q, v);
	snprintf(readback, size, "%d", ctl.value);
	/* a locked control now holds this value: shots are compared with the plate's */
	for (uint32_t i = 0; i < h->nctrls; i++)
		if (h->ctrls[i].id == id)
			h->ctrls[i].value = ctl.value;
out:
	free(cc);
	return rc;
}
