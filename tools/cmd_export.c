/* photorig export SESSION --for TOOL --out DIR: a session handed to a
 * photogrammetry tool without renaming a file.
 *
 * A session folder holds, per camera, the originals, RGBA TIFFs and masks in
 * several conventions: pointed at it, COLMAP, Metashape, RealityCapture and
 * Meshroom take every image they find for a photo. An export is a folder
 * with only what one tool scans, under the names it pairs photo and mask by
 * (core/outputs/export_layout.h), built from manifest.json: which shots were
 * saved, which were masked, where their files are. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_session.h"
#include "cmd.h"
#include "cmd_export.h"
#include "cmd_export_raw.h"
#include "export_layout.h"
#include "imageio.h"
#include "protocol.h"

#define CMD "export"

static const char export_usage[] =
	"usage: photorig export SESSION --for TOOL --out DIR [--sets A-B] [--cameras LIST]\n"
	"                       [--image jpeg|raw|tiff] [--unmasked skip|keep]\n"
	"                       [--incomplete keep|skip] [--copy] [--socket PATH]\n"
	"\n"
	"Makes DIR a folder that TOOL reads as it is: every photo once, each mask under the\n"
	"name TOOL pairs with its photo, nothing else where TOOL looks for photos, and a\n"
	"README.txt with the command lines that run TOOL on it. Built from the session's\n"
	"manifest.json; the files are hard links to the session's own (copies across\n"
	"filesystems). DIR is built beside its place and renamed into it, so a half-made\n"
	"export never looks finished; running again replaces an earlier export in one step.\n"
	"\n"
	"  colmap          DIR/images/CAMERA/NAME, DIR/masks/CAMERA/NAME.png (one COLMAP\n"
	"                  camera per camera position with single_camera_per_folder)\n"
	"  metashape       DIR/images/NAME, DIR/masks/STEM_mask.png\n"
	"  realitycapture  DIR/NAME, DIR/NAME.mask.png\n"
	"  meshroom        DIR/images/NAME, DIR/masks/STEM.png (alicevision: the same)\n"
	"\n"
	"SESSION is a session folder, or the name of one of photorigd's sessions.\n"
	"\n"
	"options:\n"
	"  --for TOOL          colmap, metashape, realitycapture or meshroom\n"
	"  --out DIR           the export folder (absent, empty, or an earlier export)\n"
	"  --sets A-B          only sets A to B (or one set: --sets A)\n"
	"  --cameras LIST      only these camera positions (comma-separated)\n"
	"  --image KIND        jpeg: the camera's photo (default); tiff: the RGBA TIFF;\n"
	"                      raw: the RAW of a RAW+JPEG shot, its mask scaled to the\n"
	"                      size libraw develops the RAW to\n"
	"  --unmasked skip     shots without a mask are left out and listed (default);\n"
	"  --unmasked keep     they get an all-keep mask (255 everywhere)\n"
	"  --incomplete keep   sets that missed a camera are exported (default); skip: not\n"
	"  --copy              copy the files instead of hard-linking them\n"
	"  --socket PATH       photorigd's socket, to find a session by name\n";

enum { O_FOR = 256, O_OUT, O_SETS, O_CAMERAS, O_IMAGE, O_UNMASKED, O_INCOMPLETE, O_COPY,
       O_SOCKET };

static const struct option export_options[] = {
	{ "for", required_argument, NULL, O_FOR },
	{ "out", required_argument, NULL, O_OUT },
	{ "sets", required_argument, NULL, O_SETS },
	{ "cameras", required_argument, NULL, O_CAMERAS },
	{ "image", required_argument, NULL, O_IMAGE },
	{ "unmasked", required_argument, NULL, O_UNMASKED },
	{ "incomplete", required_argument, NULL, O_INCOMPLETE },
	{ "copy", no_argument, NULL, O_COPY },
	{ "socket", required_argument, NULL, O_SOCKET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum image_kind { IMAGE_JPEG, IMAGE_TIFF, IMAGE_RAW };

struct export_opts {
	enum pr_export_tool tool;
	const char *out, *cameras, *sock;
	uint32_t set_lo, set_hi;
	enum image_kind image;
	int unmasked_keep, incomplete_skip, copy;
};

/* One photo of the export. */
struct item {
	char *camera, *image, *mask; /* image, mask: paths in the session; mask NULL: all-keep */
	char *image_dst, *mask_dst;  /* paths in the export */
};

struct plan {
	struct item *items;
	size_t n, cap;
	char **left_out; /* "set 2 cam03 cam03_0002.jpg: mask failed" */
	size_t nleft;
};

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].camera);
		free(p->items[i].image);
		free(p->items[i].mask);
		free(p->items[i].image_dst);
		free(p->items[i].mask_dst);
	}
	for (size_t i = 0; i < p->nleft; i++)
		free(p->left_out[i]);
	free(p->items);
	free(p->left_out);
}

