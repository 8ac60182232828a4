/* photorigd: telling systemd how we are (sd_notify). Every function is a
 * no-op when not run by systemd (no $NOTIFY_SOCKET) or when photorig is
 * built without libsystemd (PHOTORIG_WITH_SYSTEMD=OFF). */
#ifndef PHOTORIGD_NOTIFY_H
#define PHOTORIGD_NOTIFY_H

#include <stdint.h>

void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);
void notify_watchdog(void);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The watchdog interval systemd asked for (WatchdogSec), in microseconds,
 * or 0 when there is none. */
uint64_t notify_watchdog_usec(void);

#endif
