/* photorig drivers, sim: a small fixed set of camera settings (iso,
 * shutterspeed, aperture, whitebalance) that the simulated camera keeps, so
 * `set.KEY` lines, `photorig camera NAME settings` and `camera NAME set` can
 * be exercised without a real camera. They do not change the rendering. */
#ifndef PHOTORIG_CAM_SIM_SETTINGS_H
#define PHOTORIG_CAM_SIM_SETTINGS_H

#include "camera.h"

#define SIM_NSETTINGS 4

struct sim_settings {
	uint8_t cur[SIM_NSETTINGS]; /* index of each setting's current choice */
};

/* Defaults, then the config's set.KEY lines; every bad key or value is
 * named in one message (PR_EINVAL). */
int sim_settings_init(struct sim_settings *s, const char *camera, const struct cam_setting *set,
		      uint32_t n, struct pr_error *err);
int sim_settings_list(const struct sim_settings *s, struct cam_settings_list *out,
		      struct pr_error *err);
int sim_settings_set(struct sim_settings *s, const char *camera, const char *key,
		     const char *value, char *readback, size_t size, struct pr_error *err);

#endif
