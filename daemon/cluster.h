/* photorigd: the cluster link, one rig across several workstations.
 *
 * With a [cluster] section, photorigd joins an MQTT broker (libmosquitto)
 * as node NODE of rig RIG. Payloads are core/protocol/cluster_msg.h's; no
 * image crosses the broker.
 *
 * Threads: libmosquitto's own network thread (mosquitto_loop_start) owns the
 * socket, reconnects with back-off, and runs the callbacks. The callbacks
 * never touch daemon state: they check and decode what arrives and post it
 * to a queue of the cluster's own, whose eventfd wakes the epoll loop
 * (TAG_CLUSTER), the way camera threads post reports. The loop alone keeps
 * the view of the other nodes and publishes (libmosquitto's publish is
 * thread-safe; the network thread writes the packet).
 *
 * What a node publishes: its state, retained, under photorig/RIG/state/NODE
 * whenever it changes, with a Last Will (retained, online false) that the
 * broker publishes when the node vanishes; on a clean stop the node says
 * offline itself. Messages that are oversized, malformed, for another rig,
 * or whose sender does not match their topic are dropped, counted and
 * logged; the rig goes on. Broker outages are kept (when, how long) and
 * shown by `status`. */
#ifndef PHOTORIGD_CLUSTER_H
#define PHOTORIGD_CLUSTER_H

#include <json-c/json.h>

#include "cluster_msg.h"

struct daemon;
struct cluster;

/* Start the link when the config has [cluster] (else a no-op returning 0).
 * The broker need not be up: the link connects when it can. -1 only when
 * libmosquitto cannot be set up (bad TLS file, out of memory), logged. */
int cluster_start(struct daemon *d);
/* Say offline, disconnect, join the network thread. Safe twice. */
void cluster_stop(struct daemon *d);
int cluster_enabled(const struct daemon *d);

/* Loop: the cluster's eventfd is readable (TAG_CLUSTER). */
void cluster_on_event(struct daemon *d);
/* Loop: every tick; publishes the node's state when it changed. */
void cluster_tick(struct daemon *d);

/* status: {"node", "rig", "broker", "connected", "error", "outages",
 * "dropped", "clock", "nodes": [{node, online, clock, cameras, ...}]}, or
 * NULL without [cluster]. */
json_object *cluster_status_json(struct daemon *d);
/* cameras: every other node's cameras, named NODE/CAMERA, appended to a. */
void cluster_cameras_json(struct daemon *d, json_object *a);

/* ---- the rig's sets (cluster_rig.c): the capture path's trigger source ---- */

/* What the next set of this node is: a number and a release time chosen by
 * the rig (set 0: this node's own next number, released when its cameras
 * are armed); local: shot without the rig. */
struct trigger_plan {
	uint32_t set;
	int64_t release_mono_ns;
	int local;
};
struct set_rec;
/* Capture path, before each set: the plan (coordinating: picks the number
 * and T and arms every node; armed by a coordinator: its number and T). */
void cluster_set_plan(struct daemon *d, struct trigger_plan *plan);
/* Capture path, the set is finished: its files and its end go to the rig. */
void cluster_set_finished(struct daemon *d, const struct set_rec *set);
/* Capture path: 0 while the rig's last set waits for other nodes' reports. */
int cluster_may_start_set(struct daemon *d);
/* Control socket: plates of every camera started here (frames, 0: each
 * node's plate_frames); the other nodes record theirs. */
void cluster_plate_started(struct daemon *d, uint32_t frames);
/* Control socket: a session started (1) or stopped (0) here; the rig follows. */
void cluster_session_changed(struct daemon *d, int started, const char *name);

/* adjtimex's view of this machine's clock (cluster_clock.c); ok when
 * synchronised with an estimated error of at most 1 ms. */
void cluster_clock_read(struct pr_cl_clock *c);
int cluster_clock_ok(const struct pr_cl_clock *c);
json_object *cluster_clock_json(const struct pr_cl_clock *c);

#endif
