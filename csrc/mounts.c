/* mounts.c - one config mount inside the rootfs, safely.
 *
 * Destinations are opened inside the rootfs (paths.c) before anything is mounted on them. Binds use the
 * new mount API end to end (open_tree clone -> mount_setattr -> move_mount onto the destination fd), so
 * no path is ever looked up twice. Other filesystems go through mount(2) with the target given as
 * /proc/self/fd/N of the destination fd (the host's procfs: this all runs before pivot), because mount(2)
 * is what understands every filesystem's data string; their new mount is then reopened inside the root
 * and checked to really be a new mount (and a procfs for proc) before attributes are applied to it.
 */
#include "errors.h"
#include "paths.h"
#include "rootfs.h"

#include <dirent.h>
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
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define PR_FD_PATH 64

static int close_keep_errno(int fd)
{
    int saved = errno;
    if (fd >= 0)
        close(fd);
    errno = saved;
    return -1;
}

void pr_ms_to_attr(unsigned long flags, uint64_t *set, uint64_t *clr)
{
    uint64_t s = 0, c = 0;

    if (flags & MS_RDONLY)
        s |= MOUNT_ATTR_RDONLY;
    if (flags & MS_NOSUID)
        s |= MOUNT_ATTR_NOSUID;
    if (flags & MS_NODEV)
        s |= MOUNT_ATTR_NODEV;
    if (flags & MS_NOEXEC)
        s |= MOUNT_ATTR_NOEXEC;
    if (flags & MS_NODIRATIME)
        s |= MOUNT_ATTR_NODIRATIME;
    /* The atime mode is one field: setting any of them means clearing the whole field first. */
    if (flags & MS_NOATIME) {
        s |= MOUNT_ATTR_NOATIME;
        c |= MOUNT_ATTR__ATIME;
    } else if (flags & MS_STRICTATIME) {
        s |= MOUNT_ATTR_STRICTATIME;
        c |= MOUNT_ATTR__ATIME;
    } else if (flags & MS_RELATIME) {
        s |= MOUNT_ATTR_RELATIME;
        c |= MOUNT_ATTR__ATIME;
    }
    *set = s;
    *clr = c;
}

/* SELinux labels go on filesystems whose inodes take their label from the mount: not on binds (they
 * keep the source's labels) nor on proc/sysfs/cgroup (labelled by policy) nor mqueue (runc relabels it). */
static int takes_label(const char *fstype)
{
    static const char *const skip[] = {"", "bind", "proc", "sysfs", "mqueue", "cgroup", "cgroup2", NULL};
    for (int i = 0; skip[i] != NULL; i++)
        if (strcmp(fstype, skip[i]) == 0)
            return 0;
    return 1;
}

int pr_mount_data(const char *fstype, const char *data, const char *label, int selinux, char *buf, size_t cap)
{
    int n;

    if (data == NULL)
        data = "";
    if (selinux && label != NULL && label[0] != '\0' && takes_label(fstype) && strstr(data, "context=") == NULL)
        n = snprintf(buf, cap, "%s%scontext=\"%s\"", data, data[0] ? "," : "", label);
    else
        n = snprintf(buf, cap, "%s", data);
    if (n < 0 || (size_t)n >= cap) {
        errno = E2BIG;
        return -1;
    }
    return 0;
}

static int path_is(const char *path, const char *want)
{
    /* Compare ignoring repeated and trailing slashes: "/dev/" and "//dev" are "/dev". */
    while (*path != '\0' || *want != '\0') {
        if (*path == '/' && path[1] == '/') {
            path++;
            continue;
        }
        if (*path == '/' && path[1] == '\0' && *want == '\0')
            return 1;
        if (*path != *want)
            return 0;
        path++;
        want++;
    }
    return 1;
}

static uint64_t mnt_id_of(int fd)
{
    struct statx stx;

    if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
        return 0;
    return stx.stx_mnt_id;
}

