/* photorig session list, through photorigd or, when it does not answer,
 * from its sessions folder (cmd_session_list.c). */
#ifndef PHOTORIG_CMD_SESSION_LIST_H
#define PHOTORIG_CMD_SESSION_LIST_H

/* config: the daemon's config file for the offline listing (NULL: the
 * default). Returns the exit status. */
int session_list_run(const char *sock, const char *config, int json);

#endif
