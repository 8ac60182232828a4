/* photorigd: the session journal (one JSON line per event, appended and
 * synced) and the manifest rewritten from it (journal.c). */
#ifndef PHOTORIGD_JOURNAL_H
#define PHOTORIGD_JOURNAL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

struct daemon;
struct session;
struct set_rec;
struct shot_rec;

int journal_append(struct session *s, json_object *line);
int journal_sync(struct session *s);
int journal_replay(struct daemon *d, struct session *s, char *why, size_t size);
json_object *journal_set_json(const struct daemon *d, const struct set_rec *set);
json_object *journal_stats_json(const struct shot_rec *r);
/* [{file, size, hash, arrive_ns}] of a shot's other files */
json_object *journal_extra_json(const struct shot_rec *r);
/* {file, size, hash[, extra_files]} of a saved shot: its file_saved line */
json_object *journal_file_json(const struct shot_rec *r);
int manifest_write(struct daemon *d);
/* Names of the mask output files of one shot (relative to the session). */
json_object *manifest_mask_files(const struct daemon *d, const char *file);
uint64_t hash_fnv1a64(const void *data, size_t size, uint64_t h);
#define HASH_FNV_INIT 0xcbf29ce484222325ULL

#endif
