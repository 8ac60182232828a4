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
int cmd_plate(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_raw(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_bench_rig(int argc, char **argv); /* photorig bench --rig */
int cmd_sheet(int argc, char **argv);

#endif
