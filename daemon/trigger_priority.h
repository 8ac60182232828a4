/* photorigd: real-time priority around a release (trigger_priority.c). */
#ifndef PHOTORIGD_TRIGGER_PRIORITY_H
#define PHOTORIGD_TRIGGER_PRIORITY_H



/* Raise the calling thread to SCHED_FIFO 1, where allowed (said once when
 * not); drop it back to SCHED_OTHER. Both are no-ops when not needed. */
void trigger_priority_raise(void);
void trigger_priority_drop(void);

#endif
