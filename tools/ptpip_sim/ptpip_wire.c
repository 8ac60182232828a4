/* photorig-ptpip-sim: little-endian builders, PTP strings, bounded socket
 * I/O and PTP/IP packet framing. See ptpip_wire.h for the format. */
#define _GNU_SOURCE
#include "ptpip_wire.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

void pbuf_init(struct pbuf *b) { memset(b, 0, sizeof(*b)); }

void pbuf_free(struct pbuf *b)
{
	free(b->data);
	pbuf_init(b);
}

void pbuf_reset(struct pbuf *b)
{
	b->len = 0;
	b->oom = false;
}

void pb_bytes(struct pbuf *b, const void *p, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (n > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d) {
			b->oom = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void pb_u8(struct pbuf *b, uint8_t v) { pb_bytes(b, &v, 1); }

void pb_u16(struct pbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	pb_bytes(b, x, 2);
}

void pb_u32(struct pbuf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	pb_bytes(b, x, 4);
}

void pb_u64(struct pbuf *b, uint64_t v)
{
	pb_u32(b, (uint32_t)v);
	pb_u32(b, (uint32_t)(v >> 32));
}

static uint16_t ascii_unit(unsigned char c) { return c < 0x80 ? c : '?'; }

void pb_ptpstr(struct pbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0) {
		pb_u8(b, 0);
		return;
	}
	/* The count byte includes the NUL and cannot exceed 255. */
	if (n > PTP_MAX_STRING - 1)
		n = PTP_MAX_STRING - 1;
	pb_u8(b, (uint8_t)(n + 1));
	for (size_t i = 0; i < n; i++)
		pb_u16(b, ascii_unit((unsigned char)s[i]));
	pb_u16(b, 0);
}

void pb_ucs2z(struct pbuf *b, const char *s)
{
	for (size_t i = 0; s && s[i] && i < PTP_MAX_STRING; i++)
		pb_u16(b, ascii_unit((unsigned char)s[i]));
	pb_u16(b, 0);
}

void pb_arr16(struct pbuf *b, const uint16_t *v, size_t n)
{
	pb_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		pb_u16(b, v[i]);
}

void pb_arr32(struct pbuf *b, const uint32_t *v, size_t n)
{
	pb_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		pb_u32(b, v[i]);
}

static void put_ascii(char *out, size_t outsz, size_t *o, uint16_t u)
{
	if (*o + 1 < outsz)
		out[(*o)++] = (u >= 0x20 && u < 0x7F) ? (char)u : '?';
}

int ptp_str_decode(const uint8_t *p, size_t avail, char *out, size_t outsz)
{
	size_t o = 0;
	if (outsz)
		out[0] = '\0';
	if (avail < 1)
		return -EMSGSIZE;
	size_t count = p[0];
	if (1 + 2 * count > avail)
		return -EMSGSIZE;
	for (size_t i = 0; i < count; i++) {
		uint16_t u = le16(p + 1 + 2 * i);
		if (u == 0)
			break;
		put_ascii(out, outsz, &o, u);
	}
	if (outsz)
		out[o] = '\0';
	return (int)(1 + 2 * count);
}

int ucs2z_decode(const uint8_t *p, size_t avail, char *out, size_t outsz)
{
	size_t o = 0;
	for (size_t i = 0; i + 1 < avail; i += 2) {
		uint16_t u = le16(p + i);
		if (u == 0) {
			if (outsz)
				out[o] = '\0';
			return (int)(i + 2);
		}
		put_ascii(out, outsz, &o, u);
	}
	if (outsz)
		out[o] = '\0';
	return -EMSGSIZE;
}

uint64_t sim_now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wait until fd is ready for `events` or the deadline passes. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		uint64_t now = sim_now_ns(CLOCK_MONOTONIC);
		if (now >= deadline)
			return -ETIMEDOUT;
		uint64_t ms = (deadline - now + 999999u) / 1000000u;
		struct pollfd pfd = { .fd = fd, .events = events };
		int r = poll(&pfd, 1, ms > 60000 ? 60000 : (int)ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r > 0)
			return 0; /* ready, or an error the next call reports */
	}
}

static uint64_t deadline_after(int timeout_ms)
{
	return sim_now_ns(CLOCK_MONOTONIC) + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;
}

static int writev_all(int fd, struct iovec *iov, int iovcnt, int timeout_ms)
{
	uint64_t deadline = deadline_after(timeout_ms);
	while (iovcnt > 0) {
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
		ssize_t w = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			int r = wait_fd(fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			continue;
		}
		size_t done = (size_t)w;
		while (iovcnt > 0 && done >= iov->iov_len) {
			done -= iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + done;
			iov->iov_len -= done;
		}
	}
	return 0;
}

int ptpip_write_all(int fd, const void *p, size_t n, int timeout_ms)
{
	struct iovec iov = { .iov_base = (void *)p, .iov_len = n };
	return writev_all(fd, &iov, 1, timeout_ms);
}

