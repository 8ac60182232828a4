/* photorig drivers: the table of turntable drivers and what they share:
 * error words, numbers as controllers read them, command templates. */
#include "turntable.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct turntable_driver *const drivers[] = {
	&tt_sim_driver,
	&tt_grbl_driver,
	&tt_line_driver,
};

const struct turntable_driver *tt_driver_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

const char *tt_strerror(int code)
{
	switch (code) {
	case TT_EBUSY: return "turntable busy";
	case TT_ETIMEOUT: return "turntable timed out";
	case TT_EALARM: return "turntable alarm";
	case TT_EREFUSED: return "turntable refused the command";
	case TT_EGONE: return "turntable gone";
	default: return pr_strerror(code);
	}
}

void tt_format_number(char *buf, size_t cap, double v)
{
	if (!isfinite(v))
		v = 0;
	/* Round to 4 decimals first so that -0.00001 prints as "0", not "-0". */
	double r = round(v * 10000.0) / 10000.0;
	if (r == 0)
		r = 0;
	snprintf(buf, cap, "%.4f", r);
	char *dot = strchr(buf, '.');
	if (!dot)
		return;
	char *end = buf + strlen(buf) - 1;
	while (end > dot && *end == '0')
		*end-- = 0;
	if (end == dot)
		*end = 0;
}

/* Walk tmpl; with out == NULL only check it. */
static int expand(const char *tmpl, double degrees, double units, char *out, size_t cap,
		  struct pr_error *err)
{
	size_t n = 0;
	for (const char *p = tmpl; *p;) {
		char piece[64];
		const char *add;
		size_t addlen;
		if (*p == '{') {
			const char *close = strchr(p, '}');
			if (!close)
				return pr_error_set(err, PR_EINVAL,
						    "command template \"%s\": unclosed '{'", tmpl);
			size_t len = (size_t)(close - p - 1);
			if (len == 7 && !strncmp(p + 1, "degrees", 7))
				tt_format_number(piece, sizeof(piece), degrees);
			else if (len == 5 && !strncmp(p + 1, "units", 5))
				tt_format_number(piece, sizeof(piece), units);
			else
				return pr_error_set(err, PR_EINVAL,
						    "command template \"%s\": unknown placeholder "
						    "{%.*s} (known: {degrees}, {units})",
						    tmpl, (int)(len > 32 ? 32 : len), p + 1);
			add = piece;
			addlen = strlen(piece);
			p = close + 1;
		} else {
			add = p;
			addlen = 1;
			p++;
		}
		if (out) {
			if (n + addlen + 1 > cap)
				return pr_error_set(err, PR_EINVAL,
						    "command template \"%s\": command too long", tmpl);
			memcpy(out + n, add, addlen);
		}
		n += addlen;
	}
	if (out)
		out[n] = 0;
	return 0;
}

int tt_expand_template(const char *tmpl, double degrees, double units, char *out, size_t cap,
		       struct pr_error *err)
{
	if (!out || cap == 0)
		return pr_error_set(err, PR_EINVAL, "no room for a command");
	return expand(tmpl ? tmpl : "", degrees, units, out, cap, err);
}

int tt_check_template(const char *tmpl, struct pr_error *err)
{
	return expand(tmpl ? tmpl : "", 0, 0, NULL, 0, err);
}
