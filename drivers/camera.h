/* photorig drivers: the camera driver interface.
 *
 * A driver is one const table of functions over an opaque handle, one table
 * per file (cam_sim.c, cam_gphoto2.c, cam_v4l2.c). A driver left out of the
 * build still has a table (cam_stub.c) whose open() says "not compiled in",
 * so a config naming it fails clearly at attach instead of at link time.
 *
 * Threading: the daemon owns one thread per camera position and calls a
 * handle only from that thread (libgphoto2 is not thread-safe across a
 * camera). Nothing here knows the daemon or its config file: the daemon maps
 * a camera section onto struct cam_params.
 *
 * Return values: 0, or a negative code. The recoverable device states have
 * their own codes (CAM_E*), so the caller can retry or re-open; anything else
 * is a PR_E* code from core/base/error.h. Every error fills a struct pr_error with
 * a sentence naming the camera. */
#ifndef PHOTORIG_CAMERA_H
#define PHOTORIG_CAMERA_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image.h"

enum cam_errcode {
	CAM_EBUSY = -20,          /* the camera is busy: retry shortly */
	CAM_EGONE = -21,          /* the camera went away (unplugged, connection lost): re-open */
	CAM_ETIMEOUT = -22,       /* no answer within the timeout */
	CAM_ENOTCOMPILED = -23,   /* this photorig was built without the driver */
};

const char *cam_strerror(int code);

/* One `set.KEY = VALUE` line of the camera's section. */
struct cam_setting {
	const char *key;
	const char *value;
};

/* What a driver needs to find and set up its camera. Strings are "" when
 * not given. Borrowed: valid only during open(). */
struct cam_params {
	const char *name;         /* camera position, for messages */
	const char *serial;
	const char *port;
	const char *device;
	const struct cam_setting *settings;
	uint32_t nsettings;
	uint32_t width, height;   /* 0 = driver's choice */
	uint32_t timeout_ms;
	int delete_after_download; /* gphoto2: remove each file from the camera once downloaded */
	/* v4l2 */
	const char *pixel_format; /* fourcc ("YUYV", "MJPG"); NULL or "" = driver's choice */
	uint32_t fps;             /* 0 = camera default */
	int controls_warn;        /* a control the camera refuses is a warning, not an error */
	const char *sysfs_root;   /* NULL = "/sys" (tests point it at a fake tree) */
	const char *dev_root;     /* NULL = "/dev": where serial lookup finds videoN */
	/* sim */
	uint32_t seed;
	uint32_t latency_ms;
	double noise;
	const char *scene;        /* conditions rendered (core/scene/scene.h's text); NULL or "" = none */
};

/* What the orchestrator asks for. Real cameras ignore the kind; the sim
 * renders an empty background for plates and the object for shots. */
enum cam_kind { CAM_SHOT = 0, CAM_PLATE };

struct cam_request {
	enum cam_kind kind;
	uint32_t index;           /* shot or plate frame number: the sim's noise / drift stream */
	double angle_deg;         /* turntable angle (the sim turns its object) */
	int want_truth;           /* sim: also deliver the truth alpha */
	/* Optional (may be NULL): capture() calls it once the shutter release
	 * has been sent, before waiting for the file. photorigd releases at
	 * real-time priority and drops it here, so downloads never run there. */
	void (*released)(void);
};

/* Calls req->released, if set. */
static inline void cam_released(const struct cam_request *req)
{
	if (req->released)
		req->released();
}

/* One delivered file, as the camera wrote it. A capture that writes
 * several files (RAW+JPEG) chains them through next: the first file is the
 * struct the caller passed, the others are malloc'd. */
struct cam_frame {
	uint8_t *data;            /* malloc'd; the file's bytes */
	size_t size;
	char ext[8];              /* "jpg", "cr3", ...: the original's extension */
	int64_t trigger_ns;       /* CLOCK_REALTIME when the shutter was released */
	int64_t arrival_ns;       /* CLOCK_REALTIME when the camera announced the file; 0 = unknown */
	struct pr_image truth;    /* sim with want_truth: 1-channel alpha, else empty */
	struct cam_frame *next;   /* the capture's next file, or NULL */
};

/* Frees f's data and every chained frame (f itself is the caller's). */
void cam_frame_free(struct cam_frame *f);

