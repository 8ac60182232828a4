/* photorig client: options that every command takes, wherever they are.
 *
 * `photorig --socket PATH status`, `photorig status --socket PATH` and
 * `photorig -c /etc/photorig/photorig.ini status` mean the same: the global
 * options (--socket PATH, --json, -c/--config FILE) may come before or after
 * the command. -c FILE reads photorigd's config (with the daemon's own
 * loader, relative paths resolved as the daemon resolves them) and uses its
 * [daemon] socket. A mistyped command gets "did you mean". */
#ifndef PHOTORIG_CLI_GLOBAL_H
#define PHOTORIG_CLI_GLOBAL_H

#include <stddef.h>

/* Rewrite argv (argv[0] = "photorig") into the command's own arguments:
 * *out[0] is the command, global options given before it are moved after
 * it, and -c FILE becomes --socket PATH for the commands that talk to
 * photorigd. Returns 0 with *out (free it, not its strings), -1 when there
 * is no command (usage), or 2 after printing a usage error. */
int cli_global_args(int argc, char **argv, int *out_argc, char ***out);

/* The closest of n names to word (edit distance at most 2, or a third of
 * its length), or NULL. */
const char *cli_suggest(const char *word, const char *const *names, size_t n);

#endif
