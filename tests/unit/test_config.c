/* Tests of config/: the shipped configs, print -> parse round trips, the
 * expected normalised output (tests/config/NAME.expected), one file:line
 * message per kind of mistake, error collection, and reload safety.
 *
 * The expected files hold `photorigd -n` output with the absolute path of
 * config/ replaced by @CONFIG_DIR@ (demo.ini's relative paths resolve
 * there). To regenerate them, deliberately, after a schema change:
 *     PHOTORIG_REGEN_EXPECTED=1 ./test_config */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#ifndef PHOTORIG_CONFIG_DIR
#error "PHOTORIG_CONFIG_DIR must name the source config/ folder"
#endif
#ifndef PHOTORIG_EXPECTED_DIR
#error "PHOTORIG_EXPECTED_DIR must name tests/config/"
#endif

static const char *const shipped[] = { "demo", "rig", "turntable" };

/* A camera section that makes an otherwise empty config valid. */
#define CAM "[camera c1]\ndriver = sim\n"

static char *print_to_string(const struct pr_config *cfg)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);
	assert_non_null(fp);
	pr_config_print(cfg, fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static void dump_errors(const struct pr_error_list *errs)
{
	for (unsigned i = 0; i < errs->count; i++)
		print_message("    %s\n", errs->msg[i]);
}

static void load_ok(const char *text, const char *name, struct pr_config *cfg)
{
	struct pr_error_list errs;
	pr_error_list_init(&errs);
	int rc = pr_config_load_string(text, name, cfg, &errs);
	if (rc)
		dump_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(errs.count, 0);
}

/* Replace every occurrence of from by to (a new string). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	char *out = NULL;
	size_t size = 0, nf = strlen(from);
	FILE *fp = open_memstream(&out, &size);
	assert_non_null(fp);
	while (*s) {
		if (!strncmp(s, from, nf)) {
			fputs(to, fp);
			s += nf;
		} else {
			fputc(*s++, fp);
		}
	}
	assert_int_equal(fclose(fp), 0);
	return out;
}

static char *read_all(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(fp);
	fclose(mem);
	return buf;
}

/* ---- the shipped configs ---- */

static void test_shipped_configs(void **state)
{
	(void)state;
	char dir[PATH_MAX];
	assert_non_null(realpath(PHOTORIG_CONFIG_DIR, dir));
	for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		char path[PATH_MAX + 32], exp_path[PATH_MAX + 32];
		struct pr_config cfg, again;
		struct pr_error_list errs;

		snprintf(path, sizeof(path), "%s/%s.ini", PHOTORIG_CONFIG_DIR, shipped[i]);
		pr_error_list_init(&errs);
		int rc = pr_config_load(path, &cfg, &errs);
		if (rc)
			dump_errors(&errs);
		assert_int_equal(rc, 0);

		/* print -> parse gives the same config, and printing that is a fixed point */
		char *text = print_to_string(&cfg);
		load_ok(text, path, &again);
		assert_true(pr_config_equal(&cfg, &again));
		char *text2 = print_to_string(&again);
		assert_string_equal(text, text2);

		/* byte for byte against the expected file */
		char *norm = replace_all(text, dir, "@CONFIG_DIR@");
		snprintf(exp_path, sizeof(exp_path), "%s/%s.expected", PHOTORIG_EXPECTED_DIR, shipped[i]);
		if (getenv("PHOTORIG_REGEN_EXPECTED")) {
			FILE *fp = fopen(exp_path, "w");
			assert_non_null(fp);
			fputs(norm, fp);
			assert_int_equal(fclose(fp), 0);
			print_message("wrote %s\n", exp_path);
		}
		char *expected = read_all(exp_path);
		if (!expected)
			fail_msg("%s is missing (PHOTORIG_REGEN_EXPECTED=1 writes it)", exp_path);
		if (strcmp(norm, expected)) {
			const char *a = norm, *b = expected;
			int line = 1;
			while (*a && *a == *b) {
				line += *a == '\n';
				a++;
				b++;
			}
			fail_msg("%s: normalised output differs from %s at line %d", path, exp_path, line);
		}
		free(expected);
		free(norm);
		free(text);
		free(text2);
		pr_config_free(&again);
		pr_config_free(&cfg);
		pr_config_free(&cfg); /* safe twice */
	}
}

