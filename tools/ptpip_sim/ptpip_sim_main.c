/* photorig-ptpip-sim: command line, start-up and shutdown.
 *
 * Usage: photorig-ptpip-sim [options]; see usage() or --help. On start it
 * prints one line "READY address=A port=P event_port=E serial=S" to stdout,
 * so a test can start it with --port 0 and learn the port it got. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptpip_sim.h"

static volatile int stop_flag, wired_flag;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		wired_flag = 1;
	else
		stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: photorig-ptpip-sim [options]\n"
		"A simulated PTP/IP camera for tests; drive it with libgphoto2 port\n"
		"\"ptpip:ADDRESS\" (port 15740) or \"ptpip:ADDRESS:PORT:EVENTPORT\".\n"
		"\n"
		"  --address A            listen address (default 127.0.0.2)\n"
		"  --port P               command port (default 15740; 0 = any free port)\n"
		"  --event-port P         event port (default: same socket as --port)\n"
		"  --serial S             serial number (default SIM-<address>)\n"
		"  --model M              model (default \"photorig PTP/IP sim\")\n"
		"  --manufacturer M       manufacturer (default photorig)\n"
		"  --device-version V     device version (default 1.0)\n"
		"  --name N               PTP/IP friendly name (default: the model)\n"
		"  --images DIR           serve DIR's *.jpg/*.jpeg in name order, cycling;\n"
		"                         default: generated JPEGs showing serial and number\n"
		"  --served-dir DIR       write a copy of every served file as DIR/IMG_NNNN.JPG\n"
		"  --log FILE             append one line per InitiateCapture (see ptpip_log.h)\n"
		"  --delete-log FILE      append one line per object the host deleted (same\n"
		"                         format, status=deleted): what the host took over\n"
		"  --first-number N       file number of the first capture (default 1): a\n"
		"                         camera restarted with its old count + 1 names and\n"
		"                         draws new pictures, as a real file counter goes on\n"
		"  --drop-on N            close the connection on the Nth capture request\n"
		"  --stall-on N           stop answering on the Nth capture request\n"
		"  --busy N               answer DeviceBusy to the first N capture requests\n"
		"  --event-delay-ms MS    delay every event by MS\n"
		"  --capture-latency-ms MS  time from trigger to the object being ready\n"
		"  --io-timeout-ms MS     bound on each socket read/write (default 5000)\n"
		"  --verbose              log every operation to stderr\n"
		"  --raw-jpeg             RAW+JPEG: each capture also writes IMG_NNNN.DNG, a\n"
		"                         valid DNG at 3/2 of the JPEG's size (ObjectAdded\n"
		"                         for the JPEG, then the DNG, then CaptureComplete)\n"
		"Captures are counted from 1 over the simulator's life, across clients.\n"
		"Faults fire once; a client that reconnects after a drop or stall is\n"
		"served normally. SIGTERM or SIGINT stops the simulator cleanly. SIGUSR1 is a\n"
		"wired release of the shutter (a relay or trigger box): the camera shoots with\n"
		"no command and announces the file by events, to the connected host only.\n");
}

static int parse_uint(const char *opt, const char *s, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		fprintf(stderr, "photorig-ptpip-sim: bad value for --%s: '%s' (0..%u)\n", opt, s, max);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

enum { O_ADDR = 256, O_PORT, O_EVPORT, O_SERIAL, O_MODEL, O_MANUF, O_VERSION, O_NAME,
       O_IMAGES, O_SERVED, O_LOG, O_DELLOG, O_FIRST, O_DROP, O_STALL, O_BUSY, O_EVDELAY, O_LATENCY,
       O_IOTIMEOUT, O_VERBOSE, O_RAWJPEG, O_HELP };

static const struct option long_opts[] = {
	{ "address", required_argument, NULL, O_ADDR },
	{ "port", required_argument, NULL, O_PORT },
	{ "event-port", required_argument, NULL, O_EVPORT },
	{ "serial", required_argument, NULL, O_SERIAL },
	{ "model", required_argument, NULL, O_MODEL },
	{ "manufacturer", required_argument, NULL, O_MANUF },
	{ "device-version", required_argument, NULL, O_VERSION },
	{ "name", required_argument, NULL, O_NAME },
	{ "images", required_argument, NULL, O_IMAGES },
	{ "served-dir", required_argument, NULL, O_SERVED },
	{ "log", required_argument, NULL, O_LOG },
	{ "delete-log", required_argument, NULL, O_DELLOG },
	{ "first-number", required_argument, NULL, O_FIRST },
	{ "drop-on", required_argument, NULL, O_DROP },
	{ "stall-on", required_argument, NULL, O_STALL },
	{ "busy", required_argument, NULL, O_BUSY },
	{ "event-delay-ms", required_argument, NULL, O_EVDELAY },
	{ "capture-latency-ms", required_argument, NULL, O_LATENCY },
	{ "io-timeout-ms", required_argument, NULL, O_IOTIMEOUT },
	{ "verbose", no_argument, NULL, O_VERBOSE },
	{ "raw-jpeg", no_argument, NULL, O_RAWJPEG },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static int parse_args(int argc, char **argv, struct sim_config *c)
{
	unsigned v;
	int opt;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		int r = 0;
		switch (opt) {
		case O_ADDR: c->address = optarg; break;
		case O_PORT: r = parse_uint("port", optarg, 65535, &v); c->port = (int)v; break;
		case O_EVPORT: r = parse_uint("event-port", optarg, 65535, &v); c->event_port = (int)v; break;
		case O_SERIAL: c->serial = optarg; break;
		case O_MODEL: c->model = optarg; break;
		case O_MANUF: c->manufacturer = optarg; break;
		case O_VERSION: c->version = optarg; break;
		case O_NAME: c->friendly_name = optarg; break;
		case O_IMAGES: c->images_dir = optarg; break;
		case O_SERVED: c->served_dir = optarg; break;
		case O_LOG: c->log_path = optarg; break;
		case O_DELLOG: c->delete_log_path = optarg; break;
		case O_FIRST:
			r = parse_uint("first-number", optarg, UINT_MAX / 2, &c->first_number);
			c->first_number = c->first_number ? c->first_number : 1;
			break;
		case O_DROP: r = parse_uint("drop-on", optarg, UINT_MAX, &c->drop_on); break;
		case O_STALL: r = parse_uint("stall-on", optarg, UINT_MAX, &c->stall_on); break;
		case O_BUSY: r = parse_uint("busy", optarg, UINT_MAX, &c->busy); break;
		case O_EVDELAY: r = parse_uint("event-delay-ms", optarg, 3600000, &c->event_delay_ms); break;
		case O_LATENCY: r = parse_uint("capture-latency-ms", optarg, 3600000, &c->capture_latency_ms); break;
		case O_IOTIMEOUT:
			r = parse_uint("io-timeout-ms", optarg, 600000, &v);
			c->io_timeout_ms = v ? (int)v : 1; /* 0 would fail every read */
			break;
		case O_VERBOSE: c->verbose = true; break;
		case O_RAWJPEG: c->raw_jpeg = true; break;
		case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
		if (r < 0)
			return r;
	}
	if (optind != argc) {
		fprintf(stderr, "photorig-ptpip-sim: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	/* PTP strings carry at most 254 characters. */
	const char *strs[] = { c->serial, c->model, c->manufacturer, c->version, c->friendly_name };
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i] && strlen(strs[i]) > 254) {
			fprintf(stderr, "photorig-ptpip-sim: identity strings are limited to 254 characters\n");
			return -EINVAL;
		}
	return 0;
}

