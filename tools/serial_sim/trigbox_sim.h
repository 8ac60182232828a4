/* photorig tools: a serial trigger box simulated on a pty (see pty_sim.h).
 *
 * ESPER mode answers like an ESPER TriggerBox: "tenFour" to every command
 * except "S" (fire), which gets nothing. LINE mode answers `reply` to every
 * line. Either can be told to answer one command wrongly, or to fall
 * silent. Every byte received is recorded, and each line's arrival time, so
 * tests check the exact bytes and the timing of focus, fire and release. */
#ifndef PHOTORIG_TRIGBOX_SIM_H
#define PHOTORIG_TRIGBOX_SIM_H

#include <stddef.h>
#include <stdint.h>

struct trigbox_sim;

struct trigbox_sim_opts {
	int line_mode;            /* 0: ESPER; 1: answer `reply` to every line */
	const char *reply;        /* line mode */
};

#define TRIGBOX_SIM_MAX_LINES 64

int trigbox_sim_start(struct trigbox_sim **out, const struct trigbox_sim_opts *opts);
void trigbox_sim_stop(struct trigbox_sim **t);
const char *trigbox_sim_path(const struct trigbox_sim *t);

char *trigbox_sim_transcript(struct trigbox_sim *t);
void trigbox_sim_clear(struct trigbox_sim *t);

/* Lines received since the last clear, and when (CLOCK_MONOTONIC ns).
 * Returns the count; fills up to max. */
int trigbox_sim_lines(struct trigbox_sim *t, char (*lines)[32], int64_t *when, int max);

/* A command starting with prefix is answered `answer` instead (NULL: none). */
void trigbox_sim_wrong_reply(struct trigbox_sim *t, const char *prefix, const char *answer);
void trigbox_sim_mute(struct trigbox_sim *t, int mute);
/* The pty, for pty_sim_set_log_fd and the like. */
struct pty_sim *trigbox_sim_pty(struct trigbox_sim *t);

#endif
