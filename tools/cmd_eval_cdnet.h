/* photorig eval: what cmd_eval.c and cmd_eval_cdnet.c share. */
#ifndef PHOTORIG_CMD_EVAL_CDNET_H
#define PHOTORIG_CMD_EVAL_CDNET_H

#include <stdint.h>

/* `photorig eval --cdnet DIR ...` (argv as cmd_eval gets it). */
int cmd_eval_cdnet(int argc, char **argv);
/* The 8-bit plane an image is scored on: its alpha if it has one, else its
 * first channel (16-bit scaled). Prints why and returns -1 on failure. */
int cmd_eval_read_plane(const char *path, uint8_t **plane, uint32_t *w, uint32_t *h);

#endif
