/* photorigd: a turntable scan of a rig of several nodes (cluster_scan.c).
 *
 * With [cluster], `scan start|pause|resume|stop|status` through any node's
 * socket acts on the rig: the request goes to the one node with a turntable
 * (an error names the nodes when none or several have one), which runs the
 * scan as a single workstation does (turn, settle, shoot), except that
 * each step's set is a set of the whole rig, fired at T on every node
 * (cluster_rig.c), and the table turns on only when every node reported
 * that set or the set's time ran out. The scan's progress events travel to
 * every node, whose clients see them as their own. Without [cluster] every
 * call here leaves the scan a single workstation's. */
#ifndef PHOTORIGD_CLUSTER_SCAN_H
#define PHOTORIGD_CLUSTER_SCAN_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

struct daemon;
struct scan;

/* ops: a scan request from this node's socket, run here or forwarded to
 * the node with the turntable (its reply comes back to requester). */
void cluster_scan_request(struct daemon *d, uint64_t requester, const struct pr_request *req);

/* scan.c, before a turn and before a set: 1 go on; 0 wait (the rig's hold
 * is asked: come back); -1 pause (why: another node's capture holds the
 * rig); -2 pause until the broker is back (why), cluster_scan_rig_back()
 * says when. */
int cluster_scan_gate(struct daemon *d, char *why, size_t size);
int cluster_scan_rig_back(struct daemon *d);

/* scan.c, around capture_scan_set: the rig's set about to be triggered is
 * step sc->cur of sc (NULL afterwards), so every node's set names it. */
void cluster_scan_step(struct daemon *d, const struct scan *sc);

/* scan.c, a step's set has its files here: 0 while the other nodes of the
 * rig have not all reported it (nor its time run out); else 1, with the
 * other nodes' missing cameras as "NODE/CAMERA, ..." in others and retry
 * set when one of them is on a node online, or the broker is away (their
 * reports may be what is missing): a set again, once the broker is back,
 * may get them. */
int cluster_scan_set_done(struct daemon *d, uint32_t set, char *others, size_t size,
			  int *retry);

/* scan.c: a scan event (PR_EV_SCAN, not taken) goes to the other nodes. */
void cluster_scan_broadcast(struct daemon *d, json_object *e);

/* status: this node's scan, or the rig's scan as last heard from the node
 * with the turntable (with "node"); NULL when none. */
json_object *cluster_scan_json(struct daemon *d);

#endif
