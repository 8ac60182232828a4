/* photorig config: reading a file with inih and checking it.
 *
 * inih splits "key = value" lines, strips comments and calls us per key.
 * We feed it through our own reader so that we know the line number of
 * every key (Debian's libinih is built without INI_HANDLER_LINENO), catch
 * lines longer than its buffer (inih would silently split them), and see
 * section headers ourselves: an unknown or empty section is reported at its
 * own line even when it holds no keys. */
#include "config_mask.h"
#include "config_schema.h"

#include <sys/socket.h>

#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Where each key of one section instance was set (0 = not set). */
struct key_lines {
	int header;                /* line of the [section] header */
	int line[CFG_MAX_KEYS];    /* indexed like pr_cfg_keys */
};

struct parse_ctx {
	const char *name;          /* file name in messages */
	const char *base_dir;      /* relative paths are resolved against it; NULL keeps them */
	const char *text;
	size_t pos, len;
	int lineno;
	struct pr_config *cfg;
	struct pr_error_list *errs;
	unsigned nerr;
	int seen_section;          /* a section header was read */
	int sec_valid;             /* keys of the current section are read (else ignored) */
	enum cfg_section sec;
	uint32_t cam;              /* current camera when sec == SEC_CAMERA */
	struct key_lines single[SEC_COUNT]; /* daemon, rig, turntable, trigger */
	struct key_lines *cams;    /* one per camera */
};

static void perr(struct parse_ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct parse_ctx *c, int line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->nerr++;
	if (c->errs)
		pr_error_list_add(c->errs, "%s:%d: %s", c->name, line > 0 ? line : 1, msg);
}

static void *section_base(struct pr_config *cfg, enum cfg_section sec, uint32_t cam)
{
	switch (sec) {
	case SEC_DAEMON: return &cfg->daemon;
	case SEC_RIG: return &cfg->rig;
	case SEC_CAMERA: return &cfg->cameras[cam];
	case SEC_TURNTABLE: return &cfg->turntable;
	case SEC_TRIGGER: return &cfg->trigger;
	case SEC_WEB: return &cfg->web;
	case SEC_CLUSTER: return &cfg->cluster;
	default: return NULL;
	}
}

static struct key_lines *section_lines(struct parse_ctx *c, enum cfg_section sec, uint32_t cam)
{
	return sec == SEC_CAMERA ? &c->cams[cam] : &c->single[sec];
}

/* "[daemon]" or "[camera cam01]" */
static const char *label(const struct parse_ctx *c, enum cfg_section sec, uint32_t cam,
			 char *buf, size_t size)
{
	if (sec == SEC_CAMERA)
		snprintf(buf, size, "[camera %s]", c->cfg->cameras[cam].name);
	else
		snprintf(buf, size, "[%s]", pr_cfg_section_names[sec]);
	return buf;
}

static void apply_defaults(enum cfg_section sec, void *base)
{
	char why[160];
	for (unsigned i = 0; i < pr_cfg_nkeys; i++) {
		const struct cfg_key *k = &pr_cfg_keys[i];
		if (k->section == sec && k->def && cfg_parse_value(k, k->def, base, NULL, why, sizeof(why)))
			abort(); /* a default the schema itself rejects: programmer error */
	}
}

static void init_config(struct pr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	apply_defaults(SEC_DAEMON, &cfg->daemon);
	apply_defaults(SEC_RIG, &cfg->rig);
	apply_defaults(SEC_TURNTABLE, &cfg->turntable);
	apply_defaults(SEC_TRIGGER, &cfg->trigger);
	apply_defaults(SEC_WEB, &cfg->web);
	apply_defaults(SEC_CLUSTER, &cfg->cluster);
	cfg->rig.tiff_compression = PR_TIFF_DEFAULT;
	cfg_rig_mask_defaults(&cfg->rig.mask);
}

/* ---- sections ---- */

