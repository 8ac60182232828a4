/* photorig core: cluster payloads, encode and decode (see cluster_msg.h).
 *
 * Both directions go through one table of fields per kind, so what the
 * encoder writes is exactly what the decoder reads back, and a field added
 * to one is added to the other. */
#include "cluster_msg.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static const char *const kind_names[PR_CL_KIND_COUNT] = { "state", "cmd", "reply", "event" };
static const char *const op_names[PR_CL_OP_COUNT] = {
	"arm", "plate", "session_start", "session_stop", "hold", "release", "scan", "report",
};
static const char *const event_names[PR_CL_EV_COUNT] = {
	"set_armed", "set_fired", "file_saved", "mask_written", "set_finished", "scan",
};

const char *pr_cl_kind_name(enum pr_cl_kind k)
{
	return (unsigned)k < PR_CL_KIND_COUNT ? kind_names[k] : "?";
}

const char *pr_cl_op_name(enum pr_cl_op op)
{
	return (unsigned)op < PR_CL_OP_COUNT ? op_names[op] : "?";
}

const char *pr_cl_event_name(enum pr_cl_event ev)
{
	return (unsigned)ev < PR_CL_EV_COUNT ? event_names[ev] : "?";
}

void pr_cl_msg_init(struct pr_cl_msg *m, enum pr_cl_kind kind, const char *rig, const char *from)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	snprintf(m->rig, sizeof(m->rig), "%s", rig ? rig : "");
	snprintf(m->from, sizeof(m->from), "%s", from ? from : "");
	m->clock.error_us = -1;
}

/* ---- the field table ---- */

enum ftype {
	T_NAME,     /* char[PR_CL_NAME_MAX + 1], a plain name */
	T_TEXT,     /* char[max + 1], printable text (no control characters) */
	T_FILE,     /* char[PR_CL_FILE_MAX + 1], a relative path without ".." */
	T_U32, T_U64, T_I64, T_BOOL,
	T_HASH,     /* uint64_t as 16 hex digits */
};

#define K(kind) (1u << (kind))
#define ALL (K(PR_CL_STATE) | K(PR_CL_CMD) | K(PR_CL_REPLY) | K(PR_CL_EVENT))

struct field {
	const char *key;
	enum ftype type;
	size_t offset;
	size_t max;           /* T_TEXT: length; numbers: largest value (0: none) */
	unsigned kinds;       /* where it appears */
	unsigned required;    /* where it must appear */
	int64_t min;          /* T_I64, T_U32, T_U64 */
};

#define M(f) offsetof(struct pr_cl_msg, f)
static const struct field fields[] = {
	{ "rig", T_NAME, M(rig), 0, ALL, ALL, 0 },
	{ "from", T_NAME, M(from), 0, ALL, ALL, 0 },
	{ "sent_ns", T_I64, M(sent_ns), 0, ALL, 0, 0 },
	{ "online", T_BOOL, M(online), 0, K(PR_CL_STATE), K(PR_CL_STATE), 0 },
	{ "busy", T_BOOL, M(busy), 0, K(PR_CL_STATE), 0, 0 },
	{ "disk_full", T_BOOL, M(disk_full), 0, K(PR_CL_STATE), 0, 0 },
	{ "next_set", T_U32, M(next_set), 0, K(PR_CL_STATE), 0, 0 },
	{ "to", T_NAME, M(to), 0, K(PR_CL_CMD) | K(PR_CL_REPLY) | K(PR_CL_EVENT),
	  K(PR_CL_CMD) | K(PR_CL_REPLY), 0 },
	{ "req", T_U64, M(req), 0, K(PR_CL_CMD) | K(PR_CL_REPLY), K(PR_CL_CMD) | K(PR_CL_REPLY), 1 },
	{ "t_ns", T_I64, M(t_ns), 0, K(PR_CL_CMD), 0, 0 },
	{ "frames", T_U32, M(frames), PR_PROTO_MAX_FRAMES, K(PR_CL_CMD), 0, 0 },
	{ "ok", T_BOOL, M(ok), 0, K(PR_CL_REPLY), K(PR_CL_REPLY), 0 },
	{ "error", T_TEXT, M(error), PR_CL_ERROR_MAX, K(PR_CL_REPLY), 0, 0 },
	{ "session", T_NAME, M(session), 0, K(PR_CL_STATE) | K(PR_CL_CMD) | K(PR_CL_EVENT), 0, 0 },
	{ "set", T_U32, M(set), 0, K(PR_CL_CMD) | K(PR_CL_REPLY) | K(PR_CL_EVENT), K(PR_CL_EVENT), 0 },
	{ "camera", T_NAME, M(camera), 0, K(PR_CL_CMD) | K(PR_CL_EVENT), 0, 0 },
	{ "serial", T_TEXT, M(serial), PR_CL_SERIAL_MAX, K(PR_CL_EVENT), 0, 0 },
	{ "file", T_FILE, M(file), PR_CL_FILE_MAX, K(PR_CL_EVENT), 0, 0 },
	{ "size", T_U64, M(size), 0, K(PR_CL_EVENT), 0, 0 },
	{ "hash", T_HASH, M(hash), 0, K(PR_CL_EVENT), 0, 0 },
	{ "trigger_ns", T_I64, M(trigger_ns), 0, K(PR_CL_EVENT), 0, 0 },
	{ "complete", T_BOOL, M(complete), 0, K(PR_CL_EVENT), 0, 0 },
	{ "local", T_BOOL, M(local), 0, K(PR_CL_EVENT), 0, 0 },
	{ "turntable", T_BOOL, M(turntable), 0, K(PR_CL_STATE), 0, 0 },
	{ "request", T_TEXT, M(request), PR_CL_REQUEST_MAX, K(PR_CL_CMD), 0, 0 },
	{ "scan", T_TEXT, M(scan), PR_CL_SCAN_MAX, ALL, 0, 0 },
};
#undef M

