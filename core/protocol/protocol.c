/* photorig core: control protocol encode/decode (see protocol.h).
 *
 * Requests are decoded through two tables: the ops, and per op the fields it
 * takes with their type, range and whether they are required. The decoder
 * never trusts the peer: the length is checked first, the tokenizer is told
 * the exact length (so an embedded NUL or trailing bytes are caught) and its
 * nesting depth is bounded. */
#include "protocol.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[PR_OP_COUNT] = {
	[PR_OP_STATUS] = "status",
	[PR_OP_CAMERAS] = "cameras",
	[PR_OP_PLATE] = "plate",
	[PR_OP_CAPTURE] = "capture",
	[PR_OP_SESSION_START] = "session_start",
	[PR_OP_SESSION_STOP] = "session_stop",
	[PR_OP_SESSION_LIST] = "session_list",
	[PR_OP_RELOAD] = "reload",
	[PR_OP_WATCH] = "watch",
	[PR_OP_SCAN_START] = "scan_start",
	[PR_OP_SCAN_PAUSE] = "scan_pause",
	[PR_OP_SCAN_RESUME] = "scan_resume",
	[PR_OP_SCAN_STOP] = "scan_stop",
	[PR_OP_SCAN_STATUS] = "scan_status",
	[PR_OP_CAMERA_SETTINGS] = "camera_settings",
	[PR_OP_CAMERA_SET] = "camera_set",
	[PR_OP_PREVIEW] = "preview",
	[PR_OP_REMASK] = "remask",
};

static const char *const event_names[PR_EV_COUNT] = {
	[PR_EV_SET_STARTED] = "set_started",
	[PR_EV_FILE_SAVED] = "file_saved",
	[PR_EV_MASK_WRITTEN] = "mask_written",
	[PR_EV_SET_COMPLETE] = "set_complete",
	[PR_EV_PLATE_SAVED] = "plate_saved",
	[PR_EV_ERROR] = "error",
	[PR_EV_PROGRESS] = "progress",
	[PR_EV_SCAN] = "scan",
	[PR_EV_BACKDROP_WRITTEN] = "backdrop_written",
	[PR_EV_SHEET_WRITTEN] = "sheet_written",
	[PR_EV_MASK_SKIPPED] = "mask_skipped",
	[PR_EV_SET_RESULT] = "set_result",
};

/* F_TARGET: a name or "*"; F_TEXT: printable text of 1..max bytes */
enum field_type { F_U32, F_NAME, F_DOUBLE, F_TARGET, F_TEXT };

/* One field of one op: where it goes in struct pr_request and what it may be. */
struct field {
	enum pr_op op;
	const char *key;
	enum field_type type;
	int required;
	uint32_t min, max;
	size_t offset;
	size_t present;   /* F_U32 given with a legal 0: a uint32_t set to 1; 0 = none */
	double dmin, dmax; /* F_DOUBLE */
};

static const struct field fields[] = {
#define R(field) offsetof(struct pr_request, field)
	{ PR_OP_PLATE, "frames", F_U32, 0, 0, PR_PROTO_MAX_FRAMES, R(frames), 0, 0, 0 },
	{ PR_OP_PLATE, "camera", F_NAME, 0, 0, 0, R(camera), 0, 0, 0 },
	{ PR_OP_PLATE, "scan", F_U32, 0, 0, 1, R(plate_scan), 0, 0, 0 },
	{ PR_OP_PLATE, "steps", F_U32, 0, 1, PR_PROTO_MAX_STEPS, R(steps), 0, 0, 0 },
	{ PR_OP_PLATE, "degrees", F_DOUBLE, 0, 0, 0, R(degrees), 0, 0.001, 3600 },
	{ PR_OP_PLATE, "settle_ms", F_U32, 0, 0, PR_PROTO_MAX_SETTLE_MS, R(settle_ms),
	  R(has_settle), 0, 0 },
	{ PR_OP_CAPTURE, "count", F_U32, 0, 1, PR_PROTO_MAX_COUNT, R(count), 0, 0, 0 },
	{ PR_OP_SESSION_START, "name", F_NAME, 1, 0, 0, R(name), 0, 0, 0 },
	{ PR_OP_SCAN_START, "steps", F_U32, 0, 1, PR_PROTO_MAX_STEPS, R(steps), 0, 0, 0 },
	{ PR_OP_SCAN_START, "degrees", F_DOUBLE, 0, 0, 0, R(degrees), 0, 0.001, 3600 },
	{ PR_OP_SCAN_START, "settle_ms", F_U32, 0, 0, PR_PROTO_MAX_SETTLE_MS, R(settle_ms),
	  R(has_settle), 0, 0 },
	{ PR_OP_CAMERA_SETTINGS, "camera", F_NAME, 0, 0, 0, R(camera), 0, 0, 0 },
	{ PR_OP_CAMERA_SET, "camera", F_TARGET, 1, 0, 0, R(camera), 0, 0, 0 },
	{ PR_OP_CAMERA_SET, "key", F_TEXT, 1, 1, PR_PROTO_KEY_MAX, R(key), 0, 0, 0 },
	{ PR_OP_CAMERA_SET, "value", F_TEXT, 1, 0, PR_PROTO_VALUE_MAX, R(value), 0, 0, 0 },
	{ PR_OP_PREVIEW, "camera", F_NAME, 1, 0, 0, R(camera), 0, 0, 0 },
	{ PR_OP_REMASK, "name", F_NAME, 1, 0, 0, R(name), 0, 0, 0 },
	{ PR_OP_REMASK, "set_from", F_U32, 0, 1, UINT32_MAX, R(set_from), 0, 0, 0 },
	{ PR_OP_REMASK, "set_to", F_U32, 0, 1, UINT32_MAX, R(set_to), 0, 0, 0 },
	{ PR_OP_REMASK, "cameras", F_TEXT, 0, 1, PR_PROTO_LIST_MAX, R(cameras), 0, 0, 0 },
#undef R
};

