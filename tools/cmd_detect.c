/* photorig detect: the cameras attached to this machine (gphoto2 over USB,
 * PTP/IP cameras at the addresses given, V4L2 devices) with model, serial
 * and port or device, and a ready-to-paste [camera NAME] section for each,
 * bound by serial so a camera finds its position whatever port it gets.
 *
 * It runs the camera drivers here, in the client, because it is for the
 * moment before a config exists; a camera photorigd holds cannot be opened
 * twice and is listed with the reason (photorig cameras shows those). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cam_detect.h"
#include "cmd.h"

static const char *usage_text =
	"usage: photorig detect [--ptpip HOST[:PORT]...] [--json]\n\n"
	"Lists the cameras attached to this machine: gphoto2 cameras on USB, PTP/IP\n"
	"(network) cameras at the addresses given, and V4L2 video devices, each with\n"
	"its model, serial number and port or device; then prints a [camera NAME]\n"
	"section per camera, bound by serial, to paste into photorig.ini.\n\n"
	"  --ptpip HOST[:PORT[:EVENTPORT]]...   network cameras to ask (one or more\n"
	"                  addresses; a network camera cannot be found without it)\n"
	"  --json          the list as JSON\n"
	"  -h, --help      this text\n\n"
	"A camera another program holds (photorigd, gvfs) is listed with the reason.\n"
	"Exit status: 0 when a camera was identified, 1 when none was, 2 on a usage\n"
	"error.\n";

static void print_stanzas(const struct cam_found_list *l)
{
	printf("\n# Paste into photorig.ini (rename the positions as you like):\n");
	int k = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct cam_found *f = &l->items[i];
		if (f->error[0])
			continue;
		printf("\n[camera cam%02d]\ndriver = %s\n", ++k, f->driver);
		if (f->serial[0])
			printf("serial = %s\n", f->serial);
		/* a network camera is only found at its address; a USB one by serial alone */
		if (!strncmp(f->port, "ptpip:", 6) || (!f->serial[0] && !strcmp(f->driver, "gphoto2")))
			printf("port = %s\n", f->port);
		if (!f->serial[0] && !strcmp(f->driver, "v4l2"))
			printf("device = %s\n", f->port);
	}
}

int cmd_detect(int argc, char **argv)
{
	const char **hosts = calloc((size_t)argc, sizeof(*hosts));
	size_t nhosts = 0;
	int json = 0, rc = 0;
	if (!hosts)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--ptpip")) {
			int before = (int)nhosts;
			while (i + 1 < argc && argv[i + 1][0] != '-')
				hosts[nhosts++] = argv[++i];
			if ((int)nhosts == before) {
				fprintf(stderr, "photorig detect: --ptpip needs one or more addresses\n");
				rc = 2;
			}
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			free(hosts);
			return 0;
		} else {
			fprintf(stderr, "photorig detect: unknown argument '%s'\n%s", argv[i], usage_text);
			rc = 2;
		}
		if (rc) {
			free(hosts);
			return rc;
		}
	}
	struct cam_found_list l = { 0 };
	struct pr_error err = { 0 };
	if (cam_detect_gphoto2(hosts, nhosts, &l, &err) && err.code != CAM_ENOTCOMPILED)
		fprintf(stderr, "photorig detect: %s\n", err.msg);
	if (cam_detect_v4l2(NULL, NULL, &l, &err) && err.code != CAM_ENOTCOMPILED)
		fprintf(stderr, "photorig detect: %s\n", err.msg);
	size_t ok = 0;
	for (size_t i = 0; i < l.n; i++)
		ok += !l.items[i].error[0];
	if (json) {
		json_object *o = json_object_new_object(), *a = json_object_new_array();
		for (size_t i = 0; i < l.n; i++) {
			const struct cam_found *f = &l.items[i];
			json_object *c = json_object_new_object();
			json_object_object_add(c, "driver", json_object_new_string(f->driver));
			json_object_object_add(c, "model", json_object_new_string(f->model));
			json_object_object_add(c, "serial", json_object_new_string(f->serial));
			json_object_object_add(c, "port", json_object_new_string(f->port));
			if (f->error[0])
				json_object_object_add(c, "error", json_object_new_string(f->error));
			json_object_array_add(a, c);
		}
		json_object_object_add(o, "cameras", a);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("%zu camera%s found%s\n", l.n, l.n == 1 ? "" : "s", l.n ? ":" : "");
		for (size_t i = 0; i < l.n; i++) {
			const struct cam_found *f = &l.items[i];
			if (f->error[0])
				printf("  %-8s %-40s NOT IDENTIFIED: %s\n", f->driver, f->port, f->error);
			else
				printf("  %-8s %-24s serial %-20s %s %s\n", f->driver, f->model,
				       f->serial[0] ? f->serial : "(none)",
				       !strcmp(f->driver, "v4l2") ? "device" : "port", f->port);
		}
		if (ok)
			print_stanzas(&l);
		else if (!nhosts)
			printf("(a network camera is found only at its address: --ptpip HOST)\n");
	}
	cam_found_free(&l);
	free(hosts);
	return ok ? 0 : 1;
}
