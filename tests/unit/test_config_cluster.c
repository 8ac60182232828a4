/* Tests of the [cluster] config section (config/config_cluster.c): the
 * broker address, the defaults taken from the machine and the [rig], the
 * password file's mode, one file:line message per kind of mistake, and that
 * a config without [cluster] prints and compares as before. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "temp_dir.h"

#define CAM "[camera c1]\ndriver = sim\n"

static char pw_ok[300], pw_open[300], ca[300];

static int setup(void **state)
{
	(void)state;
	if (temp_dir_make("cfgcluster"))
		return -1;
	snprintf(pw_ok, sizeof(pw_ok), "%s/pw-ok", tmpdir);
	snprintf(pw_open, sizeof(pw_open), "%s/pw-open", tmpdir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", tmpdir);
	const char *files[] = { pw_ok, pw_open, ca };
	mode_t modes[] = { 0600, 0644, 0644 };
	for (int i = 0; i < 3; i++) {
		FILE *fp = fopen(files[i], "w");
		if (!fp)
			return -1;
		fputs("secret\n", fp);
		fclose(fp);
		chmod(files[i], modes[i]);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return temp_dir_remove();
}

static char *print_to_string(const struct pr_config *cfg)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);
	assert_non_null(fp);
	pr_config_print(cfg, fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static int load(const char *text, struct pr_config *cfg, struct pr_error_list *errs)
{
	pr_error_list_init(errs);
	return pr_config_load_string(text, "c.ini", cfg, errs);
}

static void test_without_cluster(void **state)
{
	(void)state;
	struct pr_config cfg;
	struct pr_error_list errs;
	assert_int_equal(load(CAM, &cfg, &errs), 0);
	assert_int_equal(cfg.cluster.enabled, 0);
	char *text = print_to_string(&cfg);
	assert_null(strstr(text, "[cluster]"));
	free(text);
	pr_config_free(&cfg);
}

static void test_defaults_and_round_trip(void **state)
{
	(void)state;
	struct pr_config cfg, again;
	struct pr_error_list errs;
	char text[1024];
	snprintf(text, sizeof(text), "[rig]\nname = studio\n" CAM
		 "[cluster]\nbroker = mqtt://127.0.0.1:18830\nusername = ws\npassword_file = %s\n",
		 pw_ok);
	if (load(text, &cfg, &errs))
		fail_msg("%s", errs.msg[0]);
	assert_int_equal(cfg.cluster.enabled, 1);
	assert_string_equal(cfg.cluster.host, "127.0.0.1");
	assert_int_equal(cfg.cluster.port, 18830);
	assert_int_equal(cfg.cluster.tls, 0);
	assert_int_equal(cfg.cluster.lead_ms, 50);
	assert_string_equal(cfg.cluster.rig, "studio");   /* [rig] name */
	char host[256] = "";
	gethostname(host, sizeof(host));
	host[strcspn(host, ".")] = '\0';
	assert_string_equal(cfg.cluster.node, host);       /* the short host name */
	/* printed, it loads again to an equal config */
	char *printed = print_to_string(&cfg);
	assert_non_null(strstr(printed, "\n[cluster]\nbroker = mqtt://127.0.0.1:18830\n"));
	if (load(printed, &again, &errs))
		fail_msg("%s\n%s", printed, errs.msg[0]);
	assert_true(pr_config_equal(&cfg, &again));
	free(printed);
	pr_config_free(&again);
	pr_config_free(&cfg);
	/* TLS, with the default port */
	snprintf(text, sizeof(text), CAM "[cluster]\nbroker = mqtts://broker.studio.lan\n"
		 "ca_file = %s\nnode = ws-2\nrig = big-rig\nlead_ms = 80\n", ca);
	if (load(text, &cfg, &errs))
		fail_msg("%s", errs.msg[0]);
	assert_int_equal(cfg.cluster.tls, 1);
	assert_int_equal(cfg.cluster.port, 8883);
	assert_string_equal(cfg.cluster.host, "broker.studio.lan");
	assert_string_equal(cfg.cluster.node, "ws-2");
	assert_string_equal(cfg.cluster.rig, "big-rig");
	assert_int_equal(cfg.cluster.lead_ms, 80);
	pr_config_free(&cfg);
	/* the section changes equality */
	struct pr_config one;
	assert_int_equal(load(CAM, &one, &errs), 0);
	snprintf(text, sizeof(text), CAM "[cluster]\nbroker = mqtt://[::1]:1883\nnode = a\n");
	assert_int_equal(load(text, &cfg, &errs), 0);
	assert_string_equal(cfg.cluster.host, "::1");
	assert_false(pr_config_equal(&one, &cfg));
	pr_config_free(&one);
	pr_config_free(&cfg);
}

