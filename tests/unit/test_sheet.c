/* Contact sheets: a four-camera set of generated scenes (different seeds,
 * so different objects and masks) makes a sheet of the documented size; each
 * tile shows its own shot with its own mask's outline, exactly where that
 * mask changes; captions name the camera and flag plate health. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "font.h"
#include "imageio.h"
#include "mask_fixture.h"
#include "sheet.h"

#define NCAM 4
#define SW 320
#define SH 240

static const uint8_t MAGENTA[3] = { 0xff, 0x00, 0xff };
static const uint8_t RED[3] = { 0xe0, 0x28, 0x28 };
static const uint8_t AMBER[3] = { 0xff, 0xb0, 0x00 };
static const uint8_t TEXT[3] = { 0xe8, 0xe8, 0xe8 };

struct set {
	struct run runs[NCAM];
	struct pr_sheet_tile tiles[NCAM];
};

static void make_set(struct set *s, const struct pr_sheet_options *o)
{
	struct pr_error err;
	for (int i = 0; i < NCAM; i++) {
		struct pr_scene_params sp;
		struct pr_mask_params mp;
		char name[16];
		pr_scene_defaults(&sp);
		sp.width = SW;
		sp.height = SH;
		sp.seed = 11 * (uint64_t)(i + 1);
		pr_mask_params_default(&mp);
		run_scene(&sp, 2, &mp, &s->runs[i]);
		if (i == 2)
			s->runs[i].r.stats.stale_plate = 1; /* as the drift fit would say */
		snprintf(name, sizeof(name), "cam%02d", i + 1);
		if (pr_sheet_tile_make(&s->tiles[i], name, &s->runs[i].shot, s->runs[i].r.mask, 0,
				       &s->runs[i].r.stats, o, &err))
			fail_msg("tile: %s", err.msg);
	}
}

static void free_set(struct set *s)
{
	for (int i = 0; i < NCAM; i++) {
		pr_sheet_tile_free(&s->tiles[i]);
		run_free(&s->runs[i]);
	}
}

static size_t count_colour(const struct pr_image *img, uint32_t x0, uint32_t y0, uint32_t w,
			   uint32_t h, const uint8_t rgb[3])
{
	size_t n = 0;
	for (uint32_t y = y0; y < y0 + h && y < img->height; y++)
		for (uint32_t x = x0; x < x0 + w && x < img->width; x++)
			n += !memcmp(pr_image_row(img, y) + 3 * x, rgb, 3);
	return n;
}

/* Is (x, y) on the outline of mask m: its 4-neighbours differ in side. */
static int on_outline(const uint8_t *m, uint32_t x, uint32_t y)
{
	int v = m[y * SW + x] >= 128;
	return (x > 0 && (m[y * SW + x - 1] >= 128) != v) ||
	       (x + 1 < SW && (m[y * SW + x + 1] >= 128) != v) ||
	       (y > 0 && (m[(y - 1) * SW + x] >= 128) != v) ||
	       (y + 1 < SH && (m[(y + 1) * SW + x] >= 128) != v);
}