static void test_shipped_contents(void **state)
{
	(void)state;
	struct pr_config cfg;
	struct pr_error_list errs;
	pr_error_list_init(&errs);
	assert_int_equal(pr_config_load(PHOTORIG_CONFIG_DIR "/demo.ini", &cfg, &errs), 0);
	assert_int_equal(cfg.ncameras, 4);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(cfg.cameras[i].driver, PR_CAM_SIM);
	assert_int_not_equal(cfg.cameras[0].seed, cfg.cameras[1].seed);
	assert_int_equal(cfg.turntable.driver, PR_TT_SIM);
	assert_int_equal(cfg.daemon.socket[0], '/'); /* resolved against config/ */
	assert_non_null(strstr(cfg.daemon.socket, "/run/control.sock"));
	pr_config_free(&cfg);

	assert_int_equal(pr_config_load(PHOTORIG_CONFIG_DIR "/rig.ini", &cfg, &errs), 0);
	assert_int_equal(cfg.ncameras, 8);
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(cfg.cameras[i].driver, PR_CAM_GPHOTO2);
		assert_true(cfg.cameras[i].serial[0]);
	}
	const struct pr_camera_config *c8 = pr_config_camera(&cfg, "cam08");
	assert_non_null(c8);
	assert_int_equal(c8->mask.method, PR_MASK_CHROMA);
	assert_int_equal(pr_config_camera(&cfg, "cam06")->mask.nregions, 1);
	assert_null(pr_config_camera(&cfg, "cam09"));
	pr_config_free(&cfg);

	assert_int_equal(pr_config_load(PHOTORIG_CONFIG_DIR "/turntable.ini", &cfg, &errs), 0);
	assert_int_equal(cfg.ncameras, 3);
	assert_int_equal(cfg.turntable.driver, PR_TT_GRBL);
	assert_int_equal(cfg.trigger.driver, PR_TRIG_USBRELAY);
	assert_int_equal(pr_config_camera(&cfg, "low")->driver, PR_CAM_V4L2);
	pr_config_free(&cfg);
	assert_int_equal(errs.count, 0);
}

/* ---- values ---- */

static void test_defaults(void **state)
{
	(void)state;
	struct pr_config cfg;
	struct pr_mask_params m;
	pr_mask_params_default(&m);
	load_ok(CAM, "x.ini", &cfg);
	assert_string_equal(cfg.daemon.socket, "/run/photorig/control.sock");
	assert_string_equal(cfg.daemon.state_dir, "/var/lib/photorig");
	assert_string_equal(cfg.daemon.output_root, "/var/lib/photorig/sessions");
	assert_int_equal(cfg.daemon.worker_threads, 0);
	assert_int_equal(cfg.daemon.log_level, PR_LOG_INFO);
	assert_string_equal(cfg.daemon.group, "photorig");
	assert_int_equal(cfg.daemon.max_clients, 32);
	assert_int_equal(cfg.daemon.min_free_mb, 1024);
	assert_int_equal(cfg.daemon.hold_max_mb, 1024);
	assert_string_equal(cfg.rig.name, "rig");
	assert_string_equal(cfg.rig.file_template, "{camera}_{set:04}");
	assert_int_equal(cfg.rig.conventions, 0);
	assert_int_equal(cfg.rig.plate_frames, 5);
	assert_int_equal(cfg.rig.plate_required, 0);
	assert_int_equal(cfg.rig.tiff_compression, PR_TIFF_DEFAULT);
	assert_int_equal(cfg.rig.tiff_bits, 8);
	assert_int_equal(cfg.rig.set_timeout_ms, 30000);
	assert_int_equal(cfg.cameras[0].width, 1280);
	assert_int_equal(cfg.cameras[0].height, 960);
	assert_true(cfg.cameras[0].mask.tolerance == m.tolerance);
	assert_memory_equal(cfg.cameras[0].mask.key_rgb, m.key_rgb, 3);
	assert_int_equal(cfg.turntable.driver, PR_TT_NONE);
	assert_int_equal(cfg.turntable.baud, 115200);
	assert_int_equal(cfg.turntable.steps, 36);
	assert_true(cfg.turntable.degrees == 360);
	assert_int_equal(cfg.turntable.settle_ms, 500);
	assert_true(cfg.turntable.degrees_per_unit == 1.0);
	assert_int_equal(cfg.trigger.driver, PR_TRIG_NONE);
	assert_int_equal(cfg.trigger.key_action, PR_KEY_CAPTURE);
	pr_config_free(&cfg);
}

