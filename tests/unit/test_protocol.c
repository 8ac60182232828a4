/* Unit tests: the control protocol (core/protocol/protocol.c): round trips, every
 * error class, and the limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol.h"

static int decode(const char *line, struct pr_request *req, struct pr_error *err)
{
	return pr_proto_decode_request(line, strlen(line), req, NULL, NULL, err);
}

static void test_round_trip_every_op(void **state)
{
	(void)state;
	for (int op = 0; op < PR_OP_COUNT; op++) {
		struct pr_request a, b;
		pr_request_init(&a, (enum pr_op)op, 1000 + op);
		if (op == PR_OP_PLATE) {
			a.frames = 7;
			snprintf(a.camera, sizeof(a.camera), "cam-03");
		} else if (op == PR_OP_CAPTURE) {
			a.count = 12;
		} else if (op == PR_OP_SESSION_START) {
			snprintf(a.name, sizeof(a.name), "shoe-042_v2.1");
		} else if (op == PR_OP_CAMERA_SET) {
			snprintf(a.camera, sizeof(a.camera), "*");
			snprintf(a.key, sizeof(a.key), "/main/capturesettings/shutterspeed");
			snprintf(a.value, sizeof(a.value), "1/125 \"x\"");
		} else if (op == PR_OP_PREVIEW) {
			snprintf(a.camera, sizeof(a.camera), "cam02");
		} else if (op == PR_OP_REMASK) {
			snprintf(a.name, sizeof(a.name), "shoe-042");
			snprintf(a.cameras, sizeof(a.cameras), "cam01,cam03");
			a.set_from = 2;
			a.set_to = 5;
		}
		char buf[1024];
		int n = pr_proto_encode_request(&a, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(buf[n - 1], '\n');
		struct pr_error err = { 0 };
		int rc = pr_proto_decode_request(buf, (size_t)n, &b, NULL, NULL, &err);
		assert_int_equal(rc, 0);
		assert_int_equal(b.op, a.op);
		assert_int_equal(b.id, a.id);
		assert_int_equal(b.frames, a.frames);
		assert_int_equal(b.count, a.count);
		assert_string_equal(b.camera, a.camera);
		assert_string_equal(b.name, a.name);
		assert_string_equal(b.key, a.key);
		assert_string_equal(b.value, a.value);
		assert_string_equal(b.cameras, a.cameras);
		assert_int_equal(b.set_from, a.set_from);
		assert_int_equal(b.set_to, a.set_to);
		enum pr_op back;
		assert_int_equal(pr_op_parse(pr_op_name((enum pr_op)op), &back), 0);
		assert_int_equal(back, op);
	}
}

/* camera_set: a camera name or "*", a key and a value of free text (bounded,
 * no control characters); camera_settings: an optional name. */
/* preview needs a camera position's name; "*" and path tricks are refused */
static void test_preview_op(void **state)
{
	(void)state;
	struct pr_request r;
	struct pr_error err = { 0 };
	assert_int_equal(decode("{\"v\":1,\"id\":4,\"op\":\"preview\",\"camera\":\"cam07\"}", &r, &err),
			 0);
	assert_int_equal(r.op, PR_OP_PREVIEW);
	assert_string_equal(r.camera, "cam07");
	assert_int_equal(decode("{\"v\":1,\"id\":4,\"op\":\"preview\"}", &r, &err), PR_PROTO_EMISSING);
	assert_non_null(strstr(err.msg, "'camera'"));
	assert_int_equal(decode("{\"v\":1,\"id\":4,\"op\":\"preview\",\"camera\":\"*\"}", &r, &err),
			 PR_PROTO_EBADVALUE);
	assert_int_equal(decode("{\"v\":1,\"id\":4,\"op\":\"preview\",\"camera\":\"../x\"}", &r, &err),
			 PR_PROTO_EBADVALUE);
}

