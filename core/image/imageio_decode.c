/* photorig core: reading camera files — format detection, bounded file
 * reads, dispatch, and the JPEG decoder (TurboJPEG).
 *
 * Camera JPEGs arrive over USB and PTP/IP, so a short transfer is a real
 * event. libjpeg only *warns* about a truncated stream and fills the rest
 * with grey; a grey bottom half masked against a plate would be a silent
 * wrong output, so corrupt-data warnings are errors here. */
#define _GNU_SOURCE
#include "imageio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>
#include <unistd.h>

enum pr_file_format pr_detect_format(const void *data, size_t size)
{
	const uint8_t *p = data;
	if (!p)
		return PR_FMT_UNKNOWN;
	if (size >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return PR_FMT_JPEG;
	if (size >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return PR_FMT_PNG;
	/* Classic TIFF (42) and BigTIFF (43), both byte orders. */
	if (size >= 4 && ((p[0] == 'I' && p[1] == 'I' && (p[2] == 42 || p[2] == 43) && p[3] == 0) ||
			  (p[0] == 'M' && p[1] == 'M' && p[2] == 0 && (p[3] == 42 || p[3] == 43))))
		return PR_FMT_TIFF;
	/* "BM", then a file size and the info header's size at offset 14 */
	if (size >= 18 && p[0] == 'B' && p[1] == 'M' && (p[14] == 12 || p[14] >= 40) &&
	    p[15] < 4 && p[16] == 0 && p[17] == 0)
		return PR_FMT_BMP;
	return PR_FMT_UNKNOWN;
}

int pr_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size,
		 struct pr_error *err)
{
	*data = NULL;
	*size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return pr_error_set(err, pr_error_from_errno(e), "%s: cannot open: %s", path,
				    strerror(e));
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return pr_error_set(err, pr_error_from_errno(e), "%s: cannot stat: %s", path,
				    strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return pr_error_set(err, PR_EINVAL, "%s: is a folder, not an image file", path);
	}
	if (!S_ISREG(st.st_mode)) {
		/* A FIFO or device could block or never end. */
		close(fd);
		return pr_error_set(err, PR_EINVAL, "%s: is not a regular file", path);
	}
	if ((uint64_t)st.st_size > max_size) {
		close(fd);
		return pr_error_set(err, PR_ESIZE, "%s: file is %lld bytes, more than the %zu allowed",
				    path, (long long)st.st_size, max_size);
	}
	size_t want = (size_t)st.st_size;
	uint8_t *buf = malloc(want ? want : 1);
	if (!buf) {
		close(fd);
		return pr_error_set(err, PR_ENOMEM, "%s: out of memory for %zu bytes", path, want);
	}
	size_t got = 0;
	while (got < want) {
		ssize_t r = read(fd, buf + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return pr_error_set(err, pr_error_from_errno(e), "%s: read failed: %s", path,
					    strerror(e));
		}
		if (r == 0)
			break; /* file shrank while reading: the decoder will see it truncated */
		got += (size_t)r;
	}
	close(fd);
	*data = buf;
	*size = got;
	return 0;
}

int pr_decode_memory(const void *data, size_t size, const char *name,
		     struct pr_image *out, struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!name)
		name = "(memory)";
	switch (pr_detect_format(data, size)) {
	case PR_FMT_JPEG: return pr_decode_jpeg(data, size, name, out, err);
	case PR_FMT_PNG: return pr_decode_png(data, size, name, out, err);
	case PR_FMT_TIFF: return pr_decode_tiff(data, size, name, out, err);
	case PR_FMT_BMP: return pr_decode_bmp(data, size, name, out, err);
	default:
		if (size == 0)
			return pr_error_set(err, PR_EFORMAT, "%s: file is empty", name);
		return pr_error_set(err, PR_EFORMAT,
				    "%s: not a JPEG, PNG, TIFF or BMP file (unknown magic bytes)", name);
	}
}

int pr_decode_file(const char *path, struct pr_image *out, struct pr_error *err)
{
	uint8_t *data;
	size_t size;
	memset(out, 0, sizeof(*out));
	int rc = pr_read_file(path, PR_IMAGE_MAX_FILE_SIZE, &data, &size, err);
	if (rc)
		return rc;
	rc = pr_decode_memory(data, size, path, out, err);
	free(data);
	return rc;
}

/* ---- JPEG ---- */

/* Reassemble an ICC profile from APP2 "ICC_PROFILE" markers (ICC.1 B.4):
 * each carries a 1-based sequence number and the total count, and a large
 * profile is split across several. Markers are walked up to the first SOS;
 * an inconsistent set is ignored (the pixels are still good). */
static int jpeg_extract_icc(const uint8_t *p, size_t size, struct pr_image *img)
{
	const uint8_t *chunk[256] = { 0 };
	size_t chunk_len[256] = { 0 };
	unsigned count = 0;
	size_t pos = 2;
	while (pos + 4 <= size) {
		if (p[pos] != 0xFF)
			return 0; /* not at a marker: stop, no guessing */
		while (pos < size && p[pos] == 0xFF)
			pos++; /* fill bytes */
		if (pos >= size)
			break;
		uint8_t m = p[pos++];
		if (m == 0xDA || m == 0xD9)
			break; /* scan data or end: no more header markers */
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD8))
			continue; /* standalone markers carry no length */
		if (pos + 2 > size)
			break;
		size_t len = ((size_t)p[pos] << 8) | p[pos + 1];
		if (len < 2 || pos + len > size)
			break;
		const uint8_t *seg = p + pos + 2;
		size_t seg_len = len - 2;
		if (m == 0xE2 && seg_len > 14 && memcmp(seg, "ICC_PROFILE", 12) == 0) {
			unsigned seq = seg[12], n = seg[13];
			if (seq == 0 || n == 0 || seq > n || (count && n != count) || chunk[seq])
				return 0;
			count = n;
			chunk[seq] = seg + 14;
			chunk_len[seq] = seg_len - 14;
		}
		pos += len;
	}
	if (!count)
		return 0;
	size_t total = 0;
	for (unsigned i = 1; i <= count; i++) {
		if (!chunk[i])
			return 0; /* a missing piece: the profile would be garbage */
		total += chunk_len[i];
	}
	uint8_t *icc = malloc(total);
	if (!icc)
		return PR_ENOMEM;
	size_t off = 0;
	for (unsigned i = 1; i <= count; i++) {
		memcpy(icc + off, chunk[i], chunk_len[i]);
		off += chunk_len[i];
	}
	free(img->icc);
	img->icc = icc;
	img->icc_size = total;
	return 0;
}