/* Attribute, idmap and propagation steps shared by every kind of mount; fd is the mount's root. */
static int set_attrs(int fd, const struct pr_mount *m, struct pyrunc_err *err)
{
    struct mount_attr attr;

    if (m->attr_set != 0 || m->attr_clr != 0) {
        memset(&attr, 0, sizeof(attr));
        attr.attr_set = m->attr_set;
        attr.attr_clr = m->attr_clr;
        if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
            return pr_fail_errno(err, PR_STAGE_ROOTFS, "set recursive mount attributes of `%s`",
                                 m->destination);
    }
    if (m->propagation != 0) {
        memset(&attr, 0, sizeof(attr));
        attr.propagation = m->propagation & ~(unsigned long)MS_REC;
        unsigned int at = AT_EMPTY_PATH | ((m->propagation & MS_REC) ? AT_RECURSIVE : 0);
        if (mount_setattr(fd, "", at, &attr, sizeof(attr)) < 0)
            return pr_fail_errno(err, PR_STAGE_ROOTFS, "set propagation of `%s`", m->destination);
    }
    return 0;
}

static int mount_bind(struct pr_rootfs_ctx *ctx, const struct pr_mount *m, int tfd, struct pyrunc_err *err)
{
    struct mount_attr attr;
    uint64_t set, clr;
    int rec = (m->flags & MS_REC) != 0;
    int tree;

    (void)ctx;
    if (m->ext & PR_MOUNT_PREPARED)
        tree = fcntl(m->userns_fd, F_DUPFD_CLOEXEC, 3); /* the parent made this idmapped tree for us */
    else
        tree = open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
    if (tree < 0)
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "bind mount `%s` to `%s`", m->source, m->destination);
    /* Like runc's bind remount: the plain options (ro, nosuid, ...) apply to the top mount only; the
     * r* forms (attr_set/attr_clr) to the whole tree. */
    pr_ms_to_attr(m->flags, &set, &clr);
    if (set != 0 || clr != 0) {
        memset(&attr, 0, sizeof(attr));
        attr.attr_set = set;
        attr.attr_clr = clr;
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "set mount options of `%s`", m->destination);
            return close_keep_errno(tree);
        }
    }
    if ((m->ext & PR_MOUNT_IDMAP) && !(m->ext & PR_MOUNT_PREPARED)) {
        if (m->userns_fd < 0) {
            pr_fail(err, PR_STAGE_ROOTFS, 0, "idmap mount `%s`: no user namespace for its mappings",
                    m->destination);
            return close_keep_errno(tree);
        }
        memset(&attr, 0, sizeof(attr));
        attr.attr_set = MOUNT_ATTR_IDMAP;
        attr.userns_fd = (uint64_t)m->userns_fd;
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "idmap mount `%s`", m->destination);
            return close_keep_errno(tree);
        }
    }
    if (move_mount(tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "bind mount `%s` to `%s`", m->source, m->destination);
        return close_keep_errno(tree);
    }
    /* The clone's fd now names the attached mount: no second lookup of the destination. */
    if (set_attrs(tree, m, err) < 0)
        return close_keep_errno(tree);
    close(tree);
    return 0;
}

/* Reopen the destination after mount(2) and make sure it is the new mount, not something swapped in. */
static int reopen_new_mount(struct pr_rootfs_ctx *ctx, const struct pr_mount *m, uint64_t old_mnt,
                            struct pyrunc_err *err)
{
    int fd = pr_open_in_root(ctx->rootfd, m->destination, O_PATH | O_DIRECTORY, 0);
    uint64_t id;

    if (fd < 0)
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "reopen mount destination `%s`", m->destination);
    id = mnt_id_of(fd);
    if (id == 0 || id == old_mnt) {
        close(fd);
        return pr_fail(err, PR_STAGE_ROOTFS, EXDEV, "mount destination `%s` changed while mounting",
                       m->destination);
    }
    if (m->ext & PR_MOUNT_PROC) {
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
            close(fd);
            return pr_fail(err, PR_STAGE_ROOTFS, 0, "mount destination `%s` is not a procfs after mounting",
                           m->destination);
        }
    }
    return fd;
}

