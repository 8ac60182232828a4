/* photorig-ptpip-sim: device property table and its PTP encodings
 * (DevicePropDesc dataset, bare values, SetDevicePropValue decoding). */
#include "ptpip_props.h"

#include <stdio.h>
#include <string.h>

/* Values as PTP defines them: FNumber x100, ExposureTime in 1/10000 s,
 * WhiteBalance and ExposureProgramMode as their standard enumerations. */
static const uint32_t wb_vals[] = { 1, 2, 4, 5, 6, 7 };
static const uint32_t fnum_vals[] = { 280, 400, 560, 800, 1100, 1600 };
static const uint32_t exptime_vals[] = { 10, 20, 40, 80, 166, 333, 666, 1250, 2500, 5000, 10000 };
static const uint32_t expprog_vals[] = { 1, 2, 3, 4 };
static const uint32_t iso_vals[] = { 100, 200, 400, 800, 1600, 3200 };
static const char *const size_strs[] = { "320x240", "640x480", "1280x960" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct sim_prop *add(struct sim_props *props, uint16_t code, uint16_t type, bool settable)
{
	struct sim_prop *p = &props->p[props->n++];
	memset(p, 0, sizeof(*p));
	p->code = code;
	p->type = type;
	p->settable = settable;
	return p;
}

static void add_enum(struct sim_props *props, uint16_t code, uint16_t type,
		     const uint32_t *vals, size_t n, uint32_t def)
{
	struct sim_prop *p = add(props, code, type, true);
	p->form = SIM_FORM_ENUM;
	p->enum_vals = vals;
	p->n_enum = n;
	p->def = p->cur = def;
}

void sim_props_init(struct sim_props *props)
{
	props->n = 0;
	struct sim_prop *p = add(props, 0x5001, PTP_DTC_UINT8, false); /* BatteryLevel */
	p->form = SIM_FORM_RANGE;
	p->min = 0;
	p->max = 100;
	p->step = 1;
	p->def = p->cur = 100;

	p = add(props, 0x5003, PTP_DTC_STR, true); /* ImageSize */
	p->form = SIM_FORM_ENUM;
	p->enum_strs = size_strs;
	p->n_enum = N(size_strs);
	snprintf(p->def_str, sizeof(p->def_str), "%s", size_strs[1]);
	snprintf(p->cur_str, sizeof(p->cur_str), "%s", size_strs[1]);

	add_enum(props, 0x5005, PTP_DTC_UINT16, wb_vals, N(wb_vals), 2);            /* WhiteBalance */
	add_enum(props, 0x5007, PTP_DTC_UINT16, fnum_vals, N(fnum_vals), 560);      /* FNumber */
	add_enum(props, 0x500D, PTP_DTC_UINT32, exptime_vals, N(exptime_vals), 80); /* ExposureTime */
	add_enum(props, 0x500E, PTP_DTC_UINT16, expprog_vals, N(expprog_vals), 1);  /* ExposureProgramMode */
	add_enum(props, 0x500F, PTP_DTC_UINT16, iso_vals, N(iso_vals), 100);        /* ExposureIndex */

	p = add(props, 0x5011, PTP_DTC_STR, true); /* DateTime, free-form */
	snprintf(p->def_str, sizeof(p->def_str), "20240101T000000");
	snprintf(p->cur_str, sizeof(p->cur_str), "20240101T000000");
}

size_t sim_props_codes(const struct sim_props *props, uint16_t *out, size_t max)
{
	size_t n = props->n < max ? props->n : max;
	for (size_t i = 0; i < n; i++)
		out[i] = props->p[i].code;
	return n;
}

static struct sim_prop *find(const struct sim_props *props, uint32_t code)
{
	for (size_t i = 0; i < props->n; i++)
		if (props->p[i].code == code)
			return (struct sim_prop *)&props->p[i];
	return NULL;
}

static void put_int(struct pbuf *out, uint16_t type, uint32_t v)
{
	switch (type) {
	case PTP_DTC_UINT8: pb_u8(out, (uint8_t)v); break;
	case PTP_DTC_UINT16: pb_u16(out, (uint16_t)v); break;
	default: pb_u32(out, v); break;
	}
}

static void put_value(struct pbuf *out, const struct sim_prop *p, bool def)
{
	if (p->type == PTP_DTC_STR)
		pb_ptpstr(out, def ? p->def_str : p->cur_str);
	else
		put_int(out, p->type, def ? p->def : p->cur);
}

uint16_t sim_props_desc(const struct sim_props *props, uint16_t code, struct pbuf *out)
{
	const struct sim_prop *p = find(props, code);
	if (!p)
		return PTP_RC_DevicePropNotSupported;
	pb_u16(out, p->code);
	pb_u16(out, p->type);
	pb_u8(out, p->settable ? 1 : 0);
	put_value(out, p, true);
	put_value(out, p, false);
	pb_u8(out, (uint8_t)p->form);
	if (p->form == SIM_FORM_RANGE) {
		put_int(out, p->type, p->min);
		put_int(out, p->type, p->max);
		put_int(out, p->type, p->step);
	} else if (p->form == SIM_FORM_ENUM) {
		pb_u16(out, (uint16_t)p->n_enum);
		for (size_t i = 0; i < p->n_enum; i++) {
			if (p->type == PTP_DTC_STR)
				pb_ptpstr(out, p->enum_strs[i]);
			else
				put_int(out, p->type, p->enum_vals[i]);
		}
	}
	return out->oom ? PTP_RC_GeneralError : PTP_RC_OK;
}

uint16_t sim_props_value(const struct sim_props *props, uint16_t code, struct pbuf *out)
{
	const struct sim_prop *p = find(props, code);
	if (!p)
		return PTP_RC_DevicePropNotSupported;
	put_value(out, p, false);
	return out->oom ? PTP_RC_GeneralError : PTP_RC_OK;
}

static bool allowed_int(const struct sim_prop *p, uint32_t v)
{
	if (p->form == SIM_FORM_RANGE)
		return v >= p->min && v <= p->max && (p->step == 0 || (v - p->min) % p->step == 0);
	if (p->form == SIM_FORM_ENUM) {
		for (size_t i = 0; i < p->n_enum; i++)
			if (p->enum_vals[i] == v)
				return true;
		return false;
	}
	return true;
}

static bool allowed_str(const struct sim_prop *p, const char *v)
{
	if (p->form != SIM_FORM_ENUM)
		return true;
	for (size_t i = 0; i < p->n_enum; i++)
		if (strcmp(p->enum_strs[i], v) == 0)
			return true;
	return false;
}

uint16_t sim_props_set(struct sim_props *props, uint16_t code, const uint8_t *data, size_t len)
{
	struct sim_prop *p = find(props, code);
	if (!p)
		return PTP_RC_DevicePropNotSupported;
	if (!p->settable)
		return PTP_RC_AccessDenied;
	if (p->type == PTP_DTC_STR) {
		char v[SIM_PROP_STRLEN];
		int used = ptp_str_decode(data, len, v, sizeof(v));
		if (used < 0 || (size_t)used != len)
			return PTP_RC_InvalidDevicePropFormat;
		if (!allowed_str(p, v))
			return PTP_RC_InvalidDevicePropValue;
		snprintf(p->cur_str, sizeof(p->cur_str), "%s", v);
		return PTP_RC_OK;
	}
	size_t want = p->type == PTP_DTC_UINT8 ? 1 : p->type == PTP_DTC_UINT16 ? 2 : 4;
	if (len != want)
		return PTP_RC_InvalidDevicePropFormat;
	uint32_t v = want == 1 ? data[0] : want == 2 ? le16(data) : le32(data);
	if (!allowed_int(p, v))
		return PTP_RC_InvalidDevicePropValue;
	p->cur = v;
	return PTP_RC_OK;
}

uint16_t sim_props_reset(struct sim_props *props, uint32_t code)
{
	for (size_t i = 0; i < props->n; i++) {
		struct sim_prop *p = &props->p[i];
		if (code != 0xFFFFFFFFu && p->code != code)
			continue;
		if (p->settable) {
			p->cur = p->def;
			memcpy(p->cur_str, p->def_str, sizeof(p->cur_str));
		}
		if (code != 0xFFFFFFFFu)
			return PTP_RC_OK;
	}
	return code == 0xFFFFFFFFu ? PTP_RC_OK : PTP_RC_DevicePropNotSupported;
}

void sim_props_image_size(const struct sim_props *props, uint32_t *w, uint32_t *h)
{
	const struct sim_prop *p = find(props, 0x5003);
	unsigned x = 640, y = 480;
	if (p && sscanf(p->cur_str, "%ux%u", &x, &y) != 2) {
		x = 640;
		y = 480;
	}
	*w = x;
	*h = y;
}
