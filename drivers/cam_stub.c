/* photorig drivers: tables for drivers left out of this build.
 *
 * A config that names gphoto2 or v4l2 on a photorig built without them gets
 * a clear "not compiled in" at attach, naming the build option, instead of
 * an unknown-driver error or a link failure. When a driver is built, its own
 * file defines the table and CMake leaves its stub out (CAM_STUB_GPHOTO2 /
 * CAM_STUB_V4L2 say which stubs to compile). */
#include "camera.h"
#include "cam_gphoto2.h"
#include "cam_v4l2.h"
#include "cam_detect.h"

#include <stddef.h>

/* With every driver built there is nothing to stub. */
#if defined(CAM_STUB_GPHOTO2) || defined(CAM_STUB_V4L2)
#define STUB_OPEN(fn, drv, option)                                                             \
	static int fn(const struct cam_params *p, struct cam_handle **out,                     \
		      struct pr_error *err)                                                    \
	{                                                                                      \
		*out = NULL;                                                                   \
		return pr_error_set(err, CAM_ENOTCOMPILED,                                     \
				    "camera %s: driver '" drv "' is not compiled in: rebuild "     \
				    "photorig with -D" option "=ON",                               \
				    p->name);                                                  \
	}

static int stub_identify(struct cam_handle *h, struct cam_info *info, struct pr_error *err)
{
	(void)h;
	(void)info;
	return pr_error_set(err, CAM_ENOTCOMPILED, "driver not compiled in");
}

static int stub_capture(struct cam_handle *h, const struct cam_request *req,
			struct cam_frame *out, struct pr_error *err)
{
	(void)h;
	(void)req;
	(void)out;
	return pr_error_set(err, CAM_ENOTCOMPILED, "driver not compiled in");
}

static void stub_close(struct cam_handle **h)
{
	if (h)
		*h = NULL;
}

#ifdef CAM_STUB_GPHOTO2
STUB_OPEN(gphoto2_open, "gphoto2", "PHOTORIG_WITH_GPHOTO2")
const struct cam_driver cam_gphoto2_driver = {
	.name = "gphoto2",
	.open = gphoto2_open,
	.identify = stub_identify,
	.capture = stub_capture,
	.close = stub_close,
};

/* The daemon passes its ptpip: ports whatever the build; without the
 * driver there is nothing to search, and open() says why. */
int cam_gphoto2_add_candidate_port(const char *port)
{
	(void)port;
	return 0;
}

int cam_detect_gphoto2(const char *const *ptpip, size_t nptpip, struct cam_found_list *out,
		       struct pr_error *err)
{
	(void)ptpip, (void)nptpip, (void)out;
	return pr_error_set(err, CAM_ENOTCOMPILED, "gphoto2 cameras: photorig was built without "
			    "PHOTORIG_WITH_GPHOTO2");
}
#endif

#ifdef CAM_STUB_V4L2
STUB_OPEN(v4l2_open, "v4l2", "PHOTORIG_WITH_V4L2")
const struct cam_driver cam_v4l2_driver = {
	.name = "v4l2",
	.open = v4l2_open,
	.identify = stub_identify,
	.capture = stub_capture,
	.close = stub_close,
};

/* The daemon asks every V4L2 handle for these; without the driver no
 * handle is ever open, so they only say so. */
int cam_v4l2_controls_text(struct cam_handle *h, char *buf, size_t size)
{
	(void)h;
	if (size)
		buf[0] = '\0';
	return CAM_EGONE;
}

int cam_v4l2_controls_compare(const char *plate_text, const char *shot_text, char *why,
			      size_t size)
{
	(void)plate_text, (void)shot_text;
	if (size)
		why[0] = '\0';
	return 0;
}

const char *cam_v4l2_warnings(struct cam_handle *h)
{
	(void)h;
	return "";
}

int cam_v4l2_last_frame(struct cam_handle *h, struct cam_v4l2_frame_info *out)
{
	(void)h, (void)out;
	return CAM_EGONE;
}

int cam_v4l2_find_serial(const char *sysfs_root, const char *dev_root, const char *serial,
			 char *path, size_t size, struct pr_error *err)
{
	(void)sysfs_root, (void)dev_root, (void)path, (void)size;
	return pr_error_set(err, CAM_ENOTCOMPILED, "no V4L2 camera with serial %s: photorig was "
			    "built without PHOTORIG_WITH_V4L2", serial);
}

int cam_detect_v4l2(const char *sysfs_root, const char *dev_root, struct cam_found_list *out,
		    struct pr_error *err)
{
	(void)sysfs_root, (void)dev_root, (void)out;
	return pr_error_set(err, CAM_ENOTCOMPILED, "V4L2 cameras: photorig was built without "
			    "PHOTORIG_WITH_V4L2");
}
#endif

#endif
