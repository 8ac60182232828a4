/* photorig core: contact sheets (sheet.h). */
#include "sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "imageio.h"

static const uint8_t COL_BG[3] = { 0x1c, 0x1c, 0x1c };
static const uint8_t COL_CELL[3] = { 0x2a, 0x2a, 0x2a };
static const uint8_t COL_TEXT[3] = { 0xe8, 0xe8, 0xe8 };
static const uint8_t COL_HEADER[3] = { 0xff, 0xff, 0xff };
static const uint8_t COL_RED[3] = { 0xe0, 0x28, 0x28 };
static const uint8_t COL_AMBER[3] = { 0xff, 0xb0, 0x00 };
static const uint8_t COL_BLACK[3] = { 0x00, 0x00, 0x00 };
static const uint8_t COL_WHITE[3] = { 0xff, 0xff, 0xff };
static const uint8_t COL_EMPTY[3] = { 0x40, 0x20, 0x20 };

void pr_sheet_options_default(struct pr_sheet_options *o)
{
	memset(o, 0, sizeof(*o));
	o->tile_width = 320;
	o->outline_rgb[0] = 0xff;
	o->outline_rgb[1] = 0x00;
	o->outline_rgb[2] = 0xff;
}

unsigned pr_sheet_flags(const struct pr_mask_stats *st)
{
	return (st->stale_plate ? PR_SHEET_STALE : 0) | (st->camera_moved ? PR_SHEET_MOVED : 0) |
	       (st->touches_border ? PR_SHEET_BORDER : 0);
}

static unsigned text_scale(const struct pr_sheet_options *o)
{
	return o->text_scale ? o->text_scale : o->tile_width >= 240 ? 2 : 1;
}

/* ---- tiles ---- */

void pr_sheet_tile_missing(struct pr_sheet_tile *t, const char *name, const char *why)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->note, sizeof(t->note), "%s", why && *why ? why : "missing");
	t->flags = PR_SHEET_MISSING;
}

void pr_sheet_tile_free(struct pr_sheet_tile *t)
{
	if (t)
		pr_image_free(&t->thumb);
}

/* Area-average the shot and the mask down to tw x th; the outline is where
 * the downscaled mask (object when at least half the area was) changes
 * between 4-neighbours, drawn on both sides so it is 2 px wide. With no mask
 * (a shot saved unmasked) the thumbnail has no outline. */
static int make_thumb(struct pr_sheet_tile *t, const struct pr_image *rgb, const uint8_t *mask,
		      uint8_t flip, uint32_t tw, uint32_t th, const uint8_t outline[3],
		      struct pr_error *err)
{
	const uint32_t W = rgb->width, H = rgb->height;
	uint32_t *cx = malloc(sizeof(uint32_t) * (tw + 1));
	uint32_t *acc = malloc(sizeof(uint32_t) * 4 * tw);
	uint8_t *obj = malloc((size_t)tw * th);
	int rc = 0;
	if (!cx || !acc || !obj || (rc = pr_image_alloc(&t->thumb, tw, th, 3, 8, err))) {
		if (!rc)
			rc = pr_error_set(err, PR_ENOMEM, "contact sheet: out of memory");
		goto out;
	}
	for (uint32_t x = 0; x <= tw; x++)
		cx[x] = (uint32_t)((uint64_t)x * W / tw);
	for (uint32_t ty = 0; ty < th; ty++) {
		uint32_t y0 = (uint32_t)((uint64_t)ty * H / th), y1 = (uint32_t)((uint64_t)(ty + 1) * H / th);
		memset(acc, 0, sizeof(uint32_t) * 4 * tw);
		for (uint32_t y = y0; y < y1; y++) {
			const uint8_t *restrict s = pr_image_row(rgb, y);
			const uint8_t *restrict m = mask ? mask + (size_t)y * W : NULL;
			for (uint32_t tx = 0; tx < tw; tx++) {
				uint32_t *a = acc + 4 * tx;
				for (uint32_t x = cx[tx]; x < cx[tx + 1]; x++) {
					a[0] += s[3 * x];
					a[1] += s[3 * x + 1];
					a[2] += s[3 * x + 2];
					if (m)
						a[3] += ((m[x] ^ flip) >> 7) & 1;
				}
			}
		}
		uint8_t *d = pr_image_row(&t->thumb, ty);
		for (uint32_t tx = 0; tx < tw; tx++) {
			uint32_t n = (cx[tx + 1] - cx[tx]) * (y1 - y0);
			const uint32_t *a = acc + 4 * tx;
			for (int c = 0; c < 3; c++)
				d[3 * tx + c] = (uint8_t)((a[c] + n / 2) / n);
			obj[(size_t)ty * tw + tx] = 2 * a[3] >= n;
		}
	}
	for (uint32_t y = 0; y < th; y++) {
		uint8_t *d = pr_image_row(&t->thumb, y);
		const uint8_t *o = obj + (size_t)y * tw;
		for (uint32_t x = 0; x < tw; x++) {
			int v = o[x];
			int edge = (x > 0 && o[x - 1] != v) || (x + 1 < tw && o[x + 1] != v) ||
				   (y > 0 && o[x - (size_t)tw] != v) || (y + 1 < th && o[x + (size_t)tw] != v);
			if (edge)
				memcpy(d + 3 * (size_t)x, outline, 3);
		}
	}
out:
	free(cx);
	free(acc);
	free(obj);
	return rc;
}

