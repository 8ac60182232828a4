/* photorig sheet: a contact sheet of shots and their masks, offline.
 *
 * The daemon writes a sheet after every set; this command makes one from
 * files on disk: pairs of shot and mask (as `photorig mask` wrote them), a
 * tile each, optionally in several rows (one per set). With no plate at
 * hand, a tile shows the foreground and the BORDER flag from the mask alone.
 * Given a session folder instead, it rebuilds the daemon's sheets from the
 * session's manifest and files (cmd_sheet_session.c). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"
#include "client_conn.h"
#include "cmd.h"
#include "cmd_sheet_session.h"
#include "imageio.h"
#include "outputs.h"
#include "sheet.h"

static const char sheet_usage[] =
	"usage: photorig sheet --out FILE.png [--masks DIR] [--tile-width N] [--columns N]\n"
	"                      [--row LABEL] TILE... [--row LABEL TILE...]\n"
	"       photorig sheet SESSION [--set N] [--out FILE.png] [--tile-width N] [--columns N]\n"
	"                      [--socket PATH | -c CONFIG]\n"
	"\n"
	"SESSION is a session folder, or a session's name: photorigd (--socket, or the\n"
	"socket of -c CONFIG) says where that session's folder is.\n"
	"With a session folder (photorigd's output_root/NAME), rebuilds its contact sheets\n"
	"offline, without the daemon, from manifest.json, the originals and CAMERA/masks/*.png:\n"
	"with --set N the set's sheet, SESSION/sheets/set_NNNN.png; without, the session\n"
	"sheet with a row per set, SESSION/sheets/session.png (flags from the manifest).\n"
	"\n"
	"Writes a contact sheet (PNG): a tile per camera with the shot scaled down, the\n"
	"mask's outline drawn over it, and a caption with the camera name, the foreground\n"
	"percentage and flags (BORDER: the object touches the frame's edge).\n"
	"\n"
	"A TILE is SHOT:MASK[:NAME] (NAME defaults to the shot's stem), or just SHOT with\n"
	"--masks DIR, which takes DIR/masks/S.png for a shot with stem S (the folder\n"
	"`photorig mask --out DIR` wrote). A tile that cannot be read is named on stderr\n"
	"and shown as MISSING; the exit status is then 1.\n"
	"\n"
	"options:\n"
	"  --out FILE.png    the sheet (written atomically)\n"
	"  --masks DIR       where to find masks for tiles given as SHOT\n"
	"  --set N           (session form) the sheet of set N\n"
	"  --row LABEL       start a new row (a set) headed LABEL; tiles before the first\n"
	"                    --row form an unlabelled row\n"
	"  --tile-width N    thumbnail width in pixels (default 320)\n"
	"  --columns N       tiles per line within a row (default: all on one line)\n"
	"  --socket PATH     photorigd's socket, to find a session by name\n"
	"  -h, --help        this text\n";

enum { S_OUT = 256, S_MASKS, S_ROW, S_TILE_W, S_COLUMNS, S_SET, S_SOCKET };

static const struct option sheet_options[] = {
	{ "out", required_argument, NULL, S_OUT },
	{ "masks", required_argument, NULL, S_MASKS },
	{ "row", required_argument, NULL, S_ROW },
	{ "tile-width", required_argument, NULL, S_TILE_W },
	{ "columns", required_argument, NULL, S_COLUMNS },
	{ "set", required_argument, NULL, S_SET },
	{ "socket", required_argument, NULL, S_SOCKET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The folder of the session called name, as photorigd's session list has
 * it (malloc'd), or NULL after saying why. */
static char *session_dir_by_name(const char *name, const char *sock)
{
	struct pr_request req;
	struct pr_reply rep = { 0 };
	json_object *list;
	char *dir = NULL;
	pr_request_init(&req, PR_OP_SESSION_LIST, 1);
	if (client_simple("sheet", sock, &req, 30000, 0, &rep)) {
		fprintf(stderr, "photorig sheet: '%s' is no folder here, and photorigd could not be "
			"asked where session %s is: give the session's folder\n", name, name);
		pr_reply_free(&rep);
		return NULL;
	}
	if (json_object_object_get_ex(rep.obj, "sessions", &list))
		for (size_t i = 0; i < json_object_array_length(list) && !dir; i++) {
			json_object *s = json_object_array_get_idx(list, i);
			if (!strcmp(pr_json_str(s, "name", ""), name) && pr_json_str(s, "dir", NULL))
				dir = strdup(pr_json_str(s, "dir", ""));
		}
	if (!dir)
		fprintf(stderr, "photorig sheet: photorigd has no session '%s' (photorig session "
			"list)\n", name);
	pr_reply_free(&rep);
	return dir;
}

