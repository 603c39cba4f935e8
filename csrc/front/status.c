/* status.c - a container's status, derived as pyrunc/runtime/container.py does: the init's pid plus its
 * start time (/proc/PID/stat field 22) say whether it still runs; the exec fifo's presence makes it
 * `created`; a frozen cgroup makes it `paused`. */
#include "front.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t front_read_small(const char *path, char *buf, size_t size)
{
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return -1;
    do
        n = read(fd, buf, size - 1);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n;
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* procs.is_alive: the same process (start time, when recorded) and not a zombie. */
int front_alive(long pid, const char *init_start)
{
    char path[64], buf[4096], *p, *fields[20];
    int n = 0;

    if (pid <= 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if (front_read_small(path, buf, sizeof(buf)) < 0)
        return 0;
    p = strrchr(buf, ')');
    if (!p || p[1] == '\0')
        return 0;
    p += 2; /* past ") " */
    while (n < 20) {
        while (*p && is_space(*p))
            p++;
        if (!*p)
            break;
        fields[n++] = p;
        while (*p && !is_space(*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    if (n < 20)
        return 0;
    if (!strcmp(fields[0], "Z") || !strcmp(fields[0], "X"))
        return 0;
    return init_start[0] == '\0' || !strcmp(fields[19], init_start);
}

/* CgroupManager.is_frozen: v2 cgroup.freeze is "1"; v1 freezer.state FROZEN or FREEZING; unreadable = no. */
int front_frozen(const struct front_record *rec)
{
    char buf[64], *start, *end;
    ssize_t n;

    if (!rec->freezer)
        return 0;
    n = front_read_small(rec->freezer + 3, buf, sizeof(buf));
    if (n < 0)
        return 0;
    start = buf;
    end = buf + n;
    while (start < end && is_space(*start))
        start++;
    while (end > start && is_space(end[-1]))
        end--;
    *end = '\0';
    if (rec->freezer[1] == '2')
        return !strcmp(start, "1");
    return !strcmp(start, "FROZEN") || !strcmp(start, "FREEZING");
}

enum front_status front_status(const struct front_ctr *c)
{
    char name[FRONT_NAME_MAX];
    struct stat st;

    if (!front_alive(c->rec.pid, c->rec.init_start))
        return ST_STOPPED;
    /* os.path.exists: follows a symlink, any error is "absent". */
    if (fstatat(c->dir_fd, front_file(c, FRONT_FIFO_FILE, name), &st, 0) == 0)
        return ST_CREATED;
    if (front_frozen(&c->rec))
        return ST_PAUSED;
    return ST_RUNNING;
}

int front_signal_init(const struct front_record *r, int sig)
{
    int rc = 1, fd = (int)syscall(SYS_pidfd_open, (pid_t)r->pid, 0);

    if (fd < 0)
        return errno == ESRCH ? 1 : -1;
    if (front_alive(r->pid, r->init_start)) {
        if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0)
            rc = 0;
        else if (errno != ESRCH)
            rc = -1;
    }
    close(fd);
    return rc;
}
