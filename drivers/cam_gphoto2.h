/* photorig drivers: what the gphoto2 driver offers beyond its ops table.
 *
 * Binding by serial searches every candidate port. USB cameras are found by
 * detection; PTP/IP cameras cannot be, so the daemon tells the driver every
 * ptpip: port of its config before attaching: a camera found at another
 * position's address (addresses swapped, DHCP) still binds to its own
 * position. Ports given to open() are added automatically. */
#ifndef PHOTORIG_CAM_GPHOTO2_H
#define PHOTORIG_CAM_GPHOTO2_H

/* Adds a ptpip:HOST[:PORT[:EVENTPORT]] port to the search. Thread-safe.
 * Returns 0, PR_EINVAL (not a ptpip port), or PR_ENOSPC (64 ports). */
int cam_gphoto2_add_candidate_port(const char *port);

#endif
