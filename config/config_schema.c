/* photorig config: the schema. Every key of every section is one row here;
 * parsing, defaults, range checks, printing and comparison all read it. */
#include "config_schema.h"

#include "backdrop.h"
#include "crop.h"
#include "scene.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const pr_cfg_section_names[SEC_COUNT] = {
	"daemon", "rig", "camera", "turntable", "trigger", "web", "cluster",
};

static const char *const log_levels[] = { "err", "warning", "notice", "info", "debug", NULL };
/* in the order of the PR_CONV_* bits (outputs.h) */
static const char *const conventions[] = { "metashape", "realitycapture", "colmap", "alicevision",
					   NULL };
/* Same order as enum pr_tiff_compression. */
static const char *const tiff_compressions[] = { "none", "lzw", "deflate", "zstd", NULL };
/* Same order as enum pr_mask_method. */
static const char *const mask_methods[] = { "plate", "chroma", NULL };
const char *const pr_cfg_cam_drivers[] = { "sim", "gphoto2", "v4l2", NULL };
const char *const pr_cfg_tt_drivers[] = { "none", "sim", "grbl", "line", NULL };
const char *const pr_cfg_trig_drivers[] = { "none", "usbrelay", "serialbox", NULL };
static const char *const key_actions[] = { "capture", "pause", NULL };
/* Same order as enum pr_composite_format. */
static const char *const backdrop_formats[] = { "jpeg", "png", NULL };
/* Same order as enum pr_refused_control. */
static const char *const refused_control_actions[] = { "error", "warn", NULL };
/* Same order as enum pr_web_auth. */
static const char *const web_auths[] = { "password", "none", NULL };

/* ---- checks of single values ---- */

static int check_name(const void *field, char *why, size_t size)
{
	return pr_config_check_name(field, why, size);
}

static int check_group(const void *field, char *why, size_t size)
{
	const char *g = field;
	/* The POSIX portable user/group name set, first char not '-'. */
	for (const char *p = g; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.') {
			snprintf(why, size, "not a group name (letters, digits, '_', '-', '.')");
			return -1;
		}
	}
	if (g[0] == '-') {
		snprintf(why, size, "a group name does not start with '-'");
		return -1;
	}
	return 0;
}

static int check_printable(const void *field, char *why, size_t size)
{
	for (const unsigned char *p = field; *p; p++) {
		if (*p < 0x21 || *p == 0x7f) {
			snprintf(why, size, "spaces and control characters are not allowed");
			return -1;
		}
	}
	return 0;
}

/* sim: the conditions the camera renders, as core/scene/scene.h reads them. */
static int check_sim_scene(const void *field, char *why, size_t size)
{
	struct pr_scene_params sp;
	struct pr_error err;
	pr_scene_defaults(&sp);
	if (pr_scene_options_parse(field, &sp, &err)) {
		snprintf(why, size, "%s", err.msg);
		return -1;
	}
	return 0;
}

static const char *const template_tokens[] = {
	"session", "set", "camera", "serial", "seq", "date", "time", NULL,
};

