/* photorig client: finding a session folder and reading its manifest, for
 * the commands that work on a session's files (export, remask, sheet). */
#ifndef PHOTORIG_CLI_SESSION_H
#define PHOTORIG_CLI_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* The session folder named by arg: arg itself when it is a folder (a path),
 * else the session of that name in photorigd's output_root, asked of the
 * daemon on socket_opt. Prints why not and returns -1. */
int cli_session_dir(const char *cmd, const char *arg, const char *socket_opt, char *out,
		    size_t size);

/* Does photorigd answer on the socket (--socket, $PHOTORIG_SOCKET, the
 * default)? Asked quietly: commands that can work offline then do. */
int client_daemon_answers(const char *socket_opt);

/* DIR/manifest.json, checked to hold a "sets" array; prints why not and
 * returns NULL. json_object_put the result. */
json_object *cli_read_manifest(const char *cmd, const char *dir);

/* "A-B" or "A" (set numbers from 1); prints why not and returns -1. */
int cli_parse_sets(const char *cmd, const char *text, uint32_t *lo, uint32_t *hi);

/* "cam01,cam03": is name one of them? A NULL list holds every name. */
int cli_list_has(const char *list, const char *name);

/* Every name of a --cameras list is a camera of the manifest: prints the
 * first that is not and returns -1. */
int cli_check_cameras(const char *cmd, json_object *manifest, const char *list);

#endif