static void test_mask_inheritance(void **state)
{
	(void)state;
	struct pr_config cfg;
	load_ok("[rig]\ntolerance = 9\ninvert = yes\nkey_color = #102030\nmin_area = 50\n"
		"[camera a]\ndriver = sim\n"
		"[camera b]\ndriver = sim\ntolerance = 3\ninvert = off\n"
		"[camera c]\ndriver = sim\nmethod = chroma\n"
		"[camera d]\ndriver = sim\ninclude = 1,2,3,4\nexclude = poly:0,0,10,0,5,5\n"
		"include = rect:0.1,0.2,0.3,0.4\n",
		"x.ini", &cfg);
	const struct pr_camera_config *a = &cfg.cameras[0], *b = &cfg.cameras[1],
				      *c = &cfg.cameras[2], *d = &cfg.cameras[3];
	assert_true(a->mask.tolerance == 9);
	assert_int_equal(a->mask.invert, 1);
	assert_int_equal(a->mask.key_rgb[0], 0x10);
	assert_int_equal(a->mask.key_rgb[2], 0x30);
	assert_int_equal(a->mask.min_area, 50);
	assert_true(b->mask.tolerance == 3);
	assert_int_equal(b->mask.invert, 0);
	/* a plate tolerance means nothing to chroma keying: its own default */
	assert_int_equal(c->mask.method, PR_MASK_CHROMA);
	assert_true(c->mask.tolerance == PR_MASK_DEFAULT_CHROMA_TOLERANCE);
	assert_int_equal(d->mask.nregions, 3);
	assert_int_equal(d->mask.regions[0].exclude, 0);
	assert_int_equal(d->mask.regions[1].exclude, 1);
	assert_int_equal(d->mask.regions[1].npoints, 3);

	/* regions (fractional ones too) print and parse back exactly, in order */
	char *text = print_to_string(&cfg);
	struct pr_config again;
	load_ok(text, "x.ini", &again);
	assert_true(pr_config_equal(&cfg, &again));
	assert_non_null(strstr(text, "include = rect:1,2,3,4\nexclude = poly:0,0,10,0,5,5\n"));
	free(text);
	pr_config_free(&again);
	pr_config_free(&cfg);

	/* [rig] method = chroma alone gives the chroma default tolerance */
	load_ok("[rig]\nmethod = chroma\n" CAM, "x.ini", &cfg);
	assert_true(cfg.rig.mask.tolerance == PR_MASK_DEFAULT_CHROMA_TOLERANCE);
	assert_true(cfg.cameras[0].mask.tolerance == PR_MASK_DEFAULT_CHROMA_TOLERANCE);
	pr_config_free(&cfg);
}

/* The config printed and read back is the same config. */
static void assert_round_trip(const struct pr_config *cfg)
{
	char *text = print_to_string(cfg);
	struct pr_config again;
	load_ok(text, "x.ini", &again);
	assert_true(pr_config_equal(cfg, &again));
	free(text);
	pr_config_free(&again);
}

/* Backdrop composites: the [rig] keys and a camera's override, checked with
 * the same core parsers the daemon uses. */
static void test_backdrop_keys(void **state)
{
	(void)state;
	struct pr_config cfg;
	struct pr_error_list errs;
	load_ok("[rig]\nbackdrop = #FFFFFF\nbackdrop_format = png\nbackdrop_quality = 80\n"
		"crop_margin = 5%\naspect = 4:5\n"
		"[camera a]\ndriver = sim\n"
		"[camera b]\ndriver = sim\nbackdrop = /srv/studio.jpg\n"
		"[camera c]\ndriver = sim\nbackdrop = none\n",
		"x.ini", &cfg);
	assert_string_equal(cfg.rig.backdrop, "#FFFFFF");
	assert_int_equal(cfg.rig.backdrop_format, 1);
	assert_int_equal(cfg.rig.backdrop_quality, 80);
	assert_string_equal(cfg.rig.crop_margin, "5%");
	assert_string_equal(cfg.rig.aspect, "4:5");
	assert_string_equal(cfg.cameras[0].backdrop, "");
	assert_string_equal(cfg.cameras[1].backdrop, "/srv/studio.jpg");
	assert_string_equal(cfg.cameras[2].backdrop, "none");
	assert_round_trip(&cfg);
	pr_config_free(&cfg);
	const char *bad[] = {
		"[rig]\nbackdrop = studio.jpg\n" CAM, "[rig]\nbackdrop = none\n" CAM,
		"[rig]\ncrop_margin = 5pt\n" CAM, "[rig]\naspect = 4x5\n" CAM,
		"[rig]\nbackdrop_format = gif\n" CAM, "[rig]\nbackdrop_quality = 0\n" CAM,
		CAM "backdrop = ffff\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pr_error_list_init(&errs);
		assert_int_equal(pr_config_load_string(bad[i], "bad.ini", &cfg, &errs), PR_EINVAL);
		assert_true(errs.count >= 1);
		assert_non_null(strstr(errs.msg[0], "bad.ini:"));
	}
}

