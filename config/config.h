/* photorig config: the daemon's INI file, parsed with inih.
 *
 * One table (config_schema.c) of {section, key, type, offset, range,
 * default, allowed values} drives parsing, defaults, range checks, printing
 * and comparison, so a key exists in exactly one place.
 *
 * Sections, in the order pr_config_print writes them:
 *   [daemon]        socket, state_dir, output_root, worker_threads, log_level, group, max_clients,
 *                   min_free_mb, hold_max_mb
 *   [rig]           name, file_template, conventions, plate_frames, plate_required,
 *                   tiff_compression, tiff_bits, set_timeout_ms, and the rig-wide mask
 *                   defaults method, tolerance, invert, key_color, min_area; backdrop
 *                   composites: backdrop, backdrop_format, backdrop_quality,
 *                   crop_margin, aspect; contact_sheets
 *   [camera NAME]   one per camera position (NAME: 1..32 of letters, digits, '.', '_', '-')
 *   [turntable]     driver none|sim|grbl|line and its keys
 *   [trigger]       driver none|usbrelay|serialbox, and the operator key (evdev)
 *   [web]           enabled, listen, auth password|none, password_file, tls_cert, tls_key
 *   [cluster]       broker, ca_file, node, rig, username, password_file, lead_ms
 *                   (optional: without it photorigd is one workstation)
 *
 * Rules a config file follows:
 *  - Lines are at most PR_CONFIG_LINE_MAX characters (inih's line buffer).
 *    Leading whitespace is ignored: there are no continuation lines.
 *  - Comments are lines starting with ';' or '#', and " ; ..." at the end of
 *    a line. A value may be written in double quotes to keep leading or
 *    trailing spaces or a ';'; inside quotes \" \\ \; \n \r \t \xHH are escapes.
 *  - Unknown sections and keys, repeated keys and sections, out-of-range and
 *    malformed values are errors. All errors are collected (up to
 *    PR_CONFIG_MAX_ERRORS); each names file:line, the section, the key and
 *    what is allowed.
 *  - Relative paths (the keys of type path: socket, state_dir, output_root,
 *    device, key_device) are resolved relative to the folder that holds the
 *    config file, so a config copied into a temporary folder keeps all of a
 *    daemon's files there (the demo does this). pr_config_load_string
 *    resolves them against the folder part of its `name` when it has one and
 *    leaves them as written otherwise. Absolute paths are kept as written.
 *  - Per-camera mask parameters: a camera's method, tolerance, invert,
 *    key_color and min_area default to the [rig] values; a tolerance is only
 *    inherited when the camera's method is the rig's method (the units differ
 *    between methods), otherwise the method's own default applies.
 *
 * The struct pr_config is a plain value: no runtime state, no open files. */
#ifndef PHOTORIG_CONFIG_H
#define PHOTORIG_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "imageio.h"
#include "mask.h"
#include "outputs.h"

#define PR_CONFIG_DEFAULT_PATH "/etc/photorig/photorig.ini"

#define PR_CONFIG_PATH_MAX 4096
#define PR_CONFIG_NAME_MAX 32       /* camera position and rig names */
#define PR_CONFIG_LINE_MAX 199      /* longest line, without its newline */
#define PR_CONFIG_MAX_CAMERAS 256
#define PR_CONFIG_MAX_SETTINGS 64   /* set.KEY lines per camera */
#define PR_CONFIG_MAX_ERRORS 50
#define PR_CONFIG_FILE_MAX (1024 * 1024)

/* ---- errors ---- */

struct pr_error_list {
	unsigned count;    /* messages stored in msg[] */
	unsigned dropped;  /* errors beyond PR_CONFIG_MAX_ERRORS, counted only */
	char msg[PR_CONFIG_MAX_ERRORS][320];
};

