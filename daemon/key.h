/* photorigd: the operator key, a foot pedal or button (key.c). */
#ifndef PHOTORIGD_KEY_H
#define PHOTORIGD_KEY_H



struct daemon;

int opkey_setup(struct daemon *d);
void opkey_on_event(struct daemon *d);
void opkey_tick(struct daemon *d);
void opkey_shutdown(struct daemon *d);

#endif