static void add_camera(struct parse_ctx *c, const char *name)
{
	struct pr_config *cfg = c->cfg;
	for (uint32_t i = 0; i < cfg->ncameras; i++) {
		if (!strcmp(cfg->cameras[i].name, name)) {
			perr(c, c->lineno, "[camera %s]: duplicate camera name (first at line %d)", name,
			     c->cams[i].header);
			return;
		}
	}
	if (cfg->ncameras >= PR_CONFIG_MAX_CAMERAS) {
		perr(c, c->lineno, "[camera %s]: too many cameras (at most %d per daemon)", name,
		     PR_CONFIG_MAX_CAMERAS);
		return;
	}
	struct pr_camera_config *cams = realloc(cfg->cameras, (cfg->ncameras + 1) * sizeof(*cams));
	if (cams)
		cfg->cameras = cams;
	struct key_lines *lines = realloc(c->cams, (cfg->ncameras + 1) * sizeof(*lines));
	if (lines)
		c->cams = lines;
	if (!cams || !lines) {
		perr(c, c->lineno, "out of memory");
		return;
	}
	struct pr_camera_config *cam = &cfg->cameras[cfg->ncameras];
	memset(cam, 0, sizeof(*cam));
	memset(&c->cams[cfg->ncameras], 0, sizeof(c->cams[0]));
	snprintf(cam->name, sizeof(cam->name), "%s", name);
	pr_mask_params_default(&cam->mask);
	apply_defaults(SEC_CAMERA, cam);
	c->cams[cfg->ncameras].header = c->lineno;
	c->cam = cfg->ncameras++;
	c->sec = SEC_CAMERA;
	c->sec_valid = 1;
}

