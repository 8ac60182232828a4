/* Unit tests: the sim camera's scene key (drivers/cam_sim.c): the
 * conditions it names are what the camera delivers (a plate frame with the
 * transient, rendered at the request's angle so a platter turns, at the
 * JPEG quality asked for), and a bad text refuses the camera by name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "camera.h"
#include "imageio.h"
#include "scene.h"

/* Deliver one frame and decode it. */
static size_t grab(struct cam_handle *h, enum cam_kind kind, uint32_t index, double angle,
		   struct pr_image *img)
{
	struct cam_request req = { .kind = kind, .index = index, .angle_deg = angle };
	struct cam_frame f;
	struct pr_error err;
	if (cam_sim_driver.capture(h, &req, &f, &err))
		fail_msg("capture: %s", err.msg);
	assert_string_equal(f.ext, "jpg");
	if (pr_decode_memory(f.data, f.size, "sim", img, &err))
		fail_msg("decode: %s", err.msg);
	size_t size = f.size;
	cam_frame_free(&f);
	return size;
}

/* Mean absolute difference of a and b over the pixels where sel is set. */
static double mean_diff(const struct pr_image *a, const struct pr_image *b, const uint8_t *sel)
{
	double s = 0;
	size_t n = 0;
	for (uint32_t y = 0; y < a->height; y++)
		for (uint32_t x = 0; x < a->width; x++) {
			if (!sel[(size_t)y * a->width + x])
				continue;
			for (int c = 0; c < 3; c++)
				s += abs(pr_image_row(a, y)[3 * x + c] - pr_image_row(b, y)[3 * x + c]);
			n += 3;
		}
	assert_true(n > 300);
	return s / (double)n;
}

static struct cam_handle *open_sim(const char *scene, struct pr_error *err, int *rc)
{
	struct cam_params p;
	memset(&p, 0, sizeof(p));
	p.name = "simcam";
	p.width = 320;
	p.height = 240;
	p.seed = 11;
	p.noise = 2;
	p.scene = scene;
	struct cam_handle *h = NULL;
	*rc = cam_sim_driver.open(&p, &h, err);
	return h;
}

static void test_scene_key(void **state)
{
	(void)state;
	struct pr_error err;
	int rc;
	struct cam_handle *plain = open_sim("", &err, &rc);
	assert_int_equal(rc, 0);
	struct cam_handle *hard = open_sim("transient=0.5, platter, jpeg=60", &err, &rc);
	assert_int_equal(rc, 0);

	/* what the scene renders for frame 1 at 30 degrees, as the camera
	 * should deliver it before its JPEG */
	struct pr_scene_params sp;
	pr_scene_defaults(&sp);
	sp.width = 320;
	sp.height = 240;
	sp.seed = 11;
	sp.drift = 0.005f;
	sp.transient = 0.5f;
	sp.platter = 1;
	sp.angle_deg = 30;
	assert_true(pr_scene_plate_has_transient(&sp, 1));
	struct pr_image want, want0, got, got_plain;
	struct pr_scene_truth hand;
	assert_int_equal(pr_scene_render_plate_truth(&sp, 1, &want, &hand, &err), 0);
	sp.angle_deg = 0;
	assert_int_equal(pr_scene_render_plate(&sp, 1, &want0, &err), 0);
	size_t hard_size = grab(hard, CAM_PLATE, 1, 30, &got);
	size_t plain_size = grab(plain, CAM_PLATE, 1, 30, &got_plain);
	/* the print that moves between 0 and 30 degrees, away from the hand */
	uint8_t *turned = calloc(320 * 240, 1), *inhand = calloc(320 * 240, 1);
	assert_non_null(turned);
	assert_non_null(inhand);
	for (uint32_t y = 0; y < 240; y++)
		for (uint32_t x = 0; x < 320; x++) {
			size_t k = (size_t)y * 320 + x;
			int d = 0;
			for (int c = 0; c < 3; c++)
				d += abs(pr_image_row(&want, y)[3 * x + c] -
					 pr_image_row(&want0, y)[3 * x + c]);
			turned[k] = d > 90 && !hand.alpha[k];
			inhand[k] = hand.alpha[k] == 255;
		}
	double d30 = mean_diff(&got, &want, turned), d0 = mean_diff(&got, &want0, turned);
	double dh = mean_diff(&got, &want, inhand), dplain = mean_diff(&got_plain, &want, inhand);
	print_message("platter: sim plate vs scene at 30 deg %.2f, at 0 deg %.2f; hand: %.2f, "
		      "plain camera %.2f\n", d30, d0, dh, dplain);
	assert_true(d30 < 15.0); /* only the JPEG (q60, at sharp edges) between them */
	assert_true(d0 > 25.0);  /* the platter turned with the request */
	assert_true(dh < 15.0);
	assert_true(dplain > 25.0); /* no hand without the key */
	assert_true(hard_size < plain_size); /* quality 60 against the usual 92 */
	free(turned);
	free(inhand);
	pr_scene_truth_free(&hand);
	pr_image_free(&want);
	pr_image_free(&want0);
	pr_image_free(&got);
	pr_image_free(&got_plain);
	cam_sim_driver.close(&hard);
	cam_sim_driver.close(&plain);
	cam_sim_driver.close(&plain); /* safe twice */

	struct cam_handle *bad = open_sim("platter, sparkle=3", &err, &rc);
	assert_true(rc < 0);
	assert_null(bad);
	assert_non_null(strstr(err.msg, "simcam"));
	assert_non_null(strstr(err.msg, "sparkle"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scene_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
