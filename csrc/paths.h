/* paths.h - resolving paths inside a container's root without ever leaving it.
 *
 * Every helper takes rootfd, an fd of the container's root directory, and treats it as "/": absolute
 * symlinks, ".." and absolute paths are all scoped to it (openat2 RESOLVE_IN_ROOT), and magic links
 * (/proc/PID/fd/N) are refused. Missing directories and files are created one component at a time with
 * *at() calls on an fd already resolved inside the root, so a symlink swapped in by someone else can
 * only ever redirect the walk to another place inside the same root.
 *
 * All return a new O_CLOEXEC fd (or 0) on success and -1 with errno set on failure.
 */
#ifndef PYRUNC_PATHS_H
#define PYRUNC_PATHS_H

#include <stddef.h>
#include <sys/types.h>

/* openat2(rootfd, path, flags|O_CLOEXEC, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS). */
int pr_open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/* Like pr_open_in_root with O_PATH, but the last component must not be a symlink (ELOOP if it is). */
int pr_open_nofollow_in_root(int rootfd, const char *path);

/* mkdir -p inside the root; returns an O_PATH|O_DIRECTORY fd of the (possibly pre-existing) directory. */
int pr_mkdir_all_in_root(int rootfd, const char *path, mode_t mode);

/* Create the parent directories and, when missing, an empty regular file at path; returns an O_PATH fd
 * of whatever is at path afterwards (which may be an existing directory or node: the caller checks). */
int pr_mkfile_in_root(int rootfd, const char *path, mode_t mode);

/* Open (creating with mode when create != 0) the parent directory of path inside the root and copy the
 * last component into base. Fails with EINVAL when path has no last component ("/", "", "x/.."). */
int pr_open_parent_in_root(int rootfd, const char *path, int create, mode_t mode, char *base, size_t cap);

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
void pr_unescape_octal(char *s);

/* "/proc/self/fd/N" for fd; only meaningful while the host's /proc is the one mounted at /proc. */
const char *pr_fd_path(int fd, char *buf, size_t cap);

#endif

/* A procfs the container cannot have tampered with (the 2025 /proc races: writes to /proc/self/attr,
 * /proc/sys redirected by mounts over them). First choice: a private, detached procfs instance made with
 * fsopen("proc") (made lazily and cached; pr_rootfs_prepare makes it before anything is masked, since a
 * user namespace may only mount a procfs while a fully visible one exists). Fallback: /proc, checked to
 * be a procfs. Returns the cached fd (do not close it) or -1. */
int pr_procfs_fd(void);

/* Open path ("self/attr/exec", "sys/kernel/hostname") inside that procfs: no magic links, no "..", and no
 * crossing onto anything mounted over a part of the path (RESOLVE_NO_XDEV). */
int pr_proc_open(const char *path, int flags);