static int mount_fs(struct pr_rootfs_ctx *ctx, const struct pr_mount *m, int tfd, struct pyrunc_err *err)
{
    char target[PR_FD_PATH], data[4096];
    unsigned long flags = m->flags;
    const char *source = m->source[0] ? m->source : m->fstype;
    int copyup = (m->ext & PR_MOUNT_TMPCOPYUP) != 0;
    int dev_ro = 0;
    int olddir = -1, fd;
    uint64_t old_mnt;

    if (pr_mount_data(m->fstype, m->data, ctx->mount_label, ctx->selinux, data, sizeof(data)) < 0)
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "mount options of `%s`", m->destination);
    if (flags & MS_REMOUNT) {
        if (mount(NULL, pr_fd_path(tfd, target, sizeof(target)), NULL, flags, data[0] ? data : NULL) < 0)
            return pr_fail_errno(err, PR_STAGE_ROOTFS, "remount `%s`", m->destination);
        return set_attrs(tfd, m, err);
    }
    /* A read-only /dev still needs its device nodes: mount it rw and seal it after they exist. */
    if ((flags & MS_RDONLY) && path_is(m->destination, "/dev") && ctx->dev_ro_fd < 0) {
        dev_ro = 1;
        flags &= ~(unsigned long)MS_RDONLY;
    }
    if (copyup && (flags & MS_RDONLY)) {
        dev_ro = 2;
        flags &= ~(unsigned long)MS_RDONLY;
    }
    if (copyup) {
        /* Opened before the mount, this fd keeps seeing the directory the tmpfs will cover. */
        olddir = openat(tfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (olddir < 0)
            return pr_fail_errno(err, PR_STAGE_ROOTFS, "open `%s` for tmpcopyup", m->destination);
    }
    old_mnt = mnt_id_of(tfd);
    if (mount(source, pr_fd_path(tfd, target, sizeof(target)), m->fstype, flags, data[0] ? data : NULL) < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "mount `%s` to `%s`", source, m->destination);
        return close_keep_errno(olddir);
    }
    fd = reopen_new_mount(ctx, m, old_mnt, err);
    if (fd < 0)
        return close_keep_errno(olddir);
    if (copyup) {
        int dst = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat st;
        if (dst < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "open `%s` for tmpcopyup", m->destination);
            goto fail;
        }
        /* The tmpfs root takes the covered directory's owner and mode, as if it had always been there. */
        if (fstat(olddir, &st) == 0) {
            if (fchown(dst, st.st_uid, st.st_gid) < 0 || fchmod(dst, st.st_mode & 07777) < 0) {
                pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup `%s`", m->destination);
                close(dst);
                goto fail;
            }
        }
        if (pr_copy_tree(olddir, dst, err) < 0) {
            close(dst);
            goto fail;
        }
        close(dst);
        close(olddir);
        olddir = -1;
    }
    if (dev_ro == 1) {
        ctx->dev_ro_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (ctx->dev_ro_fd < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "keep `%s` for sealing", m->destination);
            goto fail;
        }
    } else if (dev_ro == 2) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "remount `%s` read-only", m->destination);
            goto fail;
        }
    }
    if (set_attrs(fd, m, err) < 0)
        goto fail;
    close(fd);
    return 0;
fail:
    close_keep_errno(olddir);
    return close_keep_errno(fd);
}

/* ---- cgroup: the container's own cgroups, read-only ---- */

struct cg_hier {
    char controllers[256]; /* "cpu,cpuacct", "name=systemd", "" for the v2 tree */
    char path[PATH_MAX];   /* the init's cgroup in that hierarchy */
};

struct cg_mount {
    char fstype[16];
    char root[PATH_MAX];
    char point[PATH_MAX];
    char super[512];
};

