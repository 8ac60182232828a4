/* photorig scene: write a generated scene with known truth to a folder.
 *
 * The same scenes the tests, the benchmark and the simulated cameras use:
 * plate frames of an empty background, shots with an object, and the truth
 * alpha of every shot. Lets anyone try photorig mask and photorig eval
 * without a rig. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "cmd.h"
#include "cmd_scene_cdnet.h"
#include "atomic_file.h"
#include "imageio.h"
#include "scene.h"

static const char scene_usage[] =
	"usage: photorig scene --out DIR [options]\n"
	"\n"
	"Writes DIR/plate_NN.png (empty background frames), DIR/shot_NN.png (the object\n"
	"in front, turned by --step degrees per shot) and DIR/truth/shot_NN.png (the\n"
	"exact alpha of each shot, for photorig eval).\n"
	"\n"
	"options:\n"
	"  --out DIR            output folder (created if missing)\n"
	"  --frames N           plate frames (default 3)\n"
	"  --shots N            shots (default 1)\n"
	"  --step DEG           object rotation between shots (default 30)\n"
	"  --size WxH           image size (default 640x480)\n"
	"  --background B       textured (default), plain, green or foliage (dense leaves)\n"
	"  --seed N             scene seed (default 1)\n"
	"  --noise SIGMA        sensor noise, 8-bit levels (default 2)\n"
	"  --ev EV              shot exposure relative to the plate (e.g. 0.33)\n"
	"  --wb R,G,B           shot white-balance gains (e.g. 1.05,1,0.94)\n"
	"  --shadow             the object casts a shadow\n"
	"  --thin               the object has thin parts 2 px wide\n"
	"  --camouflage         part of the object has the background's colour\n"
	"  --shadow-ratio R     the shadow's core brightness ratio, 0.05..0.95 (deep: 0.2;\n"
	"                       implies --shadow)\n"
	"  --shadow-tint S      the shadow's colour shifted toward blue sky light by S\n"
	"                       (0..0.5, e.g. 0.08)\n"
	"  --small SCALE        the object at SCALE of its size (0.05..1)\n"
	"  --colours N          the object painted in patches of N colours (2..8)\n"
	"  --platter            a printed turntable platter under the object, turning with\n"
	"                       it (plates at the first shot's angle)\n"
	"  --transient SHARE    a hand reaches into this share of the plate frames (0..1),\n"
	"                       its truth in truth/plate_NN.png\n"
	"  --conditions TEXT    the same as one text, as the sim camera's scene key takes it\n"
	"                       (e.g. \"background=foliage,transient=0.3,shadow=0.2\")\n"
	"  --jpeg Q             write JPEG files at quality Q instead of PNG\n"
	"  --cdnet              write the CDnet change-detection layout instead:\n"
	"                       input/inNNNNNN.jpg (the --frames plate frames, then the\n"
	"                       shots), groundtruth/gtNNNNNN.png, ROI.bmp and\n"
	"                       temporalROI.txt (the shots), for photorig eval --cdnet\n"
	"  -h, --help           this text\n";

enum { O_OUT = 256, O_FRAMES, O_SHOTS, O_STEP, O_SIZE, O_BG, O_SEED, O_NOISE, O_EV, O_WB,
       O_SHADOW, O_THIN, O_CAMO, O_JPEG, O_CDNET, O_SRATIO, O_STINT, O_SMALL, O_COLOURS,
       O_PLATTER, O_TRANSIENT, O_COND };

static const struct option scene_options[] = {
	{ "out", required_argument, NULL, O_OUT },
	{ "frames", required_argument, NULL, O_FRAMES },
	{ "shots", required_argument, NULL, O_SHOTS },
	{ "step", required_argument, NULL, O_STEP },
	{ "size", required_argument, NULL, O_SIZE },
	{ "background", required_argument, NULL, O_BG },
	{ "seed", required_argument, NULL, O_SEED },
	{ "noise", required_argument, NULL, O_NOISE },
	{ "ev", required_argument, NULL, O_EV },
	{ "wb", required_argument, NULL, O_WB },
	{ "shadow", no_argument, NULL, O_SHADOW },
	{ "thin", no_argument, NULL, O_THIN },
	{ "camouflage", no_argument, NULL, O_CAMO },
	{ "jpeg", required_argument, NULL, O_JPEG },
	{ "cdnet", no_argument, NULL, O_CDNET },
	{ "shadow-ratio", required_argument, NULL, O_SRATIO },
	{ "shadow-tint", required_argument, NULL, O_STINT },
	{ "small", required_argument, NULL, O_SMALL },
	{ "colours", required_argument, NULL, O_COLOURS },
	{ "platter", no_argument, NULL, O_PLATTER },
	{ "transient", required_argument, NULL, O_TRANSIENT },
	{ "conditions", required_argument, NULL, O_COND },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Write pixels as PNG, or as JPEG at quality q when q > 0. */
