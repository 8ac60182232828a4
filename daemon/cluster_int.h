/* photorigd: the cluster link's insides, shared by cluster_link.c (the
 * libmosquitto side, running on its network thread) and cluster.c,
 * cluster_rig.c (the loop side). Not for other modules: they use cluster.h. */
#ifndef PHOTORIGD_CLUSTER_INT_H
#define PHOTORIGD_CLUSTER_INT_H

#include <pthread.h>
#include <stdint.h>

#include "cluster.h"
#include "config.h"

struct mosquitto;

/* What the network thread tells the loop. */
enum cl_post_type {
	CLP_CONNECTED,      /* the broker accepted us */
	CLP_REFUSED,        /* the broker refused the connection (text: why) */
	CLP_DISCONNECTED,   /* the connection was lost (text: why) */
	CLP_MESSAGE,        /* msg: a checked message from another node */
	CLP_DROPPED,        /* text: a message that was dropped, and why */
};

struct cl_post {
	struct cl_post *next;
	enum cl_post_type type;
	int rc;
	char text[512];
	struct pr_cl_msg *msg;    /* CLP_MESSAGE: owned */
};

#define CL_MAX_PEERS 64
#define CL_MAX_GAPS 16

/* Another node, as its retained state and its messages tell. */
struct cl_peer {
	char name[PR_CL_NAME_MAX + 1];
	int online;
	int64_t seen_ns;          /* CLOCK_REALTIME of its last state */
	int64_t offline_since_ns; /* when it went offline (0: online) */
	struct pr_cl_msg *state;  /* its last state (owned; NULL: none yet) */
};

/* The rig's record of one set, kept by its coordinator (cluster_rig.c). */
struct rig_shot {
	char node[PR_CL_NAME_MAX + 1];
	char camera[PR_CL_NAME_MAX + 1];
	char serial[PR_CL_SERIAL_MAX + 1];
	char file[PR_CL_FILE_MAX + 1];
	uint64_t size, hash;
	int64_t trigger_ns;
};

struct rig_node {
	char name[PR_CL_NAME_MAX + 1];
	int finished, complete;
	int reported;             /* its set_finished came (else: given up, or none yet) */
	struct pr_cl_clock clock;
	char missing[1024];       /* its cameras without a file, comma separated */
};

struct rig_set {
	uint32_t number;
	int64_t release_ns;       /* T, CLOCK_REALTIME */
	int64_t deadline_mono_ns; /* nodes that have not reported by then are missing */
	int finished;
	struct rig_node *nodes;   /* [0]: the coordinator */
	uint32_t nnodes;
	struct rig_shot *shots;
	uint32_t nshots;
	int has_angle;            /* a step of a scan: its scan, step and angle */
	uint32_t scan;
	int32_t step;
	double angle;
};

/* A time the broker was out of reach (CLOCK_REALTIME); to_ns 0: still out. */
struct cl_gap {
	int64_t from_ns, to_ns;
};

struct cluster {
	struct daemon *d;
	struct pr_cluster_config cfg;    /* own copy: a reload does not move it */
	struct mosquitto *mosq;
	int started;                     /* the network thread runs */
	int64_t retry_ns;                /* mono: connect again then (0: no need) */
	int retry_s;                     /* the wait after that */
	/* the queue to the loop */
	int evfd;
	pthread_mutex_t lock;
	struct cl_post *head, *tail;
	/* loop side */
	int connected, ever_connected;
	char error[512];                 /* the last connection error ("" after a connect) */
	struct cl_gap gaps[CL_MAX_GAPS]; /* the latest outages, oldest first */
	uint32_t ngaps;
	uint64_t dropped;
	char last_drop[512];
	int64_t drop_window_ns;          /* mono: dropped messages logged since then */
	uint32_t drop_logged, drop_held;
	int refused;                     /* the broker refused us (credentials, ACL) */
	struct cl_peer peers[CL_MAX_PEERS];
	uint32_t npeers;
	char *state_sent;                /* the payload last published as our state */
	int64_t state_due_ns;            /* mono: republish by then anyway */
	struct pr_cl_clock clock;
	int64_t clock_read_ns;           /* mono */
	/* the rig's sets (cluster_rig.c) */
	uint64_t next_req;
	struct trigger_plan armed;       /* set and release time a coordinator sent us */
	uint32_t armed_last;             /* the last set armed so */
	uint32_t local_sets, last_local_set; /* sets shot without the rig (status) */
	char rig_session[PR_CL_NAME_MAX + 1];
	struct rig_set **rig;            /* sets this node coordinated in rig_session */
	uint32_t nrig, caprig;
	struct cl_late *late;            /* cluster_late.c: our reports of rig sets */
	/* cluster_hold.c: the hold we asked for, and the one we granted */
	struct cl_hold_mine {
		int state;               /* 0: none, 1: asked, 2: granted */
		int64_t sent_ns;
		uint64_t req;
		int64_t deadline_ns;     /* mono: nodes silent by then are not waited for */
		uint32_t asked, answered;
		char refused[300];       /* a node's "busy" */
	} mine;
	struct cl_hold_granted {
		int active, armed;       /* armed: it has sent an arm since */
		char node[PR_CL_NAME_MAX + 1];
		int64_t sent_ns;
	} granted;
	struct cl_scan *scan;            /* cluster_scan.c: the rig's scans (NULL: none yet) */
};

/* cluster_link.c: open the client, set the Will, start the network thread
 * and connect (0, or -1 logged); close it (the offline state first when
 * connected). */
int cl_link_open(struct cluster *cl);
void cl_link_close(struct cluster *cl);
/* Loop, every tick: a first connection that failed at once is tried again,
 * with back-off, until the network thread can take over. */
