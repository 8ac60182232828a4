/* photorigd: plates per turntable angle (plate_angles.c).
 *
 * A printed or textured platter turns with the object, so a plate recorded
 * at one angle does not match the next step. `photorig plate --scan`
 * (plate_scan.c) records one plate per camera and step angle, kept as
 * STATE_DIR/plates/CAMERA/angle-DDD.DDD.prplate; a shot of a scan set is
 * then masked against its camera's plate of the set's angle when there is
 * one, else against the camera's single plate, and the manifest names the
 * plate file used. */
#ifndef PHOTORIGD_PLATE_ANGLES_H
#define PHOTORIGD_PLATE_ANGLES_H

#include <stddef.h>

#include <json-c/json.h>

struct daemon;
struct plate_ref;
struct set_rec;

/* Load every camera's angle plates (with plate_store_load), free them
 * (with plate_store_free). */
void plate_angles_load(struct daemon *d);
void plate_angles_free(struct daemon *d);

/* The plate file of camera at angle, relative to the state folder. */
void plate_angles_name(const char *camera, double angle, char *buf, size_t size);
/* Make STATE_DIR/plates/CAMERA; 0, or -1 with why. */
int plate_angles_mkdir(const struct daemon *d, const char *camera, char *why, size_t size);
/* Keep ref (the caller's reference moves in) as camera cam's plate at angle. */
void plate_angles_put(struct daemon *d, int cam, double angle, struct plate_ref *ref);
/* How many angle plates camera cam has. */
unsigned plate_angles_count(const struct daemon *d, int cam);
/* The angles (ascending) and plate ids of camera cam, or NULL when none. */
json_object *plate_angles_json(const struct daemon *d, int cam);

/* The plate a shot of this set is masked against on camera cam (borrowed):
 * the angle plate of a turntable set's angle, else the camera's single
 * plate, else NULL; file gets its name relative to the state folder. */
struct plate_ref *plate_for_set(const struct daemon *d, int cam, const struct set_rec *set,
				char *file, size_t size);

#endif
