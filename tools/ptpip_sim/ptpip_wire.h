/* photorig-ptpip-sim: PTP/IP wire format (ISO 15740 / CIPA DC-005).
 *
 * Everything on the wire is little-endian. A PTP/IP packet is a 32-bit
 * length (including the 8-byte header), a 32-bit type, then a payload.
 * PTP datasets inside data phases use PTP strings: a count byte (characters
 * including the NUL) followed by UCS-2LE. Every reader here is bounded: a
 * peer can send any bytes and we answer with an error, never a crash. */
#ifndef PHOTORIG_PTPIP_WIRE_H
#define PHOTORIG_PTPIP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PTPIP_HEADER_LEN 8u
/* Largest packet we accept from a client. libgphoto2 never sends more than
 * a 64 KiB data packet; a request is at most 38 bytes. */
#define PTPIP_MAX_IN_PACKET (256u * 1024u)
/* Largest host-to-camera data phase we accept (SetDevicePropValue only). */
#define PTPIP_MAX_IN_DATA (64u * 1024u)
/* Data we send is cut into packets of this size, as cameras do. */
#define PTPIP_OUT_CHUNK (64u * 1024u)

enum ptpip_type {
	PTPIP_INIT_COMMAND_REQUEST = 1,
	PTPIP_INIT_COMMAND_ACK = 2,
	PTPIP_INIT_EVENT_REQUEST = 3,
	PTPIP_INIT_EVENT_ACK = 4,
	PTPIP_INIT_FAIL = 5,
	PTPIP_CMD_REQUEST = 6,
	PTPIP_CMD_RESPONSE = 7,
	PTPIP_EVENT = 8,
	PTPIP_START_DATA = 9,
	PTPIP_DATA = 10,
	PTPIP_CANCEL = 11,
	PTPIP_END_DATA = 12,
	PTPIP_PING = 13,
	PTPIP_PONG = 14,
};

enum ptp_opcode {
	PTP_OC_GetDeviceInfo = 0x1001,
	PTP_OC_OpenSession = 0x1002,
	PTP_OC_CloseSession = 0x1003,
	PTP_OC_GetStorageIDs = 0x1004,
	PTP_OC_GetStorageInfo = 0x1005,
	PTP_OC_GetNumObjects = 0x1006,
	PTP_OC_GetObjectHandles = 0x1007,
	PTP_OC_GetObjectInfo = 0x1008,
	PTP_OC_GetObject = 0x1009,
	PTP_OC_DeleteObject = 0x100B,
	PTP_OC_InitiateCapture = 0x100E,
	PTP_OC_GetDevicePropDesc = 0x1014,
	PTP_OC_GetDevicePropValue = 0x1015,
	PTP_OC_SetDevicePropValue = 0x1016,
	PTP_OC_ResetDevicePropValue = 0x1017,
	PTP_OC_GetPartialObject = 0x101B,
};

enum ptp_rc {
	PTP_RC_OK = 0x2001,
	PTP_RC_GeneralError = 0x2002,
	PTP_RC_SessionNotOpen = 0x2003,
	PTP_RC_OperationNotSupported = 0x2005,
	PTP_RC_ParameterNotSupported = 0x2006,
	PTP_RC_InvalidStorageID = 0x2008,
	PTP_RC_InvalidObjectHandle = 0x2009,
	PTP_RC_DevicePropNotSupported = 0x200A,
	PTP_RC_InvalidObjectFormatCode = 0x200B,
	PTP_RC_StoreFull = 0x200C,
	PTP_RC_AccessDenied = 0x200F,
	PTP_RC_DeviceBusy = 0x2019,
	PTP_RC_InvalidParentObject = 0x201A,
	PTP_RC_InvalidDevicePropFormat = 0x201B,
	PTP_RC_InvalidDevicePropValue = 0x201C,
	PTP_RC_InvalidParameter = 0x201D,
	PTP_RC_SessionAlreadyOpen = 0x201E,
};

