/* photorig client: following photorigd's events live (watch, scan start).
 *
 * A watch connection is opened and every event handed to on_event until it
 * says to stop. Ctrl-C ends the following (the daemon's work goes on: a
 * scan is never stopped by its terminal). With reconnect, a daemon that
 * goes away (a restart, an upgrade) is waited for: the connection is tried
 * again every second for RECONNECT_S seconds, saying so, and the events
 * continue where the new daemon starts. */
#ifndef PHOTORIG_CLI_FOLLOW_H
#define PHOTORIG_CLI_FOLLOW_H

#include <json-c/json.h>

#define FOLLOW_RECONNECT_S 60

enum follow_end { FOLLOW_DONE = 0, FOLLOW_LOST = 1, FOLLOW_INTERRUPTED = 130 };

struct follow {
	const char *cmd;          /* for messages */
	const char *socket;       /* --socket, or NULL */
	int reconnect;
	int raw_json;             /* lines as received to stdout, on_event not called */
	/* returns 1 to stop following; NULL: follow until interrupted or lost */
	int (*on_event)(json_object *ev, const char *name, void *arg);
	/* called once connected (and after each reconnection); may be NULL */
	int (*on_connected)(void *arg, int again);
	void *arg;
};

/* FOLLOW_DONE when on_event stopped it, FOLLOW_LOST when the daemon went
 * away (and did not come back), FOLLOW_INTERRUPTED after Ctrl-C. */
enum follow_end cli_follow(const struct follow *f);

#endif
