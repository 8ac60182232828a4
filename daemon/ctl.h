/* photorigd: the control socket and its clients (ctl.c), a front end of
 * the event bus (events.h). */
#ifndef PHOTORIGD_CTL_H
#define PHOTORIGD_CTL_H

#include <stdint.h>

struct daemon;
struct client;

/* Listen, and subscribe the clients to the event bus. */
int ctl_listen(struct daemon *d);
void ctl_accept(struct daemon *d);
void ctl_client_event(struct daemon *d, struct client *c, uint32_t events);
void ctl_close_all(struct daemon *d);

#endif
