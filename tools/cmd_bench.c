/* photorig bench: where the time of masking one shot goes.
 *
 * Times, on one machine in one run, every stage a shot passes through in
 * `photorig mask` and in the daemon: JPEG decode, the whole masking stage
 * (pr_mask_compute: decoded pixels in, binary mask and soft alpha out) and
 * its parts, the TIFF and PNG writers. The masking stage is also compared
 * with a naive single pass (max-channel |shot - plate| > 25, one plain loop
 * split across the same threads) measured in the same run, so the ratio
 * does not depend on how fast this machine happens to be today; and it is
 * rerun with each optional stage switched off, so each stage's cost shows.
 * Every figure is the best of --repeat runs: on a shared machine the best
 * run is the one least disturbed by others, and the most repeatable. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "cmd.h"
#include "imageio.h"
#include "mask.h"
#include "parallel.h"
#include "plate.h"
#include "scene.h"

static const char bench_usage[] =
	"usage: photorig bench [--size WxH] [--threads N] [--repeat N] [--frames N]\n"
	"                      [--method M] [--json] [PLATE SHOT...]\n"
	"       photorig bench --rig [--cameras 4,8] [--size WxH] [--sets N] ...\n"
	"\n"
	"--rig measures a whole rig instead: photorigd on simulated cameras, sets per\n"
	"minute, trigger to last file, trigger spread ('photorig bench --rig --help'\n"
	"lists its options).\n"
	"\n"
	"Times each stage of masking a shot and prints, per stage, the best time of\n"
	"--repeat runs and the megapixels per second: decode (JPEG), plate model (built\n"
	"once per camera), naive (one pass of max-channel |shot - plate| > 25), mask\n"
	"(the whole masking stage: decoded pixels in, mask and soft alpha out) with its\n"
	"parts (fit, classify, clean-up, alpha, matte) and its ratio to naive, the mask\n"
	"again with each optional stage switched off, TIFF encode (RGBA, written with\n"
	"fsync) and PNG encode (the mask).\n"
	"\n"
	"Without files it generates a scene (textured background, cast shadow, thin\n"
	"parts); the plate frames pass through JPEG and the shot is encoded once in\n"
	"memory, both at quality 92. With files, PLATE is one plate frame (JPEG, PNG\n"
	"or TIFF) or a saved plate model, and every SHOT is timed in turn; decode then\n"
	"decodes the SHOT file's own bytes, from memory.\n"
	"\n"
	"options:\n"
	"  --size WxH      generated image size (default 6000x4000, 24 MP)\n"
	"  --frames N      generated plate frames (default 1)\n"
	"  --threads N     masking threads, also used by naive (default: one per core)\n"
	"  --repeat N      runs per stage, the best is reported (default 3)\n"
	"  --method M      masking method: plate (default), graphcut, auto or chroma\n"
	"  --conditions T  generate the scene under these conditions, as the sim camera's\n"
	"                  scene key takes them (e.g. \"background=foliage,transient=0.3,\n"
	"                  platter,small=0.3,colours=5,shadow=0.2,tint=0.08\")\n"
	"  --json          print one JSON object instead of text\n"
	"  -h, --help      this text\n";

#define NAIVE_THRESHOLD 25
#define MAX_STAGES 24

enum { O_SIZE = 256, O_THREADS, O_REPEAT, O_FRAMES, O_METHOD, O_JSON, O_COND };

static const struct option bench_options[] = {
	{ "size", required_argument, NULL, O_SIZE },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "repeat", required_argument, NULL, O_REPEAT },
	{ "frames", required_argument, NULL, O_FRAMES },
	{ "method", required_argument, NULL, O_METHOD },
	{ "json", no_argument, NULL, O_JSON },
	{ "conditions", required_argument, NULL, O_COND },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct bench_cfg {
	uint32_t width, height, threads, repeat, frames;
	enum pr_mask_method method;
	int json;
	const char *conditions; /* scene conditions text, or NULL */
};

struct stage {
	const char *name;
	double seconds;
	const char *note;
};

struct report {
	const char *source; /* "generated" or the shot's file name */
	uint32_t width, height;
	struct stage s[MAX_STAGES];
	int n;
	double naive, mask;
};

static void add_stage(struct report *r, const char *name, double seconds, const char *note)
{
	if (r->n < MAX_STAGES)
		r->s[r->n++] = (struct stage){ name, seconds, note };
}

static double min2(double a, double b)
{
	return a < b ? a : b;
}

/* ---- the naive reference pass ------------------------------------------ */