static void test_four_camera_sheet(void **state)
{
	(void)state;
	struct pr_sheet_options o;
	struct pr_image sheet;
	struct pr_error err;
	struct set s;
	pr_sheet_options_default(&o);
	make_set(&s, &o);
	struct pr_sheet_row row = { "set 0001", s.tiles, NCAM };
	assert_int_equal(pr_sheet_render(&row, 1, &o, &sheet, &err), 0);

	/* size: 4 cells of 320 + 2 frames, gaps around; one header line, the
	 * thumbnail (full size: the shots are 320 wide), 3 caption lines */
	const uint32_t cell_w = SW + 2 * PR_SHEET_FRAME;
	const uint32_t cap = 3 * PR_FONT_LINE * 2 + 4, header = PR_FONT_LINE * 2 + 4;
	assert_int_equal(sheet.width, PR_SHEET_GAP + NCAM * (cell_w + PR_SHEET_GAP));
	assert_int_equal(sheet.height,
			 PR_SHEET_GAP + header + 2 * PR_SHEET_FRAME + SH + cap + PR_SHEET_GAP);
	print_message("sheet %ux%u\n", sheet.width, sheet.height);

	size_t outline[NCAM];
	for (int i = 0; i < NCAM; i++) {
		uint32_t tx, ty;
		pr_sheet_tile_origin(&row, 1, &o, 0, (size_t)i, &tx, &ty);
		assert_int_equal(tx, PR_SHEET_GAP + PR_SHEET_FRAME + (uint32_t)i * (cell_w + PR_SHEET_GAP));
		assert_int_equal(ty, PR_SHEET_GAP + header + PR_SHEET_FRAME);
		/* the tile is its shot, with magenta exactly on its mask's outline */
		const uint8_t *m = s.runs[i].r.mask;
		outline[i] = 0;
		for (uint32_t y = 0; y < SH; y++)
			for (uint32_t x = 0; x < SW; x++) {
				const uint8_t *p = pr_image_row(&sheet, ty + y) + 3 * (tx + x);
				if (on_outline(m, x, y)) {
					assert_memory_equal(p, MAGENTA, 3);
					outline[i]++;
				} else {
					assert_memory_equal(p, pr_image_row(&s.runs[i].shot, y) + 3 * x, 3);
				}
			}
		assert_true(outline[i] > 200);
		/* caption: text, and the STALE badge on cam03 only; the frame red */
		size_t text = count_colour(&sheet, tx, ty + SH, SW, cap, TEXT);
		size_t red = count_colour(&sheet, tx, ty + SH, SW, cap, RED);
		size_t frame_red = count_colour(&sheet, tx - PR_SHEET_FRAME, ty - PR_SHEET_FRAME,
						PR_SHEET_FRAME, SH, RED);
		print_message("cam%02d: %zu outline px, %zu text px, %zu red badge px, fg %.1f%%\n",
			      i + 1, outline[i], text, red, 100 * s.tiles[i].foreground);
		assert_true(text > 100);
		assert_true(i == 2 ? red > 100 : red == 0);
		assert_true(i == 2 ? frame_red == PR_SHEET_FRAME * SH : frame_red == 0);
	}
	/* the tiles differ where the masks differ: each pair of outlines parts
	 * ways at many pixels, and the sheet shows each tile's own */
	for (int i = 0; i < NCAM; i++)
		for (int j = i + 1; j < NCAM; j++) {
			size_t differ = 0;
			for (uint32_t y = 0; y < SH; y++)
				for (uint32_t x = 0; x < SW; x++)
					differ += on_outline(s.runs[i].r.mask, x, y) !=
						  on_outline(s.runs[j].r.mask, x, y);
			assert_true(differ > 100);
		}
	/* captions differ (camera names) */
	for (int i = 1; i < NCAM; i++) {
		uint32_t ax, ay, bx, by;
		pr_sheet_tile_origin(&row, 1, &o, 0, 0, &ax, &ay);
		pr_sheet_tile_origin(&row, 1, &o, 0, (size_t)i, &bx, &by);
		int same = 1;
		for (uint32_t y = ay + SH; y < ay + SH + PR_FONT_LINE * 2 + 4 && same; y++)
			same = !memcmp(pr_image_row(&sheet, y) + 3 * ax, pr_image_row(&sheet, y) + 3 * bx,
				       3 * SW);
		assert_false(same);
	}

	/* written as PNG: decodes to the same pixels */
	char path[] = "/tmp/photorig-sheet.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pr_sheet_write(path, &row, 1, &o, &err), 0);
	struct pr_image back;
	assert_int_equal(pr_decode_file(path, &back, &err), 0);
	assert_int_equal(back.width, sheet.width);
	assert_int_equal(back.height, sheet.height);
	assert_memory_equal(back.pixels, sheet.pixels, sheet.stride * sheet.height);
	pr_image_free(&back);
	unlink(path);
	pr_image_free(&sheet);
	free_set(&s);
}

