/* photorig client: small parsing helpers shared by the subcommands. */
#ifndef PHOTORIG_CLI_UTIL_H
#define PHOTORIG_CLI_UTIL_H

#include <stdint.h>

/* Strict number parsing: the whole string must be a number in [min, max].
 * On failure print "photorig CMD: --OPT: ..." to stderr and return -1. */
int cli_parse_double(const char *cmd, const char *opt, const char *text, double min, double max,
		     double *out);
int cli_parse_u32(const char *cmd, const char *opt, const char *text, uint32_t min, uint32_t max,
		  uint32_t *out);
/* "RRGGBB" or "#RRGGBB" */
int cli_parse_color(const char *cmd, const char *opt, const char *text, uint8_t rgb[3]);

/* Monotonic clock in seconds. */
double cli_now(void);

/* mkdir -p; returns 0 or prints why it failed and returns -1. */
int cli_make_dirs(const char *cmd, const char *path);

#endif
