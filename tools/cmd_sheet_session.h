/* photorig sheet SESSION [--set N]: contact sheets rebuilt offline from a
 * session folder, kept apart from cmd_sheet.c (the file form). */
#ifndef PHOTORIG_CMD_SHEET_SESSION_H
#define PHOTORIG_CMD_SHEET_SESSION_H

#include <stdint.h>

#include "sheet.h"

/* The daemon's tile widths (daemon/sheets.c), so both make the same sheets. */
#define SHEET_SET_TILE_WIDTH 320
#define SHEET_SESSION_TILE_WIDTH 128

/* Read a mask file as one 8-bit plane (>= 128 = object), checked against its
 * shot's size (cmd_sheet.c). */
int sheet_load_mask(const char *path, const struct pr_image *shot, uint8_t **out,
		    struct pr_error *err);

/* set >= 0: that set's sheet (default SESSION/sheets/set_NNNN.png); set < 0:
 * the session sheet, a row per set (default SESSION/sheets/session.png).
 * tile_width 0: the daemon's. Returns the exit status (0, 1). */
int sheet_session(const char *dir, int64_t set, const char *out, uint32_t tile_width,
		  uint32_t columns);

#endif