struct item {
	int is_row;
	const char *text;
};

int sheet_load_mask(const char *path, const struct pr_image *shot, uint8_t **out,
		     struct pr_error *err)
{
	struct pr_image m, rgb = { 0 };
	int rc = pr_decode_file(path, &m, err);
	if (rc)
		return rc;
	if (m.width != shot->width || m.height != shot->height) {
		rc = pr_error_set(err, PR_ESIZE, "%s: mask is %ux%u but its shot is %ux%u", path,
				  m.width, m.height, shot->width, shot->height);
		pr_image_free(&m);
		return rc;
	}
	if ((rc = pr_image_to_rgb8(&m, &rgb, err))) {
		pr_image_free(&m);
		return rc;
	}
	size_t n = (size_t)m.width * m.height;
	*out = malloc(n);
	if (!*out)
		rc = pr_error_set(err, PR_ENOMEM, "out of memory");
	for (uint32_t y = 0; *out && y < m.height; y++) {
		const uint8_t *s = pr_image_row(&rgb, y);
		for (uint32_t x = 0; x < m.width; x++)
			(*out)[(size_t)y * m.width + x] = s[3 * x];
	}
	pr_image_free(&m);
	pr_image_free(&rgb);
	return rc;
}

/* Make one tile; on failure a MISSING tile, the reason printed, return 1. */
static int make_tile(const char *spec, const char *masks_dir, const struct pr_sheet_options *o,
		     struct pr_sheet_tile *t)
{
	char shot_path[PATH_MAX], mask_path[PATH_MAX], name[64], stem[NAME_MAX + 1];
	struct pr_error err;
	struct pr_image shot;
	uint8_t *mask = NULL;
	const char *c1 = strchr(spec, ':');
	if (c1) {
		const char *c2 = strchr(c1 + 1, ':');
		snprintf(shot_path, sizeof(shot_path), "%.*s", (int)(c1 - spec), spec);
		snprintf(mask_path, sizeof(mask_path), "%.*s", (int)(c2 ? c2 - c1 - 1 : (long)strlen(c1 + 1)),
			 c1 + 1);
		pr_output_stem(shot_path, stem, sizeof(stem));
		snprintf(name, sizeof(name), "%.63s", c2 && c2[1] ? c2 + 1 : stem);
	} else {
		snprintf(shot_path, sizeof(shot_path), "%s", spec);
		pr_output_stem(shot_path, stem, sizeof(stem));
		snprintf(name, sizeof(name), "%.63s", stem);
		if (!masks_dir) {
			fprintf(stderr, "photorig sheet: tile '%s': give SHOT:MASK, or --masks DIR\n", spec);
			pr_sheet_tile_missing(t, name, "no mask given");
			return 1;
		}
		snprintf(mask_path, sizeof(mask_path), "%s/masks/%s.png", masks_dir, stem);
	}
	if (pr_decode_file(shot_path, &shot, &err)) {
		fprintf(stderr, "photorig sheet: %s\n", err.msg);
		pr_sheet_tile_missing(t, name, "shot unreadable");
		return 1;
	}
	int rc = sheet_load_mask(mask_path, &shot, &mask, &err);
	if (!rc)
		rc = pr_sheet_tile_make(t, name, &shot, mask, 0, NULL, o, &err);
	pr_image_free(&shot);
	free(mask);
	if (rc) {
		fprintf(stderr, "photorig sheet: %s\n", err.msg);
		pr_sheet_tile_missing(t, name, "mask unreadable");
		return 1;
	}
	return 0;
}

