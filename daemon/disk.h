/* photorigd: free space on the output disk (disk.c). */
#ifndef PHOTORIGD_DISK_H
#define PHOTORIGD_DISK_H

#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <stddef.h>

struct daemon;

struct disk_state {
	int full;                 /* captures, scan steps refused */
	int write_failed;         /* entered because a write failed, not only the threshold */
	char reason[512];
	char path[PATH_MAX];      /* the folder last checked */
	int have_free;            /* free_bytes is known */
	uint64_t free_bytes;
	int64_t since_ns;         /* mono: when it became full */
	int64_t next_poll_ns;
	int mask_retry;           /* masks that failed for lack of space wait to be made again */
};

/* Check the output folder now (force) or when the poll interval is up:
 * enter or leave the disk-full state. */
void disk_poll(struct daemon *d, int force);
/* 0 when a set may start; else -1 and why (the folder, its free space, the
 * threshold, what is held). */
int disk_check(struct daemon *d, char *why, size_t size);
/* The same check for another folder (plates in the state folder), no state. */
int disk_check_folder(struct daemon *d, const char *dir, const char *what, char *why,
		      size_t size);
/* A write failed: with PR_ENOSPC or PR_EIO, the disk is full. */
void disk_write_failed(struct daemon *d, int rc, const char *msg);
uint32_t disk_held_shots(const struct daemon *d);
json_object *disk_json(struct daemon *d);

#endif