int pr_config_check_template(const char *tmpl, char *why, size_t size)
{
	int has_cam = 0, has_set = 0;
	if (!*tmpl) {
		snprintf(why, size, "empty template");
		return -1;
	}
	if (strstr(tmpl, "..")) {
		snprintf(why, size, "'..' is not allowed in file names");
		return -1;
	}
	for (const char *p = tmpl; *p; p++) {
		if (*p == '/' || *p == '\\') {
			snprintf(why, size, "'%c' is not allowed: the template names a file, not a folder", *p);
			return -1;
		}
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(why, size, "control characters are not allowed");
			return -1;
		}
		if (*p == '}') {
			snprintf(why, size, "'}' without '{'");
			return -1;
		}
		if (*p != '{')
			continue;
		const char *end = strchr(p, '}');
		if (!end) {
			snprintf(why, size, "'{' without '}'");
			return -1;
		}
		char tok[32];
		size_t n = (size_t)(end - p - 1);
		if (n >= sizeof(tok))
			n = sizeof(tok) - 1;
		memcpy(tok, p + 1, n);
		tok[n] = '\0';
		char *colon = strchr(tok, ':');
		if (colon)
			*colon++ = '\0';
		int known = 0;
		for (unsigned i = 0; template_tokens[i]; i++)
			known |= !strcmp(tok, template_tokens[i]);
		if (!known) {
			snprintf(why, size, "unknown token {%s} (known: {session} {set} {camera} {serial} "
				 "{seq} {date} {time})", tok);
			return -1;
		}
		if (colon) {
			int numeric = !strcmp(tok, "set") || !strcmp(tok, "seq");
			size_t digits = strspn(colon, "0123456789");
			if (!numeric || digits == 0 || digits > 2 || colon[digits] || atoi(colon) < 1 ||
			    atoi(colon) > 20) {
				snprintf(why, size, "bad width in {%s:%s}: only {set} and {seq} take one, "
					 "1..20 digits, e.g. {set:04}", tok, colon);
				return -1;
			}
		}
		has_cam |= !strcmp(tok, "camera") || !strcmp(tok, "serial");
		has_set |= !strcmp(tok, "set") || !strcmp(tok, "seq");
		p = end;
	}
	if (!has_cam || !has_set) {
		snprintf(why, size, "names would not be unique: the template needs {camera} or "
			 "{serial}, and {set} or {seq}");
		return -1;
	}
	return 0;
}

static int check_template(const void *field, char *why, size_t size)
{
	return pr_config_check_template(field, why, size);
}

static int check_port_number(const char *s, size_t n)
{
	if (n == 0 || n > 5 || strspn(s, "0123456789") < n)
		return -1;
	long v = strtol(s, NULL, 10);
	return v >= 1 && v <= 65535 ? 0 : -1;
}

/* libgphoto2 port strings: usb:BUS,DEV and ptpip:HOST[:PORT[:EVENTPORT]]. */
static int check_port(const void *field, char *why, size_t size)
{
	const char *s = field;
	if (!*s)
		return 0;
	if (!strncmp(s, "usb:", 4)) {
		const char *p = s + 4;
		size_t a = strspn(p, "0123456789");
		if (a >= 1 && a <= 3 && p[a] == ',') {
			size_t b = strspn(p + a + 1, "0123456789");
			if (b >= 1 && b <= 3 && !p[a + 1 + b])
				return 0;
		}
	} else if (!strncmp(s, "ptpip:", 6)) {
		const char *host = s + 6;
		size_t h = strcspn(host, ":");
		int ok = h > 0;
		for (size_t i = 0; i < h && ok; i++)
			ok = isalnum((unsigned char)host[i]) || host[i] == '.' || host[i] == '-';
		const char *p = host + h;
		for (int i = 0; ok && *p && i < 2; i++) {
			size_t n = strcspn(p + 1, ":");
			ok = !check_port_number(p + 1, n);
			p += 1 + n;
		}
		if (ok && !*p)
			return 0;
	}
	snprintf(why, size, "not a port (usb:BUS,DEV or ptpip:HOST[:PORT[:EVENTPORT]])");
	return -1;
}

static int check_fourcc(const void *field, char *why, size_t size)
{
	const char *s = field;
	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != ' ') {
			snprintf(why, size, "not a V4L2 fourcc (1..4 letters or digits, e.g. YUYV, MJPG)");
			return -1;
		}
	}
	return 0;
}

static int check_tiff_bits(const void *field, char *why, size_t size)
{
	int v = *(const int *)field;
	if (v != 8 && v != 16) {
		snprintf(why, size, "must be 8 or 16");
		return -1;
	}
	return 0;
}

static int check_baud(const void *field, char *why, size_t size)
{
	static const int rates[] = { 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200,
				     230400, 460800, 500000, 576000, 921600, 1000000, 2000000 };
	int v = *(const int *)field;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (v == rates[i])
			return 0;
	snprintf(why, size, "not a standard baud rate (9600, 19200, 38400, 57600, 115200, "
		 "230400, ...)");
	return -1;
}

