/* photorigd: the epoll loop (loop.c): the services it offers modules. */
#ifndef PHOTORIGD_LOOP_H
#define PHOTORIGD_LOOP_H

#include <stddef.h>
#include <stdint.h>

struct daemon;

int daemon_reload(struct daemon *d, char *why, size_t size);
void daemon_update_status(struct daemon *d);
int64_t mono_ns(void);
enum { TAG_LISTEN = 1, TAG_SIGNAL, TAG_TIMER, TAG_EVENT, TAG_SCAN, TAG_KEY, TAG_WEB, TAG_CLUSTER,
       TAG_COUNT };
int loop_add_fd(struct daemon *d, int fd, int tag);

#endif
