/* rootfs.c - the order of the root filesystem's setup, pivot_root, masked and read-only paths.
 *
 * prepare and finish run in the same process (the container's init), so the fds opened by prepare
 * (the rootfs, the /dev/null clones for masking) are kept in statics for finish.
 */
#include "rootfs.h"

#include "errors.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int g_rootfd = -1;
static int *g_nullfds; /* one detached /dev/null bind per masked path, taken before pivot */
static uint32_t g_n_nullfds;

static int close_keep_errno(int fd)
{
    int saved = errno;
    if (fd >= 0)
        close(fd);
    errno = saved;
    return -1;
}

static int has_mount_ns(const struct pr_plan *p)
{
    return (p->ns_new & CLONE_NEWNS) != 0;
}

static int selinux_enabled(void)
{
    struct statfs sfs;
    return statfs("/sys/fs/selinux", &sfs) == 0 && sfs.f_type == (typeof(sfs.f_type))SELINUX_MAGIC;
}

/* The mount point under which path lives (the last, i.e. topmost, longest match in mountinfo). */
static int parent_mount_point(const char *path, char *out, size_t cap)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[3 * PATH_MAX];
    size_t best = 0;
    int found = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *save = NULL, *tok;
        int i = 0;
        for (tok = strtok_r(line, " ", &save); tok != NULL && i < 4; tok = strtok_r(NULL, " ", &save))
            i++;
        if (tok == NULL)
            continue;
        pr_unescape_octal(tok);
        size_t n = strlen(tok);
        int under = strcmp(tok, "/") == 0 ||
                    (strncmp(path, tok, n) == 0 && (path[n] == '/' || path[n] == '\0'));
        /* ">=": a later line for the same mount point is the mount on top. */
        if (under && n >= best) {
            best = n;
            snprintf(out, cap, "%s", tok);
            found = 1;
        }
    }
    fclose(f);
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

int pr_rootfs_prepare(const struct pr_plan *p, struct pyrunc_err *err)
{
    struct pr_rootfs_ctx ctx;
    int rc = -1;

    memset(&ctx, 0, sizeof(ctx));
    ctx.dev_ro_fd = -1;
    ctx.rootfd = -1;
    if (p->rootfs == NULL || p->rootfs[0] != '/')
        return pr_fail(err, PR_STAGE_ROOTFS, EINVAL, "rootfs `%s` is not an absolute path",
                       p->rootfs ? p->rootfs : "");
    if (has_mount_ns(p)) {
        unsigned long prop = p->rootfs_propagation ? p->rootfs_propagation : (MS_REC | MS_SLAVE);
        /* An unbindable "/" could not be bound onto itself: keep the host out (rslave) for now; finish
         * makes the new root unbindable after pivot. */
        if (prop & MS_UNBINDABLE)
            prop = MS_REC | MS_SLAVE;
        if (mount(NULL, "/", NULL, prop, NULL) < 0)
            return pr_fail_errno(err, PR_STAGE_ROOTFS, "set propagation of `/`");
        if (prop & MS_SHARED) {
            /* pivot_root refuses a shared parent mount: make just the rootfs's parent private. */
            char real[PATH_MAX], parent[PATH_MAX];
            if (realpath(p->rootfs, real) == NULL || parent_mount_point(real, parent, sizeof(parent)) < 0)
                return pr_fail_errno(err, PR_STAGE_ROOTFS, "find the mount of rootfs `%s`", p->rootfs);
            if (mount(NULL, parent, NULL, MS_PRIVATE, NULL) < 0)
                return pr_fail_errno(err, PR_STAGE_ROOTFS, "make `%s` private", parent);
        }
        if (mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
            return pr_fail_errno(err, PR_STAGE_ROOTFS, "bind rootfs `%s` onto itself", p->rootfs);
    }
    /* Without a mount namespace the mounts land in the caller's namespace, inside the rootfs; the
     * runtime unmounts them on delete (pyrunc/runtime/mountns.py). */
    /* Make the private procfs now, while mounting one is still allowed (see paths.h). */
    (void)pr_procfs_fd();
    ctx.rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (ctx.rootfd < 0)
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "open rootfs `%s`", p->rootfs);
    ctx.selinux = p->mount_label != NULL && selinux_enabled();
    ctx.mount_label = p->mount_label;
    /* In a cgroup namespace (new or joined), /proc/self/cgroup is relative to it: mount cgroupfs afresh. */
    ctx.cgroupns = (p->ns_new & CLONE_NEWCGROUP) != 0;
    for (uint32_t i = 0; i < p->n_join; i++)
        if (p->join[i].type == CLONE_NEWCGROUP)
            ctx.cgroupns = 1;

    for (uint32_t i = 0; i < p->n_mounts; i++)
        if (pr_mount_one(&ctx, &p->mounts[i], err) < 0)
            goto out;
    if (pr_devices_create(ctx.rootfd, p, err) < 0 || pr_symlinks_create(ctx.rootfd, p, err) < 0 ||
        pr_ptmx_setup(ctx.rootfd, p, err) < 0)
        goto out;
    if (ctx.dev_ro_fd >= 0) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (mount_setattr(ctx.dev_ro_fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
            pr_fail_errno(err, PR_STAGE_DEVICES, "remount `/dev` read-only");
            goto out;
        }
    }
    /* Masking needs a /dev/null that the container cannot swap: clone the host's now, one per path. */
    if (has_mount_ns(p) && p->masked.n > 0) {
        struct stat st;
        g_nullfds = calloc(p->masked.n, sizeof(int));
        if (g_nullfds == NULL) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "allocate masked paths");
            goto out;
        }
        for (uint32_t i = 0; i < p->masked.n; i++) {
            g_nullfds[i] = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
            if (g_nullfds[i] < 0) {
                pr_fail_errno(err, PR_STAGE_ROOTFS, "clone `/dev/null`");
                goto out;
            }
            g_n_nullfds = i + 1;
            if (fstat(g_nullfds[i], &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
                pr_fail(err, PR_STAGE_ROOTFS, 0, "the host's `/dev/null` is not the null device");
                goto out;
            }
        }
    }
    g_rootfd = ctx.rootfd;
    ctx.rootfd = -1;
    rc = 0;
