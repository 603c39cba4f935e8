/* test_rootfs.c - C unit tests for csrc/rootfs.c, mounts.c, devices.c, paths.c.
 *
 * Usage: test_rootfs list | test_rootfs NAME WORKDIR [BUSYBOX_ROOTFS]
 * Run as root inside a private mount namespace (unshare -m --propagation private); each test runs in
 * a child in its own mount namespace, builds a rootfs on a tmpfs under WORKDIR, and exits 0 on success.
 * Paths under WORKDIR/host stand for the host: attack tests point symlinks at them, check them here,
 * and the pytest wrapper checks them again after the run.
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
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/ioctl.h>

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif
#include <unistd.h>

static char W[512];    /* work directory */
static char ROOT[600]; /* W/rootfs, a tmpfs */
static const char *BUSYBOX;

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            int e_ = errno;                                                                                  \
            fprintf(stderr, "FAIL %s:%d: %s: ", __func__, __LINE__, #cond);                                 \
            fprintf(stderr, __VA_ARGS__);                                                                    \
            fprintf(stderr, " (errno %d: %s)\n", e_, strerror(e_));                                         \
            exit(1);                                                                                         \
        }                                                                                                    \
    } while (0)

#define OK(call, errp)                                                                                       \
    do {                                                                                                     \
        if ((call) < 0) {                                                                                    \
            fprintf(stderr, "FAIL %s:%d: %s: %s\n", __func__, __LINE__, #call, (errp)->msg);                 \
            exit(1);                                                                                         \
        }                                                                                                    \
    } while (0)

/* W + rel and ROOT + rel, in a small ring of buffers. */
static const char *join(const char *base, const char *rel)
{
    static char bufs[16][PATH_MAX];
    static int i;
    char *b = bufs[i++ % 16], tmp[PATH_MAX];
    size_t lb = strlen(base), lr = strlen(rel);
    /* Through tmp: base or rel may be an earlier result from this same ring. */
    CHECK(lb + lr < sizeof(tmp), "path too long");
    memcpy(tmp, base, lb);
    memcpy(tmp + lb, rel, lr + 1);
    memcpy(b, tmp, lb + lr + 1);
    return b;
}
#define WP(rel) join(W, rel)
#define RP(rel) join(ROOT, rel)

static void wfile(const char *path, const char *content, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    CHECK(fd >= 0, "create %s", path);
    CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content), "write %s", path);
    close(fd);
    CHECK(chmod(path, mode) == 0, "chmod %s", path);
}

static const char *rfile(const char *path)
{
    static char buf[8192];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    if (fd < 0)
        return NULL;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return buf;
}

/* Does the file at path hold exactly want? (false when it cannot be read) */
static int rfile_is(const char *path, const char *want)
{
    const char *got = rfile(path);
    if (got == NULL) {
        fprintf(stderr, "  read %s: %s\n", path, strerror(errno));
        return 0;
    }
    if (strcmp(got, want) != 0)
        fprintf(stderr, "  %s holds \"%s\", not \"%s\"\n", path, got, want);
    return strcmp(got, want) == 0;
}

static void mkdirp(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *s = buf + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(buf, 0755);
            *s = '/';
        }
    }
    CHECK(mkdir(buf, 0755) == 0 || errno == EEXIST, "mkdir %s", buf);
}

static void mkrootfs(void)
{
    static const char *const dirs[] = {"/dev", "/proc", "/sys", "/etc", "/tmp", "/bin", NULL};
    snprintf(ROOT, sizeof(ROOT), "%s/rootfs", W);
    mkdirp(ROOT);
    CHECK(mount("tmpfs", ROOT, "tmpfs", 0, "mode=755") == 0, "mount tmpfs on %s", ROOT);
    for (int i = 0; dirs[i]; i++)
        mkdirp(RP(dirs[i]));
}

static int open_root(void)
{
    int fd = open(ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
    CHECK(fd >= 0, "open %s", ROOT);
    return fd;
}

static struct pr_mount M(unsigned long flags, uint32_t ext, const char *src, const char *dst, const char *fstype,
                         const char *data)
{
    struct pr_mount m;
    memset(&m, 0, sizeof(m));
    m.flags = flags;
    m.ext = ext;
    m.userns_fd = -1;
    m.source = src;
    m.destination = dst;
    m.fstype = fstype;
    m.data = data;
    return m;
}

static struct pr_plan base_plan(void)
{
    struct pr_plan p;
    memset(&p, 0, sizeof(p));
    p.rootfs = ROOT;
    p.ns_new = CLONE_NEWNS;
    p.fifo_fd = -1;
    p.umask = -1;
    return p;
}

static struct pr_rootfs_ctx ctx_for(int rootfd)
{
    struct pr_rootfs_ctx c;
    memset(&c, 0, sizeof(c));
    c.rootfd = rootfd;
    c.dev_ro_fd = -1;
    return c;
}

static uint64_t mnt_id(const char *path)
{
    struct statx stx;
    CHECK(statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) == 0, "statx %s", path);
    return stx.stx_mnt_id;
}

static int is_ro(const char *path)
{
    struct statvfs sv;
    CHECK(statvfs(path, &sv) == 0, "statvfs %s", path);
    return (sv.f_flag & ST_RDONLY) != 0;
}

static long fstype_of(const char *path)
{
    struct statfs sf;
    CHECK(statfs(path, &sf) == 0, "statfs %s", path);
    return (long)sf.f_type;
}

/* ------------------------------------------------------------------------------------------------ */

static void t_ms_to_attr(void)
{
    uint64_t s, c;
    pr_ms_to_attr(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, &s, &c);
    CHECK(s == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) && c == 0, "basic");
    pr_ms_to_attr(MS_NOATIME | MS_NODIRATIME, &s, &c);
    CHECK(s == (MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME) && c == MOUNT_ATTR__ATIME, "noatime");
    pr_ms_to_attr(MS_STRICTATIME, &s, &c);
    CHECK(s == MOUNT_ATTR_STRICTATIME && c == MOUNT_ATTR__ATIME, "strictatime");
    pr_ms_to_attr(MS_RELATIME, &s, &c);
    CHECK(s == MOUNT_ATTR_RELATIME && c == MOUNT_ATTR__ATIME, "relatime");
    pr_ms_to_attr(0, &s, &c);
    CHECK(s == 0 && c == 0, "none");
}