void cl_link_retry(struct cluster *cl);
/* Any thread: hand a post to the loop (takes p). */
void cl_post(struct cluster *cl, struct cl_post *p);
struct cl_post *cl_take_all(struct cluster *cl);
/* Loop: publish m on photorig/RIG/WHAT/NODE (WHAT from m's kind; NODE:
 * node, or m's sender). 0, or -1 (not connected, or refused: logged). */
int cl_publish(struct cluster *cl, const struct pr_cl_msg *m, const char *node, int retain);
/* Publish an already encoded payload. */
int cl_publish_raw(struct cluster *cl, const char *what, const char *node, const char *payload,
		   size_t len, int retain);

int64_t cl_realtime_ns(void);

/* cluster_rig.c: a command, reply or event of another node; deadlines of
 * the rig's sets (every tick); free the rig's records. */
void cl_rig_message(struct daemon *d, const struct pr_cl_msg *m);
void cl_rig_tick(struct daemon *d);
void cl_rig_fini(struct cluster *cl);
/* Reply to a command (a refusal is logged); a reply of op to node to;
 * send a command to every node (its request id). */
void cl_reply(struct cluster *cl, const struct pr_cl_msg *cmd, int ok, const char *error);
void cl_send_reply(struct cluster *cl, enum pr_cl_op op, const char *to, uint64_t req,
		   uint32_t set, int ok, const char *error);
uint64_t cl_command_all(struct cluster *cl, enum pr_cl_op op, const char *session,
			uint32_t frames, int64_t sent_ns);

/* cluster_hold.c: one capture at a time in the rig. Before its first set a
 * coordinator asks every node to hold the rig for it; the earliest request
 * (sent time, then node name) wins everywhere, the others are refused busy.
 * gate: 1 when the capture may go on (0: waiting; a refusal aborts the op);
 * message: 1 when m was a hold, a release or a reply to our hold; tick:
 * release once our capture is over; armed: an arm from node came in. */
int cl_hold_gate(struct daemon *d);
/* The same for work that is no capture op (a scan): 1 go on, 0 wait, -1
 * refused (why). */
int cl_hold_try(struct daemon *d, char *why, size_t size);
/* This node's capture gave way to another node's hold or was refused busy:
 * it started no set and shoots none (it ends at the next tick), so an arm
 * of the rig need not be refused for it. */
int cl_hold_gave_way(const struct daemon *d);
int cl_hold_message(struct daemon *d, const struct pr_cl_msg *m);
void cl_hold_tick(struct daemon *d);
void cl_hold_armed(struct cluster *cl, const char *node);
void cl_hold_node_gone(struct cluster *cl, const char *node);

/* cluster_scan.c: a turntable scan of the whole rig (see cluster_scan.h).
 * message: 1 when m was a scan request, reply or event; tick: forwarded
 * requests that time out, scans heard in other nodes' states; state: this
 * node's turntable and scan in its state; arm: shoot the set an arm asks
 * for (a scan step when it names one); plan: the arm and rig record of a
 * scan step; set_json: its scan, step and angle in the rig manifest. */
int cl_scan_message(struct daemon *d, const struct pr_cl_msg *m);
void cl_scan_tick(struct daemon *d);
void cl_scan_state(struct daemon *d, struct pr_cl_msg *m);
int cl_scan_arm(struct daemon *d, const struct pr_cl_msg *m);
void cl_scan_plan(struct daemon *d, struct pr_cl_msg *arm, struct rig_set *rs);
void cl_scan_set_json(const struct rig_set *rs, json_object *o);
void cl_scan_fini(struct cluster *cl);

/* cluster_rig.c: the coordinator's records of the rig's sets. */
struct rig_set *rig_find(struct cluster *cl, uint32_t number);
struct rig_node *rig_node(struct rig_set *rs, const char *name);
void rig_add_shot(struct rig_set *rs, const char *node, const char *camera, const char *serial,
		  const char *file, uint64_t size, uint64_t hash, int64_t trigger_ns);
/* A node's end of the set (or its absence): rig_manifest.json is written. */
void rig_node_done(struct daemon *d, struct rig_set *rs, struct rig_node *n, int complete,
		   uint32_t nmissing, char (*missing)[PR_CL_NAME_MAX + 1]);

/* cluster_rigload.c: this session's rig sets read back from the rig manifest
 * this node wrote as their coordinator, when they are not in memory (after a
 * restart, or the session opened again); a no-op when they are. */
void cl_rig_load(struct daemon *d);

/* cluster_late.c: a node's reports of the rig's sets, kept until their
 * coordinator has them. A node: armed (a coordinator armed set arm->set;
 * not_shot: its capture could not start after all),
 * rig_set (1: that set is a rig set another node coordinated), reported
 * (its report was sent at its end, or could not be), tick (pending reports
 * go again), message (1 when m was a coordinator's answer to a report).
 * The coordinator: event (1 when m was a late report, taken or dropped and
 * logged), answer (a node's set_finished was recorded, or not and why). */
void cl_late_armed(struct daemon *d, const struct pr_cl_msg *arm);
void cl_late_not_shot(struct daemon *d, uint32_t set);
int cl_late_rig_set(struct daemon *d, uint32_t set);
void cl_late_reported(struct daemon *d, uint32_t set);
void cl_late_tick(struct daemon *d);
int cl_late_message(struct daemon *d, const struct pr_cl_msg *m);
int cl_late_event(struct daemon *d, const struct pr_cl_msg *m);
void cl_late_answer(struct cluster *cl, const struct pr_cl_msg *ev, int ok, const char *error);
void cl_late_fini(struct cluster *cl);
/* Publish a set's report: file_saved for each saved file, set_finished;
 * to: its coordinator when sent again (NULL: at the set's end). */
void cl_report_set(struct daemon *d, const struct set_rec *set, const char *to, int local);

#endif
