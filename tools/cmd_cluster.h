/* photorig client: what `status` prints of a multi-workstation rig (the
 * "cluster" part of photorigd's status reply, see daemon/cluster.h). */
#ifndef PHOTORIG_CMD_CLUSTER_H
#define PHOTORIG_CMD_CLUSTER_H

#include <json-c/json.h>

/* Nothing when the reply has no "cluster" (a one-workstation rig). */
void print_cluster_status(json_object *status);

#endif
