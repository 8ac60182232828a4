/* photorig tools: a GRBL controller simulated on a pty (see grbl_sim.h). */
#define _GNU_SOURCE
#include "grbl_sim.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pty_sim.h"

#define NAXES 6

struct grbl_sim {
	struct pty_sim *pty;
	struct grbl_sim_opts opts;
	char axes[NAXES + 1];
	pthread_mutex_t mu;       /* the fields below */
	double pos[NAXES];
	int relative;
	double feed;              /* units per minute; 0 = not set */
	int64_t busy_until;       /* CLOCK_MONOTONIC ns when queued motion ends */
	int error_next;
	int alarm_next;
	int alarm_pending;        /* raised during the current motion */
	int alarmed;
	int moves;                /* G0/G1 lines received */
};

static void sleep_until(int64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000, .tv_nsec = t % 1000000000 };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
		;
}

static void greet(struct pty_sim *s, void *user)
{
	struct grbl_sim *g = user;
	if (g->opts.greet)
		pty_sim_send(s, "\r\nGrbl 1.1h ['$' for help]\r\n");
}

/* One G-code line. Returns the GRBL status code (0 = ok). */
static int run_gcode(struct grbl_sim *g, const char *line, int64_t *dwell_ns, int *g4)
{
	int motion = -1, mode = -1;
	double target[NAXES];
	int have[NAXES] = { 0 };
	double feed = -1, p = -1;
	for (const char *c = line; *c;) {
		if (isspace((unsigned char)*c)) {
			c++;
			continue;
		}
		char letter = (char)toupper((unsigned char)*c++);
		if (letter < 'A' || letter > 'Z')
			return 1;
		char *end;
		double v = strtod(c, &end);
		if (end == c)
			return 2;
		c = end;
		const char *ax = strchr(g->axes, letter);
		if (letter == 'G') {
			if (v == 0 || v == 1)
				motion = (int)v;
			else if (v == 4)
				*g4 = 1;
			else if (v == 90 || v == 91)
				mode = (int)v;
			else
				return 20;
		} else if (letter == 'F') {
			if (v < 0)
				return 4;
			feed = v;
		} else if (letter == 'P') {
			p = v;
		} else if (ax) {
			have[ax - g->axes] = 1;
			target[ax - g->axes] = v;
		} else {
			return 20;
		}
	}
	if (mode >= 0)
		g->relative = mode == 91;
	if (feed >= 0)
		g->feed = feed;
	if (*g4) {
		if (p < 0)
			return 28;
		*dwell_ns = (int64_t)(p * 1e9);
		return 0;
	}
	int any = 0;
	double dist2 = 0;
	for (int i = 0; i < NAXES; i++) {
		if (!have[i])
			continue;
		any = 1;
		double to = g->relative ? g->pos[i] + target[i] : target[i];
		dist2 += (to - g->pos[i]) * (to - g->pos[i]);
		g->pos[i] = to;
	}
	if (!any)
		return motion >= 0 ? 26 : 0;
	if (motion == 1 && g->feed <= 0)
		return 22;
	double rate = motion == 1 ? g->feed : 6000; /* G0: a fixed seek rate */
	double scale = g->opts.time_scale > 0 ? g->opts.time_scale : 1;
	int64_t dur = (int64_t)(sqrt(dist2) / (rate / 60.0) * scale * 1e9);
	int64_t now = pty_sim_now_ns();
	g->busy_until = (g->busy_until > now ? g->busy_until : now) + dur;
	if (g->alarm_next) {
		g->alarm_pending = g->alarm_next;
		g->alarm_next = 0;
	}
	return 0;
}

