/* photorigd: file names from [rig] file_template (naming.c). */
#ifndef PHOTORIGD_NAMING_H
#define PHOTORIGD_NAMING_H

#include <stddef.h>
#include <stdint.h>

/* Expand {session} {set} {camera} {serial} {seq} {date} {time} ({set:04}
 * zero-padded) into out: 0, or PR_EINVAL when the name does not fit or the template is bad. */
int naming_expand(const char *tmpl, const char *session, uint32_t set, const char *camera,
		  const char *serial, uint32_t seq, int64_t time_ns, char *out, size_t size);

#endif