const char *pr_proto_strerror(int code)
{
	switch (code) {
	case PR_PROTO_EMALFORMED: return "malformed request";
	case PR_PROTO_EOVERSIZE: return "request too long";
	case PR_PROTO_EVERSION: return "protocol version mismatch";
	case PR_PROTO_EUNKNOWN_OP: return "unknown request";
	case PR_PROTO_EMISSING: return "missing field";
	case PR_PROTO_EBADVALUE: return "bad field value";
	default: return pr_strerror(code);
	}
}

const char *pr_op_name(enum pr_op op)
{
	return (unsigned)op < PR_OP_COUNT ? op_names[op] : "?";
}

int pr_op_parse(const char *name, enum pr_op *op)
{
	for (int i = 0; i < PR_OP_COUNT; i++)
		if (!strcmp(name, op_names[i])) {
			*op = (enum pr_op)i;
			return 0;
		}
	return PR_PROTO_EUNKNOWN_OP;
}

const char *pr_event_name(enum pr_event ev)
{
	return (unsigned)ev < PR_EV_COUNT ? event_names[ev] : "?";
}

void pr_request_init(struct pr_request *req, enum pr_op op, int64_t id)
{
	memset(req, 0, sizeof(*req));
	req->op = op;
	req->id = id;
	req->count = 1;
}

int pr_proto_check_name(const char *name, char *why, size_t size)
{
	size_t n = strlen(name);
	if (n < 1 || n > PR_PROTO_NAME_MAX) {
		snprintf(why, size, "a name is 1 to %d characters", PR_PROTO_NAME_MAX);
		return -1;
	}
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-') {
			snprintf(why, size, "only letters, digits, '.', '_' and '-' are allowed");
			return -1;
		}
	/* a name becomes a folder: ".", ".." and hidden folders are refused */
	if (name[0] == '.') {
		snprintf(why, size, "a name may not start with '.'");
		return -1;
	}
	return 0;
}

/* Read one field of the request into out. */
static int decode_field(json_object *root, const struct field *f, struct pr_request *out,
			struct pr_error *err)
{
	json_object *v;
	if (!json_object_object_get_ex(root, f->key, &v) || json_object_is_type(v, json_type_null)) {
		if (f->required)
			return pr_error_set(err, PR_PROTO_EMISSING, "request '%s' needs the field '%s'",
					    op_names[f->op], f->key);
		return 0;
	}
	char *dst = (char *)out + f->offset;
	if (f->type == F_DOUBLE) {
		if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
			return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s' must be a number", f->key);
		double x = json_object_get_double(v);
		/* NaN fails both comparisons' negation: refused too */
		if (!(x >= f->dmin && x <= f->dmax))
			return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s' must be from %g to %g",
					    f->key, f->dmin, f->dmax);
		memcpy(dst, &x, sizeof(x));
		return 0;
	}
	if (f->type == F_U32) {
		if (!json_object_is_type(v, json_type_int))
			return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s' must be a whole number",
					    f->key);
		int64_t x = json_object_get_int64(v);
		if (x < f->min || x > f->max)
			return pr_error_set(err, PR_PROTO_EBADVALUE,
					    "field '%s' must be from %u to %u", f->key, f->min, f->max);
		uint32_t u = (uint32_t)x, one = 1;
		memcpy(dst, &u, sizeof(u));
		if (f->present)
			memcpy((char *)out + f->present, &one, sizeof(one));
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s' must be a string", f->key);
	const char *s = json_object_get_string(v);
	char why[128];
	if (f->type == F_TEXT) {
		size_t n = (size_t)json_object_get_string_len(v);
		if (n != strlen(s))
			return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s' contains a NUL byte",
					    f->key);
		if (n < f->min || n > f->max)
			return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s' must be %u to %u "
					    "bytes long", f->key, f->min, f->max);
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s' contains a "
						    "control character", f->key);
		memcpy(dst, s, n + 1);
		return 0;
	}
	if (f->type == F_TARGET && !strcmp(s, PR_PROTO_ALL_CAMERAS)) {
		snprintf(dst, PR_PROTO_NAME_MAX + 1, "%s", s);
		return 0;
	}
	/* a string with an embedded NUL would be cut short by strlen: refuse it */
	if ((size_t)json_object_get_string_len(v) != strlen(s) ||
	    pr_proto_check_name(s, why, sizeof(why)))
		return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s': bad name '%.64s': %s", f->key,
				    s, (size_t)json_object_get_string_len(v) != strlen(s)
					       ? "it contains a NUL byte" : why);
	snprintf(dst, PR_PROTO_NAME_MAX + 1, "%s", s);
	return 0;
}

