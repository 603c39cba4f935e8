/* delete.c - `delete ID` of a stopped or created container and `delete --force ID` of one in any status, as
 * pyrunc/runtime/lifecycle.py's delete, _kill_and_wait and _teardown and CgroupManager.kill_all,
 * wait_empty and destroy do them.
 *
 * Everything that could make the front end hand over is checked before anything changes. Past that
 * point every step is one that Python's `delete --force` repeats harmlessly from whatever state a
 * failure leaves (a dead init is `stopped`, a killed cgroup is killed again or found empty, a removed
 * cgroup is ENOENT, the state files go state.json last), so a failure part-way still hands over and
 * Python finishes the job or reports the error it would have reported anyway. */
#include "front.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* CgroupManager.WAIT_SECONDS and lifecycle._kill_and_wait's wait_exit(10_000). */
#define WAIT_MS 10000
#define SIGKILL_ROUNDS 3

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int path_join(char *out, size_t size, const char *dir, const char *name)
{
    return (size_t)snprintf(out, size, "%s/%s", dir, name) < size ? 0 : -1;
}

static int exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* fs.write: one write(2) of the value. */
static int write_value(const char *path, const char *value)
{
    size_t len = strlen(value);
    ssize_t n;
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return -1;
    do
        n = write(fd, value, len);
    while (n < 0 && errno == EINTR);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

/* --- processes of a cgroup --------------------------------------------------------------------- */

struct pids {
    pid_t *v;
    size_t n, cap;
};

static int push_pid(struct pids *out, long pid)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        pid_t *v = realloc(out->v, cap * sizeof(*v));
        if (!v)
            return -1;
        out->v = v;
        out->cap = cap;
    }
    out->v[out->n++] = (pid_t)pid;
    return 0;
}

/* fs.read_pids of one cgroup.procs: the whole file (it may list many); unreadable reads as empty. */
static int read_pids(const char *dir, struct pids *out)
{
    char path[4096], chunk[8192];
    long cur = -1;
    ssize_t n;
    int fd;

    out->n = 0;
    if (path_join(path, sizeof(path), dir, "cgroup.procs") < 0)
        return -1;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return 0;
    for (;;) {
        do
            n = read(fd, chunk, sizeof(chunk));
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            break;
        /* A number may run on into the next chunk: cur carries it. */
        for (ssize_t i = 0; i < n; i++) {
            if (chunk[i] >= '0' && chunk[i] <= '9') {
                cur = (cur < 0 ? 0 : cur * 10) + (chunk[i] - '0');
                if (cur > 0x7fffffff)
                    cur = 0x7fffffff;
            } else if (cur >= 0) {
                if (push_pid(out, cur) < 0) {
                    close(fd);
                    return -1;
                }
                cur = -1;
            }
        }
    }
    close(fd);
    if (n < 0) {
        out->n = 0;
        return 0;
    }
    return cur >= 0 ? push_pid(out, cur) : 0;
}

/* CgroupManager.pids: cgroup.procs of the first of its directories that exists. */
static int cgroup_pids(const struct front_record *r, struct pids *out)
{
    out->n = 0;
    for (int i = 0; i < r->n_procs; i++)
        if (is_dir(r->procs[i]))
            return read_pids(r->procs[i], out);
    return 0;
}

