/* photorigd: the thread that owns the turntable handle (tt_worker.c). */
#ifndef PHOTORIGD_TT_WORKER_H
#define PHOTORIGD_TT_WORKER_H

#include <stdint.h>

struct daemon;

int ttw_start(struct daemon *d);
void ttw_stop(struct daemon *d);
int ttw_rotate(struct daemon *d, uint32_t scan, uint32_t step, double by, double target);
int ttw_busy(const struct daemon *d);

#endif
