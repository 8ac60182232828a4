/* Noise of a plate made from one frame, estimated from that frame alone. */
#include <math.h>
#include <stdlib.h>

#include "plate.h"
#include "select.h"

/* Single-image noise: the 3x3 Laplacian-difference operator of Immerkaer
 * (1996) cancels smooth shading; its response to white noise has standard
 * deviation 6*sigma. The median absolute response (robust to the textured
 * and edge pixels that would inflate a mean) over a grid sample gives
 * sigma = median / (0.6745 * 6). */
void pr_plate_estimate_noise(const uint8_t *rgb, uint32_t width, uint32_t height,
			     size_t stride, float sigma[3])
{
	enum { MAX_SAMPLES = 65536 };
	sigma[0] = sigma[1] = sigma[2] = PR_PLATE_SINGLE_NOISE_FLOOR;
	if (width < 3 || height < 3)
		return;
	uint64_t inner = (uint64_t)(width - 2) * (height - 2);
	uint32_t step = 1;
	while (inner / ((uint64_t)step * step) > MAX_SAMPLES)
		step++;
	float *v = malloc(sizeof(float) * MAX_SAMPLES);
	if (!v)
		return;
	for (int c = 0; c < 3; c++) {
		size_t n = 0;
		for (uint32_t y = 1; y + 1 < height && n < MAX_SAMPLES; y += step) {
			const uint8_t *r0 = rgb + (size_t)(y - 1) * stride;
			const uint8_t *r1 = r0 + stride, *r2 = r1 + stride;
			for (uint32_t x = 1; x + 1 < width && n < MAX_SAMPLES; x += step) {
				size_t l = (x - 1) * 3 + c, m = x * 3 + c, r = (x + 1) * 3 + c;
				int resp = r0[l] - 2 * r0[m] + r0[r] - 2 * r1[l] + 4 * r1[m] -
					   2 * r1[r] + r2[l] - 2 * r2[m] + r2[r];
				v[n++] = (float)abs(resp);
			}
		}
		float s = (n ? pr_select_float(v, n, n / 2) : 0) / (0.6745f * 6.0f);
		sigma[c] = s < PR_PLATE_SINGLE_NOISE_FLOOR ? PR_PLATE_SINGLE_NOISE_FLOOR : s;
	}
	free(v);
}