static int read_cgroups(const char *file, struct cg_hier *out, int cap)
{
    FILE *f = fopen(file, "re");
    char line[PATH_MAX + 300];
    int n = 0;

    if (f == NULL)
        return -1;
    while (n < cap && fgets(line, sizeof(line), f) != NULL) {
        char *a = strchr(line, ':'), *b;
        if (a == NULL || (b = strchr(a + 1, ':')) == NULL)
            continue;
        *b = '\0';
        b[1 + strcspn(b + 1, "\n")] = '\0';
        snprintf(out[n].controllers, sizeof(out[n].controllers), "%s", a + 1);
        snprintf(out[n].path, sizeof(out[n].path), "%s", b + 1);
        n++;
    }
    fclose(f);
    return n;
}

static int read_cgroup_mounts(const char *file, struct cg_mount *out, int cap)
{
    FILE *f = fopen(file, "re");
    char line[3 * PATH_MAX];
    int n = 0;

    if (f == NULL)
        return -1;
    while (n < cap && fgets(line, sizeof(line), f) != NULL) {
        char *fields[10] = {0}, *save = NULL, *tok, *sep;
        int i = 0;
        sep = strstr(line, " - ");
        if (sep == NULL)
            continue;
        *sep = '\0';
        for (tok = strtok_r(line, " ", &save); tok != NULL && i < 5; tok = strtok_r(NULL, " ", &save))
            fields[i++] = tok;
        if (i < 5)
            continue;
        char *fstype = strtok_r(sep + 3, " ", &save);
        char *src = strtok_r(NULL, " ", &save);
        char *super = strtok_r(NULL, " \n", &save);
        if (fstype == NULL || src == NULL || super == NULL)
            continue;
        if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
            continue;
        snprintf(out[n].fstype, sizeof(out[n].fstype), "%s", fstype);
        snprintf(out[n].root, sizeof(out[n].root), "%s", fields[3]);
        snprintf(out[n].point, sizeof(out[n].point), "%s", fields[4]);
        snprintf(out[n].super, sizeof(out[n].super), "%s", super);
        pr_unescape_octal(out[n].root);
        pr_unescape_octal(out[n].point);
        n++;
    }
    fclose(f);
    return n;
}

/* Does a v1 mount's super options list every controller (or name=) of the hierarchy? */
static int super_has_all(const char *super, const char *controllers)
{
    char want[256], *save = NULL;

    snprintf(want, sizeof(want), "%s", controllers);
    for (char *c = strtok_r(want, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save)) {
        size_t len = strlen(c);
        const char *s = super;
        int found = 0;
        while (s != NULL && *s != '\0') {
            if (strncmp(s, c, len) == 0 && (s[len] == ',' || s[len] == '\0')) {
                found = 1;
                break;
            }
            s = strchr(s, ',');
            if (s != NULL)
                s++;
        }
        if (!found)
            return 0;
    }
    return 1;
}

/* The host directory of the init's cgroup in a hierarchy: mountpoint + (path below the mount's root). */
static const struct cg_mount *find_mount(const struct cg_hier *h, const struct cg_mount *ms, int n)
{
    const struct cg_mount *best = NULL;
    for (int i = 0; i < n; i++) {
        const struct cg_mount *m = &ms[i];
        size_t rl = strlen(m->root);
        if (h->controllers[0] == '\0' ? strcmp(m->fstype, "cgroup2") != 0
                                      : (strcmp(m->fstype, "cgroup") != 0 ||
                                         !super_has_all(m->super, h->controllers)))
            continue;
        if (strcmp(m->root, "/") != 0 &&
            (strncmp(h->path, m->root, rl) != 0 || (h->path[rl] != '/' && h->path[rl] != '\0')))
            continue;
        if (best == NULL || strlen(best->root) < rl)
            best = m;
    }
    return best;
}

