/* photorig-ptpip-sim: the libgphoto2 client side used by the simulator's
 * test and the trigger-spread benchmark: open a camera on a PTP/IP port
 * path, wait for the captured file against our own deadline, download.
 *
 * The waits loop on CLOCK_MONOTONIC because gp_camera_wait_for_event
 * returns "timeout" after about a millisecond on PTP/IP, whatever timeout
 * it is given. */
#ifndef PHOTORIG_PTPIP_GPCLIENT_H
#define PHOTORIG_PTPIP_GPCLIENT_H

#include <gphoto2/gphoto2.h>
#include <stddef.h>
#include <stdint.h>

/* Points libgphoto2 (IOLIBS, CAMLIBS) at a scratch_dir holding links to
 * only its PTP/IP port driver and PTP camera driver, when their directories
 * were given at build time (PTPIP_GP_IOLIB_DIR, PTPIP_GP_CAMLIB_DIR). Tests
 * then never probe the machine's real USB cameras, start faster, and avoid
 * libusb's one-time allocations that LeakSanitizer reports. Call it before
 * gpc_global_init. Returns 0 or a negative errno; a driver that is not
 * found leaves that variable alone. */
int gpc_restrict_drivers(const char *scratch_dir);

/* A scratch folder for a test run: mkdtemp(tmpl), $HOME there (libgphoto2
 * keeps its PTP/IP GUID under $HOME/.gphoto), and gpc_restrict_drivers.
 * Returns 0 or -1. gpc_scratch_remove deletes the folder and all in it. */
int gpc_scratch_setup(char *tmpl);
void gpc_scratch_remove(const char *dir);

/* Loads the abilities and port lists once; not thread-safe (call it, and
 * gpc_open, from one thread: libgphoto2's lists are shared state). */
int gpc_global_init(GPContext *ctx);
void gpc_global_free(void);

/* Opens "PTP/IP Camera" at port path ("ptpip:A:P:E"). Returns a GP_* code. */
int gpc_open(GPContext *ctx, const char *port_path, Camera **out);

/* Waits until GP_EVENT_FILE_ADDED (path filled in) or timeout_ms passes
 * (GP_ERROR_TIMEOUT). Other events are consumed and freed. */
int gpc_wait_file(Camera *cam, GPContext *ctx, int timeout_ms, CameraFilePath *path);

/* Downloads a file into a malloc'd buffer. */
int gpc_download(Camera *cam, GPContext *ctx, const CameraFilePath *path, uint8_t **data,
		 size_t *size);

/* Milliseconds on CLOCK_MONOTONIC, for bounded loops and timing. */
double gpc_now_ms(void);

#endif
