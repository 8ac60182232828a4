/* Fuzz target: the control protocol decoder (core/protocol/protocol.c).
 *
 * Both directions are hostile input somewhere: photorigd decodes requests
 * from any local peer that got past the credential check, and the client
 * decodes replies and events from whatever listens on the socket path it was
 * given. The input is decoded whole (one line, as a peer may send bytes
 * without a newline) and then split at '\n' the way ctl.c and the client
 * split their streams, each line with its newline.
 *
 * Beyond "no crash", two properties are checked and abort when broken:
 *  - a request that decodes re-encodes and decodes again to the same op, id,
 *    count, frames, camera and name (what the client sends is what the
 *    daemon reads), and its names pass pr_proto_check_name (a name that
 *    decodes is always a safe single folder name);
 *  - a reply or event that decodes serialises again (pr_proto_serialize) to
 *    a line that decodes again as the same kind. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_protocol: property broken: %s\n", what);
		abort();
	}
}

static void one_request(const char *line, size_t len)
{
	struct pr_request req, again;
	struct pr_error err = { 0 };
	int64_t id = -1;
	int has_id = 0;
	if (pr_proto_decode_request(line, len, &req, &id, &has_id, &err)) {
		check(err.msg[0] != '\0', "a refused request has a message");
		return;
	}
	check(has_id && id == req.id && req.id >= 0, "a decoded request has its id");
	char why[128];
	check(!req.name[0] || !pr_proto_check_name(req.name, why, sizeof(why)),
	      "a decoded session name is a safe name");
	check(!req.camera[0] || !pr_proto_check_name(req.camera, why, sizeof(why)),
	      "a decoded camera name is a safe name");
	/* encode into a heap buffer of the limit's size, so an overrun shows */
	char *buf = malloc(PR_PROTO_MAX_LINE + 2);
	if (!buf)
		return;
	int n = pr_proto_encode_request(&req, buf, PR_PROTO_MAX_LINE + 2);
	check(n > 0 && (size_t)n <= PR_PROTO_MAX_LINE + 1 && buf[n - 1] == '\n',
	      "a decoded request encodes to one line within the limit");
	check(!pr_proto_decode_request(buf, (size_t)n, &again, NULL, NULL, &err),
	      "a re-encoded request decodes again");
	check(again.op == req.op && again.id == req.id && again.count == req.count &&
	      again.frames == req.frames && !strcmp(again.name, req.name) &&
	      !strcmp(again.camera, req.camera), "a request survives encode and decode unchanged");
	free(buf);
}

static void one_reply(const char *line, size_t len)
{
	struct pr_reply r, again;
	struct pr_error err = { 0 };
	if (pr_proto_decode_reply(line, len, &r, &err)) {
		check(err.msg[0] != '\0', "a refused reply has a message");
		return;
	}
	check(r.obj != NULL, "a decoded reply owns its object");
	check(r.kind == PR_REPLY_EVENT ? r.event != NULL : (r.ok || r.error != NULL),
	      "an event has a name and a failed reply a reason");
	/* the getters the client uses on every message */
	(void)pr_json_int(r.obj, "id", 0);
	(void)pr_json_double(r.obj, "done", 0);
	(void)pr_json_str(r.obj, "error", NULL);
	(void)pr_json_bool(r.obj, "ok", 0);
	char *out;
	size_t out_len;
	if (!pr_proto_serialize(r.obj, &out, &out_len)) {
		check(out_len > 0 && out[out_len - 1] == '\n' && !memchr(out, '\n', out_len - 1),
		      "a serialised message is one line");
		int rc = pr_proto_decode_reply(out, out_len, &again, &err);
		check(!rc && again.kind == r.kind, "a re-serialised reply decodes as the same kind");
		pr_reply_free(&again);
		free(out);
	}
	pr_reply_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	one_request(s, size);
	one_reply(s, size);
	/* line by line, newline included, as the daemon and the client read */
	const char *first_nl = size ? memchr(s, '\n', size - 1) : NULL;
	for (size_t start = 0; first_nl && start < size;) { /* one line: done above */
		const char *nl = memchr(s + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (s + start)) + 1 : size - start;
		one_request(s + start, len);
		one_reply(s + start, len);
		start += len;
	}
	/* the name check on its own, over a NUL-terminated copy */
	char name[2 * PR_PROTO_NAME_MAX];
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data, n);
	name[n] = '\0';
	char why[128];
	if (!pr_proto_check_name(name, why, sizeof(why)))
		check(strlen(name) >= 1 && strlen(name) <= PR_PROTO_NAME_MAX && name[0] != '.' &&
		      !strchr(name, '/'), "an accepted name is one plain folder name");
	return 0;
}
