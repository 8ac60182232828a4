/* photorig core: the files written for one masked shot, and their names.
 *
 * For a shot whose original file name is N (cam01_0007.jpg) with stem S
 * (cam01_0007), in the output folder OUT:
 *   OUT/masks/S.png   the binary mask, 8-bit, 255 keep (AliceVision, COLMAP read this form)
 *   OUT/S.tif         RGBA TIFF: the shot's pixels, the soft alpha as alpha
 * and, per requested convention:
 *   metashape         OUT/S_mask.png      (Metashape's {filename}_mask.png template)
 *   realitycapture    OUT/N.mask.png
 *   colmap            OUT/masks/N.png
 *   alicevision       OUT/masks/S.png     (always written)
 * Every file is written atomically. */
#ifndef PHOTORIG_OUTPUTS_H
#define PHOTORIG_OUTPUTS_H

#include "error.h"
#include "image.h"
#include "imageio.h"
#include "mask.h"

enum {
	PR_CONV_METASHAPE = 1u << 0,
	PR_CONV_REALITYCAPTURE = 1u << 1,
	PR_CONV_COLMAP = 1u << 2,
	/* AliceVision's masksFolder/S.png is the masks/S.png written for every
	 * shot: asking for it adds no file, and names the form in configs */
	PR_CONV_ALICEVISION = 1u << 3,
};

/* Parse "metashape,realitycapture,colmap" (any subset, comma-separated). */
int pr_conventions_parse(const char *list, unsigned *out, struct pr_error *err);
/* Format a set back to its comma-separated form. */
void pr_conventions_format(unsigned set, char *buf, size_t size);

struct pr_output_options {
	unsigned conventions;
	enum pr_tiff_compression compression;
	int tiff_bits;   /* 8 or 16; 0 = the shot's own depth */
	int write_tiff;  /* 0 skips the RGBA TIFF */
};

void pr_output_options_default(struct pr_output_options *o);

/* The stem of a file name: the base name without its last extension. */
void pr_output_stem(const char *name, char *stem, size_t size);

/* Write the outputs of one shot. name is the original's file name (its
 * folder part is ignored). Creates OUT/masks if needed. */
int pr_outputs_write(const char *out_dir, const char *name, const struct pr_image *shot,
		     const struct pr_mask_result *mask, const struct pr_output_options *opt,
		     struct pr_error *err);

#endif
