/* photorig-ptpip-sim: generated capture images and JPEG header parsing. */
#ifndef PHOTORIG_PTPIP_JPEG_H
#define PHOTORIG_PTPIP_JPEG_H

#include <stddef.h>
#include <stdint.h>

/* A w x h JPEG whose pixels show the serial and capture number in large
 * letters on a background tinted per serial, plus a COM segment with the
 * same text, so a file can be traced to its camera and shot by eye and by
 * tool. Returns 0 or a negative error; *out is malloc'd. */
int sim_jpeg_generate(const char *serial, unsigned capture, uint32_t w, uint32_t h,
		      uint8_t **out, size_t *outsz);

/* Width and height from the first SOF segment; -EINVAL if not a JPEG. */
int sim_jpeg_dimensions(const uint8_t *data, size_t size, uint32_t *w, uint32_t *h);

#endif