static int leave_out(struct plan *p, uint32_t set, const char *cam, const char *file,
		     const char *why)
{
	char **n = realloc(p->left_out, (p->nleft + 1) * sizeof(*n));
	if (!n)
		return -1;
	p->left_out = n;
	size_t len = strlen(cam) + strlen(file) + strlen(why) + 32;
	if (!(n[p->nleft] = malloc(len)))
		return -1;
	snprintf(n[p->nleft++], len, "set %u %s %s: %s", (unsigned)set, cam, file, why);
	return 0;
}

/* The n-th of mask_files that ends with suffix (the canonical mask is the
 * first; the TIFF is the one ending in .tif). */
static const char *mask_file(json_object *shot, const char *suffix)
{
	json_object *files;
	if (!json_object_object_get_ex(shot, "mask_files", &files) ||
	    !json_object_is_type(files, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(files); i++) {
		const char *f = json_object_get_string(json_object_array_get_idx(files, i));
		size_t n = f ? strlen(f) : 0;
		if (n > strlen(suffix) && !strcmp(f + n - strlen(suffix), suffix))
			return f;
	}
	return NULL;
}

/* The RAW of a RAW+JPEG shot: photorigd keeps the JPEG as the shot's file
 * (it is what gets masked) and the RAW as its first extra file. */
static const char *raw_file(json_object *shot)
{
	json_object *extra, *x;
	if (!json_object_object_get_ex(shot, "extra_files", &extra) ||
	    !json_object_is_type(extra, json_type_array) || !json_object_array_length(extra))
		return NULL;
	x = json_object_array_get_idx(extra, 0);
	const char *f = json_object_is_type(x, json_type_string) ? json_object_get_string(x) :
								    pr_json_str(x, "file", "");
	return f && *f ? f : NULL;
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int add_shot(struct plan *p, const struct export_opts *o, uint32_t set, json_object *shot)
{
	const char *cam = pr_json_str(shot, "camera", "");
	if (!cli_list_has(o->cameras, cam) || strcmp(pr_json_str(shot, "state", ""), "saved"))
		return 0;
	const char *file = pr_json_str(shot, "file", "");
	int masked = !strcmp(pr_json_str(shot, "mask", ""), "written");
	const char *mask = masked ? mask_file(shot, ".png") : NULL;
	const char *image = file;
	if (masked && !mask)
		return leave_out(p, set, cam, file, "the manifest names no mask file");
	if (!masked && !o->unmasked_keep) {
		char why[64];
		snprintf(why, sizeof(why), "not masked (mask %s)", pr_json_str(shot, "mask", "?"));
		return leave_out(p, set, cam, file, why);
	}
	if (o->image == IMAGE_TIFF && !(image = mask_file(shot, ".tif")))
		return leave_out(p, set, cam, file, "no RGBA TIFF (the shot was not masked)");
	if (o->image == IMAGE_RAW && !(image = raw_file(shot)))
		return leave_out(p, set, cam, file, "no RAW file (not a RAW+JPEG capture)");
	char idst[PATH_MAX], mdst[PATH_MAX];
	if (pr_export_image_path(o->tool, cam, base_of(image), idst, sizeof(idst)) ||
	    pr_export_mask_path(o->tool, cam, base_of(image), mdst, sizeof(mdst))) {
		fprintf(stderr, "photorig " CMD ": set %u %s: '%s' cannot be named in an export\n",
			(unsigned)set, cam, image);
		return -1;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct item *n = realloc(p->items, cap * sizeof(*n));
		if (!n)
			return -1;
		p->items = n;
		p->cap = cap;
	}
	struct item *it = &p->items[p->n++];
	*it = (struct item){ strdup(cam), strdup(image), mask ? strdup(mask) : NULL, strdup(idst),
			     strdup(mdst) };
	if (!it->camera || !it->image || (mask && !it->mask) || !it->image_dst || !it->mask_dst)
		return -1;
	return 0;
}

static int plan_make(struct plan *p, const struct export_opts *o, json_object *m)
{
	json_object *sets, *shots;
	json_object_object_get_ex(m, "sets", &sets);
	for (size_t i = 0; i < json_object_array_length(sets); i++) {
		json_object *set = json_object_array_get_idx(sets, i);
		int64_t n = pr_json_int(set, "set", 0);
		if (n < o->set_lo || n > o->set_hi)
			continue;
		if (o->incomplete_skip && !pr_json_bool(set, "complete", 0))
			continue;
		if (!json_object_object_get_ex(set, "shots", &shots) ||
		    !json_object_is_type(shots, json_type_array))
			continue;
		for (size_t k = 0; k < json_object_array_length(shots); k++)
			if (add_shot(p, o, (uint32_t)n, json_object_array_get_idx(shots, k))) {
				fprintf(stderr, "photorig " CMD ": out of memory\n");
				return -1;
			}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* No two photos may share a path in the export (file_template without
 * {camera} in a flat layout; IMG_1.JPG and IMG_1.PNG in one masks folder). */
static int plan_check_unique(const struct plan *p)
{
	char **paths = malloc(2 * p->n * sizeof(*paths) + 1);
	if (!paths)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		paths[2 * i] = p->items[i].image_dst;
		paths[2 * i + 1] = p->items[i].mask_dst;
	}
	qsort(paths, 2 * p->n, sizeof(*paths), cmp_str);
	int rc = 0;
	for (size_t i = 1; i < 2 * p->n && !rc; i++)
		if (!strcmp(paths[i], paths[i - 1])) {
			fprintf(stderr, "photorig " CMD ": two shots would both be %s in this layout: "
				"the rig's file_template must make names unique (add {camera}), or "
				"export with --cameras or --sets\n", paths[i]);
			rc = -1;
		}
	free(paths);
	return rc;
}

/* An all-keep mask at the photo's size, for --unmasked keep. */
static int keep_mask(struct export_tree *t, const char *image, const char *rel)
{
	struct pr_image img;
	struct pr_error err;
	if (pr_decode_file(image, &img, &err)) {
		fprintf(stderr, "photorig " CMD ": %s\n", err.msg);
		return -1;
	}
	uint32_t w = img.width, h = img.height;
	pr_image_free(&img);
	uint8_t *ones = malloc((size_t)w * h), *png = NULL;
	size_t len = 0;
	int rc = -1;
	if (ones) {
		memset(ones, 255, (size_t)w * h);
		if (pr_encode_png_grey8_memory(ones, w, h, w, &png, &len, &err))
			fprintf(stderr, "photorig " CMD ": %s\n", err.msg);
		else
			rc = export_tree_write(t, rel, png, len);
	}
	free(ones);
	free(png);
	return rc;
}

static unsigned count_cameras(const struct plan *p)
{
	unsigned n = 0;
	for (size_t i = 0; i < p->n; i++) {
		size_t k = 0;
		while (k < i && strcmp(p->items[k].camera, p->items[i].camera))
			k++;
		n += k == i;
	}
	return n;
}

static int write_readme(struct export_tree *t, const struct export_opts *o, const char *session,
			const struct plan *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -1;
	pr_export_readme(f, o->tool, t->out, session, (unsigned)p->n, count_cameras(p),
			 o->image == IMAGE_TIFF ? "RGBA TIFF" :
			 o->image == IMAGE_RAW  ? "the cameras' RAW files (masks fitted to the size "
						  "libraw develops them to)" :
						  "the cameras' own files");
	if (p->nleft) {
		fprintf(f, "\nLeft out (no mask; --unmasked keep gives them an all-keep mask):\n");
		for (size_t i = 0; i < p->nleft; i++)
			fprintf(f, "  %s\n", p->left_out[i]);
	}
	fclose(f);
	int rc = text ? export_tree_write(t, "README.txt", text, len) : -1;
	free(text);
	return rc;
}

/* DIR/REL, or -1 (printed) when it does not fit. */
static int join(char *buf, size_t size, const char *dir, const char *rel)
{
	int n = snprintf(buf, size, "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "photorig " CMD ": %s/%s: path too long\n", dir, rel);
		return -1;
	}
	return 0;
}

static int export_run(const struct export_opts *o, const char *dir, json_object *m)
{
	struct plan p = { 0 };
	struct export_tree t;
	char src[PATH_MAX];
	int rc = -1;
	if (plan_make(&p, o, m) || plan_check_unique(&p))
		goto out;
	if (!p.n) {
		fprintf(stderr, "photorig " CMD ": nothing to export: no %sshot in %s%s\n",
			o->image == IMAGE_RAW ? (o->unmasked_keep ? "RAW+JPEG " : "masked RAW+JPEG ") :
			o->unmasked_keep ? "" : "masked ", dir,
			o->cameras || o->set_lo > 1 || o->set_hi < UINT32_MAX ?
				" for those sets and cameras" : "");
		goto out;
	}
	if (export_tree_begin(&t, o->out, o->copy))
		goto out;
	for (size_t i = 0; i < p.n; i++) {
		const struct item *it = &p.items[i];
		if (join(src, sizeof(src), dir, it->image) || export_tree_add(&t, src, it->image_dst))
			goto abort;
		if (o->image == IMAGE_RAW) {
			char msrc[PATH_MAX];
			if ((it->mask && join(msrc, sizeof(msrc), dir, it->mask)) ||
			    export_raw_mask(&t, it->mask ? msrc : NULL, src, it->mask_dst))
				goto abort;
		} else if (it->mask) {
			char msrc[PATH_MAX];
			if (join(msrc, sizeof(msrc), dir, it->mask) ||
			    export_tree_add(&t, msrc, it->mask_dst))
				goto abort;
		} else if (keep_mask(&t, src, it->mask_dst)) {
			goto abort;
		}
	}
	if (write_readme(&t, o, pr_json_str(m, "session", base_of(dir)), &p) ||
	    export_tree_commit(&t))
		goto abort;
	printf("exported %zu photo%s with masks for %s into %s (%u hard link%s, %u cop%s)\n", p.n,
	       p.n == 1 ? "" : "s", pr_export_tool_name(o->tool), t.out, t.links,
	       t.links == 1 ? "" : "s", t.copies, t.copies == 1 ? "y" : "ies");
	for (size_t i = 0; i < p.nleft; i++)
		printf("left out: %s\n", p.left_out[i]);
	printf("see %s/README.txt for the command lines\n", t.out);
	rc = 0;
	goto out;
abort:
	export_tree_abort(&t);
out:
	plan_free(&p);
	return rc;
}

int cmd_export(int argc, char **argv)
{
	struct export_opts o = { .tool = PR_EXPORT_NTOOLS, .set_lo = 1, .set_hi = UINT32_MAX };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", export_options, NULL)) != -1) {
		switch (c) {
		case O_FOR:
			if (pr_export_tool_parse(optarg, &o.tool)) {
				fprintf(stderr, "photorig " CMD ": --for '%s': expected colmap, "
					"metashape, realitycapture or meshroom\n", optarg);
				return 2;
			}
			break;
		case O_OUT:
			o.out = optarg;
			break;
		case O_SETS:
			if (cli_parse_sets(CMD, optarg, &o.set_lo, &o.set_hi))
				return 2;
			break;
		case O_CAMERAS:
			o.cameras = optarg;
			break;
		case O_IMAGE:
			if (!strcmp(optarg, "jpeg") || !strcmp(optarg, "jpg")) {
				o.image = IMAGE_JPEG;
			} else if (!strcmp(optarg, "tiff") || !strcmp(optarg, "tif")) {
				o.image = IMAGE_TIFF;
			} else if (!strcmp(optarg, "raw")) {
				o.image = IMAGE_RAW;
				if (!export_raw_available()) {
					fprintf(stderr, "photorig " CMD ": --image raw: RAW support is "
						"not compiled in (built without libraw; "
						"tools/setup-debian.sh installs libraw-dev)\n");
					return 2;
				}
			} else {
				fprintf(stderr, "photorig " CMD ": --image '%s': expected jpeg, raw "
					"or tiff\n", optarg);
				return 2;
			}
			break;
		case O_UNMASKED:
			if (strcmp(optarg, "skip") && strcmp(optarg, "keep")) {
				fprintf(stderr, "photorig " CMD ": --unmasked '%s': expected skip or "
					"keep\n", optarg);
				return 2;
			}
			o.unmasked_keep = !strcmp(optarg, "keep");
			break;
		case O_INCOMPLETE:
			if (strcmp(optarg, "skip") && strcmp(optarg, "keep")) {
				fprintf(stderr, "photorig " CMD ": --incomplete '%s': expected keep or "
					"skip\n", optarg);
				return 2;
			}
			o.incomplete_skip = !strcmp(optarg, "skip");
			break;
		case O_COPY:
			o.copy = 1;
			break;
		case O_SOCKET:
			o.sock = optarg;
			break;
		case 'h':
			fputs(export_usage, stdout);
			return 0;
		default:
			fputs(export_usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || o.tool == PR_EXPORT_NTOOLS || !o.out) {
		fprintf(stderr, "photorig " CMD ": give one SESSION, --for TOOL and --out DIR\n%s",
			export_usage);
		return 2;
	}
	char dir[PATH_MAX];
	if (cli_session_dir(CMD, argv[optind], o.sock, dir, sizeof(dir)))
		return 1;
	json_object *m = cli_read_manifest(CMD, dir);
	if (!m)
		return 1;
	int rc = cli_check_cameras(CMD, m, o.cameras) ? 2 : export_run(&o, dir, m) ? 1 : 0;
	json_object_put(m);
	return rc;
}
