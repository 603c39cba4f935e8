/* cmds.c - state, kill and start, each the plain successful case of pyrunc/runtime/lifecycle.py (start,
 * kill) and pyrunc/cli/cmd_state.py; delete is in delete.c, list in list.c. */
#include "front.h"
#include "../errors.h"

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

int front_state(struct front_ctr *c, const char **why)
{
    const struct front_value *doc = &c->rec.docs[front_status(c)];

    (void)why;
    /* Python ignores SIGPIPE and drops a failed final flush: exit 0 either way. */
    signal(SIGPIPE, SIG_IGN);
    (void)front_write_all(STDOUT_FILENO, doc->data, doc->len);
    return 0;
}

/* --- kill ------------------------------------------------------------------------------------- */

struct signame {
    const char *name;
    int number;
};

/* x86-64 Linux numbers, the names pyrunc/runtime/signals.py accepts. */
static const struct signame signames[] = {
    {"HUP", 1},    {"INT", 2},     {"QUIT", 3},   {"ILL", 4},     {"TRAP", 5},  {"ABRT", 6},  {"IOT", 6},
    {"BUS", 7},    {"FPE", 8},     {"KILL", 9},   {"USR1", 10},   {"SEGV", 11}, {"USR2", 12}, {"PIPE", 13},
    {"ALRM", 14},  {"TERM", 15},   {"STKFLT", 16}, {"CHLD", 17},  {"CLD", 17},  {"CONT", 18}, {"STOP", 19},
    {"TSTP", 20},  {"TTIN", 21},   {"TTOU", 22},  {"URG", 23},    {"XCPU", 24}, {"XFSZ", 25}, {"VTALRM", 26},
    {"PROF", 27},  {"WINCH", 28},  {"IO", 29},    {"POLL", 29},   {"PWR", 30},  {"SYS", 31},
};

#define RTMIN 34
#define RTMAX 64

/* 1..64 for what signals.signal_number would accept in plain ASCII, -1 for anything else (Python then
 * decides, including every error). */
int front_signal_number(const char *text)
{
    char name[32];
    size_t n = 0;
    const char *p = text;

    if (*p >= '0' && *p <= '9') {
        long v = 0;
        for (; *p; p++) {
            if (*p < '0' || *p > '9' || v > 1000)
                return -1;
            v = v * 10 + (*p - '0');
        }
        return v > 0 && v <= RTMAX ? (int)v : -1;
    }
    for (; *p; p++) {
        char ch = *p;
        if (n + 1 >= sizeof(name))
            return -1;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        else if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '+' || ch == '-'))
            return -1;
        name[n++] = ch;
    }
    name[n] = '\0';
    p = strncmp(name, "SIG", 3) == 0 ? name + 3 : name;
    for (size_t i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
        if (!strcmp(p, signames[i].name))
            return signames[i].number;
    for (int rt = 0; rt < 2; rt++) {
        const char *base = rt ? "RTMAX" : "RTMIN";
        int value = rt ? RTMAX : RTMIN, off = 0, digits = 0;
        const char *q;

        if (strncmp(p, base, 5) != 0)
            continue;
        if (p[5] == '\0')
            return value;
        if (p[5] != '+' && p[5] != '-')
            return -1;
        for (q = p + 6; *q; q++, digits++) {
            if (*q < '0' || *q > '9' || digits >= 2)
                return -1;
            off = off * 10 + (*q - '0');
        }
        if (!digits)
            return -1;
        value = p[5] == '+' ? value + off : value - off;
        return value >= RTMIN && value <= RTMAX ? value : -1;
    }
    return -1;
}

int front_kill(struct front_ctr *c, int sig, const char **why)
{
    if (!front_alive(c->rec.pid, c->rec.init_start)) {
        *why = "the container is stopped (python reports it)";
        return -1;
    }
    if (sig == SIGKILL && front_status(c) == ST_PAUSED) {
        *why = "SIGKILL to a paused container also thaws its cgroup";
        return -1;
    }
    switch (front_signal_init(&c->rec, sig)) {
    case 0:
        return 0;
    case 1:
        *why = "the init exited meanwhile";
        return -1;
    default:
        *why = "pidfd_open or pidfd_send_signal failed";
        return -1;
    }
}

/* --- start ------------------------------------------------------------------------------------ */

int front_start(struct front_ctr *c, const struct front_opts *o, const char **why)
{
    struct pollfd pfd;
    struct stat st;
    char data[16];
    ssize_t n;
    int fd, watch;

    if (front_status(c) != ST_CREATED) {
        *why = "the container is not created (python reports it)";
        return -1;
    }
    if (c->rec.poststart) {
        *why = "poststart hooks to run";
        return -1;
    }
    fd = openat(c->dir_fd, FRONT_FIFO_FILE, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        *why = "the exec fifo cannot be opened (python reports why)";
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
        close(fd);
        *why = "exec.fifo is not a fifo";
        return -1;
    }
    /* Our own reader, opened while the init still holds its end: EOF (POLLHUP) once the init has exec'd or
     * died; the init writes "1" first once its startContainer hooks are done. */
    watch = openat(c->dir_fd, FRONT_FIFO_FILE, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (watch < 0) {
        close(fd);
        *why = "the exec fifo cannot be opened for reading";
        return -1;
    }
    do
        n = write(fd, "0", 1);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n != 1) {
        close(watch);
        *why = "writing the exec fifo failed";
        return -1;
    }
    /* Past this point the init runs: errors are reported here, not by a fallback. */
    if (unlinkat(c->dir_fd, FRONT_FIFO_FILE, 0) < 0) {
        struct pyrunc_err err = {0};
        pr_fail_errno(&err, PR_STAGE_NONE, "container %s: remove `%s`", c->id, FRONT_FIFO_FILE);
        front_report_error(o, err.msg);
        close(watch);
        exit(1);
    }
    pfd.fd = watch;
    pfd.events = 0; /* only POLLHUP: the byte the init writes must not wake us before it exits */
    for (;;) {
        int rc = poll(&pfd, 1, -1);
        if (rc > 0)
            break;
        if (rc < 0 && errno != EINTR)
            break;
    }
    do
        n = read(watch, data, sizeof(data));
    while (n < 0 && errno == EINTR);
    close(watch);
    if (n <= 0 || data[n - 1] != '1') {
        front_report_error(o, c->rec.start_error);
        exit(1);
    }
    return 0;
}