static int cg_source(const struct cg_hier *h, const struct cg_mount *m, char *buf, size_t cap)
{
    const char *rel = h->path;
    if (strcmp(m->root, "/") != 0)
        rel += strlen(m->root);
    if (snprintf(buf, cap, "%s%s", m->point, rel) >= (int)cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* Bind host directory src read-only (with the cgroup mount's other flags) onto target fd. */
static int cg_bind(const char *src, int tfd, unsigned long flags, const char *dest, struct pyrunc_err *err)
{
    struct mount_attr attr;
    uint64_t set, clr;
    int tree = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

    if (tree < 0)
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "bind cgroup `%s` to `%s`", src, dest);
    pr_ms_to_attr(flags, &set, &clr);
    memset(&attr, 0, sizeof(attr));
    attr.attr_set = set;
    attr.attr_clr = clr;
    if ((set || clr) && mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "set mount options of `%s`", dest);
        return close_keep_errno(tree);
    }
    if (move_mount(tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "bind cgroup `%s` to `%s`", src, dest);
        return close_keep_errno(tree);
    }
    close(tree);
    return 0;
}

static int cg_fresh(const char *fstype, const char *data, int tfd, unsigned long flags, const char *dest,
                    struct pyrunc_err *err)
{
    char target[PR_FD_PATH];
    if (mount(fstype, pr_fd_path(tfd, target, sizeof(target)), fstype, flags, data) < 0)
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "mount `%s` to `%s`", fstype, dest);
    return 0;
}

#define CG_MAX 32

static int mount_cgroup(struct pr_rootfs_ctx *ctx, const struct pr_mount *m, int tfd, struct pyrunc_err *err)
{
    unsigned long flags = m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_NOATIME |
                                      MS_STRICTATIME | MS_NODIRATIME);
    struct cg_hier *hs = calloc(CG_MAX, sizeof(*hs));
    struct cg_mount *ms = calloc(CG_MAX * 2, sizeof(*ms));
    const char *cgfile = ctx->proc_cgroup ? ctx->proc_cgroup : "/proc/self/cgroup";
    const char *mifile = ctx->proc_mountinfo ? ctx->proc_mountinfo : "/proc/self/mountinfo";
    char src[PATH_MAX], target[PR_FD_PATH];
    int nh, nm, v1 = 0, rc = -1, fd = -1;

    if (hs == NULL || ms == NULL) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "mount cgroups at `%s`", m->destination);
        goto out;
    }
    nh = read_cgroups(cgfile, hs, CG_MAX);
    nm = read_cgroup_mounts(mifile, ms, CG_MAX * 2);
    if (nh < 0 || nm < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "read `%s`", nh < 0 ? cgfile : mifile);
        goto out;
    }
    for (int i = 0; i < nh; i++)
        v1 += hs[i].controllers[0] != '\0';

    if (v1 == 0) {
        /* Pure cgroup v2: the whole destination is the container's cgroup. */
        if (ctx->cgroupns) {
            rc = cg_fresh("cgroup2", NULL, tfd, flags, m->destination, err);
            goto out;
        }
        for (int i = 0; i < nh; i++) {
            const struct cg_mount *cm = find_mount(&hs[i], ms, nm);
            if (cm == NULL)
                continue;
            if (cg_source(&hs[i], cm, src, sizeof(src)) < 0) {
                pr_fail_errno(err, PR_STAGE_ROOTFS, "cgroup path of `%s`", m->destination);
                goto out;
            }
            rc = cg_bind(src, tfd, flags, m->destination, err);
            goto out;
        }
        pr_fail(err, PR_STAGE_ROOTFS, ENOENT, "find the cgroup2 mount for `%s`", m->destination);
        goto out;
    }

    /* v1 or hybrid: a tmpfs holding one directory per hierarchy. */
    if (mount("tmpfs", pr_fd_path(tfd, target, sizeof(target)), "tmpfs", flags & ~(unsigned long)MS_RDONLY,
              "mode=755") < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "mount `tmpfs` to `%s`", m->destination);
        goto out;
    }
    {
        struct pr_mount tm = *m;
        tm.ext = 0;
        fd = reopen_new_mount(ctx, &tm, mnt_id_of(tfd), err);
        if (fd < 0)
            goto out;
    }
    for (int i = 0; i < nh; i++) {
        const struct cg_hier *h = &hs[i];
        const struct cg_mount *cm = find_mount(h, ms, nm);
        const char *name = h->controllers;
        int sub;

        if (h->controllers[0] == '\0')
            name = "unified";
        else if (strncmp(name, "name=", 5) == 0)
            name += 5;
        if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        if (cm == NULL && !ctx->cgroupns)
            continue; /* a hierarchy nobody mounted (e.g. name=foo): nothing to show */
        if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "mkdir `%s/%s`", m->destination, name);
            goto out;
        }
        sub = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "open `%s/%s`", m->destination, name);
            goto out;
        }
        if (ctx->cgroupns) {
            char data[300];
            if (h->controllers[0] == '\0')
                rc = cg_fresh("cgroup2", NULL, sub, flags, m->destination, err);
            else {
                snprintf(data, sizeof(data), "%s%s", strncmp(h->controllers, "name=", 5) == 0 ? "none," : "",
                         h->controllers);
                rc = cg_fresh("cgroup", data, sub, flags, m->destination, err);
            }
        } else if (cg_source(h, cm, src, sizeof(src)) < 0) {
            rc = pr_fail_errno(err, PR_STAGE_ROOTFS, "cgroup path of `%s`", name);
        } else {
            rc = cg_bind(src, sub, flags, m->destination, err);
        }
        close(sub);
        if (rc < 0)
            goto out;
        rc = -1;
        /* "cpu,cpuacct" is also reachable as cpu and cpuacct, like on the host. */
        if (strchr(name, ',') != NULL) {
            char parts[256], *save = NULL;
            snprintf(parts, sizeof(parts), "%s", name);
            for (char *c = strtok_r(parts, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save)) {
                if (symlinkat(name, fd, c) < 0 && errno != EEXIST) {
                    pr_fail_errno(err, PR_STAGE_ROOTFS, "symlink `%s/%s`", m->destination, c);
                    goto out;
                }
            }
        }
    }
    if (flags & MS_RDONLY) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
            pr_fail_errno(err, PR_STAGE_ROOTFS, "remount `%s` read-only", m->destination);
            goto out;
        }
    }
    rc = set_attrs(fd, m, err);
