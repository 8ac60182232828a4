/* photorigd: camera settings over the control socket (see camera_settings.h). */
#define _GNU_SOURCE
#include "camera_settings.h"

#include "daemon.h"
#include "events.h"
#include "rig.h"
#include "rig_op.h"
#include "scan.h"
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Loop only: a request waiting for its cameras. Calls live in a short list;
 * a reply from a camera whose call is gone is dropped. */
struct settings_call {
	struct settings_call *next;
	uint64_t id;
	uint64_t client;
	int64_t req_id;
	int set;
	uint32_t n, pending;
	json_object **entries;    /* [n], in config order */
	int failures;
};

static struct settings_call *calls;
static uint64_t next_call_id = 1;

static void call_free(struct settings_call *k)
{
	for (uint32_t i = 0; i < k->n; i++)
		json_object_put(k->entries[i]);
	free(k->entries);
	free(k);
}

static void call_reply(struct daemon *d, struct settings_call *k)
{
	json_object *a = json_object_new_array();
	for (uint32_t i = 0; i < k->n; i++) {
		json_object_array_add(a, k->entries[i]);
		k->entries[i] = NULL;
	}
	json_object *r;
	if (k->set && k->failures)
		r = pr_proto_reply_error(k->req_id, 1, "%d of %u camera%s did not take the setting",
					 k->failures, k->n, k->n == 1 ? "" : "s");
	else
		r = pr_proto_reply_ok(k->req_id);
	json_object_object_add(r, k->set ? "results" : "cameras", a);
	events_reply(d, k->client, r);
}

/* {"camera":NAME,"error":why} for a list, {"camera","ok":false,"error"} for a set */
static json_object *entry_error(const char *camera, int set, const char *why)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "camera", json_object_new_string(camera));
	if (set)
		json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(why));
	return o;
}

static int refuse(struct daemon *d, uint64_t requester, const struct pr_request *req, const char *why)
{
	events_reply(d, requester, pr_proto_reply_error(req->id, 1, "%s", why));
	return -1;
}

void camsettings_request(struct daemon *d, uint64_t requester, const struct pr_request *req)
{
	int set = req->op == PR_OP_CAMERA_SET;
	int all = !req->camera[0] || !strcmp(req->camera, PR_PROTO_ALL_CAMERAS);
	int only = -1;
	char why[1024];
	if (!all) {
		for (uint32_t i = 0; i < d->nslots; i++)
			if (!strcmp(d->slots[i].cfg.name, req->camera))
				only = (int)i;
		if (only < 0) {
			int n = snprintf(why, sizeof(why), "no camera position '%s' (the rig has:",
					 req->camera);
			for (uint32_t i = 0; i < d->nslots && n > 0 && (size_t)n < sizeof(why); i++)
				n += snprintf(why + n, sizeof(why) - (size_t)n, " %s",
					      d->slots[i].cfg.name);
			if (n > 0 && (size_t)n < sizeof(why))
				snprintf(why + n, sizeof(why) - (size_t)n, ")");
			refuse(d, requester, req, why);
			return;
		}
	}
	if (!d->nslots) {
		refuse(d, requester, req, "the rig has no cameras");
		return;
	}
	/* a setting changed between the shots of a set or a scan would split it */
	if (set && (d->op.kind != OP_NONE || scan_running(d))) {
		snprintf(why, sizeof(why), "busy: a %s is running; change settings when it is done",
			 scan_running(d) ? "turntable scan" : d->op.kind == OP_PLATE
			 ? "plate recording" : "capture");
		refuse(d, requester, req, why);
		return;
	}
	if (d->stopping) {
		refuse(d, requester, req, "photorigd is stopping");
		return;
	}
	struct settings_call *k = calloc(1, sizeof(*k));
	if (!k || !(k->entries = calloc(d->nslots, sizeof(*k->entries)))) {
		free(k);
		refuse(d, requester, req, "out of memory");
		return;
	}
	k->id = next_call_id++;
	k->client = requester;
	k->req_id = req->id;
	k->set = set;
	for (uint32_t i = 0; i < d->nslots; i++) {
		if (only >= 0 && (int)i != only)
			continue;
		struct cam_slot *sl = &d->slots[i];
		uint32_t slot = k->n++;
		struct cam_job *job = calloc(1, sizeof(*job));
		if (!job) {
			k->entries[slot] = entry_error(sl->cfg.name, set, "out of memory");
			k->failures++;
			continue;
		}
		job->type = JOB_SETTINGS;
		job->call_id = k->id;
		job->index = slot;
		job->change = set;
		snprintf(job->key, sizeof(job->key), "%s", req->key);
		snprintf(job->value, sizeof(job->value), "%s", req->value);
		k->pending++;
		rig_post(sl, job);
	}
	if (!k->pending) {
		call_reply(d, k);
		call_free(k);
		return;
	}
	k->next = calls;
	calls = k;
	LOG_DEBUG("%s: %u camera%s asked", pr_op_name(req->op), k->pending,
		  k->pending == 1 ? "" : "s");
}

