/* Fuzz target: the config parser (config/, through pr_config_load_string).
 *
 * A config is trusted more than a socket peer, but it is edited by hand, a
 * reload (SIGHUP) parses it inside the running daemon, and `photorigd -n` is
 * the tool people point at broken files: no text may crash or hang the
 * parser, whatever the line lengths, quoting, escapes or numbers.
 *
 * Beyond "no crash" it checks the promise of config.h: a config that loads
 * prints (pr_config_print) to text that loads again to an equal config, and
 * a refused config says why. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what, const char *text)
{
	if (!ok) {
		fprintf(stderr, "fuzz_config: property broken: %s\n%s\n", what, text ? text : "");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the loader reads at most PR_CONFIG_FILE_MAX from a file; so do we */
	if (size > PR_CONFIG_FILE_MAX)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* static: three error lists are 48 KB, more than a fuzzer's stack likes */
	static struct pr_error_list errs;
	static struct pr_config cfg, again;
	pr_error_list_init(&errs);
	memset(&cfg, 0, sizeof(cfg));
	/* no folder in the name: relative paths stay as written, so the printed
	 * form parses back to the same strings */
	int rc = pr_config_load_string(text, "fuzz.ini", &cfg, &errs);
	free(text);
	if (rc) {
		check(errs.count > 0, "a refused config names an error", NULL);
		return 0;
	}
	char *printed = NULL;
	size_t plen = 0;
	FILE *fp = open_memstream(&printed, &plen);
	if (!fp) {
		pr_config_free(&cfg);
		return 0;
	}
	pr_config_print(&cfg, fp);
	fclose(fp);
	pr_error_list_init(&errs);
	memset(&again, 0, sizeof(again));
	rc = pr_config_load_string(printed, "fuzz.ini", &again, &errs);
	if (rc)
		pr_error_list_print(&errs, stderr);
	check(rc == 0, "a printed config loads again", printed);
	check(pr_config_equal(&cfg, &again), "a printed config loads to an equal config", printed);
	free(printed);
	pr_config_free(&again);
	pr_config_free(&cfg);
	return 0;
}