/* _wait_pidfds: until every pid has exited or the deadline passes (pidfds, no sleeping loop). */
static void wait_pidfds(const struct pids *p, long long deadline)
{
    struct pollfd *fds = calloc(p->n ? p->n : 1, sizeof(*fds));
    size_t n = 0, pending;

    if (!fds)
        return;
    for (size_t i = 0; i < p->n; i++) {
        int fd = (int)syscall(SYS_pidfd_open, p->v[i], 0);
        if (fd >= 0) {
            fds[n].fd = fd;
            fds[n++].events = POLLIN;
        }
    }
    pending = n;
    while (pending) {
        long long left = deadline - now_ms();
        int rc;
        if (left <= 0)
            break;
        rc = poll(fds, n, (int)left);
        if (rc < 0 && errno != EINTR)
            break;
        for (size_t i = 0; rc > 0 && i < n; i++) {
            if (fds[i].fd >= 0 && fds[i].revents) {
                close(fds[i].fd);
                fds[i].fd = -1; /* poll ignores it from now on */
                pending--;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    free(fds);
}

/* _poll_file: until the keyed file (cgroup.events) says `key want`; kernfs wakes POLLPRI on each change,
 * the 100 ms cap covers a change between the read and the poll. 1 when seen (or the file is gone). */
static int poll_keyed(const char *path, const char *key, const char *want, long long deadline)
{
    char buf[4096], line[128];
    struct pollfd pfd;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return 1;
    snprintf(line, sizeof(line), "%s %s", key, want);
    pfd.fd = fd;
    pfd.events = POLLPRI | POLLERR;
    for (;;) {
        ssize_t n;
        long long left;
        do
            n = pread(fd, buf, sizeof(buf) - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            close(fd);
            return 0;
        }
        buf[n] = '\0';
        for (char *p = buf; p && *p;) {
            char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            if (len == strlen(line) && !memcmp(p, line, len)) {
                close(fd);
                return 1;
            }
            p = nl ? nl + 1 : NULL;
        }
        left = deadline - now_ms();
        if (left <= 0) {
            close(fd);
            return 0;
        }
        if (poll(&pfd, 1, left < 100 ? (int)left : 100) < 0 && errno != EINTR) {
            close(fd);
            return 0;
        }
    }
}

/* --- CgroupManager.thaw, kill_all(SIGKILL), wait_empty ------------------------------------------- */

/* The v1 freezer only (a frozen v2 freezer makes the front end hand over before it changes anything). */
static int thaw(const struct front_record *r)
{
    if (!r->freezer || r->freezer[1] != '1')
        return -1;
    return write_value(r->freezer + 3, "THAWED");
}

static int thaw_if_frozen(const struct front_record *r)
{
    return front_frozen(r) ? thaw(r) : 0;
}

/* cgroup.kill reaches every process of the cgroup2 directory, forks included; a task stopped by the v1
 * freezer dies only once thawed. */
static int kill_all(const struct front_record *r)
{
    char path[4096];

    if (path_join(path, sizeof(path), r->cgroup_v2, "cgroup.kill") < 0 || write_value(path, "1") < 0)
        return -1;
    if (r->freezer && r->freezer[1] == '1' && front_frozen(r))
        return thaw(r);
    return 0;
}

static int wait_empty(const struct front_record *r, struct pids *p)
{
    long long deadline = now_ms() + WAIT_MS;
    char path[4096];

    if (path_join(path, sizeof(path), r->cgroup_v2, "cgroup.events") == 0 && exists(path) &&
        !poll_keyed(path, "populated", "0", deadline))
        return 0;
    deadline = now_ms() + WAIT_MS;
    for (;;) {
        if (cgroup_pids(r, p) < 0)
            return 0;
        if (!p->n)
            return 1;
        if (now_ms() >= deadline)
            return 0;
        wait_pidfds(p, deadline);
    }
}

/* --- the state directory and the cgroup directories --------------------------------------------- */

/* The state directory holds files only (state.json, the record, maybe the fifo or a stale temp file):
 * anything else is Python's to remove. */
static int flat_entries(int dir_fd)
{
    struct dirent *e;
    int ok = 1;
    DIR *d = front_dir_stream(openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (e->d_type == DT_DIR)
            ok = 0;
        else if (e->d_type == DT_UNKNOWN &&
                 (fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode)))
            ok = 0;
    }
    closedir(d);
    return ok;
}

/* Unlink every entry, state.json last, so a failure part-way leaves a container Python can still load. */
static int remove_entries(int dir_fd)
{
    struct dirent *e;
    int ok = 1;
    DIR *d = front_dir_stream(openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, FRONT_STATE_FILE))
            continue;
        if (unlinkat(dir_fd, e->d_name, 0) < 0 && errno != ENOENT)
            ok = 0;
    }
    closedir(d);
    if (!ok)
        return -1;
    if (unlinkat(dir_fd, FRONT_STATE_FILE, 0) < 0 && errno != ENOENT)
        return -1;
    return 0;
}

static int remove_cgroup(const char *dir, int leaf)
{
    const struct timespec pause = {0, 5 * 1000 * 1000};

    for (int attempt = 0; attempt < 200; attempt++) {
        if (rmdir(dir) == 0 || errno == ENOENT)
            return 0;
        /* EBUSY just after the last task exited: the kernel is still releasing it. */
        if (!leaf || errno != EBUSY || attempt == 199)
            return leaf ? -1 : 0;
        nanosleep(&pause, NULL);
    }
    return -1;
}

/* CgroupManager._remove_dirs in the record's order, then Store.remove. */
static int remove_all(struct front_ctr *c, const char **why)
{
    for (int i = 0; i < c->rec.n_rmdirs; i++) {
        if (remove_cgroup(c->rec.rmdirs[i] + 1, c->rec.rmdirs[i][0] == 'L') < 0) {
            *why = "a cgroup will not rmdir";
            return -1;
        }
    }
    if (remove_entries(c->dir_fd) < 0) {
        *why = "the state directory cannot be emptied";
        return -1;
    }
    if (unlinkat(c->root_fd, c->id, AT_REMOVEDIR) < 0 && errno != ENOENT) {
        *why = "the state directory cannot be removed";
        return -1;
    }
    return 0;
}

