/* photorig core: the layouts of photogrammetry exports (export_layout.h).
 *
 * The rules follow what each tool does with a folder, not what it could be
 * told: COLMAP's feature_extractor reads every file below --image_path
 * recursively and looks for MASK_PATH/REL.png, REL being the image's path
 * below --image_path with its extension; Metashape's Import Masks "From
 * File" fills a template whose {filename} is the name without extension;
 * RealityCapture takes NAME.mask.png beside NAME as that image's mask;
 * AliceVision's FeatureExtraction looks in one masksFolder for STEM.png. */
#include "export_layout.h"

#include <stdarg.h>
#include <string.h>

#include "error.h"

static const char *const tool_names[PR_EXPORT_NTOOLS] = {
	[PR_EXPORT_COLMAP] = "colmap",
	[PR_EXPORT_METASHAPE] = "metashape",
	[PR_EXPORT_REALITYCAPTURE] = "realitycapture",
	[PR_EXPORT_MESHROOM] = "meshroom",
};

int pr_export_tool_parse(const char *name, enum pr_export_tool *out)
{
	for (int i = 0; i < PR_EXPORT_NTOOLS; i++)
		if (!strcmp(name, tool_names[i])) {
			*out = (enum pr_export_tool)i;
			return 0;
		}
	if (!strcmp(name, "alicevision")) { /* Meshroom is AliceVision's front end */
		*out = PR_EXPORT_MESHROOM;
		return 0;
	}
	return PR_EINVAL;
}

const char *pr_export_tool_name(enum pr_export_tool tool)
{
	return (unsigned)tool < PR_EXPORT_NTOOLS ? tool_names[tool] : "?";
}

const char *pr_export_image_root(enum pr_export_tool tool)
{
	return tool == PR_EXPORT_REALITYCAPTURE ? "" : "images";
}

/* A name that would climb out of, or vanish into, its folder. */
static int bad_name(const char *name)
{
	return !name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..");
}

static int put(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int put(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		if (size)
			buf[0] = '\0';
		return PR_EINVAL;
	}
	return 0;
}

/* The name without its last extension; a leading dot is part of the name. */
static int stem_len(const char *name)
{
	const char *dot = strrchr(name, '.');
	return (int)(dot && dot != name ? (size_t)(dot - name) : strlen(name));
}

int pr_export_image_path(enum pr_export_tool tool, const char *camera, const char *name,
			 char *buf, size_t size)
{
	if (bad_name(name))
		return PR_EINVAL;
	switch (tool) {
	case PR_EXPORT_COLMAP:
		if (bad_name(camera))
			return PR_EINVAL;
		return put(buf, size, "images/%s/%s", camera, name);
	case PR_EXPORT_METASHAPE:
	case PR_EXPORT_MESHROOM:
		return put(buf, size, "images/%s", name);
	case PR_EXPORT_REALITYCAPTURE:
		return put(buf, size, "%s", name);
	case PR_EXPORT_NTOOLS:
		break;
	}
	return PR_EINVAL;
}

int pr_export_mask_path(enum pr_export_tool tool, const char *camera, const char *name, char *buf,
			size_t size)
{
	if (bad_name(name))
		return PR_EINVAL;
	switch (tool) {
	case PR_EXPORT_COLMAP:
		if (bad_name(camera))
			return PR_EINVAL;
		return put(buf, size, "masks/%s/%s.png", camera, name);
	case PR_EXPORT_METASHAPE:
		return put(buf, size, "masks/%.*s_mask.png", stem_len(name), name);
	case PR_EXPORT_REALITYCAPTURE:
		return put(buf, size, "%s.mask.png", name);
	case PR_EXPORT_MESHROOM:
		return put(buf, size, "masks/%.*s.png", stem_len(name), name);
	case PR_EXPORT_NTOOLS:
		break;
	}
	return PR_EINVAL;
}