/* Line-protocol command: text with the one token {degrees}. */
static int check_rotate_cmd(const void *field, char *why, size_t size)
{
	const char *s = field;
	if (!*s)
		return 0;
	for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
		if (strncmp(p, "{degrees}", 9)) {
			snprintf(why, size, "only the token {degrees} is known");
			return -1;
		}
	}
	if (!strstr(s, "{degrees}")) {
		snprintf(why, size, "the command must contain {degrees}");
		return -1;
	}
	return 0;
}

/* Backdrops: a colour, or an image by absolute path (a relative one would
 * depend on the daemon's working folder); "none" only where allowed. */
static int check_backdrop_spec(const char *s, int none_ok, char *why, size_t size)
{
	uint8_t rgb[3];
	if (!*s || pr_backdrop_parse_colour(s, rgb) || s[0] == '/' || (none_ok && !strcmp(s, "none")))
		return 0;
	snprintf(why, size, "expected a colour #RRGGBB or an absolute image path%s",
		 none_ok ? ", or none" : "");
	return -1;
}

static int check_rig_backdrop(const void *field, char *why, size_t size)
{
	return check_backdrop_spec(field, 0, why, size);
}

static int check_camera_backdrop(const void *field, char *why, size_t size)
{
	return check_backdrop_spec(field, 1, why, size);
}

static int check_crop_margin(const void *field, char *why, size_t size)
{
	struct pr_crop_options o;
	pr_crop_options_default(&o);
	if (!*(const char *)field || !pr_crop_parse_margin(field, &o, NULL))
		return 0;
	snprintf(why, size, "expected N%% (of the object's longer side) or Npx, or empty");
	return -1;
}

static int check_aspect(const void *field, char *why, size_t size)
{
	struct pr_crop_options o;
	pr_crop_options_default(&o);
	if (!*(const char *)field || !pr_crop_parse_aspect(field, &o, NULL))
		return 0;
	snprintf(why, size, "expected W:H with whole numbers 1..10000 (e.g. 4:5), or empty");
	return -1;
}

/* ---- the table ---- */

#define F(type, field) .offset = offsetof(type, field), .size = sizeof(((type *)0)->field)
#define DM(field) F(struct pr_daemon_config, field)
#define RG(field) F(struct pr_rig_config, field)
#define CM(field) F(struct pr_camera_config, field)
#define TT(field) F(struct pr_turntable_config, field)
#define TR(field) F(struct pr_trigger_config, field)
#define WB(field) F(struct pr_web_config, field)
#define DRV(d) (1u << (d))

