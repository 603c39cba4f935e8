/* errors.c - error records and runc's wording of common errnos. */
#include "errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Engines parse these strings (docker/podman map them to 126/127): use Go's lowercase wording. */
static const char *pr_strerror(int errnum)
{
    switch (errnum) {
    case ENOENT: return "no such file or directory";
    case EACCES: return "permission denied";
    case EPERM: return "operation not permitted";
    case EEXIST: return "file exists";
    case ENOTDIR: return "not a directory";
    case EISDIR: return "is a directory";
    case EINVAL: return "invalid argument";
    case ENOEXEC: return "exec format error";
    case ELOOP: return "too many levels of symbolic links";
    case EXDEV: return "invalid cross-device link";
    case EBUSY: return "device or resource busy";
    case ENOSPC: return "no space left on device";
    case ESRCH: return "no such process";
    case EROFS: return "read-only file system";
    case ENOSYS: return "function not implemented";
    default: break;
    }
    return NULL;
}

int pr_fail(struct pyrunc_err *err, int stage, int errnum, const char *fmt, ...)
{
    va_list ap;
    int n;

    int append = errnum > 0;

    if (err == NULL)
        return -1;
    if (errnum < 0)
        errnum = -errnum; /* record the errno, but the message already says it */
    err->errnum = errnum;
    err->stage = stage;
    va_start(ap, fmt);
    n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if (append && (size_t)n < sizeof(err->msg) - 2) {
        const char *text = pr_strerror(errnum);
        char buf[64];
        if (text == NULL) {
            snprintf(buf, sizeof(buf), "%s", strerror(errnum));
            if (buf[0] >= 'A' && buf[0] <= 'Z')
                buf[0] = (char)(buf[0] - 'A' + 'a');
            text = buf;
        }
        snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s", text);
    }
    return -1;
}