/* Which libjpeg warnings mean the pixels are wrong. "Premature end of JPEG
 * file" and "Corrupt JPEG data: ..." (bad Huffman code, premature end of
 * data segment, missing RST) all mean decoded rows were invented. Extraneous
 * bytes before EOI (0xd9) are harmless padding some cameras write. */
static int jpeg_warning_is_fatal(const char *msg)
{
	if (strstr(msg, "extraneous bytes before marker 0xd9"))
		return 0;
	if (strstr(msg, "bad ICC marker"))
		return 0;
	return strstr(msg, "Corrupt") || strstr(msg, "Premature") || strstr(msg, "premature") ||
	       strstr(msg, "progression");
}

/* Adobe CMYK JPEGs store inverted CMYK (255 = no ink): R = C*K/255 gives a
 * plain device RGB. It ignores any CMYK profile, which is why that profile
 * is not attached; good enough to mask, not for colour work. */
static void cmyk_to_rgb(const uint8_t *restrict s, uint8_t *restrict d, size_t npix)
{
	for (size_t i = 0; i < npix; i++, s += 4, d += 3) {
		unsigned k = s[3];
		d[0] = (uint8_t)((s[0] * k + 127) / 255);
		d[1] = (uint8_t)((s[1] * k + 127) / 255);
		d[2] = (uint8_t)((s[2] * k + 127) / 255);
	}
}

int pr_decode_jpeg(const void *data, size_t size, const char *name,
		   struct pr_image *out, struct pr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (size < 4)
		return pr_error_set(err, PR_EFORMAT, "%s: JPEG file is truncated (%zu bytes)", name,
				    size);
	tjhandle tj = tjInitDecompress();
	if (!tj)
		return pr_error_set(err, PR_ENOMEM, "%s: cannot start JPEG decoder: %s", name,
				    tjGetErrorStr2(NULL));
	/* Zeros: for a tables-only JPEG (quantisation and Huffman tables, no
	 * frame) tjDecompressHeader3 succeeds and sets none of them. */
	int w = 0, h = 0, subsamp = 0, cs = 0, rc = 0;
	uint8_t *cmyk = NULL;
	if (tjDecompressHeader3(tj, data, (unsigned long)size, &w, &h, &subsamp, &cs) != 0) {
		rc = pr_error_set(err, PR_EFORMAT, "%s: not a readable JPEG: %s", name,
				  tjGetErrorStr2(tj));
		goto out;
	}
	if (w <= 0 || h <= 0) {
		rc = pr_error_set(err, PR_EFORMAT, "%s: JPEG holds no image (tables only)", name);
		goto out;
	}
	int is_cmyk = cs == TJCS_CMYK || cs == TJCS_YCCK;
	int channels = cs == TJCS_GRAY ? 1 : 3;
	rc = pr_image_alloc(out, (uint32_t)w, (uint32_t)h, channels, 8, err);
	if (rc) {
		rc = pr_error_prefix(err, rc, name);
		goto out;
	}
	uint8_t *dst = out->pixels;
	int pitch = (int)out->stride, pf = channels == 1 ? TJPF_GRAY : TJPF_RGB;
	if (is_cmyk) {
		if ((size_t)w * 4 > (size_t)0x7fffffff ||
		    !(cmyk = malloc((size_t)w * 4 * (size_t)h))) {
			rc = pr_error_set(err, PR_ENOMEM, "%s: out of memory", name);
			goto out;
		}
		dst = cmyk;
		pitch = w * 4;
		pf = TJPF_CMYK;
	}
	/* LIMITSCANS: a hostile progressive JPEG with thousands of scans would
	 * otherwise take minutes; real cameras use at most a dozen. */
	if (tjDecompress2(tj, data, (unsigned long)size, dst, w, pitch, h, pf,
			  TJFLAG_LIMITSCANS) != 0) {
		const char *msg = tjGetErrorStr2(tj);
		if (tjGetErrorCode(tj) != TJERR_WARNING || jpeg_warning_is_fatal(msg)) {
			rc = pr_error_set(err, PR_EFORMAT, "%s: corrupt or truncated JPEG: %s", name,
					  msg);
			goto out;
		}
	}
	if (is_cmyk) {
		for (int y = 0; y < h; y++)
			cmyk_to_rgb(cmyk + (size_t)y * (size_t)w * 4, pr_image_row(out, (uint32_t)y),
				    (size_t)w);
	} else if (jpeg_extract_icc(data, size, out) != 0) {
		rc = pr_error_set(err, PR_ENOMEM, "%s: out of memory for the ICC profile", name);
	}
out:
	free(cmyk);
	tjDestroy(tj);
	if (rc)
		pr_image_free(out);
	return rc;
}
