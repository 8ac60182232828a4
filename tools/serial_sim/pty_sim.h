/* photorig tools: a serial device simulated on a pseudo-terminal.
 *
 * Turntable controllers and trigger boxes speak over serial ports; tests
 * and the demo give the real drivers a pty instead (posix_openpt): the
 * driver opens the slave path as it would /dev/ttyUSB0, and a thread here
 * serves the master side, splitting what arrives into lines for a protocol
 * (grbl_sim.c, trigbox_sim.c) and recording every byte, so tests can assert
 * the exact bytes a driver sent.
 *
 * The master runs in packet mode (TIOCPKT), which reports the client's
 * tcflush(): a flush of both directions is what a driver does right after
 * opening the port, so it stands for "port opened" (when a real Arduino
 * resets and greets). The sim keeps a slave fd of its own open, in raw
 * mode, so the pty survives the client closing and reopening it. */
#ifndef PHOTORIG_PTY_SIM_H
#define PHOTORIG_PTY_SIM_H

#include <stddef.h>
#include <stdint.h>

struct pty_sim;

struct pty_sim_ops {
	/* One line (without its CR or LF; may be empty). Runs on the sim's
	 * thread; may call pty_sim_send and sleep. */
	void (*on_line)(struct pty_sim *s, const char *line, void *user);
	/* The client opened the port (flushed both directions). Optional. */
	void (*on_open)(struct pty_sim *s, void *user);
	void *user;
};

/* Create the pty and start serving. 0 or -errno. */
int pty_sim_start(struct pty_sim **out, const struct pty_sim_ops *ops);
/* Stop the thread, close everything; *s becomes NULL. */
void pty_sim_stop(struct pty_sim **s);

/* The slave's path (/dev/pts/N): what the driver opens. */
const char *pty_sim_path(const struct pty_sim *s);

/* Write to the client (printf-style). Dropped while muted. */
void pty_sim_send(struct pty_sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write raw bytes (any values) to the client. Dropped while muted. */
void pty_sim_write(struct pty_sim *s, const void *buf, size_t len);
/* Also append every byte received to fd (-1: stop). */
void pty_sim_set_log_fd(struct pty_sim *s, int fd);
/* Muted: the device stops answering (lines are still recorded). */
void pty_sim_mute(struct pty_sim *s, int mute);

/* Every byte received since start or the last clear, NUL-terminated,
 * malloc'd (the caller frees). */
char *pty_sim_transcript(struct pty_sim *s, size_t *len);
void pty_sim_clear(struct pty_sim *s);

/* CLOCK_MONOTONIC now in ns. */
int64_t pty_sim_now_ns(void);

#endif
