/* photorigd: sd_notify wrappers (see notify.h). */
#include "notify.h"

#include <stdarg.h>
#include <stdio.h>

#ifdef PHOTORIG_WITH_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

static void send_state(const char *state)
{
#ifdef PHOTORIG_WITH_SYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

void notify_ready(void) { send_state("READY=1"); }
void notify_reloading(void) { send_state("RELOADING=1"); }
void notify_stopping(void) { send_state("STOPPING=1"); }
void notify_watchdog(void) { send_state("WATCHDOG=1"); }

void notify_status(const char *fmt, ...)
{
	char buf[256] = "STATUS=";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + 7, sizeof(buf) - 7, fmt, ap);
	va_end(ap);
	send_state(buf);
}

uint64_t notify_watchdog_usec(void)
{
#ifdef PHOTORIG_WITH_SYSTEMD
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) > 0)
		return usec;
#endif
	return 0;
}