void pr_error_list_init(struct pr_error_list *l);
void pr_error_list_add(struct pr_error_list *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One message per line, then "... and N more errors" when some were dropped. */
void pr_error_list_print(const struct pr_error_list *l, FILE *fp);

/* ---- [daemon] ---- */

/* Index into "err", "warning", "notice", "info", "debug"; the syslog
 * priority is LOG_ERR + level. */
enum pr_log_level {
	PR_LOG_ERR = 0,
	PR_LOG_WARNING,
	PR_LOG_NOTICE,
	PR_LOG_INFO,
	PR_LOG_DEBUG,
};

struct pr_daemon_config {
	char socket[PR_CONFIG_PATH_MAX];      /* control socket */
	char state_dir[PR_CONFIG_PATH_MAX];   /* plates, scan state */
	char output_root[PR_CONFIG_PATH_MAX]; /* one folder per session below it */
	int worker_threads;                   /* mask workers; 0 = one per core */
	enum pr_log_level log_level;
	char group[PR_CONFIG_NAME_MAX + 1];   /* group allowed on the socket; "" = the daemon's own */
	int max_clients;
	int min_free_mb;                      /* captures refused below this much free space */
	int hold_max_mb;                      /* per camera: originals kept in memory while the
					       * disk is full; beyond, they go to STATE_DIR/held */
};

/* ---- [rig] ---- */

/* Rig-wide mask defaults; regions are per camera only. */
struct pr_rig_mask {
	enum pr_mask_method method;
	double tolerance;
	int invert;
	uint8_t key_rgb[3];
	uint32_t min_area;
	int shadow;        /* cast shadows are background */
	double shadow_min; /* the darkest brightness ratio still called shadow */
};

struct pr_rig_config {
	char name[PR_CONFIG_NAME_MAX + 1];
	/* Tokens {session} {set} {camera} {serial} {seq} {date} {time}; {set}
	 * and {seq} take a width, {set:04} = zero-padded to 4 digits. Checked:
	 * known tokens only, {camera} or {serial}, {set} or {seq}, no '/' or "..". */
	char file_template[128];
	unsigned conventions;             /* PR_CONV_* bits (outputs.h); masks/S.png is always written */
	int plate_frames;
	int plate_required;               /* refuse shots of cameras without a plate */
	enum pr_tiff_compression tiff_compression;
	int tiff_bits;                    /* 8 or 16 */
	int set_timeout_ms;               /* a set waits this long for its last camera */
	struct pr_rig_mask mask;
	/* Backdrop composites (core/outputs/composite.h), written as S_backdrop.jpg|png
	 * when backdrop is set. backdrop: "" (none), a colour #RRGGBB or an
	 * absolute image path (pr_backdrop_load); crop_margin: "" (no crop),
	 * "N%" or "Npx" (pr_crop_parse_margin); aspect: "" (free) or "W:H"
	 * (pr_crop_parse_aspect). Checked with those functions when loaded. */
	char backdrop[PR_CONFIG_PATH_MAX];
	int backdrop_format;              /* enum pr_composite_format */
	int backdrop_quality;             /* JPEG quality 1..100 */
	char crop_margin[16];
	char aspect[16];
	/* A contact sheet after every set (SESSION/sheets/set_NNNN.png) and a
	 * session sheet with a row per set (SESSION/sheets/session.png). */
	int contact_sheets;
};

/* ---- [camera NAME] ---- */

enum pr_cam_driver {
	PR_CAM_SIM = 0,
	PR_CAM_GPHOTO2,
	PR_CAM_V4L2,
};

/* One `set.KEY = VALUE` line: a setting passed to the driver as is. */
struct pr_camera_setting {
	char key[64];
	char value[192];
};

/* v4l2 on_refused_control: fail the attach, or attach with a warning. */
enum pr_refused_control { PR_REFUSED_ERROR = 0, PR_REFUSED_WARN };

struct pr_camera_config {
	char name[PR_CONFIG_NAME_MAX + 1];
	enum pr_cam_driver driver;
	/* Identity. gphoto2: serial, port, or neither (auto-detect, one camera
	 * only); v4l2: device or serial; sim: optional serial. */
	char serial[64];
	char port[128];                   /* gphoto2: usb:BUS,DEV | ptpip:HOST[:PORT[:EVENTPORT]] */
	char device[PR_CONFIG_PATH_MAX];  /* v4l2: /dev/v4l/by-id/... or /dev/videoN */
	struct pr_camera_setting *settings; /* in file order */
	uint32_t nsettings;
	/* Resolved: [rig] defaults, then this camera's keys, then its regions. */
	struct pr_mask_params mask;
	/* sim and v4l2; 0 = the driver's choice (sim: 1280x960; v4l2: largest) */
	uint32_t width, height;
	/* sim */
	uint32_t seed;                    /* 0 = derived from the position name */
	uint32_t latency_ms;
	double noise;                     /* sensor noise sigma, 8-bit levels */
	char sim_scene[256];              /* conditions rendered (pr_scene_options_parse); "" = none */
	/* v4l2 */
	char pixel_format[5];             /* fourcc (YUYV, MJPG, ...); "" = driver's choice */
	uint32_t fps;                     /* 0 = camera default */
	int on_refused_control;           /* enum pr_refused_control: a control the camera
					   * will not set or read back (manual exposure) */
	/* gphoto2 */
	int delete_after_download;
	uint32_t timeout_ms;              /* gphoto2, v4l2: longest wait for a file / frame */
	/* Backdrop override: "" = the rig's, "none" = no composite for this
	 * camera, else a colour or absolute image path as [rig] backdrop. */
	char backdrop[PR_CONFIG_PATH_MAX];
};

/* ---- [turntable] ---- */

enum pr_turntable_driver {
	PR_TT_NONE = 0,
	PR_TT_SIM,
	PR_TT_GRBL,
	PR_TT_LINE,
};

struct pr_turntable_config {
	enum pr_turntable_driver driver;
	char device[PR_CONFIG_PATH_MAX];  /* grbl, line: serial port */
	int baud;
	int steps;                        /* scan defaults */
	double degrees;
	int settle_ms;
	double degrees_per_unit;          /* grbl: G-code units per degree = 1 / this */
	double feed;                      /* grbl: G1 feed rate, units per minute */
	char rotate_cmd[128];             /* line: e.g. "R {degrees}\n" */
	char done_reply[64];              /* line: reply that means the move is done */
	char error_reply[64];             /* line: reply prefix that means failure */
	int timeout_ms;                   /* grbl, line: longest wait for a reply */
};

/* ---- [trigger] ---- */

enum pr_trigger_driver {
	PR_TRIG_NONE = 0,
	PR_TRIG_USBRELAY,
	PR_TRIG_SERIALBOX,
};

enum pr_key_action {
	PR_KEY_CAPTURE = 0,
	PR_KEY_PAUSE,      /* pause / resume a scan */
};

struct pr_trigger_config {
	enum pr_trigger_driver driver;
	char device[PR_CONFIG_PATH_MAX];  /* serialbox: serial port; usbrelay: optional hidraw/usb path */
	int channel_focus;                /* 0 = no focus channel */
	int channel_shutter;
	int pulse_ms;
	char key_device[PR_CONFIG_PATH_MAX]; /* operator key: /dev/input/by-id/... ("" = none) */
	int key_code;                     /* evdev code, e.g. 28 = KEY_ENTER */
	enum pr_key_action key_action;
};

/* ---- [web] ---- */

enum pr_web_auth { PR_WEB_AUTH_PASSWORD = 0, PR_WEB_AUTH_NONE };

struct pr_web_config {
	int enabled;
	char listen[PR_CONFIG_NAME_MAX + 1];        /* "127.0.0.1:8080", "[::1]:8080" */
	enum pr_web_auth auth;                      /* none: loopback addresses only */
	char password_file[PR_CONFIG_PATH_MAX];     /* "" = STATE_DIR/web-password */
	char tls_cert[PR_CONFIG_PATH_MAX];          /* PEM; both or neither */
	char tls_key[PR_CONFIG_PATH_MAX];
};

/* ---- [cluster]: one rig across several workstations (MQTT broker) ---- */

struct pr_cluster_config {
	int enabled;                      /* a [cluster] section was given */
	char broker[200];                 /* mqtt://HOST[:PORT] or mqtts://HOST[:PORT] */
	char ca_file[PR_CONFIG_PATH_MAX]; /* mqtts: the broker's CA certificate */
	char node[PR_CONFIG_NAME_MAX + 1];/* this workstation ("" in the file: the host name) */
	char rig[PR_CONFIG_NAME_MAX + 1]; /* the rig it joins ("" in the file: [rig] name) */
	char username[128];
	char password_file[PR_CONFIG_PATH_MAX]; /* its first line is the password */
	int lead_ms;                      /* release time T = now + lead_ms */
	/* from broker, filled by the parser */
	char host[200];
	int port, tls;
};

/* Split a broker address: 0, or -1 with why. */
int pr_cluster_parse_broker(const char *url, char *host, size_t size, int *port, int *tls,
			    char *why, size_t wsize);

struct pr_config {
	struct pr_daemon_config daemon;
	struct pr_rig_config rig;
	struct pr_camera_config *cameras; /* file order */
	uint32_t ncameras;
	struct pr_turntable_config turntable;
	struct pr_trigger_config trigger;
	struct pr_web_config web;
	struct pr_cluster_config cluster;
};

/* ---- API ---- */

/* Parse and check a config file into a fresh config. On success *out is
 * overwritten (it is not freed first: parse into a new struct and swap it in,
 * then free the old one) and 0 is returned. On failure *out is untouched,
 * every error found is in errs (may be NULL), and a negative PR_E* code is
 * returned: a failed reload keeps the running config. */
int pr_config_load(const char *path, struct pr_config *out, struct pr_error_list *errs);

/* The same from text; `name` is used in messages and, when it has a folder
 * part, as the base of relative paths. */
int pr_config_load_string(const char *text, const char *name, struct pr_config *out,
			  struct pr_error_list *errs);

/* Write every section and key with its effective value, sections and keys in
 * fixed order, strings quoted only where needed, no comments. The output
 * parses again to an equal config. */
void pr_config_print(const struct pr_config *cfg, FILE *fp);

/* 1 when every value of a and b is equal. */
int pr_config_equal(const struct pr_config *a, const struct pr_config *b);

/* Free the cameras array; safe on a zeroed config and safe twice. */
void pr_config_free(struct pr_config *cfg);

/* The camera position called name, or NULL. */
const struct pr_camera_config *pr_config_camera(const struct pr_config *cfg, const char *name);

/* Names of enum values, for logs and status. */
const char *pr_cam_driver_name(enum pr_cam_driver d);
const char *pr_turntable_driver_name(enum pr_turntable_driver d);
const char *pr_trigger_driver_name(enum pr_trigger_driver d);
const char *pr_log_level_name(enum pr_log_level l);

/* Checks shared with the daemon (session names, templates given at run
 * time). Return 0, or -1 with a reason in why. */
int pr_config_check_name(const char *name, char *why, size_t size);
int pr_config_check_template(const char *tmpl, char *why, size_t size);

/* [web] listen: "HOST:PORT" with an IPv4 address or "[IPv6]:PORT", port
 * 1..65535. pr_config_parse_listen fills a socket address (struct
 * sockaddr_storage, *len its size) and says whether it is a loopback one. */
int pr_config_check_listen(const void *field, char *why, size_t size);
int pr_config_parse_listen(const char *s, void *addr, unsigned *len, int *loopback, char *why,
			   size_t size);

#endif
