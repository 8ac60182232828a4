/* Unit tests: the cluster payloads (core/protocol/cluster_msg.c): round trips
 * of every kind, op and event, the size limit, and the refusals a hostile or
 * foreign node's message must meet. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster_msg.h"

static struct pr_cl_msg *msg_new(enum pr_cl_kind kind)
{
	struct pr_cl_msg *m = malloc(sizeof(*m));
	assert_non_null(m);
	pr_cl_msg_init(m, kind, "studio-a", "node-1");
	m->sent_ns = 1765000000123456789LL;
	return m;
}

/* Encode a, decode it into a fresh message: equal in every byte. */
static void round_trip(const struct pr_cl_msg *a)
{
	char *buf = NULL;
	size_t len = 0;
	struct pr_error err = { 0 };
	int rc = pr_cl_encode(a, &buf, &len, &err);
	if (rc)
		fail_msg("encode: %s", err.msg);
	assert_int_equal(strlen(buf), len);
	struct pr_cl_msg *b = malloc(sizeof(*b));
	assert_non_null(b);
	memset(b, 0xa5, sizeof(*b));
	rc = pr_cl_decode(buf, len, b, &err);
	if (rc)
		fail_msg("decode of %s: %s", buf, err.msg);
	assert_memory_equal(a, b, sizeof(*a));
	free(b);
	free(buf);
}

static void test_state_round_trip(void **state)
{
	(void)state;
	struct pr_cl_msg *m = msg_new(PR_CL_STATE);
	m->online = 1;
	m->busy = 1;
	m->next_set = 42;
	m->clock.synced = 1;
	m->clock.error_us = 250;
	snprintf(m->session, sizeof(m->session), "shoe-042");
	m->ncameras = PR_CL_MAX_CAMERAS;
	for (uint32_t i = 0; i < m->ncameras; i++) {
		snprintf(m->cameras[i].name, sizeof(m->cameras[i].name), "cam%03u", i);
		snprintf(m->cameras[i].serial, sizeof(m->cameras[i].serial), "SN %u/x", i);
		snprintf(m->cameras[i].state, sizeof(m->cameras[i].state), "ready");
		m->cameras[i].plate = i & 1;
	}
	round_trip(m);
	/* the offline Will: nothing but who and offline */
	struct pr_cl_msg *w = msg_new(PR_CL_STATE);
	w->sent_ns = 0;
	round_trip(w);
	free(w);
	free(m);
}

static void test_cmd_reply_round_trip(void **state)
{
	(void)state;
	for (int op = 0; op < PR_CL_OP_COUNT; op++) {
		struct pr_cl_msg *m = msg_new(PR_CL_CMD);
		m->op = (enum pr_cl_op)op;
		snprintf(m->to, sizeof(m->to), "%s", op & 1 ? "all" : "node-2");
		m->req = 0xfffffffffffffff0ULL + (uint64_t)op; /* beyond int64 */
		m->set = 7 + (uint32_t)op;
		m->t_ns = 1765000000200000000LL;
		m->frames = 5;
		snprintf(m->session, sizeof(m->session), "scan_2.1");
		snprintf(m->camera, sizeof(m->camera), "left");
		round_trip(m);
		m->kind = PR_CL_REPLY;
		m->t_ns = 0;   /* not part of a reply: the decoder leaves them 0 */
		m->frames = 0;
		memset(m->session, 0, sizeof(m->session));
		memset(m->camera, 0, sizeof(m->camera));
		m->ok = op & 1;
		snprintf(m->error, sizeof(m->error), "busy: node-3 is capturing set 12 \"now\"");
		round_trip(m);
		free(m);
	}
}

