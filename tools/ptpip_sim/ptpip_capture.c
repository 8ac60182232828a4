/* photorig-ptpip-sim: InitiateCapture - fault modes, the new object, its
 * trigger-log line and served copy, and the ObjectAdded/CaptureComplete
 * events.
 *
 * The image for the next capture is prepared while the camera is idle, so
 * a trigger costs the simulator almost no CPU: with many simulators on few
 * cores, encoding a JPEG at trigger time would delay the other cameras'
 * triggers and the measured spread would be the simulators', not the
 * host's. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ptpip_dng.h"
#include "ptpip_jpeg.h"
#include "ptpip_log.h"
#include "ptpip_sim.h"

/* Quiet time after a trigger before the next image is prepared. */
#define PREPARE_AFTER_NS (50ull * 1000000u)

/* Capture n's file number: its name and, for generated images, what the
 * picture shows (--first-number moves both on past an earlier run's). */
static unsigned file_number(const struct sim *s, unsigned capture)
{
	return capture + s->cfg->first_number - 1;
}

/* Where the new picture's bytes come from: the next file of --images, or
 * a generated JPEG at the current ImageSize. */
static int produce_image(struct sim *s, unsigned capture, struct sim_object *o)
{
	if (s->cfg->images_dir)
		return sim_images_next(&s->images, &o->data, &o->size, o->src, sizeof(o->src));
	uint32_t w, h;
	sim_props_image_size(&s->props, &w, &h);
	snprintf(o->src, sizeof(o->src), "generated");
	return sim_jpeg_generate(s->cfg->serial, file_number(s, capture), w, h, &o->data,
				 &o->size);
}

static void log_trigger(struct sim *s, const struct sim_request *rq, unsigned n,
			const char *status, const struct sim_object *o)
{
	struct sim_trigger_rec rec = {
		.mono_ns = rq->mono_ns, .real_ns = rq->real_ns, .serial = s->cfg->serial,
		.capture = n, .status = status, .handle = o ? o->handle : 0,
		.file = o ? o->name : NULL, .src = o ? o->src : NULL,
		.data = o ? o->data : NULL, .size = o ? o->size : 0,
	};
	int r = sim_log_trigger(s->log_fd, &rec);
	if (r < 0)
		SIM_LOG(s, "trigger log write failed: %s", strerror(-r));
}

static void shoot(struct sim *s, const struct sim_request *rq, unsigned n);

static void drop_prepared(struct sim *s)
{
	free(s->next.data);
	memset(&s->next, 0, sizeof(s->next));
}

/* The prepared image if it still fits (same capture number and size for
 * generated images; any for --images, which are served in order), else a
 * fresh one. */
static int take_image(struct sim *s, unsigned n, struct sim_object *o)
{
	uint32_t w, h;
	sim_props_image_size(&s->props, &w, &h);
	bool fits = s->next.ready &&
		    (s->cfg->images_dir || (s->next.capture == n && s->next.w == w && s->next.h == h));
	if (fits) {
		o->data = s->next.data;
		o->size = s->next.size;
		snprintf(o->src, sizeof(o->src), "%s", s->next.src);
		s->next.data = NULL;
		drop_prepared(s);
		return 0;
	}
	drop_prepared(s);
	return produce_image(s, n, o);
}

uint64_t sim_capture_idle_due(const struct sim *s)
{
	return s->next.ready ? 0 : s->last_trigger_ns + PREPARE_AFTER_NS;
}

void sim_capture_idle(struct sim *s, uint64_t now_ns)
{
	if (s->next.ready || now_ns < s->last_trigger_ns + PREPARE_AFTER_NS)
		return;
	struct sim_object o;
	memset(&o, 0, sizeof(o));
	unsigned n = s->captures + 1;
	if (produce_image(s, n, &o) < 0) {
		/* Try again after the next quiet period rather than spin. */
		s->last_trigger_ns = now_ns;
		return;
	}
	s->next.ready = true;
	s->next.capture = n;
	sim_props_image_size(&s->props, &s->next.w, &s->next.h);
	s->next.data = o.data;
	s->next.size = o.size;
	snprintf(s->next.src, sizeof(s->next.src), "%s", o.src);
}

void sim_capture_free(struct sim *s)
{
	drop_prepared(s);
}

int sim_op_capture(struct sim *s, const struct sim_request *rq, enum sim_after *after)
{
	const struct sim_config *c = s->cfg;
	uint32_t storage = rq->nparam > 0 ? rq->param[0] : 0;
	uint32_t fmt = rq->nparam > 1 ? rq->param[1] : 0;
	if (storage != 0 && storage != SIM_STORAGE_ID)
		return sim_reply_code(s, rq, PTP_RC_InvalidStorageID);
	if (fmt != 0 && fmt != PTP_OFC_EXIF_JPEG)
		return sim_reply_code(s, rq, PTP_RC_InvalidObjectFormatCode);
	unsigned n = ++s->captures;
	s->last_trigger_ns = rq->mono_ns;
	if (c->drop_on == n) {
		log_trigger(s, rq, n, "drop", NULL);
		*after = SIM_AFTER_DROP;
		return 0;
	}
	if (c->stall_on == n) {
		log_trigger(s, rq, n, "stall", NULL);
		*after = SIM_AFTER_STALL;
		return 0;
	}
	if (s->busy_left) {
		s->busy_left--;
		log_trigger(s, rq, n, "busy", NULL);
		return sim_reply_code(s, rq, PTP_RC_DeviceBusy);
	}
	if (!sim_store_has_room(&s->store) ||
	    s->nevents + (s->cfg->raw_jpeg ? 3u : 2u) > SIM_MAX_EVENTS) {
		log_trigger(s, rq, n, "full", NULL);
		return sim_reply_code(s, rq, sim_store_has_room(&s->store) ? PTP_RC_DeviceBusy
								       : PTP_RC_StoreFull);
	}
	/* Answer first, as cameras do: the shot is taken after the trigger is
	 * acknowledged, and the host learns of the file from events. */
	int r = sim_reply_code(s, rq, PTP_RC_OK);
	if (r < 0)
		return r;
	shoot(s, rq, n);
	return 0;
}

