/* photorig core: where an export for a photogrammetry tool puts each photo
 * and its mask.
 *
 * A session folder is the archive (originals, TIFFs, masks in several
 * conventions, sheets); pointed at it, each tool takes every image it finds
 * for a photo. An export is a folder per tool holding exactly what that
 * tool scans, under the names it pairs. For a photo file NAME (stem S,
 * NAME without its last extension) of camera position CAM:
 *
 *   colmap          images/CAM/NAME    masks/CAM/NAME.png   (mask_path + the image's
 *                                                           path below image_path + .png)
 *   metashape       images/NAME        masks/S_mask.png     ({filename}_mask.png template)
 *   realitycapture  NAME               NAME.mask.png        (beside the photo)
 *   meshroom        images/NAME        masks/S.png          (AliceVision's masksFolder)
 *
 * COLMAP keeps one folder per camera position, so that
 * single_camera_per_folder gives one COLMAP camera per position; the other
 * layouts are flat, so a photo's name must be unique in the export (the
 * rig's file_template decides; pr_export_key says what must differ).
 * These are pure functions: the command (tools/cmd_export.c) does the I/O. */
#ifndef PHOTORIG_EXPORT_LAYOUT_H
#define PHOTORIG_EXPORT_LAYOUT_H

#include <stddef.h>
#include <stdio.h>

enum pr_export_tool {
	PR_EXPORT_COLMAP,
	PR_EXPORT_METASHAPE,
	PR_EXPORT_REALITYCAPTURE,
	PR_EXPORT_MESHROOM,
	PR_EXPORT_NTOOLS,
};

/* "colmap", "metashape", "realitycapture", "meshroom" (also "alicevision"
 * for meshroom). Returns 0 or PR_EINVAL. */
int pr_export_tool_parse(const char *name, enum pr_export_tool *out);
const char *pr_export_tool_name(enum pr_export_tool tool);

/* The folder (relative to the export) that the tool reads photos from,
 * recursively for COLMAP: "images", or "" for RealityCapture. Nothing but
 * photos and, for RealityCapture, their masks may be in it. */
const char *pr_export_image_root(enum pr_export_tool tool);

/* Relative paths of a photo named name (a base name: no '/') from camera
 * position camera, and of its mask. Return 0, or PR_EINVAL when a name is
 * empty, holds a '/', is "." or "..", or the path does not fit size. */
int pr_export_image_path(enum pr_export_tool tool, const char *camera, const char *name,
			 char *buf, size_t size);
int pr_export_mask_path(enum pr_export_tool tool, const char *camera, const char *name, char *buf,
			size_t size);

/* In the flat layouts a photo's name must be unique in the export, and for
 * metashape and meshroom its stem too (IMG_1.JPG and IMG_1.CR2 would both
 * have masks/IMG_1...png): the command checks that no two photos share an
 * image path or a mask path. */

/* The README.txt of an export: what is in it and the exact command lines
 * that run the tool on it. dir is the export folder as the commands should
 * name it (an absolute path); cameras is the number of camera positions. */
void pr_export_readme(FILE *out, enum pr_export_tool tool, const char *dir, const char *session,
		      unsigned photos, unsigned cameras, const char *image_kind);

#endif