static int bad(struct pr_error *err, const char *key, const char *why)
{
	return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s' %s", key, why);
}

/* Text fields: no control characters, no NUL inside, within max. */
static int check_text(const char *s, size_t len, size_t max, const char *key, struct pr_error *err)
{
	if (len > max || strlen(s) != len)
		return bad(err, key, len > max ? "is too long" : "contains a NUL byte");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return bad(err, key, "contains a control character");
	return 0;
}

static int check_file(const char *s, const char *key, struct pr_error *err)
{
	if (!*s)
		return 0;
	if (s[0] == '/' || !strcmp(s, "..") || !strncmp(s, "../", 3) || strstr(s, "/../") ||
	    (strlen(s) >= 3 && !strcmp(s + strlen(s) - 3, "/..")))
		return bad(err, key, "must be a path inside the session folder");
	return 0;
}

static int check_field(const struct field *f, const struct pr_cl_msg *m, struct pr_error *err)
{
	const char *p = (const char *)m + f->offset;
	char why[128];
	switch (f->type) {
	case T_NAME:
		if (*p && pr_proto_check_name(p, why, sizeof(why)))
			return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s': bad name '%.64s': %s",
					    f->key, p, why);
		return 0;
	case T_TEXT:
		return check_text(p, strlen(p), f->max, f->key, err);
	case T_FILE:
		if (check_text(p, strlen(p), f->max, f->key, err))
			return PR_PROTO_EBADVALUE;
		return check_file(p, f->key, err);
	default:
		return 0;
	}
}

/* ---- decoding ---- */

