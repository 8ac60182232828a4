/* photorigd: the epoll loop (loop.c): the services it offers modules. */
#ifndef PHOTORIGD_LOOP_H
#define PHOTORIGD_LOOP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct daemon;

int daemon_reload(struct daemon *d, char *why, size_t size);
/* CLOCK_MONOTONIC in ns: deadlines, timeouts, back-off. */
static inline int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
enum { TAG_LISTEN = 1, TAG_SIGNAL, TAG_TIMER, TAG_EVENT, TAG_SCAN, TAG_KEY, TAG_WEB, TAG_CLUSTER,
       TAG_COUNT };
int loop_add_fd(struct daemon *d, int fd, int tag);

#endif
