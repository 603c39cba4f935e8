/* rootfs.h - the container's root filesystem (csrc/rootfs.c). */
#ifndef PYRUNC_ROOTFS_H
#define PYRUNC_ROOTFS_H

#include "plan.h"

int pr_rootfs_prepare(const struct pr_plan *p, struct pyrunc_err *err);
int pr_rootfs_finish(const struct pr_plan *p, struct pyrunc_err *err);
int pr_rootfs_bind_console(const char *slave_path, struct pyrunc_err *err);

#endif