/* Shadow suppression is a per-camera choice: [rig] sets it for every camera,
 * a [camera] section overrides it, and the value reaches the camera's mask
 * parameters (what photorigd masks its shots with). */
static void test_shadow_per_camera(void **state)
{
	(void)state;
	struct pr_config cfg;
	struct pr_error_list errs;
	load_ok("[rig]\nshadow = off\nshadow_min = 0.3\n"
		"[camera a]\ndriver = sim\n"
		"[camera b]\ndriver = sim\nshadow = on\n"
		"[camera c]\ndriver = sim\nshadow_min = 0.15\n",
		"x.ini", &cfg);
	assert_int_equal(cfg.cameras[0].mask.shadow, 0);
	assert_true(cfg.cameras[0].mask.shadow_min == 0.3);
	assert_int_equal(cfg.cameras[1].mask.shadow, 1);
	assert_true(cfg.cameras[1].mask.shadow_min == 0.3);
	assert_int_equal(cfg.cameras[2].mask.shadow, 0);
	assert_true(cfg.cameras[2].mask.shadow_min == 0.15);
	assert_round_trip(&cfg);
	pr_config_free(&cfg);
	/* without either key: core's defaults, as `photorig mask` uses them */
	struct pr_mask_params def;
	pr_mask_params_default(&def);
	load_ok(CAM, "x.ini", &cfg);
	assert_int_equal(cfg.cameras[0].mask.shadow, def.shadow);
	assert_true(cfg.cameras[0].mask.shadow_min == def.shadow_min);
	pr_config_free(&cfg);
	const char *bad[] = { "[rig]\nshadow_min = 0\n" CAM, CAM "shadow_min = 1.5\n",
			      CAM "shadow = maybe\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pr_error_list_init(&errs);
		assert_int_equal(pr_config_load_string(bad[i], "bad.ini", &cfg, &errs), PR_EINVAL);
		assert_true(errs.count >= 1);
		assert_non_null(strstr(errs.msg[0], "shadow"));
	}
}

static void test_values_and_quoting(void **state)
{
	(void)state;
	struct pr_config cfg, again;
	load_ok("[rig]\nconventions = COLMAP  metashape,colmap\nplate_required = ON\n"
		"tiff_compression = lzw\ntiff_bits = 16\nfile_template = {session}-{serial}-{seq:6}\n"
		"  [camera g1]   ; indented, with a comment\n"
		"\tdriver = gphoto2\n"
		"port: ptpip:127.0.0.2:15740:15741\n"
		"set.capturetarget = \"Memory card\"\n"
		"set.odd = \"  a \\\"quoted\\\" \\; value \\\\ \\t end  \"\n"
		"set.empty = \n"
		"[camera v1]\ndriver = v4l2\nserial = ABC-123\npixel_format = YUYV\n",
		"x.ini", &cfg);
	assert_int_equal(cfg.rig.conventions, PR_CONV_COLMAP | PR_CONV_METASHAPE);
	assert_int_equal(cfg.rig.plate_required, 1);
	assert_int_equal(cfg.rig.tiff_compression, PR_TIFF_LZW);
	assert_int_equal(cfg.rig.tiff_bits, 16);
	const struct pr_camera_config *g = &cfg.cameras[0];
	assert_string_equal(g->port, "ptpip:127.0.0.2:15740:15741");
	assert_int_equal(g->nsettings, 3);
	assert_string_equal(g->settings[0].key, "capturetarget");
	assert_string_equal(g->settings[0].value, "Memory card");
	assert_string_equal(g->settings[1].value, "  a \"quoted\" ; value \\ \t end  ");
	assert_string_equal(g->settings[2].value, "");

	char *text = print_to_string(&cfg);
	load_ok(text, "x.ini", &again);
	assert_true(pr_config_equal(&cfg, &again));
	assert_non_null(strstr(text, "conventions = metashape,colmap\n"));
	assert_non_null(strstr(text, "set.capturetarget = Memory card\n"));
	/* a changed value is seen by pr_config_equal */
	again.cameras[0].settings[0].value[0] = 'X';
	assert_false(pr_config_equal(&cfg, &again));
	free(text);
	pr_config_free(&again);
	pr_config_free(&cfg);
}

