/* photorig mask: mask shots against background plates, offline.
 *
 * This command line is a contract other programs call; its options and its
 * one-line-per-shot output stay stable. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "cmd.h"
#include "cmd_mask_backdrop.h"
#include "imageio.h"
#include "mask.h"
#include "outputs.h"
#include "plate.h"

static const char mask_usage[] =
	"usage: photorig mask --plate FILE [--plate FILE ...] --out DIR [--method M]\n"
	"                     [--tolerance N] [--invert] [--include POLY] [--exclude POLY]\n"
	"                     [--key-color RRGGBB] [--conventions LIST] [--compression C]\n"
	"                     [--backdrop COLOR|FILE [--crop-margin M] [--aspect W:H]] SHOT...\n"
	"\n"
	"Masks every SHOT against the background plate built from the --plate files and\n"
	"writes, for a shot N with stem S: OUT/masks/S.png (255 = object, 0 = background)\n"
	"and OUT/S.tif (RGBA: the shot with the soft mask as alpha). Prints one line per\n"
	"shot: file, foreground %%, time, and plate-health figures. Exit status 0 if every\n"
	"shot succeeded; a shot that fails is named with the reason and the others go on.\n"
	"\n"
	"Pixels stay on the grid stored in the file: EXIF orientation is not applied, so\n"
	"masks line up with what photogrammetry tools read.\n"
	"\n"
	"options:\n"
	"  --plate FILE        an empty-background frame of the same camera (JPEG, PNG or\n"
	"                      TIFF); repeat for several frames: per-pixel noise is then\n"
	"                      measured. A saved plate model (--save-plate) also works.\n"
	"  --save-plate FILE   also save the plate model built from the --plate frames\n"
	"  --out DIR           output folder (created if missing)\n"
	"  --method M          plate: background differencing against the plate (default)\n"
	"                      graphcut: plate, with outlines decided by a minimum graph cut\n"
	"                      chroma: colour key for green / blue screens (no plate)\n"
	"                      auto: no plate; the image border is taken as background\n"
	"  --tolerance N       plate: distance in noise units (default 6; higher = fewer\n"
	"                      foreground pixels); chroma: chromaticity distance (default 40)\n"
	"  --invert            write 255 for background and 0 for the object\n"
	"  --include POLY      region always kept: rect:X,Y,W,H or poly:X1,Y1,X2,Y2,X3,Y3,...\n"
	"                      in pixels of the stored image (repeatable)\n"
	"  --exclude POLY      region always background (repeatable; wins over --include)\n"
	"  --key-color RRGGBB  chroma key colour (default 00B140, chroma-key green)\n"
	"  --conventions LIST  also write masks named for: metashape (S_mask.png),\n"
	"                      realitycapture (N.mask.png), colmap (masks/N.png),\n"
	"                      alicevision (masks/S.png, always written)\n"
	"  --compression C     TIFF compression: none, lzw, deflate, zstd (default: %s)\n"
	"  --bits B            TIFF bits per sample, 8 or 16 (default: the shot's own)\n"
	"  --no-tiff           write masks only\n"
	MASK_BACKDROP_USAGE
	"stages (defaults suit most rigs):\n"
	"  --no-drift          do not compensate exposure / white-balance drift\n"
	"  --no-shadow         do not treat cast shadows as background\n"
	"  --shadow-min R      darkest shadow, as a brightness ratio (default 0.1)\n"
	"  --hysteresis R      weak-evidence threshold as a fraction of the tolerance\n"
	"                      (default 0.5; 1 turns hysteresis off)\n"
	"  --edge-shift PX     allowance for sub-pixel plate misregistration (default 0.3)\n"
	"  --min-area N        remove objects smaller than N pixels (default: frame/20000)\n"
	"  --hole-area N       fill enclosed holes smaller than N pixels (default: as min-area)\n"
	"  --keep-largest N    keep only the N largest objects\n"
	"  --open R, --close R morphological opening / closing radius (default 0: off)\n"
	"  --no-matte          do not refine outlines against the plate (where detection\n"
	"                      keeps every pixel the object touches)\n"
	"  --no-feather        alpha = the binary mask (no soft edges)\n"
	"  --feather-radius R  guided-filter radius for the soft alpha (default: auto)\n"
	"  --threads N         worker threads (default: one per core)\n"
	"  -h, --help          this text\n";

enum {
	OPT_PLATE = 256, OPT_SAVE_PLATE, OPT_OUT, OPT_METHOD, OPT_TOLERANCE, OPT_INVERT,
	OPT_INCLUDE, OPT_EXCLUDE, OPT_KEY, OPT_CONV, OPT_COMP, OPT_BITS, OPT_NO_TIFF,
	OPT_NO_DRIFT, OPT_NO_SHADOW, OPT_SHADOW_MIN, OPT_HYST, OPT_EDGE, OPT_MIN_AREA,
	OPT_HOLE_AREA, OPT_KEEP, OPT_OPEN, OPT_CLOSE, OPT_NO_FEATHER, OPT_FEATHER_R, OPT_THREADS,
	OPT_NO_MATTE,
};

static const struct option mask_options[] = {
	{ "plate", required_argument, NULL, OPT_PLATE },
	{ "save-plate", required_argument, NULL, OPT_SAVE_PLATE },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
	{ "invert", no_argument, NULL, OPT_INVERT },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "key-color", required_argument, NULL, OPT_KEY },
	{ "conventions", required_argument, NULL, OPT_CONV },
	{ "compression", required_argument, NULL, OPT_COMP },
	{ "bits", required_argument, NULL, OPT_BITS },
	{ "no-tiff", no_argument, NULL, OPT_NO_TIFF },
	{ "no-drift", no_argument, NULL, OPT_NO_DRIFT },
	{ "no-shadow", no_argument, NULL, OPT_NO_SHADOW },
	{ "shadow-min", required_argument, NULL, OPT_SHADOW_MIN },
	{ "hysteresis", required_argument, NULL, OPT_HYST },
	{ "edge-shift", required_argument, NULL, OPT_EDGE },
	{ "min-area", required_argument, NULL, OPT_MIN_AREA },
	{ "hole-area", required_argument, NULL, OPT_HOLE_AREA },
	{ "keep-largest", required_argument, NULL, OPT_KEEP },
	{ "open", required_argument, NULL, OPT_OPEN },
	{ "close", required_argument, NULL, OPT_CLOSE },
	{ "no-feather", no_argument, NULL, OPT_NO_FEATHER },
	{ "no-matte", no_argument, NULL, OPT_NO_MATTE },
	{ "feather-radius", required_argument, NULL, OPT_FEATHER_R },
	{ "threads", required_argument, NULL, OPT_THREADS },
	MASK_BACKDROP_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define MAX_PLATES 256

struct mask_cli {
	const char *plates[MAX_PLATES];
	unsigned nplates;
	const char *save_plate;
	const char *out;
	int tolerance_given;
	struct pr_mask_params params;
	struct pr_output_options output;
	struct mask_backdrop backdrop;
};

static int method_needs_plate(enum pr_mask_method m)
{
	return m == PR_MASK_PLATE || m == PR_MASK_GRAPHCUT;
}

static int parse_mask_args(int argc, char **argv, struct mask_cli *c)
{
	struct pr_error err;
	uint32_t u;
	double d;
	int opt;

	pr_mask_params_default(&c->params);
	pr_output_options_default(&c->output);
	mask_backdrop_init(&c->backdrop);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", mask_options, NULL)) != -1) {
		switch (opt) {
		case OPT_PLATE:
			if (c->nplates == MAX_PLATES) {
				fprintf(stderr, "photorig mask: at most %d --plate files\n", MAX_PLATES);
				return 2;
			}
			c->plates[c->nplates++] = optarg;
			break;
		case OPT_SAVE_PLATE: c->save_plate = optarg; break;
		case OPT_OUT: c->out = optarg; break;
		case OPT_METHOD:
			if (pr_mask_method_parse(optarg, &c->params.method)) {
				fprintf(stderr, "photorig mask: --method '%s': expected plate, graphcut, "
						"chroma or auto\n", optarg);
				return 2;
			}
			break;
		case OPT_TOLERANCE:
			if (cli_parse_double("mask", "tolerance", optarg, 0.01, 10000, &c->params.tolerance))
				return 2;
			c->tolerance_given = 1;
			break;
		case OPT_INVERT: c->params.invert = 1; break;
		case OPT_INCLUDE:
		case OPT_EXCLUDE:
			if (c->params.nregions == PR_MASK_MAX_REGIONS) {
				fprintf(stderr, "photorig mask: at most %d regions\n", PR_MASK_MAX_REGIONS);
				return 2;
			}
			if (pr_region_parse(optarg, opt == OPT_EXCLUDE,
					    &c->params.regions[c->params.nregions], &err)) {
				fprintf(stderr, "photorig mask: --%s: %s\n",
					opt == OPT_EXCLUDE ? "exclude" : "include", err.msg);
				return 2;
			}
			c->params.nregions++;
			break;
		case OPT_KEY:
			if (cli_parse_color("mask", "key-color", optarg, c->params.key_rgb))
				return 2;
			break;
		case OPT_CONV:
			if (pr_conventions_parse(optarg, &c->output.conventions, &err)) {
				fprintf(stderr, "photorig mask: --conventions: %s\n", err.msg);
				return 2;
			}
			break;
		case OPT_COMP:
			if (pr_tiff_compression_parse(optarg, &c->output.compression)) {
				fprintf(stderr, "photorig mask: --compression '%s': expected none, lzw, "
						"deflate or zstd\n", optarg);
				return 2;
			}
			break;
		case OPT_BITS:
			if (cli_parse_u32("mask", "bits", optarg, 8, 16, &u) || (u != 8 && u != 16)) {
				if (u != 8 && u != 16)
					fprintf(stderr, "photorig mask: --bits: expected 8 or 16\n");
				return 2;
			}
			c->output.tiff_bits = (int)u;
			break;
		case OPT_NO_TIFF: c->output.write_tiff = 0; break;
		case OPT_NO_DRIFT: c->params.drift = 0; break;
		case OPT_NO_SHADOW: c->params.shadow = 0; break;
		case OPT_SHADOW_MIN:
			if (cli_parse_double("mask", "shadow-min", optarg, 0, 1, &c->params.shadow_min))
				return 2;
			break;
		case OPT_HYST:
			if (cli_parse_double("mask", "hysteresis", optarg, 0.05, 1, &c->params.hysteresis))
				return 2;
			break;
		case OPT_EDGE:
			if (cli_parse_double("mask", "edge-shift", optarg, 0, 10, &d))
				return 2;
			c->params.edge_shift = d;
			break;
		case OPT_MIN_AREA:
			if (cli_parse_u32("mask", "min-area", optarg, 1, UINT32_MAX, &c->params.min_area))
				return 2;
			break;
		case OPT_HOLE_AREA:
			if (cli_parse_u32("mask", "hole-area", optarg, 1, UINT32_MAX, &c->params.hole_area))
				return 2;
			break;
		case OPT_KEEP:
			if (cli_parse_u32("mask", "keep-largest", optarg, 1, 1000000,
					  &c->params.keep_largest))
				return 2;
			break;
		case OPT_OPEN:
			if (cli_parse_u32("mask", "open", optarg, 0, 50, &c->params.open_radius))
				return 2;
			break;
		case OPT_CLOSE:
			if (cli_parse_u32("mask", "close", optarg, 0, 50, &c->params.close_radius))
				return 2;
			break;
		case OPT_NO_FEATHER: c->params.feather = 0; break;
		case OPT_NO_MATTE: c->params.matte = 0; break;
		case OPT_FEATHER_R:
			if (cli_parse_u32("mask", "feather-radius", optarg, 1, 200,
					  &c->params.feather_radius))
				return 2;
			break;
		case OPT_THREADS:
			if (cli_parse_u32("mask", "threads", optarg, 1, 64, &u))
				return 2;
			c->params.threads = (int)u;
			break;
		case OPT_BACKDROP: case OPT_BACKDROP_FORMAT: case OPT_BACKDROP_QUALITY:
		case OPT_CROP_MARGIN: case OPT_ASPECT: case OPT_NO_DECONTAMINATE:
			if (mask_backdrop_option(&c->backdrop, opt, optarg))
				return 2;
			break;
		case 'h':
			printf(mask_usage, pr_tiff_compression_name(PR_TIFF_DEFAULT));
			return -1;
		case ':':
			fprintf(stderr, "photorig mask: option '%s' needs a value\n", argv[optind - 1]);
			fprintf(stderr, "Try 'photorig mask --help'.\n");
			return 2;
		default:
			fprintf(stderr, "photorig mask: unknown option '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'photorig mask --help'.\n");
			return 2;
		}
	}
	if (!c->tolerance_given)
		c->params.tolerance = pr_mask_default_tolerance(c->params.method);
	if (!c->out) {
		fprintf(stderr, "photorig mask: --out DIR is required\nTry 'photorig mask --help'.\n");
		return 2;
	}
	if (method_needs_plate(c->params.method) && c->nplates == 0) {
		fprintf(stderr, "photorig mask: method '%s' needs at least one --plate FILE\n",
			pr_mask_method_name(c->params.method));
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "photorig mask: no SHOT given\nTry 'photorig mask --help'.\n");
		return 2;
	}
	return 0;
}

static int is_plate_model(const char *path)
{
	char magic[8] = { 0 };
	FILE *fp = fopen(path, "rbe");
	if (!fp)
		return 0;
	size_t n = fread(magic, 1, sizeof(magic), fp);
	fclose(fp);
	return n == sizeof(magic) && !memcmp(magic, "PRPLATE", 8);
}

/* Build (or load) the plate model; prints the reason and returns nonzero on failure. */
static int load_plate(const struct mask_cli *c, struct pr_plate *plate)
{
	struct pr_error err;
	struct pr_plate_builder b;

	if (c->nplates == 1 && is_plate_model(c->plates[0])) {
		if (pr_plate_load(c->plates[0], plate, &err)) {
			fprintf(stderr, "photorig mask: %s\n", err.msg);
			return 1;
		}
		return 0;
	}
	pr_plate_builder_init(&b);
	for (unsigned i = 0; i < c->nplates; i++) {
		struct pr_image frame;
		if (is_plate_model(c->plates[i])) {
			fprintf(stderr, "photorig mask: %s: a saved plate model must be the only --plate\n",
				c->plates[i]);
			pr_plate_builder_free(&b);
			return 1;
		}
		if (pr_decode_file(c->plates[i], &frame, &err) ||
		    pr_plate_builder_take(&b, &frame, c->plates[i], &err)) {
			fprintf(stderr, "photorig mask: plate %s\n", err.msg);
			pr_image_free(&frame);
			pr_plate_builder_free(&b);
			return 1;
		}
		pr_image_free(&frame);
	}
	int rc = pr_plate_builder_finish(&b, plate, &err);
	pr_plate_builder_free(&b);
	if (rc) {
		fprintf(stderr, "photorig mask: %s\n", err.msg);
		return 1;
	}
	if (c->save_plate && pr_plate_save(plate, c->save_plate, &err)) {
		fprintf(stderr, "photorig mask: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static void print_shot_line(const char *name, const struct pr_mask_result *r, double seconds,
			    int plate_method)
{
	const struct pr_mask_stats *st = &r->stats;
	printf("%s  fg %.2f%%  %.3f s", name, 100.0 * st->foreground, seconds);
	if (plate_method) {
		printf("  gain %.3f,%.3f,%.3f  residual %.2f  edges %.2f", st->gain[0], st->gain[1],
		       st->gain[2], st->drift_residual, st->edge_agreement);
		if (st->stale_plate)
			printf("  STALE-PLATE");
		if (st->camera_moved)
			printf("  CAMERA-MOVED");
	}
	if (st->touches_border)
		printf("  touches-border");
	printf("\n");
	fflush(stdout);
}

/* Decoding a 24 MP JPEG takes one core ~80 ms, and masking uses both: so a
 * shot is decoded ahead, in a thread of its own, while the other core has
 * other work. The first shot decodes while the plate is built, each next
 * one while the current shot's outputs are written. Errors are kept and
 * reported when the shot's turn comes, exactly as without the thread. */
struct prefetch {
	const char *path;
	pthread_t tid;
	int started, rc;
	double seconds; /* the decode's own time, charged to the shot */
	struct pr_image img;
	struct pr_error err;
};

static void *prefetch_main(void *arg)
{
	struct prefetch *p = arg;
	double t0 = cli_now();
	p->rc = pr_decode_file(p->path, &p->img, &p->err);
	p->seconds = cli_now() - t0;
	return NULL;
}

static void prefetch_start(struct prefetch *p, const char *path)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	p->started = path && pthread_create(&p->tid, NULL, prefetch_main, p) == 0;
}

/* The decoded shot (or the decode, done now if no thread could start). */
static int prefetch_take(struct prefetch *p, struct pr_image *img, struct pr_error *err,
			 double *seconds)
{
	if (p->started)
		pthread_join(p->tid, NULL);
	else
		prefetch_main(p);
	p->started = 0;
	*img = p->img;
	*err = p->err;
	*seconds = p->seconds;
	return p->rc;
}

/* A shot decoded ahead whose turn never came (the plate failed). */
static void prefetch_drop(struct prefetch *p)
{
	if (!p->started)
		return;
	pthread_join(p->tid, NULL);
	p->started = 0;
	if (!p->rc)
		pr_image_free(&p->img);
}

/* Mask the shot decoded ahead in `ahead`, and start decoding `next`. */
static int mask_one(const struct mask_cli *c, const struct pr_plate *plate, const char *path,
		    struct prefetch *ahead, const char *next)
{
	struct pr_error err;
	struct pr_image shot;
	struct pr_mask_result r;
	double t0 = cli_now(), decode;
	int plate_method = method_needs_plate(c->params.method);

	int rc = prefetch_take(ahead, &shot, &err, &decode);
	t0 -= decode;
	if (rc) {
		fprintf(stderr, "photorig mask: %s\n", err.msg);
		prefetch_start(ahead, next);
		return 1;
	}
	rc = pr_mask_compute_named(&c->params, plate_method ? plate : NULL, &shot, path, &r, &err);
	/* the next shot decodes while this one's outputs are written */
	prefetch_start(ahead, next);
	if (rc) {
		fprintf(stderr, "photorig mask: %s\n", err.msg);
		pr_image_free(&shot);
		return 1;
	}
	rc = pr_outputs_write(c->out, path, &shot, &r, &c->output, &err);
	if (rc)
		fprintf(stderr, "photorig mask: %s: %s\n", path, err.msg);
	else if (!(rc = mask_backdrop_write(&c->backdrop, c->out, path, &shot, &r,
					    plate_method ? plate : NULL)))
		print_shot_line(path, &r, cli_now() - t0, plate_method);
	pr_mask_result_free(&r);
	pr_image_free(&shot);
	return rc ? 1 : 0;
}

int cmd_mask(int argc, char **argv)
{
	struct mask_cli *c = calloc(1, sizeof(*c));
	struct pr_plate plate = { 0 };
	int status;

	if (!c) {
		fprintf(stderr, "photorig mask: out of memory\n");
		return 1;
	}
	status = parse_mask_args(argc, argv, c);
	if (status) {
		free(c);
		return status < 0 ? 0 : status;
	}
	if ((status = mask_backdrop_load(&c->backdrop, c->params.invert))) {
		free(c);
		return status;
	}
	if (cli_make_dirs("mask", c->out)) {
		mask_backdrop_free(&c->backdrop);
		free(c);
		return 1;
	}
	struct prefetch ahead;
	prefetch_start(&ahead, argv[optind]); /* while the plate is built */
	if (method_needs_plate(c->params.method) && load_plate(c, &plate)) {
		prefetch_drop(&ahead);
		mask_backdrop_free(&c->backdrop);
		free(c);
		return 1;
	}
	status = 0;
	for (int i = optind; i < argc; i++)
		status |= mask_one(c, &plate, argv[i], &ahead, i + 1 < argc ? argv[i + 1] : NULL);
	pr_plate_free(&plate);
	mask_backdrop_free(&c->backdrop);
	free(c);
	return status;
}