static void t_mount_data_label(void)
{
    char buf[256];
    CHECK(pr_mount_data("tmpfs", "mode=755", "system_u:object_r:container_file_t:s0:c1,c2", 1, buf, sizeof(buf)) == 0,
          "label");
    CHECK(strcmp(buf, "mode=755,context=\"system_u:object_r:container_file_t:s0:c1,c2\"") == 0, "got %s", buf);
    CHECK(pr_mount_data("tmpfs", "", "l", 1, buf, sizeof(buf)) == 0 && strcmp(buf, "context=\"l\"") == 0, "%s", buf);
    /* Not when SELinux is off, not on proc/sysfs/binds, not twice. */
    CHECK(pr_mount_data("tmpfs", "mode=755", "l", 0, buf, sizeof(buf)) == 0 && strcmp(buf, "mode=755") == 0, "%s",
          buf);
    CHECK(pr_mount_data("proc", "", "l", 1, buf, sizeof(buf)) == 0 && strcmp(buf, "") == 0, "%s", buf);
    CHECK(pr_mount_data("", "", "l", 1, buf, sizeof(buf)) == 0 && strcmp(buf, "") == 0, "%s", buf);
    CHECK(pr_mount_data("tmpfs", "context=\"x\"", "l", 1, buf, sizeof(buf)) == 0 && strcmp(buf, "context=\"x\"") == 0,
          "%s", buf);
    CHECK(pr_mount_data("tmpfs", "", NULL, 1, buf, sizeof(buf)) == 0 && buf[0] == '\0', "%s", buf);
    CHECK(pr_mount_data("tmpfs", "0123456789", "l", 1, buf, 8) < 0 && errno == E2BIG, "too long");
}

static void t_paths_mkdir_in_root(void)
{
    int root, fd;
    struct stat st;

    mkrootfs();
    mkdirp(WP("/host/dir"));
    root = open_root();
    fd = pr_mkdir_all_in_root(root, "/a/b//c/", 0700);
    CHECK(fd >= 0, "mkdir_all");
    close(fd);
    CHECK(stat(RP("/a/b/c"), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700, "created");
    /* An absolute symlink to a host directory is followed inside the root, never out of it. */
    CHECK(symlink(WP("/host/dir"), RP("/evil")) == 0, "symlink");
    fd = pr_mkdir_all_in_root(root, "/evil/x", 0755);
    CHECK(fd < 0 && errno == ENOENT, "dangling-in-root symlink must not be created through");
    CHECK(access(WP("/host/dir/x"), F_OK) < 0, "host dir untouched");
    /* With the target present inside the root, the walk lands there. */
    mkdirp(RP(WP("/host/dir")));
    fd = pr_mkdir_all_in_root(root, "/evil/x", 0755);
    CHECK(fd >= 0, "in-root target");
    close(fd);
    CHECK(access(RP(join(W, "/host/dir/x")), F_OK) == 0 && access(WP("/host/dir/x"), F_OK) < 0, "landed inside");
    /* Relative escapes are clamped at the root. */
    CHECK(symlink("../../../../../../../../..", RP("/up")) == 0, "symlink up");
    fd = pr_mkdir_all_in_root(root, "/up/etc/zz", 0755);
    CHECK(fd >= 0, "up");
    close(fd);
    CHECK(access(RP("/etc/zz"), F_OK) == 0, "clamped to the root");
    /* Magic links are refused. */
    fd = pr_open_in_root(root, "/proc/self/root", O_PATH, 0);
    CHECK(fd < 0, "no /proc in this rootfs, or no magic links");
    /* A file creates its parents; an existing directory is returned as is. */
    fd = pr_mkfile_in_root(root, "/f/g/file", 0600);
    CHECK(fd >= 0, "mkfile");
    close(fd);
    CHECK(stat(RP("/f/g/file"), &st) == 0 && S_ISREG(st.st_mode), "file");
    char base[64];
    fd = pr_open_parent_in_root(root, "/", 0, 0, base, sizeof(base));
    CHECK(fd < 0 && errno == EINVAL, "no last component");
    fd = pr_open_parent_in_root(root, "/f/g/file", 0, 0, base, sizeof(base));
    CHECK(fd >= 0 && strcmp(base, "file") == 0, "parent");
    close(fd);
    close(root);
}

/* Count the entries of a directory tree (not following symlinks). */
static int count_tree(const char *path)
{
    char sub[PATH_MAX];
    struct dirent *de;
    DIR *d = opendir(path);
    int n = 0;

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        n++;
        if (de->d_type == DT_DIR) {
            snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
            n += count_tree(sub);
        }
    }
    closedir(d);
    return n;
}

/* Random symlink mazes inside the rootfs, some pointing at the "host": creating directories and files
 * through them never adds anything outside the rootfs. */
static void t_paths_fuzz(void)
{
    static const char *const names[] = {"a", "b", "l1", "l2", "..", ".", "c"};
    const char *targets[] = {"/", "..", "../..", "../../../../..", NULL, "/a", "a/../..", "/l2", "l1", "/b/c"};
    char host_target[PATH_MAX];
    unsigned int seed = 12345;
    int root, before_host, before_w;

    mkrootfs();
    mkdirp(WP("/host/fz/deep"));
    wfile(WP("/host/fz/deep/file"), "x", 0644);
    snprintf(host_target, sizeof(host_target), "%s", WP("/host/fz"));
    targets[4] = host_target;
    root = open_root();
    before_host = count_tree(WP("/host"));
    before_w = count_tree(W) - count_tree(ROOT);
    for (int iter = 0; iter < 3000; iter++) {
        char path[256] = "";
        int depth = 1 + (int)(rand_r(&seed) % 5), fd;
        for (int i = 0; i < depth; i++) {
            strcat(path, "/");
            strcat(path, names[rand_r(&seed) % 7]);
        }
        switch (rand_r(&seed) % 4) {
        case 0: { /* plant a symlink at a random place */
            char base[64];
            int dirfd = pr_open_parent_in_root(root, path, 1, 0755, base, sizeof(base));
            if (dirfd >= 0) {
                (void)symlinkat(targets[rand_r(&seed) % 10], dirfd, base);
                close(dirfd);
            }
            break;
        }
        case 1:
            fd = pr_mkdir_all_in_root(root, path, 0755);
            if (fd >= 0)
                close(fd);
            break;
        case 2:
            fd = pr_mkfile_in_root(root, path, 0644);
            if (fd >= 0)
                close(fd);
            break;
        default:
            fd = pr_open_in_root(root, path, O_PATH, 0);
            if (fd >= 0)
                close(fd);
            break;
        }
        if (iter % 100 == 99) {
            CHECK(count_tree(WP("/host")) == before_host, "the host tree changed at iteration %d", iter);
            CHECK(count_tree(W) - count_tree(ROOT) == before_w, "something appeared outside the rootfs");
        }
    }
    CHECK(count_tree(ROOT) > 20, "the maze was built (%d entries)", count_tree(ROOT));
    close(root);
}

