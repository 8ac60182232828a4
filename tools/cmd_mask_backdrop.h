/* photorig mask: the backdrop options (--backdrop, --backdrop-format,
 * --backdrop-quality, --crop-margin, --aspect, --no-decontaminate), kept
 * apart from cmd_mask.c so the mask command's own code stays small. */
#ifndef PHOTORIG_CMD_MASK_BACKDROP_H
#define PHOTORIG_CMD_MASK_BACKDROP_H

#include <getopt.h>

#include "composite.h"

enum {
	OPT_BACKDROP = 1024, OPT_BACKDROP_FORMAT, OPT_BACKDROP_QUALITY, OPT_CROP_MARGIN, OPT_ASPECT,
	OPT_NO_DECONTAMINATE,
};

/* Rows for the mask command's option table. */
#define MASK_BACKDROP_OPTIONS \
	{ "backdrop", required_argument, NULL, OPT_BACKDROP }, \
	{ "backdrop-format", required_argument, NULL, OPT_BACKDROP_FORMAT }, \
	{ "backdrop-quality", required_argument, NULL, OPT_BACKDROP_QUALITY }, \
	{ "crop-margin", required_argument, NULL, OPT_CROP_MARGIN }, \
	{ "aspect", required_argument, NULL, OPT_ASPECT }, \
	{ "no-decontaminate", no_argument, NULL, OPT_NO_DECONTAMINATE }

/* Their lines of `photorig mask --help`. */
#define MASK_BACKDROP_USAGE \
	"backdrop (a composite for product photos; masks and TIFFs keep the full frame):\n" \
	"  --backdrop B        also write OUT/S_backdrop.jpg (or .png): the object over a new\n" \
	"                      backdrop B, a colour #RRGGBB / RRGGBB or an image file (scaled\n" \
	"                      to cover, centred); edges use the soft alpha\n" \
	"  --backdrop-format F jpeg (default) or png\n" \
	"  --backdrop-quality Q  JPEG quality 1..100 (default 92)\n" \
	"  --crop-margin M     crop the composite to the object plus M on each side: N%% (of\n" \
	"                      the object's longer side) or Npx\n" \
	"  --aspect W:H        crop to this aspect ratio, object centred (the margin shrinks\n" \
	"                      to fit the frame; if it cannot, the backdrop pads the rest)\n" \
	"  --no-decontaminate  keep edge colours as shot (by default the old background is\n" \
	"                      taken out of partly transparent edge pixels first)\n"

struct mask_backdrop {
	const char *spec;            /* --backdrop, or NULL: no composite */
	struct pr_backdrop backdrop; /* loaded by mask_backdrop_load */
	struct pr_composite_options opt;
};

void mask_backdrop_init(struct mask_backdrop *b);
/* Handle one of the options above; 0, or 2 (usage error, printed). */
int mask_backdrop_option(struct mask_backdrop *b, int opt, const char *arg);
/* Check the combination and load the backdrop image; 0, or 1/2 printed. */
int mask_backdrop_load(struct mask_backdrop *b, int invert);
/* Write OUT/S_backdrop.* for one shot when --backdrop was given; 0 or 1 (printed). */
int mask_backdrop_write(const struct mask_backdrop *b, const char *out_dir, const char *path,
			const struct pr_image *shot, const struct pr_mask_result *r,
			const struct pr_plate *plate);
void mask_backdrop_free(struct mask_backdrop *b);

#endif
