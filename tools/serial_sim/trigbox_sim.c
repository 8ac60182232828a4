/* photorig tools: a serial trigger box simulated on a pty (see trigbox_sim.h). */
#define _GNU_SOURCE
#include "trigbox_sim.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pty_sim.h"

struct trigbox_sim {
	struct pty_sim *pty;
	int line_mode;
	char reply[64];
	pthread_mutex_t mu;
	char wrong_prefix[32];
	char wrong_answer[64];
	char lines[TRIGBOX_SIM_MAX_LINES][32];
	int64_t when[TRIGBOX_SIM_MAX_LINES];
	int nlines;
};

static void on_line(struct pty_sim *s, const char *line, void *user)
{
	struct trigbox_sim *t = user;
	if (!*line)
		return;
	pthread_mutex_lock(&t->mu);
	if (t->nlines < TRIGBOX_SIM_MAX_LINES) {
		snprintf(t->lines[t->nlines], sizeof(t->lines[0]), "%s", line);
		t->when[t->nlines++] = pty_sim_now_ns();
	}
	char answer[64] = "";
	if (t->wrong_prefix[0] && !strncmp(line, t->wrong_prefix, strlen(t->wrong_prefix)))
		snprintf(answer, sizeof(answer), "%s", t->wrong_answer);
	else if (t->line_mode)
		snprintf(answer, sizeof(answer), "%s", t->reply);
	else if (strcmp(line, "S")) /* the TriggerBox answers S with nothing */
		snprintf(answer, sizeof(answer), "tenFour");
	pthread_mutex_unlock(&t->mu);
	if (answer[0])
		pty_sim_send(s, "%s\r\n", answer);
}

int trigbox_sim_start(struct trigbox_sim **out, const struct trigbox_sim_opts *opts)
{
	*out = NULL;
	struct trigbox_sim *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	if (opts) {
		t->line_mode = opts->line_mode;
		snprintf(t->reply, sizeof(t->reply), "%s", opts->reply ? opts->reply : "OK");
	}
	pthread_mutex_init(&t->mu, NULL);
	struct pty_sim_ops ops = { .on_line = on_line, .user = t };
	int rc = pty_sim_start(&t->pty, &ops);
	if (rc) {
		pthread_mutex_destroy(&t->mu);
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void trigbox_sim_stop(struct trigbox_sim **tp)
{
	if (!tp || !*tp)
		return;
	pty_sim_stop(&(*tp)->pty);
	pthread_mutex_destroy(&(*tp)->mu);
	free(*tp);
	*tp = NULL;
}

const char *trigbox_sim_path(const struct trigbox_sim *t)
{
	return pty_sim_path(t->pty);
}

char *trigbox_sim_transcript(struct trigbox_sim *t)
{
	return pty_sim_transcript(t->pty, NULL);
}

void trigbox_sim_clear(struct trigbox_sim *t)
{
	pty_sim_clear(t->pty);
	pthread_mutex_lock(&t->mu);
	t->nlines = 0;
	pthread_mutex_unlock(&t->mu);
}

int trigbox_sim_lines(struct trigbox_sim *t, char (*lines)[32], int64_t *when, int max)
{
	pthread_mutex_lock(&t->mu);
	int n = t->nlines;
	for (int i = 0; i < n && i < max; i++) {
		memcpy(lines[i], t->lines[i], sizeof(lines[0]));
		when[i] = t->when[i];
	}
	pthread_mutex_unlock(&t->mu);
	return n;
}

void trigbox_sim_wrong_reply(struct trigbox_sim *t, const char *prefix, const char *answer)
{
	pthread_mutex_lock(&t->mu);
	snprintf(t->wrong_prefix, sizeof(t->wrong_prefix), "%s", prefix ? prefix : "");
	snprintf(t->wrong_answer, sizeof(t->wrong_answer), "%s", answer ? answer : "");
	pthread_mutex_unlock(&t->mu);
}

void trigbox_sim_mute(struct trigbox_sim *t, int mute)
{
	pty_sim_mute(t->pty, mute);
}

struct pty_sim *trigbox_sim_pty(struct trigbox_sim *t)
{
	return t->pty;
}