static json_object *parse_object(const char *line, size_t len, struct pr_error *err, int *rc)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len)) {
		*rc = pr_error_set(err, PR_PROTO_EMALFORMED, "malformed JSON: NUL byte in the line");
		return NULL;
	}
	struct json_tokener *tok = json_tokener_new_ex(PR_PROTO_MAX_DEPTH);
	if (!tok) {
		*rc = pr_error_set(err, PR_ENOMEM, "out of memory");
		return NULL;
	}
	json_object *root = json_tokener_parse_ex(tok, line, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		json_object_put(root);
		*rc = pr_error_set(err, PR_PROTO_EMALFORMED, "malformed JSON: %s",
				   jerr == json_tokener_continue ? "unexpected end of line"
								 : json_tokener_error_desc(jerr));
		return NULL;
	}
	while (end < len && isspace((unsigned char)line[end]))
		end++;
	if (end != len) {
		json_object_put(root);
		*rc = pr_error_set(err, PR_PROTO_EMALFORMED,
				   "malformed JSON: data after the object (one object per line)");
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		*rc = pr_error_set(err, PR_PROTO_EMALFORMED, "malformed request: not a JSON object");
		return NULL;
	}
	return root;
}

static int check_version(json_object *root, struct pr_error *err)
{
	json_object *v;
	if (!json_object_object_get_ex(root, "v", &v))
		return pr_error_set(err, PR_PROTO_EVERSION,
				    "protocol version missing (\"v\": %d expected)", PR_PROTO_VERSION);
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != PR_PROTO_VERSION)
		return pr_error_set(err, PR_PROTO_EVERSION,
				    "protocol version %s not supported (this side speaks %d)",
				    json_object_to_json_string(v), PR_PROTO_VERSION);
	return 0;
}

int pr_proto_decode_request(const char *line, size_t len, struct pr_request *out,
			    int64_t *id_out, int *has_id, struct pr_error *err)
{
	int rc = 0, got_id = 0;
	int64_t id = 0;
	if (has_id)
		*has_id = 0;
	/* the limit is checked before anything looks at the bytes */
	if (len > PR_PROTO_MAX_LINE + 1 || (len == PR_PROTO_MAX_LINE + 1 && line[len - 1] != '\n'))
		return pr_error_set(err, PR_PROTO_EOVERSIZE, "request too long: %zu bytes (limit %d)",
				    len, PR_PROTO_MAX_LINE);
	json_object *root = parse_object(line, len, err, &rc);
	if (!root)
		return rc;
	json_object *v;
	if (json_object_object_get_ex(root, "id", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
			rc = pr_error_set(err, PR_PROTO_EBADVALUE,
					  "field 'id' must be a whole number >= 0");
			goto out;
		}
		id = json_object_get_int64(v);
		got_id = 1;
		if (id_out)
			*id_out = id;
		if (has_id)
			*has_id = 1;
	}
	if ((rc = check_version(root, err)))
		goto out;
	if (!got_id) {
		rc = pr_error_set(err, PR_PROTO_EMISSING, "request needs the field 'id'");
		goto out;
	}
	if (!json_object_object_get_ex(root, "op", &v)) {
		rc = pr_error_set(err, PR_PROTO_EMISSING, "request needs the field 'op'");
		goto out;
	}
	if (!json_object_is_type(v, json_type_string)) {
		rc = pr_error_set(err, PR_PROTO_EBADVALUE, "field 'op' must be a string");
		goto out;
	}
	enum pr_op op;
	if (pr_op_parse(json_object_get_string(v), &op)) {
		rc = pr_error_set(err, PR_PROTO_EUNKNOWN_OP, "unknown request '%.64s'",
				  json_object_get_string(v));
		goto out;
	}
	pr_request_init(out, op, id);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].op == op && (rc = decode_field(root, &fields[i], out, err)))
			goto out;
