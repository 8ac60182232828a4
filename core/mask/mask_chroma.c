/* Method `chroma`: colour keying for green and blue screens.
 *
 * Distance is measured between chromaticities (r, g) = (R, G) / (R+G+B):
 * light falling unevenly on the screen changes R+G+B but not the ratios, so
 * the bright and the dim parts of one screen key alike. Very dark pixels
 * carry no reliable colour; the small constant added to the sum pulls them
 * toward black's chromaticity (0, 0), away from any saturated key, so they
 * count as object rather than screen. Strong evidence is beyond tolerance;
 * weak evidence (beyond tolerance * hysteresis) joins where it connects. */
#include "mask_internal.h"
#include "parallel.h"

#define CHROMA_DARK_BIAS 24.0f
#define CHROMA_SCALE 255.0f

struct chroma_job {
	const struct pr_image *shot;
	uint8_t *classes;
	float kr, kg;   /* key chromaticity, scaled */
	float strong2, weak2;
};

static void key_chromaticity(const uint8_t rgb[3], float *r, float *g)
{
	float sum = (float)rgb[0] + rgb[1] + rgb[2] + CHROMA_DARK_BIAS;
	*r = CHROMA_SCALE * rgb[0] / sum;
	*g = CHROMA_SCALE * rgb[1] / sum;
}

static void chroma_rows(void *ctx, uint32_t y0, uint32_t y1)
{
	const struct chroma_job *j = ctx;
	const uint32_t w = j->shot->width;
	const float kr = j->kr, kg = j->kg, strong2 = j->strong2, weak2 = j->weak2;
	for (uint32_t y = y0; y < y1; y++) {
		const uint8_t *restrict s = pr_image_row(j->shot, y);
		uint8_t *restrict out = j->classes + (size_t)y * w;
		for (uint32_t x = 0; x < w; x++) {
			const float r = s[3 * x], g = s[3 * x + 1], b = s[3 * x + 2];
			const float inv = CHROMA_SCALE / (r + g + b + CHROMA_DARK_BIAS);
			const float d2 = sq(r * inv - kr) + sq(g * inv - kg);
			out[x] = (uint8_t)((d2 > weak2) + (d2 > strong2));
		}
	}
}

void mask_classify_chroma(const struct pr_mask_params *p, const struct pr_image *shot,
			  uint8_t *classes)
{
	struct chroma_job j = {
		.shot = shot,
		.classes = classes,
		.strong2 = sq((float)p->tolerance),
		.weak2 = sq((float)(p->tolerance * p->hysteresis)),
	};
	key_chromaticity(p->key_rgb, &j.kr, &j.kg);
	pr_parallel_rows(p->threads, shot->height, chroma_rows, &j);
}
