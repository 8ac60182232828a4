#include "cli_util.h"
#include "clock.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_parse_double(const char *cmd, const char *opt, const char *text, double min, double max,
		     double *out)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end || errno || !isfinite(v) || v < min || v > max) {
		fprintf(stderr, "photorig %s: --%s '%s': expected a number from %g to %g\n", cmd, opt,
			text, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_u32(const char *cmd, const char *opt, const char *text, uint32_t min, uint32_t max,
		  uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (end == text || *end || errno || text[0] == '-' || v < min || v > max) {
		fprintf(stderr, "photorig %s: --%s '%s': expected a whole number from %u to %u\n", cmd,
			opt, text, min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int cli_parse_color(const char *cmd, const char *opt, const char *text, uint8_t rgb[3])
{
	const char *s = text[0] == '#' ? text + 1 : text;
	unsigned v[3];
	if (strlen(s) != 6 || strspn(s, "0123456789abcdefABCDEF") != 6 ||
	    sscanf(s, "%2x%2x%2x", &v[0], &v[1], &v[2]) != 3) {
		fprintf(stderr, "photorig %s: --%s '%s': expected a colour as RRGGBB (hex)\n", cmd, opt,
			text);
		return -1;
	}
	for (int i = 0; i < 3; i++)
		rgb[i] = (uint8_t)v[i];
	return 0;
}

double cli_now(void)
{
	return pr_monotonic_s();
}

int cli_make_dirs(const char *cmd, const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		fprintf(stderr, "photorig %s: %s: path too long\n", cmd, path);
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST) {
			fprintf(stderr, "photorig %s: %s: cannot create folder: %s\n", cmd, buf,
				strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST) {
		fprintf(stderr, "photorig %s: %s: cannot create folder: %s\n", cmd, buf, strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(buf, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "photorig %s: %s: not a folder\n", cmd, buf);
		return -1;
	}
	if (access(buf, W_OK | X_OK)) {
		fprintf(stderr, "photorig %s: %s: cannot write there: %s\n", cmd, buf, strerror(errno));
		return -1;
	}
	return 0;
}
