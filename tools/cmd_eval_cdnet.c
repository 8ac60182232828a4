/* photorig eval --cdnet: score photorig's plate method on a recording laid
 * out as the CDnet change-detection benchmark lays out its videos.
 *
 *   DIR/input/inNNNNNN.jpg        the frames, numbered from 1
 *   DIR/groundtruth/gtNNNNNN.png  0 background, 50 shadow, 85 outside the
 *                                 region of interest, 170 unknown, 255 object
 *   DIR/ROI.bmp                   the spatial region of interest (non-zero)
 *   DIR/temporalROI.txt           first and last frame that are scored
 *
 * The frames before the temporal ROI are the only ones a benchmark leaves
 * for learning the background, so the plate is built from the last
 * --plate-frames of them (those nearest in time, so nearest in light), and
 * every frame in the temporal ROI is masked against it with the method the
 * daemon uses. Scoring follows CDnet: pixels labelled 85 or 170 and pixels
 * outside ROI.bmp are not counted, shadow (50) is background, and the false
 * positive rate on shadow pixels is reported on its own, as it says how
 * well cast shadows are told from the object. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "cmd.h"
#include "cmd_eval_cdnet.h"
#include "eval.h"
#include "imageio.h"
#include "mask.h"
#include "plate.h"

#define CDNET_GT_SHADOW 50
#define CDNET_GT_OUTSIDE 85
#define CDNET_MAX_FRAME 999999u

struct cdnet_opts {
	const char *dir, *masks_out;
	uint32_t plate_frames;
	double tolerance;
	uint32_t threads;
	int json;
};

static void cdnet_usage(FILE *out)
{
	fputs("usage: photorig eval --cdnet DIR [--plate-frames N] [--tolerance T]\n"
	      "                     [--masks-out DIR] [--threads N] [--json]\n"
	      "\n"
	      "Mask a recording in the CDnet change-detection layout with photorig's plate\n"
	      "method and score it: DIR/input/inNNNNNN.jpg (frames from 1),\n"
	      "DIR/groundtruth/gtNNNNNN.png (0 background, 50 shadow, 85 outside the region\n"
	      "of interest, 170 unknown, 255 object), DIR/ROI.bmp (scored where non-zero;\n"
	      "the whole frame if absent) and DIR/temporalROI.txt (first and last frame\n"
	      "scored). The plate is built from the N frames just before the first scored\n"
	      "frame; every frame from the first to the last is masked against it.\n"
	      "\n"
	      "  --cdnet DIR          the recording\n"
	      "  --plate-frames N     plate frames (default 10; fewer if fewer come first)\n"
	      "  --tolerance T        plate method tolerance in noise units (default 6)\n"
	      "  --masks-out DIR      also write each mask as DIR/binNNNNNN.png\n"
	      "  --threads N          worker threads (default: one per core)\n"
	      "  --json               print one JSON object instead of text\n"
	      "\n"
	      "Prints recall, precision, F-measure, PWC and the false-positive rate on\n"
	      "shadow pixels (shadow counted as background), with the pixel counts.\n"
	      "Exit status: 0 scored; 1 a file is missing or unreadable, or sizes differ;\n"
	      "2 usage error.\n",
	      out);
}

static int read_temporal_roi(const char *dir, uint32_t *first, uint32_t *last)
{
	char path[4096], extra[2];
	snprintf(path, sizeof(path), "%s/temporalROI.txt", dir);
	FILE *fp = fopen(path, "re");
	if (!fp) {
		fprintf(stderr, "photorig eval: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	long a = 0, b = 0;
	int n = fscanf(fp, "%ld %ld", &a, &b);
	int more = fscanf(fp, " %1s", extra);
	fclose(fp);
	if (n != 2 || more == 1 || a < 1 || b < a || b > (long)CDNET_MAX_FRAME) {
		fprintf(stderr, "photorig eval: %s: expected two frame numbers FIRST LAST with "
				"1 <= FIRST <= LAST <= %u\n", path, CDNET_MAX_FRAME);
		return -1;
	}
	*first = (uint32_t)a;
	*last = (uint32_t)b;
	return 0;
}

static int decode(const char *path, struct pr_image *img)
{
	struct pr_error err = { 0, "" };
	if (pr_decode_file(path, img, &err)) {
		fprintf(stderr, "photorig eval: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int build_plate(const struct cdnet_opts *o, uint32_t from, uint32_t to,
		       struct pr_plate *plate)
{
	struct pr_plate_builder b;
	struct pr_error err = { 0, "" };
	char path[4096];
	pr_plate_builder_init(&b);
	for (uint32_t k = from; k <= to; k++) {
		struct pr_image frame;
		snprintf(path, sizeof(path), "%s/input/in%06u.jpg", o->dir, k);
		if (decode(path, &frame))
			goto fail;
		int rc = pr_plate_builder_add(&b, &frame, path, &err);
		pr_image_free(&frame);
		if (rc) {
			fprintf(stderr, "photorig eval: plate %s\n", err.msg);
			goto fail;
		}
	}
	if (pr_plate_builder_finish(&b, plate, &err)) {
		fprintf(stderr, "photorig eval: %s\n", err.msg);
		goto fail;
	}
	pr_plate_builder_free(&b);
	return 0;
fail:
	pr_plate_builder_free(&b);
	return -1;
}

/* ROI.bmp as a 0/1 plane; the whole frame when the file is absent. */
static int read_roi(const struct cdnet_opts *o, uint32_t w, uint32_t h, uint8_t *roi,
		    int *have)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/ROI.bmp", o->dir);
	FILE *fp = fopen(path, "re");
	*have = fp != NULL;
	if (!fp) {
		memset(roi, 1, (size_t)w * h);
		return 0;
	}
	fclose(fp);
	uint8_t *plane = NULL;
	uint32_t rw, rh;
	if (cmd_eval_read_plane(path, &plane, &rw, &rh))
		return -1;
	if (rw != w || rh != h) {
		fprintf(stderr, "photorig eval: %s is %ux%u but the frames are %ux%u\n", path, rw, rh,
			w, h);
		free(plane);
		return -1;
	}
	for (size_t i = 0; i < (size_t)w * h; i++)
		roi[i] = plane[i] != 0;
	free(plane);
	return 0;
}

