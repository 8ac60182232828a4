/* photorigd: masking a session's shots again (`photorig remask`).
 *
 *   {"op":"remask","name":SESSION[,"set_from":A][,"set_to":B][,"cameras":"c1,c2"]}
 *     -> {"session":..,"remasked":N,"shots":[{set, camera, mask, foreground | note}]}
 *
 * After new plates or other mask settings, the saved shots of the active
 * session (those sets, those cameras) go through the mask workers again,
 * exactly as a new shot does (capture.c's mask_submit): the current plate
 * and settings, outputs written atomically over the old ones, a
 * mask_written (or mask_skipped / mask_failed) line in the journal per shot,
 * the manifest rewritten. Originals are only read. The jobs are handed to
 * the pool as it has room (a tick at a time); the reply comes when every
 * one has finished. One remask at a time; refused while a capture or a
 * plate recording runs, and for a session that is not the active one (the
 * client then remasks offline). */
#ifndef PHOTORIGD_REMASK_H
#define PHOTORIGD_REMASK_H

#include <stdint.h>

#include "protocol.h"

struct daemon;

/* Loop: a remask request. */
void remask_request(struct daemon *d, uint64_t requester, const struct pr_request *req);
/* Loop tick: hand more jobs to the pool; reply when all are done. */
void remask_tick(struct daemon *d);
/* Is a remask running (capture and session changes wait for it)? */
int remask_running(void);
/* At exit: a running remask is dropped. */
void remask_fini(void);

#endif
