/* photorig mask: backdrop composites (see cmd_mask_backdrop.h). */
#include "cmd_mask_backdrop.h"

#include <stdio.h>
#include <string.h>

#include "cli_util.h"

void mask_backdrop_init(struct mask_backdrop *b)
{
	memset(b, 0, sizeof(*b));
	pr_composite_options_default(&b->opt);
}

int mask_backdrop_option(struct mask_backdrop *b, int opt, const char *arg)
{
	struct pr_error err;
	uint32_t q;
	switch (opt) {
	case OPT_BACKDROP:
		if (!*arg) {
			fprintf(stderr, "photorig mask: --backdrop: expected a colour #RRGGBB or an "
					"image file\n");
			return 2;
		}
		b->spec = arg;
		return 0;
	case OPT_BACKDROP_FORMAT:
		if (pr_composite_format_parse(arg, &b->opt.format)) {
			fprintf(stderr, "photorig mask: --backdrop-format '%s': expected jpeg or png\n",
				arg);
			return 2;
		}
		return 0;
	case OPT_BACKDROP_QUALITY:
		if (cli_parse_u32("mask", "backdrop-quality", arg, 1, 100, &q))
			return 2;
		b->opt.quality = (int)q;
		return 0;
	case OPT_CROP_MARGIN:
		if (pr_crop_parse_margin(arg, &b->opt.crop, &err)) {
			fprintf(stderr, "photorig mask: --crop-margin: %s\n", err.msg);
			return 2;
		}
		return 0;
	case OPT_ASPECT:
		if (pr_crop_parse_aspect(arg, &b->opt.crop, &err)) {
			fprintf(stderr, "photorig mask: --aspect: %s\n", err.msg);
			return 2;
		}
		return 0;
	case OPT_NO_DECONTAMINATE:
		b->opt.decontaminate = 0;
		return 0;
	}
	return 2;
}

int mask_backdrop_load(struct mask_backdrop *b, int invert)
{
	struct pr_error err;
	if (!b->spec) {
		/* crop and format only shape a composite: without one they would
		 * silently do nothing */
		if (b->opt.crop.enabled || b->opt.format != PR_COMPOSITE_JPEG ||
		    b->opt.quality != PR_COMPOSITE_DEFAULT_QUALITY || !b->opt.decontaminate) {
			fprintf(stderr, "photorig mask: --crop-margin, --aspect, --backdrop-format, "
					"--backdrop-quality and --no-decontaminate need --backdrop\n");
			return 2;
		}
		return 0;
	}
	if (pr_backdrop_load(b->spec, &b->backdrop, &err)) {
		fprintf(stderr, "photorig mask: %s\n", err.msg);
		return 1;
	}
	b->opt.backdrop = &b->backdrop;
	b->opt.alpha_inverted = invert;
	return 0;
}

int mask_backdrop_write(const struct mask_backdrop *b, const char *out_dir, const char *path,
			const struct pr_image *shot, const struct pr_mask_result *r,
			const struct pr_plate *plate)
{
	struct pr_error err;
	if (!b->spec)
		return 0;
	if (pr_composite_write(out_dir, path, shot, r, plate, &b->opt, NULL, 0, &err)) {
		fprintf(stderr, "photorig mask: %s: backdrop composite: %s\n", path, err.msg);
		return 1;
	}
	return 0;
}

void mask_backdrop_free(struct mask_backdrop *b)
{
	pr_backdrop_free(&b->backdrop);
	b->opt.backdrop = NULL;
}
