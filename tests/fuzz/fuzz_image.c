/* Fuzz target: decoding camera files (core/imageio_decode*.c through
 * pr_decode_memory): JPEG, PNG and TIFF, picked by their magic bytes.
 *
 * Every file a camera delivers is decoded by a mask worker inside the
 * daemon, and `photorig mask` decodes whatever it is given. A damaged file
 * (a USB error mid-transfer, a card full, a hostile file) must be refused
 * with a message, not crash the worker, and a file that decodes must hold
 * every row its header promises.
 *
 * The decoders sit on libjpeg-turbo, libpng and libtiff from Debian; those
 * are not instrumented here, so what this target covers is photorig's own
 * use of them: size and limit checks, row and stride arithmetic, ICC
 * reassembly, 16-bit and planar layouts, and error paths. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "imageio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_image: property broken: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pr_image img;
	struct pr_error err = { 0 };
	if (pr_decode_memory(data, size, "fuzz", &img, &err)) {
		check(err.msg[0] != '\0', "a refused file has a message");
		check(img.pixels == NULL, "a refused file holds no pixels");
		return 0;
	}
	check(img.width > 0 && img.height > 0 && img.pixels, "a decoded image has pixels");
	check(img.channels >= 1 && img.channels <= 4 && (img.depth == 8 || img.depth == 16),
	      "a decoded image has a known layout");
	size_t row = (size_t)img.width * img.channels * (img.depth / 8);
	check(img.stride >= row, "rows fit their stride");
	check((uint64_t)img.width * img.height <= PR_IMAGE_MAX_PIXELS, "the pixel limit holds");
	/* touch the first and last byte of every row: ASan stops on a short buffer */
	unsigned sum = 0;
	for (uint32_t y = 0; y < img.height; y++) {
		const uint8_t *r = pr_image_row(&img, y);
		sum += r[0] + r[row - 1];
	}
	for (size_t i = 0; i < img.icc_size; i++)
		sum += img.icc[i];
	(void)sum;
	/* what a mask worker does next with every shot */
	struct pr_image rgb;
	if (!pr_image_to_rgb8(&img, &rgb, &err))
		pr_image_free(&rgb);
	pr_image_free(&img);
	return 0;
}
