/* photorigd: logging.
 *
 * Messages go to stderr, one line each. Under systemd (JOURNAL_STREAM set to
 * our stderr) every line starts with a "<N>" syslog priority prefix, which
 * the journal turns into the entry's priority; otherwise lines are plain,
 * with a word for warnings and errors. The macros are printf-checked and
 * wrapped in do {} while (0) so they behave as one statement.
 *
 * LOG_RATELIMITED keeps a device that is gone from filling the journal: at
 * most one line per call site every PR_LOG_RATE_SECONDS, then a count of the
 * lines it held back. Safe from any thread. */
#ifndef PHOTORIGD_LOG_H
#define PHOTORIGD_LOG_H

#include <stdint.h>

#include "config.h"

#define PR_LOG_RATE_SECONDS 10

void log_init(enum pr_log_level level);
void log_set_level(enum pr_log_level level);
void log_write(enum pr_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct log_rate {
	int64_t last_ns;      /* CLOCK_MONOTONIC of the last line written */
	unsigned suppressed;  /* lines held back since */
};
void log_write_rl(struct log_rate *rl, enum pr_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define LOG_ERR(...) do { log_write(PR_LOG_ERR, __VA_ARGS__); } while (0)
#define LOG_WARN(...) do { log_write(PR_LOG_WARNING, __VA_ARGS__); } while (0)
#define LOG_NOTICE(...) do { log_write(PR_LOG_NOTICE, __VA_ARGS__); } while (0)
#define LOG_INFO(...) do { log_write(PR_LOG_INFO, __VA_ARGS__); } while (0)
#define LOG_DEBUG(...) do { log_write(PR_LOG_DEBUG, __VA_ARGS__); } while (0)
#define LOG_RATELIMITED(level, ...)                                                            \
	do {                                                                                   \
		static struct log_rate log_rate_site_;                                         \
		log_write_rl(&log_rate_site_, level, __VA_ARGS__);                              \
	} while (0)

#endif
