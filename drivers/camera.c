/* photorig drivers: the table of camera drivers and helpers every driver
 * shares. The daemon finds a driver by the name a [camera] section gives. */
#include "camera.h"
#include "clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct cam_driver *const drivers[] = {
	&cam_sim_driver,
	&cam_gphoto2_driver,
	&cam_v4l2_driver,
};

const struct cam_driver *cam_driver_find(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

const char *cam_strerror(int code)
{
	switch (code) {
	case CAM_EBUSY: return "camera busy";
	case CAM_EGONE: return "camera gone";
	case CAM_ETIMEOUT: return "camera timed out";
	case CAM_ENOTCOMPILED: return "driver not compiled in";
	default: return pr_strerror(code);
	}
}

void cam_frame_free(struct cam_frame *f)
{
	if (!f)
		return;
	free(f->data);
	f->data = NULL;
	f->size = 0;
	pr_image_free(&f->truth);
	struct cam_frame *n = f->next;
	f->next = NULL;
	while (n) {
		struct cam_frame *after = n->next;
		free(n->data);
		pr_image_free(&n->truth);
		free(n);
		n = after;
	}
}

int64_t cam_now_realtime_ns(void)
{
	return pr_clock_ns(CLOCK_REALTIME);
}
