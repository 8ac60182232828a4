/* photorig core: the control protocol between photorigd and its clients.
 *
 * One definition shared by the daemon and the `photorig` client (and the
 * fuzz target), so both sides agree on versions, limits and field types.
 *
 * Transport: JSON lines (one JSON object, then '\n') over an AF_UNIX stream.
 * Every message carries "v": PR_PROTO_VERSION.
 *
 *   request   {"v":1,"id":7,"op":"capture","count":3}
 *   reply     {"v":1,"id":7,"ok":true, ...op-specific fields...}
 *             {"v":1,"id":7,"ok":false,"error":"what went wrong, in words"}
 *   event     {"v":1,"event":"file_saved", ...}         (to watchers)
 *             {"v":1,"id":7,"event":"progress","done":2,"total":5}
 *                                                      (to the requester of long work)
 *
 * A request line is at most PR_PROTO_MAX_LINE bytes: the length is checked
 * before any parsing, so a hostile peer cannot make the parser allocate
 * without bound. Replies may be longer (a status of a 256-camera rig) and are
 * bounded by PR_PROTO_MAX_REPLY. Unknown fields are ignored (a newer client
 * may send more); unknown ops, wrong types, out-of-range values and missing
 * required fields are errors that name the field.
 *
 * Adding an op: one enum value, one row in the op table and its parameter
 * rows in protocol.c; nothing else in this file changes. */
#ifndef PHOTORIG_PROTOCOL_H
#define PHOTORIG_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"

#define PR_PROTO_VERSION 1
#define PR_PROTO_MAX_LINE (64 * 1024)        /* request line, '\n' excluded */
#define PR_PROTO_MAX_REPLY (1024 * 1024)     /* reply or event line */
#define PR_PROTO_MAX_DEPTH 16                /* JSON nesting accepted */
#define PR_PROTO_NAME_MAX 64                 /* session and camera names */
/* How the message begins that photorigd sends (with no id) to a client it
 * closes as idle to make room at max_clients. It does that only to a client
 * none of whose requests it has read, so the client may send it again. */
#define PR_PROTO_CLOSED_IDLE "closed: idle"

/* Protocol errors: each class its own code, so callers (and tests) can tell
 * them apart. Distinct from the PR_E* codes of error.h. */
enum pr_proto_errcode {
	PR_PROTO_EMALFORMED = -100, /* not JSON, not an object, trailing data, NUL byte */
	PR_PROTO_EOVERSIZE = -101,  /* line longer than the limit */
	PR_PROTO_EVERSION = -102,   /* "v" missing or not PR_PROTO_VERSION */
	PR_PROTO_EUNKNOWN_OP = -103,/* "op" names no known request */
	PR_PROTO_EMISSING = -104,   /* a required field is absent */
	PR_PROTO_EBADVALUE = -105,  /* a field of the wrong type or out of range */
};

const char *pr_proto_strerror(int code);

enum pr_op {
	PR_OP_STATUS = 0,
	PR_OP_CAMERAS,
	PR_OP_PLATE,
	PR_OP_CAPTURE,
	PR_OP_SESSION_START,
	PR_OP_SESSION_STOP,
	PR_OP_SESSION_LIST,
	PR_OP_RELOAD,
	PR_OP_WATCH,
	PR_OP_SCAN_START,
	PR_OP_SCAN_PAUSE,
	PR_OP_SCAN_RESUME,
	PR_OP_SCAN_STOP,
	PR_OP_SCAN_STATUS,
	PR_OP_CAMERA_SETTINGS,      /* a camera's settings with current and allowed values */
	PR_OP_CAMERA_SET,           /* set one setting of a camera (or "*": all) */
	PR_OP_PREVIEW,              /* a fresh frame of one camera, never stored (the page) */
	PR_OP_REMASK,               /* mask a session's shots again (new plates, settings) */
	PR_OP_COUNT
};

const char *pr_op_name(enum pr_op op);
/* 0 and *op set, or PR_PROTO_EUNKNOWN_OP. */
int pr_op_parse(const char *name, enum pr_op *op);

#define PR_PROTO_MAX_COUNT 100000u   /* capture: sets per request */
#define PR_PROTO_MAX_FRAMES 64u      /* plate: frames per camera */
#define PR_PROTO_MAX_STEPS 3600u     /* scan_start: steps of a scan */
#define PR_PROTO_MAX_SETTLE_MS 600000u
#define PR_PROTO_KEY_MAX 63          /* camera_set: a setting's key */
#define PR_PROTO_VALUE_MAX 127       /* camera_set: its value */
#define PR_PROTO_ALL_CAMERAS "*"     /* camera_set: every camera position */
#define PR_PROTO_LIST_MAX 511        /* remask: a comma-separated list of cameras */

