/* photorig drivers: the table of trigger drivers and what they share. */
#include "trigger.h"

#include <string.h>

static const struct trigger_driver *const drivers[] = {
	&trig_usbrelay_driver,
	&trig_serialbox_driver,
};

const struct trigger_driver *trig_driver_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

const char *trig_strerror(int code)
{
	switch (code) {
	case TRIG_EBUSY: return "trigger device busy";
	case TRIG_ETIMEOUT: return "trigger device timed out";
	case TRIG_EGONE: return "trigger device gone";
	case TRIG_EREPLY: return "unexpected reply from the trigger device";
	case TRIG_ENOTCOMPILED: return "driver not compiled in";
	default: return pr_strerror(code);
	}
}

#ifndef TRIG_HAVE_LIBUSB
/* Built without usbrelay (PHOTORIG_WITH_USBRELAY=OFF): the driver still
 * runs through a seam that tests pass in, and says "not compiled in" for
 * real boards. */
const struct trig_usb_ops *const trig_usb_libusb_ops = NULL;
#endif