/* alicevision names the masks/S.png every shot gets; its bit is the core's */
static void test_conventions_alicevision(void **state)
{
	(void)state;
	struct pr_config cfg;
	load_ok("[rig]\nconventions = alicevision, colmap\n[camera a]\ndriver = sim\n", "a.ini", &cfg);
	assert_int_equal(cfg.rig.conventions, PR_CONV_ALICEVISION | PR_CONV_COLMAP);
	char *text = print_to_string(&cfg);
	assert_non_null(strstr(text, "conventions = colmap,alicevision\n"));
	free(text);
	pr_config_free(&cfg);
}

static void test_relative_paths(void **state)
{
	(void)state;
	struct pr_config cfg;
	const char *text = "[daemon]\nsocket = run/c.sock\nstate_dir = ./state\n"
			   "output_root = /abs/out\n" CAM;
	load_ok(text, "/tmp/rigdir/demo.ini", &cfg);
	assert_string_equal(cfg.daemon.socket, "/tmp/rigdir/run/c.sock");
	assert_string_equal(cfg.daemon.state_dir, "/tmp/rigdir/state");
	assert_string_equal(cfg.daemon.output_root, "/abs/out");
	pr_config_free(&cfg);
	load_ok(text, "demo.ini", &cfg); /* no folder: kept as written */
	assert_string_equal(cfg.daemon.socket, "run/c.sock");
	pr_config_free(&cfg);
}