out:
    if (ctx.rootfd >= 0)
        close(ctx.rootfd);
    if (ctx.dev_ro_fd >= 0)
        close(ctx.dev_ro_fd);
    return rc;
}

/* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only the new. */
static int do_pivot(int rootfd, struct pyrunc_err *err)
{
    int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);

    if (oldroot < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "open `/`");
    if (fchdir(rootfd) < 0) {
        pr_fail_errno(err, PR_STAGE_PIVOT, "chdir to rootfs");
        return close_keep_errno(oldroot);
    }
    if (syscall(SYS_pivot_root, ".", ".") < 0) {
        pr_fail_errno(err, PR_STAGE_PIVOT, "pivot_root `.`");
        return close_keep_errno(oldroot);
    }
    if (fchdir(oldroot) < 0) {
        pr_fail_errno(err, PR_STAGE_PIVOT, "chdir to old root");
        return close_keep_errno(oldroot);
    }
    close(oldroot);
    /* Slave first, so unmounting the old root does not propagate to the host's mounts. */
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "make old root rslave");
    if (umount2(".", MNT_DETACH) < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "unmount old root");
    if (chdir("/") < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "chdir `/`");
    return 0;
}

/* --no-pivot: move the rootfs over "/" and chroot into it (weaker: the old root is only hidden). */
static int do_move_root(int rootfd, struct pyrunc_err *err)
{
    if (fchdir(rootfd) < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "chdir to rootfs");
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "move rootfs to `/`");
    if (chroot(".") < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "chroot `.`");
    if (chdir("/") < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "chdir `/`");
    return 0;
}

static int do_chroot(int rootfd, struct pyrunc_err *err)
{
    if (fchdir(rootfd) < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "chdir to rootfs");
    if (chroot(".") < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "chroot `.`");
    if (chdir("/") < 0)
        return pr_fail_errno(err, PR_STAGE_PIVOT, "chdir `/`");
    return 0;
}

int pr_mask_path(int rootfd, const char *path, int *nullfd, struct pyrunc_err *err)
{
    struct stat st;
    int fd = pr_open_in_root(rootfd, path, O_PATH, 0);

    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "open masked path `%s`", path);
    }
    if (fstat(fd, &st) < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "stat masked path `%s`", path);
        return close_keep_errno(fd);
    }
    if (S_ISDIR(st.st_mode)) {
        int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt;
        /* "tmpfs" as the source, so mountinfo reads like runc's masks. */
        if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
            (mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY)) < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "mask `%s` with a tmpfs", path);
            close_keep_errno(fs);
            return close_keep_errno(fd);
        }
        close(fs);
        if (move_mount(mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "mask `%s` with a tmpfs", path);
            close_keep_errno(mnt);
            return close_keep_errno(fd);
        }
        close(mnt);
    } else {
        int from = *nullfd, rc;
        if (from < 0) {
            close(fd);
            return pr_fail(err, PR_STAGE_ROOTFS, EBADF, "mask `%s`: no `/dev/null` clone", path);
        }
        rc = move_mount(from, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        if (rc < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "mask `%s` with `/dev/null`", path);
            return close_keep_errno(fd);
        }
        close(from);
        *nullfd = -1;
    }
    close(fd);
    return 0;
}