/* A session sheet: a row per set; smaller tiles; a missing camera. */
static void test_session_sheet(void **state)
{
	(void)state;
	struct pr_sheet_options o;
	struct pr_image sheet;
	struct pr_error err;
	struct set s;
	pr_sheet_options_default(&o);
	o.tile_width = 160;
	o.columns = 2;
	make_set(&s, &o);
	struct pr_sheet_tile second[NCAM];
	memcpy(second, s.tiles, sizeof(second));
	struct pr_sheet_tile missing;
	pr_sheet_tile_missing(&missing, "cam04", "no shot (timeout)");
	second[3] = missing;
	struct pr_sheet_row rows[2] = { { "set 0001", s.tiles, NCAM }, { "set 0002", second, NCAM } };
	assert_int_equal(pr_sheet_render(rows, 2, &o, &sheet, &err), 0);
	/* 2 columns; text at scale 1 below 240 px tiles; thumbnails 160x120 */
	const uint32_t th = 120, cap = 3 * PR_FONT_LINE + 4, header = PR_FONT_LINE + 4;
	const uint32_t line = 2 * PR_SHEET_FRAME + th + cap + PR_SHEET_GAP;
	assert_int_equal(sheet.width, PR_SHEET_GAP + 2 * (160 + 2 * PR_SHEET_FRAME + PR_SHEET_GAP));
	assert_int_equal(sheet.height, PR_SHEET_GAP + 2 * (header + 2 * line));
	uint32_t x, y;
	pr_sheet_tile_origin(rows, 2, &o, 1, 3, &x, &y);
	/* row 1 (second set), second line of its tiles */
	assert_int_equal(y, PR_SHEET_GAP + header + 2 * line + header + line + PR_SHEET_FRAME);
	/* the missing camera: red frame, red note */
	assert_int_equal(count_colour(&sheet, x - PR_SHEET_FRAME, y, PR_SHEET_FRAME, th, RED),
			 PR_SHEET_FRAME * th);
	assert_true(count_colour(&sheet, x, y + th, 160, cap, RED) > 50);
	/* a BORDER flag is amber */
	s.tiles[0].flags = PR_SHEET_BORDER;
	pr_image_free(&sheet);
	assert_int_equal(pr_sheet_render(rows, 1, &o, &sheet, &err), 0);
	pr_sheet_tile_origin(rows, 1, &o, 0, 0, &x, &y);
	assert_true(count_colour(&sheet, x, y + th, 160, cap, AMBER) > 50);
	pr_image_free(&sheet);
	free_set(&s);
}

/* Offline: no stats, foreground and BORDER from the mask; inverted masks. */
static void test_tile_from_mask_only(void **state)
{
	(void)state;
	struct pr_sheet_options o;
	struct pr_sheet_tile a, b;
	struct pr_error err;
	struct pr_image shot;
	uint8_t *m = calloc(64 * 48, 1), *inv = malloc(64 * 48);
	assert_int_equal(pr_image_alloc(&shot, 64, 48, 3, 8, &err), 0);
	memset(shot.pixels, 100, shot.stride * shot.height);
	for (uint32_t y = 0; y < 24; y++)
		memset(m + y * 64, 255, 16); /* 16 x 24 in the top-left corner */
	for (size_t i = 0; i < 64 * 48; i++)
		inv[i] = (uint8_t)(255 - m[i]);
	pr_sheet_options_default(&o);
	assert_int_equal(pr_sheet_tile_make(&a, "c", &shot, m, 0, NULL, &o, &err), 0);
	assert_int_equal(pr_sheet_tile_make(&b, "c", &shot, inv, 1, NULL, &o, &err), 0);
	assert_int_equal(a.thumb.width, 64); /* never enlarged */
	assert_true(a.foreground > 0.1249 && a.foreground < 0.1251);
	assert_int_equal(a.flags, PR_SHEET_BORDER);
	assert_int_equal(b.flags, PR_SHEET_BORDER);
	assert_memory_equal(a.thumb.pixels, b.thumb.pixels, a.thumb.stride * a.thumb.height);
	pr_sheet_tile_free(&b);
	o.tile_width = 8;
	assert_int_equal(pr_sheet_tile_make(&b, "c", &shot, m, 0, NULL, &o, &err), PR_EINVAL);
	pr_sheet_tile_free(&a);
	pr_sheet_tile_free(&b);
	pr_image_free(&shot);
	free(m);
	free(inv);
}

