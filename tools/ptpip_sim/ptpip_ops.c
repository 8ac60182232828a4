/* photorig-ptpip-sim: PTP operation handlers.
 *
 * Each handler answers exactly once: an optional data phase, then a
 * response. Parameters a client left out count as 0, as PTP specifies.
 * Errors in the request become PTP response codes; only a failed socket
 * write is reported to the caller, which then ends the session. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ptpip_log.h"
#include "ptpip_sim.h"

#define ALL_STORAGES 0xFFFFFFFFu
#define ROOT_PARENT 0xFFFFFFFFu

static const uint16_t supported_ops[] = {
	PTP_OC_GetDeviceInfo, PTP_OC_OpenSession, PTP_OC_CloseSession,
	PTP_OC_GetStorageIDs, PTP_OC_GetStorageInfo, PTP_OC_GetNumObjects,
	PTP_OC_GetObjectHandles, PTP_OC_GetObjectInfo, PTP_OC_GetObject,
	PTP_OC_DeleteObject, PTP_OC_InitiateCapture, PTP_OC_GetDevicePropDesc,
	PTP_OC_GetDevicePropValue, PTP_OC_SetDevicePropValue, PTP_OC_ResetDevicePropValue,
	PTP_OC_GetPartialObject,
};
static const uint16_t supported_events[] = { PTP_EC_ObjectAdded, PTP_EC_CaptureComplete };
static const uint16_t formats[] = { PTP_OFC_EXIF_JPEG };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t param(const struct sim_request *rq, unsigned i)
{
	return i < rq->nparam ? rq->param[i] : 0;
}

/* Data phase (if data != NULL and the answer is OK), then the response. */
static int reply(struct sim *s, const struct sim_request *rq, uint16_t code,
		 const uint32_t *params, unsigned nparams, const struct pbuf *data)
{
	int fd = s->s.cmd_fd, to = s->cfg->io_timeout_ms;
	if (data && data->oom)
		code = PTP_RC_GeneralError;
	if (data && code == PTP_RC_OK) {
		int r = ptpip_send_data(fd, rq->transid, data->data, data->len, to);
		if (r < 0)
			return r;
	}
	return ptpip_send_response(fd, code, rq->transid, params, code == PTP_RC_OK ? nparams : 0, to);
}

int sim_reply_code(struct sim *s, const struct sim_request *rq, uint16_t code)
{
	return reply(s, rq, code, NULL, 0, NULL);
}

static int op_device_info(struct sim *s, const struct sim_request *rq)
{
	const struct sim_config *c = s->cfg;
	uint16_t props[SIM_MAX_PROPS];
	size_t nprops = sim_props_codes(&s->props, props, N(props));
	struct pbuf b;
	pbuf_init(&b);
	pb_u16(&b, 100);  /* StandardVersion 1.00 */
	pb_u32(&b, 0);    /* VendorExtensionID: none, so libgphoto2 takes its generic paths */
	pb_u16(&b, 0);    /* VendorExtensionVersion */
	pb_ptpstr(&b, "");
	pb_u16(&b, 0);    /* FunctionalMode: standard */
	pb_arr16(&b, supported_ops, N(supported_ops));
	pb_arr16(&b, supported_events, N(supported_events));
	pb_arr16(&b, props, nprops);
	pb_arr16(&b, formats, N(formats)); /* CaptureFormats */
	pb_arr16(&b, formats, N(formats)); /* ImageFormats */
	pb_ptpstr(&b, c->manufacturer);
	pb_ptpstr(&b, c->model);
	pb_ptpstr(&b, c->version);
	pb_ptpstr(&b, c->serial);
	int r = reply(s, rq, PTP_RC_OK, NULL, 0, &b);
	pbuf_free(&b);
	return r;
}

static int op_open_session(struct sim *s, const struct sim_request *rq)
{
	uint32_t id = param(rq, 0);
	if (id == 0)
		return sim_reply_code(s, rq, PTP_RC_InvalidParameter);
	if (s->s.ptp_open) {
		/* The session id goes back so a client can resume it. */
		return ptpip_send_response(s->s.cmd_fd, PTP_RC_SessionAlreadyOpen, rq->transid,
					   &s->s.ptp_session_id, 1, s->cfg->io_timeout_ms);
	}
	s->s.ptp_open = true;
	s->s.ptp_session_id = id;
	return sim_reply_code(s, rq, PTP_RC_OK);
}

static int op_storage_ids(struct sim *s, const struct sim_request *rq)
{
	const uint32_t ids[] = { SIM_STORAGE_ID };
	struct pbuf b;
	pbuf_init(&b);
	pb_arr32(&b, ids, N(ids));
	int r = reply(s, rq, PTP_RC_OK, NULL, 0, &b);
	pbuf_free(&b);
	return r;
}