static void t_bind_options(void)
{
    struct pyrunc_err err = {0};
    struct pr_rootfs_ctx c;
    struct pr_mount m;
    int root;

    mkrootfs();
    mkdirp(WP("/host/src/sub"));
    wfile(WP("/host/src/file"), "data\n", 0644);
    wfile(WP("/host/hostname"), "box\n", 0644);
    /* A submount, to see the difference between ro (top only) and rro (recursive). */
    CHECK(mount("tmpfs", WP("/host/src/sub"), "tmpfs", 0, NULL) == 0, "submount");
    root = open_root();
    c = ctx_for(root);
    m = M(MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID, PR_MOUNT_IS_BIND, WP("/host/src"), "/mnt/ro", "", "");
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(is_ro(RP("/mnt/ro")) && !is_ro(RP("/mnt/ro/sub")), "ro applies to the top mount only");
    m = M(MS_BIND | MS_REC, PR_MOUNT_IS_BIND, WP("/host/src"), "/mnt/rro", "", "");
    m.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC;
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(is_ro(RP("/mnt/rro")) && is_ro(RP("/mnt/rro/sub")), "rro applies recursively");
    m = M(MS_BIND, PR_MOUNT_IS_BIND, WP("/host/src"), "/mnt/plain", "", "");
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(access(RP("/mnt/plain/file"), F_OK) == 0, "bind shows the source");
    CHECK(mnt_id(RP("/mnt/plain/sub")) == mnt_id(RP("/mnt/plain")), "non-recursive bind skips submounts");
    /* File bind: the destination file and its parents are created. */
    m = M(MS_BIND | MS_REC, PR_MOUNT_IS_BIND, WP("/host/hostname"), "/etc/deep/hostname", "", "");
    m.propagation = MS_PRIVATE | MS_REC;
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(rfile(RP("/etc/deep/hostname")) && rfile_is(RP("/etc/deep/hostname"), "box\n"), "file bind");
    /* A missing source is an error naming it. */
    m = M(MS_BIND, PR_MOUNT_IS_BIND, WP("/host/missing"), "/mnt/x", "", "");
    CHECK(pr_mount_one(&c, &m, &err) < 0 && strstr(err.msg, "missing") != NULL && err.errnum == ENOENT, "%s",
          err.msg);
    close(root);
}

static void t_attack_mount_destination_symlink(void)
{
    struct pyrunc_err err = {0};
    struct pr_rootfs_ctx c;
    struct pr_mount m;
    uint64_t before;
    int root;

    mkrootfs();
    mkdirp(WP("/host/target"));
    wfile(WP("/host/target/keep"), "host\n", 0644);
    before = mnt_id(WP("/host/target"));
    root = open_root();
    c = ctx_for(root);
    CHECK(symlink(WP("/host/target"), RP("/etc/evil")) == 0, "symlink");
    CHECK(symlink("../../../../../../../../../../..", RP("/etc/up")) == 0, "symlink");
    m = M(0, 0, "tmpfs", "/etc/evil", "tmpfs", "");
    int rc = pr_mount_one(&c, &m, &err);
    CHECK(mnt_id(WP("/host/target")) == before, "host dir was mounted over");
    if (rc == 0) /* it may only have landed inside the root */
        CHECK(mnt_id(RP(WP("/host/target"))) != 0, "inside");
    /* Relative escape: lands on the rootfs's own directory. */
    mkdirp(RP(WP("/host/target")));
    m = M(0, 0, "tmpfs", join("/etc/up", join(W, "/host/target")), "tmpfs", "");
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(mnt_id(WP("/host/target")) == before, "host dir was mounted over");
    CHECK(fstype_of(RP(WP("/host/target"))) == TMPFS_MAGIC, "mounted inside the root");
    /* Bind destination that is a symlink to a host file. */
    wfile(WP("/host/file"), "host\n", 0600);
    wfile(WP("/host/src"), "evil\n", 0644);
    CHECK(symlink(WP("/host/file"), RP("/etc/passwd")) == 0, "symlink");
    m = M(MS_BIND, PR_MOUNT_IS_BIND, WP("/host/src"), "/etc/passwd", "", "");
    rc = pr_mount_one(&c, &m, &err);
    CHECK(rfile_is(WP("/host/file"), "host\n"), "host file covered");
    close(root);
}

static void t_attack_proc_symlink(void)
{
    struct pyrunc_err err = {0};
    struct pr_rootfs_ctx c;
    struct pr_mount m;
    uint64_t before;
    int root;

    mkrootfs();
    mkdirp(WP("/host/procdir"));
    before = mnt_id(WP("/host/procdir"));
    CHECK(rmdir(RP("/proc")) == 0 && symlink(WP("/host/procdir"), RP("/proc")) == 0, "symlink /proc");
    CHECK(rmdir(RP("/sys")) == 0 && symlink("/etc", RP("/sys")) == 0, "symlink /sys");
    root = open_root();
    c = ctx_for(root);
    m = M(MS_NOSUID | MS_NODEV | MS_NOEXEC, PR_MOUNT_PROC, "proc", "/proc", "proc", "");
    CHECK(pr_mount_one(&c, &m, &err) < 0 && strstr(err.msg, "symlink") != NULL, "proc on a symlink: %s", err.msg);
    m = M(MS_RDONLY, PR_MOUNT_SYSFS, "sysfs", "/sys", "sysfs", "");
    CHECK(pr_mount_one(&c, &m, &err) < 0 && strstr(err.msg, "symlink") != NULL, "sysfs on a symlink: %s", err.msg);
    CHECK(mnt_id(WP("/host/procdir")) == before, "host dir mounted over");
    CHECK(fstype_of(RP("/etc")) == TMPFS_MAGIC, "rootfs /etc mounted over");
    /* A real directory works, and proc really is proc. */
    CHECK(unlink(RP("/proc")) == 0 && mkdir(RP("/proc"), 0555) == 0, "mkdir");
    m = M(MS_NOSUID | MS_NODEV | MS_NOEXEC, PR_MOUNT_PROC, "proc", "/proc", "proc", "");
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(fstype_of(RP("/proc")) == PROC_SUPER_MAGIC, "procfs");
    close(root);
}