static void test_event_round_trip(void **state)
{
	(void)state;
	for (int ev = 0; ev < PR_CL_EV_COUNT; ev++) {
		struct pr_cl_msg *m = msg_new(PR_CL_EVENT);
		m->event = (enum pr_cl_event)ev;
		m->set = 12;
		snprintf(m->session, sizeof(m->session), "shoe");
		snprintf(m->camera, sizeof(m->camera), "cam01");
		snprintf(m->serial, sizeof(m->serial), "ABC123");
		snprintf(m->file, sizeof(m->file), "cam01/shoe_0012_cam01.jpg");
		m->size = 5000000000ULL;
		m->hash = 0xfedcba9876543210ULL;
		m->trigger_ns = 1765000000200001234LL;
		m->complete = ev == PR_CL_EV_SET_FINISHED;
		m->local = 1;
		m->clock.error_us = 3000;
		m->nmissing = 2;
		snprintf(m->missing[0], sizeof(m->missing[0]), "cam02");
		snprintf(m->missing[1], sizeof(m->missing[1]), "cam03");
		round_trip(m);
		/* a late report, sent again to the set's coordinator */
		snprintf(m->to, sizeof(m->to), "ws-1");
		round_trip(m);
		free(m);
	}
}

static int decode_str(const char *s, struct pr_cl_msg *m, struct pr_error *err)
{
	return pr_cl_decode(s, strlen(s), m, err);
}

/* A turntable scan of the rig: the node's turntable in its state, a scan
 * request forwarded to it, its scan's status in state, arm, reply and
 * event; a status with a control character or beyond its bound refused. */
static void test_scan_fields(void **state)
{
	(void)state;
	const char *status = "{\"what\":\"step\",\"scan\":2,\"session\":\"turn-1\","
			     "\"step\":3,\"angle\":120.5,\"reason\":\"a \\\"quoted\\\" word\"}";
	struct pr_cl_msg *m = msg_new(PR_CL_STATE);
	m->online = m->turntable = 1;
	snprintf(m->scan, sizeof(m->scan), "%s", status);
	round_trip(m);
	free(m);
	m = msg_new(PR_CL_CMD);
	m->op = PR_CL_OP_SCAN;
	snprintf(m->to, sizeof(m->to), "node-2");
	m->req = 9;
	snprintf(m->request, sizeof(m->request), "{\"v\":1,\"id\":4,\"op\":\"scan_start\","
		 "\"steps\":6,\"degrees\":360}");
	round_trip(m);
	m->op = PR_CL_OP_ARM;
	memset(m->request, 0, sizeof(m->request));
	snprintf(m->scan, sizeof(m->scan), "%s", status);
	round_trip(m);
	m->kind = PR_CL_REPLY;
	m->op = PR_CL_OP_SCAN;
	m->ok = 1;
	round_trip(m);
	free(m);
	m = msg_new(PR_CL_EVENT);
	m->event = PR_CL_EV_SCAN;
	memset(m->scan, 'x', PR_CL_SCAN_MAX); /* the longest status there may be */
	round_trip(m);

	struct pr_error err = { 0 };
	assert_int_equal(decode_str("{\"v\":1,\"kind\":\"event\",\"event\":\"scan\",\"rig\":\"r\","
				    "\"from\":\"n\",\"set\":0,\"scan\":\"{\\u0007}\"}", m, &err),
			 PR_PROTO_EBADVALUE);
	assert_non_null(strstr(err.msg, "scan"));
	size_t n = PR_CL_REQUEST_MAX + 200;
	char *big = malloc(n);
	assert_non_null(big);
	int off = snprintf(big, n, "{\"v\":1,\"kind\":\"cmd\",\"op\":\"scan\",\"rig\":\"r\","
			   "\"from\":\"n\",\"to\":\"m\",\"req\":1,\"request\":\"");
	memset(big + off, 'y', PR_CL_REQUEST_MAX + 1);
	snprintf(big + off + PR_CL_REQUEST_MAX + 1, n - (size_t)off - PR_CL_REQUEST_MAX - 1, "\"}");
	assert_int_equal(pr_cl_decode(big, strlen(big), m, &err), PR_PROTO_EBADVALUE);
	assert_non_null(strstr(err.msg, "request"));
	free(big);
	free(m);
}