static int decode_field(json_object *root, const struct field *f, struct pr_cl_msg *m,
			struct pr_error *err)
{
	json_object *v;
	char *dst = (char *)m + f->offset;
	if (!json_object_object_get_ex(root, f->key, &v) || json_object_is_type(v, json_type_null)) {
		if (f->required & K(m->kind))
			return pr_error_set(err, PR_PROTO_EMISSING, "a %s message needs the field '%s'",
					    kind_names[m->kind], f->key);
		return 0;
	}
	switch (f->type) {
	case T_NAME:
	case T_TEXT:
	case T_FILE: {
		if (!json_object_is_type(v, json_type_string))
			return bad(err, f->key, "must be a string");
		const char *s = json_object_get_string(v);
		size_t len = (size_t)json_object_get_string_len(v);
		size_t max = f->type == T_NAME ? PR_CL_NAME_MAX : f->max;
		if (f->type == T_NAME && !len)
			return bad(err, f->key, "must not be empty");
		if (check_text(s, len, max, f->key, err))
			return PR_PROTO_EBADVALUE;
		memcpy(dst, s, len + 1);
		return check_field(f, m, err);
	}
	case T_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return bad(err, f->key, "must be true or false");
		*(int *)dst = json_object_get_boolean(v);
		return 0;
	case T_HASH: {
		if (!json_object_is_type(v, json_type_string))
			return bad(err, f->key, "must be 16 hex digits");
		const char *s = json_object_get_string(v);
		if (json_object_get_string_len(v) != 16 || strspn(s, "0123456789abcdef") != 16)
			return bad(err, f->key, "must be 16 hex digits");
		*(uint64_t *)dst = strtoull(s, NULL, 16);
		return 0;
	}
	default:
		break;
	}
	if (!json_object_is_type(v, json_type_int))
		return bad(err, f->key, "must be a whole number");
	if (f->type == T_U64) {
		uint64_t u = json_object_get_uint64(v);
		/* json-c saturates at both ends: a negative or a too large number
		 * comes back as 0 or UINT64_MAX; read the sign from the text */
		if (json_object_get_int64(v) < 0 && u == 0)
			return bad(err, f->key, "must not be negative");
		if (u < (uint64_t)f->min || (f->max && u > f->max) || u == UINT64_MAX)
			return bad(err, f->key, "is out of range");
		*(uint64_t *)dst = u;
		return 0;
	}
	int64_t x = json_object_get_int64(v);
	if (x < f->min || x == INT64_MAX || (f->type == T_U32 && x > (f->max ? (int64_t)f->max
								   : (int64_t)UINT32_MAX)))
		return bad(err, f->key, "is out of range");
	if (f->type == T_U32)
		*(uint32_t *)dst = (uint32_t)x;
	else
		*(int64_t *)dst = x;
	return 0;
}

static int decode_name_of(json_object *v, const char *key, char *dst, struct pr_error *err)
{
	char why[128];
	if (!json_object_is_type(v, json_type_string))
		return bad(err, key, "must hold names");
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	if (len > PR_CL_NAME_MAX || strlen(s) != len || pr_proto_check_name(s, why, sizeof(why)))
		return pr_error_set(err, PR_PROTO_EBADVALUE, "field '%s': bad name '%.64s'", key, s);
	memcpy(dst, s, len + 1);
	return 0;
}

static int decode_clock(json_object *root, struct pr_cl_msg *m, struct pr_error *err)
{
	json_object *c, *v;
	if (!json_object_object_get_ex(root, "clock", &c) || json_object_is_type(c, json_type_null))
		return 0;
	if (!json_object_is_type(c, json_type_object))
		return bad(err, "clock", "must be an object");
	if (json_object_object_get_ex(c, "synced", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return bad(err, "clock.synced", "must be true or false");
		m->clock.synced = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(c, "error_us", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < -1 ||
		    json_object_get_int64(v) == INT64_MAX)
			return bad(err, "clock.error_us", "must be a whole number >= -1");
		m->clock.error_us = json_object_get_int64(v);
	}
	return 0;
}

static int decode_cameras(json_object *root, struct pr_cl_msg *m, struct pr_error *err)
{
	json_object *a;
	if (!json_object_object_get_ex(root, "cameras", &a) || json_object_is_type(a, json_type_null))
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return bad(err, "cameras", "must be an array");
	size_t n = json_object_array_length(a);
	if (n > PR_CL_MAX_CAMERAS)
		return bad(err, "cameras", "has too many entries");
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(a, i), *v;
		struct pr_cl_camera *c = &m->cameras[i];
		if (!json_object_is_type(o, json_type_object))
			return bad(err, "cameras", "must hold objects");
		if (!json_object_object_get_ex(o, "name", &v))
			return pr_error_set(err, PR_PROTO_EMISSING, "a camera needs the field 'name'");
		if (decode_name_of(v, "cameras.name", c->name, err))
			return PR_PROTO_EBADVALUE;
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(m->cameras[j].name, c->name))
				return bad(err, "cameras", "names a camera twice");
		const char *keys[2] = { "serial", "state" };
		char *dsts[2] = { c->serial, c->state };
		size_t max[2] = { PR_CL_SERIAL_MAX, PR_CL_STATE_MAX };
		for (int k = 0; k < 2; k++) {
			if (!json_object_object_get_ex(o, keys[k], &v))
				continue;
			if (!json_object_is_type(v, json_type_string))
				return bad(err, keys[k], "must be a string");
			const char *s = json_object_get_string(v);
			size_t len = (size_t)json_object_get_string_len(v);
			if (check_text(s, len, max[k], keys[k], err))
				return PR_PROTO_EBADVALUE;
			memcpy(dsts[k], s, len + 1);
		}
		if (json_object_object_get_ex(o, "plate", &v)) {
			if (!json_object_is_type(v, json_type_boolean))
				return bad(err, "cameras.plate", "must be true or false");
			c->plate = json_object_get_boolean(v);
		}
		m->ncameras = (uint32_t)i + 1;
	}
	return 0;
}

