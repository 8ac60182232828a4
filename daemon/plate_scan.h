/* photorigd: `photorig plate --scan`, a plate per turntable step
 * (plate_scan.c). */
#ifndef PHOTORIGD_PLATE_SCAN_H
#define PHOTORIGD_PLATE_SCAN_H

#include <stdint.h>

#include "protocol.h"

struct daemon;
struct report;

/* Start a plate scan (req->plate_scan): replies to c itself. */
int plate_scan_begin(struct daemon *d, uint64_t requester, const struct pr_request *req);
/* Is one running? Then the loop hands it these instead of the plate op and
 * the object scan: */
int plate_scan_active(const struct daemon *d);
void plate_scan_on_report(struct daemon *d, struct report *r); /* REP_PLATE_* */
void plate_scan_on_turned(struct daemon *d, struct report *r);  /* REP_TURNED */
void plate_scan_on_timer(struct daemon *d);                     /* the settle timer */

#endif