static int op_storage_info(struct sim *s, const struct sim_request *rq)
{
	if (param(rq, 0) != SIM_STORAGE_ID)
		return sim_reply_code(s, rq, PTP_RC_InvalidStorageID);
	uint64_t free_bytes = SIM_STORE_MAX_BYTES - s->store.total_bytes;
	struct pbuf b;
	pbuf_init(&b);
	pb_u16(&b, 0x0004); /* StorageType: removable RAM (a card) */
	pb_u16(&b, 0x0002); /* FilesystemType: generic hierarchical */
	pb_u16(&b, 0x0000); /* AccessCapability: read-write */
	pb_u64(&b, SIM_STORE_MAX_BYTES);
	pb_u64(&b, free_bytes);
	pb_u32(&b, (uint32_t)(SIM_STORE_MAX_OBJECTS - s->store.n));
	pb_ptpstr(&b, "SD");
	pb_ptpstr(&b, s->cfg->serial);
	int r = reply(s, rq, PTP_RC_OK, NULL, 0, &b);
	pbuf_free(&b);
	return r;
}

/* Shared check of GetNumObjects / GetObjectHandles parameters. Sets *empty
 * when a format filter excludes everything we store. */
static uint16_t check_listing(struct sim *s, const struct sim_request *rq, bool *empty)
{
	uint32_t storage = param(rq, 0), fmt = param(rq, 1), parent = param(rq, 2);
	*empty = false;
	if (storage != ALL_STORAGES && storage != SIM_STORAGE_ID && storage != 0)
		return PTP_RC_InvalidStorageID;
	if (fmt != 0 && fmt != PTP_OFC_EXIF_JPEG && fmt != 0xFFFFFFFFu)
		*empty = true;
	/* Flat store: only "everything" (0) and "root" (all ones) are folders. */
	if (parent != 0 && parent != ROOT_PARENT) {
		(void)s;
		return PTP_RC_InvalidParentObject;
	}
	return PTP_RC_OK;
}

static int op_num_objects(struct sim *s, const struct sim_request *rq)
{
	bool empty;
	uint16_t rc = check_listing(s, rq, &empty);
	if (rc != PTP_RC_OK)
		return sim_reply_code(s, rq, rc);
	uint32_t n = empty ? 0 : (uint32_t)sim_store_visible(&s->store, rq->mono_ns, NULL, 0);
	return reply(s, rq, PTP_RC_OK, &n, 1, NULL);
}

static int op_object_handles(struct sim *s, const struct sim_request *rq)
{
	bool empty;
	uint16_t rc = check_listing(s, rq, &empty);
	if (rc != PTP_RC_OK)
		return sim_reply_code(s, rq, rc);
	size_t n = empty ? 0 : sim_store_visible(&s->store, rq->mono_ns, NULL, 0);
	uint32_t *h = calloc(n ? n : 1, sizeof(*h));
	if (!h)
		return sim_reply_code(s, rq, PTP_RC_GeneralError);
	if (n)
		sim_store_visible(&s->store, rq->mono_ns, h, n);
	struct pbuf b;
	pbuf_init(&b);
	pb_arr32(&b, h, n);
	free(h);
	int r = reply(s, rq, PTP_RC_OK, NULL, 0, &b);
	pbuf_free(&b);
	return r;
}

static int op_object_info(struct sim *s, const struct sim_request *rq)
{
	const struct sim_object *o = sim_store_find(&s->store, param(rq, 0), rq->mono_ns);
	if (!o)
		return sim_reply_code(s, rq, PTP_RC_InvalidObjectHandle);
	struct pbuf b;
	pbuf_init(&b);
	pb_u32(&b, SIM_STORAGE_ID);
	pb_u16(&b, o->format ? o->format : PTP_OFC_EXIF_JPEG);
	pb_u16(&b, 0);                  /* ProtectionStatus */
	pb_u32(&b, (uint32_t)o->size);  /* ObjectCompressedSize */
	pb_u16(&b, 0);                  /* ThumbFormat: no thumbnail */
	pb_u32(&b, 0);
	pb_u32(&b, 0);
	pb_u32(&b, 0);
	pb_u32(&b, o->width);
	pb_u32(&b, o->height);
	pb_u32(&b, 24);                 /* ImageBitDepth */
	pb_u32(&b, 0);                  /* ParentObject: root */
	pb_u16(&b, 0);                  /* AssociationType */
	pb_u32(&b, 0);                  /* AssociationDesc */
	pb_u32(&b, 0);                  /* SequenceNumber */
	pb_ptpstr(&b, o->name);
	pb_ptpstr(&b, o->date);         /* CaptureDate */
	pb_ptpstr(&b, o->date);         /* ModificationDate */
	pb_ptpstr(&b, "");              /* Keywords */
	int r = reply(s, rq, PTP_RC_OK, NULL, 0, &b);
	pbuf_free(&b);
	return r;
}