struct naive_job {
	const struct pr_image *shot;
	const uint8_t *mean;
	uint8_t *out;
};

/* The simplest useful mask: the largest per-channel difference against the
 * plate mean, thresholded. Bytes in, bytes out, so it vectorises fully; it
 * is the floor a masking stage's cost is measured against. */
static void naive_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct naive_job *j = ctx;
	const uint32_t w = j->shot->width;
	for (uint32_t y = y0; y < y1; y++) {
		const uint8_t *restrict s = pr_image_row(j->shot, y);
		const uint8_t *restrict m = j->mean + (size_t)y * w * 3;
		uint8_t *restrict o = j->out + (size_t)y * w;
		for (uint32_t x = 0; x < w; x++) {
			uint8_t d0 = s[3 * x] > m[3 * x] ? s[3 * x] - m[3 * x] : m[3 * x] - s[3 * x];
			uint8_t d1 = s[3 * x + 1] > m[3 * x + 1] ? s[3 * x + 1] - m[3 * x + 1]
								  : m[3 * x + 1] - s[3 * x + 1];
			uint8_t d2 = s[3 * x + 2] > m[3 * x + 2] ? s[3 * x + 2] - m[3 * x + 2]
								  : m[3 * x + 2] - s[3 * x + 2];
			uint8_t d = d0 > d1 ? d0 : d1;
			d = d > d2 ? d : d2;
			o[x] = d > NAIVE_THRESHOLD ? 255 : 0;
		}
	}
}

/* ---- inputs -------------------------------------------------------------- */

static int build_plate(const struct pr_image *frames, uint32_t n, struct pr_plate *plate,
		       struct pr_error *err)
{
	struct pr_plate_builder b;
	int rc = 0;
	pr_plate_builder_init(&b);
	for (uint32_t i = 0; i < n && !rc; i++)
		rc = pr_plate_builder_add(&b, &frames[i], "plate", err);
	if (!rc)
		rc = pr_plate_builder_finish(&b, plate, err);
	pr_plate_builder_free(&b);
	return rc;
}

/* Render the plate frames and the shot; the shot comes back as JPEG bytes. */
static int generate(const struct bench_cfg *c, struct pr_image *frames, uint8_t **jpeg,
		    size_t *jpeg_size, struct pr_error *err)
{
	struct pr_scene_params sp;
	struct pr_image shot = { 0 };
	int rc = 0;
	pr_scene_defaults(&sp);
	sp.width = c->width;
	sp.height = c->height;
	sp.shadow = 1;
	sp.thin = 1;
	/* checked when the options were read */
	if (c->conditions && (rc = pr_scene_options_parse(c->conditions, &sp, err)))
		return rc;
	int q = sp.jpeg_quality ? sp.jpeg_quality : 92;
	sp.jpeg_quality = q; /* plates pass through the camera's JPEG too */
	for (uint32_t i = 0; i < c->frames && !rc; i++)
		rc = pr_scene_render_plate(&sp, i, &frames[i], err);
	sp.jpeg_quality = 0;
	if (!rc)
		rc = pr_scene_render_shot(&sp, &shot, NULL, err);
	if (!rc)
		rc = pr_encode_jpeg_memory(&shot, q, jpeg, jpeg_size, err);
	pr_image_free(&shot);
	return rc;
}

/* ---- the measurements ---------------------------------------------------- */

static int time_decode(const struct bench_cfg *c, const uint8_t *data, size_t size,
		       const char *name, struct pr_image *shot, double *best, struct pr_error *err)
{
	*best = 1e30;
	for (uint32_t r = 0; r < c->repeat; r++) {
		struct pr_image img;
		double t = cli_now();
		int rc = pr_decode_memory(data, size, name, &img, err);
		t = cli_now() - t;
		if (rc)
			return rc;
		*best = min2(*best, t);
		pr_image_free(shot);
		*shot = img;
	}
	return 0;
}

static int time_mask(const struct bench_cfg *c, const struct pr_mask_params *p,
		     const struct pr_plate *plate, const struct pr_image *shot,
		     struct pr_mask_timing *best, struct pr_mask_result *keep, struct pr_error *err)
{
	*best = (struct pr_mask_timing){ 1e30, 1e30, 1e30, 1e30, 1e30, 1e30 };
	for (uint32_t r = 0; r < c->repeat; r++) {
		struct pr_mask_result res;
		/* methods that need no plate ignore it */
		int rc = pr_mask_compute(p, plate, shot, &res, err);
		if (rc)
			return rc;
		/* each part's best on its own: parts disturbed in one run are
		 * not charged to the stage */
		best->fit = min2(best->fit, res.timing.fit);
		best->classify = min2(best->classify, res.timing.classify);
		best->cleanup = min2(best->cleanup, res.timing.cleanup);
		best->alpha = min2(best->alpha, res.timing.alpha);
		best->matte = min2(best->matte, res.timing.matte);
		best->total = min2(best->total, res.timing.total);
		if (keep) {
			pr_mask_result_free(keep);
			*keep = res;
		} else {
			pr_mask_result_free(&res);
		}
	}
	return 0;
}