out:
    if (fd >= 0)
        close(fd);
    free(hs);
    free(ms);
    return rc;
}

/* Open (creating when missing) the destination of m inside the root. */
static int open_destination(struct pr_rootfs_ctx *ctx, const struct pr_mount *m, struct pyrunc_err *err)
{
    struct stat st;
    int fd;

    if (m->destination[0] != '/')
        return pr_fail(err, PR_STAGE_ROOTFS, EINVAL, "mount destination `%s` is not absolute", m->destination);
    if (m->ext & (PR_MOUNT_PROC | PR_MOUNT_SYSFS)) {
        /* CVE-2019-19921/16884: /proc and /sys must be real directories, never symlinks. */
        fd = pr_open_nofollow_in_root(ctx->rootfd, m->destination);
        if (fd < 0 && errno == ELOOP)
            return pr_fail(err, PR_STAGE_ROOTFS, 0, "mount destination `%s` is a symlink", m->destination);
        if (fd < 0 && errno == ENOENT)
            fd = pr_mkdir_all_in_root(ctx->rootfd, m->destination, 0755);
        if (fd < 0)
            return pr_fail_errno(err, PR_STAGE_ROOTFS, "open mount destination `%s`", m->destination);
        if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
            close(fd);
            return pr_fail(err, PR_STAGE_ROOTFS, ENOTDIR, "mount destination `%s`", m->destination);
        }
        return fd;
    }
    if (m->ext & PR_MOUNT_IS_BIND) {
        if (stat(m->source, &st) < 0)
            return pr_fail_errno(err, PR_STAGE_ROOTFS, "stat bind source `%s`", m->source);
        if (!S_ISDIR(st.st_mode)) {
            fd = pr_mkfile_in_root(ctx->rootfd, m->destination, 0644);
            if (fd < 0)
                return pr_fail_errno(err, PR_STAGE_ROOTFS, "create mount destination `%s`", m->destination);
            return fd;
        }
    }
    fd = pr_mkdir_all_in_root(ctx->rootfd, m->destination, 0755);
    if (fd < 0)
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "create mount destination `%s`", m->destination);
    {
        /* A destination that resolves (through a symlink inside the root, say /myproc -> /proc) to the
         * root of the container's procfs would cover it with something else (CVE-2019-16884 shape). */
        struct statfs sfs;
        if (fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC && fstat(fd, &st) == 0 && st.st_ino == 1) {
            close(fd);
            return pr_fail(err, PR_STAGE_ROOTFS, -EPERM,
                           "mount destination `%s` resolves to the container's /proc: only procfs may go there",
                           m->destination);
        }
    }
    return fd;
}

