/* photorig drivers, v4l2: how list_settings shows a control: its kind
 * ("range", "toggle", "menu"; NULL for buttons, strings and compound
 * controls, which are not settings) and a menu's items. */
#define _GNU_SOURCE
#include "v4l2_internal.h"

#include <stdio.h>
#include <string.h>

const char *v4d_ctrl_type(uint32_t t)
{
	switch (t) {
	case V4L2_CTRL_TYPE_INTEGER: return "range";
	case V4L2_CTRL_TYPE_BOOLEAN: return "toggle";
	case V4L2_CTRL_TYPE_MENU:
	case V4L2_CTRL_TYPE_INTEGER_MENU: return "menu";
	default: return NULL; /* buttons, strings, compound controls: not settings */
	}
}

/* A menu control's item names (integer menus: the numbers), choice by index. */
int v4d_menu_choices(struct cam_handle *h, const struct v4l2_queryctrl *q, int32_t cur,
		     struct cam_setting_info *it)
{
	for (int32_t i = q->minimum; i <= q->maximum && i - q->minimum <= 64; i++) {
		struct v4l2_querymenu m = { .id = q->id, .index = (uint32_t)i };
		char name[48];
		if (v4d_ioctl(h, VIDIOC_QUERYMENU, &m))
			continue;
		if (q->type == V4L2_CTRL_TYPE_INTEGER_MENU)
			snprintf(name, sizeof(name), "%lld", (long long)m.value);
		else
			snprintf(name, sizeof(name), "%.*s", (int)sizeof(m.name), (const char *)m.name);
		if (cam_setting_add_choice(it, name))
			return PR_ENOMEM;
		if (i == cur)
			snprintf(it->value, sizeof(it->value), "%s", name);
	}
	return 0;
}