/* The tile's name and thumbnail (outlined when mask is not NULL). */
static int tile_thumb(struct pr_sheet_tile *t, const char *name, const struct pr_image *shot,
		      const uint8_t *mask, uint8_t flip, const struct pr_sheet_options *o,
		      struct pr_error *err)
{
	struct pr_image conv = { 0 };
	const struct pr_image *rgb = shot;
	const uint32_t W = shot->width, H = shot->height;
	int rc;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	if (o->tile_width < 16 || o->tile_width > 4096)
		return pr_error_set(err, PR_EINVAL, "contact sheet: tile width %u is outside 16..4096",
				    o->tile_width);
	if (shot->channels != 3 || shot->depth != 8) {
		if ((rc = pr_image_to_rgb8(shot, &conv, err)))
			return rc;
		rgb = &conv;
	}
	uint32_t tw = o->tile_width < W ? o->tile_width : W;
	uint32_t th = (uint32_t)(((uint64_t)H * tw + W / 2) / W);
	if (th < 1)
		th = 1;
	rc = make_thumb(t, rgb, mask, flip, tw, th, o->outline_rgb, err);
	pr_image_free(&conv);
	if (rc)
		pr_sheet_tile_free(t);
	return rc;
}

int pr_sheet_tile_unmasked(struct pr_sheet_tile *t, const char *name, const struct pr_image *shot,
			   const char *why, const struct pr_sheet_options *o, struct pr_error *err)
{
	int rc = tile_thumb(t, name, shot, NULL, 0, o, err);
	if (rc)
		return rc;
	snprintf(t->note, sizeof(t->note), "%s", why && *why ? why : "not masked");
	t->flags = PR_SHEET_UNMASKED;
	return 0;
}

int pr_sheet_tile_make(struct pr_sheet_tile *t, const char *name, const struct pr_image *shot,
		       const uint8_t *mask, int mask_inverted, const struct pr_mask_stats *stats,
		       const struct pr_sheet_options *o, struct pr_error *err)
{
	const uint32_t W = shot->width, H = shot->height;
	const uint8_t flip = mask_inverted ? 0x80 : 0;
	int rc = tile_thumb(t, name, shot, mask, flip, o, err);
	if (rc)
		return rc;
	if (stats) {
		t->foreground = stats->foreground;
		t->flags = pr_sheet_flags(stats);
	} else {
		uint64_t kept = 0;
		int border = 0;
		for (uint32_t y = 0; y < H; y++) {
			const uint8_t *m = mask + (size_t)y * W;
			uint32_t n = 0;
			for (uint32_t x = 0; x < W; x++)
				n += ((m[x] ^ flip) >> 7) & 1;
			kept += n;
			border |= (((m[0] ^ flip) | (m[W - 1] ^ flip)) & 0x80) || ((y == 0 || y + 1 == H) && n);
		}
		t->foreground = (double)kept / ((double)W * H);
		t->flags = border ? PR_SHEET_BORDER : 0;
	}
	return 0;
}

/* ---- layout ---- */

struct layout {
	uint32_t width, height;
	uint32_t *x, *y;        /* thumbnail origin per tile (all rows, in order) */
	uint32_t *line_h;       /* thumbnail area height of the tile's line */
	uint32_t *row_y;        /* header origin per row */
};

static void layout_free(struct layout *l)
{
	free(l->x);
	free(l->y);
	free(l->line_h);
	free(l->row_y);
}

static uint32_t caption_height(const struct pr_sheet_options *o)
{
	return PR_SHEET_CAPTION_LINES * PR_FONT_LINE * text_scale(o) + 4;
}

