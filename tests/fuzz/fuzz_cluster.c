/* Fuzz target: the cluster message decoder (core/protocol/cluster_msg.c).
 *
 * Every payload a photorigd node reads from the MQTT broker is hostile input:
 * any client the broker lets publish under photorig/RIG/ can send anything.
 * The input is decoded as one payload, and the topic parser reads it as a
 * topic (a broker hands both over).
 *
 * Beyond "no crash", properties are checked and abort when broken:
 *  - a refused payload has a message;
 *  - a payload that decodes encodes again, and that decodes to the same
 *    message byte for byte (what one node sends is what another reads);
 *  - every name it holds is a plain name, and a file path stays inside the
 *    session folder (no leading '/', no "..");
 *  - a topic that parses is rebuilt by pr_cl_topic to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_cluster: property broken: %s\n", what);
		abort();
	}
}

static int plain_name(const char *s)
{
	char why[128];
	return !s[0] || !pr_proto_check_name(s, why, sizeof(why));
}

/* A path component that is exactly "..". */
static int has_dotdot(const char *path)
{
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p += n + (p[n] == '/');
	}
	return 0;
}

static void one_payload(const uint8_t *data, size_t size)
{
	struct pr_cl_msg *m = malloc(sizeof(*m)), *again = malloc(sizeof(*again));
	struct pr_error err = { 0 };
	if (!m || !again)
		goto out;
	if (pr_cl_decode(data, size, m, &err)) {
		check(err.msg[0] != '\0', "a refused payload has a message");
		goto out;
	}
	check(m->rig[0] && m->from[0] && plain_name(m->rig) && plain_name(m->from) &&
	      plain_name(m->to) && plain_name(m->session) && plain_name(m->camera),
	      "a decoded message names its rig and sender with plain names");
	check(m->file[0] != '/' && !has_dotdot(m->file), "a file path stays in the session");
	for (uint32_t i = 0; i < m->ncameras; i++)
		check(m->cameras[i].name[0] && plain_name(m->cameras[i].name), "camera names are plain");
	for (uint32_t i = 0; i < m->nmissing; i++)
		check(m->missing[i][0] && plain_name(m->missing[i]), "missing names are plain");
	char *buf = NULL;
	size_t len = 0;
	int rc = pr_cl_encode(m, &buf, &len, &err);
	/* the input was within the limit; its re-encoding may only grow by
	 * escapes json-c writes where the input had raw bytes */
	check(!rc || rc == PR_PROTO_EOVERSIZE, "a decoded message encodes again");
	if (!rc) {
		check(len == strlen(buf), "an encoded payload has no NUL inside");
		check(!pr_cl_decode(buf, len, again, &err), "a re-encoded message decodes again");
		check(!memcmp(m, again, sizeof(*m)), "a message survives encode and decode unchanged");
	}
	free(buf);
out:
	free(m);
	free(again);
}

static void one_topic(const uint8_t *data, size_t size)
{
	char topic[PR_CL_TOPIC_MAX * 2], rig[PR_CL_NAME_MAX + 1], what[16], node[PR_CL_NAME_MAX + 1];
	size_t n = size < sizeof(topic) - 1 ? size : sizeof(topic) - 1;
	memcpy(topic, data, n);
	topic[n] = '\0';
	if (pr_cl_topic_parse(topic, rig, what, node))
		return;
	char again[PR_CL_TOPIC_MAX * 2];
	check(!pr_cl_topic(again, sizeof(again), rig, what, node) && !strcmp(again, topic),
	      "a parsed topic is rebuilt unchanged");
	check(plain_name(rig) && plain_name(node), "topic parts are plain names");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_payload(data, size);
	one_topic(data, size);
	return 0;
}
