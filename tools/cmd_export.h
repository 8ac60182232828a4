/* photorig export: the export folder, built beside its final place and
 * renamed into it (cmd_export_tree.c), for cmd_export.c. */
#ifndef PHOTORIG_CMD_EXPORT_H
#define PHOTORIG_CMD_EXPORT_H

#include <limits.h>
#include <stddef.h>

/* The first line of every export's README.txt: how a folder is known to be
 * an earlier export that a new one may replace. */
#define EXPORT_README_MARK "photorig export of session "

struct export_tree {
	char out[PATH_MAX];  /* the final folder, absolute */
	char tmp[PATH_MAX];  /* the folder being built: .NAME.export-XXXXXX beside it */
	int copy;            /* copy every file instead of hard-linking */
	unsigned links, copies;
};

/* Check that out may be (re)placed (absent, empty, or an earlier export)
 * and make the temporary folder. Prints why not and returns -1. */
int export_tree_begin(struct export_tree *t, const char *out, int copy);

/* Put the file src (any path) at rel inside the export: a hard link, or a
 * copy when asked or when src is on another filesystem. Parent folders are
 * made. Prints why not and returns -1. */
int export_tree_add(struct export_tree *t, const char *src, const char *rel);

/* Write data as the new file rel inside the export. */
int export_tree_write(struct export_tree *t, const char *rel, const void *data, size_t len);

/* Sync the tree and rename it into place, replacing an earlier export in
 * one step. Prints why not and returns -1 (the temporary folder is then
 * removed). */
int export_tree_commit(struct export_tree *t);

/* Remove the temporary folder and everything in it. */
void export_tree_abort(struct export_tree *t);

#endif