const struct cfg_key pr_cfg_keys[] = {
	/* [daemon] */
	{ SEC_DAEMON, "socket", CT_PATH, DM(socket), .min = 1, .def = "/run/photorig/control.sock" },
	{ SEC_DAEMON, "state_dir", CT_PATH, DM(state_dir), .min = 1, .def = "/var/lib/photorig" },
	{ SEC_DAEMON, "output_root", CT_PATH, DM(output_root), .min = 1,
	  .def = "/var/lib/photorig/sessions" },
	{ SEC_DAEMON, "worker_threads", CT_INT, DM(worker_threads), 0, 64, "0" },
	{ SEC_DAEMON, "log_level", CT_ENUM, DM(log_level), .def = "info", .values = log_levels },
	{ SEC_DAEMON, "group", CT_STRING, DM(group), .def = "photorig", .check = check_group },
	{ SEC_DAEMON, "max_clients", CT_INT, DM(max_clients), 1, 1024, "32" },
	/* about two sets of an 8-camera 24 MP rig with its TIFFs; 0 = no check */
	{ SEC_DAEMON, "min_free_mb", CT_INT, DM(min_free_mb), 0, 1048576, "1024" },
	/* per camera, originals the full disk had no room for, kept in memory */
	{ SEC_DAEMON, "hold_max_mb", CT_INT, DM(hold_max_mb), 0, 65536, "1024" },

	/* [rig] */
	{ SEC_RIG, "name", CT_STRING, RG(name), .min = 1, .def = "rig", .check = check_name },
	{ SEC_RIG, "file_template", CT_STRING, RG(file_template), .min = 1,
	  .def = "{camera}_{set:04}", .check = check_template },
	{ SEC_RIG, "conventions", CT_LIST, RG(conventions), .def = "", .values = conventions },
	{ SEC_RIG, "plate_frames", CT_INT, RG(plate_frames), 1, 64, "5" },
	{ SEC_RIG, "plate_required", CT_BOOL, RG(plate_required), .def = "false" },
	/* Default set at init from core's PR_TIFF_DEFAULT. */
	{ SEC_RIG, "tiff_compression", CT_ENUM, RG(tiff_compression), .values = tiff_compressions },
	{ SEC_RIG, "tiff_bits", CT_INT, RG(tiff_bits), 8, 16, "8", .check = check_tiff_bits },
	{ SEC_RIG, "set_timeout_ms", CT_INT, RG(set_timeout_ms), 100, 3600000, "30000" },
	/* Rig-wide mask defaults; initial values from core's pr_mask_params_default. */
	{ SEC_RIG, "method", CT_ENUM, RG(mask.method), .values = mask_methods },
	{ SEC_RIG, "tolerance", CT_DOUBLE, RG(mask.tolerance), 0.1, 1000 },
	{ SEC_RIG, "invert", CT_BOOL, RG(mask.invert) },
	{ SEC_RIG, "key_color", CT_COLOUR, RG(mask.key_rgb) },
	{ SEC_RIG, "min_area", CT_U32, RG(mask.min_area), 0, 100000000 },
	{ SEC_RIG, "shadow", CT_BOOL, RG(mask.shadow) },
	{ SEC_RIG, "shadow_min", CT_DOUBLE, RG(mask.shadow_min), 0.01, 0.99 },
	{ SEC_RIG, "backdrop", CT_STRING, RG(backdrop), .def = "", .check = check_rig_backdrop },
	{ SEC_RIG, "backdrop_format", CT_ENUM, RG(backdrop_format), .def = "jpeg",
	  .values = backdrop_formats },
	{ SEC_RIG, "backdrop_quality", CT_INT, RG(backdrop_quality), 1, 100, "92" },
	{ SEC_RIG, "crop_margin", CT_STRING, RG(crop_margin), .def = "", .check = check_crop_margin },
	{ SEC_RIG, "aspect", CT_STRING, RG(aspect), .def = "", .check = check_aspect },
	{ SEC_RIG, "contact_sheets", CT_BOOL, RG(contact_sheets), .def = "true" },

	/* [camera NAME] */
	{ SEC_CAMERA, "driver", CT_ENUM, CM(driver), .values = pr_cfg_cam_drivers,
	  .flags = CK_REQUIRED },
	{ SEC_CAMERA, "serial", CT_STRING, CM(serial), .def = "", .check = check_printable },
	{ SEC_CAMERA, "port", CT_STRING, CM(port), .def = "", .drivers = DRV(PR_CAM_GPHOTO2),
	  .check = check_port },
	{ SEC_CAMERA, "device", CT_PATH, CM(device), .def = "", .drivers = DRV(PR_CAM_V4L2) },
	{ SEC_CAMERA, "width", CT_U32, CM(width), 0, 65535, "0",
	  .drivers = DRV(PR_CAM_SIM) | DRV(PR_CAM_V4L2) },
	{ SEC_CAMERA, "height", CT_U32, CM(height), 0, 65535, "0",
	  .drivers = DRV(PR_CAM_SIM) | DRV(PR_CAM_V4L2) },
	{ SEC_CAMERA, "seed", CT_U32, CM(seed), 0, 4294967295.0, "0", .drivers = DRV(PR_CAM_SIM) },
	{ SEC_CAMERA, "latency_ms", CT_U32, CM(latency_ms), 0, 60000, "20",
	  .drivers = DRV(PR_CAM_SIM) },
	{ SEC_CAMERA, "noise", CT_DOUBLE, CM(noise), 0, 100, "2", .drivers = DRV(PR_CAM_SIM) },
	{ SEC_CAMERA, "scene", CT_STRING, CM(sim_scene), .def = "", .drivers = DRV(PR_CAM_SIM),
	  .check = check_sim_scene },
	{ SEC_CAMERA, "pixel_format", CT_STRING, CM(pixel_format), .def = "",
	  .drivers = DRV(PR_CAM_V4L2), .check = check_fourcc },
	{ SEC_CAMERA, "fps", CT_U32, CM(fps), 0, 1000, "0", .drivers = DRV(PR_CAM_V4L2) },
	{ SEC_CAMERA, "on_refused_control", CT_ENUM, CM(on_refused_control), .def = "error",
	  .drivers = DRV(PR_CAM_V4L2), .values = refused_control_actions },
	{ SEC_CAMERA, "delete_after_download", CT_BOOL, CM(delete_after_download), .def = "true",
	  .drivers = DRV(PR_CAM_GPHOTO2) },
	{ SEC_CAMERA, "timeout_ms", CT_U32, CM(timeout_ms), 100, 600000, "10000",
	  .drivers = DRV(PR_CAM_GPHOTO2) | DRV(PR_CAM_V4L2) },
	{ SEC_CAMERA, "method", CT_ENUM, CM(mask.method), .values = mask_methods, .flags = CK_MASK },
	{ SEC_CAMERA, "tolerance", CT_DOUBLE, CM(mask.tolerance), 0.1, 1000, .flags = CK_MASK },
	{ SEC_CAMERA, "invert", CT_BOOL, CM(mask.invert), .flags = CK_MASK },
	{ SEC_CAMERA, "key_color", CT_COLOUR, CM(mask.key_rgb), .flags = CK_MASK },
	{ SEC_CAMERA, "min_area", CT_U32, CM(mask.min_area), 0, 100000000, .flags = CK_MASK },
	{ SEC_CAMERA, "shadow", CT_BOOL, CM(mask.shadow), .flags = CK_MASK },
	{ SEC_CAMERA, "shadow_min", CT_DOUBLE, CM(mask.shadow_min), 0.01, 0.99, .flags = CK_MASK },
	{ SEC_CAMERA, "include", CT_REGION, CM(mask), .flags = CK_REPEAT },
	{ SEC_CAMERA, "exclude", CT_REGION, CM(mask), .flags = CK_REPEAT | CK_EXCLUDE },
	{ SEC_CAMERA, "backdrop", CT_STRING, CM(backdrop), .def = "", .check = check_camera_backdrop },

	/* [turntable] */
	{ SEC_TURNTABLE, "driver", CT_ENUM, TT(driver), .def = "none", .values = pr_cfg_tt_drivers },
	{ SEC_TURNTABLE, "device", CT_PATH, TT(device), .def = "",
	  .drivers = DRV(PR_TT_GRBL) | DRV(PR_TT_LINE) },
	{ SEC_TURNTABLE, "baud", CT_INT, TT(baud), 1200, 4000000, "115200",
	  .drivers = DRV(PR_TT_GRBL) | DRV(PR_TT_LINE), .check = check_baud },
	{ SEC_TURNTABLE, "steps", CT_INT, TT(steps), 1, 3600, "36",
	  .drivers = DRV(PR_TT_SIM) | DRV(PR_TT_GRBL) | DRV(PR_TT_LINE) },
	{ SEC_TURNTABLE, "degrees", CT_DOUBLE, TT(degrees), 0.001, 3600, "360",
	  .drivers = DRV(PR_TT_SIM) | DRV(PR_TT_GRBL) | DRV(PR_TT_LINE) },
	{ SEC_TURNTABLE, "settle_ms", CT_INT, TT(settle_ms), 0, 600000, "500",
	  .drivers = DRV(PR_TT_SIM) | DRV(PR_TT_GRBL) | DRV(PR_TT_LINE) },
	{ SEC_TURNTABLE, "degrees_per_unit", CT_DOUBLE, TT(degrees_per_unit), 1e-6, 1e6, "1",
	  .drivers = DRV(PR_TT_GRBL) },
	{ SEC_TURNTABLE, "feed", CT_DOUBLE, TT(feed), 0.001, 1e6, "3600", .drivers = DRV(PR_TT_GRBL) },
	{ SEC_TURNTABLE, "rotate_cmd", CT_STRING, TT(rotate_cmd), .def = "",
	  .drivers = DRV(PR_TT_LINE), .check = check_rotate_cmd },
	{ SEC_TURNTABLE, "done_reply", CT_STRING, TT(done_reply), .def = "", .drivers = DRV(PR_TT_LINE) },
	{ SEC_TURNTABLE, "error_reply", CT_STRING, TT(error_reply), .def = "",
	  .drivers = DRV(PR_TT_LINE) },
	{ SEC_TURNTABLE, "timeout_ms", CT_INT, TT(timeout_ms), 100, 600000, "30000",
	  .drivers = DRV(PR_TT_GRBL) | DRV(PR_TT_LINE) },

	/* [trigger] */
	{ SEC_TRIGGER, "driver", CT_ENUM, TR(driver), .def = "none", .values = pr_cfg_trig_drivers },
	{ SEC_TRIGGER, "device", CT_PATH, TR(device), .def = "",
	  .drivers = DRV(PR_TRIG_USBRELAY) | DRV(PR_TRIG_SERIALBOX) },
	{ SEC_TRIGGER, "channel_focus", CT_INT, TR(channel_focus), 0, 16, "0",
	  .drivers = DRV(PR_TRIG_USBRELAY) | DRV(PR_TRIG_SERIALBOX) },
	{ SEC_TRIGGER, "channel_shutter", CT_INT, TR(channel_shutter), 1, 16, "1",
	  .drivers = DRV(PR_TRIG_USBRELAY) | DRV(PR_TRIG_SERIALBOX) },
	{ SEC_TRIGGER, "pulse_ms", CT_INT, TR(pulse_ms), 1, 10000, "100",
	  .drivers = DRV(PR_TRIG_USBRELAY) | DRV(PR_TRIG_SERIALBOX) },
	{ SEC_TRIGGER, "key_device", CT_PATH, TR(key_device), .def = "" },
	{ SEC_TRIGGER, "key_code", CT_INT, TR(key_code), 0, 767, "0" },
	{ SEC_TRIGGER, "key_action", CT_ENUM, TR(key_action), .def = "capture", .values = key_actions },

	/* [web]: the operator page (daemon/web.c) */
	{ SEC_WEB, "enabled", CT_BOOL, WB(enabled), .def = "true" },
	{ SEC_WEB, "listen", CT_STRING, WB(listen), .min = 1, .def = "127.0.0.1:8080",
	  .check = pr_config_check_listen },
	{ SEC_WEB, "auth", CT_ENUM, WB(auth), .def = "password", .values = web_auths },
	{ SEC_WEB, "password_file", CT_PATH, WB(password_file), .def = "" },
	{ SEC_WEB, "tls_cert", CT_PATH, WB(tls_cert), .def = "" },
	{ SEC_WEB, "tls_key", CT_PATH, WB(tls_key), .def = "" },
	PR_CFG_CLUSTER_KEYS
};

const unsigned pr_cfg_nkeys = sizeof(pr_cfg_keys) / sizeof(pr_cfg_keys[0]);
_Static_assert(sizeof(pr_cfg_keys) / sizeof(pr_cfg_keys[0]) <= CFG_MAX_KEYS, "raise CFG_MAX_KEYS");
_Static_assert(sizeof(enum pr_mask_method) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum pr_tiff_compression) == sizeof(int), "enums are stored as int");

/* ---- names of enum values ---- */

static const char *name_of(const char *const *names, unsigned n, int v)
{
	return v >= 0 && (unsigned)v < n ? names[v] : "?";
}

const char *pr_cam_driver_name(enum pr_cam_driver d)
{
	return name_of(pr_cfg_cam_drivers, 3, (int)d);
}

const char *pr_turntable_driver_name(enum pr_turntable_driver d)
{
	return name_of(pr_cfg_tt_drivers, 4, (int)d);
}

const char *pr_trigger_driver_name(enum pr_trigger_driver d)
{
	return name_of(pr_cfg_trig_drivers, 3, (int)d);
}

const char *pr_log_level_name(enum pr_log_level l)
{
	return name_of(log_levels, 5, (int)l);
}