static void readme_colmap(FILE *out, const char *dir, unsigned cameras)
{
	fprintf(out,
		"Layout: images/CAMERA/NAME, masks/CAMERA/NAME.png (COLMAP's mask rule:\n"
		"mask_path + the image's path below image_path + \".png\"). One folder per\n"
		"camera position, so single_camera_per_folder makes %u COLMAP camera%s.\n"
		"Mask pixels 0 are ignored by feature extraction, 255 are kept.\n\n"
		"Run:\n\n"
		"  colmap feature_extractor --database_path '%s/database.db' \\\n"
		"      --image_path '%s/images' --ImageReader.mask_path '%s/masks' \\\n"
		"      --ImageReader.single_camera_per_folder 1\n"
		"  colmap exhaustive_matcher --database_path '%s/database.db'\n"
		"  mkdir -p '%s/sparse'\n"
		"  colmap mapper --database_path '%s/database.db' --image_path '%s/images' \\\n"
		"      --output_path '%s/sparse'\n\n"
		"Without a GPU add --SiftExtraction.use_gpu 0 and --SiftMatching.use_gpu 0.\n",
		cameras, cameras == 1 ? "" : "s", dir, dir, dir, dir, dir, dir, dir, dir);
}

static void readme_metashape(FILE *out, const char *dir)
{
	fprintf(out,
		"Layout: images/NAME, masks/STEM_mask.png (STEM: NAME without its extension,\n"
		"Metashape's {filename}).\n\n"
		"In Metashape: Workflow > Add Folder... '%s/images'; then File > Import >\n"
		"Import Masks...: Method \"From File\", Operation \"Replacement\", Filename\n"
		"template:\n\n"
		"  %s/masks/{filename}_mask.png\n\n"
		"Apply to: All cameras. Or in its Python console:\n\n"
		"  chunk = Metashape.app.document.chunk\n"
		"  chunk.addPhotos([os.path.join('%s/images', f) for f in "
		"sorted(os.listdir('%s/images'))])\n"
		"  chunk.generateMasks(path='%s/masks/{filename}_mask.png',\n"
		"      masking_mode=Metashape.MaskingModeFile, cameras=chunk.cameras)\n",
		dir, dir, dir, dir, dir);
}

static void readme_realitycapture(FILE *out, const char *dir)
{
	fprintf(out,
		"Layout: NAME and NAME.mask.png beside it, nothing else in this folder but\n"
		"this README. RealityCapture takes NAME.mask.png as the mask of NAME when\n"
		"it adds the folder (white keeps, black is ignored).\n\n"
		"Run:\n\n"
		"  RealityCapture.exe -addFolder \"%s\" -align -save \"%s/project.rcproj\"\n\n"
		"or Workflow > Inputs > Folder and pick %s.\n",
		dir, dir, dir);
}

static void readme_meshroom(FILE *out, const char *dir)
{
	fprintf(out,
		"Layout: images/NAME, masks/STEM.png (STEM: NAME without its extension;\n"
		"AliceVision looks for masksFolder/STEM.png, one folder for all cameras).\n\n"
		"Run:\n\n"
		"  meshroom_batch --input '%s/images' --output '%s/out' \\\n"
		"      --paramOverrides FeatureExtraction:masksFolder='%s/masks'\n\n"
		"In the Meshroom window: drop '%s/images' on the Images pane, set the\n"
		"FeatureExtraction node's Masks Folder (and PrepareDenseScene's Masks\n"
		"Folders) to '%s/masks'.\n",
		dir, dir, dir, dir, dir);
}

void pr_export_readme(FILE *out, enum pr_export_tool tool, const char *dir, const char *session,
		      unsigned photos, unsigned cameras, const char *image_kind)
{
	fprintf(out,
		"photorig export of session %s for %s: %u photo%s (%s) from %u camera position%s,\n"
		"each with its mask. Files are hard links to (or copies of) the session's own;\n"
		"the session folder stays the archive. Made by:\n"
		"  photorig export %s --for %s --out '%s'\n\n",
		session, pr_export_tool_name(tool), photos, photos == 1 ? "" : "s", image_kind,
		cameras, cameras == 1 ? "" : "s", session, pr_export_tool_name(tool), dir);
	switch (tool) {
	case PR_EXPORT_COLMAP:
		readme_colmap(out, dir, cameras);
		break;
	case PR_EXPORT_METASHAPE:
		readme_metashape(out, dir);
		break;
	case PR_EXPORT_REALITYCAPTURE:
		readme_realitycapture(out, dir);
		break;
	case PR_EXPORT_MESHROOM:
	case PR_EXPORT_NTOOLS:
		readme_meshroom(out, dir);
		break;
	}
}
