/* Plate model files: the versioned, checksummed on-disk form (layout in
 * plate.c). Written atomically; loading names the file in every error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "atomic_file.h"
#include "plate.h"

static const char plate_magic[8] = { 'P', 'R', 'P', 'L', 'A', 'T', 'E', 0 };
#define PLATE_FIXED_HEADER 64u
#define PLATE_TRANSIENT_SIZE 24u /* version 2: share (float64), x, y, w, h */
#define PLATE_FLAG_NOISE 1u
#define CRC_CHUNK (1u << 30)

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static uint32_t float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof(u));
	return u;
}

static float bits_float(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

static uLong crc_update(uLong crc, const uint8_t *p, size_t n)
{
	while (n) {
		size_t k = n < CRC_CHUNK ? n : CRC_CHUNK;
		crc = crc32(crc, p, (uInt)k);
		p += k;
		n -= k;
	}
	return crc;
}

/* fwrite that also feeds the running CRC */
static int write_part(FILE *fp, uLong *crc, const void *data, size_t n)
{
	*crc = crc_update(*crc, data, n);
	return fwrite(data, 1, n, fp) == n ? 0 : -1;
}

int pr_plate_save(const struct pr_plate *p, const char *path, struct pr_error *err)
{
	struct pr_atomic_file af;
	size_t slen = strnlen(p->settings, sizeof(p->settings));
	size_t npix = (size_t)p->width * p->height;
	uint8_t hdr[PLATE_FIXED_HEADER] = { 0 };
	uLong crc = crc32(0L, Z_NULL, 0);
	int rc = pr_atomic_open(&af, path, 1, err);
	if (rc)
		return rc;

	memcpy(hdr, plate_magic, 8);
	put_u32(hdr + 8, PR_PLATE_VERSION);
	put_u32(hdr + 12, (uint32_t)(PLATE_FIXED_HEADER + slen + PLATE_TRANSIENT_SIZE));
	put_u32(hdr + 16, p->width);
	put_u32(hdr + 20, p->height);
	put_u32(hdr + 24, p->frames);
	put_u32(hdr + 28, p->noise ? PLATE_FLAG_NOISE : 0);
	for (int c = 0; c < 3; c++)
		put_u32(hdr + 32 + 4 * c, float_bits(p->global_noise[c]));
	put_u64(hdr + 44, p->id);
	put_u64(hdr + 52, (uint64_t)p->created);
	put_u32(hdr + 60, (uint32_t)slen);
	uint8_t tr[PLATE_TRANSIENT_SIZE];
	uint64_t share;
	memcpy(&share, &p->transient_share, sizeof(share));
	put_u64(tr, share);
	put_u32(tr + 8, (uint32_t)p->transient_x);
	put_u32(tr + 12, (uint32_t)p->transient_y);
	put_u32(tr + 16, (uint32_t)p->transient_w);
	put_u32(tr + 20, (uint32_t)p->transient_h);

	int bad = write_part(af.fp, &crc, hdr, sizeof(hdr)) ||
		  write_part(af.fp, &crc, p->settings, slen) ||
		  write_part(af.fp, &crc, tr, sizeof(tr)) ||
		  write_part(af.fp, &crc, p->mean, npix * 3) ||
		  (p->noise && write_part(af.fp, &crc, p->noise, npix));
	if (!bad) {
		uint8_t tail[4];
		put_u32(tail, (uint32_t)crc);
		bad = fwrite(tail, 1, 4, af.fp) != 4;
	}
	if (bad) {
		int e = errno;
		pr_atomic_abort(&af);
		return pr_error_set(err, pr_error_from_errno(e), "%s: cannot write plate: %s", path,
				    strerror(e));
	}
	return pr_atomic_commit(&af, err);
}

/* fread that also feeds the running CRC; a short read is a truncated file */
static int read_part(FILE *fp, uLong *crc, void *data, size_t n)
{
	if (fread(data, 1, n, fp) != n)
		return -1;
	*crc = crc_update(*crc, data, n);
	return 0;
}

int pr_plate_load(const char *path, struct pr_plate *out, struct pr_error *err)
{
	uint8_t hdr[PLATE_FIXED_HEADER];
	uLong crc = crc32(0L, Z_NULL, 0);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	FILE *fp = fopen(path, "rbe");
	if (!fp)
		return pr_error_set(err, pr_error_from_errno(errno), "%s: cannot open plate: %s", path,
				    strerror(errno));
	if (read_part(fp, &crc, hdr, sizeof(hdr)) || memcmp(hdr, plate_magic, 8)) {
		rc = pr_error_set(err, PR_EFORMAT, "%s: not a photorig plate file (bad magic or too short)",
				  path);
		goto out;
	}
	uint32_t version = get_u32(hdr + 8), hsize = get_u32(hdr + 12), slen = get_u32(hdr + 60);
	if (version != 1 && version != PR_PLATE_VERSION) {
		rc = pr_error_set(err, PR_EUNSUPPORTED,
				  "%s: plate file version %u, this photorig reads 1 to %u", path, version,
				  PR_PLATE_VERSION);
		goto out;
	}
	const uint32_t tsize = version >= 2 ? PLATE_TRANSIENT_SIZE : 0;
	out->width = get_u32(hdr + 16);
	out->height = get_u32(hdr + 20);
	out->frames = get_u32(hdr + 24);
	uint32_t flags = get_u32(hdr + 28);
	for (int c = 0; c < 3; c++)
		out->global_noise[c] = bits_float(get_u32(hdr + 32 + 4 * c));
	out->id = get_u64(hdr + 44);
	out->created = (int64_t)get_u64(hdr + 52);
	if (slen >= PR_PLATE_SETTINGS_MAX || hsize != PLATE_FIXED_HEADER + slen + tsize ||
	    out->width == 0 ||
	    out->height == 0 || out->width > PR_IMAGE_MAX_SIDE || out->height > PR_IMAGE_MAX_SIDE ||
	    (uint64_t)out->width * out->height > PR_IMAGE_MAX_PIXELS || out->frames == 0 ||
	    out->frames > PR_PLATE_MAX_FRAMES || (flags & ~PLATE_FLAG_NOISE) ||
	    !(out->global_noise[0] >= 0 && out->global_noise[0] < 256) ||
	    !(out->global_noise[1] >= 0 && out->global_noise[1] < 256) ||
	    !(out->global_noise[2] >= 0 && out->global_noise[2] < 256)) {
		rc = pr_error_set(err, PR_EFORMAT, "%s: corrupt plate header", path);
		goto out;
	}
	size_t npix = (size_t)out->width * out->height;
	/* The header's sizes must add up to the file's size before anything is
	 * allocated: a corrupt 70-byte file could otherwise make the daemon
	 * allocate 1.6 GB (PR_IMAGE_MAX_PIXELS planes) only to find it short.
	 * (Found by tests/fuzz/fuzz_plate.) */
	struct stat st;
	uint64_t want = (uint64_t)PLATE_FIXED_HEADER + slen + tsize + (uint64_t)npix * 3 +
			((flags & PLATE_FLAG_NOISE) ? npix : 0) + 4;
	if (!fstat(fileno(fp), &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size != want) {
		rc = pr_error_set(err, PR_EFORMAT, "%s: %s plate file: %lld bytes, its header "
				  "(%ux%u) says %llu", path, (uint64_t)st.st_size < want ? "truncated" :
				  "oversized (trailing bytes)", (long long)st.st_size, out->width,
				  out->height, (unsigned long long)want);
		goto out;
	}
	out->mean = malloc(npix * 3);
	if (flags & PLATE_FLAG_NOISE)
		out->noise = malloc(npix);
	if (!out->mean || ((flags & PLATE_FLAG_NOISE) && !out->noise)) {
		rc = pr_error_set(err, PR_ENOMEM, "%s: out of memory for a %ux%u plate", path,
				  out->width, out->height);
		goto out;
	}
	uint8_t tail[4], extra, tr[PLATE_TRANSIENT_SIZE];
	if (read_part(fp, &crc, out->settings, slen) || read_part(fp, &crc, tr, tsize) ||
	    read_part(fp, &crc, out->mean, npix * 3) ||
	    (out->noise && read_part(fp, &crc, out->noise, npix)) || fread(tail, 1, 4, fp) != 4) {
		rc = pr_error_set(err, PR_EFORMAT, "%s: truncated plate file (%ux%u expected)", path,
				  out->width, out->height);
		goto out;
	}
	out->settings[slen] = '\0';
	if (fread(&extra, 1, 1, fp) == 1) {
		rc = pr_error_set(err, PR_EFORMAT, "%s: plate file has trailing bytes after its checksum",
				  path);
		goto out;
	}
	if (get_u32(tail) != (uint32_t)crc) {
		rc = pr_error_set(err, PR_EFORMAT, "%s: plate checksum mismatch: the file is corrupt",
				  path);
		goto out;
	}
	if (tsize) {
		uint64_t share = get_u64(tr);
		memcpy(&out->transient_share, &share, sizeof(share));
		out->transient_x = (int)get_u32(tr + 8);
		out->transient_y = (int)get_u32(tr + 12);
		out->transient_w = (int)get_u32(tr + 16);
		out->transient_h = (int)get_u32(tr + 20);
		/* checked against the frame: the daemon prints them */
		if (!(out->transient_share >= 0 && out->transient_share <= 1) ||
		    out->transient_x < 0 || out->transient_y < 0 || out->transient_w < 0 ||
		    out->transient_h < 0 ||
		    (uint64_t)out->transient_x + (uint64_t)out->transient_w > out->width ||
		    (uint64_t)out->transient_y + (uint64_t)out->transient_h > out->height) {
			rc = pr_error_set(err, PR_EFORMAT, "%s: corrupt plate header (transient box)",
					  path);
			goto out;
		}
	}
out:
	fclose(fp);
	if (rc)
		pr_plate_free(out);
	return rc;
}