static void on_line(struct pty_sim *s, const char *line, void *user)
{
	struct grbl_sim *g = user;
	while (isspace((unsigned char)*line))
		line++;
	if (!*line) { /* empty line: ok, "for syncing purposes" */
		pty_sim_send(s, "ok\r\n");
		return;
	}
	pthread_mutex_lock(&g->mu);
	if (!strcmp(line, "$X")) {
		g->alarmed = 0;
		pthread_mutex_unlock(&g->mu);
		pty_sim_send(s, "[MSG:Caution: Unlocked]\r\nok\r\n");
		return;
	}
	if (g->alarmed) {
		pthread_mutex_unlock(&g->mu);
		pty_sim_send(s, "error:9\r\n");
		return;
	}
	if ((line[0] == 'G' || line[0] == 'g') && (line[1] == '0' || line[1] == '1') &&
	    !isdigit((unsigned char)line[2])) {
		g->moves++;
		if (g->opts.mute_after_moves && g->moves > g->opts.mute_after_moves)
			pty_sim_mute(s, 1);
		if (g->opts.error_at_move == g->moves)
			g->error_next = g->opts.error_code ? g->opts.error_code : 20;
	}
	if (g->error_next) {
		int code = g->error_next;
		g->error_next = 0;
		pthread_mutex_unlock(&g->mu);
		pty_sim_send(s, "error:%d\r\n", code);
		return;
	}
	int64_t dwell = 0;
	int g4 = 0;
	int rc = run_gcode(g, line, &dwell, &g4);
	int64_t until = g->busy_until;
	pthread_mutex_unlock(&g->mu);
	if (rc) {
		pty_sim_send(s, "error:%d\r\n", rc);
		return;
	}
	if (g4) {
		/* G4 waits for the planner to empty, then dwells. */
		pthread_mutex_lock(&g->mu);
		int alarm = g->alarm_pending;
		g->alarm_pending = 0;
		pthread_mutex_unlock(&g->mu);
		if (alarm) {
			int64_t now = pty_sim_now_ns();
			sleep_until(now + (until - now) / 2);
			pthread_mutex_lock(&g->mu);
			g->alarmed = 1;
			g->busy_until = 0;
			pthread_mutex_unlock(&g->mu);
			pty_sim_send(s, "ALARM:%d\r\n", alarm);
			return;
		}
		sleep_until((until > pty_sim_now_ns() ? until : pty_sim_now_ns()) + dwell);
	}
	pty_sim_send(s, "ok\r\n");
}

int grbl_sim_start(struct grbl_sim **out, const struct grbl_sim_opts *opts)
{
	*out = NULL;
	struct grbl_sim *g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	if (opts)
		g->opts = *opts;
	snprintf(g->axes, sizeof(g->axes), "%s", g->opts.axes ? g->opts.axes : "XYZ");
	g->opts.axes = NULL;
	pthread_mutex_init(&g->mu, NULL);
	struct pty_sim_ops ops = { .on_line = on_line, .on_open = greet, .user = g };
	int rc = pty_sim_start(&g->pty, &ops);
	if (rc) {
		pthread_mutex_destroy(&g->mu);
		free(g);
		return rc;
	}
	*out = g;
	return 0;
}

void grbl_sim_stop(struct grbl_sim **gp)
{
	if (!gp || !*gp)
		return;
	pty_sim_stop(&(*gp)->pty);
	pthread_mutex_destroy(&(*gp)->mu);
	free(*gp);
	*gp = NULL;
}

const char *grbl_sim_path(const struct grbl_sim *g)
{
	return pty_sim_path(g->pty);
}

char *grbl_sim_transcript(struct grbl_sim *g)
{
	return pty_sim_transcript(g->pty, NULL);
}

void grbl_sim_clear(struct grbl_sim *g)
{
	pty_sim_clear(g->pty);
}

double grbl_sim_position(struct grbl_sim *g, char axis)
{
	const char *ax = strchr(g->axes, toupper((unsigned char)axis));
	pthread_mutex_lock(&g->mu);
	double v = ax && *ax ? g->pos[ax - g->axes] : NAN;
	pthread_mutex_unlock(&g->mu);
	return v;
}

void grbl_sim_error_next(struct grbl_sim *g, int code)
{
	pthread_mutex_lock(&g->mu);
	g->error_next = code;
	pthread_mutex_unlock(&g->mu);
}

void grbl_sim_alarm_next_move(struct grbl_sim *g, int code)
{
	pthread_mutex_lock(&g->mu);
	g->alarm_next = code;
	pthread_mutex_unlock(&g->mu);
}

void grbl_sim_mute(struct grbl_sim *g, int mute)
{
	pty_sim_mute(g->pty, mute);
}

struct pty_sim *grbl_sim_pty(struct grbl_sim *g)
{
	return g->pty;
}