static int decode_missing(json_object *root, struct pr_cl_msg *m, struct pr_error *err)
{
	json_object *a;
	if (!json_object_object_get_ex(root, "missing", &a) || json_object_is_type(a, json_type_null))
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return bad(err, "missing", "must be an array");
	size_t n = json_object_array_length(a);
	if (n > PR_CL_MAX_CAMERAS)
		return bad(err, "missing", "has too many entries");
	for (size_t i = 0; i < n; i++) {
		if (decode_name_of(json_object_array_get_idx(a, i), "missing", m->missing[i], err))
			return PR_PROTO_EBADVALUE;
		m->nmissing = (uint32_t)i + 1;
	}
	return 0;
}

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* "kind", "op", "event": a string naming one of names. */
static int decode_enum(json_object *root, const char *key, const char *const *names, int n,
		       int *out, struct pr_error *err)
{
	json_object *v;
	if (!json_object_object_get_ex(root, key, &v))
		return pr_error_set(err, PR_PROTO_EMISSING, "message needs the field '%s'", key);
	if (!json_object_is_type(v, json_type_string))
		return bad(err, key, "must be a string");
	int i = lookup(names, n, json_object_get_string(v));
	if (i < 0)
		return pr_error_set(err, PR_PROTO_EBADVALUE, "unknown %s '%.64s'", key,
				    json_object_get_string(v));
	*out = i;
	return 0;
}

static int decode_root(json_object *root, struct pr_cl_msg *m, struct pr_error *err)
{
	json_object *v;
	int k = 0, rc;
	if (!json_object_object_get_ex(root, "v", &v))
		return pr_error_set(err, PR_PROTO_EVERSION, "version missing (\"v\": %d expected)",
				    PR_CL_VERSION);
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != PR_CL_VERSION)
		return pr_error_set(err, PR_PROTO_EVERSION, "version %.32s not supported (this node "
				    "speaks %d)", json_object_to_json_string(v), PR_CL_VERSION);
	if ((rc = decode_enum(root, "kind", kind_names, PR_CL_KIND_COUNT, &k, err)))
		return rc;
	pr_cl_msg_init(m, (enum pr_cl_kind)k, "", "");
	if (m->kind == PR_CL_CMD || m->kind == PR_CL_REPLY) {
		if ((rc = decode_enum(root, "op", op_names, PR_CL_OP_COUNT, &k, err)))
			return rc;
		m->op = (enum pr_cl_op)k;
	}
	if (m->kind == PR_CL_EVENT) {
		if ((rc = decode_enum(root, "event", event_names, PR_CL_EV_COUNT, &k, err)))
			return rc;
		m->event = (enum pr_cl_event)k;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((fields[i].kinds & K(m->kind)) && (rc = decode_field(root, &fields[i], m, err)))
			return rc;
	if (m->kind == PR_CL_STATE && (rc = decode_cameras(root, m, err)))
		return rc;
	if ((m->kind == PR_CL_STATE || m->kind == PR_CL_EVENT) && (rc = decode_clock(root, m, err)))
		return rc;
	if (m->kind == PR_CL_EVENT && (rc = decode_missing(root, m, err)))
		return rc;
	return 0;
}

