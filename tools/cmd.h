/* photorig client: one function per subcommand (tools/cmd_NAME.c). Each
 * takes the arguments after its name (argv[0] is the subcommand) and returns
 * the process exit status: 0 on success, 1 when work failed, 2 on usage. */
#ifndef PHOTORIG_CMD_H
#define PHOTORIG_CMD_H

int cmd_mask(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_scene(int argc, char **argv);
/* clients of photorigd */
int cmd_status(int argc, char **argv);
int cmd_cameras(int argc, char **argv);
int cmd_camera(int argc, char **argv);
int cmd_detect(int argc, char **argv);   /* the cameras attached, as config sections */   /* camera NAME settings | set KEY VALUE */
int cmd_plate(int argc, char **argv);
int cmd_plate_scan(int argc, char **argv); /* photorig plate --scan */
struct json_object;
/* ", TRANSIENT ..." after a plate's line when its frames disagreed
 * (the reply's plate.transient; cmd_plate_scan.c) */
void client_print_transient(struct json_object *plate);
int cmd_capture(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_raw(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_bench_rig(int argc, char **argv); /* photorig bench --rig */
int cmd_sheet(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_remask(int argc, char **argv);
int cmd_web_password(int argc, char **argv);

/* photorig capture's exit status when every set was complete but some
 * shots were saved without a mask (documented in capture --help, README). */
#define PHOTORIG_EXIT_UNMASKED 3

#include <json-c/json.h>
/* cmd_client.c: print one set's result (complete or missing, unmasked
 * shots); the exit status a capture reply calls for (0 or
 * PHOTORIG_EXIT_UNMASKED). */
void client_show_set(json_object *set);
int client_capture_verdict(json_object *reply);

#endif
