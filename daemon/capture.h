/* photorigd: capture sets (capture.c): trigger every camera together, take
 * each file and mask as it comes, finish the set; and the files a crash
 * left behind (recover.c). The life of a set is told in ARCHITECTURE.md. */
#ifndef PHOTORIGD_CAPTURE_H
#define PHOTORIGD_CAPTURE_H

#include <stdint.h>

#include "protocol.h"

struct daemon;
struct report;
struct set_rec;
struct shot_rec;

int capture_begin(struct daemon *d, uint64_t requester, const struct pr_request *req);
void capture_on_shot(struct daemon *d, struct report *r);
void capture_on_mask(struct daemon *d, struct report *r);
void capture_tick(struct daemon *d);
void capture_finish_recovered(struct daemon *d);
/* recover.c: the files of shot r that a crash left saved but not journaled,
 * found in session folder dir by r->stem: 0 with r->file, size, hash and
 * extras filled in, -1 when there are none. */
int recover_originals(const char *dir, struct shot_rec *r);
/* Mask a saved shot again (its mask failed for lack of space); 0 when
 * queued, -1 when the queue is full. */
int capture_remask(struct daemon *d, struct set_rec *set, uint32_t shot);
/* The same for any reason (logged): a saved shot's mask made again with
 * the current plate and settings (remask.c). */
int capture_mask_again(struct daemon *d, struct set_rec *set, uint32_t shot, const char *why);
/* Trigger one set outside a capture request (scan steps); NULL when it
 * could not start. The set's files_done is reported to scan_on_files. */
struct set_rec *capture_scan_set(struct daemon *d, uint32_t scan, uint32_t step, double angle);
/* One set for the operator key: like `capture --count 1` with no client. */
int capture_local(struct daemon *d, const char *who);

#endif