int main(int argc, char **argv)
{
	static char default_serial[64];
	struct sim_config cfg = {
		.address = "127.0.0.2", .port = 15740, .event_port = -1,
		.model = "photorig PTP/IP sim", .manufacturer = "photorig", .version = "1.0",
		.io_timeout_ms = 5000, .first_number = 1,
	};
	if (parse_args(argc, argv, &cfg) < 0)
		return 2;
	if (!cfg.serial) {
		snprintf(default_serial, sizeof(default_serial), "SIM-%s", cfg.address);
		cfg.serial = default_serial;
	}
	if (!cfg.friendly_name)
		cfg.friendly_name = cfg.model;
	/* Same number = same socket; but "--port 0 --event-port 0" asks for
	 * two distinct free ports. */
	if (cfg.event_port == cfg.port && cfg.port != 0)
		cfg.event_port = -1;

	/* A client vanishing mid-write must be an error return, not death. */
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);

	struct sim s;
	memset(&s, 0, sizeof(s));
	s.cfg = &cfg;
	s.log_fd = s.delete_log_fd = -1;
	s.s.cmd_fd = s.s.evt_fd = -1;
	s.next_conn_number = 1;
	s.busy_left = cfg.busy;
	sim_props_init(&s.props);
	sim_store_init(&s.store);
	int rc = 0;
	s.inbuf = malloc(PTPIP_MAX_IN_PACKET);
	if (!s.inbuf) {
		SIM_LOG(&s, "out of memory");
		return 1;
	}
	if (cfg.images_dir && (rc = sim_images_open(&s.images, cfg.images_dir)) < 0)
		SIM_LOG(&s, "--images %s: %s", cfg.images_dir,
			rc == -ENOENT ? "no *.jpg files" : strerror(-rc));
	if (rc == 0 && cfg.served_dir && mkdir(cfg.served_dir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		SIM_LOG(&s, "--served-dir %s: %s", cfg.served_dir, strerror(errno));
	}
	if (rc == 0 && cfg.log_path) {
		s.log_fd = open(cfg.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (s.log_fd < 0) {
			rc = -errno;
			SIM_LOG(&s, "--log %s: %s", cfg.log_path, strerror(errno));
		}
	}
	if (rc == 0 && cfg.delete_log_path) {
		s.delete_log_fd = open(cfg.delete_log_path,
				       O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (s.delete_log_fd < 0) {
			rc = -errno;
			SIM_LOG(&s, "--delete-log %s: %s", cfg.delete_log_path, strerror(errno));
		}
	}
	if (rc == 0)
		rc = sim_run(&s, &stop_flag, &wired_flag);
	if (s.log_fd >= 0)
		close(s.log_fd);
	if (s.delete_log_fd >= 0)
		close(s.delete_log_fd);
	sim_capture_free(&s);
	sim_images_close(&s.images);
	sim_store_free(&s.store);
	free(s.inbuf);
	return rc < 0 ? 1 : 0;
}