static void t_attack_dev_null_symlink(void)
{
    struct pyrunc_err err = {0};
    struct pr_device d = {.type = 'c', .major = 1, .minor = 3, .mode = 0666, .path = "/dev/null"};
    struct pr_plan p = base_plan();
    struct stat st;
    int root;

    mkrootfs();
    mkdirp(WP("/host"));
    wfile(WP("/host/shadow"), "secret\n", 0600);
    CHECK(symlink(WP("/host/shadow"), RP("/dev/null")) == 0, "symlink");
    p.devices = &d;
    p.n_devices = 1;
    root = open_root();
    CHECK(pr_devices_create(root, &p, &err) < 0 && strstr(err.msg, "/dev/null") != NULL, "must fail: %s", err.msg);
    CHECK(stat(WP("/host/shadow"), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600 &&
              st.st_uid == 0,
          "host file changed");
    /* Bind mode too: the target must not be a symlink. */
    d.bind = 1;
    CHECK(pr_devices_create(root, &p, &err) < 0, "bind onto symlink must fail");
    CHECK(rfile_is(WP("/host/shadow"), "secret\n"), "host file covered");
    close(root);
}

static void t_attack_masked_symlink(void)
{
    struct pyrunc_err err = {0};
    int root, nullfd;

    mkrootfs();
    mkdirp(WP("/host"));
    wfile(WP("/host/secret"), "host\n", 0600);
    CHECK(symlink(WP("/host/secret"), RP("/etc/masked")) == 0, "symlink");
    root = open_root();
    nullfd = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    CHECK(nullfd >= 0, "clone /dev/null");
    /* The symlink's target does not exist inside the root: nothing to mask. */
    OK(pr_mask_path(root, "/etc/masked", &nullfd, &err), &err);
    CHECK(rfile_is(WP("/host/secret"), "host\n"), "host file masked");
    /* With the target inside the root, the root's copy is masked. */
    mkdirp(RP(WP("/host")));
    wfile(RP(WP("/host/secret")), "inside\n", 0600);
    OK(pr_mask_path(root, "/etc/masked", &nullfd, &err), &err);
    CHECK(nullfd == -1, "clone consumed");
    CHECK(rfile_is(RP(WP("/host/secret")), ""), "inside copy masked");
    CHECK(rfile_is(WP("/host/secret"), "host\n"), "host file masked");
    /* Directories get a read-only tmpfs. */
    mkdirp(RP("/sys/firmware"));
    wfile(RP("/sys/firmware/blob"), "x", 0600);
    OK(pr_mask_path(root, "/sys/firmware", &nullfd, &err), &err);
    CHECK(access(RP("/sys/firmware/blob"), F_OK) < 0 && is_ro(RP("/sys/firmware")), "masked dir");
    /* Missing is fine; a file with no clone left is an error. */
    OK(pr_mask_path(root, "/nope", &nullfd, &err), &err);
    wfile(RP("/etc/other"), "x", 0600);
    CHECK(pr_mask_path(root, "/etc/other", &nullfd, &err) < 0, "no clone");
    close(root);
}

static void t_readonly_paths(void)
{
    struct pyrunc_err err = {0};
    int root;

    mkrootfs();
    mkdirp(RP("/data/sub"));
    CHECK(mount("tmpfs", RP("/data/sub"), "tmpfs", 0, NULL) == 0, "submount");
    root = open_root();
    OK(pr_readonly_path(root, "/data", &err), &err);
    OK(pr_readonly_path(root, "/missing/path", &err), &err);
    CHECK(is_ro(RP("/data")) && is_ro(RP("/data/sub")), "recursively read-only");
    CHECK(mkdir(RP("/data/x"), 0755) < 0 && errno == EROFS, "EROFS");
    CHECK(!is_ro(RP("/etc")), "rest of root stays writable");
    close(root);
}

static void t_devices(void)
{
    struct pyrunc_err err = {0};
    struct pr_device d[] = {
        {.type = 'c', .major = 1, .minor = 3, .mode = 0666, .path = "/dev/null"},
        {.type = 'c', .major = 1, .minor = 5, .mode = 0640, .uid = 12, .gid = 34, .path = "/dev/zero"},
        {.type = 'p', .mode = 0600, .path = "/dev/sub/fifo"},
        {.type = 'b', .major = 7, .minor = 99, .mode = 0600, .path = "/dev/loop99"},
        {.type = 'c', .major = 1, .minor = 8, .mode = 0666, .bind = 1, .path = "/dev/random"},
    };
    struct pr_pair links[] = {{"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"}};
    struct pr_mount pts = M(0, PR_MOUNT_DEVPTS, "devpts", "/dev/pts", "devpts", "newinstance");
    struct pr_plan p = base_plan();
    struct stat st;
    char buf[64];
    int root;

    mkrootfs();
    umask(022);
    p.devices = d;
    p.n_devices = 5;
    p.symlinks = links;
    p.n_symlinks = 2;
    p.mounts = &pts;
    p.n_mounts = 1;
    wfile(RP("/dev/ptmx"), "", 0600);
    root = open_root();
    OK(pr_devices_create(root, &p, &err), &err);
    CHECK(lstat(RP("/dev/null"), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
              (st.st_mode & 07777) == 0666,
          "null");
    CHECK(lstat(RP("/dev/zero"), &st) == 0 && (st.st_mode & 07777) == 0640 && st.st_uid == 12 && st.st_gid == 34,
          "zero");
    CHECK(lstat(RP("/dev/sub/fifo"), &st) == 0 && S_ISFIFO(st.st_mode), "fifo");
    CHECK(lstat(RP("/dev/loop99"), &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == makedev(7, 99), "block");
    CHECK(stat(RP("/dev/random"), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 8), "bound random");
    CHECK(mnt_id(RP("/dev/random")) != mnt_id(RP("/dev")), "random is a bind mount");
    /* Same node again: fine. Another number at the same path: an error. */
    OK(pr_devices_create(root, &p, &err), &err);
    d[0].minor = 5;
    CHECK(pr_devices_create(root, &p, &err) < 0 && err.errnum == EEXIST, "conflict: %s", err.msg);
    OK(pr_symlinks_create(root, &p, &err), &err);
    OK(pr_symlinks_create(root, &p, &err), &err);
    CHECK(readlink(RP("/dev/fd"), buf, sizeof(buf)) == 13 && strncmp(buf, "/proc/self/fd", 13) == 0, "fd link");
    OK(pr_ptmx_setup(root, &p, &err), &err);
    ssize_t n = readlink(RP("/dev/ptmx"), buf, sizeof(buf));
    CHECK(n == 8 && strncmp(buf, "pts/ptmx", 8) == 0, "ptmx link");
    /* With /dev bound from the host, its ptmx is never replaced. */
    {
        struct pr_mount two[] = {M(MS_BIND | MS_REC, PR_MOUNT_IS_BIND, "/dev", "/dev/", "", ""), pts};
        CHECK(unlink(RP("/dev/ptmx")) == 0, "unlink");
        wfile(RP("/dev/ptmx"), "", 0600);
        p.mounts = two;
        p.n_mounts = 2;
        OK(pr_ptmx_setup(root, &p, &err), &err);
        CHECK(lstat(RP("/dev/ptmx"), &st) == 0 && S_ISREG(st.st_mode), "host-bound /dev left alone");
    }
    close(root);
}

static void t_tmpcopyup(void)
{
    struct pyrunc_err err = {0};
    struct pr_rootfs_ctx c;
    struct pr_mount m;
    struct stat st;
    char buf[64];
    int root;

    mkrootfs();
    mkdirp(RP("/var/cache/deep"));
    CHECK(chmod(RP("/var/cache"), 0710) == 0 && chown(RP("/var/cache"), 5, 6) == 0, "chmod");
    wfile(RP("/var/cache/a"), "alpha\n", 0640);
    wfile(RP("/var/cache/deep/b"), "beta\n", 0600);
    CHECK(chown(RP("/var/cache/deep/b"), 7, 8) == 0, "chown");
    CHECK(symlink("deep/b", RP("/var/cache/link")) == 0, "symlink");
    CHECK(mkfifo(RP("/var/cache/fifo"), 0600) == 0, "fifo");
    root = open_root();
    c = ctx_for(root);
    m = M(MS_NOSUID | MS_RDONLY, PR_MOUNT_TMPCOPYUP, "tmpfs", "/var/cache", "tmpfs", "size=1m");
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(fstype_of(RP("/var/cache")) == TMPFS_MAGIC, "tmpfs");
    CHECK(rfile_is(RP("/var/cache/a"), "alpha\n") && rfile_is(RP("/var/cache/deep/b"), "beta\n"),
          "contents");
    CHECK(stat(RP("/var/cache/deep/b"), &st) == 0 && st.st_uid == 7 && st.st_gid == 8 && (st.st_mode & 0777) == 0600,
          "owner");
    CHECK(stat(RP("/var/cache"), &st) == 0 && st.st_uid == 5 && (st.st_mode & 0777) == 0710, "root dir mode");
    CHECK(readlink(RP("/var/cache/link"), buf, sizeof(buf)) == 6, "symlink copied");
    CHECK(lstat(RP("/var/cache/fifo"), &st) == 0 && S_ISFIFO(st.st_mode), "fifo copied");
    CHECK(is_ro(RP("/var/cache")), "ro applied after the copy");
    close(root);
}

static void t_dev_readonly_deferred(void)
{
    struct pyrunc_err err = {0};
    struct pr_mount mounts[] = {M(MS_RDONLY | MS_NOSUID, 0, "tmpfs", "/dev", "tmpfs", "mode=755")};
    struct pr_device d = {.type = 'c', .major = 1, .minor = 3, .mode = 0666, .path = "/dev/null"};
    struct pr_plan p = base_plan();

    mkrootfs();
    p.mounts = mounts;
    p.n_mounts = 1;
    p.devices = &d;
    p.n_devices = 1;
    OK(pr_rootfs_prepare(&p, &err), &err);
    CHECK(access(RP("/dev/null"), F_OK) == 0 && is_ro(RP("/dev")), "/dev read-only with its nodes");
}

/* Fake /proc/self/cgroup + mountinfo: hybrid layout with hierarchies mounted under WORKDIR/host/cg. */
static void t_cgroup_hybrid_fake(void)
{
    struct pyrunc_err err = {0};
    struct pr_rootfs_ctx c;
    struct pr_mount m;
    char mi[8192], buf[64];
    int root;

    mkrootfs();
    mkdirp(WP("/host/cg/cpu,cpuacct/box/ctr"));
    mkdirp(WP("/host/cg/memory/nested/box/ctr"));
    mkdirp(WP("/host/cg/systemd/box/ctr"));
    mkdirp(WP("/host/cg/unified/box/ctr"));
    wfile(WP("/host/cg/cpu,cpuacct/box/ctr/cpu.shares"), "1024\n", 0644);
    wfile(WP("/host/cg/memory/nested/box/ctr/memory.limit_in_bytes"), "9\n", 0644);
    wfile(WP("/host/cg/unified/box/ctr/cgroup.procs"), "", 0644);
    wfile(WP("/host/cgroup"),
          "4:cpu,cpuacct:/box/ctr\n3:memory:/nested/box/ctr\n2:name=systemd:/box/ctr\n1:name=odd:/x\n0::/box/ctr\n", 0644);
    snprintf(mi, sizeof(mi),
             "30 1 0:27 / %s/host/cg rw - tmpfs tmpfs rw\n"
             "31 30 0:28 / %s/host/cg/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
             "32 30 0:29 /nested %s/host/cg/memory/nested rw - cgroup cgroup rw,memory\n"
             "33 30 0:30 / %s/host/cg/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
             "34 30 0:31 / %s/host/cg/unified rw - cgroup2 cgroup2 rw,nsdelegate\n",
             W, W, W, W, W);
    wfile(WP("/host/mountinfo"), mi, 0644);
    root = open_root();
    c = ctx_for(root);
    c.proc_cgroup = WP("/host/cgroup");
    c.proc_mountinfo = WP("/host/mountinfo");
    m = M(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, PR_MOUNT_CGROUP, "cgroup", "/sys/fs/cgroup", "cgroup", "");
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(fstype_of(RP("/sys/fs/cgroup")) == TMPFS_MAGIC && is_ro(RP("/sys/fs/cgroup")), "ro tmpfs");
    CHECK(rfile_is(RP("/sys/fs/cgroup/cpu,cpuacct/cpu.shares"), "1024\n"), "own cpu cgroup");
    CHECK(readlink(RP("/sys/fs/cgroup/cpu"), buf, sizeof(buf)) == 11, "cpu -> cpu,cpuacct");
    CHECK(readlink(RP("/sys/fs/cgroup/cpuacct"), buf, sizeof(buf)) == 11, "cpuacct -> cpu,cpuacct");
    CHECK(rfile_is(RP("/sys/fs/cgroup/memory/memory.limit_in_bytes"), "9\n"), "mount root offset");
    CHECK(access(RP("/sys/fs/cgroup/systemd"), F_OK) == 0 && access(RP("/sys/fs/cgroup/unified/cgroup.procs"), F_OK) == 0,
          "systemd and unified");
    CHECK(access(RP("/sys/fs/cgroup/odd"), F_OK) < 0, "unmounted hierarchy skipped");
    CHECK(is_ro(RP("/sys/fs/cgroup/memory")) && is_ro(RP("/sys/fs/cgroup/unified")), "read-only binds");
    close(root);
}

static void t_cgroup_v2_fake(void)
{
    struct pyrunc_err err = {0};
    struct pr_rootfs_ctx c;
    struct pr_mount m;
    char mi[2048];
    int root;

    mkrootfs();
    mkdirp(WP("/host/cg2/sys.slice/ctr"));
    wfile(WP("/host/cg2/sys.slice/ctr/memory.max"), "max\n", 0644);
    wfile(WP("/host/cgroup"), "0::/sys.slice/ctr\n", 0644);
    snprintf(mi, sizeof(mi), "34 1 0:31 / %s/host/cg2 rw - cgroup2 cgroup2 rw,nsdelegate\n", W);
    wfile(WP("/host/mountinfo"), mi, 0644);
    root = open_root();
    c = ctx_for(root);
    c.proc_cgroup = WP("/host/cgroup");
    c.proc_mountinfo = WP("/host/mountinfo");
    m = M(MS_RDONLY | MS_NOSUID, PR_MOUNT_CGROUP, "cgroup", "/sys/fs/cgroup", "cgroup", "");
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(rfile_is(RP("/sys/fs/cgroup/memory.max"), "max\n") && is_ro(RP("/sys/fs/cgroup")),
          "v2 container cgroup bound read-only");
    /* In a cgroup namespace: a cgroup2 mount of its own. */
    c.cgroupns = 1;
    m.destination = "/sys/fs/cgroup2";
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(fstype_of(RP("/sys/fs/cgroup2")) == CGROUP2_SUPER_MAGIC && is_ro(RP("/sys/fs/cgroup2")), "cgroup2");
    CHECK(access(RP("/sys/fs/cgroup2/cgroup.controllers"), F_OK) == 0, "a real cgroup2");
    close(root);
}

static void t_idmapped_bind(void)
{
    struct pyrunc_err err = {0};
    struct pr_rootfs_ctx c;
    struct pr_mount m;
    struct stat st;
    int root;

    mkrootfs();
    mkdirp(WP("/host/idsrc"));
    wfile(WP("/host/idsrc/f"), "x", 0644);
    CHECK(chown(WP("/host/idsrc/f"), 5, 6) == 0, "chown");
    /* idmapped mounts need a filesystem that supports them: use a tmpfs source. */
    CHECK(mount("tmpfs", WP("/host/idsrc"), "tmpfs", 0, NULL) == 0, "tmpfs");
    wfile(WP("/host/idsrc/f"), "x", 0644);
    CHECK(chown(WP("/host/idsrc/f"), 5, 6) == 0, "chown");
    root = open_root();
    c = ctx_for(root);
    m = M(MS_BIND | MS_REC, PR_MOUNT_IS_BIND | PR_MOUNT_IDMAP, WP("/host/idsrc"), "/mnt/id", "", "");
    m.userns_fd = pyrunc_idmap_userns("0 100000 1000\n", "0 100000 1000\n", &err);
    OK(m.userns_fd, &err);
    OK(pr_mount_one(&c, &m, &err), &err);
    CHECK(stat(RP("/mnt/id/f"), &st) == 0 && st.st_uid == 100005 && st.st_gid == 100006, "idmapped owner %u:%u",
          st.st_uid, st.st_gid);
    CHECK(stat(WP("/host/idsrc/f"), &st) == 0 && st.st_uid == 5, "source unchanged");
    /* A map the kernel refuses is reported, with the stage. */
    CHECK(pyrunc_idmap_userns("0 100000\n", "0 100000 1\n", &err) < 0 && err.stage == PR_STAGE_IDMAP &&
              strstr(err.msg, "uid_map") != NULL,
          "bad map: %s", err.msg);
    close(m.userns_fd);
    close(root);
}

/* The whole sequence with the mounts Docker sends, then pivot_root, and checks from inside. */
static void full_flow(int no_pivot)
{
    struct pyrunc_err err = {0};
    struct pr_mount mounts[] = {
        M(MS_NOSUID | MS_NODEV | MS_NOEXEC, PR_MOUNT_PROC, "proc", "/proc", "proc", ""),
        M(MS_NOSUID | MS_STRICTATIME, 0, "tmpfs", "/dev", "tmpfs", "mode=755,size=65536k"),
        M(MS_NOSUID | MS_NOEXEC, PR_MOUNT_DEVPTS, "devpts", "/dev/pts", "devpts",
          "newinstance,ptmxmode=0666,mode=0620,gid=5"),
        M(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, PR_MOUNT_SYSFS, "sysfs", "/sys", "sysfs", ""),
        M(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, PR_MOUNT_CGROUP, "cgroup", "/sys/fs/cgroup", "cgroup", ""),
        M(MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, "mqueue", "/dev/mqueue", "mqueue", ""),
        M(MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, "shm", "/dev/shm", "tmpfs", "mode=1777,size=67108864"),
        M(MS_BIND | MS_REC, PR_MOUNT_IS_BIND, "", "/etc/hostname", "", ""),
    };
    struct pr_device devs[] = {
        {.type = 'c', .major = 1, .minor = 3, .mode = 0666, .path = "/dev/null"},
        {.type = 'c', .major = 1, .minor = 5, .mode = 0666, .path = "/dev/zero"},
        {.type = 'c', .major = 5, .minor = 0, .mode = 0666, .path = "/dev/tty"},
    };
    struct pr_pair links[] = {{"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/1", "/dev/stdout"}};
    const char *masked[] = {"/proc/timer_list", "/proc/acpi", "/sys/firmware", "/proc/nonexistent", NULL};
    const char *ro[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/bus", NULL};
    struct pr_plan p = base_plan();
    struct stat st;
    char buf[64];

    mkrootfs();
    if (BUSYBOX != NULL) {
        CHECK(mount(join(BUSYBOX, "/bin"), RP("/bin"), NULL, MS_BIND, NULL) == 0, "bind busybox");
    }
    wfile(WP("/hostname"), "pyrunc-test\n", 0644);
    mounts[7].source = WP("/hostname");
    p.mounts = mounts;
    p.n_mounts = sizeof(mounts) / sizeof(mounts[0]);
    p.devices = devs;
    p.n_devices = 3;
    p.symlinks = links;
    p.n_symlinks = 2;
    p.masked.v = masked;
    p.masked.n = 4;
    p.readonly.v = ro;
    p.readonly.n = 3;
    p.root_readonly = true;
    p.no_pivot = no_pivot;
    OK(pr_rootfs_prepare(&p, &err), &err);
    OK(pr_rootfs_finish(&p, &err), &err);

    /* From here on "/" is the container's root. */
    CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/") == 0, "cwd is /");
    CHECK(access(join(W, ""), F_OK) < 0, "the host's work dir is out of sight");
    CHECK(fstype_of("/proc") == PROC_SUPER_MAGIC && fstype_of("/sys") == SYSFS_MAGIC, "proc and sysfs");
    CHECK(fstype_of("/dev") == TMPFS_MAGIC && fstype_of("/dev/pts") == DEVPTS_SUPER_MAGIC, "dev");
    CHECK(fstype_of("/dev/mqueue") == MQUEUE_MAGIC && fstype_of("/dev/shm") == TMPFS_MAGIC, "mqueue, shm");
    CHECK(is_ro("/sys") && is_ro("/sys/fs/cgroup") && is_ro("/"), "read-only sys, cgroup and root");
    CHECK(!is_ro("/dev") && !is_ro("/dev/shm"), "writable dev");
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0666, "null");
    CHECK(readlink("/dev/ptmx", buf, sizeof(buf)) == 8, "ptmx");
    CHECK(readlink("/dev/fd", buf, sizeof(buf)) == 13, "fd");
    CHECK(rfile_is("/etc/hostname", "pyrunc-test\n"), "bind file");
    CHECK(stat("/proc/timer_list", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3), "masked");
    CHECK(rfile_is("/proc/timer_list", ""), "masked file reads empty");
    CHECK(access("/sys/firmware", F_OK) == 0 && is_ro("/sys/firmware") && fstype_of("/sys/firmware") == TMPFS_MAGIC,
          "firmware masked");
    CHECK(is_ro("/proc/sys") && is_ro("/proc/bus") && !is_ro("/proc"), "read-only paths");
    CHECK(open("/proc/sys/kernel/hostname", O_WRONLY) < 0 && errno == EROFS, "EROFS on /proc/sys");
    CHECK(access("/sys/fs/cgroup/memory", F_OK) == 0 && access("/sys/fs/cgroup/unified", F_OK) == 0 &&
              access("/sys/fs/cgroup/systemd", F_OK) == 0,
          "cgroup hierarchies");
    CHECK(open("/sys/fs/cgroup/pids/cgroup.procs", O_WRONLY) < 0 && errno == EROFS, "cgroup binds read-only");
    CHECK(mkdir("/newdir", 0755) < 0 && errno == EROFS, "root read-only");
    /* The runtime's own procfs is out of the container's reach: a mount over /proc/sys/kernel (what an
     * attacker sharing the rootfs might arrange) does not redirect it. */
    {
        int fd;
        CHECK(mount("tmpfs", "/proc/sys/kernel", "tmpfs", 0, NULL) == 0, "overmount");
        fd = pr_proc_open("sys/kernel/ostype", O_RDONLY);
        CHECK(fd >= 0, "pr_proc_open");
        CHECK(read(fd, buf, sizeof(buf)) == 6 && strncmp(buf, "Linux\n", 6) == 0, "real ostype");
        close(fd);
        CHECK(pr_proc_open("../etc/passwd", O_RDONLY) < 0 && errno == EXDEV, "beneath only");
        CHECK(pr_proc_open("self/root/etc/passwd", O_RDONLY) < 0, "no magic links");
        CHECK(umount2("/proc/sys/kernel", MNT_DETACH) == 0, "umount");
    }
    if (BUSYBOX != NULL) {
        /* Print what the container sees, for the pytest wrapper to assert on. */
        fflush(stdout);
        execl("/bin/busybox", "cat", "/proc/self/mountinfo", (char *)NULL);
        CHECK(0, "exec busybox");
    }
}

static void t_full_flow_pivot(void)
{
    full_flow(0);
}

static void t_full_flow_no_pivot(void)
{
    full_flow(1);
}

static void t_rootfs_propagation_shared(void)
{
    struct pyrunc_err err = {0};
    struct pr_plan p = base_plan();
    char line[4096];
    int shared = 0;
    FILE *f;

    mkrootfs();
    p.rootfs_propagation = MS_SHARED | MS_REC;
    OK(pr_rootfs_prepare(&p, &err), &err);
    OK(pr_rootfs_finish(&p, &err), &err);
    f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL) {
        /* No /proc in this rootfs: mount one to look. */
        CHECK(mkdir("/proc", 0555) == 0 || errno == EEXIST, "mkdir");
        CHECK(mount("proc", "/proc", "proc", 0, NULL) == 0, "mount proc");
        f = fopen("/proc/self/mountinfo", "re");
    }
    CHECK(f != NULL, "mountinfo");
    while (fgets(line, sizeof(line), f) != NULL) {
        char copy[4096], *fields[5] = {0}, *save = NULL;
        int i = 0;
        snprintf(copy, sizeof(copy), "%s", line);
        for (char *t = strtok_r(line, " ", &save); t && i < 5; t = i < 5 ? strtok_r(NULL, " ", &save) : NULL)
            fields[i++] = t;
        if (i == 5 && strcmp(fields[4], "/") == 0)
            shared = strstr(copy, " shared:") != NULL && strstr(copy, " shared:") < strstr(copy, " - ");
    }
    fclose(f);
    CHECK(shared, "root mount should be shared");
}

static void t_rootfs_propagation_unbindable(void)
{
    struct pyrunc_err err = {0};
    struct pr_plan p = base_plan();

    mkrootfs();
    p.rootfs_propagation = MS_UNBINDABLE;
    OK(pr_rootfs_prepare(&p, &err), &err);
    OK(pr_rootfs_finish(&p, &err), &err);
    CHECK(mkdir("/tmp/b", 0755) == 0 || errno == EEXIST, "mkdir");
    CHECK(mount("/", "/tmp/b", NULL, MS_BIND, NULL) < 0 && errno == EINVAL, "an unbindable root cannot be bound");
}

static void t_console_bind(void)
{
    struct pyrunc_err err = {0};
    struct pr_mount mounts[] = {
        M(MS_NOSUID, 0, "tmpfs", "/dev", "tmpfs", "mode=755"),
        M(MS_NOSUID | MS_NOEXEC, PR_MOUNT_DEVPTS, "devpts", "/dev/pts", "devpts", "newinstance,ptmxmode=0666"),
    };
    struct pr_plan p = base_plan();
    struct stat con, pty;
    char path[64];
    int master, ptn = -1, unlock = 0, slave;

    mkrootfs();
    p.mounts = mounts;
    p.n_mounts = 2;
    OK(pr_rootfs_prepare(&p, &err), &err);
    OK(pr_rootfs_finish(&p, &err), &err);
    master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(master >= 0, "ptmx");
    CHECK(ioctl(master, TIOCSPTLCK, &unlock) == 0 && ioctl(master, TIOCGPTN, &ptn) == 0, "pty");
    snprintf(path, sizeof(path), "/dev/pts/%d", ptn);
    OK(pr_rootfs_bind_console(path, &err), &err);
    slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(slave >= 0 && fstat(slave, &pty) == 0, "slave");
    CHECK(stat("/dev/console", &con) == 0 && S_ISCHR(con.st_mode) && con.st_rdev == pty.st_rdev, "console bound");
    /* A console path that is not a terminal is refused. */
    CHECK(pr_rootfs_bind_console("/dev/pts", &err) < 0, "directory refused");
    /* From the peer's fd, onto a /dev/console that already exists (bound over again). */
    {
        int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
        CHECK(peer >= 0, "peer");
        OK(pr_rootfs_bind_console_fd(peer, &err), &err);
        CHECK(stat("/dev/console", &con) == 0 && con.st_rdev == pty.st_rdev, "console bound from fd");
        CHECK(pr_rootfs_bind_console_fd(master + 1000, &err) < 0, "bad fd refused");
        close(peer);
    }
}

static void t_errors(void)
{
    struct pyrunc_err err = {0};
    struct pr_plan p = base_plan();
    struct pr_mount m = M(0, 0, "nosuchfs", "/mnt", "nosuchfs", "");

    mkrootfs();
    p.mounts = &m;
    p.n_mounts = 1;
    CHECK(pr_rootfs_prepare(&p, &err) < 0 && err.stage == PR_STAGE_ROOTFS && err.errnum == ENODEV &&
              strstr(err.msg, "mount `nosuchfs` to `/mnt`") != NULL,
          "got %s", err.msg);
    m = M(0, 0, "tmpfs", "relative", "tmpfs", "");
    CHECK(pr_mount_one(&(struct pr_rootfs_ctx){.rootfd = open_root(), .dev_ro_fd = -1}, &m, &err) < 0 &&
              strstr(err.msg, "not absolute") != NULL,
          "got %s", err.msg);
    p = base_plan();
    p.rootfs = "relative/rootfs";
    CHECK(pr_rootfs_prepare(&p, &err) < 0, "relative rootfs");
    p = base_plan();
    CHECK(pr_rootfs_finish(&p, &err) < 0, "finish before prepare");
}

/* ------------------------------------------------------------------------------------------------ */

struct test {
    const char *name;
    void (*fn)(void);
};

static const struct test TESTS[] = {
    {"ms_to_attr", t_ms_to_attr},
    {"mount_data_label", t_mount_data_label},
    {"paths_mkdir_in_root", t_paths_mkdir_in_root},
    {"paths_fuzz", t_paths_fuzz},
    {"bind_options", t_bind_options},
    {"attack_mount_destination_symlink", t_attack_mount_destination_symlink},
    {"attack_proc_symlink", t_attack_proc_symlink},
    {"attack_dev_null_symlink", t_attack_dev_null_symlink},
    {"attack_masked_symlink", t_attack_masked_symlink},
    {"readonly_paths", t_readonly_paths},
    {"devices", t_devices},
    {"tmpcopyup", t_tmpcopyup},
    {"dev_readonly_deferred", t_dev_readonly_deferred},
    {"cgroup_hybrid_fake", t_cgroup_hybrid_fake},
    {"cgroup_v2_fake", t_cgroup_v2_fake},
    {"idmapped_bind", t_idmapped_bind},
    {"full_flow_pivot", t_full_flow_pivot},
    {"full_flow_no_pivot", t_full_flow_no_pivot},
    {"rootfs_propagation_shared", t_rootfs_propagation_shared},
    {"rootfs_propagation_unbindable", t_rootfs_propagation_unbindable},
    {"console_bind", t_console_bind},
    {"errors", t_errors},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    pid_t pid;
    int status;

    if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        for (int i = 0; TESTS[i].name; i++)
            printf("%s\n", TESTS[i].name);
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: %s list | NAME WORKDIR [BUSYBOX_ROOTFS]\n", argv[0]);
        return 2;
    }
    snprintf(W, sizeof(W), "%s", argv[2]);
    BUSYBOX = argc > 3 ? argv[3] : NULL;
    for (int i = 0; TESTS[i].name; i++) {
        if (strcmp(TESTS[i].name, argv[1]) != 0)
            continue;
        fflush(stdout);
        pid = fork();
        if (pid < 0)
            return 2;
        if (pid == 0) {
            if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                perror("private mount namespace");
                _exit(2);
            }
            TESTS[i].fn();
            fflush(stdout);
            _exit(0);
        }
        if (waitpid(pid, &status, 0) < 0)
            return 2;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            fprintf(stderr, "ok %s\n", argv[1]);
            return 0;
        }
        fprintf(stderr, "FAILED %s (status %d)\n", argv[1], status);
        return 1;
    }
    fprintf(stderr, "unknown test %s\n", argv[1]);
    return 2;
}
