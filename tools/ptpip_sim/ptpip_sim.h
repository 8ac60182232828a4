/* photorig-ptpip-sim: a simulated PTP/IP camera for tests.
 *
 * One process is one camera: it listens on a loopback address, serves one
 * PTP/IP client at a time (command + event connection), and answers the
 * generic PTP operations libgphoto2 uses. Fault modes let tests reproduce
 * what real cameras do wrong: drop the link, answer busy, stall, be slow.
 *
 * Module map: ptpip_wire (framing), ptpip_props (device properties),
 * ptpip_objects (object store, image sources), ptpip_jpeg (generated
 * images), ptpip_log (trigger log, hashes, served copies), ptpip_ops
 * (operation handlers), ptpip_server (sockets, handshake, event queue). */
#ifndef PHOTORIG_PTPIP_SIM_H
#define PHOTORIG_PTPIP_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "ptpip_objects.h"
#include "ptpip_props.h"
#include "ptpip_wire.h"

/* Command-line configuration; never changed after start-up. */
struct sim_config {
	const char *address;      /* IPv4 address to listen on */
	int port;                 /* command port; 0 = pick a free one */
	int event_port;           /* -1 = same socket as the command port */
	const char *serial, *model, *manufacturer, *version, *friendly_name;
	const char *images_dir;   /* NULL = generate JPEGs */
	const char *served_dir;   /* NULL = keep no copies */
	const char *log_path;     /* NULL = no trigger log */
	const char *delete_log_path; /* NULL = no log of objects the host deleted */
	unsigned first_number;    /* file number of capture 1 (IMG_NNNN, generated image) */
	unsigned drop_on;         /* 0 = never; else drop the link on that capture */
	unsigned stall_on;        /* 0 = never; else stop answering on that capture */
	unsigned busy;            /* answer DeviceBusy to this many captures first */
	unsigned event_delay_ms;
	unsigned capture_latency_ms;
	int io_timeout_ms;        /* bound on every single read/write */
	bool verbose;
	bool raw_jpeg;            /* every capture also writes IMG_NNNN.DNG (RAW+JPEG) */
};

#define SIM_MAX_EVENTS 256

struct sim_event {
	uint64_t due_ns; /* CLOCK_MONOTONIC */
	uint16_t code;
	uint32_t transid;
	uint32_t param;
};

/* State of the one client being served. */
struct sim_session {
	int cmd_fd, evt_fd;       /* -1 when absent */
	uint32_t conn_number;     /* handed out in Init_Command_Ack */
	bool ptp_open;            /* OpenSession received */
	uint32_t ptp_session_id;
	bool stalled;             /* --stall-on hit: read and discard everything */
	char client_name[64];
};

/* The image for the next capture, prepared while idle (ptpip_capture.c). */
struct sim_prepared {
	bool ready;
	unsigned capture;         /* generated for this capture number */
	uint32_t w, h;            /* at this ImageSize */
	uint8_t *data;
	size_t size;
	char src[SIM_SRC_LEN];
};

/* Runtime state: the camera (store, properties, counters) outlives
 * sessions, as a real camera's card and settings outlive a connection. */
struct sim {
	const struct sim_config *cfg;
	struct sim_props props;
	struct sim_store store;
	struct image_source images;
	int log_fd;
	int delete_log_fd;        /* -1 without --delete-log */
	unsigned captures;        /* InitiateCapture requests received so far */
	unsigned busy_left;
	uint32_t next_conn_number;
	struct sim_session s;
	struct sim_event events[SIM_MAX_EVENTS];
	unsigned nevents;
	uint8_t *inbuf;           /* PTPIP_MAX_IN_PACKET bytes */
	struct sim_prepared next;
	uint64_t last_trigger_ns; /* CLOCK_MONOTONIC */
};

/* What the server does after an operation was answered (or not). */
enum sim_after {
	SIM_AFTER_NONE = 0,
	SIM_AFTER_DROP,  /* close both connections now, unanswered */
	SIM_AFTER_STALL, /* never answer again on this session */
};

/* A decoded Cmd_Request plus its host-to-camera data, if any. */
struct sim_request {
	uint16_t code;
	uint32_t transid;
	uint32_t param[5];
	unsigned nparam;
	const uint8_t *data;
	size_t data_len;
	uint64_t mono_ns, real_ns; /* when the request was fully received */
};

/* ptpip_ops.c: answer one request on s->s.cmd_fd. Returns 0, or negative
 * when the connection failed (the caller ends the session). */
int sim_handle_request(struct sim *s, const struct sim_request *rq, enum sim_after *after);

/* ptpip_ops.c: answer with a bare response code. */
int sim_reply_code(struct sim *s, const struct sim_request *rq, uint16_t code);

/* ptpip_capture.c: InitiateCapture, and preparing the next image while the
 * camera is idle: sim_capture_idle does that work when due, and
 * sim_capture_idle_due says when (0 = nothing to do). */
int sim_op_capture(struct sim *s, const struct sim_request *rq, enum sim_after *after);
void sim_capture_idle(struct sim *s, uint64_t now_ns);
uint64_t sim_capture_idle_due(const struct sim *s);
void sim_capture_free(struct sim *s);
/* A wired release (SIGUSR1): shoot without a command, announce by events. */
void sim_wired_release(struct sim *s);

/* ptpip_server.c */
int sim_queue_event(struct sim *s, uint64_t due_ns, uint16_t code, uint32_t transid,
		    uint32_t param);
int sim_run(struct sim *s, volatile int *stop, volatile int *wired);

#define SIM_LOG(s, ...) sim_log_msg((s)->cfg, __VA_ARGS__)
void sim_log_msg(const struct sim_config *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
