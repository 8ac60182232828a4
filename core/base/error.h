/* photorig core: error codes and error messages.
 *
 * Every fallible core function returns 0 or a negative PR_E* code and, when
 * given a struct pr_error, fills it with a one-line message that names the
 * file or input at fault. The message is what users see, so it says what is
 * wrong in words, not only the code. */
#ifndef PHOTORIG_ERROR_H
#define PHOTORIG_ERROR_H

enum pr_errcode {
	PR_OK = 0,
	PR_EINVAL = -1,   /* bad argument or option value */
	PR_ENOMEM = -2,   /* out of memory */
	PR_EIO = -3,      /* read/write failed (errno in the message) */
	PR_EFORMAT = -4,  /* file is not a readable image / model: corrupt, truncated, unknown */
	PR_ESIZE = -5,    /* dimensions do not match (shot vs plate) or exceed limits */
	PR_ENOSPC = -6,   /* disk full: recoverable once space returns */
	PR_ENOENT = -7,   /* file or device not found */
	PR_EACCES = -8,   /* permission denied */
	PR_EUNSUPPORTED = -9, /* valid input of a kind photorig does not handle */
};

struct pr_error {
	int code;
	char msg[512];
};

/* Human words for a code ("corrupt or unsupported file", ...). */
const char *pr_strerror(int code);

/* Fill err (if not NULL) and return code. printf-checked. */
int pr_error_set(struct pr_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Put "prefix: " before the message a lower layer already wrote (a file
 * name before a size error, say); sets the code to code and returns it. */
int pr_error_prefix(struct pr_error *err, int code, const char *prefix);

/* Map an errno value to a PR_E* code (ENOSPC -> PR_ENOSPC, ENOENT -> PR_ENOENT ...). */
int pr_error_from_errno(int errnum);

#endif