static void test_camera_settings_ops(void **state)
{
	(void)state;
	struct pr_request r;
	struct pr_error err = { 0 };
	assert_int_equal(decode("{\"v\":1,\"id\":2,\"op\":\"camera_settings\"}", &r, &err), 0);
	assert_int_equal(r.op, PR_OP_CAMERA_SETTINGS);
	assert_string_equal(r.camera, "");
	assert_int_equal(decode("{\"v\":1,\"id\":2,\"op\":\"camera_settings\",\"camera\":\"*\"}",
			       &r, &err), PR_PROTO_EBADVALUE);
	assert_int_equal(decode("{\"v\":1,\"id\":3,\"op\":\"camera_set\",\"camera\":\"*\","
			       "\"key\":\"iso\",\"value\":\"\"}", &r, &err), 0);
	assert_string_equal(r.camera, "*");
	assert_string_equal(r.key, "iso");
	assert_string_equal(r.value, "");
	assert_int_equal(decode("{\"v\":1,\"id\":3,\"op\":\"camera_set\",\"camera\":\"cam01\","
			       "\"value\":\"1\"}", &r, &err), PR_PROTO_EMISSING);
	assert_non_null(strstr(err.msg, "'key'"));
	assert_int_equal(decode("{\"v\":1,\"id\":3,\"op\":\"camera_set\",\"camera\":\"cam01\","
			       "\"key\":\"\",\"value\":\"1\"}", &r, &err), PR_PROTO_EBADVALUE);
	assert_int_equal(decode("{\"v\":1,\"id\":3,\"op\":\"camera_set\",\"camera\":\"cam01\","
			       "\"key\":\"iso\",\"value\":\"a\\nb\"}", &r, &err), PR_PROTO_EBADVALUE);
	assert_non_null(strstr(err.msg, "control character"));
	assert_int_equal(decode("{\"v\":1,\"id\":3,\"op\":\"camera_set\",\"camera\":\"cam01\","
			       "\"key\":\"iso\",\"value\":\"a\\u0000b\"}", &r, &err), PR_PROTO_EBADVALUE);
	char line[512];
	snprintf(line, sizeof(line), "{\"v\":1,\"id\":3,\"op\":\"camera_set\",\"camera\":\"c\","
		 "\"key\":\"iso\",\"value\":\"%0200d\"}", 0);
	assert_int_equal(decode(line, &r, &err), PR_PROTO_EBADVALUE);
}

static void test_defaults_and_unknown_fields(void **state)
{
	(void)state;
	struct pr_request r;
	struct pr_error err;
	assert_int_equal(decode("{\"v\":1,\"id\":3,\"op\":\"capture\"}", &r, &err), 0);
	assert_int_equal(r.count, 1);
	/* unknown fields are ignored: a newer client may send more */
	assert_int_equal(decode("{\"v\":1,\"id\":3,\"op\":\"plate\",\"x\":[1,2],\"camera\":null}",
				&r, &err), 0);
	assert_int_equal(r.frames, 0);
	assert_string_equal(r.camera, "");
	/* whitespace and CRLF around the object */
	assert_int_equal(decode("  {\"v\":1,\"id\":0,\"op\":\"status\"} \r\n", &r, &err), 0);
}

struct bad {
	const char *line;
	int code;
	const char *words; /* expected in the message */
};

