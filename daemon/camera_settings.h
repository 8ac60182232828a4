/* photorigd: camera settings over the control socket.
 *
 *   {"op":"camera_settings","camera":NAME}   (camera absent: every camera)
 *     -> {"cameras":[{"camera":"cam01","settings":[{"key":"iso","label":"ISO Speed",
 *          "type":"radio","value":"100","choices":["100","200"]}, ...]}]}
 *        (a "range" setting has min, max and step; a read-only one "readonly";
 *         a camera that cannot answer has "error" instead of "settings")
 *   {"op":"camera_set","camera":NAME|"*","key":K,"value":V}
 *     -> {"results":[{"camera":"cam01","ok":true,"value":"200"},
 *                    {"camera":"cam02","ok":false,"error":"..."}]}
 *        (value: what the camera reads back after the change; the reply is ok
 *         only when every camera took it)
 *
 * The driver calls run on each camera's own thread (a JOB_SETTINGS job), as
 * every call into a camera does; the loop gathers the answers by call id
 * and replies once every camera has answered, in config order. A change
 * lasts until the camera is attached again (restart, reload, recovery),
 * where the config's set.KEY lines are applied: put it there to keep it.
 * camera_set is refused while a capture, a plate or a scan runs. */
#ifndef PHOTORIGD_CAMERA_SETTINGS_H
#define PHOTORIGD_CAMERA_SETTINGS_H

#include <stdint.h>

#include "protocol.h"

struct daemon;
struct cam_slot;
struct cam_job;
struct report;

/* Loop: a camera_settings or camera_set request. */
void camsettings_request(struct daemon *d, uint64_t requester, const struct pr_request *req);
/* Camera thread: run a JOB_SETTINGS job, post REP_SETTINGS. */
void camsettings_run(struct cam_slot *s, const struct cam_job *job);
/* Loop: a camera's answer. */
void camsettings_on_report(struct daemon *d, struct report *r);
/* At exit, after the camera threads: calls still waiting are dropped. */
void camsettings_fini(void);

#endif
