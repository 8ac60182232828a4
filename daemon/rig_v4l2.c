/* photorigd: what V4L2 cameras add to attach, plates and shots.
 *
 * A V4L2 camera keeps its exposure, gain, white balance and focus in
 * controls that can change between a plate and a shot (the camera's own
 * firmware after a re-plug, or someone with v4l2-ctl). The driver locks
 * them and reads them back at every arm(); the daemon stores their values
 * with the plate ("v4l2.KEY=VALUE" lines after the config's settings) and
 * compares each shot's values with its plate's. A shot taken with other
 * values is still saved and masked, but flagged in the journal, the
 * manifest and to watchers, so the operator can judge it.
 *
 * The halves run on different threads: rig_v4l2_attached/plate/shot on
 * the camera's thread (they touch its handle), the rest on the loop. The
 * camera thread hands the controls text over in its report. */
#define _GNU_SOURCE
#include "daemon.h"
#include "events.h"
#include "rig.h"
#include "session.h"
#include "sync.h"

#include <stdio.h>
#include <string.h>

#include "cam_v4l2.h"
#include "log.h"

static int is_v4l2(const struct cam_slot *s)
{
	return s->drv == &cam_v4l2_driver && s->handle;
}

void rig_v4l2_attached(struct cam_slot *s)
{
	if (!is_v4l2(s))
		return;
	const char *w = cam_v4l2_warnings(s->handle);
	if (w && w[0])
		LOG_WARN("camera %s: %s", s->cfg.name, w);
}

void rig_v4l2_plate_settings(struct cam_slot *s, char *settings, size_t size)
{
	if (!is_v4l2(s))
		return;
	size_t n = strlen(settings);
	if (n + 1 < size && cam_v4l2_controls_text(s->handle, settings + n, size - n))
		settings[n] = '\0';
}

void rig_v4l2_shot(struct cam_slot *s, struct report *r)
{
	struct cam_v4l2_frame_info fi;
	if (!r || !is_v4l2(s) || cam_v4l2_last_frame(s->handle, &fi))
		return;
	r->v4l2.present = 1;
	r->v4l2.sequence = fi.sequence;
	r->v4l2.stale = fi.stale_dropped;
	/* arm() re-read the controls just before this capture */
	if (cam_v4l2_controls_text(s->handle, r->controls, sizeof(r->controls)))
		r->controls[0] = '\0';
}

/* The config's settings match a plate's when the plate holds the same lines
 * plus, maybe, the V4L2 control values it was recorded with: those are
 * compared shot by shot instead. */
int rig_settings_match(const char *cfg_text, const char *plate_text)
{
	size_t n = strlen(cfg_text);
	if (strncmp(cfg_text, plate_text, n))
		return 0;
	for (const char *p = plate_text + n; *p;) {
		if (strncmp(p, "v4l2.", 5))
			return 0;
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return 1;
}

void capture_v4l2_check(struct daemon *d, const struct set_rec *set, struct shot_rec *s,
			const struct report *r, json_object *line)
{
	s->v4l2 = r->v4l2;
	if (!r->v4l2.present)
		return;
	const struct plate_ref *plate = d->plates ? d->plates[r->cam] : NULL;
	s->v4l2.controls_changed = 0;
	s->v4l2.why[0] = '\0';
	if (plate && r->controls[0] &&
	    cam_v4l2_controls_compare(plate->plate.settings, r->controls, s->v4l2.why,
				      sizeof(s->v4l2.why)) == 1)
		s->v4l2.controls_changed = 1;
	json_object_object_add(line, "v4l2_sequence", json_object_new_int64(s->v4l2.sequence));
	json_object_object_add(line, "stale_frames", json_object_new_int64(s->v4l2.stale));
	if (!s->v4l2.controls_changed)
		return;
	json_object_object_add(line, "controls_changed", json_object_new_string(s->v4l2.why));
	LOG_WARN("set %u, camera %s: taken with other controls than its plate (%s): saved and "
		 "masked, but flagged", set->number, s->camera, s->v4l2.why);
	json_object *e = pr_proto_event(PR_EV_ERROR, 0, 0);
	json_object_object_add(e, "session", json_object_new_string(d->session->name));
	json_object_object_add(e, "set", json_object_new_int64(set->number));
	json_object_object_add(e, "camera", json_object_new_string(s->camera));
	char msg[400];
	snprintf(msg, sizeof(msg), "controls differ from the plate's: %s", s->v4l2.why);
	json_object_object_add(e, "error", json_object_new_string(msg));
	json_object_object_add(e, "controls_changed", json_object_new_string(s->v4l2.why));
	events_publish(d, e);
}

void journal_v4l2_json(const struct shot_rec *r, json_object *o)
{
	if (!r->v4l2.present)
		return;
	json_object_object_add(o, "v4l2_sequence", json_object_new_int64(r->v4l2.sequence));
	json_object_object_add(o, "stale_frames", json_object_new_int64(r->v4l2.stale));
	if (r->v4l2.controls_changed)
		json_object_object_add(o, "controls_changed", json_object_new_string(r->v4l2.why));
}

void journal_v4l2_replay(struct shot_rec *r, json_object *o)
{
	json_object *v;
	if (!json_object_object_get_ex(o, "v4l2_sequence", &v))
		return;
	r->v4l2.present = 1;
	r->v4l2.sequence = (uint32_t)pr_json_int(o, "v4l2_sequence", 0);
	r->v4l2.stale = (uint32_t)pr_json_int(o, "stale_frames", 0);
	const char *why = pr_json_str(o, "controls_changed", NULL);
	r->v4l2.controls_changed = why != NULL;
	snprintf(r->v4l2.why, sizeof(r->v4l2.why), "%s", why ? why : "");
}