static double time_naive(const struct bench_cfg *c, const struct pr_plate *plate,
			 const struct pr_image *shot, uint8_t *out)
{
	struct naive_job j = { shot, plate->mean, out };
	double best = 1e30;
	for (uint32_t r = 0; r < c->repeat; r++) {
		double t = cli_now();
		pr_parallel_rows((int)c->threads, shot->height, naive_rows, &j);
		best = min2(best, cli_now() - t);
	}
	return best;
}

/* TIFF and PNG are timed as photorig mask writes them: atomically, with
 * fsync, into a scratch folder that is removed afterwards. */
static int time_writers(const struct bench_cfg *c, const struct pr_image *shot,
			const struct pr_mask_result *m, double *tiff, double *png,
			struct pr_error *err)
{
	const char *tmpdir = getenv("TMPDIR");
	char dir[4096], path[4200];
	int rc = 0;
	snprintf(dir, sizeof(dir), "%s/photorig-bench.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(dir))
		return pr_error_set(err, PR_EIO, "cannot create a scratch folder in %s",
				    tmpdir && *tmpdir ? tmpdir : "/tmp");
	*tiff = *png = 1e30;
	for (uint32_t r = 0; r < c->repeat && !rc; r++) {
		snprintf(path, sizeof(path), "%s/shot.tif", dir);
		double t = cli_now();
		rc = pr_write_tiff_rgba(path, shot, m->alpha, m->width, 8, PR_TIFF_DEFAULT, err);
		*tiff = min2(*tiff, cli_now() - t);
		unlink(path);
		if (rc)
			break;
		snprintf(path, sizeof(path), "%s/mask.png", dir);
		t = cli_now();
		rc = pr_write_png_grey8(path, m->mask, m->width, m->height, m->width, err);
		*png = min2(*png, cli_now() - t);
		unlink(path);
	}
	rmdir(dir);
	return rc;
}

static int run_bench(const struct bench_cfg *c, const struct pr_plate *plate,
		     const uint8_t *data, size_t size, const char *name, struct report *rep,
		     struct pr_error *err)
{
	struct pr_image shot = { 0 };
	struct pr_mask_result res = { 0 };
	struct pr_mask_params p;
	struct pr_mask_timing t, off;
	uint8_t *naive = NULL;
	double s;
	int rc;

