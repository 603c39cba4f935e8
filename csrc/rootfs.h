/* rootfs.h - the container's root filesystem: mounts, devices, pivot, masked and read-only paths.
 *
 * The container's init calls, in order:
 *   pr_rootfs_prepare()       in its new mount namespace, before pivot (mounts, devices, symlinks)
 *   ... createContainer hooks ...
 *   pr_rootfs_finish()        pivot_root (or MS_MOVE + chroot, or chroot), masked/read-only paths,
 *                             root.readonly, chdir("/")
 *   pr_rootfs_bind_console()  when process.terminal: bind the pty slave onto /dev/console
 * docs/rootfs.md describes the order of operations and the symlink defences.
 */
#ifndef PYRUNC_ROOTFS_H
#define PYRUNC_ROOTFS_H

#include "plan.h"

int pr_rootfs_prepare(const struct pr_plan *p, struct pyrunc_err *err);
int pr_rootfs_finish(const struct pr_plan *p, struct pyrunc_err *err);
int pr_rootfs_bind_console(const char *slave_path, struct pyrunc_err *err);
/* Same from the pty peer's fd (TIOCGPTPEER): no path of the container is looked up for the source. */
int pr_rootfs_bind_console_fd(int slave_fd, struct pyrunc_err *err);

/* For the idmapped mounts of a plan (pr_mount.userns_fd): a user namespace with these maps ("0 100000
 * 65536\n" lines), returned as an O_CLOEXEC fd. Called by the runtime before spawning; to be declared in
 * pyrunc.h for cffi. */
int pyrunc_idmap_userns(const char *uid_map, const char *gid_map, struct pyrunc_err *err);

/* ---- internal to rootfs.c / mounts.c / devices.c (and their C unit tests) ---- */

struct pr_rootfs_ctx {
    int rootfd;       /* O_PATH fd of the rootfs bind mount: every destination resolves inside it */
    int dev_ro_fd;    /* a read-only tmpfs at /dev, mounted rw until the devices exist; -1 = none */
    int selinux;      /* 1 when SELinux is enabled (mount labels apply) */
    const char *mount_label;
    int cgroupns;     /* the init is in its own cgroup namespace */
    const char *proc_cgroup;    /* override of /proc/self/cgroup (tests); NULL = the real one */
    const char *proc_mountinfo; /* override of /proc/self/mountinfo (tests) */
};

/* Mount one plan entry inside ctx->rootfd. */
int pr_mount_one(struct pr_rootfs_ctx *ctx, const struct pr_mount *m, struct pyrunc_err *err);

/* The data string a mount gets: data plus context="label" when SELinux labels apply to fstype. */
int pr_mount_data(const char *fstype, const char *data, const char *label, int selinux, char *buf, size_t cap);

/* MS_* mount flags that mount_setattr expresses, as MOUNT_ATTR_* to set and to clear. */
void pr_ms_to_attr(unsigned long flags, uint64_t *set, uint64_t *clr);

/* Copy the contents of directory srcfd into directory dstfd (tmpcopyup). */
int pr_copy_tree(int srcfd, int dstfd, struct pyrunc_err *err);

int pr_devices_create(int rootfd, const struct pr_plan *p, struct pyrunc_err *err);
int pr_symlinks_create(int rootfd, const struct pr_plan *p, struct pyrunc_err *err);
/* /dev/ptmx -> pts/ptmx when the plan mounts a devpts at /dev/pts. */
int pr_ptmx_setup(int rootfd, const struct pr_plan *p, struct pyrunc_err *err);

/* Mask one path (inside rootfd): directories get a read-only tmpfs, anything else *nullfd, a detached
 * bind of /dev/null made with open_tree before pivot (consumed: set to -1). Missing paths are skipped. */
int pr_mask_path(int rootfd, const char *path, int *nullfd, struct pyrunc_err *err);
/* Bind a path onto itself read-only, recursively. Missing paths are skipped. */
int pr_readonly_path(int rootfd, const char *path, struct pyrunc_err *err);

#endif
