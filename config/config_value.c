/* photorig config: typed values — parsing one value into its field, writing
 * it back as config text, comparing two fields. Driven by struct cfg_key. */
#include "config_schema.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cfg_unquote(const char *in, char *out, size_t size, char *why, size_t wsize)
{
	size_t n = 0;
	if (in[0] != '"') {
		if (strlen(in) >= size) {
			snprintf(why, wsize, "too long (at most %zu characters)", size - 1);
			return -1;
		}
		strcpy(out, in);
		return 0;
	}
	const char *p = in + 1;
	for (; *p && *p != '"'; p++) {
		char c = *p;
		if (c == '\\') {
			p++;
			switch (*p) {
			case '\\': c = '\\'; break;
			case '"': c = '"'; break;
			case ';': c = ';'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'x':
				if (isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
					char hex[3] = { p[1], p[2], 0 };
					c = (char)strtol(hex, NULL, 16);
					p += 2;
					if (c)
						break;
				}
				snprintf(why, wsize, "bad \\x escape (two hex digits, not 00)");
				return -1;
			default:
				snprintf(why, wsize, "unknown escape '\\%c' in quotes (known: \\\" \\\\ \\; "
					 "\\n \\r \\t \\xHH)", *p ? *p : ' ');
				return -1;
			}
		}
		if (n + 1 >= size) {
			snprintf(why, wsize, "too long (at most %zu characters)", size - 1);
			return -1;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (*p != '"') {
		snprintf(why, wsize, "missing closing '\"' (note: ' ;' starts a comment; write \\; "
			 "inside quotes)");
		return -1;
	}
	if (p[1]) {
		snprintf(why, wsize, "text after the closing '\"'");
		return -1;
	}
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (unsigned i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int parse_enum(const char *const *values, const char *s, size_t n)
{
	for (int i = 0; values[i]; i++)
		if (strlen(values[i]) == n && !strncasecmp(values[i], s, n))
			return i;
	return -1;
}

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

static int parse_number(const struct cfg_key *k, const char *s, double *v, char *why, size_t wsize)
{
	char *end;
	char allowed[96];
	cfg_allowed(k, allowed, sizeof(allowed));
	errno = 0;
	if (k->type == CT_DOUBLE) {
		*v = strtod(s, &end);
		if (end == s || *end || !isfinite(*v)) {
			snprintf(why, wsize, "not a number (%s)", allowed);
			return -1;
		}
	} else {
		/* Base 10 only: a leading 0 is not octal ("{set:04}" habits). */
		long long ll = strtoll(s, &end, 10);
		if (end == s || *end || errno) {
			snprintf(why, wsize, "not a whole number (%s)", allowed);
			return -1;
		}
		*v = (double)ll;
	}
	if (*v < k->min || *v > k->max) {
		snprintf(why, wsize, "out of range (%s)", allowed);
		return -1;
	}
	return 0;
}

/* Join base_dir and a relative path; "./" prefixes are dropped. */
static int resolve_path(const char *text, const char *base_dir, char *out, size_t size)
{
	if (!base_dir || !*text || text[0] == '/') {
		if (strlen(text) >= size)
			return -1;
		strcpy(out, text);
		return 0;
	}
	while (text[0] == '.' && text[1] == '/')
		text += 2 + strspn(text + 2, "/");
	int n;
	if (!*text || !strcmp(text, "."))
		n = snprintf(out, size, "%s", base_dir);
	else
		n = snprintf(out, size, "%s%s%s", base_dir,
			     base_dir[strlen(base_dir) - 1] == '/' ? "" : "/", text);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int cfg_parse_value(const struct cfg_key *k, const char *text, void *base, const char *base_dir,
		    char *why, size_t wsize)
{
	char *field = (char *)base + k->offset;
	char allowed[128];
	double v;

	switch (k->type) {
	case CT_STRING:
	case CT_PATH: {
		char tmp[PR_CONFIG_PATH_MAX];
		if (strlen(text) < (size_t)k->min) {
			snprintf(why, wsize, "must not be empty");
			return -1;
		}
		for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
			if (*p < 0x20 && k->type == CT_PATH) {
				snprintf(why, wsize, "control characters are not allowed in a path");
				return -1;
			}
		}
		/* `photorigd -n` prints what it read: it must read that back (a
		 * path is checked as written; resolving it may still lengthen it) */
		if (cfg_check_printable_line(k->key, text, why, wsize))
			return -1;
		if (strlen(text) >= k->size ||
		    (k->type == CT_PATH && resolve_path(text, base_dir, tmp, k->size))) {
			snprintf(why, wsize, "too long (at most %zu characters%s)", k->size - 1,
				 k->type == CT_PATH ? " after resolving" : "");
			return -1;
		}
		if (k->type == CT_PATH)
			text = tmp;
		if (k->check && k->check(text, why, wsize))
			return -1;
		memcpy(field, text, strlen(text) + 1);
		return 0;
	}
	case CT_INT:
	case CT_U32:
		if (parse_number(k, text, &v, why, wsize))
			return -1;
		if (k->type == CT_INT) {
			int i = (int)v;
			if (k->check && k->check(&i, why, wsize))
				return -1;
			memcpy(field, &i, sizeof(i));
		} else {
			uint32_t u = (uint32_t)v;
			if (k->check && k->check(&u, why, wsize))
				return -1;
			memcpy(field, &u, sizeof(u));
		}
		return 0;
	case CT_DOUBLE:
		if (parse_number(k, text, &v, why, wsize))
			return -1;
		memcpy(field, &v, sizeof(v));
		return 0;
	case CT_BOOL: {
		int b;
		if (parse_bool(text, &b)) {
			cfg_allowed(k, allowed, sizeof(allowed));
			snprintf(why, wsize, "not a boolean (%s)", allowed);
			return -1;
		}
		memcpy(field, &b, sizeof(b));
		return 0;
	}
	case CT_ENUM: {
		int i = parse_enum(k->values, text, strlen(text));
		if (i < 0) {
			cfg_allowed(k, allowed, sizeof(allowed));
			snprintf(why, wsize, "unknown value (allowed: %s)", allowed);
			return -1;
		}
		memcpy(field, &i, sizeof(i));
		return 0;
	}
	case CT_LIST: {
		unsigned bits = 0;
		const char *p = text;
		while (*p) {
			p += strspn(p, " \t,");
			size_t n = strcspn(p, " \t,");
			if (!n)
				break;
			int i = parse_enum(k->values, p, n);
			if (i < 0) {
				cfg_allowed(k, allowed, sizeof(allowed));
				snprintf(why, wsize, "unknown item '%.*s' (allowed: %s)", (int)(n > 40 ? 40 : n),
					 p, allowed);
				return -1;
			}
			bits |= 1u << i;
			p += n;
		}
		memcpy(field, &bits, sizeof(bits));
		return 0;
	}
	case CT_COLOUR: {
		const char *h = text[0] == '#' ? text + 1 : text;
		if (strlen(h) != 6 || strspn(h, "0123456789abcdefABCDEF") != 6) {
			cfg_allowed(k, allowed, sizeof(allowed));
			snprintf(why, wsize, "not a colour (%s)", allowed);
			return -1;
		}
		uint8_t *rgb = (uint8_t *)field;
		for (int i = 0; i < 3; i++)
			rgb[i] = (uint8_t)(hexval(h[2 * i]) << 4 | hexval(h[2 * i + 1]));
		return 0;
	}
	case CT_REGION: {
		struct pr_mask_params *m = (struct pr_mask_params *)field;
		struct pr_error err = { 0 };
		if (m->nregions >= PR_MASK_MAX_REGIONS) {
			snprintf(why, wsize, "too many regions (at most %d include and exclude lines "
				 "per camera)", PR_MASK_MAX_REGIONS);
			return -1;
		}
		if (pr_region_parse(text, (k->flags & CK_EXCLUDE) ? 1 : 0, &m->regions[m->nregions],
				    &err)) {
			snprintf(why, wsize, "%s", err.msg);
			return -1;
		}
		m->nregions++;
		return 0;
	}
	}
	snprintf(why, wsize, "internal error: unknown type");
	return -1;
}

void cfg_format_double(double v, char *buf, size_t size)
{
	if (!buf || !size)
		return;
	/* Plain decimals for everyday magnitudes (360, not 3.6e+02). */
	if (v == 0 || (fabs(v) >= 1e-6 && fabs(v) < 1e15)) {
		for (int dec = 0; dec <= 20; dec++) {
			snprintf(buf, size, "%.*f", dec, v);
			if (strtod(buf, NULL) == v)
				return;
		}
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* A value needs quotes when inih or cfg_unquote would read it differently:
 * empty, surrounding spaces, a leading quote, a ';' (comment), '\', or
 * control characters. */
static int needs_quotes(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]) || s[0] == '"')
		return 1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == ';' || *p == '\\')
			return 1;
	return 0;
}

size_t cfg_printed_len(const char *s)
{
	if (!needs_quotes(s))
		return strlen(s);
	size_t n = 2;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += strchr("\"\\;\n\r\t", *p) ? 2 : *p < 0x20 || *p == 0x7f ? 4 : 1;
	return n;
}

int cfg_check_printable_line(const char *key, const char *value, char *why, size_t wsize)
{
	size_t n = strlen(key) + 3 + cfg_printed_len(value);
	if (n <= PR_CONFIG_LINE_MAX)
		return 0;
	snprintf(why, wsize, "too long once written back with its quotes and escapes (%zu "
		 "characters on the line, at most %d)", n, PR_CONFIG_LINE_MAX);
	return -1;
}

void cfg_print_string(FILE *fp, const char *s)
{
	if (!needs_quotes(s)) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case ';': fputs("\\;", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\x%02X", *p);
			else
				fputc(*p, fp);
		}
	}
	fputc('"', fp);
}

void cfg_print_value(const struct cfg_key *k, const void *base, FILE *fp)
{
	const char *field = (const char *)base + k->offset;
	char buf[64];
	int i;
	unsigned u;

	switch (k->type) {
	case CT_STRING:
	case CT_PATH:
		cfg_print_string(fp, field);
		break;
	case CT_INT:
		memcpy(&i, field, sizeof(i));
		fprintf(fp, "%d", i);
		break;
	case CT_U32:
		memcpy(&u, field, sizeof(u));
		fprintf(fp, "%u", u);
		break;
	case CT_DOUBLE: {
		double d;
		memcpy(&d, field, sizeof(d));
		cfg_format_double(d, buf, sizeof(buf));
		fputs(buf, fp);
		break;
	}
	case CT_BOOL:
		memcpy(&i, field, sizeof(i));
		fputs(i ? "true" : "false", fp);
		break;
	case CT_ENUM:
		memcpy(&i, field, sizeof(i));
		fputs(i >= 0 ? k->values[i] : "?", fp);
		break;
	case CT_LIST: {
		int first = 1;
		memcpy(&u, field, sizeof(u));
		for (unsigned b = 0; k->values[b]; b++) {
			if (u & (1u << b)) {
				fprintf(fp, "%s%s", first ? "" : ",", k->values[b]);
				first = 0;
			}
		}
		if (first)
			fputs("\"\"", fp);
		break;
	}
	case CT_COLOUR: {
		const uint8_t *rgb = (const uint8_t *)field;
		fprintf(fp, "%02X%02X%02X", rgb[0], rgb[1], rgb[2]);
		break;
	}
	case CT_REGION:
		break;
	}
}

static int region_equal(const struct pr_region *a, const struct pr_region *b)
{
	if (a->exclude != b->exclude || a->npoints != b->npoints)
		return 0;
	for (uint32_t i = 0; i < a->npoints; i++)
		if (a->points[i].x != b->points[i].x || a->points[i].y != b->points[i].y)
			return 0;
	return 1;
}

int cfg_value_equal(const struct cfg_key *k, const void *a, const void *b)
{
	const char *fa = (const char *)a + k->offset, *fb = (const char *)b + k->offset;
	switch (k->type) {
	case CT_STRING:
	case CT_PATH:
		return !strcmp(fa, fb);
	case CT_DOUBLE: {
		double x, y;
		memcpy(&x, fa, sizeof(x));
		memcpy(&y, fb, sizeof(y));
		return x == y;
	}
	case CT_REGION: {
		const struct pr_mask_params *ma = (const void *)fa, *mb = (const void *)fb;
		if (ma->nregions != mb->nregions)
			return 0;
		for (uint32_t i = 0; i < ma->nregions; i++)
			if (!region_equal(&ma->regions[i], &mb->regions[i]))
				return 0;
		return 1;
	}
	default:
		return !memcmp(fa, fb, k->size);
	}
}

/* Print "rect:..." when that text parses back to exactly these points, else
 * "poly:..."; numbers in their shortest exact form. (pr_region_format uses
 * %g, which loses digits, so printing a config could change it.) */
void cfg_format_region(const struct pr_region *r, char *buf, size_t size)
{
	char a[32], b[32], c[32], d[32];
	const struct pr_point *p = r->points;
	if (r->npoints == 4 && p[0].y == p[1].y && p[1].x == p[2].x && p[2].y == p[3].y &&
	    p[3].x == p[0].x && p[1].x > p[0].x && p[2].y > p[1].y) {
		struct pr_region back;
		cfg_format_double(p[0].x, a, sizeof(a));
		cfg_format_double(p[0].y, b, sizeof(b));
		cfg_format_double(p[2].x - p[0].x, c, sizeof(c));
		cfg_format_double(p[2].y - p[0].y, d, sizeof(d));
		snprintf(buf, size, "rect:%s,%s,%s,%s", a, b, c, d);
		if (!pr_region_parse(buf, r->exclude, &back, NULL) && region_equal(&back, r))
			return;
	}
	size_t used = (size_t)snprintf(buf, size, "poly:");
	for (uint32_t i = 0; i < r->npoints && used < size; i++) {
		cfg_format_double(p[i].x, a, sizeof(a));
		cfg_format_double(p[i].y, b, sizeof(b));
		used += (size_t)snprintf(buf + used, size - used, "%s%s,%s", i ? "," : "", a, b);
	}
}