struct pr_request {
	enum pr_op op;
	int64_t id;                          /* echoed in the reply; >= 0 */
	uint32_t frames;                     /* plate: 0 = the rig's plate_frames */
	uint32_t count;                      /* capture: sets (default 1) */
	char camera[PR_PROTO_NAME_MAX + 1];  /* plate, camera_settings: one camera position, "" =
					      * all; camera_set: a name or "*"; preview: a name */
	char key[PR_PROTO_KEY_MAX + 1];      /* camera_set */
	char value[PR_PROTO_VALUE_MAX + 1];  /* camera_set */
	char name[PR_PROTO_NAME_MAX + 1];    /* session_start: the session name */
	/* scan_start: 0 = the [turntable] default; settle_ms has no "unset"
	 * value of its own, so has_settle says it was given */
	uint32_t steps;
	double degrees;
	uint32_t settle_ms;
	uint32_t has_settle;
	/* plate: 1 = a plate per turntable step (steps, degrees, settle_ms as
	 * for scan_start) */
	uint32_t plate_scan;
	/* remask: name is the session; sets set_from..set_to (0: from the
	 * first, to the last); cameras "" = all */
	uint32_t set_from, set_to;
	char cameras[PR_PROTO_LIST_MAX + 1];
};

/* Zero a request and set its defaults (count = 1). */
void pr_request_init(struct pr_request *req, enum pr_op op, int64_t id);

/* Decode one request line (without or with its trailing '\n'). On error a
 * negative PR_PROTO_E* code and a message in err; *id_out / *has_id tell the
 * request's id when it could be read, so the error reply can carry it. */
int pr_proto_decode_request(const char *line, size_t len, struct pr_request *out,
			    int64_t *id_out, int *has_id, struct pr_error *err);

/* Encode a request as one line ending in '\n' into buf. Returns the length
 * (without the NUL) or a negative code when buf is too small. */
int pr_proto_encode_request(const struct pr_request *req, char *buf, size_t size);

/* Names: letters, digits, '.', '_', '-'; 1..PR_PROTO_NAME_MAX; not starting
 * with '.' (no hidden folders, so never "." or ".."), so a name is always
 * one plain folder or file name. Returns 0 or -1 with the reason in why. */
int pr_proto_check_name(const char *name, char *why, size_t size);

/* ---- replies and events (built by the daemon) ---- */

enum pr_event {
	PR_EV_SET_STARTED = 0,
	PR_EV_FILE_SAVED,
	PR_EV_MASK_WRITTEN,
	PR_EV_SET_COMPLETE,
	PR_EV_PLATE_SAVED,
	PR_EV_ERROR,
	PR_EV_PROGRESS,
	PR_EV_SCAN,                 /* a scan's state or step changed: step i of N, ETA */
	PR_EV_BACKDROP_WRITTEN,     /* a shot's backdrop composite was written */
	PR_EV_SHEET_WRITTEN,        /* a set's contact sheet was written */
	PR_EV_MASK_SKIPPED,         /* a shot was saved but not masked (no plate, ...) */
	PR_EV_SET_RESULT,           /* to a capture's requester: one set's result, as it ends */
	PR_EV_COUNT
};
const char *pr_event_name(enum pr_event ev);

/* {"v":1,"id":id,"ok":true}; add fields with json_object_object_add. */
json_object *pr_proto_reply_ok(int64_t id);
/* {"v":1,"id":id,"ok":false,"error":"..."}; id omitted when has_id is 0. */
json_object *pr_proto_reply_error(int64_t id, int has_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* {"v":1,"event":"..."} and, when has_id, "id" (progress of one request). */
json_object *pr_proto_event(enum pr_event ev, int64_t id, int has_id);

/* Serialise a message as one line ending in '\n' (malloc'd). Fails with
 * PR_PROTO_EOVERSIZE beyond PR_PROTO_MAX_REPLY, PR_ENOMEM otherwise. */
int pr_proto_serialize(json_object *msg, char **line, size_t *len);

/* ---- replies and events (read by the client) ---- */

enum pr_reply_kind { PR_REPLY = 0, PR_REPLY_EVENT };

struct pr_reply {
	enum pr_reply_kind kind;
	int64_t id;
	int has_id;
	int ok;                     /* replies */
	const char *error;          /* replies with ok false: the message */
	const char *event;          /* events: the name */
	json_object *obj;           /* the whole message; owned, freed by pr_reply_free */
};

int pr_proto_decode_reply(const char *line, size_t len, struct pr_reply *out,
			  struct pr_error *err);
void pr_reply_free(struct pr_reply *r);

/* Small typed getters over a decoded message: the default when the field is
 * absent or of another type. */
int64_t pr_json_int(json_object *o, const char *key, int64_t def);
double pr_json_double(json_object *o, const char *key, double def);
const char *pr_json_str(json_object *o, const char *key, const char *def);
int pr_json_bool(json_object *o, const char *key, int def);

#endif
