/* photorig-ptpip-sim: the RAW half of a RAW+JPEG capture, a small valid DNG. */
#ifndef PHOTORIG_PTPIP_DNG_H
#define PHOTORIG_PTPIP_DNG_H

#include <stddef.h>
#include <stdint.h>

/* A w x h DNG (w and h even): a little-endian TIFF with DNGVersion, one
 * uncompressed strip of 16-bit RGGB CFA samples (a gradient seeded by
 * capture, so files differ), that libraw opens and develops to w x h.
 * Returns 0 or -ENOMEM/-EINVAL; *out is malloc'd. */
int sim_dng_generate(unsigned capture, uint32_t w, uint32_t h, uint8_t **out, size_t *outsz);

#endif
