/* photorig core: the messages photorigd nodes exchange through an MQTT
 * broker when one rig spans several workstations ([cluster] in the config).
 *
 * One module encodes and decodes every payload, so every node agrees on the
 * version, the limits and the field types, and one fuzz target covers the
 * decoder (tests/fuzz/fuzz_cluster.c). A payload is one JSON object:
 *
 *   {"v":1,"kind":"state","rig":R,"from":NODE,"sent_ns":T, ...}
 *
 * Topics, all under photorig/RIG/ (pr_cl_topic):
 *   state/NODE   retained: the node's state; its Last Will says offline
 *   cmd/NODE     commands for one node, cmd/all for every node
 *   reply/NODE   replies to the node that sent the command
 *   event/NODE   what a node did (set armed, fired, file saved, ...)
 *
 * Kinds and their fields (besides v, kind, rig, from, sent_ns):
 *   state   online, session, next_set, busy, disk_full, clock {synced,
 *           error_us}, cameras [{name, serial, state, plate}], turntable,
 *           scan
 *   cmd     to, req, op (arm | plate | session_start | session_stop | hold |
 *           release | scan), set, t_ns (arm: release time, CLOCK_REALTIME),
 *           frames, name (session), camera, request (scan), scan (arm)
 *   reply   to, req, op, ok, error, set, scan (op report: the coordinator's
 *           answer to a node's set_finished, req the set's number)
 *   event   event (set_armed | set_fired | file_saved | mask_written |
 *           set_finished | scan), session, set, camera, serial, file, size,
 *           hash, trigger_ns, complete, local, clock {synced, error_us},
 *           missing [CAMERA...], scan, to (a node's report of a rig set
 *           sent again: the set's coordinator, see daemon/cluster_late.c)
 *
 * A turntable scan of the whole rig: "turntable" says a node has one; a
 * scan request from another node's socket travels as cmd scan, its
 * "request" the control socket's own request line (decoded there by the
 * socket's decoder); "scan" is a scan's status as the control socket shows
 * it (JSON text: scan, session, state, step, angle, ...), carried by the
 * turntable node's state, its scan events and replies, and by the arm of a
 * set that is a scan step (its step and angle).
 *
 * No image crosses the broker: a file is named by its path relative to its
 * node's session folder, its size and its FNV-1a 64 hash (16 hex digits).
 *
 * The decoder trusts nothing: the length is checked before parsing
 * (PR_CL_MAX_MSG), nesting is bounded, every name must be a plain name
 * (pr_proto_check_name), strings have their own bounds, numbers their
 * ranges, arrays their counts; unknown fields are ignored (a newer node may
 * send more), unknown kinds, ops and events are refused. */
#ifndef PHOTORIG_CLUSTER_MSG_H
#define PHOTORIG_CLUSTER_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "protocol.h"

#define PR_CL_VERSION 1
#define PR_CL_MAX_MSG (64 * 1024)     /* a payload, in bytes */
#define PR_CL_MAX_DEPTH 8             /* JSON nesting accepted */
#define PR_CL_NAME_MAX PR_PROTO_NAME_MAX
#define PR_CL_MAX_CAMERAS 256         /* per node, as [camera] sections per daemon */
#define PR_CL_SERIAL_MAX 63
#define PR_CL_STATE_MAX 15            /* "ready", "offline", ... */
#define PR_CL_FILE_MAX 299            /* relative to the node's session folder */
#define PR_CL_ERROR_MAX 255
#define PR_CL_TOPIC_MAX 160
#define PR_CL_REQUEST_MAX 1023        /* cmd scan: a control socket request line */
#define PR_CL_SCAN_MAX 24575          /* a scan's status, JSON text */

enum pr_cl_kind { PR_CL_STATE = 0, PR_CL_CMD, PR_CL_REPLY, PR_CL_EVENT, PR_CL_KIND_COUNT };

enum pr_cl_op {
	PR_CL_OP_ARM = 0,         /* arm set `set`, release at t_ns */
	PR_CL_OP_PLATE,           /* record plates (frames, camera) */
	PR_CL_OP_SESSION_START,   /* open session `name` */
	PR_CL_OP_SESSION_STOP,
	PR_CL_OP_HOLD,            /* reserve the rig for one coordinator (capture, plate) */
	PR_CL_OP_RELEASE,         /* end of that reservation */
	PR_CL_OP_SCAN,            /* a scan request for the node with the turntable */
	PR_CL_OP_REPORT,          /* reply only: a node's report of a set recorded (or not) */
	PR_CL_OP_COUNT
};

