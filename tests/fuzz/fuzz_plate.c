/* Fuzz target: the plate file loader (core/mask/plate_file.c, pr_plate_load).
 *
 * Plate files live in the daemon's state folder and are read at start-up
 * and after every plate capture; a disk error, a half-copied backup or an
 * edited file must be refused with a message, never crash the daemon or
 * make it allocate far more than the file could hold.
 *
 * pr_plate_load takes a path, so the input goes into a memfd that is opened
 * by its /proc/self/fd path: no temporary files, nothing to clean up, and
 * the loader runs exactly as in the daemon (no memory variant in core just
 * for the test). The CRC at the end would make almost every mutation a
 * checksum error, so a second pass fixes the CRC up and loads again: that is
 * what reaches the header and size checks behind it. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "plate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char memfd_path[64];

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_plate: property broken: %s\n", what);
		abort();
	}
}

static void load(const uint8_t *data, size_t size)
{
	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort(); /* the harness, not the loader, failed */
	struct pr_plate p;
	struct pr_error err = { 0 };
	if (pr_plate_load(memfd_path, &p, &err)) {
		check(err.msg[0] != '\0', "a refused plate has a message");
		check(p.mean == NULL && p.noise == NULL, "a refused plate holds no memory");
		return;
	}
	size_t npix = (size_t)p.width * p.height;
	check(p.width > 0 && p.height > 0 && p.frames > 0 && p.mean, "a loaded plate is whole");
	/* every byte of the planes is addressable (ASan would stop here) */
	unsigned sum = 0;
	for (size_t i = 0; i < npix * 3; i++)
		sum += p.mean[i];
	for (size_t i = 0; p.noise && i < npix; i++)
		sum += p.noise[i];
	check(memchr(p.settings, '\0', sizeof(p.settings)) != NULL, "settings are a string");
	for (size_t i = 0; i < 3 && npix; i++)
		(void)pr_plate_sigma(&p, npix - 1, (int)i);
	(void)sum;
	pr_plate_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("fuzz_plate", MFD_CLOEXEC);
		if (memfd < 0)
			abort();
		snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	}
	load(data, size);
	if (size < 4)
		return 0;
	/* again with a correct CRC-32 over everything before the last 4 bytes */
	uint8_t *fixed = malloc(size);
	if (!fixed)
		return 0;
	memcpy(fixed, data, size);
	uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), fixed, (uInt)(size - 4));
	for (int i = 0; i < 4; i++)
		fixed[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
	load(fixed, size);
	free(fixed);
	return 0;
}