int pr_cl_decode(const void *payload, size_t len, struct pr_cl_msg *out, struct pr_error *err)
{
	/* the limit first: nothing looks at the bytes of an oversized payload */
	if (len > PR_CL_MAX_MSG)
		return pr_error_set(err, PR_PROTO_EOVERSIZE, "message too long: %zu bytes (limit %d)",
				    len, PR_CL_MAX_MSG);
	if (!len || memchr(payload, '\0', len))
		return pr_error_set(err, PR_PROTO_EMALFORMED, "malformed message: %s",
				    len ? "NUL byte" : "empty");
	struct json_tokener *tok = json_tokener_new_ex(PR_CL_MAX_DEPTH);
	if (!tok)
		return pr_error_set(err, PR_ENOMEM, "out of memory");
	json_object *root = json_tokener_parse_ex(tok, payload, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	const char *s = payload;
	while (root && end < len && isspace((unsigned char)s[end]))
		end++;
	int rc;
	if (!root || jerr != json_tokener_success)
		rc = pr_error_set(err, PR_PROTO_EMALFORMED, "malformed JSON: %s",
				  jerr == json_tokener_continue ? "unexpected end"
								: json_tokener_error_desc(jerr));
	else if (end != len)
		rc = pr_error_set(err, PR_PROTO_EMALFORMED, "malformed JSON: data after the object");
	else if (!json_object_is_type(root, json_type_object))
		rc = pr_error_set(err, PR_PROTO_EMALFORMED, "malformed message: not a JSON object");
	else
		rc = decode_root(root, out, err);
	json_object_put(root);
	return rc;
}

/* ---- encoding ---- */

static void encode_field(json_object *o, const struct field *f, const struct pr_cl_msg *m)
{
	const char *p = (const char *)m + f->offset;
	char hex[17];
	switch (f->type) {
	case T_NAME:
	case T_TEXT:
	case T_FILE:
		if (*p || (f->required & K(m->kind)))
			json_object_object_add(o, f->key, json_object_new_string(p));
		break;
	case T_BOOL:
		json_object_object_add(o, f->key, json_object_new_boolean(*(const int *)p));
		break;
	case T_HASH:
		snprintf(hex, sizeof(hex), "%016" PRIx64, *(const uint64_t *)p);
		json_object_object_add(o, f->key, json_object_new_string(hex));
		break;
	case T_U32:
		json_object_object_add(o, f->key, json_object_new_int64(*(const uint32_t *)p));
		break;
	case T_U64:
		json_object_object_add(o, f->key, json_object_new_uint64(*(const uint64_t *)p));
		break;
	case T_I64:
		json_object_object_add(o, f->key, json_object_new_int64(*(const int64_t *)p));
		break;
	}
}

static int check_numbers(const struct field *f, const struct pr_cl_msg *m, struct pr_error *err)
{
	const char *p = (const char *)m + f->offset;
	if (f->type == T_I64 && (*(const int64_t *)p < f->min || *(const int64_t *)p == INT64_MAX))
		return bad(err, f->key, "is out of range");
	if (f->type == T_U32 && f->max && *(const uint32_t *)p > f->max)
		return bad(err, f->key, "is out of range");
	if (f->type == T_U64 && (*(const uint64_t *)p < (uint64_t)f->min ||
				 *(const uint64_t *)p == UINT64_MAX))
		return bad(err, f->key, "is out of range");
	return 0;
}

static json_object *clock_json(const struct pr_cl_clock *c)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "synced", json_object_new_boolean(c->synced));
	json_object_object_add(o, "error_us", json_object_new_int64(c->error_us));
	return o;
}

static int encode_lists(json_object *o, const struct pr_cl_msg *m, struct pr_error *err)
{
	char why[128];
	if (m->kind == PR_CL_STATE || m->kind == PR_CL_EVENT) {
		if (m->clock.error_us < -1 || m->clock.error_us == INT64_MAX)
			return bad(err, "clock.error_us", "is out of range");
		json_object_object_add(o, "clock", clock_json(&m->clock));
	}
	if (m->kind == PR_CL_STATE) {
		if (m->ncameras > PR_CL_MAX_CAMERAS)
			return bad(err, "cameras", "has too many entries");
		json_object *a = json_object_new_array();
		json_object_object_add(o, "cameras", a);
		for (uint32_t i = 0; i < m->ncameras; i++) {
			const struct pr_cl_camera *c = &m->cameras[i];
			if (pr_proto_check_name(c->name, why, sizeof(why)) ||
			    check_text(c->serial, strlen(c->serial), PR_CL_SERIAL_MAX, "serial", err) ||
			    check_text(c->state, strlen(c->state), PR_CL_STATE_MAX, "state", err))
				return bad(err, "cameras", "holds a bad camera");
			for (uint32_t j = 0; j < i; j++)
				if (!strcmp(m->cameras[j].name, c->name))
					return bad(err, "cameras", "names a camera twice");
			json_object *e = json_object_new_object();
			json_object_object_add(e, "name", json_object_new_string(c->name));
			json_object_object_add(e, "serial", json_object_new_string(c->serial));
			json_object_object_add(e, "state", json_object_new_string(c->state));
			json_object_object_add(e, "plate", json_object_new_boolean(c->plate));
			json_object_array_add(a, e);
		}
	}
	if (m->kind == PR_CL_EVENT && m->nmissing) {
		if (m->nmissing > PR_CL_MAX_CAMERAS)
			return bad(err, "missing", "has too many entries");
		json_object *a = json_object_new_array();
		json_object_object_add(o, "missing", a);
		for (uint32_t i = 0; i < m->nmissing; i++) {
			if (pr_proto_check_name(m->missing[i], why, sizeof(why)))
				return bad(err, "missing", "holds a bad name");
			json_object_array_add(a, json_object_new_string(m->missing[i]));
		}
	}
	return 0;
}

