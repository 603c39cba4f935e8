/* errors.h - filling struct pyrunc_err. Stages say where in the container's setup it failed. */
#ifndef PYRUNC_ERRORS_H
#define PYRUNC_ERRORS_H

#include "pyrunc.h"
#include <errno.h>

enum pr_stage {
    PR_STAGE_NONE = 0,
    PR_STAGE_PLAN,
    PR_STAGE_SPAWN,
    PR_STAGE_NAMESPACES,
    PR_STAGE_IDMAP,
    PR_STAGE_ROOTFS,
    PR_STAGE_DEVICES,
    PR_STAGE_PIVOT,
    PR_STAGE_PROCESS,
    PR_STAGE_SECCOMP,
    PR_STAGE_HOOK,
    PR_STAGE_EXEC,
    PR_STAGE_SYNC,
    PR_STAGE_CONSOLE,
    PR_STAGE_CGROUP,
};

/* Set err (errnum may be 0) and return -1. printf-style message, lowercase "verb `object`: reason";
 * when errnum > 0, ": strerror" is appended; a negative errnum records -errnum without appending. */
int pr_fail(struct pyrunc_err *err, int stage, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Same, using the current errno. */
#define pr_fail_errno(err, stage, ...) pr_fail((err), (stage), errno, __VA_ARGS__)

#endif
