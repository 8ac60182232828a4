/* photorigd: logging (see log.h). One mutex orders lines from the camera
 * threads, the mask workers and the loop, and guards the rate limiter. */
#define _GNU_SOURCE
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum pr_log_level log_level = PR_LOG_INFO;
static int log_journal;

/* The journal sets JOURNAL_STREAM=DEV:INO of the stream it connected to
 * stderr; only then are "<N>" prefixes understood (systemd.exec(5)). */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st))
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(enum pr_log_level level)
{
	log_level = level;
	log_journal = stderr_is_journal();
}

void log_set_level(enum pr_log_level level)
{
	pthread_mutex_lock(&log_lock);
	log_level = level;
	pthread_mutex_unlock(&log_lock);
}

static void emit(enum pr_log_level level, const char *msg, unsigned suppressed)
{
	static const char *const words[] = { "error: ", "warning: ", "", "", "debug: " };
	/* syslog priorities: LOG_ERR = 3 ... LOG_DEBUG = 7 */
	if (log_journal)
		fprintf(stderr, "<%d>%s", 3 + (int)level, msg);
	else
		fprintf(stderr, "photorigd: %s%s", words[level], msg);
	if (suppressed)
		fprintf(stderr, " (%u similar message%s suppressed)", suppressed,
			suppressed == 1 ? "" : "s");
	fputc('\n', stderr);
	fflush(stderr);
}

static void vlog(struct log_rate *rl, enum pr_log_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* one line per message: a newline from a device string must not forge a
	 * second journal entry */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	pthread_mutex_lock(&log_lock);
	if (level > log_level) {
		pthread_mutex_unlock(&log_lock);
		return;
	}
	unsigned suppressed = 0;
	if (rl) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		if (rl->last_ns && now - rl->last_ns < (int64_t)PR_LOG_RATE_SECONDS * 1000000000LL) {
			rl->suppressed++;
			pthread_mutex_unlock(&log_lock);
			return;
		}
		rl->last_ns = now;
		suppressed = rl->suppressed;
		rl->suppressed = 0;
	}
	emit(level, msg, suppressed);
	pthread_mutex_unlock(&log_lock);
}

void log_write(enum pr_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, level, fmt, ap);
	va_end(ap);
}

void log_write_rl(struct log_rate *rl, enum pr_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(rl, level, fmt, ap);
	va_end(ap);
}
