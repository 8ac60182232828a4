/* file_digest: what the crash-consistency run (tests/soak/crash.sh) needs to
 * know about the files a session folder holds.
 *
 *   file_digest [--decode] [FILE...]
 *
 * For each FILE (or each line of stdin when none is given) prints
 *   "fnv1a64:HEX SIZE PATH"
 * with the hash in the form photorigd journals for every original it saves
 * (FNV-1a 64 over the file's bytes, daemon/journal.c), so a test compares a
 * file on disk with what the daemon recorded without trusting the daemon to
 * recompute it. With --decode, "ok" or "undecodable: WHY" follows: the file
 * decoded by photorig's own core (JPEG, PNG, TIFF), which a file cut short
 * under its final name would fail. A file that cannot be read prints
 * "unreadable PATH: WHY". Exit 0 when every file was read (and decoded),
 * else 1. A test helper: never installed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imageio.h"

/* The journal's hash: FNV-1a, 64 bits, from the standard offset basis. */
static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static int digest(const char *path, int decode)
{
	uint8_t *data;
	size_t size;
	struct pr_error err;
	if (pr_read_file(path, PR_IMAGE_MAX_FILE_SIZE, &data, &size, &err)) {
		printf("unreadable %s: %s\n", path, err.msg);
		return 1;
	}
	printf("fnv1a64:%016" PRIx64 " %zu %s", fnv1a64(data, size), size, path);
	free(data);
	int rc = 0;
	if (decode) {
		struct pr_image img;
		if (pr_decode_file(path, &img, &err)) {
			printf(" undecodable: %s", err.msg);
			rc = 1;
		} else {
			printf(" ok");
			pr_image_free(&img);
		}
	}
	putchar('\n');
	return rc;
}

int main(int argc, char **argv)
{
	int decode = argc > 1 && !strcmp(argv[1], "--decode");
	int rc = 0;
	if (argc > 1 + decode) {
		for (int i = 1 + decode; i < argc; i++)
			rc |= digest(argv[i], decode);
		return rc;
	}
	char line[8192];
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			rc |= digest(line, decode);
	}
	return rc;
}