struct cdnet_totals {
	struct pr_eval_counts all, shadow;
	uint32_t frames;
	int have_roi;
};

/* Mask frame k and add its pixels to t. */
static int score_frame(const struct cdnet_opts *o, const struct pr_mask_params *mp,
		       const struct pr_plate *plate, uint32_t k, uint8_t **roi, uint8_t **sel,
		       struct cdnet_totals *t)
{
	char in[4096], gtp[4096];
	struct pr_image shot;
	struct pr_mask_result res;
	struct pr_error err = { 0, "" };
	uint8_t *gt = NULL;
	uint32_t gw, gh;
	int rc = -1;
	snprintf(in, sizeof(in), "%s/input/in%06u.jpg", o->dir, k);
	snprintf(gtp, sizeof(gtp), "%s/groundtruth/gt%06u.png", o->dir, k);
	if (decode(in, &shot))
		return -1;
	if (pr_mask_compute_named(mp, plate, &shot, in, &res, &err)) {
		fprintf(stderr, "photorig eval: %s\n", err.msg);
		pr_image_free(&shot);
		return -1;
	}
	const uint32_t w = res.width, h = res.height;
	const size_t n = (size_t)w * h;
	pr_image_free(&shot);
	if (cmd_eval_read_plane(gtp, &gt, &gw, &gh))
		goto out;
	if (gw != w || gh != h) {
		fprintf(stderr, "photorig eval: size mismatch: %s is %ux%u but %s is %ux%u\n", gtp,
			gw, gh, in, w, h);
		goto out;
	}
	if (!*roi) {
		*roi = malloc(n);
		*sel = malloc(n);
		if (!*roi || !*sel) {
			fprintf(stderr, "photorig eval: out of memory\n");
			goto out;
		}
		if (read_roi(o, w, h, *roi, &t->have_roi))
			goto out;
	}
	struct pr_eval_truth_rules rules;
	pr_eval_rules_default(&rules);
	rules.band_lo = rules.band_hi = CDNET_GT_OUTSIDE;
	pr_eval_accumulate(&t->all, &rules, gt, w, res.mask, w, *roi, w, w, h);
	for (size_t i = 0; i < n; i++)
		(*sel)[i] = (*roi)[i] && gt[i] == CDNET_GT_SHADOW;
	pr_eval_accumulate(&t->shadow, &rules, gt, w, res.mask, w, *sel, w, w, h);
	if (o->masks_out) {
		char mp_path[4096];
		snprintf(mp_path, sizeof(mp_path), "%s/bin%06u.png", o->masks_out, k);
		if (pr_write_png_grey8(mp_path, res.mask, w, h, w, &err)) {
			fprintf(stderr, "photorig eval: %s\n", err.msg);
			goto out;
		}
	}
	t->frames++;
	rc = 0;
out:
	free(gt);
	pr_mask_result_free(&res);
	return rc;
}

