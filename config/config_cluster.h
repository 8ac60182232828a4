/* photorig config, internal: the [cluster] section (one rig across several
 * workstations, joined through an MQTT broker). Its rows are part of the one
 * key table (config_schema.c includes PR_CFG_CLUSTER_KEYS at its end); its
 * checks of single values and of the section as a whole live here. */
#ifndef PHOTORIG_CONFIG_CLUSTER_H
#define PHOTORIG_CONFIG_CLUSTER_H

#include <stddef.h>

int cfg_check_broker(const void *field, char *why, size_t size);
int cfg_check_node_name(const void *field, char *why, size_t size);
int cfg_check_username(const void *field, char *why, size_t size);

#define CL_(field) F(struct pr_cluster_config, field)
#define PR_CFG_CLUSTER_KEYS                                                                        \
	{ SEC_CLUSTER, "broker", CT_STRING, CL_(broker), .min = 1, .flags = CK_REQUIRED,           \
	  .check = cfg_check_broker },                                                             \
	{ SEC_CLUSTER, "ca_file", CT_PATH, CL_(ca_file), .def = "" },                              \
	{ SEC_CLUSTER, "node", CT_STRING, CL_(node), .def = "", .check = cfg_check_node_name },    \
	{ SEC_CLUSTER, "rig", CT_STRING, CL_(rig), .def = "", .check = cfg_check_node_name },      \
	{ SEC_CLUSTER, "username", CT_STRING, CL_(username), .def = "", .check = cfg_check_username }, \
	{ SEC_CLUSTER, "password_file", CT_PATH, CL_(password_file), .def = "" },                  \
	{ SEC_CLUSTER, "lead_ms", CT_INT, CL_(lead_ms), 5, 10000, "50" },

#endif