int pr_readonly_path(int rootfd, const char *path, struct pyrunc_err *err)
{
    struct mount_attr attr;
    int fd = pr_open_in_root(rootfd, path, O_PATH, 0), tree;

    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "open read-only path `%s`", path);
    }
    tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
    if (tree < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "bind read-only path `%s`", path);
        return close_keep_errno(fd);
    }
    memset(&attr, 0, sizeof(attr));
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0 ||
        move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "make `%s` read-only", path);
        close(tree);
        return close_keep_errno(fd);
    }
    close(tree);
    close(fd);
    return 0;
}

static void release_nullfds(void)
{
    for (uint32_t i = 0; i < g_n_nullfds; i++)
        if (g_nullfds[i] >= 0)
            close(g_nullfds[i]);
    free(g_nullfds);
    g_nullfds = NULL;
    g_n_nullfds = 0;
}

int pr_rootfs_finish(const struct pr_plan *p, struct pyrunc_err *err)
{
    int root, rc = -1;
    uint32_t next_null = 0;

    if (g_rootfd < 0)
        return pr_fail(err, PR_STAGE_PIVOT, EBADF, "finish the rootfs before preparing it");
    if (!has_mount_ns(p))
        rc = do_chroot(g_rootfd, err);
    else if (p->no_pivot)
        rc = do_move_root(g_rootfd, err);
    else
        rc = do_pivot(g_rootfd, err);
    close(g_rootfd);
    g_rootfd = -1;
    if (rc < 0) {
        release_nullfds();
        return -1;
    }
    rc = -1;
    root = -1;
    /* rootfsPropagation also applies to the new "/" (the rootfs bind was made from a private parent). */
    if (has_mount_ns(p) && p->rootfs_propagation != 0 && mount(NULL, "/", NULL, p->rootfs_propagation, NULL) < 0) {
        pr_fail_errno(err, PR_STAGE_PIVOT, "set propagation of `/`");
        goto out;
    }
    root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) {
        pr_fail_errno(err, PR_STAGE_PIVOT, "open `/`");
        goto out;
    }
    if (has_mount_ns(p)) {
        for (uint32_t i = 0; i < p->masked.n; i++) {
            int *nullfd = next_null < g_n_nullfds ? &g_nullfds[next_null] : NULL;
            int none = -1;
            if (pr_mask_path(root, p->masked.v[i], nullfd ? nullfd : &none, err) < 0)
                goto out;
            if (nullfd != NULL && *nullfd < 0)
                next_null++;
        }
        for (uint32_t i = 0; i < p->readonly.n; i++)
            if (pr_readonly_path(root, p->readonly.v[i], err) < 0)
                goto out;
        if (p->root_readonly) {
            struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
            if (mount_setattr(root, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
                pr_fail_errno(err, PR_STAGE_ROOTFS, "remount `/` read-only");
                goto out;
            }
        }
    } else if (p->masked.n > 0 || p->readonly.n > 0 || p->root_readonly) {
        pr_fail(err, PR_STAGE_ROOTFS, EINVAL, "masked, read-only paths and root.readonly need a mount namespace");
        goto out;
    }
    if (chdir("/") < 0) {
        pr_fail_errno(err, PR_STAGE_PIVOT, "chdir `/`");
        goto out;
    }
    rc = 0;
out:
    if (root >= 0)
        close(root);
    release_nullfds();
    return rc;
}

/* Bind the terminal open on slave_fd onto /dev/console (created as an empty file when missing). */
int pr_rootfs_bind_console_fd(int slave_fd, struct pyrunc_err *err)
{
    struct stat st;
    int root, dst = -1, tree = -1, rc = -1;

    if (fstat(slave_fd, &st) < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "stat the console");
    if (!S_ISCHR(st.st_mode))
        return pr_fail(err, PR_STAGE_CONSOLE, ENOTTY, "bind the console: not a terminal");
    root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "open `/`");
    dst = pr_mkfile_in_root(root, "/dev/console", 0600);
    if (dst >= 0) {
        close(dst);
        dst = pr_open_nofollow_in_root(root, "/dev/console");
    }
    if (dst < 0) {
        pr_fail_errno(err, PR_STAGE_CONSOLE, "create `/dev/console`");
        goto out;
    }
    tree = open_tree(slave_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (tree < 0 || move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        pr_fail_errno(err, PR_STAGE_CONSOLE, "bind the console to `/dev/console`");
        goto out;
    }
    rc = 0;
out:
    close_keep_errno(tree);
    close_keep_errno(dst);
    close_keep_errno(root);
    return rc;
}

int pr_rootfs_bind_console(const char *slave_path, struct pyrunc_err *err)
{
    int root, src, rc;

    root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "open `/`");
    src = pr_open_nofollow_in_root(root, slave_path);
    close(root);
    if (src < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "open console `%s`", slave_path);
    rc = pr_rootfs_bind_console_fd(src, err);
    close(src);
    return rc;
}