static int layout(const struct pr_sheet_row *rows, size_t nrows, const struct pr_sheet_options *o,
		  struct layout *l)
{
	size_t total = 0, maxcols = 1;
	memset(l, 0, sizeof(*l));
	for (size_t r = 0; r < nrows; r++) {
		total += rows[r].ntiles;
		size_t cols = o->columns && o->columns < rows[r].ntiles ? o->columns : rows[r].ntiles;
		if (cols > maxcols)
			maxcols = cols;
	}
	l->x = malloc(sizeof(uint32_t) * (total + 1));
	l->y = malloc(sizeof(uint32_t) * (total + 1));
	l->line_h = malloc(sizeof(uint32_t) * (total + 1));
	l->row_y = malloc(sizeof(uint32_t) * (nrows + 1));
	if (!l->x || !l->y || !l->line_h || !l->row_y) {
		layout_free(l);
		return -1;
	}
	const uint32_t cell_w = o->tile_width + 2 * PR_SHEET_FRAME, cap = caption_height(o);
	const uint32_t header = PR_FONT_LINE * text_scale(o) + 4;
	uint64_t y = PR_SHEET_GAP;
	size_t k = 0;
	for (size_t r = 0; r < nrows; r++) {
		const struct pr_sheet_row *row = &rows[r];
		size_t cols = o->columns && o->columns < row->ntiles ? o->columns : row->ntiles;
		l->row_y[r] = (uint32_t)y;
		if (row->label)
			y += header;
		for (size_t first = 0; first < row->ntiles; first += cols) {
			size_t last = first + cols < row->ntiles ? first + cols : row->ntiles;
			uint32_t h = 0;
			for (size_t i = first; i < last; i++) {
				const struct pr_sheet_tile *t = &row->tiles[i];
				uint32_t th = t->thumb.pixels ? t->thumb.height : o->tile_width * 3 / 4;
				h = th > h ? th : h;
			}
			for (size_t i = first; i < last; i++, k++) {
				l->x[k] = PR_SHEET_GAP + (uint32_t)(i - first) * (cell_w + PR_SHEET_GAP) +
					  PR_SHEET_FRAME;
				l->y[k] = (uint32_t)y + PR_SHEET_FRAME;
				l->line_h[k] = h;
			}
			y += 2 * PR_SHEET_FRAME + h + cap + PR_SHEET_GAP;
		}
		if (!row->ntiles)
			y += PR_SHEET_GAP;
	}
	l->width = PR_SHEET_GAP + (uint32_t)maxcols * (cell_w + PR_SHEET_GAP);
	l->height = (uint32_t)(y > PR_IMAGE_MAX_SIDE ? PR_IMAGE_MAX_SIDE + 1ull : y);
	return 0;
}

void pr_sheet_tile_origin(const struct pr_sheet_row *rows, size_t nrows,
			  const struct pr_sheet_options *o, size_t r, size_t i, uint32_t *x,
			  uint32_t *y)
{
	struct layout l;
	size_t k = i;
	*x = *y = 0;
	for (size_t j = 0; j < r && j < nrows; j++)
		k += rows[j].ntiles;
	if (layout(rows, nrows, o, &l))
		return;
	*x = l.x[k];
	*y = l.y[k];
	layout_free(&l);
}

/* ---- drawing ---- */

static void fill(struct pr_image *img, int64_t x, int64_t y, int64_t w, int64_t h,
		 const uint8_t rgb[3])
{
	int64_t x1 = x + w > img->width ? img->width : x + w, y1 = y + h > img->height ? img->height : y + h;
	x = x < 0 ? 0 : x;
	y = y < 0 ? 0 : y;
	for (int64_t yy = y; yy < y1; yy++) {
		uint8_t *row = pr_image_row(img, (uint32_t)yy);
		for (int64_t xx = x; xx < x1; xx++)
			memcpy(row + 3 * xx, rgb, 3);
	}
}

/* A flag as a coloured badge; returns the x after it. */
static int64_t badge(struct pr_image *img, int64_t x, int64_t y, const char *text, unsigned s,
		     const uint8_t bg[3], const uint8_t fg[3])
{
	uint32_t w = pr_font_text_width(text, s) + 4 * s;
	fill(img, x, y - (int64_t)s, w, (PR_FONT_GLYPH_H + 2) * s, bg);
	pr_font_draw(img, (int32_t)(x + 2 * s), (int32_t)y, text, s, fg);
	return x + w + 3 * s;
}

