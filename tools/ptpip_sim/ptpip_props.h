/* photorig-ptpip-sim: the device properties the simulated camera exposes.
 *
 * A small fixed set, enough for libgphoto2's generic PTP config tree:
 * BatteryLevel, ImageSize, WhiteBalance, FNumber, ExposureTime,
 * ExposureProgramMode, ExposureIndex (ISO), DateTime. ImageSize also
 * decides the size of generated JPEGs, so a test can see a setting take
 * effect in the files. */
#ifndef PHOTORIG_PTPIP_PROPS_H
#define PHOTORIG_PTPIP_PROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptpip_wire.h"

#define SIM_MAX_PROPS 16
#define SIM_PROP_STRLEN 64

enum sim_form { SIM_FORM_NONE = 0, SIM_FORM_RANGE = 1, SIM_FORM_ENUM = 2 };

struct sim_prop {
	uint16_t code, type;
	bool settable;
	enum sim_form form;
	uint32_t min, max, step;            /* SIM_FORM_RANGE */
	const uint32_t *enum_vals;          /* SIM_FORM_ENUM, integer types */
	const char *const *enum_strs;       /* SIM_FORM_ENUM, strings */
	size_t n_enum;
	uint32_t def, cur;                  /* integer types */
	char def_str[SIM_PROP_STRLEN], cur_str[SIM_PROP_STRLEN];
};

struct sim_props {
	struct sim_prop p[SIM_MAX_PROPS];
	size_t n;
};

void sim_props_init(struct sim_props *props);
/* The codes for DeviceInfo.DevicePropertiesSupported. */
size_t sim_props_codes(const struct sim_props *props, uint16_t *out, size_t max);
/* Each returns a PTP response code; data is appended to out. */
uint16_t sim_props_desc(const struct sim_props *props, uint16_t code, struct pbuf *out);
uint16_t sim_props_value(const struct sim_props *props, uint16_t code, struct pbuf *out);
uint16_t sim_props_set(struct sim_props *props, uint16_t code, const uint8_t *data, size_t len);
/* code 0xFFFFFFFF resets every property. */
uint16_t sim_props_reset(struct sim_props *props, uint32_t code);
/* Width and height from the ImageSize property ("WxH"). */
void sim_props_image_size(const struct sim_props *props, uint32_t *w, uint32_t *h);

#endif