	pr_mask_params_default(&p);
	p.method = c->method;
	p.tolerance = pr_mask_default_tolerance(c->method);
	p.threads = (int)c->threads;
	rc = time_decode(c, data, size, name, &shot, &s, err);
	if (rc)
		goto out;
	rep->width = shot.width;
	rep->height = shot.height;
	add_stage(rep, "decode", s, "from memory, one thread");
	if (plate->width != shot.width || plate->height != shot.height) {
		rc = pr_error_set(err, PR_ESIZE, "%s is %ux%u but the plate is %ux%u", name,
				  shot.width, shot.height, plate->width, plate->height);
		goto out;
	}
	naive = malloc((size_t)shot.width * shot.height);
	if (!naive) {
		rc = pr_error_set(err, PR_ENOMEM, "out of memory");
		goto out;
	}
	rep->naive = time_naive(c, plate, &shot, naive);
	add_stage(rep, "naive", rep->naive, "max-channel |shot - plate| > 25");
	rc = time_mask(c, &p, plate, &shot, &t, &res, err);
	if (rc)
		goto out;
	rep->mask = t.total;
	add_stage(rep, "mask", t.total, "whole stage: pixels in, mask + alpha out");
	add_stage(rep, "  fit", t.fit, "drift and plate health, fixed sample");
	add_stage(rep, "  classify", t.classify, NULL);
	add_stage(rep, "  clean-up", t.cleanup, "shadows, components, holes");
	add_stage(rep, "  alpha", t.alpha, "guided filter");
	add_stage(rep, "  matte", t.matte, "outline against the plate; graphcut: the cut");
	static const char *const names[] = { "mask --no-drift", "mask --no-shadow",
					     "mask --no-matte", "mask --no-feather" };
	for (int k = 0; k < 4; k++) {
		struct pr_mask_params q = p;
		*(k == 0 ? &q.drift : k == 1 ? &q.shadow : k == 2 ? &q.matte : &q.feather) = 0;
		rc = time_mask(c, &q, plate, &shot, &off, NULL, err);
		if (rc)
			goto out;
		add_stage(rep, names[k], off.total, NULL);
	}
	double tiff = 0, png = 0;
	rc = time_writers(c, &shot, &res, &tiff, &png, err);
	if (rc)
		goto out;
	add_stage(rep, "tiff encode", tiff, "RGBA 8-bit, uncompressed, with fsync");
	add_stage(rep, "png encode", png, "binary mask, with fsync");
out:
	free(naive);
	pr_mask_result_free(&res);
	pr_image_free(&shot);
	return rc;
}

/* ---- output -------------------------------------------------------------- */

static void print_text(const struct bench_cfg *c, const struct report *r)
{
	const double mp = (double)r->width * r->height / 1e6;
	printf("photorig bench: %s, %ux%u = %.1f MP, method %s, %u thread%s, best of %u\n",
	       r->source, r->width, r->height, mp, pr_mask_method_name(c->method), c->threads,
	       c->threads == 1 ? "" : "s", c->repeat);
	printf("%-18s %10s %10s\n", "stage", "ms", "MP/s");
	for (int i = 0; i < r->n; i++) {
		const struct stage *s = &r->s[i];
		if (s->seconds < 1e-6) {
			/* a part the method does not have (auto fits no drift, has
			 * no plate to matte against): timer noise, not a figure */
			printf("%-18s %10s %10s\n", s->name, "-", "-");
			continue;
		}
		printf("%-18s %10.1f %10.1f", s->name, 1e3 * s->seconds, mp / s->seconds);
		if (!strcmp(s->name, "mask"))
			printf("  %.1fx naive", r->mask / r->naive);
		else if (!strncmp(s->name, "mask --", 7))
			printf("  %+.1f ms against mask", 1e3 * (s->seconds - r->mask));
		if (s->note)
			printf("  (%s)", s->note);
		printf("\n");
	}
}

static void print_json(const struct bench_cfg *c, const struct report *r)
{
	const double mp = (double)r->width * r->height / 1e6;
	printf("{\"source\": \"");
	for (const char *p = r->source; *p; p++)
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			printf("\\u%04x", (unsigned char)*p);
		else
			putchar(*p);
	printf("\", \"width\": %u, \"height\": %u, \"megapixels\": %.3f, \"method\": \"%s\", "
	       "\"threads\": %u, \"repeat\": %u, \"best_of\": %u, \"mask_to_naive\": %.3f, "
	       "\"stages\": [",
	       r->width, r->height, mp, pr_mask_method_name(c->method), c->threads, c->repeat,
	       c->repeat, r->mask / r->naive);
	for (int i = 0; i < r->n; i++) {
		const char *name = r->s[i].name;
		while (*name == ' ')
			name++;
		printf("%s{\"name\": \"%s\", \"seconds\": %.6f, \"mp_per_s\": ", i ? ", " : "",
		       name, r->s[i].seconds);
		if (r->s[i].seconds >= 1e-6)
			printf("%.1f}", mp / r->s[i].seconds);
		else
			printf("null}");
	}
	printf("]}\n");
}

/* ---- the command --------------------------------------------------------- */

static int parse_bench_args(int argc, char **argv, struct bench_cfg *c)
{
	uint32_t u;
	int opt;
	*c = (struct bench_cfg){ 6000, 4000, 0, 3, 1, PR_MASK_PLATE, 0, NULL };
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", bench_options, NULL)) != -1) {
		switch (opt) {
		case O_SIZE:
			if (sscanf(optarg, "%ux%u", &c->width, &c->height) != 2 || c->width < 32 ||
			    c->height < 32 || c->width > 20000 || c->height > 20000) {
				fprintf(stderr, "photorig bench: --size '%s': expected WxH, 32..20000\n",
					optarg);
				return 2;
			}
			break;
		case O_THREADS:
			if (cli_parse_u32("bench", "threads", optarg, 1, 64, &c->threads))
				return 2;
			break;
		case O_REPEAT:
			if (cli_parse_u32("bench", "repeat", optarg, 1, 1000, &c->repeat))
				return 2;
			break;
		case O_FRAMES:
			if (cli_parse_u32("bench", "frames", optarg, 1, 16, &u))
				return 2;
			c->frames = u;
			break;
		case O_METHOD:
			if (pr_mask_method_parse(optarg, &c->method)) {
				fprintf(stderr, "photorig bench: --method '%s': unknown method\n", optarg);
				return 2;
			}
			break;
		case O_JSON: c->json = 1; break;
		case O_COND: {
			struct pr_scene_params sp;
			struct pr_error err;
			pr_scene_defaults(&sp);
			if (pr_scene_options_parse(optarg, &sp, &err)) {
				fprintf(stderr, "photorig bench: --conditions: %s\n", err.msg);
				return 2;
			}
			c->conditions = optarg;
			break;
		}
		case 'h': fputs(bench_usage, stdout); return -1;
		case ':':
			fprintf(stderr, "photorig bench: option '%s' needs a value\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "photorig bench: unknown option '%s'\n"
					"Try 'photorig bench --help'.\n", argv[optind - 1]);
			return 2;
		}
	}
	if (c->threads == 0)
		c->threads = (uint32_t)pr_cpu_count();
	if (optind < argc && argc - optind < 2) {
		fprintf(stderr, "photorig bench: give a PLATE and at least one SHOT\n");
		return 2;
	}
	return 0;
}