static void draw_tile(struct pr_image *img, const struct pr_sheet_tile *t, uint32_t x, uint32_t y,
		      uint32_t area_h, const struct pr_sheet_options *o)
{
	const unsigned s = text_scale(o);
	const uint32_t tw = o->tile_width, line = PR_FONT_LINE * s;
	const uint8_t *frame = (t->flags & (PR_SHEET_STALE | PR_SHEET_MOVED | PR_SHEET_MISSING |
					    PR_SHEET_SUSPECT))
				       ? COL_RED
			       : (t->flags & (PR_SHEET_BORDER | PR_SHEET_UNMASKED)) ? COL_AMBER : COL_CELL;
	const int noted = (t->flags & (PR_SHEET_MISSING | PR_SHEET_UNMASKED)) != 0;
	const uint32_t cell_h = area_h + caption_height(o) + PR_SHEET_FRAME;
	fill(img, (int64_t)x - PR_SHEET_FRAME, (int64_t)y - PR_SHEET_FRAME, tw + 2 * PR_SHEET_FRAME,
	     cell_h + PR_SHEET_FRAME, frame);
	fill(img, x, y, tw, cell_h - PR_SHEET_FRAME, COL_CELL);
	if (t->thumb.pixels) {
		for (uint32_t r = 0; r < t->thumb.height; r++)
			memcpy(pr_image_row(img, y + r) + 3 * (size_t)x, pr_image_row(&t->thumb, r),
			       3 * (size_t)t->thumb.width);
	} else {
		fill(img, x, y, tw, area_h, COL_EMPTY);
	}
	char buf[96];
	int64_t ty = (int64_t)y + area_h + 3 + s;
	snprintf(buf, sizeof(buf), "%s", t->name);
	buf[pr_font_fit(buf, s, tw - 2)] = '\0';
	pr_font_draw(img, (int32_t)x + 1, (int32_t)ty, buf, s, COL_TEXT);
	ty += line;
	if (noted)
		snprintf(buf, sizeof(buf), "%s", t->note);
	else
		snprintf(buf, sizeof(buf), "fg %.1f%%", 100.0 * t->foreground);
	buf[pr_font_fit(buf, s, tw - 2)] = '\0';
	pr_font_draw(img, (int32_t)x + 1, (int32_t)ty, buf, s,
		     (t->flags & PR_SHEET_MISSING) ? COL_RED
		     : (t->flags & PR_SHEET_UNMASKED) ? COL_AMBER : COL_TEXT);
	ty += line;
	int64_t bx = x + 1;
	if (t->flags & PR_SHEET_MISSING)
		bx = badge(img, bx, ty, "MISSING", s, COL_RED, COL_WHITE);
	if (t->flags & PR_SHEET_UNMASKED)
		bx = badge(img, bx, ty, "NOT MASKED", s, COL_AMBER, COL_BLACK);
	if (t->flags & PR_SHEET_SUSPECT)
		bx = badge(img, bx, ty, "SUSPECT", s, COL_RED, COL_WHITE);
	if (t->flags & PR_SHEET_STALE)
		bx = badge(img, bx, ty, "STALE", s, COL_RED, COL_WHITE);
	if (t->flags & PR_SHEET_MOVED)
		bx = badge(img, bx, ty, "MOVED", s, COL_RED, COL_WHITE);
	if (t->flags & PR_SHEET_BORDER)
		badge(img, bx, ty, "BORDER", s, COL_AMBER, COL_BLACK);
}

int pr_sheet_render(const struct pr_sheet_row *rows, size_t nrows,
		    const struct pr_sheet_options *o, struct pr_image *out, struct pr_error *err)
{
	struct layout l;
	int rc;
	memset(out, 0, sizeof(*out));
	if (o->tile_width < 16 || o->tile_width > 4096)
		return pr_error_set(err, PR_EINVAL, "contact sheet: tile width %u is outside 16..4096",
				    o->tile_width);
	for (size_t r = 0; r < nrows; r++)
		for (size_t i = 0; i < rows[r].ntiles; i++)
			if (rows[r].tiles[i].thumb.pixels &&
			    rows[r].tiles[i].thumb.width > o->tile_width)
				return pr_error_set(err, PR_EINVAL,
						    "contact sheet: tile '%s' is wider than the tile width %u",
						    rows[r].tiles[i].name, o->tile_width);
	if (layout(rows, nrows, o, &l))
		return pr_error_set(err, PR_ENOMEM, "contact sheet: out of memory");
	if ((rc = pr_image_alloc(out, l.width, l.height, 3, 8, err))) {
		layout_free(&l);
		return rc;
	}
	fill(out, 0, 0, out->width, out->height, COL_BG);
	const unsigned s = text_scale(o);
	size_t k = 0;
	for (size_t r = 0; r < nrows; r++) {
		if (rows[r].label) {
			char buf[128];
			snprintf(buf, sizeof(buf), "%s", rows[r].label);
			buf[pr_font_fit(buf, s, out->width - 2 * PR_SHEET_GAP)] = '\0';
			pr_font_draw(out, PR_SHEET_GAP, (int32_t)l.row_y[r] + 1, buf, s, COL_HEADER);
		}
		for (size_t i = 0; i < rows[r].ntiles; i++, k++)
			draw_tile(out, &rows[r].tiles[i], l.x[k], l.y[k], l.line_h[k], o);
	}
	layout_free(&l);
	return 0;
}

int pr_sheet_write(const char *path, const struct pr_sheet_row *rows, size_t nrows,
		   const struct pr_sheet_options *o, struct pr_error *err)
{
	struct pr_image img;
	int rc = pr_sheet_render(rows, nrows, o, &img, err);
	if (rc)
		return rc;
	rc = pr_write_png(path, &img, err);
	pr_image_free(&img);
	return rc;
}
