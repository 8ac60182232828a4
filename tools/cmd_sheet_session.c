/* photorig sheet SESSION [--set N]: a session's contact sheets, offline.
 *
 * photorigd writes a set's sheet after each set; this rebuilds them from
 * the session folder alone, with no daemon: manifest.json says which sets
 * and shots there are, where each original and its mask (the first of
 * mask_files: CAMERA/masks/S.png) are, and the mask statistics, so a tile
 * shows the same foreground and plate-health flags as the daemon's. It
 * serves when the daemon's sheet was lost or written with other settings,
 * and for the session sheet after a restart (the daemon's only has the sets
 * shot since it started).
 *
 * Memory: one shot is decoded at a time and only its thumbnail is kept. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_session.h"
#include "cli_util.h"
#include "cmd_sheet_session.h"
#include "imageio.h"
#include "protocol.h"

/* A shot saved but not masked: the photo itself, captioned with why, as
 * the daemon's sheet shows it (daemon/unmasked.c words the reasons). */
static int unmasked_tile(const char *dir, json_object *shot, const struct pr_sheet_options *o,
			 struct pr_sheet_tile *t)
{
	const char *cam = pr_json_str(shot, "camera", "?"), *note = pr_json_str(shot, "note", "");
	char path[PATH_MAX], why[64];
	struct pr_image img;
	struct pr_error err;
	snprintf(why, sizeof(why), "not masked: %s",
		 strcmp(pr_json_str(shot, "mask", ""), "skipped") ? "mask failed"
		 : strstr(note, "plate unreadable") ? "plate unreadable"
		 : strstr(note, "no plate") ? "no plate"
		 : strstr(note, "other settings") ? "plate settings differ" : "skipped");
	if (snprintf(path, sizeof(path), "%s/%s", dir, pr_json_str(shot, "file", "")) >=
		    (int)sizeof(path) || pr_decode_file(path, &img, &err)) {
		pr_sheet_tile_missing(t, cam, why);
		return 0;
	}
	if (pr_sheet_tile_unmasked(t, cam, &img, why, o, &err))
		pr_sheet_tile_missing(t, cam, why);
	pr_image_free(&img);
	return 0;
}

/* The tile of one manifest shot; 1 when a saved, masked shot was unreadable. */
static int shot_tile(const char *dir, json_object *shot, const struct pr_sheet_options *o,
		     struct pr_sheet_tile *t)
{
	const char *cam = pr_json_str(shot, "camera", "?");
	const char *state = pr_json_str(shot, "state", ""), *mask = pr_json_str(shot, "mask", "");
	/* the daemon's captions for a camera with no tile (daemon/sheets.c) */
	if (strcmp(state, "saved")) {
		pr_sheet_tile_missing(t, cam, !strcmp(state, "missing") ? "missing: no shot"
									: "failed: no shot");
		return 0;
	}
	if (strcmp(mask, "written"))
		return unmasked_tile(dir, shot, o, t);
	json_object *files, *st = NULL;
	const char *mask_file = NULL;
	if (json_object_object_get_ex(shot, "mask_files", &files) &&
	    json_object_is_type(files, json_type_array) && json_object_array_length(files))
		mask_file = json_object_get_string(json_object_array_get_idx(files, 0));
	struct pr_mask_stats stats = { 0 };
	if (json_object_object_get_ex(shot, "mask_stats", &st)) {
		stats.foreground = pr_json_double(st, "foreground", 0);
		stats.touches_border = pr_json_bool(st, "touches_border", 0);
		stats.stale_plate = pr_json_bool(st, "stale_plate", 0);
		stats.camera_moved = pr_json_bool(st, "camera_moved", 0);
	}
	char shot_path[PATH_MAX], mask_path[PATH_MAX];
	struct pr_image img;
	struct pr_error err;
	uint8_t *m = NULL;
	int rc = PR_EINVAL;
	if (!mask_file || snprintf(shot_path, sizeof(shot_path), "%s/%s", dir,
				   pr_json_str(shot, "file", "")) >= (int)sizeof(shot_path) ||
	    snprintf(mask_path, sizeof(mask_path), "%s/%s", dir, mask_file) >= (int)sizeof(mask_path)) {
		fprintf(stderr, "photorig sheet: %s: no mask file in the manifest\n", cam);
		pr_sheet_tile_missing(t, cam, "mask unreadable");
		return 1;
	}
	if (pr_decode_file(shot_path, &img, &err)) {
		fprintf(stderr, "photorig sheet: %s\n", err.msg);
		pr_sheet_tile_missing(t, cam, "shot unreadable");
		return 1;
	}
	rc = sheet_load_mask(mask_path, &img, &m, &err);
	if (!rc)
		rc = pr_sheet_tile_make(t, cam, &img, m, 0, &stats, o, &err);
	if (!rc && pr_json_str(st, "suspect", NULL))
		t->flags |= PR_SHEET_SUSPECT; /* the daemon's verdict, as its sheet shows it */
	pr_image_free(&img);
	free(m);
	if (rc) {
		fprintf(stderr, "photorig sheet: %s\n", err.msg);
		pr_sheet_tile_missing(t, cam, "mask unreadable");
		return 1;
	}
	return 0;
}