static void test_refusals(void **state)
{
	(void)state;
	struct pr_cl_msg *m = malloc(sizeof(*m));
	struct pr_error err;
	assert_non_null(m);
	static const struct {
		const char *text;
		int code;
		const char *says;
	} cases[] = {
		{ "", PR_PROTO_EMALFORMED, "empty" },
		{ "not json", PR_PROTO_EMALFORMED, "malformed" },
		{ "[1,2]", PR_PROTO_EMALFORMED, "not a JSON object" },
		{ "{\"v\":1,\"kind\":\"state\"} {}", PR_PROTO_EMALFORMED, "after the object" },
		{ "{\"kind\":\"state\"}", PR_PROTO_EVERSION, "version missing" },
		{ "{\"v\":2,\"kind\":\"state\"}", PR_PROTO_EVERSION, "not supported" },
		{ "{\"v\":1,\"kind\":\"gossip\",\"rig\":\"r\",\"from\":\"n\"}", PR_PROTO_EBADVALUE,
		  "unknown kind" },
		{ "{\"v\":1,\"kind\":\"state\",\"from\":\"n\",\"online\":true}", PR_PROTO_EMISSING,
		  "'rig'" },
		{ "{\"v\":1,\"kind\":\"state\",\"rig\":\"r/#\",\"from\":\"n\",\"online\":true}",
		  PR_PROTO_EBADVALUE, "bad name" },
		{ "{\"v\":1,\"kind\":\"state\",\"rig\":\"r\",\"from\":\"\",\"online\":true}",
		  PR_PROTO_EBADVALUE, "empty" },
		{ "{\"v\":1,\"kind\":\"state\",\"rig\":\"r\",\"from\":\"..\",\"online\":true}",
		  PR_PROTO_EBADVALUE, "bad name" },
		{ "{\"v\":1,\"kind\":\"state\",\"rig\":\"r\",\"from\":\"n\",\"online\":1}",
		  PR_PROTO_EBADVALUE, "true or false" },
		{ "{\"v\":1,\"kind\":\"cmd\",\"op\":\"arm\",\"rig\":\"r\",\"from\":\"n\",\"to\":\"all\","
		  "\"req\":0}", PR_PROTO_EBADVALUE, "'req' is out of range" },
		{ "{\"v\":1,\"kind\":\"cmd\",\"op\":\"arm\",\"rig\":\"r\",\"from\":\"n\",\"to\":\"all\","
		  "\"req\":-5}", PR_PROTO_EBADVALUE, "negative" },
		{ "{\"v\":1,\"kind\":\"cmd\",\"op\":\"fire_now\",\"rig\":\"r\",\"from\":\"n\"}",
		  PR_PROTO_EBADVALUE, "unknown op" },
		{ "{\"v\":1,\"kind\":\"cmd\",\"op\":\"arm\",\"rig\":\"r\",\"from\":\"n\",\"to\":\"all\","
		  "\"req\":1,\"set\":4294967296}", PR_PROTO_EBADVALUE, "'set' is out of range" },
		{ "{\"v\":1,\"kind\":\"cmd\",\"op\":\"arm\",\"rig\":\"r\",\"from\":\"n\",\"to\":\"all\","
		  "\"req\":1,\"t_ns\":-1}", PR_PROTO_EBADVALUE, "'t_ns'" },
		{ "{\"v\":1,\"kind\":\"cmd\",\"op\":\"plate\",\"rig\":\"r\",\"from\":\"n\",\"to\":\"all\","
		  "\"req\":1,\"frames\":65}", PR_PROTO_EBADVALUE, "'frames'" },
		{ "{\"v\":1,\"kind\":\"event\",\"event\":\"file_saved\",\"rig\":\"r\",\"from\":\"n\","
		  "\"set\":1,\"file\":\"../../etc/passwd\"}", PR_PROTO_EBADVALUE, "inside the session" },
		{ "{\"v\":1,\"kind\":\"event\",\"event\":\"file_saved\",\"rig\":\"r\",\"from\":\"n\","
		  "\"set\":1,\"file\":\"/etc/passwd\"}", PR_PROTO_EBADVALUE, "inside the session" },
		{ "{\"v\":1,\"kind\":\"event\",\"event\":\"file_saved\",\"rig\":\"r\",\"from\":\"n\","
		  "\"set\":1,\"hash\":\"12345\"}", PR_PROTO_EBADVALUE, "16 hex digits" },
		{ "{\"v\":1,\"kind\":\"event\",\"event\":\"file_saved\",\"rig\":\"r\",\"from\":\"n\"}",
		  PR_PROTO_EMISSING, "'set'" },
		{ "{\"v\":1,\"kind\":\"event\",\"event\":\"set_finished\",\"rig\":\"r\",\"from\":\"n\","
		  "\"set\":1,\"missing\":[\"a\",\"b/c\"]}", PR_PROTO_EBADVALUE, "'missing'" },
		{ "{\"v\":1,\"kind\":\"state\",\"rig\":\"r\",\"from\":\"n\",\"online\":true,"
		  "\"cameras\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", PR_PROTO_EBADVALUE, "twice" },
		{ "{\"v\":1,\"kind\":\"state\",\"rig\":\"r\",\"from\":\"n\",\"online\":true,"
		  "\"cameras\":[{\"name\":\"a\",\"serial\":\"x\\u0001\"}]}", PR_PROTO_EBADVALUE,
		  "control character" },
		{ "{\"v\":1,\"kind\":\"state\",\"rig\":\"r\",\"from\":\"n\",\"online\":true,"
		  "\"clock\":{\"error_us\":-2}}", PR_PROTO_EBADVALUE, "clock.error_us" },
		{ "{\"v\":1,\"kind\":\"reply\",\"op\":\"arm\",\"rig\":\"r\",\"from\":\"n\",\"to\":\"m\","
		  "\"req\":1,\"ok\":false,\"error\":\"a\\u0000b\"}", PR_PROTO_EBADVALUE, "NUL" },
		{ "{\"v\":1,\"kind\":\"state\",\"x\":[[[[[[[[[[1]]]]]]]]]]}", PR_PROTO_EMALFORMED,
		  "malformed" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		int rc = decode_str(cases[i].text, m, &err);
		if (rc != cases[i].code || !strstr(err.msg, cases[i].says))
			fail_msg("case %zu (%s): rc %d, '%s'; wanted %d and '%s'", i, cases[i].text, rc,
				 err.msg, cases[i].code, cases[i].says);
	}
	/* a NUL byte inside the payload */
	static const char nul[] = "{\"v\":1,\"kind\":\"state\"}\0";
	assert_int_equal(pr_cl_decode(nul, sizeof(nul), m, &err), PR_PROTO_EMALFORMED);
	/* unknown fields are ignored */
	assert_int_equal(decode_str("{\"v\":1,\"kind\":\"state\",\"rig\":\"r\",\"from\":\"n\","
				    "\"online\":false,\"future\":{\"x\":1}}", m, &err), 0);
	assert_string_equal(m->from, "n");
	assert_int_equal(m->online, 0);
	free(m);
}

static void test_size_limit(void **state)
{
	(void)state;
	struct pr_error err;
	struct pr_cl_msg *m = msg_new(PR_CL_STATE);
	/* an oversized payload is refused before it is parsed: valid JSON
	 * padded with spaces past the limit */
	size_t n = PR_CL_MAX_MSG + 1;
	char *big = malloc(n);
	assert_non_null(big);
	const char *head = "{\"v\":1,\"kind\":\"state\",\"rig\":\"r\",\"from\":\"n\",\"online\":true}";
	memset(big, ' ', n);
	memcpy(big, head, strlen(head));
	assert_int_equal(pr_cl_decode(big, n, m, &err), PR_PROTO_EOVERSIZE);
	assert_non_null(strstr(err.msg, "too long"));
	assert_int_equal(pr_cl_decode(big, n - 1, m, &err), 0);
	free(big);
	/* the largest state a node can send (256 cameras, longest names, serials
	 * of characters JSON escapes) fits the limit: a big rig is never refused */
	m->ncameras = PR_CL_MAX_CAMERAS;
	for (uint32_t i = 0; i < m->ncameras; i++) {
		memset(m->cameras[i].name, 'n', PR_CL_NAME_MAX);
		m->cameras[i].name[PR_CL_NAME_MAX - 4] = (char)('a' + i % 26);
		m->cameras[i].name[PR_CL_NAME_MAX - 3] = (char)('a' + i / 26);
		memset(m->cameras[i].serial, '"', PR_CL_SERIAL_MAX); /* escaped: doubles */
		snprintf(m->cameras[i].state, sizeof(m->cameras[i].state), "recovering");
	}
	char *buf = NULL;
	size_t len = 0;
	int rc = pr_cl_encode(m, &buf, &len, &err);
	if (rc)
		fail_msg("encode: %s", err.msg);
	assert_true(len > PR_CL_MAX_MSG / 2 && len <= PR_CL_MAX_MSG);
	struct pr_cl_msg *back = malloc(sizeof(*back));
	assert_non_null(back);
	assert_int_equal(pr_cl_decode(buf, len, back, &err), 0);
	assert_memory_equal(m, back, sizeof(*m));
	free(back);
	free(buf);
	free(m);
}

static void test_encoder_checks(void **state)
{
	(void)state;
	struct pr_error err;
	char *buf = NULL;
	size_t len;
	struct pr_cl_msg *m = msg_new(PR_CL_EVENT);
	m->event = PR_CL_EV_FILE_SAVED;
	snprintf(m->file, sizeof(m->file), "cam/../../x");
	assert_int_equal(pr_cl_encode(m, &buf, &len, &err), PR_PROTO_EBADVALUE);
	m->file[0] = '\0';
	snprintf(m->from, sizeof(m->from), "has space");
	assert_int_equal(pr_cl_encode(m, &buf, &len, &err), PR_PROTO_EBADVALUE);
	m->from[0] = '\0';
	assert_int_equal(pr_cl_encode(m, &buf, &len, &err), PR_PROTO_EMISSING);
	assert_null(buf);
	free(m);
}

static void test_topics(void **state)
{
	(void)state;
	char t[PR_CL_TOPIC_MAX], rig[PR_CL_NAME_MAX + 1], what[16], node[PR_CL_NAME_MAX + 1];
	assert_int_equal(pr_cl_topic(t, sizeof(t), "studio", "state", "ws-2"), 0);
	assert_string_equal(t, "photorig/studio/state/ws-2");
	assert_int_equal(pr_cl_topic_parse(t, rig, what, node), 0);
	assert_string_equal(rig, "studio");
	assert_string_equal(what, "state");
	assert_string_equal(node, "ws-2");
	assert_int_equal(pr_cl_topic(t, 10, "studio", "state", "ws-2"), PR_EINVAL);
	const char *bad[] = { "photorig/studio/state", "photorig/studio/state/a/b", "other/s/state/n",
			      "photorig/studio/gossip/n", "photorig//state/n", "photorig/s/state/+",
			      "photorig/s/state/" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!pr_cl_topic_parse(bad[i], rig, what, node))
			fail_msg("topic '%s' accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_cmd_reply_round_trip),
		cmocka_unit_test(test_event_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_encoder_checks),
		cmocka_unit_test(test_topics),
		cmocka_unit_test(test_scan_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