struct cam_info {
	char serial[64];
	char model[64];
	char port[128];
};

struct cam_handle;

/* One setting of a camera as the camera lists it (gphoto2 widgets, V4L2
 * controls, the sim's few): what `photorig camera NAME settings` shows. */
struct cam_setting_info {
	char key[64];             /* what set.KEY and camera_set take */
	char label[96];           /* the camera's own name for it */
	char type[16];            /* "radio", "menu", "text", "range", "toggle", "date", ... */
	char value[128];          /* current value, as text */
	int readonly;
	int has_range;            /* "range": min, max, step */
	double min, max, step;
	uint32_t nchoices;        /* "radio", "menu": the allowed values */
	char **choices;
};

struct cam_settings_list {
	struct cam_setting_info *items;
	uint32_t n, cap;
};

/* cam_settings.c: a new zeroed entry at the end (NULL when out of memory). */
struct cam_setting_info *cam_settings_add(struct cam_settings_list *l, const char *key,
					  const char *label, const char *type);
int cam_setting_add_choice(struct cam_setting_info *it, const char *choice); /* 0 or PR_ENOMEM */
void cam_settings_free(struct cam_settings_list *l);

struct cam_driver {
	const char *name;
	/* Find the camera and bind it. */
	int (*open)(const struct cam_params *params, struct cam_handle **out, struct pr_error *err);
	/* Serial number, model and port of the opened camera. */
	int (*identify)(struct cam_handle *h, struct cam_info *info, struct pr_error *err);
	/* Prepare a capture (optional, may be NULL): whatever may take long
	 * (settings checks, focus) so that capture() after the release
	 * barrier starts at once. */
	int (*arm)(struct cam_handle *h, const struct cam_request *req, struct pr_error *err);
	/* Release the shutter and wait for the file. */
	int (*capture)(struct cam_handle *h, const struct cam_request *req, struct cam_frame *out,
		       struct pr_error *err);
	/* Release the camera; *h becomes NULL, so closing twice is safe. */
	void (*close)(struct cam_handle **h);
	/* Optional (may be NULL): reset a hung device (gphoto2: USB reset of its
	 * bus/device). The handle is unusable afterwards: close() it and open()
	 * again, by serial, since the device may come back at another address.
	 * PR_EUNSUPPORTED when the camera cannot be reset (PTP/IP). */
	int (*reset)(struct cam_handle *h, struct pr_error *err);
	/* Optional (may be NULL): a hardware trigger (a relay or trigger box on
	 * the remote-shutter port) fired the camera at since_ns (CLOCK_REALTIME);
	 * do not fire it, but wait (up to the camera's timeout) for the files it
	 * wrote after since_ns and deliver them as capture() does, trigger_ns
	 * set to since_ns. Called after arm() and the release barrier. */
	int (*collect)(struct cam_handle *h, const struct cam_request *req, int64_t since_ns,
		       struct cam_frame *out, struct pr_error *err);
	/* Optional (may be NULL): every setting with its current and allowed
	 * values (out is empty on entry; the caller frees it). */
	int (*list_settings)(struct cam_handle *h, struct cam_settings_list *out,
			     struct pr_error *err);
	/* Optional (may be NULL): set one setting and read it back into
	 * readback (the value the camera holds now). A value the camera does
	 * not offer is PR_EINVAL with the allowed ones in the message. */
	int (*set_setting)(struct cam_handle *h, const char *key, const char *value,
			   char *readback, size_t size, struct pr_error *err);
	/* Optional (may be NULL): a fresh frame to frame and focus by (gphoto2's
	 * preview capture, the next V4L2 frame, a sim render), as an image
	 * file in out (one file, ext set). Not a shot: nothing is written to
	 * the camera's card, and the daemon never stores it. It may be smaller
	 * than a shot. */
	int (*preview)(struct cam_handle *h, struct cam_frame *out, struct pr_error *err);
};

extern const struct cam_driver cam_sim_driver;
extern const struct cam_driver cam_gphoto2_driver;
extern const struct cam_driver cam_v4l2_driver;

/* The driver called name ("sim", "gphoto2", "v4l2"), or NULL. */
const struct cam_driver *cam_driver_find(const char *name);

/* CLOCK_REALTIME in nanoseconds (trigger times in manifests). */
int64_t cam_now_realtime_ns(void);

#endif