/* "set 0007[, 30.0 deg][ (INCOMPLETE)]", as the daemon labels a row. */
static void set_label(json_object *set, char *buf, size_t size)
{
	json_object *a;
	int n = snprintf(buf, size, "set %04u", (unsigned)pr_json_int(set, "set", 0));
	if (json_object_object_get_ex(set, "angle", &a) && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, ", %.1f deg", json_object_get_double(a));
	if (!pr_json_bool(set, "complete", 0) && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " (INCOMPLETE)");
}

int sheet_session(const char *dir, int64_t want, const char *out, uint32_t tile_width,
		  uint32_t columns)
{
	json_object *m = cli_read_manifest("sheet", dir), *sets;
	if (!m)
		return 1;
	json_object_object_get_ex(m, "sets", &sets);
	size_t nsets = json_object_array_length(sets), nrows = 0, ntiles = 0;
	for (size_t i = 0; i < nsets; i++) {
		json_object *set = json_object_array_get_idx(sets, i), *shots;
		if (want >= 0 && pr_json_int(set, "set", -1) != want)
			continue;
		nrows++;
		if (json_object_object_get_ex(set, "shots", &shots))
			ntiles += json_object_array_length(shots);
	}
	if (!nrows) {
		if (want >= 0)
			fprintf(stderr, "photorig sheet: no set %lld in %s/manifest.json\n",
				(long long)want, dir);
		else
			fprintf(stderr, "photorig sheet: %s has no finished set yet\n", dir);
		json_object_put(m);
		return 1;
	}
	struct pr_sheet_options o;
	pr_sheet_options_default(&o);
	o.tile_width = tile_width ? tile_width : want >= 0 ? SHEET_SET_TILE_WIDTH
							 : SHEET_SESSION_TILE_WIDTH;
	o.columns = columns;
	struct pr_sheet_tile *tiles = calloc(ntiles + 1, sizeof(*tiles));
	struct pr_sheet_row *rows = calloc(nrows, sizeof(*rows));
	char (*labels)[96] = calloc(nrows, sizeof(*labels));
	int status = 0;
	if (!tiles || !rows || !labels) {
		fprintf(stderr, "photorig sheet: out of memory\n");
		status = 1;
		goto out;
	}
	size_t r = 0, k = 0;
	for (size_t i = 0; i < nsets; i++) {
		json_object *set = json_object_array_get_idx(sets, i), *shots;
		if (want >= 0 && pr_json_int(set, "set", -1) != want)
			continue;
		set_label(set, labels[r], sizeof(labels[r]));
		rows[r] = (struct pr_sheet_row){ labels[r], tiles + k, 0 };
		if (json_object_object_get_ex(set, "shots", &shots))
			for (size_t s = 0; s < json_object_array_length(shots) && k < ntiles; s++) {
				status |= shot_tile(dir, json_object_array_get_idx(shots, s), &o, &tiles[k++]);
				rows[r].ntiles++;
			}
		r++;
	}
	char folder[PATH_MAX], path[PATH_MAX];
	if (!out) {
		snprintf(folder, sizeof(folder), "%s/sheets", dir);
		if (cli_make_dirs("sheet", folder)) {
			status = 1;
			goto out;
		}
		if (want >= 0)
			snprintf(path, sizeof(path), "%.*s/set_%04u.png", PATH_MAX - 32, folder,
				 (unsigned)want);
		else
			snprintf(path, sizeof(path), "%.*s/session.png", PATH_MAX - 32, folder);
		out = path;
	}
	struct pr_error err;
	if (pr_sheet_write(out, rows, nrows, &o, &err)) {
		fprintf(stderr, "photorig sheet: %s\n", err.msg);
		status = 1;
	} else {
		printf("%s\n", out);
	}
out:
	for (size_t i = 0; tiles && i < ntiles; i++)
		pr_sheet_tile_free(&tiles[i]);
	free(tiles);
	free(rows);
	free(labels);
	json_object_put(m);
	return status;
}