/* A saved plate model (its magic) is loaded; anything else is a frame. */
static int load_plate_file(const char *path, struct pr_plate *plate, struct pr_error *err)
{
	struct pr_image frame;
	char magic[8] = { 0 };
	FILE *fp = fopen(path, "rbe");
	if (fp) {
		size_t n = fread(magic, 1, sizeof(magic), fp);
		fclose(fp);
		if (n == sizeof(magic) && !memcmp(magic, "PRPLATE", 8))
			return pr_plate_load(path, plate, err);
	}
	int rc = pr_decode_file(path, &frame, err);
	if (!rc)
		rc = build_plate(&frame, 1, plate, err);
	pr_image_free(&frame);
	return rc;
}

int cmd_bench(int argc, char **argv)
{
	struct bench_cfg c;
	struct pr_error err;
	struct pr_plate plate = { 0 };
	struct pr_image frames[16] = { { 0 } };
	/* --rig measures the whole capture path through photorigd (cmd_bench_rig.c) */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--rig"))
			return cmd_bench_rig(argc, argv);
	int status = parse_bench_args(argc, argv, &c);
	if (status)
		return status < 0 ? 0 : status;

	if (optind == argc) {
		char source[512];
		snprintf(source, sizeof(source), "generated scene%s%s", c.conditions ? ": " : "",
			 c.conditions ? c.conditions : "");
		struct report rep = { .source = source };
		uint8_t *jpeg = NULL;
		size_t size = 0;
		double t = 1e30;
		int rc = generate(&c, frames, &jpeg, &size, &err);
		for (uint32_t r = 0; r < c.repeat && !rc; r++) {
			double t0 = cli_now();
			pr_plate_free(&plate);
			rc = build_plate(frames, c.frames, &plate, &err);
			t = min2(t, cli_now() - t0);
		}
		for (uint32_t i = 0; i < c.frames; i++)
			pr_image_free(&frames[i]);
		if (!rc)
			rc = run_bench(&c, &plate, jpeg, size, "generated shot", &rep, &err);
		free(jpeg);
		pr_plate_free(&plate);
		if (rc) {
			fprintf(stderr, "photorig bench: %s\n", err.msg);
			return 1;
		}
		/* the plate model is built once per camera, not per shot: shown
		 * after the per-shot stages */
		add_stage(&rep, "plate model", t, "once per camera, not per shot");
		(c.json ? print_json : print_text)(&c, &rep);
		return 0;
	}
	if (load_plate_file(argv[optind], &plate, &err)) {
		fprintf(stderr, "photorig bench: %s\n", err.msg);
		return 1;
	}
	for (int i = optind + 1; i < argc; i++) {
		struct report rep = { .source = argv[i] };
		uint8_t *data;
		size_t size;
		int rc = pr_read_file(argv[i], PR_IMAGE_MAX_FILE_SIZE, &data, &size, &err);
		if (!rc) {
			rc = run_bench(&c, &plate, data, size, argv[i], &rep, &err);
			free(data);
		}
		if (rc) {
			fprintf(stderr, "photorig bench: %s\n", err.msg);
			status = 1;
			continue;
		}
		(c.json ? print_json : print_text)(&c, &rep);
	}
	pr_plate_free(&plate);
	return status;
}