int pr_cl_encode(const struct pr_cl_msg *m, char **payload, size_t *len, struct pr_error *err)
{
	if ((unsigned)m->kind >= PR_CL_KIND_COUNT ||
	    ((m->kind == PR_CL_CMD || m->kind == PR_CL_REPLY) && (unsigned)m->op >= PR_CL_OP_COUNT) ||
	    (m->kind == PR_CL_EVENT && (unsigned)m->event >= PR_CL_EV_COUNT))
		return pr_error_set(err, PR_PROTO_EBADVALUE, "no such kind, op or event");
	json_object *o = json_object_new_object();
	if (!o)
		return pr_error_set(err, PR_ENOMEM, "out of memory");
	int rc = 0;
	json_object_object_add(o, "v", json_object_new_int(PR_CL_VERSION));
	json_object_object_add(o, "kind", json_object_new_string(kind_names[m->kind]));
	if (m->kind == PR_CL_CMD || m->kind == PR_CL_REPLY)
		json_object_object_add(o, "op", json_object_new_string(op_names[m->op]));
	if (m->kind == PR_CL_EVENT)
		json_object_object_add(o, "event", json_object_new_string(event_names[m->event]));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !rc; i++) {
		const struct field *f = &fields[i];
		if (!(f->kinds & K(m->kind)))
			continue;
		const char *p = (const char *)m + f->offset;
		if ((f->type == T_NAME || f->type == T_TEXT || f->type == T_FILE) && !*p &&
		    (f->required & K(m->kind)))
			rc = pr_error_set(err, PR_PROTO_EMISSING, "a %s message needs the field '%s'",
					  kind_names[m->kind], f->key);
		else if (!(rc = check_field(f, m, err)) && !(rc = check_numbers(f, m, err)))
			encode_field(o, f, m);
	}
	if (!rc)
		rc = encode_lists(o, m, err);
	if (!rc) {
		size_t n;
		const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
		if (!s)
			rc = pr_error_set(err, PR_ENOMEM, "out of memory");
		else if (n > PR_CL_MAX_MSG)
			rc = pr_error_set(err, PR_PROTO_EOVERSIZE, "message too long: %zu bytes "
					  "(limit %d)", n, PR_CL_MAX_MSG);
		else if (!(*payload = strdup(s)))
			rc = pr_error_set(err, PR_ENOMEM, "out of memory");
		else
			*len = n;
	}
	json_object_put(o);
	return rc;
}

/* ---- topics ---- */

int pr_cl_topic(char *buf, size_t size, const char *rig, const char *what, const char *node)
{
	int n = snprintf(buf, size, "photorig/%s/%s/%s", rig, what, node);
	return n < 0 || (size_t)n >= size ? PR_EINVAL : 0;
}

int pr_cl_topic_parse(const char *topic, char rig[PR_CL_NAME_MAX + 1], char what[16],
		      char node[PR_CL_NAME_MAX + 1])
{
	static const char prefix[] = "photorig/";
	char why[128];
	if (strncmp(topic, prefix, sizeof(prefix) - 1))
		return -1;
	const char *p = topic + sizeof(prefix) - 1;
	char *dst[3] = { rig, what, node };
	size_t max[3] = { PR_CL_NAME_MAX, 15, PR_CL_NAME_MAX };
	for (int i = 0; i < 3; i++) {
		size_t n = strcspn(p, "/");
		if (n == 0 || n > max[i] || (i < 2 && p[n] != '/') || (i == 2 && p[n]))
			return -1;
		memcpy(dst[i], p, n);
		dst[i][n] = '\0';
		if (pr_proto_check_name(dst[i], why, sizeof(why)))
			return -1;
		p += n + (i < 2);
	}
	return lookup(kind_names, PR_CL_KIND_COUNT, what) < 0 ? -1 : 0;
}