static void test_check_template(void **state)
{
	(void)state;
	char why[200];
	static const char *const good[] = { "{camera}_{set:04}", "{serial}-{seq}",
					    "{date}_{time}_{camera}_{seq:6}", "shot {camera} {set}" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(pr_config_check_template(good[i], why, sizeof(why)), 0);
	static const char *const bad[] = { "", "{camera}", "{set}", "{camera}/{set}",
					   "../{camera}{set}", "{camera}_{set", "{camera}}_{set}",
					   "{camera:04}_{set}", "{camera}_{set:}", "{camera}_{set:123}",
					   "{Camera}_{set}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pr_config_check_template(bad[i], why, sizeof(why)), -1);
	assert_int_equal(pr_config_check_name("cam-01.a_b", why, sizeof(why)), 0);
	assert_int_equal(pr_config_check_name("..", why, sizeof(why)), -1);
	assert_int_equal(pr_config_check_name("a/b", why, sizeof(why)), -1);
	assert_int_equal(pr_config_check_name("123456789012345678901234567890123", why,
						  sizeof(why)), -1);
}

/* ---- mistakes ---- */

struct bad_case {
	const char *what;
	const char *text;
	const char *expect; /* a substring of one of the messages */
};

static const struct bad_case bad_cases[] = {
	{ "unknown key", CAM "tolerence = 3\n",
	  "bad.ini:3: [camera c1] tolerence: unknown key: did you mean 'tolerance'?" },
	{ "key of another section", "[daemon]\nsteps = 3\n" CAM,
	  "bad.ini:2: [daemon] steps: unknown key here: it belongs in [turntable]" },
	{ "unknown section", CAM "[camra c2]\n",
	  "bad.ini:3: unknown section [camra c2]: did you mean [camera]?" },
	{ "out of range int", "[rig]\nplate_frames = 0\n" CAM,
	  "bad.ini:2: [rig] plate_frames = 0: out of range (1..64)" },
	{ "out of range double", "[camera cam01]\ndriver = sim\ntolerance = -3\n",
	  "bad.ini:3: [camera cam01] tolerance = -3: out of range (0.1..1000)" },
	{ "negative free space", "[daemon]\nmin_free_mb = -1\n" CAM,
	  "bad.ini:2: [daemon] min_free_mb = -1: out of range (0..1048576)" },
	{ "memory hold too big", "[daemon]\nhold_max_mb = 65537\n" CAM,
	  "bad.ini:2: [daemon] hold_max_mb = 65537: out of range (0..65536)" },
	{ "not a number", "[daemon]\nworker_threads = four\n" CAM,
	  "bad.ini:2: [daemon] worker_threads = four: not a whole number (0..64)" },
	{ "bad bool", "[rig]\nplate_required = maybe\n" CAM,
	  "bad.ini:2: [rig] plate_required = maybe: not a boolean (true/false, yes/no, on/off, 1/0)" },
	{ "bad enum", "[daemon]\nlog_level = verbose\n" CAM,
	  "bad.ini:2: [daemon] log_level = verbose: unknown value (allowed: err, warning, notice, "
	  "info, debug)" },
	{ "bad list item", "[rig]\nconventions = metashape, agisoft\n" CAM,
	  "bad.ini:2: [rig] conventions = metashape, agisoft: unknown item 'agisoft'" },
	{ "bad colour", CAM "key_color = #00FF0\n",
	  "bad.ini:3: [camera c1] key_color = #00FF0: not a colour (RRGGBB or #RRGGBB" },
	{ "bad region", CAM "include = rect:1,2,3\n",
	  "bad.ini:3: [camera c1] include = rect:1,2,3: region 'rect:1,2,3'" },
	{ "duplicate camera", CAM "[camera c1]\ndriver = sim\n",
	  "bad.ini:3: [camera c1]: duplicate camera name (first at line 1)" },
	{ "bad camera name", "[camera cam 1]\ndriver = sim\n" CAM,
	  "bad.ini:1: [camera cam 1]: bad camera name: only letters, digits" },
	{ "camera without name", "[camera]\n" CAM, "bad.ini:1: [camera] needs a name" },
	{ "missing driver", "[camera c1]\nserial = X1\n",
	  "bad.ini:1: [camera c1]: missing required key 'driver' (sim, gphoto2, v4l2)" },
	{ "v4l2 without identity", "[camera c1]\ndriver = v4l2\n",
	  "bad.ini:1: [camera c1]: a v4l2 camera needs device" },
	{ "two gphoto2 auto-detects", "[camera a]\ndriver = gphoto2\n[camera b]\ndriver = gphoto2\n",
	  "bad.ini:3: [camera b]: camera a (line 1) already auto-detects" },
	{ "key for another driver", CAM "port = usb:001,002\n",
	  "bad.ini:3: [camera c1] port: only for driver gphoto2 (this driver is sim)" },
	{ "bad port", "[camera c1]\ndriver = gphoto2\nport = usb:1\n",
	  "bad.ini:3: [camera c1] port = usb:1: not a port" },
	{ "unknown template token", "[rig]\nfile_template = {camera}_{frame}\n" CAM,
	  "bad.ini:2: [rig] file_template = {camera}_{frame}: unknown token {frame}" },
	{ "template without {set}", "[rig]\nfile_template = {camera}\n" CAM,
	  "bad.ini:2: [rig] file_template = {camera}: names would not be unique" },
	{ "template with a folder", "[rig]\nfile_template = {camera}/{set}\n" CAM,
	  "'/' is not allowed" },
	{ "duplicate serial",
	  "[camera a]\ndriver = gphoto2\nserial = 123\n[camera b]\ndriver = gphoto2\nserial = 123\n",
	  "bad.ini:6: [camera b] serial = 123: also used by camera a (line 3)" },
	{ "duplicate device",
	  "[camera a]\ndriver = v4l2\ndevice = /dev/video0\n[camera b]\ndriver = v4l2\n"
	  "device = /dev/video0\n",
	  "bad.ini:6: [camera b] device = /dev/video0: also used by camera a (line 3)" },
	{ "empty file", "", "bad.ini:1: no [camera NAME] section" },
	{ "no camera", "[daemon]\nlog_level = debug\n", "bad.ini:2: no [camera NAME] section" },
	{ "line too long",
	  CAM "serial = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	  "bad.ini:3: line too long (215 characters, at most 199)" },
	{ "key given twice", CAM "driver = sim\n",
	  "bad.ini:3: [camera c1] driver: given twice (first at line 2)" },
	{ "section repeated", "[daemon]\n[daemon]\n" CAM,
	  "bad.ini:2: [daemon]: section repeated (first at line 1)" },
	{ "no '='", "[camera c1]\ndriver sim\n", "bad.ini:2: expected 'key = value'" },
	{ "key outside a section", "driver = sim\n" CAM, "bad.ini:1: driver: key outside any section" },
	{ "unterminated quote", CAM "serial = \"abc\n",
	  "bad.ini:3: [camera c1] serial = \"abc: missing closing '\"'" },
	{ "bad setting name", CAM "set.a b = 1\n", "bad.ini:3: [camera c1] set.a b: bad setting name" },
	{ "setting twice", CAM "set.iso = 100\nset.iso = 200\n",
	  "bad.ini:4: [camera c1] set.iso: given twice" },
	{ "bad tiff bits", "[rig]\ntiff_bits = 12\n" CAM,
	  "bad.ini:2: [rig] tiff_bits = 12: must be 8 or 16" },
	{ "grbl without device", "[turntable]\ndriver = grbl\n" CAM,
	  "bad.ini:1: [turntable]: driver grbl needs device" },
	{ "line turntable without command", "[turntable]\ndriver = line\ndevice = /dev/ttyUSB0\n" CAM,
	  "bad.ini:1: [turntable]: driver line needs rotate_cmd" },
	{ "bad baud", "[turntable]\ndriver = grbl\ndevice = /dev/ttyACM0\nbaud = 12345\n" CAM,
	  "bad.ini:4: [turntable] baud = 12345: not a standard baud rate" },
	{ "relay channel", "[trigger]\ndriver = usbrelay\nchannel_shutter = 9\n" CAM,
	  "bad.ini:1: [trigger]: USB relay boards have channels 1..8" },
	{ "key device without code", "[trigger]\nkey_device = /dev/input/event3\n" CAM,
	  "bad.ini:2: [trigger] key_device: needs key_code" },
	{ "bad rotate command", "[turntable]\ndriver = line\ndevice = /dev/ttyUSB0\n"
	  "rotate_cmd = R {angle}\ndone_reply = OK\n" CAM,
	  "bad.ini:4: [turntable] rotate_cmd = R {angle}: only the token {degrees} is known" },
};

static void test_bad_configs(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct pr_config cfg;
		struct pr_error_list errs;
		memset(&cfg, 0x5a, sizeof(cfg));
		pr_error_list_init(&errs);
		int rc = pr_config_load_string(bc->text, "bad.ini", &cfg, &errs);
		int found = 0;
		for (unsigned m = 0; m < errs.count; m++)
			found |= strstr(errs.msg[m], bc->expect) != NULL;
		/* on failure the output is untouched */
		int untouched = cfg.ncameras == 0x5a5a5a5au;
		if (rc != PR_EINVAL || !found || !untouched) {
			print_message("case '%s': rc %d, expected message:\n    %s\ngot:\n", bc->what, rc,
				      bc->expect);
			dump_errors(&errs);
			failed++;
		}
		if (!rc && untouched)
			pr_config_free(&cfg);
	}
	assert_int_equal(failed, 0);
}

static void test_all_errors_collected(void **state)
{
	(void)state;
	struct pr_config cfg;
	struct pr_error_list errs;
	pr_error_list_init(&errs);
	const char *text = "[daemon]\nworker_threads = 99\nlog_level = loud\n"
			   "[camera a]\ndriver = sim\ntolerance = 0\n"
			   "[camera b]\nfoo = 1\n";
	assert_int_equal(pr_config_load_string(text, "multi.ini", &cfg, &errs), PR_EINVAL);
	assert_int_equal(errs.count, 5);
	assert_non_null(strstr(errs.msg[0], "multi.ini:2: [daemon] worker_threads = 99"));
	assert_non_null(strstr(errs.msg[1], "multi.ini:3: [daemon] log_level = loud"));
	assert_non_null(strstr(errs.msg[2], "multi.ini:6: [camera a] tolerance = 0"));
	assert_non_null(strstr(errs.msg[3], "multi.ini:8: [camera b] foo: unknown key"));
	assert_non_null(strstr(errs.msg[4], "multi.ini:7: [camera b]: missing required key 'driver'"));

	/* the count is capped; the rest are counted */
	char *big = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&big, &size);
	fputs(CAM, fp);
	for (int i = 0; i < 60; i++)
		fprintf(fp, "bogus%d = 1\n", i);
	fclose(fp);
	pr_error_list_init(&errs);
	assert_int_equal(pr_config_load_string(big, "big.ini", &cfg, &errs), PR_EINVAL);
	assert_int_equal(errs.count, PR_CONFIG_MAX_ERRORS);
	assert_int_equal(errs.dropped, 10);
	char *out = NULL;
	fp = open_memstream(&out, &size);
	pr_error_list_print(&errs, fp);
	fclose(fp);
	assert_non_null(strstr(out, "... and 10 more errors\n"));
	free(out);
	free(big);
}

static void test_reload_keeps_old(void **state)
{
	(void)state;
	struct pr_config running, copy;
	struct pr_error_list errs;
	pr_error_list_init(&errs);
	assert_int_equal(pr_config_load(PHOTORIG_CONFIG_DIR "/rig.ini", &running, &errs), 0);
	assert_int_equal(pr_config_load(PHOTORIG_CONFIG_DIR "/rig.ini", &copy, &errs), 0);
	/* a reload of a broken file fails and leaves the running config as it was */
	assert_int_equal(pr_config_load_string("[daemon]\nsocket = /x\n[camera a]\ndriver = nope\n",
					       "broken.ini", &running, &errs), PR_EINVAL);
	assert_int_equal(pr_config_load("/nonexistent/photorig.ini", &running, &errs), PR_ENOENT);
	assert_non_null(strstr(errs.msg[errs.count - 1], "/nonexistent/photorig.ini: cannot open"));
	assert_true(pr_config_equal(&running, &copy));
	assert_string_equal(running.daemon.socket, "/run/photorig/control.sock");
	/* a good reload replaces it: swap, then free the old one */
	struct pr_config fresh;
	load_ok("[daemon]\nsocket = /run/other.sock\n" CAM, "good.ini", &fresh);
	pr_config_free(&running);
	running = fresh;
	assert_string_equal(running.daemon.socket, "/run/other.sock");
	assert_false(pr_config_equal(&running, &copy));
	pr_config_free(&running);
	pr_config_free(&copy);
	pr_config_free(&copy);
}

static void write_file(const char *path, const char *data, size_t size)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, size, fp), size);
	assert_int_equal(fclose(fp), 0);
}