static int write_image(const char *path, const struct pr_image *img, int q)
{
	struct pr_error err;
	int rc;
	if (q > 0) {
		uint8_t *data;
		size_t size;
		rc = pr_encode_jpeg_memory(img, q, &data, &size, &err);
		if (!rc) {
			rc = pr_atomic_write(path, data, size, &err);
			free(data);
		}
	} else {
		rc = pr_write_png(path, img, &err);
	}
	if (rc)
		fprintf(stderr, "photorig scene: %s: %s\n", path, err.msg);
	return rc;
}

int cmd_scene(int argc, char **argv)
{
	struct pr_scene_params sp;
	struct pr_error err;
	const char *out = NULL;
	uint32_t frames = 3, shots = 1, u, quality = 0;
	double step = 30, d;
	int opt, cdnet = 0;
	char path[4096];

	pr_scene_defaults(&sp);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", scene_options, NULL)) != -1) {
		switch (opt) {
		case O_OUT: out = optarg; break;
		case O_FRAMES:
			if (cli_parse_u32("scene", "frames", optarg, 1, 64, &frames))
				return 2;
			break;
		case O_SHOTS:
			if (cli_parse_u32("scene", "shots", optarg, 1, 1000, &shots))
				return 2;
			break;
		case O_STEP:
			if (cli_parse_double("scene", "step", optarg, -360, 360, &step))
				return 2;
			break;
		case O_SIZE:
			if (sscanf(optarg, "%ux%u", &sp.width, &sp.height) != 2 || sp.width < 32 ||
			    sp.height < 32 || sp.width > 20000 || sp.height > 20000) {
				fprintf(stderr, "photorig scene: --size '%s': expected WxH, 32..20000\n",
					optarg);
				return 2;
			}
			break;
		case O_BG:
			if (!strcmp(optarg, "textured"))
				sp.background = PR_SCENE_TEXTURED;
			else if (!strcmp(optarg, "plain"))
				sp.background = PR_SCENE_PLAIN;
			else if (!strcmp(optarg, "green"))
				sp.background = PR_SCENE_GREEN;
			else if (!strcmp(optarg, "foliage"))
				sp.background = PR_SCENE_FOLIAGE;
			else {
				fprintf(stderr, "photorig scene: --background '%s': expected textured, "
						"plain, green or foliage\n", optarg);
				return 2;
			}
			break;
		case O_SEED:
			if (cli_parse_u32("scene", "seed", optarg, 0, UINT32_MAX, &u))
				return 2;
			sp.seed = u;
			break;
		case O_NOISE:
			if (cli_parse_double("scene", "noise", optarg, 0, 64, &d))
				return 2;
			sp.noise_sigma = (float)d;
			break;
		case O_EV:
			if (cli_parse_double("scene", "ev", optarg, -8, 8, &d))
				return 2;
			sp.exposure_ev = (float)d;
			break;
		case O_WB:
			if (sscanf(optarg, "%f,%f,%f", &sp.wb_gain[0], &sp.wb_gain[1], &sp.wb_gain[2]) != 3 ||
			    !(sp.wb_gain[0] > 0 && sp.wb_gain[1] > 0 && sp.wb_gain[2] > 0 &&
			      sp.wb_gain[0] <= 16 && sp.wb_gain[1] <= 16 && sp.wb_gain[2] <= 16)) {
				fprintf(stderr, "photorig scene: --wb '%s': expected R,G,B gains in (0, 16]\n",
					optarg);
				return 2;
			}
			break;
		case O_SHADOW: sp.shadow = 1; break;
		case O_THIN: sp.thin = 1; break;
		case O_CAMO: sp.camouflage = 1; break;
		case O_JPEG:
			if (cli_parse_u32("scene", "jpeg", optarg, 1, 100, &quality))
				return 2;
			break;
		case O_CDNET: cdnet = 1; break;
		case O_SRATIO:
			if (cli_parse_double("scene", "shadow-ratio", optarg, 0.05, 0.95, &d))
				return 2;
			sp.shadow_ratio = (float)d;
			sp.shadow = 1;
			break;
		case O_STINT:
			if (cli_parse_double("scene", "shadow-tint", optarg, 0, 0.5, &d))
				return 2;
			sp.shadow_tint = (float)d;
			break;
		case O_SMALL:
			if (cli_parse_double("scene", "small", optarg, 0.05, 1, &d))
				return 2;
			sp.object_scale = (float)d;
			break;
		case O_COLOURS:
			if (cli_parse_u32("scene", "colours", optarg, 2, 8, &u))
				return 2;
			sp.colours = (int)u;
			break;
		case O_PLATTER: sp.platter = 1; break;
		case O_TRANSIENT:
			if (cli_parse_double("scene", "transient", optarg, 0, 1, &d))
				return 2;
			sp.transient = (float)d;
			break;
		case O_COND:
			if (pr_scene_options_parse(optarg, &sp, &err)) {
				fprintf(stderr, "photorig scene: --conditions: %s\n", err.msg);
				return 2;
			}
			if (sp.jpeg_quality) {
				/* here jpeg=Q means the files written, not a round trip */
				quality = (uint32_t)sp.jpeg_quality;
				sp.jpeg_quality = 0;
			}
			break;
		case 'h': fputs(scene_usage, stdout); return 0;
		case ':':
			fprintf(stderr, "photorig scene: option '%s' needs a value\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "photorig scene: unknown option '%s'\nTry 'photorig scene --help'.\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (!out || optind < argc) {
		fprintf(stderr, "photorig scene: %s\nTry 'photorig scene --help'.\n",
			out ? "unexpected argument" : "--out DIR is required");
		return 2;
	}
	if (cdnet)
		return scene_write_cdnet(&sp, out, frames, shots, step, (int)quality);
	snprintf(path, sizeof(path), "%s/truth", out);
	if (cli_make_dirs("scene", path))
		return 1;
	const char *ext = quality ? "jpg" : "png";
	for (uint32_t i = 0; i < frames; i++) {
		struct pr_image img;
		struct pr_scene_truth pt;
		if (pr_scene_render_plate_truth(&sp, i, &img, &pt, &err)) {
			fprintf(stderr, "photorig scene: %s\n", err.msg);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/plate_%02u.%s", out, i, ext);
		int rc = write_image(path, &img, (int)quality);
		pr_image_free(&img);
		/* a transient's truth, so a test can see where it was */
		snprintf(path, sizeof(path), "%s/truth/plate_%02u.png", out, i);
		if (!rc && pr_scene_plate_has_transient(&sp, i) &&
		    pr_write_png_grey8(path, pt.alpha, pt.width, pt.height, pt.width, &err)) {
			fprintf(stderr, "photorig scene: %s: %s\n", path, err.msg);
			rc = 1;
		}
		pr_scene_truth_free(&pt);
		if (rc)
			return 1;
	}
	const float angle0 = sp.angle_deg;
	for (uint32_t i = 0; i < shots; i++) {
		struct pr_image img;
		struct pr_scene_truth truth;
		sp.shot_index = i;
		sp.angle_deg = angle0 + (float)(step * i);
		if (pr_scene_render_shot(&sp, &img, &truth, &err)) {
			fprintf(stderr, "photorig scene: %s\n", err.msg);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/shot_%02u.%s", out, i, ext);
		int rc = write_image(path, &img, (int)quality);
		snprintf(path, sizeof(path), "%s/truth/shot_%02u.png", out, i);
		if (!rc && pr_write_png_grey8(path, truth.alpha, truth.width, truth.height, truth.width,
					      &err)) {
			fprintf(stderr, "photorig scene: %s: %s\n", path, err.msg);
			rc = 1;
		}
		pr_image_free(&img);
		pr_scene_truth_free(&truth);
		if (rc)
			return 1;
	}
	printf("wrote %u plate frame(s) and %u shot(s) to %s\n", frames, shots, out);
	return 0;
}
