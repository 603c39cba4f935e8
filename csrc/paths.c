/* paths.c - in-root path resolution (see paths.h for the rules). */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PR_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
#define PR_PATH_MAX 4096

static int openat2_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
    struct open_how how;

    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = PR_RESOLVE;
    /* An empty path would mean rootfd itself only with AT_EMPTY_PATH, which openat2 lacks: use ".". */
    if (path == NULL || path[0] == '\0')
        path = ".";
    for (;;) {
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        /* EAGAIN: the kernel saw a concurrent rename/mount during a scoped lookup; retrying is safe. */
        if (fd < 0 && errno == EAGAIN)
            continue;
        return (int)fd;
    }
}

int pr_open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
    return openat2_in_root(rootfd, path, flags, mode);
}

int pr_open_nofollow_in_root(int rootfd, const char *path)
{
    struct stat st;
    int fd = openat2_in_root(rootfd, path, O_PATH | O_NOFOLLOW, 0);

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    if (S_ISLNK(st.st_mode)) {
        close(fd);
        errno = ELOOP;
        return -1;
    }
    return fd;
}

/* Copy path into buf with repeated and trailing slashes removed; "" stays "". */
static int normalize(const char *path, char *buf, size_t cap)
{
    size_t n = 0;

    for (const char *s = path; *s != '\0'; s++) {
        if (*s == '/' && n > 0 && buf[n - 1] == '/')
            continue;
        if (n + 1 >= cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        buf[n++] = *s;
    }
    while (n > 1 && buf[n - 1] == '/')
        n--;
    buf[n] = '\0';
    return 0;
}

int pr_mkdir_all_in_root(int rootfd, const char *path, mode_t mode)
{
    char buf[PR_PATH_MAX];
    int cur, fd;
    size_t i, len;

    if (normalize(path, buf, sizeof(buf)) < 0)
        return -1;
    fd = openat2_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
    if (fd >= 0 || errno != ENOENT)
        return fd;
    /* Walk from the root, one component at a time: each mkdirat is relative to a directory fd that
     * was itself resolved inside the root, and creates a single name (it never follows a symlink). */
    cur = openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY, 0);
    if (cur < 0)
        return -1;
    len = strlen(buf);
    i = 0;
    while (i < len) {
        size_t start, end;
        char saved;

        while (i < len && buf[i] == '/')
            i++;
        if (i >= len)
            break;
        start = i;
        while (i < len && buf[i] != '/')
            i++;
        end = i;
        saved = buf[end];
        buf[end] = '\0';
        fd = openat2_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
        if (fd < 0 && errno == ENOENT) {
            if (mkdirat(cur, buf + start, mode) < 0 && errno != EEXIST) {
                int e = errno;
                close(cur);
                errno = e;
                return -1;
            }
            fd = openat2_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
        }
        buf[end] = saved;
        if (fd < 0) {
            int e = errno;
            close(cur);
            errno = e;
            return -1;
        }
        close(cur);
        cur = fd;
    }
    return cur;
}

/* Split a normalized path into its parent and last component. */
static int split_last(const char *path, char *parent, size_t pcap, char *base, size_t bcap)
{
    char buf[PR_PATH_MAX];
    const char *slash;
    size_t plen, blen;

    if (normalize(path, buf, sizeof(buf)) < 0)
        return -1;
    slash = strrchr(buf, '/');
    if (slash == NULL) {
        plen = 0;
        slash = buf - 1;
    } else {
        plen = (size_t)(slash - buf);
    }
    blen = strlen(slash + 1);
    if (blen == 0 || strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0) {
        errno = EINVAL;
        return -1;
    }
    if (plen + 2 > pcap || blen + 1 > bcap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(parent, buf, plen);
    parent[plen] = '\0';
    if (plen == 0)
        strcpy(parent, "/");
    memcpy(base, slash + 1, blen + 1);
    return 0;
}

int pr_open_parent_in_root(int rootfd, const char *path, int create, mode_t mode, char *base, size_t cap)
{
    char parent[PR_PATH_MAX];

    if (split_last(path, parent, sizeof(parent), base, cap) < 0)
        return -1;
    if (create)
        return pr_mkdir_all_in_root(rootfd, parent, mode);
    return openat2_in_root(rootfd, parent, O_PATH | O_DIRECTORY, 0);
}

int pr_mkfile_in_root(int rootfd, const char *path, mode_t mode)
{
    char base[256];
    int dirfd, fd;

    fd = openat2_in_root(rootfd, path, O_PATH, 0);
    if (fd >= 0 || errno != ENOENT)
        return fd;
    dirfd = pr_open_parent_in_root(rootfd, path, 1, 0755, base, sizeof(base));
    if (dirfd < 0)
        return -1;
    /* mknodat never follows the last component: an existing (even dangling) symlink gives EEXIST. */
    if (mknodat(dirfd, base, S_IFREG | (mode & 07777), 0) < 0 && errno != EEXIST) {
        int e = errno;
        close(dirfd);
        errno = e;
        return -1;
    }
    close(dirfd);
    return openat2_in_root(rootfd, path, O_PATH, 0);
}

void pr_unescape_octal(char *s)
{
    char *w = s;
    for (char *r = s; *r != '\0'; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
            r[3] <= '7') {
            *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

const char *pr_fd_path(int fd, char *buf, size_t cap)
{
    snprintf(buf, cap, "/proc/self/fd/%d", fd);
    return buf;
}

static int g_procfd = -1;

int pr_procfs_fd(void)
{
    struct statfs sfs;
    int fs, fd;

    if (g_procfd >= 0)
        return g_procfd;
    fs = fsopen("proc", FSOPEN_CLOEXEC);
    if (fs >= 0) {
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0) {
            fd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
            if (fd >= 0) {
                close(fs);
                g_procfd = fd;
                return fd;
            }
        }
        close(fs);
    }
    fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
        close(fd);
        errno = EXDEV;
        return -1;
    }
    g_procfd = fd;
    return fd;
}

int pr_proc_open(const char *path, int flags)
{
    struct open_how how;
    int procfd = pr_procfs_fd();

    if (procfd < 0)
        return -1;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    for (;;) {
        long fd = syscall(SYS_openat2, procfd, path, &how, sizeof(how));
        if (fd < 0 && errno == EAGAIN)
            continue;
        return (int)fd;
    }
}
