#include "outputs.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

static const struct {
	const char *name;
	unsigned bit;
} conventions[] = {
	{ "metashape", PR_CONV_METASHAPE },
	{ "realitycapture", PR_CONV_REALITYCAPTURE },
	{ "colmap", PR_CONV_COLMAP },
	{ "alicevision", PR_CONV_ALICEVISION },
};
#define NCONV (sizeof(conventions) / sizeof(conventions[0]))

int pr_conventions_parse(const char *list, unsigned *out, struct pr_error *err)
{
	unsigned set = 0;
	const char *s = list;
	while (*s) {
		size_t len = strcspn(s, ",");
		unsigned bit = 0;
		for (size_t i = 0; i < NCONV; i++)
			if (strlen(conventions[i].name) == len && !strncmp(s, conventions[i].name, len))
				bit = conventions[i].bit;
		if (!bit)
			return pr_error_set(err, PR_EINVAL,
					    "unknown mask convention '%.*s' (known: metashape, "
					    "realitycapture, colmap, alicevision)",
					    (int)len, s);
		set |= bit;
		s += len;
		if (*s == ',')
			s++;
	}
	*out = set;
	return 0;
}

void pr_conventions_format(unsigned set, char *buf, size_t size)
{
	size_t used = 0;
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < NCONV && used < size; i++)
		if (set & conventions[i].bit)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "," : "",
						 conventions[i].name);
}

void pr_output_options_default(struct pr_output_options *o)
{
	o->conventions = 0;
	o->compression = PR_TIFF_DEFAULT;
	o->tiff_bits = 0;
	o->write_tiff = 1;
}

static const char *base_name(const char *name)
{
	const char *slash = strrchr(name, '/');
	return slash ? slash + 1 : name;
}

void pr_output_stem(const char *name, char *stem, size_t size)
{
	const char *base = base_name(name);
	const char *dot = strrchr(base, '.');
	size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	snprintf(stem, size, "%.*s", (int)len, base);
}

/* snprintf into a path buffer; a path that does not fit is an error, never
 * a silently shortened name. */
static int make_path(char *buf, size_t size, struct pr_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int make_path(char *buf, size_t size, struct pr_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return pr_error_set(err, PR_EINVAL, "output path too long: %.64s...", buf);
	return 0;
}

static int ensure_dir(const char *path, struct pr_error *err)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		return pr_error_set(err, PR_EIO, "%s: exists and is not a folder", path);
	}
	return pr_error_set(err, pr_error_from_errno(errno), "%s: cannot create folder: %s", path,
			    strerror(errno));
}

/* The RGBA TIFF (96 MB at 24 MP, written with fsync) and the mask PNG are
 * independent: the TIFF is written by a thread of its own while the caller
 * writes the PNG, so the shot costs the longer of the two, not the sum. */
struct tiff_job {
	const char *path;
	const struct pr_image *shot;
	const struct pr_mask_result *m;
	int bits;
	enum pr_tiff_compression compression;
	int rc;
	struct pr_error err;
};

static void *tiff_main(void *arg)
{
	struct tiff_job *j = arg;
	j->rc = pr_write_tiff_rgba(j->path, j->shot, j->m->alpha, j->m->width, j->bits,
				   j->compression, &j->err);
	return NULL;
}

int pr_outputs_write(const char *out_dir, const char *name, const struct pr_image *shot,
		     const struct pr_mask_result *m, const struct pr_output_options *opt,
		     struct pr_error *err)
{
	char stem[NAME_MAX + 1], masks[PATH_MAX], primary[PATH_MAX], path[PATH_MAX], tif[PATH_MAX];
	const char *base = base_name(name);
	struct tiff_job tj = { .path = tif, .shot = shot, .m = m };
	pthread_t tid;
	int rc, threaded = 0;

	pr_output_stem(base, stem, sizeof(stem));
	if (!*stem || !strcmp(stem, ".") || !strcmp(stem, ".."))
		return pr_error_set(err, PR_EINVAL, "'%s': not a usable file name", name);
	if ((rc = make_path(masks, sizeof(masks), err, "%s/masks", out_dir)) ||
	    (rc = make_path(primary, sizeof(primary), err, "%s/%s.png", masks, stem)))
		return rc;
	rc = ensure_dir(masks, err);
	if (rc)
		return rc;
	if (opt->write_tiff) {
		tj.bits = opt->tiff_bits ? opt->tiff_bits : shot->depth;
		tj.compression = opt->compression;
		tj.rc = make_path(tif, sizeof(tif), &tj.err, "%s/%s.tif", out_dir, stem);
		threaded = !tj.rc && pthread_create(&tid, NULL, tiff_main, &tj) == 0;
	}
	/* the mask is encoded once; every convention gets the same bytes */
	uint8_t *png = NULL;
	size_t png_size = 0;
	rc = pr_encode_png_grey8_memory(m->mask, m->width, m->height, m->width, &png, &png_size,
					err);
	if (!rc)
		rc = pr_atomic_write(primary, png, png_size, err);
	if (opt->write_tiff) {
		if (threaded)
			pthread_join(tid, NULL);
		else if (!rc && !tj.rc)
			tiff_main(&tj);
		/* as when written one after the other: a failed PNG is the error,
		 * and no TIFF is left beside it */
		if (rc && threaded && !tj.rc)
			unlink(tif);
		if (!rc && tj.rc) {
			*err = tj.err;
			rc = tj.rc;
		}
	}
	if (!rc && (opt->conventions & PR_CONV_METASHAPE) &&
	    !(rc = make_path(path, sizeof(path), err, "%s/%s_mask.png", out_dir, stem)))
		rc = pr_atomic_write(path, png, png_size, err);
	if (!rc && (opt->conventions & PR_CONV_REALITYCAPTURE) &&
	    !(rc = make_path(path, sizeof(path), err, "%s/%s.mask.png", out_dir, base)))
		rc = pr_atomic_write(path, png, png_size, err);
	if (!rc && (opt->conventions & PR_CONV_COLMAP) &&
	    !(rc = make_path(path, sizeof(path), err, "%s/%s.png", masks, base)))
		rc = pr_atomic_write(path, png, png_size, err);
	free(png);
	return rc;
}