int pr_mount_one(struct pr_rootfs_ctx *ctx, const struct pr_mount *m, struct pyrunc_err *err)
{
    int tfd = open_destination(ctx, m, err);
    int rc;

    if (tfd < 0)
        return -1;
    if (m->ext & PR_MOUNT_CGROUP)
        rc = mount_cgroup(ctx, m, tfd, err);
    else if (m->ext & PR_MOUNT_IS_BIND)
        rc = mount_bind(ctx, m, tfd, err);
    else
        rc = mount_fs(ctx, m, tfd, err);
    close(tfd);
    return rc;
}

/* ---- tmpcopyup ---- */

static int copy_file(int src, int dst, const char *name, struct pyrunc_err *err)
{
    char buf[65536];
    int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int out;

    if (in < 0)
        return pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: open `%s`", name);
    out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: create `%s`", name);
        return close_keep_errno(in);
    }
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf)), off = 0;
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: read `%s`", name);
            goto fail;
        }
        while (off < n) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: write `%s`", name);
                goto fail;
            }
            off += w;
        }
    }
    close(in);
    close(out);
    return 0;
fail:
    close_keep_errno(in);
    return close_keep_errno(out);
}

static int copy_tree_depth(int srcfd, int dstfd, int depth, struct pyrunc_err *err)
{
    int dup_fd;
    DIR *d;
    struct dirent *de;
    int rc = 0;

    if (depth > 64)
        return pr_fail(err, PR_STAGE_ROOTFS, ELOOP, "tmpcopyup: directory tree too deep");
    dup_fd = openat(srcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup_fd < 0 || (d = fdopendir(dup_fd)) == NULL) {
        pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: read directory");
        return close_keep_errno(dup_fd);
    }
    while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
        struct stat st;
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        if (fstatat(srcfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: stat `%s`", n);
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            int s, t;
            if (mkdirat(dstfd, n, 0700) < 0) {
                rc = pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: mkdir `%s`", n);
                break;
            }
            s = openat(srcfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            t = openat(dstfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (s < 0 || t < 0)
                rc = pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: open `%s`", n);
            else
                rc = copy_tree_depth(s, t, depth + 1, err);
            if (s >= 0)
                close(s);
            if (t >= 0)
                close(t);
        } else if (S_ISREG(st.st_mode)) {
            rc = copy_file(srcfd, dstfd, n, err);
        } else if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t len = readlinkat(srcfd, n, target, sizeof(target) - 1);
            if (len < 0 || (target[len] = '\0', symlinkat(target, dstfd, n) < 0))
                rc = pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: symlink `%s`", n);
        } else if (mknodat(dstfd, n, st.st_mode & S_IFMT, st.st_rdev) < 0) {
            rc = pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: mknod `%s`", n);
        }
        if (rc == 0 && fchownat(dstfd, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
            rc = pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: chown `%s`", n);
        if (rc == 0 && !S_ISLNK(st.st_mode) && fchmodat(dstfd, n, st.st_mode & 07777, 0) < 0)
            rc = pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: chmod `%s`", n);
    }
    if (rc == 0 && errno != 0)
        rc = pr_fail_errno(err, PR_STAGE_ROOTFS, "tmpcopyup: read directory");
    closedir(d);
    return rc;
}

int pr_copy_tree(int srcfd, int dstfd, struct pyrunc_err *err)
{
    return copy_tree_depth(srcfd, dstfd, 0, err);
}

/* ---- user namespaces for idmapped mounts ---- */

static int write_proc_file(pid_t pid, const char *name, const char *text)
{
    char path[64];
    size_t len = strlen(text);
    int fd;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = write(fd, text, len);
    close_keep_errno(fd);
    if (n != (ssize_t)len) {
        if (n >= 0)
            errno = EIO;
        return -1;
    }
    return 0;
}

int pyrunc_idmap_userns(const char *uid_map, const char *gid_map, struct pyrunc_err *err)
{
    int ready[2], hold[2], fd = -1, status;
    char path[64], c = 0;
    pid_t pid;

    if (pipe2(ready, O_CLOEXEC) < 0)
        return pr_fail_errno(err, PR_STAGE_IDMAP, "create pipe");
    if (pipe2(hold, O_CLOEXEC) < 0) {
        pr_fail_errno(err, PR_STAGE_IDMAP, "create pipe");
        close(ready[0]);
        return close_keep_errno(ready[1]);
    }
    pid = fork();
    if (pid < 0) {
        pr_fail_errno(err, PR_STAGE_IDMAP, "fork");
        goto out;
    }
    if (pid == 0) {
        /* A throwaway process whose only job is to own the new user namespace until it is opened. */
        close(ready[0]);
        close(hold[1]);
        c = unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
        if (write(ready[1], &c, 1) != 1 || c == 0)
            _exit(1);
        while (read(hold[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(ready[1]);
    ready[1] = -1;
    close(hold[0]);
    hold[0] = -1;
    if (read(ready[0], &c, 1) != 1 || c != 1) {
        pr_fail(err, PR_STAGE_IDMAP, EPERM, "create a user namespace for an idmapped mount");
        goto reap;
    }
    if (write_proc_file(pid, "uid_map", uid_map) < 0) {
        pr_fail_errno(err, PR_STAGE_IDMAP, "write uid_map of an idmapped mount");
        goto reap;
    }
    if (write_proc_file(pid, "gid_map", gid_map) < 0) {
        pr_fail_errno(err, PR_STAGE_IDMAP, "write gid_map of an idmapped mount");
        goto reap;
    }
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        pr_fail_errno(err, PR_STAGE_IDMAP, "open the user namespace of an idmapped mount");
reap:
    close(hold[1]);
    hold[1] = -1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
out:
    for (int i = 0; i < 2; i++) {
        if (ready[i] >= 0)
            close(ready[i]);
        if (hold[i] >= 0)
            close(hold[i]);
    }
    return fd;
}

int pyrunc_idmapped_tree(const char *source, const char *uid_map, const char *gid_map, int recursive,
                         struct pyrunc_err *err)
{
    struct mount_attr attr;
    int userns, tree;

    /* Made here, by the runtime on the host side: an init inside a new user namespace has no privilege
     * over the source's superblock, but it may attach a detached mount made for it. */
    userns = pyrunc_idmap_userns(uid_map, gid_map, err);
    if (userns < 0)
        return -1;
    tree = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
    if (tree < 0) {
        pr_fail_errno(err, PR_STAGE_IDMAP, "clone `%s` for an idmapped mount", source);
        return close_keep_errno(userns);
    }
    memset(&attr, 0, sizeof(attr));
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = (uint64_t)userns;
    if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0) {
        pr_fail_errno(err, PR_STAGE_IDMAP, "idmap mount of `%s`", source);
        close(userns);
        return close_keep_errno(tree);
    }
    close(userns);
    return tree;
}
