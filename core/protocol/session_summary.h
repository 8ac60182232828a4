/* photorig protocol: a session's entry in a session list, the same whether
 * photorigd answers `session_list` or the client reads OUTPUT_ROOT itself. */
#ifndef PHOTORIG_SESSION_SUMMARY_H
#define PHOTORIG_SESSION_SUMMARY_H

#include <json-c/json.h>

/* Add to o what the session folder dir holds: "sets" and "complete" (from
 * its manifest.json; 0 when it has none), and "bytes", "files" and
 * "last_ns" (the newest file's mtime) when the folder can be read. */
void pr_session_summary(json_object *o, const char *dir);

#endif