enum ptp_event {
	PTP_EC_ObjectAdded = 0x4002,
	PTP_EC_DevicePropChanged = 0x4006,
	PTP_EC_CaptureComplete = 0x400D,
};

enum ptp_datatype {
	PTP_DTC_UINT8 = 0x0002,
	PTP_DTC_UINT16 = 0x0004,
	PTP_DTC_UINT32 = 0x0006,
	PTP_DTC_STR = 0xFFFF,
};

#define PTP_OFC_EXIF_JPEG 0x3801u
#define PTP_OFC_DNG 0x3811u /* PTP 1.1 */
#define PTP_MAX_STRING 255u /* a PTP string's count byte */

/* A growable output buffer. Appends never fail visibly: on allocation
 * failure `oom` is set and later appends are ignored, so builders stay
 * short and the caller checks once. */
struct pbuf {
	uint8_t *data;
	size_t len, cap;
	bool oom;
};

void pbuf_init(struct pbuf *b);
void pbuf_free(struct pbuf *b);
void pbuf_reset(struct pbuf *b);
void pb_bytes(struct pbuf *b, const void *p, size_t n);
void pb_u8(struct pbuf *b, uint8_t v);
void pb_u16(struct pbuf *b, uint16_t v);
void pb_u32(struct pbuf *b, uint32_t v);
void pb_u64(struct pbuf *b, uint64_t v);
/* PTP string: count byte + UCS-2LE + NUL; "" is the single byte 0. Bytes
 * above 0x7F are sent as '?', so the result is always valid UCS-2. */
void pb_ptpstr(struct pbuf *b, const char *s);
/* NUL-terminated UCS-2LE without count byte (PTP/IP init packets). */
void pb_ucs2z(struct pbuf *b, const char *s);
void pb_arr16(struct pbuf *b, const uint16_t *v, size_t n);
void pb_arr32(struct pbuf *b, const uint32_t *v, size_t n);

static inline uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* Decode a PTP string at p (avail bytes) into ASCII out (non-ASCII -> '?').
 * Returns bytes consumed, or a negative error if it overruns avail. */
int ptp_str_decode(const uint8_t *p, size_t avail, char *out, size_t outsz);
/* Decode NUL-terminated UCS-2LE (bounded by avail) into ASCII. Returns the
 * bytes consumed including the NUL, or negative if unterminated. */
int ucs2z_decode(const uint8_t *p, size_t avail, char *out, size_t outsz);

/* Nanoseconds on the given clock. */
uint64_t sim_now_ns(clockid_t clk);

/* Socket I/O with a deadline: every call returns 0 or -errno
 * (-ECONNRESET on orderly close by the peer, -ETIMEDOUT). fds are
 * non-blocking; writes use MSG_NOSIGNAL. */
int ptpip_write_all(int fd, const void *p, size_t n, int timeout_ms);
int ptpip_read_all(int fd, void *p, size_t n, int timeout_ms);
/* Read one packet: its type and payload (len bytes into buf of bufsz).
 * -EMSGSIZE when the length field is below 8 or above bufsz + 8. */
int ptpip_read_packet(int fd, int timeout_ms, uint32_t *type, uint8_t *buf, size_t bufsz,
		      size_t *len);
/* Send header + payload as one write, so a small packet is one segment. */
int ptpip_send_packet(int fd, uint32_t type, const void *payload, size_t len, int timeout_ms);
int ptpip_send_response(int fd, uint16_t code, uint32_t transid, const uint32_t *params,
			unsigned nparams, int timeout_ms);
int ptpip_send_event(int fd, uint16_t code, uint32_t transid, const uint32_t *params,
		     unsigned nparams, int timeout_ms);
/* Start_Data, Data packets, End_Data: a whole camera-to-host data phase. */
int ptpip_send_data(int fd, uint32_t transid, const void *data, size_t len, int timeout_ms);

#endif
