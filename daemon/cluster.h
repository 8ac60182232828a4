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

/* adjtimex's view of this machine's clock (cluster_clock.c); ok when
 * synchronised with an estimated error of at most 1 ms. */
void cluster_clock_read(struct pr_cl_clock *c);
int cluster_clock_ok(const struct pr_cl_clock *c);
json_object *cluster_clock_json(const struct pr_cl_clock *c);

#endif
