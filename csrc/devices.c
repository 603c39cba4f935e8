/* devices.c - device nodes, /dev symlinks and /dev/ptmx inside the rootfs.
 *
 * Nodes are made with mknodat() relative to a parent directory that was resolved inside the root, and
 * then reopened with O_NOFOLLOW, so a symlink planted at /dev/null can neither redirect the mknod nor
 * the chown/chmod that follows. Inside a user namespace mknod is not allowed: the plan asks to bind the
 * host's node instead (open_tree clone + move_mount onto an empty file).
 */
#include "errors.h"
#include "paths.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static int close_keep_errno(int fd)
{
    int saved = errno;
    if (fd >= 0)
        close(fd);
    errno = saved;
    return -1;
}

/* chmod through an O_PATH fd: fchmodat2(AT_EMPTY_PATH) (Linux 6.6), else the fd's /proc path, which
 * is the host's procfs at this point (before pivot). */
static int chmod_fd(int fd, mode_t mode)
{
    char path[64];

    if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
        return -1;
    return chmod(pr_fd_path(fd, path, sizeof(path)), mode);
}

static mode_t node_type(uint32_t type)
{
    switch (type) {
    case 'c':
    case 'u': return S_IFCHR;
    case 'b': return S_IFBLK;
    case 'p': return S_IFIFO;
    default: return 0;
    }
}

static int bind_device(int dirfd, const char *base, const struct pr_device *d, struct pyrunc_err *err)
{
    struct stat st;
    int tfd, tree;

    if (mknodat(dirfd, base, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
        return pr_fail_errno(err, PR_STAGE_DEVICES, "create device mount point `%s`", d->path);
    tfd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (tfd < 0)
        return pr_fail_errno(err, PR_STAGE_DEVICES, "open device mount point `%s`", d->path);
    if (fstat(tfd, &st) < 0) {
        pr_fail_errno(err, PR_STAGE_DEVICES, "stat device mount point `%s`", d->path);
        return close_keep_errno(tfd);
    }
    if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode)) {
        pr_fail(err, PR_STAGE_DEVICES, S_ISDIR(st.st_mode) ? EISDIR : ELOOP, "bind device `%s`", d->path);
        return close_keep_errno(tfd);
    }
    tree = open_tree(AT_FDCWD, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) {
        pr_fail_errno(err, PR_STAGE_DEVICES, "bind device `%s`", d->path);
        return close_keep_errno(tfd);
    }
    if (move_mount(tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        pr_fail_errno(err, PR_STAGE_DEVICES, "bind device `%s`", d->path);
        close(tree);
        return close_keep_errno(tfd);
    }
    close(tree);
    close(tfd);
    return 0;
}

static int make_device(int dirfd, const char *base, const struct pr_device *d, struct pyrunc_err *err)
{
    mode_t type = node_type(d->type);
    dev_t rdev = type == S_IFIFO ? 0 : makedev(d->major, d->minor);
    struct stat st;
    int fd;

    if (type == 0)
        return pr_fail(err, PR_STAGE_DEVICES, EINVAL, "device `%s` has unknown type %u", d->path, d->type);
    if (mknodat(dirfd, base, type | 0600, rdev) < 0 && errno != EEXIST)
        return pr_fail_errno(err, PR_STAGE_DEVICES, "mknod `%s`", d->path);
    fd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return pr_fail_errno(err, PR_STAGE_DEVICES, "open device `%s`", d->path);
    if (fstat(fd, &st) < 0) {
        pr_fail_errno(err, PR_STAGE_DEVICES, "stat device `%s`", d->path);
        return close_keep_errno(fd);
    }
    /* Something already there (the rootfs's own node, a symlink, a file): only the same node will do. */
    if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != rdev)) {
        close(fd);
        return pr_fail(err, PR_STAGE_DEVICES, EEXIST,
                       "create device `%s`: a different file already exists there", d->path);
    }
    if (fchownat(fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0) {
        pr_fail_errno(err, PR_STAGE_DEVICES, "chown device `%s`", d->path);
        return close_keep_errno(fd);
    }
    if (chmod_fd(fd, d->mode & 07777) < 0) {
        pr_fail_errno(err, PR_STAGE_DEVICES, "chmod device `%s`", d->path);
        return close_keep_errno(fd);
    }
    close(fd);
    return 0;
}

int pr_devices_create(int rootfd, const struct pr_plan *p, struct pyrunc_err *err)
{
    for (uint32_t i = 0; i < p->n_devices; i++) {
        const struct pr_device *d = &p->devices[i];
        char base[256];
        int dirfd, rc;

        dirfd = pr_open_parent_in_root(rootfd, d->path, 1, 0755, base, sizeof(base));
        if (dirfd < 0)
            return pr_fail_errno(err, PR_STAGE_DEVICES, "create parent directory of device `%s`", d->path);
        rc = d->bind ? bind_device(dirfd, base, d, err) : make_device(dirfd, base, d, err);
        close(dirfd);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int pr_symlinks_create(int rootfd, const struct pr_plan *p, struct pyrunc_err *err)
{
    for (uint32_t i = 0; i < p->n_symlinks; i++) {
        const struct pr_pair *s = &p->symlinks[i];
        char base[256];
        int dirfd = pr_open_parent_in_root(rootfd, s->b, 1, 0755, base, sizeof(base));

        if (dirfd < 0)
            return pr_fail_errno(err, PR_STAGE_DEVICES, "create parent directory of `%s`", s->b);
        /* An existing entry is left alone, as runc does (the image may ship its own /dev/fd). */
        if (symlinkat(s->a, dirfd, base) < 0 && errno != EEXIST) {
            pr_fail_errno(err, PR_STAGE_DEVICES, "symlink `%s` to `%s`", s->b, s->a);
            return close_keep_errno(dirfd);
        }
        close(dirfd);
    }
    return 0;
}

/* Canonical enough: the plan's destinations are cleaned by Python ("/dev/pts"); trailing slashes aside. */
static int is_dir(const char *path, const char *want)
{
    size_t n = strlen(path), w = strlen(want);
    while (n > 1 && path[n - 1] == '/')
        n--;
    return n == w && strncmp(path, want, w) == 0;
}

static int is_dev_pts(const char *path)
{
    return is_dir(path, "/dev/pts");
}

int pr_ptmx_setup(int rootfd, const struct pr_plan *p, struct pyrunc_err *err)
{
    int found = 0, dirfd;

    for (uint32_t i = 0; i < p->n_mounts; i++) {
        const struct pr_mount *m = &p->mounts[i];
        if ((m->ext & PR_MOUNT_DEVPTS) && is_dev_pts(m->destination))
            found = 1;
        /* A /dev bound from elsewhere (the host's) is not ours to rearrange: its ptmx stays. */
        if ((m->ext & PR_MOUNT_IS_BIND) && is_dir(m->destination, "/dev"))
            return 0;
    }
    if (!found)
        return 0;
    dirfd = pr_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY, 0);
    if (dirfd < 0)
        return pr_fail_errno(err, PR_STAGE_DEVICES, "open `/dev`");
    if (unlinkat(dirfd, "ptmx", 0) < 0 && errno != ENOENT) {
        pr_fail_errno(err, PR_STAGE_DEVICES, "remove `/dev/ptmx`");
        return close_keep_errno(dirfd);
    }
    if (symlinkat("pts/ptmx", dirfd, "ptmx") < 0) {
        pr_fail_errno(err, PR_STAGE_DEVICES, "symlink `/dev/ptmx` to `pts/ptmx`");
        return close_keep_errno(dirfd);
    }
    close(dirfd);
    return 0;
}
