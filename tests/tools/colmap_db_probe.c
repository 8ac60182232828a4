/* colmap_db_probe DATABASE MASK_ROOT: what COLMAP's feature extraction kept,
 * read from its database with libsqlite3, against photorig's masks.
 *
 * Prints "cameras N" (rows of the cameras table), then per image:
 *   NAME CAMERA_ID KEYPOINTS ON_ZERO MASK
 * ON_ZERO: keypoints on a pixel whose mask value is 0 (COLMAP drops a
 * keypoint whose pixel, x and y truncated, is 0 in its mask); MASK: "mask"
 * when MASK_ROOT/NAME.png exists (COLMAP's mask rule), else "nomask".
 *
 * The keypoints table holds, per image, rows x cols float32 values, the
 * first two of each row x and y in pixels. Exit 0, or 1 with a message. A
 * test helper: never installed. */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imageio.h"

static int probe_image(sqlite3 *db, const char *mask_root, sqlite3_int64 id, const char *name,
		       sqlite3_int64 camera)
{
	sqlite3_stmt *st;
	long nkp = 0, on_zero = 0;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s.png", mask_root, name);
	int has_mask = access(path, F_OK) == 0;
	struct pr_image m = { 0 };
	struct pr_error err;
	if (has_mask && (pr_decode_file(path, &m, &err) || m.channels != 1 || m.depth != 8)) {
		fprintf(stderr, "colmap_db_probe: %s: %s\n", path,
			m.pixels ? "not an 8-bit grey mask" : err.msg);
		pr_image_free(&m);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT rows, cols, data FROM keypoints WHERE image_id = ?", -1,
			       &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "colmap_db_probe: %s\n", sqlite3_errmsg(db));
		pr_image_free(&m);
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		long rows = sqlite3_column_int(st, 0), cols = sqlite3_column_int(st, 1);
		const float *kp = sqlite3_column_blob(st, 2);
		long bytes = sqlite3_column_bytes(st, 2);
		if (cols < 2 || bytes != rows * cols * (long)sizeof(float)) {
			fprintf(stderr, "colmap_db_probe: %s: keypoints of %ld x %ld in %ld bytes\n",
				name, rows, cols, bytes);
			sqlite3_finalize(st);
			pr_image_free(&m);
			return -1;
		}
		nkp = rows;
		for (long i = 0; has_mask && i < rows; i++) {
			float fx = kp[i * cols], fy = kp[i * cols + 1];
			long x = (long)fx, y = (long)fy;
			if (x < 0 || y < 0 || x >= (long)m.width || y >= (long)m.height)
				on_zero++; /* outside the frame cannot be kept */
			else if (!pr_image_row(&m, (uint32_t)y)[x])
				on_zero++;
		}
	}
	sqlite3_finalize(st);
	pr_image_free(&m);
	printf("%s %lld %ld %ld %s\n", name, (long long)camera, nkp, on_zero,
	       has_mask ? "mask" : "nomask");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: colmap_db_probe DATABASE MASK_ROOT\n");
		return 1;
	}
	sqlite3 *db;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "colmap_db_probe: %s: %s\n", argv[1], sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	sqlite3_stmt *st;
	int rc = 1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM cameras", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "colmap_db_probe: %s: %s\n", argv[1], sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
		return 1;
	}
	printf("cameras %d\n", sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT image_id, name, camera_id FROM images ORDER BY name", -1,
			       &st, NULL) == SQLITE_OK) {
		rc = 0;
		while (!rc && sqlite3_step(st) == SQLITE_ROW)
			rc = probe_image(db, argv[2], sqlite3_column_int64(st, 0),
					 (const char *)sqlite3_column_text(st, 1),
					 sqlite3_column_int64(st, 2)) ? 1 : 0;
	} else {
		fprintf(stderr, "colmap_db_probe: %s\n", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
