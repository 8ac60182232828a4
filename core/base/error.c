#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *pr_strerror(int code)
{
	switch (code) {
	case PR_OK: return "success";
	case PR_EINVAL: return "invalid argument";
	case PR_ENOMEM: return "out of memory";
	case PR_EIO: return "input/output error";
	case PR_EFORMAT: return "corrupt or unreadable file";
	case PR_ESIZE: return "size mismatch";
	case PR_ENOSPC: return "no space left on device";
	case PR_ENOENT: return "no such file";
	case PR_EACCES: return "permission denied";
	case PR_EUNSUPPORTED: return "unsupported";
	default: return "unknown error";
	}
}

int pr_error_set(struct pr_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

int pr_error_prefix(struct pr_error *err, int code, const char *prefix)
{
	if (err) {
		char tmp[sizeof(err->msg)];
		memcpy(tmp, err->msg, sizeof(tmp));
		pr_error_set(err, code, "%s: %s", prefix, tmp);
	}
	return code;
}

int pr_error_from_errno(int errnum)
{
	switch (errnum) {
	case ENOSPC:
	case EDQUOT: return PR_ENOSPC;
	case ENOENT:
	case ENOTDIR: return PR_ENOENT;
	case EACCES:
	case EPERM:
	case EROFS: return PR_EACCES;
	case ENOMEM: return PR_ENOMEM;
	case EINVAL: return PR_EINVAL;
	default: return PR_EIO;
	}
}
