/* Export layouts (core/outputs/export_layout.h): the exact path of every
 * photo and mask per tool, against the rule each tool applies (COLMAP:
 * mask_path + the image's path below image_path + ".png"; Metashape:
 * {filename}_mask.png with {filename} the name without extension;
 * RealityCapture: NAME.mask.png beside NAME; AliceVision: masksFolder/STEM.png),
 * names that must be refused, and the README's command lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "export_layout.h"

static void expect_paths(enum pr_export_tool tool, const char *cam, const char *name,
			 const char *image, const char *mask)
{
	char a[256], b[256];
	assert_int_equal(pr_export_image_path(tool, cam, name, a, sizeof(a)), 0);
	assert_int_equal(pr_export_mask_path(tool, cam, name, b, sizeof(b)), 0);
	assert_string_equal(a, image);
	assert_string_equal(b, mask);
}

static void test_rules(void **state)
{
	(void)state;
	expect_paths(PR_EXPORT_COLMAP, "cam01", "cam01_0007.jpg", "images/cam01/cam01_0007.jpg",
		     "masks/cam01/cam01_0007.jpg.png");
	expect_paths(PR_EXPORT_METASHAPE, "cam01", "cam01_0007.jpg", "images/cam01_0007.jpg",
		     "masks/cam01_0007_mask.png");
	expect_paths(PR_EXPORT_REALITYCAPTURE, "cam01", "cam01_0007.jpg", "cam01_0007.jpg",
		     "cam01_0007.jpg.mask.png");
	expect_paths(PR_EXPORT_MESHROOM, "cam01", "cam01_0007.jpg", "images/cam01_0007.jpg",
		     "masks/cam01_0007.png");
	/* only the last extension goes; RAW names keep theirs in COLMAP and RC */
	expect_paths(PR_EXPORT_METASHAPE, "c", "a.b.CR2", "images/a.b.CR2", "masks/a.b_mask.png");
	expect_paths(PR_EXPORT_MESHROOM, "c", "IMG_0001.DNG", "images/IMG_0001.DNG",
		     "masks/IMG_0001.png");
	expect_paths(PR_EXPORT_REALITYCAPTURE, "c", "IMG_0001.CR2", "IMG_0001.CR2",
		     "IMG_0001.CR2.mask.png");
	expect_paths(PR_EXPORT_COLMAP, "left", "x.tif", "images/left/x.tif", "masks/left/x.tif.png");
	/* a name without extension, and one that starts with a dot */
	expect_paths(PR_EXPORT_MESHROOM, "c", "noext", "images/noext", "masks/noext.png");
	expect_paths(PR_EXPORT_METASHAPE, "c", ".hidden", "images/.hidden", "masks/.hidden_mask.png");
	/* the flat layouts ignore the camera; COLMAP's image root is images */
	assert_string_equal(pr_export_image_root(PR_EXPORT_COLMAP), "images");
	assert_string_equal(pr_export_image_root(PR_EXPORT_REALITYCAPTURE), "");
}

static void test_refused(void **state)
{
	(void)state;
	char buf[64];
	for (int t = 0; t < PR_EXPORT_NTOOLS; t++) {
		static const char *const bad[] = { "", ".", "..", "a/b.jpg", "../x.jpg" };
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(pr_export_image_path(t, "c", bad[i], buf, sizeof(buf)),
					 PR_EINVAL);
			assert_int_equal(pr_export_mask_path(t, "c", bad[i], buf, sizeof(buf)),
					 PR_EINVAL);
		}
	}
	/* COLMAP's camera is a folder: it must be a plain name too */
	assert_int_equal(pr_export_image_path(PR_EXPORT_COLMAP, "..", "a.jpg", buf, sizeof(buf)),
			 PR_EINVAL);
	assert_int_equal(pr_export_mask_path(PR_EXPORT_COLMAP, "a/b", "a.jpg", buf, sizeof(buf)),
			 PR_EINVAL);
	/* a path that does not fit is an error, never a shortened name */
	assert_int_equal(pr_export_mask_path(PR_EXPORT_REALITYCAPTURE, "c", "0123456789.jpg", buf,
					     16), PR_EINVAL);
	assert_string_equal(buf, "");
	assert_int_equal(pr_export_image_path(PR_EXPORT_NTOOLS, "c", "a.jpg", buf, sizeof(buf)),
			 PR_EINVAL);
}

static void test_parse(void **state)
{
	(void)state;
	enum pr_export_tool t;
	static const char *const names[] = { "colmap", "metashape", "realitycapture", "meshroom" };
	for (int i = 0; i < PR_EXPORT_NTOOLS; i++) {
		assert_int_equal(pr_export_tool_parse(names[i], &t), 0);
		assert_int_equal(t, i);
		assert_string_equal(pr_export_tool_name(t), names[i]);
	}
	assert_int_equal(pr_export_tool_parse("alicevision", &t), 0);
	assert_int_equal(t, PR_EXPORT_MESHROOM);
	assert_int_equal(pr_export_tool_parse("COLMAP", &t), PR_EINVAL);
	assert_int_equal(pr_export_tool_parse("", &t), PR_EINVAL);
}

static char *readme(enum pr_export_tool tool)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	pr_export_readme(f, tool, "/x/exp", "shoe", 12, 4, "jpeg");
	fclose(f);
	return text;
}

static void test_readme(void **state)
{
	(void)state;
	char *t = readme(PR_EXPORT_COLMAP);
	assert_non_null(strstr(t, "photorig export of session shoe for colmap: 12 photos"));
	assert_non_null(strstr(t, "colmap feature_extractor --database_path '/x/exp/database.db'"));
	assert_non_null(strstr(t, "--image_path '/x/exp/images' --ImageReader.mask_path "
				  "'/x/exp/masks'"));
	assert_non_null(strstr(t, "--ImageReader.single_camera_per_folder 1"));
	assert_non_null(strstr(t, "4 COLMAP cameras"));
	free(t);
	t = readme(PR_EXPORT_METASHAPE);
	assert_non_null(strstr(t, "/x/exp/masks/{filename}_mask.png"));
	free(t);
	t = readme(PR_EXPORT_REALITYCAPTURE);
	assert_non_null(strstr(t, "-addFolder \"/x/exp\""));
	free(t);
	t = readme(PR_EXPORT_MESHROOM);
	assert_non_null(strstr(t, "FeatureExtraction:masksFolder='/x/exp/masks'"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_readme),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
