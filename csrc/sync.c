/* sync.c - messages on the parent/child SOCK_SEQPACKET socket, fd passing, pidfds.
 *
 * The exchange during create (parent = the pyrunc process, CHILD = intermediate, INIT = container init;
 * CHILD starts at once: it joins the cgroups itself, see csrc/spawn.c):
 *   CHILD  -> parent PM_IDMAP_REQ    only with a new user namespace: write uid_map/gid_map now
 *   parent -> CHILD  PM_IDMAP_DONE
 *   CHILD  -> parent PM_INIT_PID     value = host pid of INIT (a direct child of the parent)
 *   INIT   -> parent PM_HOOKS_REQ    only with hooks: mounts are done, run prestart/createRuntime
 *   parent -> INIT   PM_HOOKS_DONE   payload = state JSON for createContainer/startContainer hooks
 *   INIT   -> parent PM_PTY_MASTER   only with a terminal: the pty master (SCM_RIGHTS)
 *   INIT   -> parent PM_SECCOMP_FD   only with SCMP_ACT_NOTIFY: the listener fd (SCM_RIGHTS)
 *   INIT   -> parent PM_READY        INIT now blocks on the exec fifo (create) or execs (exec)
 *   any    -> parent PM_ERROR        payload = struct pyrunc_err; the sender then exits
 * PM_INIT_PID and PM_READY come from two processes and may arrive in either order: the parent waits for both.
 * In exec mode the new process keeps its end until execve, so a late failure still reaches the parent
 * as PM_ERROR after PM_READY.
 * EOF on the socket means the other side died: the child aborts, the parent reports a failed init. */
#include "pyrunc.h"
#include "errors.h"
#include "pidfd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int pyrunc_msg_send(int fd, uint32_t type, int32_t value, const void *payload, size_t len, int pass_fd,
                    struct pyrunc_err *err)
{
    struct pyrunc_msg hdr = {.type = type, .value = value, .len = (uint32_t)len, .reserved = 0};
    struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)payload, len}};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
    ssize_t n;

    if (pass_fd >= 0) {
        struct cmsghdr *cm;
        memset(&ctl, 0, sizeof(ctl));
        msg.msg_control = ctl.buf;
        msg.msg_controllen = sizeof(ctl.buf);
        cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
    }
    do
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return pr_fail_errno(err, PR_STAGE_SYNC, "send sync message %u", type);
    return 0;
}

int pyrunc_msg_recv(int fd, struct pyrunc_msg *hdr, void *payload, size_t cap, int *got_fd, int timeout_ms,
                    struct pyrunc_err *err)
{
    struct iovec iov[2] = {{hdr, sizeof(*hdr)}, {payload, cap}};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *cm;
    ssize_t n;

    if (got_fd)
        *got_fd = -1;
    if (timeout_ms >= 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r;
        do
            r = poll(&pfd, 1, timeout_ms);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return pr_fail_errno(err, PR_STAGE_SYNC, "poll sync socket");
        if (r == 0)
            return pr_fail(err, PR_STAGE_SYNC, ETIMEDOUT, "wait for the container init");
    }
    do
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return pr_fail_errno(err, PR_STAGE_SYNC, "receive sync message");
    if (n == 0) {
        memset(hdr, 0, sizeof(*hdr));
        return 0; /* EOF: type 0 */
    }
    if ((size_t)n < sizeof(*hdr))
        return pr_fail(err, PR_STAGE_SYNC, EPROTO, "receive sync message: short message");
    for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && got_fd) {
            int nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            int *fds = (int *)CMSG_DATA(cm);
            for (int i = 0; i < nfds; i++) {
                if (*got_fd < 0)
                    *got_fd = fds[i];
                else
                    close(fds[i]);
            }
        }
    }
    if (msg.msg_flags & MSG_TRUNC)
        return pr_fail(err, PR_STAGE_SYNC, EMSGSIZE, "receive sync message: payload too large");
    return (int)((size_t)n - sizeof(*hdr));
}

int pyrunc_send_fd_to_path(const char *path, int fd, const void *payload, size_t len, struct pyrunc_err *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    char dummy = 0;
    struct iovec iov = {len ? (void *)payload : &dummy, len ? len : 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
    struct cmsghdr *cm;
    int sock;
    ssize_t n;

    if (strlen(path) >= sizeof(addr.sun_path))
        return pr_fail(err, PR_STAGE_CONSOLE, ENAMETOOLONG, "connect to `%s`", path);
    strcpy(addr.sun_path, path);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "create unix socket");
    if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(sock);
        return pr_fail(err, PR_STAGE_CONSOLE, saved, "connect to `%s`", path);
    }
    memset(&ctl, 0, sizeof(ctl));
    cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        int saved = errno;
        close(sock);
        return pr_fail(err, PR_STAGE_CONSOLE, saved, "send fd to `%s`", path);
    }
    close(sock);
    return 0;
}

int pyrunc_pidfd_open(int pid, struct pyrunc_err *err)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return pr_fail_errno(err, PR_STAGE_SYNC, "open pidfd of %d", pid);
    return fd;
}

int pyrunc_pidfd_send_signal(int pidfd, int sig, struct pyrunc_err *err)
{
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        return pr_fail_errno(err, PR_STAGE_SYNC, "send signal %d", sig);
    return 0;
}

/* Returns 1 when the process has exited, 0 on timeout. */
int pyrunc_pidfd_wait(int pidfd, int timeout_ms, struct pyrunc_err *err)
{
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
    int r;
    do
        r = poll(&pfd, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return pr_fail_errno(err, PR_STAGE_SYNC, "poll pidfd");
    return r > 0 ? 1 : 0;
}
