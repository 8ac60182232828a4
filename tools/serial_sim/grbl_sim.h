/* photorig tools: a GRBL controller simulated on a pty (see pty_sim.h).
 *
 * It answers like GRBL 1.1: the greeting "Grbl 1.1h ['$' for help]" when
 * the port is opened (if greet is set), "ok" for each line it accepts
 * (empty lines included), G90/G91 with G0/G1 moves on its axes at the
 * commanded feed (times time_scale), G4 answered only once motion is done
 * plus the dwell, "error:N" for lines it cannot take, and, on demand, an
 * ALARM during the next move or silence. Every byte received is recorded
 * (grbl_sim_transcript) so tests assert the exact G-code. */
#ifndef PHOTORIG_GRBL_SIM_H
#define PHOTORIG_GRBL_SIM_H

#include <stddef.h>

struct grbl_sim;

struct grbl_sim_opts {
	int greet;                /* greet when the port is opened (an Arduino's reset) */
	const char *axes;         /* axes it has; NULL = "XYZ" (stock GRBL) */
	double time_scale;        /* motion time multiplier; 0 = 1 (real time) */
	int error_at_move;        /* the N-th G0/G1 line (1-based) is refused; 0 = never */
	int error_code;           /* ... with error:code; 0 = 20 */
	int mute_after_moves;     /* silent from the move after the N-th; 0 = never */
};

/* The pty, for pty_sim_set_log_fd and the like. */
struct pty_sim *grbl_sim_pty(struct grbl_sim *g);

int grbl_sim_start(struct grbl_sim **out, const struct grbl_sim_opts *opts);
void grbl_sim_stop(struct grbl_sim **g);
const char *grbl_sim_path(const struct grbl_sim *g);

/* All bytes received (malloc'd, NUL-terminated) / forget them. */
char *grbl_sim_transcript(struct grbl_sim *g);
void grbl_sim_clear(struct grbl_sim *g);

/* Machine position of an axis, in units. */
double grbl_sim_position(struct grbl_sim *g, char axis);

/* The next G-code line is refused with error:code. */
void grbl_sim_error_next(struct grbl_sim *g, int code);
/* The next move raises ALARM:code (reported while its G4 waits); G-code is
 * then locked out (error:9) until $X. */
void grbl_sim_alarm_next_move(struct grbl_sim *g, int code);
/* Stop answering (1) or answer again (0). */
void grbl_sim_mute(struct grbl_sim *g, int mute);

#endif
