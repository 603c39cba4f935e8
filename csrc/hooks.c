/* hooks.c - run one OCI hook: state JSON on stdin, output captured, killed after its timeout.
 * Used by the parent (prestart, createRuntime, poststart, poststop) and by the init inside the
 * container's namespaces (createContainer, startContainer). */
#include "pyrunc.h"
#include "errors.h"
#include "hooks.h"
#include "pidfd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void hook_child(const char *path, int exec_fd, char *const argv[], char *const envp[], int in_fd, int out_fd)
{
    /* Raw-clone child: only async-signal-safe calls until execve. */
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
        _exit(127);
    for (int s = 1; s < 65; s++)
        signal(s, SIG_DFL);
    {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
    }
    if (exec_fd >= 3) {
        /* Keep the hook's own O_PATH fd open: a #! script is handed to its interpreter as /dev/fd/N. */
        if (exec_fd > 3)
            syscall(SYS_close_range, 3, exec_fd - 1, 0);
        syscall(SYS_close_range, exec_fd + 1, ~0U, 0);
        fcntl(exec_fd, F_SETFD, 0);
        syscall(SYS_execveat, exec_fd, "", argv, envp, AT_EMPTY_PATH);
    } else {
        syscall(SYS_close_range, 3, ~0U, 0);
        execve(path, argv, envp);
    }
    {
        const char *m = "exec hook failed\n";
        (void)!write(2, m, strlen(m));
    }
    _exit(127);
}

int pyrunc_run_hook(const char *path, char *const argv[], char *const envp[], const char *stdin_data,
                    size_t stdin_len, int timeout_s, char *out, size_t out_cap, size_t *out_len,
                    struct pyrunc_err *err)
{
    return pr_run_hook_fd(path, -1, argv, envp, stdin_data, stdin_len, timeout_s, out, out_cap, out_len, err);
}

int pr_run_hook_fd(const char *path, int exec_fd, char *const argv[], char *const envp[], const char *stdin_data,
                   size_t stdin_len, int timeout_s, char *out, size_t out_cap, size_t *out_len,
                   struct pyrunc_err *err)
{
    int in_pipe[2], out_pipe[2], pidfd = -1, status = 0;
    size_t written = 0;
    long deadline = timeout_s > 0 ? now_ms() + timeout_s * 1000L : -1;
    pid_t pid;
    int out_open = 1, exited = 0, timed_out = 0;

    *out_len = 0;
    if (pipe2(in_pipe, O_CLOEXEC) < 0)
        return pr_fail_errno(err, PR_STAGE_HOOK, "create pipe for hook `%s`", path);
    if (pipe2(out_pipe, O_CLOEXEC) < 0) {
        int saved = errno;
        close(in_pipe[0]);
        close(in_pipe[1]);
        return pr_fail(err, PR_STAGE_HOOK, saved, "create pipe for hook `%s`", path);
    }
    pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        int saved = errno;
        close(in_pipe[0]);
        close(in_pipe[1]);
        close(out_pipe[0]);
        close(out_pipe[1]);
        return pr_fail(err, PR_STAGE_HOOK, saved, "fork hook `%s`", path);
    }
    if (pid == 0)
        hook_child(path, exec_fd, argv, envp, in_pipe[0], out_pipe[1]);
    close(in_pipe[0]);
    close(out_pipe[1]);
    fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (stdin_len == 0) {
        close(in_pipe[1]);
        in_pipe[1] = -1;
    }
    while (!exited || out_open) {
        struct pollfd pfds[3];
        int n = 0, idx_out = -1, idx_in = -1, idx_pid = -1, wait_ms = -1, r;

        if (out_open) {
            idx_out = n;
            pfds[n++] = (struct pollfd){.fd = out_pipe[0], .events = POLLIN};
        }
        if (in_pipe[1] >= 0) {
            idx_in = n;
            pfds[n++] = (struct pollfd){.fd = in_pipe[1], .events = POLLOUT};
        }
        if (!exited && pidfd >= 0) {
            idx_pid = n;
            pfds[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        }
        if (deadline >= 0) {
            long left = deadline - now_ms();
            wait_ms = left > 0 ? (int)left : 0;
        }
        if (n == 0)
            break;
        r = poll(pfds, (nfds_t)n, wait_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            if (exited)
                break; /* output still held open by the hook's children: stop reading */
            timed_out = 1;
            kill(pid, SIGKILL);
            deadline = -1;
            continue;
        }
        if (idx_out >= 0 && pfds[idx_out].revents) {
            char buf[4096];
            ssize_t got = read(out_pipe[0], buf, sizeof(buf));
            if (got <= 0) {
                out_open = 0;
            } else if (*out_len < out_cap) {
                size_t keep = (size_t)got;
                if (keep > out_cap - *out_len)
                    keep = out_cap - *out_len;
                memcpy(out + *out_len, buf, keep);
                *out_len += keep;
            }
        }
        if (idx_in >= 0 && pfds[idx_in].revents) {
            ssize_t w = write(in_pipe[1], stdin_data + written, stdin_len - written);
            if (w > 0)
                written += (size_t)w;
            if (w < 0 || written >= stdin_len) {
                close(in_pipe[1]);
                in_pipe[1] = -1;
            }
        }
        if (idx_pid >= 0 && pfds[idx_pid].revents) {
            exited = 1;
            /* Output may still be held open by the hook's own children: stop at the deadline. */
            if (deadline < 0)
                deadline = now_ms() + 1000;
        }
        if (pidfd < 0 && !exited) {
            if (waitpid(pid, &status, WNOHANG) == pid)
                exited = 2;
        }
    }
    if (in_pipe[1] >= 0)
        close(in_pipe[1]);
    close(out_pipe[0]);
    if (exited != 2) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    if (pidfd >= 0)
        close(pidfd);
    if (timed_out)
        return pr_fail(err, PR_STAGE_HOOK, ETIMEDOUT, "run hook `%s`: timed out after %d seconds", path, timeout_s);
    return status;
}