/* The remote-shutter port was closed by a wire (relay, trigger box): the
 * camera shoots with no command, and the host learns of the file only from
 * events, as with a real camera on a hardware trigger. */
void sim_wired_release(struct sim *s)
{
	struct sim_request rq;
	memset(&rq, 0, sizeof(rq));
	rq.mono_ns = sim_now_ns(CLOCK_MONOTONIC);
	rq.real_ns = sim_now_ns(CLOCK_REALTIME);
	unsigned n = ++s->captures;
	s->last_trigger_ns = rq.mono_ns;
	if (!sim_store_has_room(&s->store) ||
	    s->nevents + (s->cfg->raw_jpeg ? 3u : 2u) > SIM_MAX_EVENTS) {
		log_trigger(s, &rq, n, "full", NULL);
		return;
	}
	shoot(s, &rq, n);
}

/* The RAW of a RAW+JPEG capture: IMG_NNNN.DNG beside the JPEG, at 3/2 of its
 * size (a camera's RAW is larger than its JPEG when the JPEG is set smaller),
 * announced after it. A DNG that cannot be made or stored is logged; the
 * JPEG stands alone then, as on a camera whose card filled between files. */
static void shoot_raw(struct sim *s, const struct sim_request *rq, unsigned n,
		      const struct sim_object *jpeg, uint64_t due)
{
	struct sim_object o;
	memset(&o, 0, sizeof(o));
	snprintf(o.name, sizeof(o.name), "%.*s.DNG", (int)(strlen(jpeg->name) - 4), jpeg->name);
	memcpy(o.date, jpeg->date, sizeof(o.date));
	o.format = PTP_OFC_DNG;
	o.width = (jpeg->width * 3 / 2) & ~1u;
	o.height = (jpeg->height * 3 / 2) & ~1u;
	o.ready_ns = jpeg->ready_ns;
	int r = sim_dng_generate(n, o.width, o.height, &o.data, &o.size);
	if (r < 0 || !sim_store_has_room(&s->store) || (r = sim_store_add(&s->store, &o)) < 0) {
		if (!r)
			free(o.data);
		SIM_LOG(s, "capture %u: no DNG (%s)", n, r < 0 ? strerror(-r) : "store full");
		return;
	}
	const struct sim_object *stored = &s->store.obj[s->store.n - 1];
	if (s->cfg->served_dir &&
	    (r = sim_write_served(s->cfg->served_dir, stored->name, stored->data, stored->size)) < 0)
		SIM_LOG(s, "served copy of %s failed: %s", stored->name, strerror(-r));
	sim_queue_event(s, due, PTP_EC_ObjectAdded, rq->transid, stored->handle);
	if (s->cfg->verbose)
		SIM_LOG(s, "capture %u -> %s (%zu bytes, handle 0x%08x)", n, stored->name,
			stored->size, stored->handle);
}

/* Take the picture of capture n: the object, its served copy, the trigger
 * log line, and the ObjectAdded / CaptureComplete events when it is ready. */
static void shoot(struct sim *s, const struct sim_request *rq, unsigned n)
{
	const struct sim_config *c = s->cfg;
	int r;
	struct sim_object o;
	memset(&o, 0, sizeof(o));
	snprintf(o.name, sizeof(o.name), "IMG_%04u.JPG", file_number(s, n) % 10000);
	time_t now = (time_t)(rq->real_ns / 1000000000u);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(o.date, sizeof(o.date), "%Y%m%dT%H%M%S", &tm);
	r = take_image(s, n, &o);
	if (r < 0) {
		SIM_LOG(s, "capture %u: no image (%s)", n, strerror(-r));
		log_trigger(s, rq, n, "error", NULL);
		return;
	}
	if (sim_jpeg_dimensions(o.data, o.size, &o.width, &o.height) < 0)
		o.width = o.height = 0;
	o.ready_ns = rq->mono_ns + (uint64_t)c->capture_latency_ms * 1000000u;
	r = sim_store_add(&s->store, &o);
	if (r < 0) {
		log_trigger(s, rq, n, "full", NULL);
		return;
	}
	const struct sim_object *stored = &s->store.obj[s->store.n - 1];
	/* The copy exists before ObjectAdded is sent, so a test that got the
	 * event can always compare against it. */
	if (c->served_dir) {
		r = sim_write_served(c->served_dir, stored->name, stored->data, stored->size);
		if (r < 0)
			SIM_LOG(s, "served copy of %s failed: %s", stored->name, strerror(-r));
	}
	log_trigger(s, rq, n, "ok", stored);
	uint64_t due = stored->ready_ns + (uint64_t)c->event_delay_ms * 1000000u;
	sim_queue_event(s, due, PTP_EC_ObjectAdded, rq->transid, stored->handle);
	if (c->verbose)
		SIM_LOG(s, "capture %u -> %s (%zu bytes, handle 0x%08x)", n, stored->name,
			stored->size, stored->handle);
	if (c->raw_jpeg)
		shoot_raw(s, rq, n, stored, due);
	sim_queue_event(s, due, PTP_EC_CaptureComplete, rq->transid, 0);
}