enum pr_cl_event {
	PR_CL_EV_SET_ARMED = 0,
	PR_CL_EV_SET_FIRED,
	PR_CL_EV_FILE_SAVED,
	PR_CL_EV_MASK_WRITTEN,
	PR_CL_EV_SET_FINISHED,
	PR_CL_EV_SCAN,            /* a scan's state or step changed (scan) */
	PR_CL_EV_COUNT
};

/* adjtimex's view of the node's clock. */
struct pr_cl_clock {
	int synced;               /* the kernel says synchronised */
	int64_t error_us;         /* estimated error (-1: unknown) */
};

struct pr_cl_camera {
	char name[PR_CL_NAME_MAX + 1];
	char serial[PR_CL_SERIAL_MAX + 1];
	char state[PR_CL_STATE_MAX + 1];
	int plate;                /* has a plate */
};

struct pr_cl_msg {
	enum pr_cl_kind kind;
	char rig[PR_CL_NAME_MAX + 1];
	char from[PR_CL_NAME_MAX + 1];
	int64_t sent_ns;          /* CLOCK_REALTIME of the sender, >= 0 */
	/* state */
	int online, busy, disk_full;
	int turntable;            /* state: a turntable is attached to this node */
	uint32_t next_set;        /* the set number its session would use next */
	struct pr_cl_clock clock; /* state, set_fired */
	uint32_t ncameras;
	struct pr_cl_camera cameras[PR_CL_MAX_CAMERAS];
	/* cmd, reply */
	char to[PR_CL_NAME_MAX + 1];  /* a node, or "all" (cmd); event: a late report's coordinator */
	uint64_t req;             /* request id, chosen by the sender, > 0 */
	enum pr_cl_op op;
	int64_t t_ns;             /* arm: release time (CLOCK_REALTIME) */
	uint32_t frames;          /* plate */
	int ok;                   /* reply */
	char error[PR_CL_ERROR_MAX + 1];
	/* event */
	enum pr_cl_event event;
	char session[PR_CL_NAME_MAX + 1];  /* state, cmd (session_start: name), event */
	uint32_t set;             /* cmd arm, reply, event */
	char camera[PR_CL_NAME_MAX + 1];   /* cmd plate (optional), file events */
	char serial[PR_CL_SERIAL_MAX + 1];
	char file[PR_CL_FILE_MAX + 1];
	uint64_t size, hash;
	int64_t trigger_ns;
	int complete, local;      /* set_finished; local: shot without the rig */
	uint32_t nmissing;        /* set_finished: its cameras without a file */
	char missing[PR_CL_MAX_CAMERAS][PR_CL_NAME_MAX + 1];
	char request[PR_CL_REQUEST_MAX + 1]; /* cmd scan */
	char scan[PR_CL_SCAN_MAX + 1];       /* state, cmd arm, reply, event scan */
};

const char *pr_cl_kind_name(enum pr_cl_kind k);
const char *pr_cl_op_name(enum pr_cl_op op);
const char *pr_cl_event_name(enum pr_cl_event ev);

/* Zero m and set its kind, rig and sender (names are not checked here: the
 * encoder does). */
void pr_cl_msg_init(struct pr_cl_msg *m, enum pr_cl_kind kind, const char *rig, const char *from);

/* Decode one payload (len bytes, no terminator needed). 0, or a negative
 * PR_PROTO_E* code and the reason in err; *out is then unspecified. */
int pr_cl_decode(const void *payload, size_t len, struct pr_cl_msg *out, struct pr_error *err);

/* Encode m as one payload (malloc'd, NUL-terminated, *len without the NUL).
 * m is checked as the decoder would: PR_PROTO_EBADVALUE for a field it would
 * refuse, PR_PROTO_EOVERSIZE beyond PR_CL_MAX_MSG, PR_ENOMEM. */
int pr_cl_encode(const struct pr_cl_msg *m, char **payload, size_t *len, struct pr_error *err);

/* "photorig/RIG/WHAT/NODE" (WHAT: state, cmd, reply, event; NODE may be
 * "all" or "+"). 0, or PR_EINVAL when it does not fit. */
int pr_cl_topic(char *buf, size_t size, const char *rig, const char *what, const char *node);

/* Split a topic photorig/RIG/WHAT/NODE: 0 with its parts, or -1 when it is
 * not of that form or a part is not a plain name. */
int pr_cl_topic_parse(const char *topic, char rig[PR_CL_NAME_MAX + 1], char what[16],
		      char node[PR_CL_NAME_MAX + 1]);

#endif
