/* host.c - small host-side operations the parent performs itself (no fork involved). */
#include "pyrunc.h"
#include "errors.h"

#include <sys/mount.h>

int pyrunc_umount(const char *path, int flags, struct pyrunc_err *err)
{
    if (umount2(path, flags) < 0)
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "unmount `%s`", path);
    return 0;
}