static void print_result(const struct cdnet_opts *o, uint32_t p0, uint32_t p1, uint32_t first,
			 uint32_t last, const struct cdnet_totals *t)
{
	struct pr_eval_metrics m = pr_eval_metrics(&t->all);
	const struct pr_eval_counts *s = &t->shadow;
	const uint64_t spx = s->fp + s->tn;
	const double sfpr = spx ? (double)s->fp / (double)spx : 0.0;
	if (o->json) {
		printf("{\"cdnet\": \"");
		for (const char *c = o->dir; *c; c++)
			if ((unsigned char)*c < 0x20)
				printf("\\u%04x", (unsigned char)*c);
			else
				printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
		printf("\", \"plate_first\": %u, \"plate_last\": %u, \"plate_frames\": %u, "
		       "\"first\": %u, \"last\": %u, \"frames\": %u, \"roi\": %s, "
		       "\"tp\": %llu, \"fp\": %llu, \"fn\": %llu, \"tn\": %llu, \"unknown\": %llu, "
		       "\"recall\": %.6f, \"precision\": %.6f, \"f\": %.6f, \"pwc\": %.6f, "
		       "\"shadow_pixels\": %llu, \"shadow_fp\": %llu, \"shadow_fpr\": %.6f}\n",
		       p0, p1, p1 - p0 + 1, first, last, t->frames, t->have_roi ? "true" : "false",
		       (unsigned long long)t->all.tp, (unsigned long long)t->all.fp,
		       (unsigned long long)t->all.fn, (unsigned long long)t->all.tn,
		       (unsigned long long)t->all.unknown, m.recall, m.precision, m.f, m.pwc,
		       (unsigned long long)spx, (unsigned long long)s->fp, sfpr);
		return;
	}
	printf("recording    %s\n", o->dir);
	printf("plate        frames %u..%u (%u)\n", p0, p1, p1 - p0 + 1);
	printf("scored       frames %u..%u (%u), %s\n", first, last, t->frames,
	       t->have_roi ? "within ROI.bmp" : "whole frame (no ROI.bmp)");
	printf("recall       %.6f\nprecision    %.6f\nF-measure    %.6f\nPWC          %.6f\n",
	       m.recall, m.precision, m.f, m.pwc);
	if (spx)
		printf("shadow FPR   %.6f (%llu of %llu shadow pixels called object)\n", sfpr,
		       (unsigned long long)s->fp, (unsigned long long)spx);
	else
		printf("shadow FPR   - (no shadow pixels)\n");
	printf("pixels       TP %llu  FP %llu  FN %llu  TN %llu  not counted %llu\n",
	       (unsigned long long)t->all.tp, (unsigned long long)t->all.fp,
	       (unsigned long long)t->all.fn, (unsigned long long)t->all.tn,
	       (unsigned long long)t->all.unknown);
}

static int run_cdnet(const struct cdnet_opts *o)
{
	uint32_t first, last;
	if (read_temporal_roi(o->dir, &first, &last))
		return 1;
	if (first < 2) {
		fprintf(stderr, "photorig eval: %s/temporalROI.txt starts at frame 1: no frame comes "
				"before it to build the plate from\n", o->dir);
		return 1;
	}
	uint32_t p1 = first - 1, n = o->plate_frames < p1 ? o->plate_frames : p1, p0 = p1 - n + 1;
	if (o->masks_out && cli_make_dirs("eval", o->masks_out))
		return 1;
	struct pr_plate plate;
	if (build_plate(o, p0, p1, &plate))
		return 1;
	struct pr_mask_params mp;
	pr_mask_params_default(&mp);
	mp.tolerance = o->tolerance;
	mp.threads = (int)o->threads;
	struct cdnet_totals t;
	memset(&t, 0, sizeof(t));
	uint8_t *roi = NULL, *sel = NULL;
	int status = 0;
	for (uint32_t k = first; k <= last && !status; k++)
		if (score_frame(o, &mp, &plate, k, &roi, &sel, &t))
			status = 1;
	if (!status)
		print_result(o, p0, p1, first, last, &t);
	free(roi);
	free(sel);
	pr_plate_free(&plate);
	return status;
}

int cmd_eval_cdnet(int argc, char **argv)
{
	enum { O_CDNET = 256, O_PLATE, O_TOL, O_MASKS, O_THREADS, O_JSON };
	static const struct option longopts[] = {
		{ "cdnet", required_argument, NULL, O_CDNET },
		{ "plate-frames", required_argument, NULL, O_PLATE },
		{ "tolerance", required_argument, NULL, O_TOL },
		{ "masks-out", required_argument, NULL, O_MASKS },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cdnet_opts o = { NULL, NULL, 10, PR_MASK_DEFAULT_TOLERANCE, 0, 0 };
	opterr = 0;
	optind = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_CDNET: o.dir = optarg; break;
		case O_PLATE:
			if (cli_parse_u32("eval", "plate-frames", optarg, 1, PR_PLATE_MAX_FRAMES,
					  &o.plate_frames))
				return 2;
			break;
		case O_TOL:
			if (cli_parse_double("eval", "tolerance", optarg, 0.1, 1000, &o.tolerance))
				return 2;
			break;
		case O_MASKS: o.masks_out = optarg; break;
		case O_THREADS:
			if (cli_parse_u32("eval", "threads", optarg, 1, 64, &o.threads))
				return 2;
			break;
		case O_JSON: o.json = 1; break;
		case 'h': cdnet_usage(stdout); return 0;
		case ':':
			fprintf(stderr, "photorig eval: option '%s' needs a value\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "photorig eval: unknown option '%s' with --cdnet\n"
					"Try 'photorig eval --cdnet DIR --help'.\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "photorig eval: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!o.dir) {
		cdnet_usage(stderr);
		return 2;
	}
	return run_cdnet(&o);
}
