/* photorig remask, offline: a session's shots masked again from its files,
 * with the plates and mask settings of photorigd's config, no daemon.
 *
 * What photorigd's mask worker does for a new shot, for each saved shot of
 * the sets and cameras asked: decode the original (only read), mask it
 * against STATE_DIR/plates/CAMERA.prplate with the camera's settings, and
 * write the outputs with pr_outputs_write (each file atomically: a reader
 * sees the old mask or the new one, never a part). Each result is appended
 * to journal.jsonl as photorigd journals it (mask_written with its
 * statistics, or mask_failed with the reason, each with "remask": true), so
 * a replay of the journal gives the same manifest; manifest.json is then
 * rewritten atomically with the new statistics and mask files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli_session.h"
#include "clock.h"
#include "cmd_remask.h"
#include "config.h"
#include "imageio.h"
#include "mask_stats_json.h"
#include "outputs.h"
#include "plate.h"
#include "protocol.h"

#define CMD "remask"
#define DEFAULT_CONFIG "/etc/photorig/photorig.ini"

/* The files of a masked shot, as the manifest names them (daemon/journal.c
 * manifest_mask_files): the canonical mask first, the TIFF, the conventions. */
static json_object *mask_files(unsigned conv, const char *file)
{
	json_object *a = json_object_new_array();
	const char *slash = strrchr(file, '/');
	char folder[PATH_MAX], stem[256], buf[PATH_MAX + 600];
	snprintf(folder, sizeof(folder), "%.*s", (int)(slash ? slash - file + 1 : 0), file);
	const char *name = slash ? slash + 1 : file;
	pr_output_stem(name, stem, sizeof(stem));
	snprintf(buf, sizeof(buf), "%smasks/%s.png", folder, stem);
	json_object_array_add(a, json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "%s%s.tif", folder, stem);
	json_object_array_add(a, json_object_new_string(buf));
	if (conv & PR_CONV_METASHAPE) {
		snprintf(buf, sizeof(buf), "%s%s_mask.png", folder, stem);
		json_object_array_add(a, json_object_new_string(buf));
	}
	if (conv & PR_CONV_REALITYCAPTURE) {
		snprintf(buf, sizeof(buf), "%s%s.mask.png", folder, name);
		json_object_array_add(a, json_object_new_string(buf));
	}
	if (conv & PR_CONV_COLMAP) {
		snprintf(buf, sizeof(buf), "%smasks/%s.png", folder, name);
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

struct offline {
	const struct remask_opts *o;
	struct pr_config cfg;
	char dir[PATH_MAX];
	int journal;                 /* fd, O_APPEND */
	struct pr_plate *plates;     /* per camera of cfg, loaded when first needed */
	int *plate_state;            /* 0 not tried, 1 loaded, -1 failed */
	char (*plate_why)[sizeof(((struct pr_error *)0)->msg)];
	unsigned written, failed;
};

static int journal_line(struct offline *x, json_object *line)
{
	const char *s = json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
								     JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s);
	char *buf = malloc(n + 2);
	if (!buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\n';
	ssize_t w = write(x->journal, buf, n + 1);
	free(buf);
	if (w != (ssize_t)(n + 1)) {
		fprintf(stderr, "photorig " CMD ": cannot append to %s/journal.jsonl: %s\n", x->dir,
			w < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

static const struct pr_plate *plate_of(struct offline *x, uint32_t cam, const char **why)
{
	if (!x->plate_state[cam]) {
		char path[PATH_MAX + 300];
		struct pr_error err;
		snprintf(path, sizeof(path), "%s/plates/%s.prplate", x->cfg.daemon.state_dir,
			 x->cfg.cameras[cam].name);
		if (pr_plate_load(path, &x->plates[cam], &err)) {
			x->plate_state[cam] = -1;
			snprintf(x->plate_why[cam], sizeof(x->plate_why[cam]), "%s", err.msg);
		} else {
			x->plate_state[cam] = 1;
		}
	}
	*why = x->plate_why[cam];
	return x->plate_state[cam] > 0 ? &x->plates[cam] : NULL;
}

/* One shot: masked again, journaled, its manifest entry updated. */
static int remask_shot(struct offline *x, int64_t set, json_object *shot)
{
	const char *cam = pr_json_str(shot, "camera", ""), *file = pr_json_str(shot, "file", "");
	const struct pr_camera_config *cc = pr_config_camera(&x->cfg, cam);
	char why[600] = "", out_dir[PATH_MAX + 100], path[PATH_MAX + 600];
	const struct pr_plate *plate = NULL;
	struct pr_mask_result res = { 0 };
	struct pr_image img = { 0 };
	struct pr_error err;
	double t0 = pr_monotonic_s();
	const char *name = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	if (!cc) {
		snprintf(why, sizeof(why), "camera %s is not in the config", cam);
	} else if (cc->mask.method == PR_MASK_PLATE) {
		const char *pw;
		plate = plate_of(x, (uint32_t)(cc - x->cfg.cameras), &pw);
		if (!plate)
			snprintf(why, sizeof(why), "no usable plate for camera %s: %s", cam, pw);
	}
	snprintf(path, sizeof(path), "%s/%s", x->dir, file);
	snprintf(out_dir, sizeof(out_dir), "%s/%s", x->dir, cam);
	if (!why[0] && pr_decode_file(path, &img, &err))
		snprintf(why, sizeof(why), "%s", err.msg);
	if (!why[0] && pr_mask_compute_named(&cc->mask, plate, &img, name, &res, &err))
		snprintf(why, sizeof(why), "%s", err.msg);
	if (!why[0]) {
		struct pr_output_options opt;
		pr_output_options_default(&opt);
		opt.conventions = x->cfg.rig.conventions;
		opt.compression = x->cfg.rig.tiff_compression;
		opt.tiff_bits = x->cfg.rig.tiff_bits;
		if (pr_outputs_write(out_dir, name, &img, &res, &opt, &err))
			snprintf(why, sizeof(why), "%s", err.msg);
	}
	pr_image_free(&img);
	json_object *line = json_object_new_object();
	json_object_object_add(line, "ev", json_object_new_string(why[0] ? "mask_failed"
									 : "mask_written"));
	json_object_object_add(line, "set", json_object_new_int64(set));
	json_object_object_add(line, "camera", json_object_new_string(cam));
	json_object_object_add(line, "remask", json_object_new_boolean(1));
	if (why[0]) {
		json_object_object_add(line, "reason", json_object_new_string(why));
		json_object_object_add(shot, "mask", json_object_new_string("failed"));
		json_object_object_add(shot, "note", json_object_new_string(why));
		json_object_object_del(shot, "mask_stats");
		json_object_object_del(shot, "mask_files");
		printf("set %lld %s: not masked: %s\n", (long long)set, cam, why);
		x->failed++;
	} else {
		json_object *st = pr_mask_stats_json(&res.stats, plate ? plate->id : 0,
						     pr_monotonic_s() - t0);
		json_object_object_foreach(st, key, val)
			json_object_object_add(line, key, json_object_get(val));
		json_object_object_add(shot, "mask", json_object_new_string("written"));
		json_object_object_add(shot, "mask_stats", st);
		json_object_object_add(shot, "mask_files", mask_files(x->cfg.rig.conventions, file));
		json_object_object_del(shot, "note");
		printf("set %lld %s: masked again, fg %.1f%%%s\n", (long long)set, cam,
		       100.0 * res.stats.foreground,
		       json_object_object_get_ex(shot, "backdrop_file", NULL)
			       ? " (its backdrop composite is kept as it was)" : "");
		x->written++;
	}
	pr_mask_result_free(&res);
	int rc = journal_line(x, line);
	json_object_put(line);
	return rc;
}

static int write_manifest(struct offline *x, json_object *m)
{
	char path[PATH_MAX + 32];
	struct pr_error err;
	snprintf(path, sizeof(path), "%s/manifest.json", x->dir);
	json_object_object_add(m, "updated_ns", json_object_new_int64(pr_clock_ns(CLOCK_REALTIME)));
	const char *text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	if (pr_atomic_write(path, text, strlen(text), &err)) {
		fprintf(stderr, "photorig " CMD ": %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int run(struct offline *x, json_object *m)
{
	const struct remask_opts *o = x->o;
	uint32_t from = o->set_from ? o->set_from : 1, to = o->set_to ? o->set_to : UINT32_MAX;
	json_object *sets, *shots;
	json_object_object_get_ex(m, "sets", &sets);
	unsigned n = 0;
	for (size_t i = 0; i < json_object_array_length(sets); i++) {
		json_object *set = json_object_array_get_idx(sets, i);
		int64_t number = pr_json_int(set, "set", 0);
		if (number < from || number > to || !json_object_object_get_ex(set, "shots", &shots) ||
		    !json_object_is_type(shots, json_type_array))
			continue;
		for (size_t k = 0; k < json_object_array_length(shots); k++) {
			json_object *shot = json_object_array_get_idx(shots, k);
			if (strcmp(pr_json_str(shot, "state", ""), "saved") ||
			    !cli_list_has(o->cameras, pr_json_str(shot, "camera", "")))
				continue;
			n++;
			if (remask_shot(x, number, shot))
				return -1;
		}
	}
	if (!n) {
		fprintf(stderr, "photorig " CMD ": no saved shot in %s for those sets and cameras\n",
			x->dir);
		return -1;
	}
	if (fdatasync(x->journal))
		fprintf(stderr, "photorig " CMD ": journal sync: %s\n", strerror(errno));
	if (write_manifest(x, m))
		return -1;
	printf("session %s: %u shot%s masked again offline%s\n", x->dir, x->written,
	       x->written == 1 ? "" : "s", x->failed ? ", some not (see above)" : "");
	return x->failed ? -1 : 0;
}

int remask_offline(const struct remask_opts *o)
{
	struct offline x = { .o = o, .journal = -1 };
	const char *config = o->config ? o->config : getenv("PHOTORIG_CONFIG");
	if (!config || !*config)
		config = DEFAULT_CONFIG;
	struct pr_error_list errs;
	pr_error_list_init(&errs);
	if (pr_config_load(config, &x.cfg, &errs)) {
		fprintf(stderr, "photorig " CMD ": the offline remask needs photorigd's config; %s "
			"cannot be read (--config FILE):\n", config);
		pr_error_list_print(&errs, stderr);
		return 1;
	}
	int status = 1;
	json_object *m = NULL;
	char why[128];
	struct stat st;
	if (strchr(o->session, '/') || pr_proto_check_name(o->session, why, sizeof(why)) ||
	    (!stat(o->session, &st) && S_ISDIR(st.st_mode)))
		snprintf(x.dir, sizeof(x.dir), "%s", o->session);
	else
		snprintf(x.dir, sizeof(x.dir), "%.*s/%s", PATH_MAX - 80, x.cfg.daemon.output_root,
			 o->session);
	if (!(m = cli_read_manifest(CMD, x.dir)) || cli_check_cameras(CMD, m, o->cameras))
		goto out;
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/journal.jsonl", x.dir);
	x.journal = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	x.plates = calloc(x.cfg.ncameras + 1, sizeof(*x.plates));
	x.plate_state = calloc(x.cfg.ncameras + 1, sizeof(*x.plate_state));
	x.plate_why = calloc(x.cfg.ncameras + 1, sizeof(*x.plate_why));
	if (x.journal < 0) {
		fprintf(stderr, "photorig " CMD ": cannot open %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!x.plates || !x.plate_state || !x.plate_why) {
		fprintf(stderr, "photorig " CMD ": out of memory\n");
		goto out;
	}
	status = run(&x, m) ? 1 : 0;
out:
	if (x.journal >= 0)
		close(x.journal);
	for (uint32_t i = 0; x.plates && x.plate_state && i < x.cfg.ncameras; i++)
		if (x.plate_state[i] > 0)
			pr_plate_free(&x.plates[i]);
	free(x.plates);
	free(x.plate_state);
	free(x.plate_why);
	json_object_put(m);
	pr_config_free(&x.cfg);
	return status;
}
