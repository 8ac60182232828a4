/* photorig client: global options anywhere, -c FILE, "did you mean"
 * (see cli_global.h). */
#include "cli_global.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* The commands that talk to photorigd: -c FILE finds their socket. */
static const char *const client_cmds[] = { "status", "cameras", "camera", "plate", "capture",
					   "session", "scan", "watch", "reload", "raw", "sheet" };

/* Commands that read the config themselves too (session list reads
 * output_root from it when photorigd does not answer): they get --config
 * FILE as well as the socket. */
static const char *const config_cmds[] = { "session" };

static int takes_config(const char *cmd)
{
	for (size_t i = 0; i < sizeof(config_cmds) / sizeof(config_cmds[0]); i++)
		if (!strcmp(cmd, config_cmds[i]))
			return 1;
	return 0;
}

static int is_client_cmd(const char *cmd)
{
	for (size_t i = 0; i < sizeof(client_cmds) / sizeof(client_cmds[0]); i++)
		if (!strcmp(cmd, client_cmds[i]))
			return 1;
	return 0;
}

/* The socket of the daemon whose config is path (malloc'd), or NULL after
 * printing why not. */
static char *socket_of_config(const char *path)
{
	struct pr_config cfg;
	struct pr_error_list *errs = malloc(sizeof(*errs)); /* ~20 KB of messages */
	if (!errs)
		return NULL;
	pr_error_list_init(errs);
	if (pr_config_load(path, &cfg, errs)) {
		fprintf(stderr, "photorig: -c %s: not a valid photorigd config:\n", path);
		pr_error_list_print(errs, stderr);
		free(errs);
		return NULL;
	}
	free(errs);
	char *s = strdup(cfg.daemon.socket);
	pr_config_free(&cfg);
	return s;
}

/* -c FILE, -cFILE, --config FILE, --config=FILE at argv[*i]: the FILE
 * (and *i moved past it), NULL when argv[*i] is none of them. */
static const char *config_opt(int argc, char **argv, int *i, int *bad)
{
	const char *a = argv[*i];
	if (!strncmp(a, "--config=", 9))
		return a + 9;
	if (!strncmp(a, "-c", 2) && a[2])
		return a + 2;
	if (strcmp(a, "-c") && strcmp(a, "--config"))
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "photorig: %s needs a file (photorigd's config)\n", a);
		*bad = 1;
		return NULL;
	}
	return argv[++*i];
}

int cli_global_args(int argc, char **argv, int *out_argc, char ***out)
{
	const char *sock = NULL, *config = NULL;
	int json = 0, bad = 0, i = 1;
	char **v = calloc((size_t)argc + 6, sizeof(*v));
	if (!v)
		return 2;
	/* before the command */
	for (; i < argc && argv[i][0] == '-' && !bad; i++) {
		const char *a = argv[i], *c;
		if (!strcmp(a, "--json"))
			json = 1;
		else if (!strncmp(a, "--socket=", 9))
			sock = a + 9;
		else if (!strcmp(a, "--socket") && i + 1 < argc)
			sock = argv[++i];
		else if ((c = config_opt(argc, argv, &i, &bad)))
			config = c;
		else if (!bad)
			break; /* --help, --version, or an error main reports */
	}
	if (bad || i >= argc || argv[i][0] == '-') {
		free(v);
		return bad ? 2 : -1;
	}
	int n = 0, client = is_client_cmd(argv[i]);
	v[n++] = argv[i++];
	/* after it: -c FILE of a daemon client; everything else is the command's */
	for (; i < argc; i++) {
		const char *c = client ? config_opt(argc, argv, &i, &bad) : NULL;
		if (bad) {
			free(v);
			return 2;
		}
		if (c)
			config = c;
		else
			v[n++] = argv[i];
	}
	static char *sock_copy;
	if (config && client && !sock) {
		free(sock_copy);
		if (!(sock_copy = socket_of_config(config))) {
			free(v);
			return 2;
		}
		sock = sock_copy;
	}
	if (sock) {
		v[n++] = (char *)"--socket";
		v[n++] = (char *)sock;
	}
	if (json)
		v[n++] = (char *)"--json";
	if (config && takes_config(v[0])) {
		v[n++] = (char *)"--config";
		v[n++] = (char *)config;
	}
	v[n] = NULL;
	*out_argc = n;
	*out = v;
	return 0;
}

static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

const char *cli_suggest(const char *word, const char *const *names, size_t n)
{
	size_t limit = strlen(word) / 3 > 2 ? strlen(word) / 3 : 2, best = limit + 1;
	const char *pick = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(word, names[i]);
		/* a prefix ("cam" for "camera") counts as close */
		if (strlen(word) >= 3 && !strncmp(names[i], word, strlen(word)))
			d = d < 1 ? d : 1;
		if (d < best) {
			best = d;
			pick = names[i];
		}
	}
	return pick;
}