out:
	json_object_put(root);
	return rc;
}

int pr_proto_encode_request(const struct pr_request *req, char *buf, size_t size)
{
	if ((unsigned)req->op >= PR_OP_COUNT)
		return PR_EINVAL;
	json_object *o = json_object_new_object();
	if (!o)
		return PR_ENOMEM;
	json_object_object_add(o, "v", json_object_new_int(PR_PROTO_VERSION));
	json_object_object_add(o, "id", json_object_new_int64(req->id));
	json_object_object_add(o, "op", json_object_new_string(op_names[req->op]));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		if (f->op != req->op)
			continue;
		const char *src = (const char *)req + f->offset;
		if (f->type == F_DOUBLE) {
			double x;
			memcpy(&x, src, sizeof(x));
			if (x != 0)
				json_object_object_add(o, f->key, json_object_new_double(x));
		} else if (f->type == F_U32) {
			uint32_t u, given = 0;
			memcpy(&u, src, sizeof(u));
			if (f->present)
				memcpy(&given, (const char *)req + f->present, sizeof(given));
			if (u || given)
				json_object_object_add(o, f->key, json_object_new_int64(u));
		} else if (src[0] || f->required) {
			json_object_object_add(o, f->key, json_object_new_string(src));
		}
	}
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	int n = snprintf(buf, size, "%s\n", s);
	json_object_put(o);
	if (n < 0 || (size_t)n >= size)
		return PR_PROTO_EOVERSIZE;
	return n;
}

json_object *pr_proto_reply_ok(int64_t id)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "v", json_object_new_int(PR_PROTO_VERSION));
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	return o;
}

json_object *pr_proto_reply_error(int64_t id, int has_id, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "v", json_object_new_int(PR_PROTO_VERSION));
	if (has_id)
		json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	return o;
}

json_object *pr_proto_event(enum pr_event ev, int64_t id, int has_id)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "v", json_object_new_int(PR_PROTO_VERSION));
	if (has_id)
		json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "event", json_object_new_string(pr_event_name(ev)));
	return o;
}

int pr_proto_serialize(json_object *msg, char **line, size_t *len)
{
	const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return PR_ENOMEM;
	size_t n = strlen(s);
	if (n > PR_PROTO_MAX_REPLY)
		return PR_PROTO_EOVERSIZE;
	char *out = malloc(n + 2);
	if (!out)
		return PR_ENOMEM;
	memcpy(out, s, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	*line = out;
	*len = n + 1;
	return 0;
}

int pr_proto_decode_reply(const char *line, size_t len, struct pr_reply *out,
			  struct pr_error *err)
{
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (len > PR_PROTO_MAX_REPLY + 1)
		return pr_error_set(err, PR_PROTO_EOVERSIZE, "reply too long: %zu bytes", len);
	json_object *root = parse_object(line, len, err, &rc);
	if (!root)
		return rc;
	if ((rc = check_version(root, err))) {
		json_object_put(root);
		return rc;
	}
	json_object *v;
	if (json_object_object_get_ex(root, "id", &v) && json_object_is_type(v, json_type_int)) {
		out->id = json_object_get_int64(v);
		out->has_id = 1;
	}
	if (json_object_object_get_ex(root, "event", &v) && json_object_is_type(v, json_type_string)) {
		out->kind = PR_REPLY_EVENT;
		out->event = json_object_get_string(v);
	} else if (json_object_object_get_ex(root, "ok", &v) &&
		   json_object_is_type(v, json_type_boolean)) {
		out->kind = PR_REPLY;
		out->ok = json_object_get_boolean(v);
		out->error = pr_json_str(root, "error", out->ok ? NULL : "(no reason given)");
	} else {
		json_object_put(root);
		return pr_error_set(err, PR_PROTO_EMISSING, "message is neither a reply nor an event");
	}
	out->obj = root;
	return 0;
}

void pr_reply_free(struct pr_reply *r)
{
	json_object_put(r->obj);
	memset(r, 0, sizeof(*r));
}

int64_t pr_json_int(json_object *o, const char *key, int64_t def)
{
	json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	return def;
}

double pr_json_double(json_object *o, const char *key, double def)
{
	json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) &&
	    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return json_object_get_double(v);
	return def;
}

const char *pr_json_str(json_object *o, const char *key, const char *def)
{
	json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return def;
}

int pr_json_bool(json_object *o, const char *key, int def)
{
	json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	return def;
}
