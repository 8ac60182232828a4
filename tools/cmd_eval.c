/* photorig eval: score masks against truth masks with the CDnet 2014
 * metrics, for one pair of files or two folders of them.
 *
 * Folders are summed over all pixels before the ratios are taken (as CDnet
 * scores a category), so a large image weighs more than a small one. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd.h"
#include "cmd_eval_cdnet.h"
#include "eval.h"
#include "imageio.h"

static void usage(FILE *out)
{
	fputs("usage: photorig eval --truth T --mask M [--unknown-band LO,HI]\n"
	      "                     [--no-cdnet-unknown] [--json]\n"
	      "       photorig eval --cdnet DIR [--plate-frames N] ... (see --cdnet DIR --help)\n"
	      "\n"
	      "Score masks against truth masks with the CDnet 2014 metrics: precision,\n"
	      "recall, F-measure, IoU and PWC (percentage of wrong classifications).\n"
	      "\n"
	      "  -t, --truth PATH         truth mask: an image file, or a folder of them\n"
	      "  -m, --mask PATH          mask to score: an image file, or a folder when\n"
	      "                           --truth is a folder\n"
	      "  -u, --unknown-band LO,HI also leave truth values LO..HI (inclusive, 0..255)\n"
	      "                           uncounted, e.g. 40,215 for a soft alpha matte\n"
	      "      --no-cdnet-unknown   count truth value 170 like any other value (by\n"
	      "                           default it is CDnet's \"unknown\" and not counted)\n"
	      "  -j, --json               print one JSON object instead of text\n"
	      "  -h, --help               show this help\n"
	      "\n"
	      "Images may be PNG, JPEG or TIFF, 8 or 16 bits. The value read is the alpha\n"
	      "channel of a grey+alpha or RGBA image (so photorig's RGBA TIFF outputs can be\n"
	      "scored directly), otherwise the first channel; 16-bit values are scaled to 8\n"
	      "bits. Truth values >= 128 are foreground (soft truth is thresholded at 128),\n"
	      "others background; mask values >= 128 are foreground.\n"
	      "\n"
	      "Folders: every image S.png/S.jpg/S.tif in the truth folder is paired with\n"
	      "the mask named S, S_mask or S.mask (any of those extensions) in the mask\n"
	      "folder. Each pair gets a line, then the total over all their pixels. Masks\n"
	      "with no truth are ignored; a truth with no mask is an error.\n"
	      "\n"
	      "--cdnet DIR masks a recording in the CDnet change-detection layout (input/,\n"
	      "groundtruth/, ROI.bmp, temporalROI.txt) against a plate built from the frames\n"
	      "before its temporal ROI, and scores it.\n"
	      "\n"
	      "Exit status: 0 scored; 1 a file could not be read, sizes differ or a mask is\n"
	      "missing; 2 usage error.\n",
	      out);
}

struct opts {
	const char *truth, *mask;
	struct pr_eval_truth_rules rules;
	int json;
};

struct result {
	char *truth, *mask;
	struct pr_eval_counts c;
};

static int image_ext(const char *name)
{
	const char *dot = strrchr(name, '.');
	static const char *const exts[] = { "png", "jpg", "jpeg", "tif", "tiff" };
	if (!dot)
		return 0;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcasecmp(dot + 1, exts[i]))
			return 1;
	return 0;
}

/* The 8-bit plane to score: alpha if the image has one, else channel 0. */
int cmd_eval_read_plane(const char *path, uint8_t **plane, uint32_t *w, uint32_t *h)
{
	struct pr_image img;
	struct pr_error err = { 0, "" };
	if (pr_decode_file(path, &img, &err)) {
		fprintf(stderr, "photorig eval: %s\n", err.msg);
		return -1;
	}
	const unsigned ch = img.channels, sel = (ch == 2 || ch == 4) ? ch - 1 : 0;
	uint8_t *p = malloc((size_t)img.width * img.height);
	if (!p) {
		fprintf(stderr, "photorig eval: out of memory reading %s\n", path);
		pr_image_free(&img);
		return -1;
	}
	for (uint32_t y = 0; y < img.height; y++) {
		uint8_t *restrict d = p + (size_t)y * img.width;
		if (img.depth == 8) {
			const uint8_t *restrict s = pr_image_row(&img, y) + sel;
			for (uint32_t x = 0; x < img.width; x++)
				d[x] = s[(size_t)x * ch];
		} else {
			const uint16_t *restrict s = (const uint16_t *)pr_image_row(&img, y) + sel;
			for (uint32_t x = 0; x < img.width; x++)
				d[x] = (uint8_t)(((unsigned)s[(size_t)x * ch] * 255u + 32767u) / 65535u);
		}
	}
	*plane = p;
	*w = img.width;
	*h = img.height;
	pr_image_free(&img);
	return 0;
}

