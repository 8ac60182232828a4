/* photorig drivers: the serial port under the turntable and trigger-box
 * drivers.
 *
 * One place sets a port up (raw 8N1, no flow control, the baud from a table
 * of rates termios knows, input flushed so stale replies from a previous
 * session are not taken for answers) and talks to it in lines: writes are a
 * bounded loop over a non-blocking fd, reads wait in poll() against a
 * CLOCK_MONOTONIC deadline, so no call can hang longer than its caller
 * allowed, whatever the device does.
 *
 * What a device sends is untrusted: a line ends at CR or LF (CRLF gives one
 * line, empty lines are skipped), is cut at SERIAL_LINE_MAX - 1 bytes (the
 * rest up to its end is dropped), and control bytes and bytes >= 0x7f become
 * '?', so a line is always a printable C string that may go into a message.
 *
 * The fd is non-blocking and close-on-exec; a daemon that wants the port in
 * its epoll loop can take sp->fd, but the drivers here only use the blocking
 * calls below. */
#ifndef PHOTORIG_SERIAL_PORT_H
#define PHOTORIG_SERIAL_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define SERIAL_LINE_MAX 256

/* Codes beyond core/base/error.h's; drivers map them onto their own. */
enum serial_errcode {
	SERIAL_ETIMEOUT = -50,    /* the deadline passed */
	SERIAL_EGONE = -51,       /* the port closed or the device was unplugged */
};

struct serial_port {
	int fd;                   /* -1 when closed */
	char name[128];           /* device path, for messages */
	uint8_t buf[1024];        /* bytes read but not yet returned as lines */
	size_t len;
	int discarding;           /* inside an overlong line: drop until its end */
};

/* Open device raw 8N1 at baud (PR_EINVAL for a rate not in the table),
 * O_RDWR|O_NOCTTY|O_CLOEXEC|O_NONBLOCK, and flush both directions. sp is
 * reset first; on failure sp->fd is -1 and err names the device. */
int serial_port_open(struct serial_port *sp, const char *device, int baud, struct pr_error *err);

/* Safe on a closed or zeroed-then-opened port, and twice. */
void serial_port_close(struct serial_port *sp);

/* 1 if baud is one of the rates serial_port_open accepts. */
int serial_baud_supported(int baud);

/* Write all of buf before deadline_ns (CLOCK_MONOTONIC, from serial_deadline).
 * 0, SERIAL_ETIMEOUT, SERIAL_EGONE or PR_EIO. */
int serial_port_write(struct serial_port *sp, const void *buf, size_t len, int64_t deadline_ns,
		      struct pr_error *err);
int serial_port_write_str(struct serial_port *sp, const char *s, int64_t deadline_ns,
			  struct pr_error *err);

/* The next non-empty line, without its terminator, into line (cap bytes,
 * NUL-terminated, at most SERIAL_LINE_MAX - 1 characters). Returns its
 * length, or SERIAL_ETIMEOUT when deadline_ns passes first (the partial line
 * stays buffered for the next call), SERIAL_EGONE, PR_EIO. */
int serial_port_read_line(struct serial_port *sp, char *line, size_t cap, int64_t deadline_ns,
			  struct pr_error *err);

/* Drop everything received so far (buffered and in the kernel). */
void serial_port_discard_input(struct serial_port *sp);

/* CLOCK_MONOTONIC now, in ns; and now + ms. */
int64_t serial_now_ns(void);
int64_t serial_deadline(uint32_t ms);

/* Sleep until deadline_ns (CLOCK_MONOTONIC), restarting on signals. */
void serial_sleep_until(int64_t deadline_ns);

#endif