int cmd_sheet(int argc, char **argv)
{
	struct pr_sheet_options o;
	struct pr_error err;
	const char *out = NULL, *masks = NULL, *sock = NULL;
	uint32_t set = 0;
	int has_set = 0, tile_w_given = 0;
	struct item *items = calloc((size_t)argc + 1, sizeof(*items));
	size_t nitems = 0, ntiles = 0, nrows = 0;
	int opt, status = 0;

	if (!items) {
		fprintf(stderr, "photorig sheet: out of memory\n");
		return 1;
	}
	pr_sheet_options_default(&o);
	optind = 1;
	opterr = 0;
	/* "-": tiles come back in order, between the --row options */
	while ((opt = getopt_long(argc, argv, "-:h", sheet_options, NULL)) != -1) {
		switch (opt) {
		case 1: items[nitems++] = (struct item){ 0, optarg }; ntiles++; break;
		case S_ROW: items[nitems++] = (struct item){ 1, optarg }; nrows++; break;
		case S_OUT: out = optarg; break;
		case S_SOCKET: sock = optarg; break;
		case S_MASKS: masks = optarg; break;
		case S_TILE_W:
			if (cli_parse_u32("sheet", "tile-width", optarg, 16, 4096, &o.tile_width))
				goto usage;
			tile_w_given = 1;
			break;
		case S_SET:
			if (cli_parse_u32("sheet", "set", optarg, 1, UINT32_MAX, &set))
				goto usage;
			has_set = 1;
			break;
		case S_COLUMNS:
			if (cli_parse_u32("sheet", "columns", optarg, 0, 1024, &o.columns))
				goto usage;
			break;
		case 'h':
			fputs(sheet_usage, stdout);
			free(items);
			return 0;
		case ':':
			fprintf(stderr, "photorig sheet: option '%s' needs a value\n", argv[optind - 1]);
			goto usage;
		default:
			fprintf(stderr, "photorig sheet: unknown option '%s'\n", argv[optind - 1]);
			goto usage;
		}
	}
	/* the session form: one folder, no --out needed */
	if (nitems == 1 && !nrows && !masks && is_dir(items[0].text)) {
		const char *dir = items[0].text;
		free(items);
		return sheet_session(dir, has_set ? (int64_t)set : -1, out,
				     tile_w_given ? o.tile_width : 0, o.columns);
	}
	/* a session's name (not a file): photorigd knows its folder */
	char why[128];
	if (nitems == 1 && !nrows && !masks && !out && access(items[0].text, F_OK) &&
	    !pr_proto_check_name(items[0].text, why, sizeof(why))) {
		char *dir = session_dir_by_name(items[0].text, sock);
		free(items);
		if (!dir)
			return 1;
		status = sheet_session(dir, has_set ? (int64_t)set : -1, NULL,
				       tile_w_given ? o.tile_width : 0, o.columns);
		free(dir);
		return status;
	}
	if (has_set) {
		fprintf(stderr, "photorig sheet: --set goes with a session folder\n");
		goto usage;
	}
	if (!out || !ntiles) {
		fprintf(stderr, "photorig sheet: %s\n", !out ? "--out FILE.png is required"
							     : "no TILE given");
		goto usage;
	}
	struct pr_sheet_tile *tiles = calloc(ntiles, sizeof(*tiles));
	struct pr_sheet_row *rows = calloc(nrows + 1, sizeof(*rows));
	if (!tiles || !rows) {
		fprintf(stderr, "photorig sheet: out of memory\n");
		free(tiles);
		free(rows);
		free(items);
		return 1;
	}
	size_t r = 0, k = 0;
	rows[0].tiles = tiles;
	for (size_t i = 0; i < nitems; i++) {
		if (items[i].is_row) {
			if (rows[r].ntiles || rows[r].label)
				r++;
			rows[r].label = items[i].text;
			rows[r].tiles = tiles + k;
			continue;
		}
		status |= make_tile(items[i].text, masks, &o, &tiles[k++]);
		rows[r].ntiles++;
	}
	if (pr_sheet_write(out, rows, r + 1, &o, &err)) {
		fprintf(stderr, "photorig sheet: %s\n", err.msg);
		status = 1;
	} else {
		printf("%s\n", out);
	}
	for (size_t i = 0; i < ntiles; i++)
		pr_sheet_tile_free(&tiles[i]);
	free(tiles);
	free(rows);
	free(items);
	return status;
usage:
	fprintf(stderr, "Try 'photorig sheet --help'.\n");
	free(items);
	return 2;
}