static int score_pair(const struct opts *o, const char *truth, const char *mask,
		      struct pr_eval_counts *c)
{
	uint8_t *t = NULL, *m = NULL;
	uint32_t tw, th, mw, mh;
	int rc = -1;
	if (cmd_eval_read_plane(truth, &t, &tw, &th) || cmd_eval_read_plane(mask, &m, &mw, &mh))
		goto out;
	if (tw != mw || th != mh) {
		fprintf(stderr, "photorig eval: size mismatch: truth %s is %ux%u but mask %s is %ux%u\n",
			truth, tw, th, mask, mw, mh);
		goto out;
	}
	memset(c, 0, sizeof(*c));
	pr_eval_accumulate(c, &o->rules, t, tw, m, mw, NULL, 0, tw, th);
	rc = 0;
out:
	free(t);
	free(m);
	return rc;
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s", dir, name);
	return s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the image files in dir (NULL-terminated), or NULL. */
static char **list_images(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "photorig eval: cannot read folder %s: %s\n", dir, strerror(errno));
		return NULL;
	}
	size_t n = 0, cap = 16;
	char **v = malloc(cap * sizeof(*v));
	struct dirent *e;
	while (v && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !image_ext(e->d_name))
			continue;
		if (n + 1 >= cap) {
			char **nv = realloc(v, (cap *= 2) * sizeof(*v));
			if (!nv) {
				for (size_t i = 0; i < n; i++)
					free(v[i]);
				free(v);
				v = NULL;
				break;
			}
			v = nv;
		}
		if (!(v[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (!v) {
		fprintf(stderr, "photorig eval: out of memory listing %s\n", dir);
		return NULL;
	}
	v[n] = NULL;
	qsort(v, n, sizeof(*v), cmp_str);
	*count = n;
	return v;
}

static void free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Does mask file `name` belong to the truth stem? S, S_mask or S.mask. */
static int mask_matches(const char *name, const char *stem, size_t stem_len)
{
	const char *dot = strrchr(name, '.');
	size_t len = (size_t)(dot - name);
	if (len < stem_len || strncmp(name, stem, stem_len))
		return 0;
	const char *rest = name + stem_len;
	size_t rlen = len - stem_len;
	return rlen == 0 || (rlen == 5 && (!strncmp(rest, "_mask", 5) || !strncmp(rest, ".mask", 5)));
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void print_json_scores(const struct pr_eval_counts *c)
{
	struct pr_eval_metrics m = pr_eval_metrics(c);
	printf("\"tp\": %llu, \"fp\": %llu, \"fn\": %llu, \"tn\": %llu, \"unknown\": %llu, "
	       "\"precision\": %.6f, \"recall\": %.6f, \"f\": %.6f, \"iou\": %.6f, \"pwc\": %.6f, "
	       "\"specificity\": %.6f, \"fpr\": %.6f, \"fnr\": %.6f",
	       (unsigned long long)c->tp, (unsigned long long)c->fp, (unsigned long long)c->fn,
	       (unsigned long long)c->tn, (unsigned long long)c->unknown, m.precision, m.recall,
	       m.f, m.iou, m.pwc, m.specificity, m.fpr, m.fnr);
}

static void print_text_line(const char *label, const struct pr_eval_counts *c)
{
	struct pr_eval_metrics m = pr_eval_metrics(c);
	printf("%s: precision %.4f  recall %.4f  F %.4f  IoU %.4f  PWC %.4f  "
	       "(TP %llu FP %llu FN %llu TN %llu unknown %llu)\n",
	       label, m.precision, m.recall, m.f, m.iou, m.pwc, (unsigned long long)c->tp,
	       (unsigned long long)c->fp, (unsigned long long)c->fn, (unsigned long long)c->tn,
	       (unsigned long long)c->unknown);
}

static void report(const struct opts *o, const struct result *r, size_t n, int folder)
{
	struct pr_eval_counts total = { 0, 0, 0, 0, 0 };
	for (size_t i = 0; i < n; i++) {
		total.tp += r[i].c.tp;
		total.fp += r[i].c.fp;
		total.fn += r[i].c.fn;
		total.tn += r[i].c.tn;
		total.unknown += r[i].c.unknown;
	}
	if (o->json) {
		printf("{\"files\": [");
		for (size_t i = 0; i < n; i++) {
			printf("%s{\"truth\": ", i ? ", " : "");
			print_json_string(r[i].truth);
			printf(", \"mask\": ");
			print_json_string(r[i].mask);
			printf(", ");
			print_json_scores(&r[i].c);
			printf("}");
		}
		printf("], \"total\": {\"files\": %zu, ", n);
		print_json_scores(&total);
		printf("}}\n");
		return;
	}
	if (!folder) {
		struct pr_eval_metrics m = pr_eval_metrics(&total);
		printf("truth        %s\nmask         %s\n", o->truth, o->mask);
		printf("precision    %.6f\nrecall       %.6f\nF-measure    %.6f\nIoU          %.6f\n"
		       "PWC          %.6f\n",
		       m.precision, m.recall, m.f, m.iou, m.pwc);
		printf("pixels       TP %llu  FP %llu  FN %llu  TN %llu  unknown %llu\n",
		       (unsigned long long)total.tp, (unsigned long long)total.fp,
		       (unsigned long long)total.fn, (unsigned long long)total.tn,
		       (unsigned long long)total.unknown);
		return;
	}
	for (size_t i = 0; i < n; i++)
		print_text_line(r[i].truth, &r[i].c);
	char label[64];
	snprintf(label, sizeof(label), "total (%zu files)", n);
	print_text_line(label, &total);
}

static int run_folders(const struct opts *o)
{
	size_t nt = 0, nm = 0, nres = 0;
	char **tl = list_images(o->truth, &nt), **ml = tl ? list_images(o->mask, &nm) : NULL;
	struct result *res = ml ? calloc(nt + 1, sizeof(*res)) : NULL;
	int status = 0;
	if (!res) {
		free_list(tl);
		free_list(ml);
		return 1;
	}
	if (nt == 0) {
		fprintf(stderr, "photorig eval: no images in truth folder %s\n", o->truth);
		status = 1;
	}
	for (size_t i = 0; i < nt; i++) {
		const char *dot = strrchr(tl[i], '.');
		size_t stem = (size_t)(dot - tl[i]);
		const char *mname = NULL;
		for (size_t k = 0; k < nm && !mname; k++)
			if (mask_matches(ml[k], tl[i], stem))
				mname = ml[k];
		if (!mname) {
			fprintf(stderr, "photorig eval: no mask for truth %s/%s in %s\n", o->truth,
				tl[i], o->mask);
			status = 1;
			continue;
		}
		struct result *r = &res[nres];
		r->truth = join(o->truth, tl[i]);
		r->mask = join(o->mask, mname);
		if (!r->truth || !r->mask) {
			fprintf(stderr, "photorig eval: out of memory\n");
			free(r->truth);
			free(r->mask);
			status = 1;
			break;
		}
		if (score_pair(o, r->truth, r->mask, &r->c)) {
			free(r->truth);
			free(r->mask);
			status = 1;
			continue;
		}
		nres++;
	}
	report(o, res, nres, 1);
	for (size_t i = 0; i < nres; i++) {
		free(res[i].truth);
		free(res[i].mask);
	}
	free(res);
	free_list(tl);
	free_list(ml);
	return status;
}

static int parse_band(const char *s, int *lo, int *hi)
{
	char *end;
	errno = 0;
	long a = strtol(s, &end, 10);
	if (end == s || *end != ',' || errno)
		return -1;
	const char *s2 = end + 1;
	long b = strtol(s2, &end, 10);
	if (end == s2 || *end || errno || a < 0 || b > 255 || a > b)
		return -1;
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

int cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "truth", required_argument, NULL, 't' },
		{ "mask", required_argument, NULL, 'm' },
		{ "unknown-band", required_argument, NULL, 'u' },
		{ "no-cdnet-unknown", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--cdnet") || !strncmp(argv[i], "--cdnet=", 8))
			return cmd_eval_cdnet(argc, argv);
	struct opts o;
	memset(&o, 0, sizeof(o));
	pr_eval_rules_default(&o.rules);
	opterr = 0;
	optind = 0; /* full re-initialisation of glibc's getopt */
	int ch;
	while ((ch = getopt_long(argc, argv, ":t:m:u:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't': o.truth = optarg; break;
		case 'm': o.mask = optarg; break;
		case 'u':
			if (parse_band(optarg, &o.rules.band_lo, &o.rules.band_hi)) {
				fprintf(stderr, "photorig eval: --unknown-band: '%s' is not LO,HI with "
						"0 <= LO <= HI <= 255\n", optarg);
				return 2;
			}
			break;
		case 'N': o.rules.cdnet_unknown = 0; break;
		case 'j': o.json = 1; break;
		case 'h': usage(stdout); return 0;
		case ':':
			fprintf(stderr, "photorig eval: option '%s' needs a value\n", argv[optind - 1]);
			return 2;
		default:
			if (optopt)
				fprintf(stderr, "photorig eval: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "photorig eval: unknown option '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'photorig eval --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "photorig eval: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!o.truth || !o.mask) {
		fprintf(stderr, "photorig eval: both --truth and --mask are required\n");
		usage(stderr);
		return 2;
	}
	struct stat st_t, st_m;
	if (stat(o.truth, &st_t)) {
		fprintf(stderr, "photorig eval: cannot open truth %s: %s\n", o.truth, strerror(errno));
		return 1;
	}
	if (stat(o.mask, &st_m)) {
		fprintf(stderr, "photorig eval: cannot open mask %s: %s\n", o.mask, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st_t.st_mode) != S_ISDIR(st_m.st_mode)) {
		fprintf(stderr, "photorig eval: --truth and --mask must both be files or both "
				"folders (%s, %s)\n", o.truth, o.mask);
		return 2;
	}
	if (S_ISDIR(st_t.st_mode))
		return run_folders(&o);
	struct result r = { (char *)o.truth, (char *)o.mask, { 0, 0, 0, 0, 0 } };
	if (score_pair(&o, o.truth, o.mask, &r.c))
		return 1;
	report(&o, &r, 1, 0);
	return 0;
}