void camsettings_on_report(struct daemon *d, struct report *r)
{
	struct settings_call **pp = &calls, *k = NULL;
	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->id == r->call_id) {
			k = *pp;
			break;
		}
	if (!k || r->frame >= k->n || k->entries[r->frame]) {
		LOG_DEBUG("camera settings: an answer for a call no longer waiting");
		return;
	}
	k->entries[r->frame] = r->json;
	r->json = NULL;
	k->failures += r->rc != 0;
	if (r->rc && k->set)
		LOG_NOTICE("camera_set: %s", r->msg);
	if (--k->pending)
		return;
	*pp = k->next;
	call_reply(d, k);
	call_free(k);
}

void camsettings_fini(void)
{
	while (calls) {
		struct settings_call *k = calls;
		calls = k->next;
		call_free(k);
	}
}

/* ---- camera thread ---- */

static json_object *settings_json(const struct cam_settings_list *l)
{
	json_object *a = json_object_new_array();
	for (uint32_t i = 0; i < l->n; i++) {
		const struct cam_setting_info *it = &l->items[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "key", json_object_new_string(it->key));
		json_object_object_add(o, "label", json_object_new_string(it->label));
		json_object_object_add(o, "type", json_object_new_string(it->type));
		json_object_object_add(o, "value", json_object_new_string(it->value));
		if (it->readonly)
			json_object_object_add(o, "readonly", json_object_new_boolean(1));
		if (it->has_range) {
			json_object_object_add(o, "min", json_object_new_double(it->min));
			json_object_object_add(o, "max", json_object_new_double(it->max));
			json_object_object_add(o, "step", json_object_new_double(it->step));
		}
		if (it->nchoices || !strcmp(it->type, "radio") || !strcmp(it->type, "menu")) {
			json_object *ch = json_object_new_array();
			for (uint32_t k = 0; k < it->nchoices; k++)
				json_object_array_add(ch, json_object_new_string(it->choices[k]));
			json_object_object_add(o, "choices", ch);
		}
		json_object_array_add(a, o);
	}
	return a;
}

void camsettings_run(struct cam_slot *s, const struct cam_job *job)
{
	struct report *r = rig_report(s, REP_SETTINGS);
	if (!r)
		return;
	struct pr_error err = { 0 };
	r->call_id = job->call_id;
	r->frame = job->index;
	int rc;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "camera", json_object_new_string(s->cfg.name));
	if (!s->handle)
		rc = pr_error_set(&err, CAM_EGONE, "camera %s is not attached (photorig cameras "
				  "says why)", s->cfg.name);
	else if (!(job->change ? s->drv->set_setting != NULL : s->drv->list_settings != NULL))
		rc = pr_error_set(&err, PR_EUNSUPPORTED, "camera %s: the %s driver has no settings "
				  "to %s", s->cfg.name, s->drv->name, job->change ? "change" : "list");
	else if (job->change) {
		char readback[PR_PROTO_VALUE_MAX + 1] = "";
		rc = s->drv->set_setting(s->handle, job->key, job->value, readback,
					 sizeof(readback), &err);
		if (!rc) {
			json_object_object_add(o, "ok", json_object_new_boolean(1));
			json_object_object_add(o, "value", json_object_new_string(readback));
		}
	} else {
		struct cam_settings_list l = { 0 };
		rc = s->drv->list_settings(s->handle, &l, &err);
		if (!rc)
			json_object_object_add(o, "settings", settings_json(&l));
		cam_settings_free(&l);
	}
	if (rc) {
		if (job->change)
			json_object_object_add(o, "ok", json_object_new_boolean(0));
		json_object_object_add(o, "error", json_object_new_string(err.msg));
		snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
	}
	r->rc = rc;
	r->json = o;
	report_post(s->d, r);
}
