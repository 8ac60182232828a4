/* photorig-ptpip-sim: trigger log lines, FNV-1a/SHA-256, served copies,
 * and the simulator's own stderr messages. */
#define _GNU_SOURCE
#include "ptpip_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ptpip_sim.h"

#ifdef PTPIP_SIM_HAVE_LIBCRYPTO
#include <openssl/evp.h>
#endif

uint64_t sim_fnv1a64(const void *data, size_t size)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < size; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

void sim_sha256_hex(const void *data, size_t size, char out[65])
{
	snprintf(out, 65, "-");
#ifdef PTPIP_SIM_HAVE_LIBCRYPTO
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(data, size, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return;
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
#else
	(void)data;
	(void)size;
#endif
}

static int write_all_fd(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int sim_log_trigger(int fd, const struct sim_trigger_rec *r)
{
	if (fd < 0)
		return 0;
	char sha[65];
	uint64_t fnv = 0;
	if (r->data && r->size) {
		sim_sha256_hex(r->data, r->size, sha);
		fnv = sim_fnv1a64(r->data, r->size);
	} else {
		snprintf(sha, sizeof(sha), "-");
	}
	char line[1024];
	int n = snprintf(line, sizeof(line),
			 "mono=%llu.%09llu real=%llu.%09llu serial=%s capture=%u status=%s "
			 "handle=0x%08x file=%s size=%zu fnv1a64=%016llx sha256=%s src=%s\n",
			 (unsigned long long)(r->mono_ns / 1000000000u),
			 (unsigned long long)(r->mono_ns % 1000000000u),
			 (unsigned long long)(r->real_ns / 1000000000u),
			 (unsigned long long)(r->real_ns % 1000000000u), r->serial, r->capture,
			 r->status, r->handle, r->file ? r->file : "-", r->size,
			 (unsigned long long)fnv, sha, r->src ? r->src : "-");
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(line)) { /* keep the line a line */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	return write_all_fd(fd, line, (size_t)n);
}

int sim_write_served(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char path[4096], tmp[4200];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.tmp", dir, name, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int rc = write_all_fd(fd, (const char *)data, size);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

void sim_log_msg(const struct sim_config *cfg, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "photorig-ptpip-sim[%s]: %s\n", cfg->serial, msg);
}