/* A shot saved but not masked: the photo itself with no outline, an amber
 * frame and the reason in the caption, never a blank missing tile. */
static void test_unmasked_tile(void **state)
{
	(void)state;
	struct pr_sheet_options o;
	struct pr_sheet_tile t;
	struct pr_error err;
	struct pr_image shot, sheet;
	assert_int_equal(pr_image_alloc(&shot, 64, 48, 3, 8, &err), 0);
	for (uint32_t y = 0; y < 48; y++)
		for (uint32_t x = 0; x < 64; x++)
			memcpy(pr_image_row(&shot, y) + 3 * x, (uint8_t[3]){ (uint8_t)(x * 4), 90,
									     (uint8_t)(y * 5) }, 3);
	pr_sheet_options_default(&o);
	assert_int_equal(pr_sheet_tile_unmasked(&t, "cam04", &shot, "not masked: no plate", &o, &err),
			 0);
	assert_int_equal(t.flags, PR_SHEET_UNMASKED);
	assert_string_equal(t.note, "not masked: no plate");
	assert_int_equal(t.thumb.width, 64);
	assert_memory_equal(t.thumb.pixels, shot.pixels, shot.stride * shot.height);
	struct pr_sheet_row row = { "set 0001", &t, 1 };
	assert_int_equal(pr_sheet_render(&row, 1, &o, &sheet, &err), 0);
	uint32_t x0, y0;
	pr_sheet_tile_origin(&row, 1, &o, 0, 0, &x0, &y0);
	/* the photo is on the sheet where the thumbnail goes, with no magenta */
	assert_memory_equal(pr_image_row(&sheet, y0 + 10) + 3 * x0, pr_image_row(&shot, 10), 3 * 64);
	assert_int_equal(count_colour(&sheet, x0, y0, 64, 48, MAGENTA), 0);
	/* amber frame and caption, no red */
	assert_true(count_colour(&sheet, 0, 0, sheet.width, sheet.height, AMBER) > 100);
	assert_int_equal(count_colour(&sheet, 0, 0, sheet.width, sheet.height, RED), 0);
	pr_image_free(&sheet);
	pr_sheet_tile_free(&t);
	pr_image_free(&shot);
}

static void test_font(void **state)
{
	(void)state;
	struct pr_image img;
	struct pr_error err;
	const uint8_t white[3] = { 255, 255, 255 };
	assert_int_equal(pr_font_text_width("", 2), 0);
	assert_int_equal(pr_font_text_width("ab", 1), 11);
	assert_int_equal(pr_font_fit("abcdef", 1, 17), 3);
	/* every printable character has a glyph, and only space is blank */
	for (int c = 33; c < 127; c++) {
		const uint8_t *g = pr_font_glyph((char)c);
		int ink = 0;
		for (int r = 0; r < PR_FONT_GLYPH_H; r++)
			ink |= g[r];
		assert_true(ink && !(ink & ~0x1f));
	}
	assert_ptr_equal(pr_font_glyph('\x01'), pr_font_glyph('?'));
	/* "I" at scale 2: the bar of the I is 6 px wide on top (2 rows) */
	assert_int_equal(pr_image_alloc(&img, 20, 20, 3, 8, &err), 0);
	memset(img.pixels, 0, img.stride * img.height);
	pr_font_draw(&img, -1, 0, "I", 2, white); /* clipped on the left, no crash */
	assert_int_equal(count_colour(&img, 0, 0, 20, 2, white), 12);
	pr_image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_camera_sheet),
		cmocka_unit_test(test_session_sheet),
		cmocka_unit_test(test_tile_from_mask_only),
		cmocka_unit_test(test_unmasked_tile),
		cmocka_unit_test(test_font),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