static void begin_section(struct parse_ctx *c, char *s)
{
	char *end = strchr(s, ']');
	char why[160];

	c->sec_valid = 0;
	c->seen_section = 1;
	if (!end) {
		perr(c, c->lineno, "section header without closing ']'");
		return;
	}
	const char *after = end + 1 + strspn(end + 1, " \t");
	if (*after && *after != ';' && *after != '#') {
		perr(c, c->lineno, "text after the section header's ']'");
		return;
	}
	*end = '\0';
	char *word = s + 1 + strspn(s + 1, " \t");
	char *rest = word + strcspn(word, " \t");
	if (*rest)
		*rest++ = '\0';
	rest += strspn(rest, " \t");
	for (char *e = rest + strlen(rest); e > rest && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';

	int sec = -1;
	for (int i = 0; i < SEC_COUNT; i++)
		if (!strcmp(word, pr_cfg_section_names[i]))
			sec = i;
	if (sec < 0) {
		const char *near = NULL;
		for (int i = 0; i < SEC_COUNT; i++)
			if (cfg_edit_distance(word, pr_cfg_section_names[i], 2) <= 2)
				near = pr_cfg_section_names[i];
		perr(c, c->lineno, "unknown section [%.40s%s%.40s]%s%s%s (known: [daemon] [rig] "
		     "[camera NAME] [turntable] [trigger] [web] [cluster])", word, *rest ? " " : "", rest,
		     near ? ": did you mean [" : "", near ? near : "", near ? "]?" : "");
		return;
	}
	if (sec == SEC_CAMERA) {
		if (!*rest) {
			perr(c, c->lineno, "[camera] needs a name: [camera NAME]");
			return;
		}
		if (pr_config_check_name(rest, why, sizeof(why))) {
			perr(c, c->lineno, "[camera %.40s]: bad camera name: %s", rest, why);
			return;
		}
		add_camera(c, rest);
		return;
	}
	if (*rest) {
		perr(c, c->lineno, "[%s %.40s]: section [%s] takes no name", word, rest, word);
		return;
	}
	if (c->single[sec].header) {
		perr(c, c->lineno, "[%s]: section repeated (first at line %d); keep one", word,
		     c->single[sec].header);
		return;
	}
	c->single[sec].header = c->lineno;
	c->sec = (enum cfg_section)sec;
	c->sec_valid = 1;
}

/* inih's reader: one line per call, so c->lineno is the line of the key that
 * inih hands to handler() next. */
static char *reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	if (c->pos >= c->len)
		return NULL;
	const char *line = c->text + c->pos;
	const char *nl = memchr(line, '\n', c->len - c->pos);
	size_t n = nl ? (size_t)(nl - line) : c->len - c->pos;
	c->pos += n + (nl ? 1 : 0);
	c->lineno++;
	if (n && line[n - 1] == '\r')
		n--;
	if (c->lineno == 1 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
		line += 3;
		n -= 3;
	}
	str[0] = '\0';
	if (n > PR_CONFIG_LINE_MAX || n + 1 > (size_t)num) {
		perr(c, c->lineno, "line too long (%zu characters, at most %d)", n,
		     PR_CONFIG_LINE_MAX < num - 1 ? PR_CONFIG_LINE_MAX : num - 1);
		return str;
	}
	/* No continuation lines: an indented key is just a key. */
	while (n && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	memcpy(str, line, n);
	str[n] = '\0';
	if (str[0] == '[') {
		begin_section(c, str);
		str[0] = '\0';
	} else if (str[0] && str[0] != ';' && str[0] != '#') {
		/* inih's rule: the first '=' or ':' splits, unless a " ;" comment comes first. */
		const char *p = str;
		int was_space = 0;
		while (*p && *p != '=' && *p != ':' && !(was_space && *p == ';')) {
			was_space = *p == ' ' || *p == '\t';
			p++;
		}
		if (*p != '=' && *p != ':') {
			perr(c, c->lineno, "expected 'key = value', a [section] or a comment");
			str[0] = '\0';
		}
	}
	return str;
}

static void set_setting(struct parse_ctx *c, const char *lbl, const char *key, const char *value)
{
	struct pr_camera_config *cam = &c->cfg->cameras[c->cam];
	const char *k = key + 4;
	size_t n = strlen(k);

	if (n == 0 || n >= sizeof(cam->settings[0].key) ||
	    strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") != n) {
		perr(c, c->lineno, "%s %s: bad setting name (set.NAME, NAME 1..%zu of letters, digits, "
		     "'_', '-', '.', '/')", lbl, key, sizeof(cam->settings[0].key) - 1);
		return;
	}
	if (strlen(value) >= sizeof(cam->settings[0].value)) {
		perr(c, c->lineno, "%s %s: value too long (at most %zu characters)", lbl, key,
		     sizeof(cam->settings[0].value) - 1);
		return;
	}
	char why[128];
	if (cfg_check_printable_line(key, value, why, sizeof(why))) {
		perr(c, c->lineno, "%s %s: %s", lbl, key, why);
		return;
	}
	for (uint32_t i = 0; i < cam->nsettings; i++) {
		if (!strcmp(cam->settings[i].key, k)) {
			perr(c, c->lineno, "%s %s: given twice", lbl, key);
			return;
		}
	}
	if (cam->nsettings >= PR_CONFIG_MAX_SETTINGS) {
		perr(c, c->lineno, "%s %s: too many settings (at most %d per camera)", lbl, key,
		     PR_CONFIG_MAX_SETTINGS);
		return;
	}
	struct pr_camera_setting *s = realloc(cam->settings, (cam->nsettings + 1) * sizeof(*s));
	if (!s) {
		perr(c, c->lineno, "out of memory");
		return;
	}
	cam->settings = s;
	snprintf(s[cam->nsettings].key, sizeof(s->key), "%s", k);
	snprintf(s[cam->nsettings].value, sizeof(s->value), "%s", value);
	cam->nsettings++;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	char lbl[64], why[400], text[PR_CONFIG_PATH_MAX];
	(void)section; /* we track sections ourselves, see reader() */

	if (!c->sec_valid) {
		if (!c->seen_section)
			perr(c, c->lineno, "%.40s: key outside any section (start with [daemon], [rig] "
			     "or [camera NAME])", name);
		return 1;
	}
	label(c, c->sec, c->cam, lbl, sizeof(lbl));
	if (!*name) {
		perr(c, c->lineno, "%s: missing key name before '='", lbl);
		return 1;
	}
	if (cfg_unquote(value, text, sizeof(text), why, sizeof(why))) {
		perr(c, c->lineno, "%s %.40s = %.60s: %s", lbl, name, value, why);
		return 1;
	}
	if (c->sec == SEC_CAMERA && !strncmp(name, "set.", 4)) {
		set_setting(c, lbl, name, text);
		return 1;
	}
	const struct cfg_key *k = cfg_find_key(c->sec, name);
	if (!k) {
		const struct cfg_key *near = cfg_suggest_key(c->sec, name);
		const struct cfg_key *other = cfg_key_elsewhere(c->sec, name);
		if (near)
			perr(c, c->lineno, "%s %.40s: unknown key: did you mean '%s'?", lbl, name, near->key);
		else if (other)
			perr(c, c->lineno, "%s %.40s: unknown key here: it belongs in [%s%s]", lbl, name,
			     pr_cfg_section_names[other->section],
			     other->section == SEC_CAMERA ? " NAME" : "");
		else
			perr(c, c->lineno, "%s %.40s: unknown key%s", lbl, name,
			     c->sec == SEC_CAMERA ? " (camera settings are written set.NAME = VALUE)" : "");
		return 1;
	}
	struct key_lines *lines = section_lines(c, c->sec, c->cam);
	unsigned idx = (unsigned)(k - pr_cfg_keys);
	if (!(k->flags & CK_REPEAT) && lines->line[idx]) {
		perr(c, c->lineno, "%s %s: given twice (first at line %d)", lbl, name, lines->line[idx]);
		return 1;
	}
	lines->line[idx] = c->lineno;
	if (cfg_parse_value(k, text, section_base(c->cfg, c->sec, c->cam), c->base_dir, why,
			    sizeof(why)))
		perr(c, c->lineno, "%s %s = %.60s: %s", lbl, name, value, why);
	return 1;
}

/* ---- checks after the whole file ---- */

/* Required keys, and keys given for a driver they do not apply to. */
static void check_keys(struct parse_ctx *c, enum cfg_section sec, uint32_t cam)
{
	const void *base = section_base(c->cfg, sec, cam);
	const struct key_lines *lines = section_lines(c, sec, cam);
	int drv = cfg_section_driver(sec, base);
	char lbl[64], list[96];
	int driver_ok = 1;

	label(c, sec, cam, lbl, sizeof(lbl));
	for (unsigned i = 0; i < pr_cfg_nkeys; i++) {
		const struct cfg_key *k = &pr_cfg_keys[i];
		if (k->section == sec && (k->flags & CK_REQUIRED) && !lines->line[i]) {
			cfg_allowed(k, list, sizeof(list));
			perr(c, lines->header, "%s: missing required key '%s' (%s)", lbl, k->key, list);
			driver_ok = 0;
		}
	}
	if (!driver_ok || drv < 0)
		return;
	for (unsigned i = 0; i < pr_cfg_nkeys; i++) {
		const struct cfg_key *k = &pr_cfg_keys[i];
		if (k->section != sec || !lines->line[i] || !k->drivers || (k->drivers >> drv) & 1)
			continue;
		cfg_driver_list(k, list, sizeof(list));
		perr(c, lines->line[i], "%s %s: only for driver %s (this driver is %s)", lbl, k->key, list,
		     sec == SEC_CAMERA ? pr_cam_driver_name((enum pr_cam_driver)drv)
		     : sec == SEC_TURNTABLE ? pr_turntable_driver_name((enum pr_turntable_driver)drv)
					    : pr_trigger_driver_name((enum pr_trigger_driver)drv));
	}
}

static int key_line(const struct key_lines *lines, enum cfg_section sec, const char *key)
{
	const struct cfg_key *k = cfg_find_key(sec, key);
	return lines->line[k - pr_cfg_keys];
}

static int camera_key_given(const void *lines, const char *key)
{
	return key_line(lines, SEC_CAMERA, key);
}

static void resolve_camera(struct parse_ctx *c, uint32_t i)
{
	struct pr_camera_config *cam = &c->cfg->cameras[i];
	const struct key_lines *l = &c->cams[i];

	cfg_camera_mask_inherit(&cam->mask, &c->cfg->rig.mask, camera_key_given, l);
	if (cam->driver == PR_CAM_SIM) {
		if (!cam->width)
			cam->width = 1280;
		if (!cam->height)
			cam->height = 960;
	}
}

/* Two cameras bound to the same serial, port or device would fight. */
static void check_unique(struct parse_ctx *c, const char *key, size_t offset)
{
	const struct pr_config *cfg = c->cfg;
	for (uint32_t j = 1; j < cfg->ncameras; j++) {
		const char *b = (const char *)&cfg->cameras[j] + offset;
		if (!*b)
			continue;
		for (uint32_t i = 0; i < j; i++) {
			const char *a = (const char *)&cfg->cameras[i] + offset;
			if (!strcmp(a, b)) {
				int line = key_line(&c->cams[j], SEC_CAMERA, key);
				perr(c, line ? line : c->cams[j].header,
				     "[camera %s] %s = %.60s: also used by camera %s (line %d)",
				     cfg->cameras[j].name, key, b, cfg->cameras[i].name,
				     key_line(&c->cams[i], SEC_CAMERA, key));
				break;
			}
		}
	}
}

static void check_cameras(struct parse_ctx *c)
{
	struct pr_config *cfg = c->cfg;
	int autodetect = -1;

	if (!cfg->ncameras) {
		perr(c, c->lineno, "no [camera NAME] section: a rig needs at least one camera");
		return;
	}
	for (uint32_t i = 0; i < cfg->ncameras; i++) {
		struct pr_camera_config *cam = &cfg->cameras[i];
		int line = c->cams[i].header;
		check_keys(c, SEC_CAMERA, i);
		if (!key_line(&c->cams[i], SEC_CAMERA, "driver"))
			continue;
		resolve_camera(c, i);
		if (cam->driver == PR_CAM_V4L2 && !cam->device[0] && !cam->serial[0])
			perr(c, line, "[camera %s]: a v4l2 camera needs device = /dev/v4l/by-id/... "
			     "or serial = ...", cam->name);
		if (cam->driver == PR_CAM_GPHOTO2 && !cam->serial[0] && !cam->port[0]) {
			if (autodetect >= 0)
				perr(c, line, "[camera %s]: camera %s (line %d) already auto-detects the only "
				     "gphoto2 camera; give each one serial = ... or port = ...", cam->name,
				     cfg->cameras[autodetect].name, c->cams[autodetect].header);
			else
				autodetect = (int)i;
		}
	}
	check_unique(c, "serial", offsetof(struct pr_camera_config, serial));
	check_unique(c, "port", offsetof(struct pr_camera_config, port));
	check_unique(c, "device", offsetof(struct pr_camera_config, device));
}

static void check_turntable(struct parse_ctx *c)
{
	const struct pr_turntable_config *t = &c->cfg->turntable;
	int line = c->single[SEC_TURNTABLE].header;
	check_keys(c, SEC_TURNTABLE, 0);
	if ((t->driver == PR_TT_GRBL || t->driver == PR_TT_LINE) && !t->device[0])
		perr(c, line, "[turntable]: driver %s needs device = /dev/serial/by-id/...",
		     pr_turntable_driver_name(t->driver));
	if (t->driver == PR_TT_LINE && !t->rotate_cmd[0])
		perr(c, line, "[turntable]: driver line needs rotate_cmd (e.g. \"R {degrees}\")");
	if (t->driver == PR_TT_LINE && !t->done_reply[0])
		perr(c, line, "[turntable]: driver line needs done_reply (the reply that ends a move)");
}

static void check_trigger(struct parse_ctx *c)
{
	const struct pr_trigger_config *t = &c->cfg->trigger;
	const struct key_lines *l = &c->single[SEC_TRIGGER];
	int line = l->header;
	check_keys(c, SEC_TRIGGER, 0);
	if (t->driver == PR_TRIG_SERIALBOX && !t->device[0])
		perr(c, line, "[trigger]: driver serialbox needs device = /dev/serial/by-id/...");
	if (t->driver == PR_TRIG_USBRELAY && (t->channel_focus > 8 || t->channel_shutter > 8))
		perr(c, line, "[trigger]: USB relay boards have channels 1..8");
	if (t->driver != PR_TRIG_NONE && t->channel_focus == t->channel_shutter)
		perr(c, key_line(l, SEC_TRIGGER, "channel_focus"),
		     "[trigger] channel_focus = %d: the same channel as channel_shutter (0 = no focus "
		     "channel)", t->channel_focus);
	if (t->key_device[0] && !t->key_code)
		perr(c, key_line(l, SEC_TRIGGER, "key_device"),
		     "[trigger] key_device: needs key_code (an evdev key code, e.g. 28 = Enter)");
	if (!t->key_device[0] && t->key_code)
		perr(c, key_line(l, SEC_TRIGGER, "key_code"),
		     "[trigger] key_code: needs key_device = /dev/input/by-id/...");
}

/* auth = none is only for a page no other machine can reach. */
static void check_web(struct parse_ctx *c)
{
	const struct pr_web_config *w = &c->cfg->web;
	const struct key_lines *l = &c->single[SEC_WEB];
	struct sockaddr_storage sa;
	unsigned len = sizeof(sa);
	int loopback = 0;
	char why[160];
	if (!w->enabled)
		return;
	if (!pr_config_parse_listen(w->listen, &sa, &len, &loopback, why, sizeof(why)) &&
	    w->auth == PR_WEB_AUTH_NONE && !loopback)
		perr(c, key_line(l, SEC_WEB, "auth"), "[web] auth = none: only allowed when listen "
		     "is a loopback address (127.0.0.0/8 or [::1]), not %s", w->listen);
	if (!w->tls_cert[0] != !w->tls_key[0])
		perr(c, l->header, "[web]: tls_cert and tls_key go together (both or neither)");
}

static void cluster_err(void *ctx, int line, const char *msg)
{
	perr(ctx, line, "%s", msg);
}

static void finish(struct parse_ctx *c)
{
	struct pr_rig_config *rig = &c->cfg->rig;
	if (!key_line(&c->single[SEC_RIG], SEC_RIG, "tolerance") && rig->mask.method == PR_MASK_CHROMA)
		rig->mask.tolerance = PR_MASK_DEFAULT_CHROMA_TOLERANCE;
	check_cameras(c);
	check_turntable(c);
	check_trigger(c);
	check_web(c);
	if ((c->cfg->cluster.enabled = c->single[SEC_CLUSTER].header != 0)) {
		check_keys(c, SEC_CLUSTER, 0);
		cfg_cluster_finish(c->cfg, c->single[SEC_CLUSTER].line, c->single[SEC_CLUSTER].header,
				   cluster_err, c);
	}
}

/* ---- entry points ---- */

int cfg_load_text(const char *text, size_t len, const char *name, const char *base_dir,
		  struct pr_config *out, struct pr_error_list *errs)
{
	struct parse_ctx *c = calloc(1, sizeof(*c));
	struct pr_config *cfg = calloc(1, sizeof(*cfg));
	int rc = 0;

	if (!c || !cfg) {
		free(c);
		free(cfg);
		if (errs)
			pr_error_list_add(errs, "%s: out of memory", name);
		return PR_ENOMEM;
	}
	init_config(cfg);
	c->name = name;
	c->base_dir = base_dir;
	c->text = text;
	c->len = len;
	c->cfg = cfg;
	c->errs = errs;
	if (ini_parse_stream(reader, c, handler, c) == -2)
		perr(c, c->lineno, "out of memory");
	finish(c);
	if (c->nerr) {
		pr_config_free(cfg);
		rc = PR_EINVAL;
	} else {
		*out = *cfg;
	}
	free(c->cams);
	free(c);
	free(cfg);
	return rc;
}
