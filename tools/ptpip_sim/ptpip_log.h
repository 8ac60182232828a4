/* photorig-ptpip-sim: the trigger log, content hashes and served copies.
 *
 * The trigger log is what tests measure against: one line per
 * InitiateCapture, written with one write(2) to an O_APPEND file so lines
 * from several simulators sharing a file never interleave. Format
 * (key=value, space separated, one line):
 *
 *   mono=SEC.NSEC real=SEC.NSEC serial=S capture=N status=ok|busy|drop|stall|full|error
 *   handle=0xHHHHHHHH file=IMG_0001.JPG size=BYTES fnv1a64=HEX16 sha256=HEX64|- src=PATH|generated
 *
 * mono/real are CLOCK_MONOTONIC / CLOCK_REALTIME when the request had been
 * fully read. Non-ok lines carry handle=0x00000000 file=- size=0.
 *
 * The delete log (--delete-log) has the same lines, one per object the host
 * deleted, with capture=0 status=deleted and the object's handle, name,
 * size and hashes. */
#ifndef PHOTORIG_PTPIP_LOG_H
#define PHOTORIG_PTPIP_LOG_H

#include <stddef.h>
#include <stdint.h>

struct sim_trigger_rec {
	uint64_t mono_ns, real_ns;
	const char *serial;
	unsigned capture;
	const char *status;
	uint32_t handle;
	const char *file, *src;
	const uint8_t *data;
	size_t size;
};

uint64_t sim_fnv1a64(const void *data, size_t size);
/* Lower-case hex SHA-256 into out[65]; "-" when built without libcrypto. */
void sim_sha256_hex(const void *data, size_t size, char out[65]);

/* Returns 0 or -errno. fd < 0 is a no-op. */
int sim_log_trigger(int fd, const struct sim_trigger_rec *rec);
/* Writes dir/name atomically (temp file + rename), so a test that sees the
 * name always sees the whole file. */
int sim_write_served(const char *dir, const char *name, const uint8_t *data, size_t size);

#endif