static void test_error_classes(void **state)
{
	(void)state;
	static const struct bad bad[] = {
		{ "", PR_PROTO_EMALFORMED, "malformed" },
		{ "{\"v\":1,\"id\":1,\"op\":\"status\"", PR_PROTO_EMALFORMED, "malformed JSON" },
		{ "not json", PR_PROTO_EMALFORMED, "malformed JSON" },
		{ "[1,2,3]", PR_PROTO_EMALFORMED, "not a JSON object" },
		{ "{\"v\":1,\"id\":1,\"op\":\"status\"}{}", PR_PROTO_EMALFORMED, "after the object" },
		{ "{\"v\":2,\"id\":1,\"op\":\"status\"}", PR_PROTO_EVERSION, "version" },
		{ "{\"id\":1,\"op\":\"status\"}", PR_PROTO_EVERSION, "version missing" },
		{ "{\"v\":\"1\",\"id\":1,\"op\":\"status\"}", PR_PROTO_EVERSION, "version" },
		{ "{\"v\":1,\"op\":\"status\"}", PR_PROTO_EMISSING, "'id'" },
		{ "{\"v\":1,\"id\":1}", PR_PROTO_EMISSING, "'op'" },
		{ "{\"v\":1,\"id\":1,\"op\":\"explode\"}", PR_PROTO_EUNKNOWN_OP, "explode" },
		{ "{\"v\":1,\"id\":1,\"op\":7}", PR_PROTO_EBADVALUE, "'op'" },
		{ "{\"v\":1,\"id\":-4,\"op\":\"status\"}", PR_PROTO_EBADVALUE, "'id'" },
		{ "{\"v\":1,\"id\":\"x\",\"op\":\"status\"}", PR_PROTO_EBADVALUE, "'id'" },
		{ "{\"v\":1,\"id\":1,\"op\":\"session_start\"}", PR_PROTO_EMISSING, "'name'" },
		{ "{\"v\":1,\"id\":1,\"op\":\"session_start\",\"name\":\"../x\"}", PR_PROTO_EBADVALUE,
		  "bad name" },
		{ "{\"v\":1,\"id\":1,\"op\":\"session_start\",\"name\":\"..\"}", PR_PROTO_EBADVALUE,
		  "'.'" },
		{ "{\"v\":1,\"id\":1,\"op\":\"session_start\",\"name\":\"a/b\"}", PR_PROTO_EBADVALUE,
		  "bad name" },
		{ "{\"v\":1,\"id\":1,\"op\":\"session_start\",\"name\":\"\"}", PR_PROTO_EBADVALUE,
		  "1 to 64" },
		{ "{\"v\":1,\"id\":1,\"op\":\"session_start\",\"name\":\"a\\u0000b\"}",
		  PR_PROTO_EBADVALUE, "NUL" },
		{ "{\"v\":1,\"id\":1,\"op\":\"session_start\",\"name\":5}", PR_PROTO_EBADVALUE,
		  "string" },
		{ "{\"v\":1,\"id\":1,\"op\":\"capture\",\"count\":0}", PR_PROTO_EBADVALUE, "'count'" },
		{ "{\"v\":1,\"id\":1,\"op\":\"capture\",\"count\":100001}", PR_PROTO_EBADVALUE,
		  "'count'" },
		{ "{\"v\":1,\"id\":1,\"op\":\"capture\",\"count\":2.5}", PR_PROTO_EBADVALUE,
		  "whole number" },
		{ "{\"v\":1,\"id\":1,\"op\":\"plate\",\"frames\":65}", PR_PROTO_EBADVALUE, "'frames'" },
		{ "{\"v\":1,\"id\":1,\"op\":\"plate\",\"camera\":\"a b\"}", PR_PROTO_EBADVALUE,
		  "'camera'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pr_request r;
		struct pr_error err = { 0 };
		int rc = decode(bad[i].line, &r, &err);
		if (rc != bad[i].code || !strstr(err.msg, bad[i].words))
			fail_msg("'%s': got %d '%s', wanted %d with '%s'", bad[i].line, rc, err.msg,
				 bad[i].code, bad[i].words);
		assert_non_null(pr_proto_strerror(rc));
	}
}

static void test_id_recovered_for_error_reply(void **state)
{
	(void)state;
	struct pr_request r;
	struct pr_error err;
	int64_t id = -1;
	int has = 0;
	const char *line = "{\"v\":1,\"id\":42,\"op\":\"explode\"}";
	assert_int_equal(pr_proto_decode_request(line, strlen(line), &r, &id, &has, &err),
			 PR_PROTO_EUNKNOWN_OP);
	assert_int_equal(has, 1);
	assert_int_equal(id, 42);
	line = "garbage";
	assert_int_equal(pr_proto_decode_request(line, strlen(line), &r, &id, &has, &err),
			 PR_PROTO_EMALFORMED);
	assert_int_equal(has, 0);
}

static void test_limits(void **state)
{
	(void)state;
	struct pr_request r;
	struct pr_error err;
	/* exactly the limit is accepted (padding with spaces inside the object) */
	size_t n = PR_PROTO_MAX_LINE;
	char *line = malloc(n + 2);
	const char *head = "{\"v\":1,\"id\":1,\"op\":\"status\"";
	memset(line, ' ', n);
	memcpy(line, head, strlen(head));
	line[n - 1] = '}';
	line[n] = '\n';
	assert_int_equal(pr_proto_decode_request(line, n + 1, &r, NULL, NULL, &err), 0);
	assert_int_equal(pr_proto_decode_request(line, n, &r, NULL, NULL, &err), 0);
	/* one more byte is refused before parsing */
	line[n] = ' ';
	assert_int_equal(pr_proto_decode_request(line, n + 1, &r, NULL, NULL, &err),
			 PR_PROTO_EOVERSIZE);
	assert_non_null(strstr(err.msg, "too long"));
	free(line);

	/* 10 MB: refused by length, never parsed */
	size_t big = 10u * 1024 * 1024;
	line = malloc(big);
	memset(line, '[', big);
	assert_int_equal(pr_proto_decode_request(line, big, &r, NULL, NULL, &err),
			 PR_PROTO_EOVERSIZE);
	free(line);

	/* nesting beyond the depth limit is malformed, not a stack overflow */
	char deep[256];
	size_t d = 0;
	d += (size_t)snprintf(deep, sizeof(deep), "{\"v\":1,\"id\":1,\"op\":\"status\",\"x\":");
	for (int i = 0; i < 40; i++)
		deep[d++] = '[';
	deep[d] = '\0';
	assert_int_equal(decode(deep, &r, &err), PR_PROTO_EMALFORMED);

	/* encode refuses a buffer that is too small */
	struct pr_request a;
	pr_request_init(&a, PR_OP_STATUS, 1);
	char small[8];
	assert_true(pr_proto_encode_request(&a, small, sizeof(small)) < 0);
}

static void test_names(void **state)
{
	(void)state;
	char why[128];
	const char *good[] = { "a", "shoe-042", "A.b_c-9", "x..y" };
	const char *badn[] = { "", ".", "..", ".hidden", "../x", "a/b", "a b", "é", "a\\b" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(pr_proto_check_name(good[i], why, sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(badn) / sizeof(badn[0]); i++)
		assert_int_equal(pr_proto_check_name(badn[i], why, sizeof(why)), -1);
	char longname[PR_PROTO_NAME_MAX + 2];
	memset(longname, 'a', sizeof(longname));
	longname[PR_PROTO_NAME_MAX] = '\0';
	assert_int_equal(pr_proto_check_name(longname, why, sizeof(why)), 0);
	longname[PR_PROTO_NAME_MAX] = 'a';
	longname[PR_PROTO_NAME_MAX + 1] = '\0';
	assert_int_equal(pr_proto_check_name(longname, why, sizeof(why)), -1);
}

static void test_replies_and_events(void **state)
{
	(void)state;
	char *line;
	size_t len;
	struct pr_reply rep;
	struct pr_error err;

	json_object *o = pr_proto_reply_ok(9);
	json_object_object_add(o, "sets", json_object_new_int(5));
	json_object_object_add(o, "path", json_object_new_string("/a/b"));
	assert_int_equal(pr_proto_serialize(o, &line, &len), 0);
	json_object_put(o);
	assert_non_null(strstr(line, "\"/a/b\"")); /* slashes not escaped */
	assert_int_equal(pr_proto_decode_reply(line, len, &rep, &err), 0);
	assert_int_equal(rep.kind, PR_REPLY);
	assert_int_equal(rep.ok, 1);
	assert_int_equal(rep.id, 9);
	assert_int_equal(pr_json_int(rep.obj, "sets", -1), 5);
	assert_int_equal(pr_json_int(rep.obj, "nope", -1), -1);
	assert_string_equal(pr_json_str(rep.obj, "path", ""), "/a/b");
	pr_reply_free(&rep);
	free(line);

	o = pr_proto_reply_error(4, 1, "no session: %s", "start one");
	assert_int_equal(pr_proto_serialize(o, &line, &len), 0);
	json_object_put(o);
	assert_int_equal(pr_proto_decode_reply(line, len, &rep, &err), 0);
	assert_int_equal(rep.ok, 0);
	assert_string_equal(rep.error, "no session: start one");
	pr_reply_free(&rep);
	free(line);

	for (int ev = 0; ev < PR_EV_COUNT; ev++) {
		o = pr_proto_event((enum pr_event)ev, 0, 0);
		assert_int_equal(pr_proto_serialize(o, &line, &len), 0);
		json_object_put(o);
		assert_int_equal(pr_proto_decode_reply(line, len, &rep, &err), 0);
		assert_int_equal(rep.kind, PR_REPLY_EVENT);
		assert_int_equal(rep.has_id, 0);
		assert_string_equal(rep.event, pr_event_name((enum pr_event)ev));
		pr_reply_free(&rep);
		free(line);
	}

	const char *bad = "{\"v\":1,\"id\":1}";
	assert_int_equal(pr_proto_decode_reply(bad, strlen(bad), &rep, &err), PR_PROTO_EMISSING);
	bad = "{\"v\":3,\"ok\":true}";
	assert_int_equal(pr_proto_decode_reply(bad, strlen(bad), &rep, &err), PR_PROTO_EVERSION);

	/* a reply above the reply limit is refused when serialised */
	o = pr_proto_reply_ok(1);
	char *huge = malloc(PR_PROTO_MAX_REPLY + 10);
	memset(huge, 'x', PR_PROTO_MAX_REPLY + 9);
	huge[PR_PROTO_MAX_REPLY + 9] = '\0';
	json_object_object_add(o, "blob", json_object_new_string(huge));
	assert_int_equal(pr_proto_serialize(o, &line, &len), PR_PROTO_EOVERSIZE);
	json_object_put(o);
	free(huge);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_op),
		cmocka_unit_test(test_camera_settings_ops),
		cmocka_unit_test(test_preview_op),
		cmocka_unit_test(test_defaults_and_unknown_fields),
		cmocka_unit_test(test_error_classes),
		cmocka_unit_test(test_id_recovered_for_error_reply),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_replies_and_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