int ptpip_read_all(int fd, void *p, size_t n, int timeout_ms)
{
	uint64_t deadline = deadline_after(timeout_ms);
	size_t got = 0;
	while (got < n) {
		ssize_t r = recv(fd, (uint8_t *)p + got, n - got, 0);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			int w = wait_fd(fd, POLLIN, deadline);
			if (w < 0)
				return w;
			continue;
		}
		got += (size_t)r;
	}
	return 0;
}

int ptpip_read_packet(int fd, int timeout_ms, uint32_t *type, uint8_t *buf, size_t bufsz,
		      size_t *len)
{
	uint8_t hdr[PTPIP_HEADER_LEN];
	int r = ptpip_read_all(fd, hdr, sizeof(hdr), timeout_ms);
	if (r < 0)
		return r;
	uint32_t total = le32(hdr);
	if (total < PTPIP_HEADER_LEN || total - PTPIP_HEADER_LEN > bufsz)
		return -EMSGSIZE;
	*type = le32(hdr + 4);
	*len = total - PTPIP_HEADER_LEN;
	return ptpip_read_all(fd, buf, *len, timeout_ms);
}

static void put_header(uint8_t hdr[PTPIP_HEADER_LEN], uint32_t type, size_t payload)
{
	uint32_t total = (uint32_t)(payload + PTPIP_HEADER_LEN);
	for (int i = 0; i < 4; i++) {
		hdr[i] = (uint8_t)(total >> (8 * i));
		hdr[4 + i] = (uint8_t)(type >> (8 * i));
	}
}

int ptpip_send_packet(int fd, uint32_t type, const void *payload, size_t len, int timeout_ms)
{
	if (len > UINT32_MAX - PTPIP_HEADER_LEN)
		return -EMSGSIZE;
	uint8_t hdr[PTPIP_HEADER_LEN];
	put_header(hdr, type, len);
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)payload, len } };
	return writev_all(fd, iov, len ? 2 : 1, timeout_ms);
}

/* Response and event share a layout: code, transaction id, parameters. */
static int send_container(int fd, uint32_t type, uint16_t code, uint32_t transid,
			  const uint32_t *params, unsigned nparams, unsigned maxparams,
			  int timeout_ms)
{
	uint8_t p[6 + 4 * 5];
	if (nparams > maxparams)
		nparams = maxparams;
	p[0] = (uint8_t)code;
	p[1] = (uint8_t)(code >> 8);
	for (int i = 0; i < 4; i++)
		p[2 + i] = (uint8_t)(transid >> (8 * i));
	for (unsigned k = 0; k < nparams; k++)
		for (int i = 0; i < 4; i++)
			p[6 + 4 * k + (unsigned)i] = (uint8_t)(params[k] >> (8 * i));
	return ptpip_send_packet(fd, type, p, 6 + 4 * nparams, timeout_ms);
}

int ptpip_send_response(int fd, uint16_t code, uint32_t transid, const uint32_t *params,
			unsigned nparams, int timeout_ms)
{
	return send_container(fd, PTPIP_CMD_RESPONSE, code, transid, params, nparams, 5,
			      timeout_ms);
}

int ptpip_send_event(int fd, uint16_t code, uint32_t transid, const uint32_t *params,
		     unsigned nparams, int timeout_ms)
{
	/* libgphoto2 decodes at most three event parameters. */
	return send_container(fd, PTPIP_EVENT, code, transid, params, nparams, 3, timeout_ms);
}

int ptpip_send_data(int fd, uint32_t transid, const void *data, size_t len, int timeout_ms)
{
	uint8_t start[12];
	struct pbuf b = { .data = start, .cap = sizeof(start) };
	pb_u32(&b, transid);
	pb_u64(&b, len);
	int r = ptpip_send_packet(fd, PTPIP_START_DATA, start, sizeof(start), timeout_ms);
	size_t off = 0;
	/* Always end with End_Data, even for an empty data phase: it is what
	 * tells the host the transfer is over. */
	do {
		if (r < 0)
			return r;
		size_t n = len - off > PTPIP_OUT_CHUNK ? PTPIP_OUT_CHUNK : len - off;
		uint32_t type = off + n == len ? PTPIP_END_DATA : PTPIP_DATA;
		uint8_t hdr[PTPIP_HEADER_LEN + 4];
		put_header(hdr, type, 4 + n);
		for (int i = 0; i < 4; i++)
			hdr[PTPIP_HEADER_LEN + (unsigned)i] = (uint8_t)(transid >> (8 * i));
		struct iovec iov[2] = { { hdr, sizeof(hdr) },
					{ n ? (uint8_t *)data + off : NULL, n } };
		r = writev_all(fd, iov, n ? 2 : 1, timeout_ms);
		off += n;
	} while (off < len);
	return r;
}