static int plain_teardown(const struct front_ctr *c, const char **why)
{
    if (c->rec.poststop) {
        *why = "poststop hooks to run";
        return -1;
    }
    if (c->rec.unmount) {
        *why = "no mount namespace of its own: the rootfs needs unmounting";
        return -1;
    }
    if (!flat_entries(c->dir_fd)) {
        *why = "the state directory holds more than files";
        return -1;
    }
    return 0;
}

/* --- delete [--force] ----------------------------------------------------------------------------- */

/* Container.wait_exit(10_000): the init's pidfd polled until it exits; a pidfd that cannot be opened,
 * or a process that is not the init any more, means it is gone. */
static void wait_init_exit(const struct front_record *r)
{
    struct pollfd pfd;
    long long deadline = now_ms() + WAIT_MS;
    int fd = (int)syscall(SYS_pidfd_open, (pid_t)r->pid, 0);

    if (fd < 0)
        return;
    if (front_alive(r->pid, r->init_start)) {
        pfd.fd = fd;
        pfd.events = POLLIN;
        for (;;) {
            long long left = deadline - now_ms();
            int rc;
            if (left <= 0)
                break;
            rc = poll(&pfd, 1, (int)left);
            if (rc > 0 || (rc < 0 && errno != EINTR))
                break;
        }
    }
    close(fd);
}

/* Container.signal(SIGKILL): 0 when sent or when the init is already gone (Python ignores that). */
static int kill_init(const struct front_record *r)
{
    return front_signal_init(r, SIGKILL) < 0 ? -1 : 0;
}

/* lifecycle._kill_and_wait. */
static int kill_and_wait(const struct front_record *r, const char **why)
{
    int killed = 0;

    if (r->cgroups == CG_MANAGED) {
        killed = kill_all(r) == 0;
        (void)thaw_if_frozen(r); /* Python ignores a failure here */
    }
    if (!killed && kill_init(r) < 0) {
        *why = "the init cannot be signalled";
        return -1;
    }
    wait_init_exit(r);
    return 0;
}

/* Whether any of the container's cgroup directories exists. */
static int any_leaf(const struct front_record *r)
{
    for (int i = 0; i < r->n_leaves; i++)
        if (is_dir(r->leaves[i]))
            return 1;
    return 0;
}

/* CgroupManager.destroy up to the removal of the directories. */
static int empty_cgroups(const struct front_record *r, const char **why)
{
    struct pids p = {0};
    int rc = 0;

    if (any_leaf(r)) {
        for (int round = 0; round < SIGKILL_ROUNDS; round++) {
            if (cgroup_pids(r, &p) < 0) {
                rc = -1;
                break;
            }
            if (!p.n)
                break;
            if (kill_all(r) < 0) {
                rc = -1;
                break;
            }
            if (wait_empty(r, &p))
                break;
        }
        (void)thaw_if_frozen(r);
    }
    if (rc == 0 && (cgroup_pids(r, &p) < 0 || p.n))
        rc = -1;
    free(p.v);
    if (rc < 0)
        *why = "the cgroup cannot be emptied (python reports it)";
    return rc;
}

/* lifecycle.delete once the container is loaded: a running or paused container needs --force; any other
 * is killed if need be (a created one too, as runc does) and torn down. */
int front_delete(struct front_ctr *c, int force, const char **why)
{
    const struct front_record *r = &c->rec;
    enum front_status status = front_status(c);
    char path[4096];

    if (!force && (status == ST_RUNNING || status == ST_PAUSED)) {
        *why = "the container is not stopped";
        return -1;
    }
    if (plain_teardown(c, why) < 0)
        return -1;
    switch (r->cgroups) {
    case CG_UNKNOWN:
        *why = "a record without the container's cgroup mode";
        return -1;
    case CG_SKIPPED:
        /* Python's _kill_and_wait counts the no-op kill_all of a skipped manager as the kill. */
        if (status != ST_STOPPED) {
            *why = "a live rootless container without cgroups";
            return -1;
        }
        break;
    case CG_MANAGED:
        /* kill_all's way here is cgroup.kill; the freeze-signal-thaw loop of a host without it is Python's. */
        if ((status != ST_STOPPED || any_leaf(r)) &&
            (!r->cgroup_v2 || path_join(path, sizeof(path), r->cgroup_v2, "cgroup.kill") < 0 || !exists(path))) {
            *why = "no cgroup.kill for this container";
            return -1;
        }
        if (r->freezer && r->freezer[1] == '2' && front_frozen(r)) {
            *why = "a frozen cgroup2 freezer";
            return -1;
        }
        break;
    case CG_NONE:
        break;
    }
    /* Python's delete --force repeats each step below harmlessly from wherever a failure stops it. */
    if (status != ST_STOPPED && kill_and_wait(r, why) < 0)
        return -1;
    if (r->cgroups == CG_MANAGED && empty_cgroups(r, why) < 0)
        return -1;
    return remove_all(c, why);
}