static int op_get_object(struct sim *s, const struct sim_request *rq, bool partial)
{
	const struct sim_object *o = sim_store_find(&s->store, param(rq, 0), rq->mono_ns);
	if (!o)
		return sim_reply_code(s, rq, PTP_RC_InvalidObjectHandle);
	size_t off = 0, len = o->size;
	if (partial) {
		off = param(rq, 1);
		if (off > o->size)
			return sim_reply_code(s, rq, PTP_RC_InvalidParameter);
		len = o->size - off;
		if (param(rq, 2) < len)
			len = param(rq, 2);
	}
	/* Borrow the object's bytes: no copy of possibly large files. */
	struct pbuf b = { .data = o->data + off, .len = len, .cap = len };
	uint32_t sent = (uint32_t)len;
	return reply(s, rq, PTP_RC_OK, &sent, partial ? 1 : 0, &b);
}

/* Deletes an object, first noting it in --delete-log: the host took it over,
 * so from now on it exists only where the host put it. */
static void delete_object(struct sim *s, const struct sim_request *rq, const struct sim_object *o)
{
	struct sim_trigger_rec rec = {
		.mono_ns = rq->mono_ns, .real_ns = rq->real_ns, .serial = s->cfg->serial,
		.status = "deleted", .handle = o->handle, .file = o->name, .src = o->src,
		.data = o->data, .size = o->size,
	};
	int r = sim_log_trigger(s->delete_log_fd, &rec);
	if (r < 0)
		SIM_LOG(s, "delete log write failed: %s", strerror(-r));
	sim_store_delete(&s->store, o->handle);
}

static int op_delete(struct sim *s, const struct sim_request *rq)
{
	uint32_t h = param(rq, 0);
	if (h == 0xFFFFFFFFu) {
		uint32_t fmt = param(rq, 1);
		if (fmt == 0 || fmt == PTP_OFC_EXIF_JPEG)
			while (s->store.n)
				delete_object(s, rq, &s->store.obj[0]);
		return sim_reply_code(s, rq, PTP_RC_OK);
	}
	const struct sim_object *o = sim_store_find(&s->store, h, rq->mono_ns);
	if (!o)
		return sim_reply_code(s, rq, PTP_RC_InvalidObjectHandle);
	delete_object(s, rq, o);
	return sim_reply_code(s, rq, PTP_RC_OK);
}

static int op_prop(struct sim *s, const struct sim_request *rq)
{
	struct pbuf b;
	pbuf_init(&b);
	uint16_t code = (uint16_t)param(rq, 0), rc;
	if (param(rq, 0) > 0xFFFF && rq->code != PTP_OC_ResetDevicePropValue) {
		rc = PTP_RC_DevicePropNotSupported;
	} else if (rq->code == PTP_OC_GetDevicePropDesc) {
		rc = sim_props_desc(&s->props, code, &b);
	} else if (rq->code == PTP_OC_GetDevicePropValue) {
		rc = sim_props_value(&s->props, code, &b);
	} else if (rq->code == PTP_OC_SetDevicePropValue) {
		rc = sim_props_set(&s->props, code, rq->data, rq->data_len);
	} else {
		rc = sim_props_reset(&s->props, param(rq, 0));
	}
	bool has_data = rq->code == PTP_OC_GetDevicePropDesc || rq->code == PTP_OC_GetDevicePropValue;
	int r = reply(s, rq, rc, NULL, 0, has_data ? &b : NULL);
	pbuf_free(&b);
	return r;
}

int sim_handle_request(struct sim *s, const struct sim_request *rq, enum sim_after *after)
{
	*after = SIM_AFTER_NONE;
	if (s->cfg->verbose)
		SIM_LOG(s, "op 0x%04x tid %u p1 0x%x", rq->code, rq->transid, param(rq, 0));
	if (!s->s.ptp_open && rq->code != PTP_OC_GetDeviceInfo && rq->code != PTP_OC_OpenSession)
		return sim_reply_code(s, rq, PTP_RC_SessionNotOpen);
	switch (rq->code) {
	case PTP_OC_GetDeviceInfo: return op_device_info(s, rq);
	case PTP_OC_OpenSession: return op_open_session(s, rq);
	case PTP_OC_CloseSession:
		s->s.ptp_open = false;
		return sim_reply_code(s, rq, PTP_RC_OK);
	case PTP_OC_GetStorageIDs: return op_storage_ids(s, rq);
	case PTP_OC_GetStorageInfo: return op_storage_info(s, rq);
	case PTP_OC_GetNumObjects: return op_num_objects(s, rq);
	case PTP_OC_GetObjectHandles: return op_object_handles(s, rq);
	case PTP_OC_GetObjectInfo: return op_object_info(s, rq);
	case PTP_OC_GetObject: return op_get_object(s, rq, false);
	case PTP_OC_GetPartialObject: return op_get_object(s, rq, true);
	case PTP_OC_DeleteObject: return op_delete(s, rq);
	case PTP_OC_InitiateCapture: return sim_op_capture(s, rq, after);
	case PTP_OC_GetDevicePropDesc:
	case PTP_OC_GetDevicePropValue:
	case PTP_OC_SetDevicePropValue:
	case PTP_OC_ResetDevicePropValue: return op_prop(s, rq);
	default: return sim_reply_code(s, rq, PTP_RC_OperationNotSupported);
	}
}
