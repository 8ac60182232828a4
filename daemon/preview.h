/* photorigd: a preview frame of one camera, to frame and focus by.
 *
 *   {"op":"preview","camera":NAME}
 *     -> {"camera":NAME,"width":W,"height":H,"jpeg":BASE64,"sharpness":S,
 *         "source_width":..,"source_height":..,
 *         "foreground":F,"mask_png":BASE64}   (mask: when the camera has a plate)
 *        or "mask_note": why there is no mask
 *
 * The driver's preview op runs on the camera's own thread (a JOB_PREVIEW
 * job), like every call into a camera; the same thread measures the frame's
 * sharpness (the variance of its Laplacian: higher is sharper, to compare
 * while turning the focus ring) and masks it against the camera's plate,
 * to show where the mask would fall. The frame is never written anywhere:
 * it goes back in the reply, scaled to at most PREVIEW_MAX_WIDTH. Refused
 * while a capture, a plate recording or a scan runs, whose triggers it
 * would delay. */
#ifndef PHOTORIGD_PREVIEW_H
#define PHOTORIGD_PREVIEW_H

#include "mask.h"
#include "protocol.h"

struct daemon;
struct cam_slot;
struct cam_job;
struct plate_ref;
struct report;

#define PREVIEW_MAX_WIDTH 960

/* What the loop hands the camera thread with a JOB_PREVIEW (owned by the job). */
struct preview_args {
	struct plate_ref *plate;      /* NULL: no plate */
	struct pr_mask_params mask;
};

/* Loop: a preview request. */
void preview_request(struct daemon *d, uint64_t requester, const struct pr_request *req);
/* Camera thread: take, measure and mask the frame; post REP_PREVIEW. */
void preview_run(struct cam_slot *s, const struct cam_job *job);
/* Loop: the camera's answer. */
void preview_on_report(struct daemon *d, struct report *r);
/* At exit: requests still waiting are dropped. */
void preview_fini(void);

#endif