/* The demo's way of running: demo.ini copied into a temporary folder keeps
 * every daemon path inside that folder. Also: files that are not text. */
static void test_files(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/photorig-cfg-XXXXXX", path[PATH_MAX], real[PATH_MAX], want[PATH_MAX + 32];
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	assert_non_null(realpath(dir, real));
	char *demo = read_all(PHOTORIG_CONFIG_DIR "/demo.ini");
	assert_non_null(demo);
	snprintf(path, sizeof(path), "%s/demo.ini", dir);
	write_file(path, demo, strlen(demo));
	struct pr_config cfg;
	struct pr_error_list errs;
	pr_error_list_init(&errs);
	assert_int_equal(pr_config_load(path, &cfg, &errs), 0);
	snprintf(want, sizeof(want), "%s/run/control.sock", real);
	assert_string_equal(cfg.daemon.socket, want);
	snprintf(want, sizeof(want), "%s/sessions", real);
	assert_string_equal(cfg.daemon.output_root, want);
	pr_config_free(&cfg);

	/* a NUL byte: not a text file, with the line it is on */
	write_file(path, "[camera a]\ndriver = sim\0\n", 25);
	assert_int_equal(pr_config_load(path, &cfg, &errs), PR_EFORMAT);
	assert_non_null(strstr(errs.msg[errs.count - 1], "demo.ini:2: NUL byte"));
	/* a folder is not a config */
	assert_int_equal(pr_config_load(dir, &cfg, &errs), PR_EINVAL);
	/* CRLF line ends, a BOM, and a line of exactly the longest length are fine */
	char longline[PR_CONFIG_LINE_MAX + 2];
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "set.k = ", 8);
	longline[PR_CONFIG_LINE_MAX] = '\0';
	char text[512];
	snprintf(text, sizeof(text), "\xEF\xBB\xBF[camera a]\r\ndriver = sim\r\n%s\r\n", longline);
	write_file(path, text, strlen(text));
	assert_int_equal(pr_config_load(path, &cfg, &errs), 0);
	assert_int_equal(strlen(cfg.cameras[0].settings[0].value), PR_CONFIG_LINE_MAX - 8);
	pr_config_free(&cfg);
	unlink(path);
	rmdir(dir);
	free(demo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_shipped_contents),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_mask_inheritance),
		cmocka_unit_test(test_shadow_per_camera),
		cmocka_unit_test(test_backdrop_keys),
		cmocka_unit_test(test_values_and_quoting),
		cmocka_unit_test(test_conventions_alicevision),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_check_template),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_all_errors_collected),
		cmocka_unit_test(test_reload_keeps_old),
		cmocka_unit_test(test_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