static void test_errors(void **state)
{
	(void)state;
	char text[1024];
	struct {
		char text[600];
		const char *expect;
	} cases[12];
	size_t n = 0;
#define CASE(exp, ...)                                                             \
	do {                                                                       \
		snprintf(cases[n].text, sizeof(cases[n].text), __VA_ARGS__);       \
		cases[n++].expect = exp;                                           \
	} while (0)
	CASE("c.ini:3: [cluster]: missing required key 'broker'", CAM "[cluster]\nnode = a\n");
	CASE("c.ini:5: [cluster] broker = http://x: expected mqtt://HOST:PORT",
	     CAM "[cluster]\nnode = a\nbroker = http://x\n");
	CASE("c.ini:5: [cluster] broker = mqtt://h:99999: the port must be 1..65535",
	     CAM "[cluster]\nnode = a\nbroker = mqtt://h:99999\n");
	CASE("c.ini:5: [cluster] broker: mqtts:// needs ca_file",
	     CAM "[cluster]\nnode = a\nbroker = mqtts://h\n");
	CASE("c.ini:6: [cluster] ca_file: only for an mqtts:// broker",
	     CAM "[cluster]\nnode = a\nbroker = mqtt://h\nca_file = %s\n", ca);
	CASE("c.ini:5: [cluster] node = a/#: only letters",
	     CAM "[cluster]\nbroker = mqtt://h\nnode = a/#\n");
	CASE("c.ini:6: [cluster] password_file: needs username",
	     CAM "[cluster]\nnode = a\nbroker = mqtt://h\npassword_file = %s\n", pw_ok);
	CASE("others may read it (mode 0644)",
	     CAM "[cluster]\nnode = a\nbroker = mqtt://h\nusername = u\npassword_file = %s\n",
	     pw_open);
	CASE("c.ini:7: [cluster] password_file = /nonexistent/pw: No such file",
	     CAM "[cluster]\nnode = a\nbroker = mqtt://h\nusername = u\n"
	     "password_file = /nonexistent/pw\n");
	CASE("c.ini:6: [cluster] lead_ms = 1: out of range (5..10000)",
	     CAM "[cluster]\nnode = a\nbroker = mqtt://h\nlead_ms = 1\n");
	CASE("c.ini:5: [cluster] brokr: unknown key: did you mean 'broker'?",
	     CAM "[cluster]\nbroker = mqtt://h\nbrokr = x\n");
	CASE("c.ini:5: [cluster]: section repeated", CAM "[cluster]\nbroker = mqtt://h\n[cluster]\n");
#undef CASE
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		struct pr_config cfg;
		struct pr_error_list errs;
		int rc = load(cases[i].text, &cfg, &errs);
		int found = 0;
		for (unsigned m = 0; m < errs.count; m++)
			found |= strstr(errs.msg[m], cases[i].expect) != NULL;
		if (rc != PR_EINVAL || !found) {
			print_message("case %zu: rc %d, expected '%s', got:\n", i, rc, cases[i].expect);
			for (unsigned m = 0; m < errs.count; m++)
				print_message("    %s\n", errs.msg[m]);
			failed++;
		}
		if (!rc)
			pr_config_free(&cfg);
	}
	assert_int_equal(failed, 0);
	(void)text;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_cluster),
		cmocka_unit_test(test_defaults_and_round_trip),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
