/* photorig export --image raw: the RAW file of a RAW+JPEG shot and its mask
 * fitted to the size the RAW develops to (cmd_export_raw.c, libraw). */
#ifndef PHOTORIG_CMD_EXPORT_RAW_H
#define PHOTORIG_CMD_EXPORT_RAW_H

#include <stdint.h>

#include "cmd_export.h"

/* 1 when photorig was built with libraw, else 0 (--image raw is refused). */
int export_raw_available(void);

/* The size libraw develops the RAW file at path to (its output image, after
 * the camera's rotation), read from the file's header only. Prints why not
 * and returns -1. */
int export_raw_size(const char *path, uint32_t *width, uint32_t *height);

/* Write at rel in the export the mask PNG mask_src (the JPEG's mask) fitted
 * to the developed size of raw_src; an all-keep mask when mask_src is NULL.
 * Prints why not and returns -1. */
int export_raw_mask(struct export_tree *t, const char *mask_src, const char *raw_src,
		    const char *rel);

#endif
