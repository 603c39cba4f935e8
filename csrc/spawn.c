/* spawn.c - from the pyrunc process to the container's execve.
 *
 *   parent (Python) --vfork+exec--> CHILD (pyrunc-init) --clone(CLONE_PARENT)--> INIT --execve--> process
 *
 * CHILD joins the namespaces given by path (user first), creates the new ones (pid and time ones take
 * effect for INIT), asks the parent to write id maps, then clones INIT as a sibling, so INIT is the
 * parent's direct child and is reparented to the parent's caller (conmon, containerd-shim) once
 * `create` exits. INIT builds the rootfs, runs the in-container hooks, reports ready and waits on the
 * exec fifo until `start`, then becomes the user's process. The message table is in sync.c.
 *
 * CHILD is the static pyrunc-init run from its sealed memfd (csrc/init/initmain.c, "setup" mode), started
 * by a vfork'd clone that only execs: neither process copies the interpreter's page tables, and the
 * interpreter's pages are never shared copy-on-write, so the parent pays no copy for each page it writes
 * afterwards. Without pyrunc-init (no init binary in the plan) CHILD is a fork of the parent and INIT
 * stays in that image. */
#include "errors.h"
#include "hooks.h"
#include "initmain.h"
#include "paths.h"
#include "plan.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE 0xb703
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static struct pr_plan g_plan;
static char g_state_json[65536];
static size_t g_state_len;

static void __attribute__((noreturn)) child_fail(const struct pr_plan *p, struct pyrunc_err *err)
{
    pyrunc_msg_send(p->sync_fd, PM_ERROR, err->errnum, err, sizeof(*err), -1, NULL);
    _exit(1);
}

/* Wait for one message of the given type; EOF means the parent died: stop quietly. */
static int expect(const struct pr_plan *p, uint32_t type, void *payload, size_t cap, size_t *got,
                  struct pyrunc_err *err)
{
    struct pyrunc_msg hdr;
    int n = pyrunc_msg_recv(p->sync_fd, &hdr, payload, cap, NULL, -1, err);
    if (n < 0)
        return -1;
    if (hdr.type == 0)
        _exit(1);
    if (hdr.type != type)
        return pr_fail(err, PR_STAGE_SYNC, EPROTO, "sync: expected message %u, got %u", type, hdr.type);
    if (got)
        *got = (size_t)n;
    return 0;
}

static const char *ns_name(uint32_t type)
{
    switch (type) {
    case CLONE_NEWUSER: return "user";
    case CLONE_NEWPID: return "pid";
    case CLONE_NEWNET: return "network";
    case CLONE_NEWNS: return "mount";
    case CLONE_NEWIPC: return "ipc";
    case CLONE_NEWUTS: return "uts";
    case CLONE_NEWCGROUP: return "cgroup";
    case CLONE_NEWTIME: return "time";
    default: return "unknown";
    }
}

/* A cgroup namespace to join is left to INIT (pr_stage_init), once it is in its cgroups: clone3
 * CLONE_INTO_CGROUP checks the caller against its cgroup namespace, and where cgroup2 is mounted with
 * nsdelegate (systemd's default) a caller already inside the container's namespace cannot see the cgroup
 * it comes from, so the clone fails with ENOENT. Deferred only when INIT will be a clone of this image
 * (an INIT that re-execs would lose the descriptor). */
static int join_namespaces(struct pr_plan *p, struct pyrunc_err *err)
{
    /* User first (it decides what we may join next), mount last (paths stop resolving after it). */
    static const uint32_t order[] = {CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
                                     CLONE_NEWPID,  CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS};
    int fds[16];

    if (p->n_join > 16)
        return pr_fail(err, PR_STAGE_NAMESPACES, E2BIG, "join namespaces: too many");
    for (uint32_t i = 0; i < p->n_join; i++) {
        int type;
        fds[i] = open(p->join[i].path, O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0)
            return pr_fail_errno(err, PR_STAGE_NAMESPACES, "open %s namespace `%s`", ns_name(p->join[i].type),
                                 p->join[i].path);
        type = ioctl(fds[i], NS_GET_NSTYPE);
        if (type < 0)
            return pr_fail_errno(err, PR_STAGE_NAMESPACES, "check namespace `%s`", p->join[i].path);
        if ((uint32_t)type != p->join[i].type)
            return pr_fail(err, PR_STAGE_NAMESPACES, -EINVAL, "join namespace `%s`: it is a %s namespace, not %s",
                           p->join[i].path, ns_name((uint32_t)type), ns_name(p->join[i].type));
    }
    for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
        for (uint32_t i = 0; i < p->n_join; i++) {
            if (p->join[i].type != order[o])
                continue;
            if (p->join[i].type == CLONE_NEWCGROUP && p->init_exe_fd < 0) {
                p->cgroupns_fd = fds[i];
                continue;
            }
            if (setns(fds[i], (int)p->join[i].type) < 0)
                return pr_fail_errno(err, PR_STAGE_NAMESPACES, "join %s namespace `%s`", ns_name(p->join[i].type),
                                     p->join[i].path);
            close(fds[i]);
        }
    }
    return 0;
}

static int write_timens_offsets(const struct pr_plan *p, struct pyrunc_err *err)
{
    char buf[512];
    size_t used = 0;
    int fd;
    for (uint32_t i = 0; i < p->n_timens && used < sizeof(buf); i++)
        used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%u %lld %lld\n", p->timens[i].clock,
                                 (long long)p->timens[i].secs, (long long)p->timens[i].nsecs);
    fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return pr_fail_errno(err, PR_STAGE_NAMESPACES, "open /proc/self/timens_offsets");
    if (write(fd, buf, used) != (ssize_t)used) {
        int saved = errno;
        close(fd);
        return pr_fail(err, PR_STAGE_NAMESPACES, saved, "write time namespace offsets");
    }
    close(fd);
    return 0;
}

static int run_in_container_hooks(const struct pr_hook *hooks, uint32_t n, const int *exec_fds, const char *kind,
                                  struct pyrunc_err *err)
{
    static char out[4096];
    for (uint32_t i = 0; i < n; i++) {
        size_t out_len = 0;
        char fdpath[64];
        const char *path = hooks[i].path;
        int status;
        if (exec_fds != NULL) {
            snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", exec_fds[i]);
            path = fdpath;
        }
        status = pr_run_hook_fd(path, exec_fds ? exec_fds[i] : -1, (char *const *)hooks[i].args.v,
                                (char *const *)hooks[i].env.v, g_state_json, g_state_len, (int)hooks[i].timeout, out,
                                sizeof(out) - 1, &out_len, err);
        if (status < 0)
            return pr_fail(err, PR_STAGE_HOOK, -err->errnum, "%s hook #%u: %s", kind, i, err->msg);
        if (status != 0) {
            out[out_len] = '\0';
            if (WIFSIGNALED(status))
                return pr_fail(err, PR_STAGE_HOOK, 0, "%s hook #%u `%s`: killed by signal %d, output: %s", kind, i,
                               hooks[i].path, WTERMSIG(status), out);
            return pr_fail(err, PR_STAGE_HOOK, 0, "%s hook #%u `%s`: exit status %d, output: %s", kind, i,
                           hooks[i].path, WEXITSTATUS(status), out);
        }
    }
    return 0;
}

static int setup_terminal(const struct pr_plan *p, struct pyrunc_err *err)
{
    int master, slave, unlock = 0, ptn = -1;

    master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "open /dev/ptmx");
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &ptn) < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "unlock pty");
    /* Open the peer through the master, not by path: the path lies in a tree the container controls. */
    slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "open pty peer");
    /* The process's user must be able to reopen its own terminal (tty(1), /dev/console), as under runc:
     * the owner changes, the group stays the one devpts gave (tty). The pty is the container's own. */
    if (p->has_user && p->uid != 0 && fchown(slave, p->uid, (gid_t)-1) < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "chown the pty to uid %u", p->uid);
    if (p->term_rows || p->term_cols) {
        struct winsize ws = {.ws_row = (unsigned short)p->term_rows, .ws_col = (unsigned short)p->term_cols};
        if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
            return pr_fail_errno(err, PR_STAGE_CONSOLE, "set console size");
    }
    if (!p->exec_mode && p->rootfs != NULL && pr_rootfs_bind_console_fd(slave, err) < 0)
        return -1;
    if (pyrunc_msg_send(p->sync_fd, PM_PTY_MASTER, 0, NULL, 0, master, err) < 0)
        return -1;
    close(master);
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "make the pty the controlling terminal");
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
        return pr_fail_errno(err, PR_STAGE_CONSOLE, "dup pty onto stdio");
    if (slave > 2)
        close(slave);
    return 0;
}

void __attribute__((noreturn)) pr_stage_init(struct pr_plan *p)
{
    struct pyrunc_err err = {0};
    static char exe[4096];
    int notify_fd = -1, seccomp_loaded = 0;

    prctl(PR_SET_NAME, p->init_name ? p->init_name : "pyrunc:[2:INIT]", 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (setsid() < 0)
        pr_fail_errno(&err, PR_STAGE_PROCESS, "create a session"), child_fail(p, &err);
    /* Here, not in CHILD: INIT may enter its cgroup2 cgroup only as it is cloned (see clone_init), and a
     * cgroup namespace is rooted at the cgroups of whoever creates it; one to join waits for the same
     * reason (see join_namespaces). */
    if (p->cgroupns_fd >= 0) {
        if (setns(p->cgroupns_fd, CLONE_NEWCGROUP) < 0)
            pr_fail_errno(&err, PR_STAGE_NAMESPACES, "join cgroup namespace"), child_fail(p, &err);
        close(p->cgroupns_fd);
        p->cgroupns_fd = -1;
    }
    if ((p->ns_new & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
        pr_fail_errno(&err, PR_STAGE_NAMESPACES, "create cgroup namespace"), child_fail(p, &err);

    if (!p->exec_mode) {
        if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
            pr_fail_errno(&err, PR_STAGE_PROCESS, "set hostname `%s`", p->hostname), child_fail(p, &err);
        if (p->domainname && setdomainname(p->domainname, strlen(p->domainname)) < 0)
            pr_fail_errno(&err, PR_STAGE_PROCESS, "set domainname `%s`", p->domainname), child_fail(p, &err);
        if (pr_rootfs_prepare(p, &err) < 0)
            child_fail(p, &err);
        /* sysctl files act on the writer's namespaces, so the host's /proc (still reachable before
         * pivot_root) serves as well as the container's. */
        for (uint32_t i = 0; i < p->n_sysctl; i++) {
            char path[512];
            int fd;
            ssize_t len = (ssize_t)strlen(p->sysctl[i].b);
            snprintf(path, sizeof(path), "/proc/sys/%s", p->sysctl[i].a);
            for (char *c = path + 10; *c; c++)
                if (*c == '.')
                    *c = '/';
            fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
            if (fd < 0 || write(fd, p->sysctl[i].b, (size_t)len) != len)
                pr_fail_errno(&err, PR_STAGE_PROCESS, "write sysctl `%s`", p->sysctl[i].a), child_fail(p, &err);
            close(fd);
        }
    }
    if (p->hooks_sync) {
        if (pyrunc_msg_send(p->sync_fd, PM_HOOKS_REQ, 0, NULL, 0, -1, &err) < 0 ||
            expect(p, PM_HOOKS_DONE, g_state_json, sizeof(g_state_json) - 1, &g_state_len, &err) < 0)
            child_fail(p, &err);
        if (run_in_container_hooks(p->hooks_cc, p->n_hooks_cc, NULL, "createContainer", &err) < 0)
            child_fail(p, &err);
    }
    if (!p->exec_mode && pr_rootfs_finish(p, &err) < 0)
        child_fail(p, &err);
    if (p->terminal && setup_terminal(p, &err) < 0)
        child_fail(p, &err);
    if (pr_process_chdir(p, &err) < 0)
        child_fail(p, &err);
    if (pr_process_attrs(p, &err) < 0)
        child_fail(p, &err);
    if (p->apparmor) {
        /* Through pyrunc's private procfs: the container's /proc may have been tampered with (CVE-2025-52881). */
        int fd = pr_proc_open("self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
        char buf[600];
        int n = snprintf(buf, sizeof(buf), "exec %s", p->apparmor);
        if (fd < 0)
            fd = pr_proc_open("self/attr/exec", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, buf, (size_t)n) != n)
            pr_fail_errno(&err, PR_STAGE_PROCESS, "apply apparmor profile `%s`", p->apparmor), child_fail(p, &err);
        close(fd);
    }
    if (p->selinux_label) {
        int fd = pr_proc_open("self/attr/exec", O_WRONLY | O_CLOEXEC);
        ssize_t n = (ssize_t)strlen(p->selinux_label);
        if (fd < 0 || write(fd, p->selinux_label, (size_t)n) != n)
            pr_fail_errno(&err, PR_STAGE_PROCESS, "set selinux label `%s`", p->selinux_label), child_fail(p, &err);
        close(fd);
    }
    if (pr_process_home(p, &err) < 0 || pr_process_lookup(p, exe, sizeof(exe), &err) < 0)
        child_fail(p, &err);
    if (p->seccomp_bpf_len && (p->seccomp_flags & 8 /* NEW_LISTENER */)) {
        /* The listener fd must reach the parent during create, so this filter goes in now. */
        if (pr_seccomp_load(p, &notify_fd, &err) < 0)
            child_fail(p, &err);
        seccomp_loaded = 1;
        if (notify_fd >= 0) {
            if (pyrunc_msg_send(p->sync_fd, PM_SECCOMP_FD, 0, NULL, 0, notify_fd, &err) < 0)
                child_fail(p, &err);
            close(notify_fd);
        }
    }
    if (pyrunc_msg_send(p->sync_fd, PM_READY, 0, NULL, 0, -1, &err) < 0)
        _exit(1);
    if (!p->exec_mode) {
        close(p->sync_fd);
        p->sync_fd = 2; /* from here on, errors go to stderr */
    }
    /* exec keeps the socket (close-on-exec): its EOF tells `exec` the execve happened, and a later
     * failure still reaches it as PM_ERROR, so `exec -d` returns only once the process is the user's. */

    if (p->fifo_fd >= 0) {
        /* Blocks until `pyrunc start` writes into the fifo. */
        char go;
        ssize_t r;
        do
            r = read(p->fifo_fd, &go, 1);
        while (r < 0 && errno == EINTR);
        if (r != 1)
            _exit(1);
        /* The fd stays open (close-on-exec) until execve: `start` waits for it to go, see below. */
    }
    pr_process_reset_signals();
    /* startContainer hooks run by their path inside the container, as runc runs them: a host binary
     * opened before pivot_root would usually lack its loader and libraries in the container's root. */
    if (run_in_container_hooks(p->hooks_sc, p->n_hooks_sc, NULL, "startContainer", &err) < 0)
        goto report;
    /* Nothing of the runtime's may reach the container (CVE-2024-21626): only stdio and preserved fds.
     * Marked here, before the last filter goes in, so a profile that refuses close_range cannot stop it. */
    if (syscall(SYS_close_range, 3 + p->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        pr_fail_errno(&err, PR_STAGE_EXEC, "mark runtime fds close-on-exec");
        goto report;
    }
    /* Tell `start`, which holds the fifo's read end, that the hooks are done and the process is next;
     * it waits for the fd to close (close-on-exec: at execve) before poststart hooks. EOF without this
     * byte means the init died first. Written before any filter goes in, which might refuse write(2). */
    if (p->fifo_fd >= 0)
        (void)!write(p->fifo_fd, "1", 1);
    if (p->seccomp_bpf_len && !seccomp_loaded && !p->no_new_privs) {
        /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before the user's identity. */
        if (pr_seccomp_load(p, &notify_fd, &err) < 0)
            goto report;
        seccomp_loaded = 1;
    }
    if (pr_process_identity(p, &err) < 0)
        goto report;
    if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        pr_fail_errno(&err, PR_STAGE_PROCESS, "set no_new_privs");
        goto report;
    }
    if (p->cpu_affinity_len && sched_setaffinity(0, p->cpu_affinity_len, (const cpu_set_t *)p->cpu_affinity) < 0) {
        pr_fail_errno(&err, PR_STAGE_PROCESS, "set cpu affinity");
        goto report;
    }
    if (p->seccomp_bpf_len && !seccomp_loaded) {
        if (pr_seccomp_load(p, &notify_fd, &err) < 0)
            goto report;
    }
    if (p->cpu_affinity_final_len &&
        sched_setaffinity(0, p->cpu_affinity_final_len, (const cpu_set_t *)p->cpu_affinity_final) < 0) {
        pr_fail_errno(&err, PR_STAGE_PROCESS, "set final cpu affinity");
        goto report;
    }
    execve(exe, (char *const *)p->args.v, (char *const *)p->env.v);
    pr_fail_errno(&err, PR_STAGE_EXEC, "exec: \"%s\"", p->args.v[0]);
report: {
        char line[700];
        int n;
        if (p->exec_mode && pyrunc_msg_send(p->sync_fd, PM_ERROR, err.errnum, &err, sizeof(err), -1, NULL) == 0)
            _exit(1);
        n = snprintf(line, sizeof(line), "pyrunc: %s\n", err.msg);
        (void)!write(2, line, (size_t)n);
        _exit(err.errnum == ENOENT ? 127 : err.errnum == EACCES ? 126 : 1);
    }
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Drop every inherited fd above stdio and the preserved ones except those the plan names: the
 * parent's copies include the state-dir lock, which must not stay held by an init waiting for start. */
static void close_unneeded_fds(const struct pr_plan *p)
{
    int keep[PR_MAX_LIST + 2];
    int n = 0;
    unsigned int low = 3 + p->preserve_fds;

    keep[n++] = p->sync_fd;
    if (p->fifo_fd >= 0)
        keep[n++] = p->fifo_fd;
    if (p->init_exe_fd >= 0)
        keep[n++] = p->init_exe_fd;
    if (p->plan_fd >= 0)
        keep[n++] = p->plan_fd;
    for (uint32_t i = 0; i < p->n_mounts && n < PR_MAX_LIST; i++)
        if (p->mounts[i].userns_fd >= 0)
            keep[n++] = p->mounts[i].userns_fd;
    qsort(keep, (size_t)n, sizeof(int), cmp_int);
    for (int i = 0; i < n; i++) {
        if (keep[i] < (int)low)
            continue;
        if ((unsigned int)keep[i] > low)
            syscall(SYS_close_range, low, (unsigned int)keep[i] - 1, 0);
        low = (unsigned int)keep[i] + 1;
    }
    syscall(SYS_close_range, low, ~0U, 0);
}

/* CVE-2019-5736 class. Every runtime process that enters the container is a clone of the host's python,
 * so its /proc/self/exe is the host interpreter: a container that execs /proc/self/exe (as args[0], a
 * #! line or a symlink) runs the host binary as one of its own processes and can open it by O_PATH, then
 * write it once no python runs. Point this process's exe link at an empty, sealed memfd instead, before
 * any namespace is joined: execve of it fails (ENOEXEC) and nothing reachable through it can be written.
 * The kernel changes the link only once no mapping of the old file remains, so the interpreter's own
 * mappings (python is a small stub over libpython) are first swapped for anonymous copies of themselves.
 * Without CAP_SYS_RESOURCE (rootless) the link stays: non-dumpable still keeps other container processes
 * away from it, and a rootless runtime's interpreter is not the host's to overwrite. */
static int swap_mapping_for_copy(unsigned long start, unsigned long end, const char *perms, struct pyrunc_err *err)
{
    size_t len = end - start;
    int prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
               (perms[2] == 'x' ? PROT_EXEC : 0);
    void *copy = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (copy == MAP_FAILED)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "map a copy of the runtime's executable");
    if (prot & PROT_READ)
        memcpy(copy, (const void *)start, len);
    if (mprotect(copy, len, prot) < 0 ||
        mremap(copy, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)start) == MAP_FAILED)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "replace the runtime's executable mapping");
    return 0;
}

static int hide_runtime_exe(struct pyrunc_err *err)
{
    static char maps[1 << 16], exe_path[4096];
    char path[64];
    struct stat exe;
    size_t used = 0;
    ssize_t n;
    int fd, memfd;
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct caps[2];

    /* PR_SET_MM needs CAP_SYS_RESOURCE in the host's user namespace: a rootless runtime (or a root
     * without it, as in some sandboxes) keeps the link and relies on non-dumpable alone. */
    if (syscall(SYS_capget, &hdr, caps) < 0)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "read the runtime's capabilities");
    if (!(caps[CAP_SYS_RESOURCE / 32].effective & (1U << (CAP_SYS_RESOURCE % 32))))
        return 0;
    if (stat("/proc/self/exe", &exe) < 0)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "stat /proc/self/exe");
    n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);
    if (n < 0)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "read /proc/self/exe");
    exe_path[n] = '\0';
    n = 0;
    /* Read the whole map first: it changes under us as mappings are swapped. */
    fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "open /proc/self/maps");
    while (used < sizeof(maps) - 1 && (n = read(fd, maps + used, sizeof(maps) - 1 - used)) > 0)
        used += (size_t)n;
    close(fd);
    if (n < 0 || used >= sizeof(maps) - 1)
        return pr_fail(err, PR_STAGE_SPAWN, n < 0 ? errno : E2BIG, "read /proc/self/maps");
    maps[used] = '\0';
    for (char *line = maps; *line;) {
        char *next = strchr(line, '\n');
        unsigned long start, end, offset, inode;
        unsigned int maj, min;
        char perms[5];
        int at = 0;
        if (next)
            *next = '\0';
        /* overlayfs shows the lower file's device in the map but its own in stat: then the path decides. */
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &start, &end, perms, &offset, &maj, &min, &inode, &at) == 7 &&
            inode == (unsigned long)exe.st_ino &&
            (makedev(maj, min) == exe.st_dev || (at > 0 && strcmp(line + at, exe_path) == 0)) &&
            swap_mapping_for_copy(start, end, perms, err) < 0)
            return -1;
        if (!next)
            break;
        line = next + 1;
    }
    memfd = (int)syscall(SYS_memfd_create, "pyrunc-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (memfd < 0 && errno == EINVAL) /* before Linux 6.3: memfds are executable without asking */
        memfd = (int)syscall(SYS_memfd_create, "pyrunc-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (memfd < 0)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "create the runtime's stand-in executable");
    if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
        int saved = errno;
        close(memfd);
        return pr_fail(err, PR_STAGE_SPAWN, saved, "seal the runtime's stand-in executable");
    }
    /* The kernel refuses an exe file anyone may write: hand it a read-only descriptor of the memfd. */
    snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    close(memfd);
    if (fd < 0)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "reopen the runtime's stand-in executable");
    /* EBUSY: a mapping of the interpreter was not recognised (e.g. through overlayfs); EPERM: a security
     * module said no. Either way the link stays and non-dumpable remains the defence. */
    if (prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, fd, 0, 0) < 0 && errno != EBUSY && errno != EPERM) {
        int saved = errno;
        close(fd);
        return pr_fail(err, PR_STAGE_SPAWN, saved, "point /proc/self/exe away from the runtime's executable");
    }
    close(fd);
    return 0;
}

/* On the fork path (see the top of this file) the init, or an exec'd process, leaves the cloned python
 * image for pyrunc-init, a small static binary run from a sealed memfd (csrc/init/initmain.c): a waiting
 * init then holds a few hundred KiB instead of the interpreter's heap, and its /proc/self/exe is a sealed
 * copy that nothing can write (CVE-2019-5736). The fds it needs survive the exec; it marks them
 * close-on-exec again itself. The vfork path execs the same binary, one step earlier. */
/* pyrunc-init's memfd is execute-only (initexe.py). Executing a file the caller cannot read makes the new
 * image non-dumpable from its first instruction and ties its mm to the user namespace that owns the file
 * (the host's): otherwise its mm would belong to the container's user namespace, where the container's
 * root may hold CAP_SYS_PTRACE and so could open the init's mem while it is still unconfined (the
 * CVE-2016-9962 shape; prctl(PR_SET_DUMPABLE) does not stop a ptracer privileged over the mm's namespace).
 * Root reads anything through CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH: drop both from the effective set
 * only; execve gives root its full sets back. */
static int unreadable_exec(struct pyrunc_err *err)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct caps[2];

    if (syscall(SYS_capget, &hdr, caps) < 0)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "read the init's capabilities");
    caps[0].effective &= ~((1U << CAP_DAC_OVERRIDE) | (1U << CAP_DAC_READ_SEARCH));
    if (syscall(SYS_capset, &hdr, caps) < 0)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "drop the init's file-read override");
    return 0;
}

/* The fds pyrunc-init needs across its exec: the sync socket, the exec fifo, the plan and the mounts'
 * user namespace fds (pyrunc-init marks them close-on-exec again). Then the exec itself, of a file the
 * caller may not read (unreadable_exec). Returns only on failure, with err filled. */
static int exec_pyrunc_init(const struct pr_plan *p, int sync_fd, char **argv, const char *who,
                            struct pyrunc_err *err)
{
    char *envp[] = {NULL};
    int fds[3] = {sync_fd, p->fifo_fd, p->plan_fd};

    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0 && fcntl(fds[i], F_SETFD, 0) < 0)
            return pr_fail_errno(err, PR_STAGE_SPAWN, "pass fd %d to the container %s", fds[i], who);
    for (uint32_t i = 0; i < p->n_mounts; i++)
        if (p->mounts[i].userns_fd >= 0 && fcntl(p->mounts[i].userns_fd, F_SETFD, 0) < 0)
            return pr_fail_errno(err, PR_STAGE_SPAWN, "pass a mount fd to the container %s", who);
    if (unreadable_exec(err) < 0)
        return -1;
    syscall(SYS_execveat, p->init_exe_fd, "", argv, envp, AT_EMPTY_PATH);
    return pr_fail_errno(err, PR_STAGE_SPAWN, "execute the container %s (pyrunc-init)", who);
}

static int exec_init_binary(struct pr_plan *p, struct pyrunc_err *err)
{
    char plan_arg[16], sync_arg[16];
    char *argv[] = {"pyrunc-init", plan_arg, sync_arg, NULL};

    snprintf(plan_arg, sizeof(plan_arg), "%d", p->plan_fd);
    snprintf(sync_arg, sizeof(sync_arg), "%d", p->sync_fd);
    return exec_pyrunc_init(p, p->sync_fd, argv, "init", err);
}

/* Where CHILD puts itself and INIT (create; exec leaves it to the parent): NUL-separated cgroup v1
 * `tasks` files, and the cgroup2 directory. */
static const char *g_v1_tasks;
static size_t g_v1_tasks_len;
static const char *g_v2_dir;
/* Set only on the path where CHILD is a fork of the runtime (pyrunc_spawn): run as pyrunc-init, its
 * /proc/self/exe is the sealed memfd already, and leaving the function unreferenced keeps its scanf out
 * of that static binary. */
static int (*g_hide_exe)(struct pyrunc_err *err);

/* Why not cgroup.procs: moving a whole thread group takes a global percpu rwsem for writing, and the
 * first such write after a quiet spell waits out an RCU grace period (10-20 ms on this kind of host: a
 * third of a whole `run`). A single-threaded process moving itself through v1 `tasks` ("0") skips that
 * lock, and so does being cloned straight into a cgroup2 cgroup (CLONE_INTO_CGROUP). */
static int move_self(const char *procs_file, struct pyrunc_err *err)
{
    int fd = open(procs_file, O_WRONLY | O_CLOEXEC);

    if (fd < 0 || write(fd, "0", 1) != 1) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return pr_fail(err, PR_STAGE_CGROUP, saved, "join cgroup: write '0' to `%s`", procs_file);
    }
    close(fd);
    return 0;
}

static int join_v1_cgroups(struct pyrunc_err *err)
{
    for (size_t at = 0; at < g_v1_tasks_len;) {
        const char *path = g_v1_tasks + at;
        size_t n = strnlen(path, g_v1_tasks_len - at);

        at += n + 1;
        if (n > 0 && move_self(path, err) < 0)
            return -1;
    }
    return 0;
}

/* The cgroup2 cgroup: an fd for CLONE_INTO_CGROUP, or -1 once joined the slow way. Inside another user
 * namespace the clone's permission check (cgroup.procs of the common ancestor, by the caller's
 * credentials) would fail, so then CHILD moves itself now, before it enters one. */
static int prepare_v2_cgroup(const struct pr_plan *p, struct pyrunc_err *err)
{
    char path[4096];
    int fd, userns = (p->ns_new & CLONE_NEWUSER) != 0;

    if (!g_v2_dir)
        return -1;
    for (uint32_t i = 0; i < p->n_join; i++)
        userns |= p->join[i].type == CLONE_NEWUSER;
    if (!userns) {
        fd = open(g_v2_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return pr_fail_errno(err, PR_STAGE_CGROUP, "join cgroup: open `%s`", g_v2_dir), -2;
        return fd;
    }
    snprintf(path, sizeof(path), "%s/cgroup.procs", g_v2_dir);
    return move_self(path, err) < 0 ? -2 : -1;
}

/* INIT as a sibling (CLONE_PARENT), straight into its cgroup2 cgroup when cgroup_fd >= 0. */
static pid_t clone_init(int cgroup_fd)
{
    struct clone_args args;

    if (cgroup_fd < 0)
        return (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
    memset(&args, 0, sizeof(args));
    args.flags = CLONE_PARENT | CLONE_INTO_CGROUP; /* exit signal: CHILD's own (SIGCHLD), as for clone */
    args.cgroup = (uint64_t)cgroup_fd;
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

static void __attribute__((noreturn)) stage_child(struct pr_plan *p, pid_t parent)
{
    struct pyrunc_err err = {0};
    uint32_t new_flags = p->ns_new & ~(uint32_t)CLONE_NEWCGROUP; /* INIT makes that one */
    int cgroup_fd;
    pid_t init;

    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent)
        _exit(1);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_NAME, "pyrunc:[1:CHILD]", 0, 0, 0);
    close_unneeded_fds(p);
    if ((g_hide_exe && g_hide_exe(&err) < 0) || join_v1_cgroups(&err) < 0 ||
        (cgroup_fd = prepare_v2_cgroup(p, &err)) == -2)
        child_fail(p, &err);
    if (join_namespaces(p, &err) < 0)
        child_fail(p, &err);
    for (uint32_t i = 0; i < p->n_join; i++) {
        /* Be the joined user namespace's root: execve (into pyrunc-init, then the process) recomputes
         * capabilities from the euid, and the host's root is usually unmapped in there. */
        if (p->join[i].type == CLONE_NEWUSER &&
            (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0))
            pr_fail_errno(&err, PR_STAGE_IDMAP, "become root in the joined user namespace"), child_fail(p, &err);
    }
    if (new_flags & CLONE_NEWUSER) {
        if (unshare(CLONE_NEWUSER) < 0)
            pr_fail_errno(&err, PR_STAGE_NAMESPACES, "create user namespace"), child_fail(p, &err);
        if (pyrunc_msg_send(p->sync_fd, PM_IDMAP_REQ, 0, NULL, 0, -1, &err) < 0 ||
            expect(p, PM_IDMAP_DONE, NULL, 0, NULL, &err) < 0)
            child_fail(p, &err);
        if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0)
            pr_fail_errno(&err, PR_STAGE_IDMAP, "become root in the user namespace"), child_fail(p, &err);
        new_flags &= ~(uint32_t)CLONE_NEWUSER;
    }
    if (new_flags && unshare((int)new_flags) < 0)
        pr_fail_errno(&err, PR_STAGE_NAMESPACES, "create namespaces (flags %#x)", new_flags), child_fail(p, &err);
    if (p->n_timens && write_timens_offsets(p, &err) < 0)
        child_fail(p, &err);
    init = clone_init(cgroup_fd);
    if (init < 0)
        pr_fail_errno(&err, PR_STAGE_SPAWN, "clone container init"), child_fail(p, &err);
    if (init == 0) {
        if (cgroup_fd >= 0)
            close(cgroup_fd);
        if (p->init_exe_fd >= 0 && exec_init_binary(p, &err) < 0)
            child_fail(p, &err);
        pr_stage_init(p);
    }
    pyrunc_msg_send(p->sync_fd, PM_INIT_PID, init, NULL, 0, -1, &err);
    _exit(0);
}

void __attribute__((noreturn)) pr_stage_setup(struct pr_plan *p, pid_t parent, const char *v1_tasks,
                                             size_t v1_tasks_len, const char *v2_dir)
{
    g_v1_tasks = v1_tasks;
    g_v1_tasks_len = v1_tasks_len;
    g_v2_dir = v2_dir && *v2_dir ? v2_dir : NULL;
    stage_child(p, parent);
}

/* What the vfork'd clone needs, all prepared before it runs: it shares this process's memory until its
 * execve, so it only execs (exec_pyrunc_init) and, if that fails, leaves the error here. */
#define SETUP_MAX_ARGS 48
static struct setup_exec {
    const struct pr_plan *p;
    int sync_fd;
    char *argv[SETUP_MAX_ARGS];
    char plan_arg[16], sync_arg[16], parent_arg[16];
    int failed;
    struct pyrunc_err err;
} g_setup;
static char g_setup_stack[64 * 1024] __attribute__((aligned(16)));

static int setup_exec_child(void *arg)
{
    struct setup_exec *s = arg;

    exec_pyrunc_init(s->p, s->sync_fd, s->argv, "setup process", &s->err);
    s->failed = 1;
    _exit(127);
}

/* argv of pyrunc-init's setup mode: PLAN_FD SYNC_FD PARENT_PID V2_DIR TASKS... (one per v1 tasks file). */
static int setup_argv(const struct pr_plan *p, int child_sync_fd, pid_t parent, struct pyrunc_err *err)
{
    size_t n = 0;

    snprintf(g_setup.plan_arg, sizeof(g_setup.plan_arg), "%d", p->plan_fd);
    snprintf(g_setup.sync_arg, sizeof(g_setup.sync_arg), "%d", child_sync_fd);
    snprintf(g_setup.parent_arg, sizeof(g_setup.parent_arg), "%d", (int)parent);
    g_setup.argv[n++] = "pyrunc-init";
    g_setup.argv[n++] = "setup";
    g_setup.argv[n++] = g_setup.plan_arg;
    g_setup.argv[n++] = g_setup.sync_arg;
    g_setup.argv[n++] = g_setup.parent_arg;
    g_setup.argv[n++] = (char *)(g_v2_dir ? g_v2_dir : "");
    for (size_t at = 0; at < g_v1_tasks_len;) {
        const char *path = g_v1_tasks + at;
        size_t len = strnlen(path, g_v1_tasks_len - at);

        at += len + 1;
        if (len == 0)
            continue;
        if (n + 1 >= SETUP_MAX_ARGS)
            return pr_fail(err, PR_STAGE_SPAWN, E2BIG, "start container setup process: too many cgroups");
        g_setup.argv[n++] = (char *)path;
    }
    g_setup.argv[n] = NULL;
    g_setup.p = p;
    g_setup.sync_fd = child_sync_fd;
    g_setup.failed = 0;
    return 0;
}

/* vfork-style: this thread sleeps until the clone has exec'd (or failed), on a stack of its own. Every
 * signal is blocked meanwhile, so no handler of the interpreter runs in the clone on shared memory;
 * pyrunc-init unblocks them once it runs. */
static pid_t spawn_setup_binary(const struct pr_plan *p, int child_sync_fd, pid_t parent, struct pyrunc_err *err)
{
    sigset_t all, old;
    pid_t pid;
    int saved;

    if (setup_argv(p, child_sync_fd, parent, err) < 0)
        return -1;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = clone(setup_exec_child, g_setup_stack + sizeof(g_setup_stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
                &g_setup);
    saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0)
        return pr_fail(err, PR_STAGE_SPAWN, saved, "start container setup process");
    if (g_setup.failed) {
        waitpid(pid, NULL, 0);
        *err = g_setup.err;
        return -1;
    }
    return pid;
}

int pyrunc_spawn(const unsigned char *plan, size_t plan_len, const char *v1_tasks, size_t v1_tasks_len,
                 const char *v2_dir, int *sync_fd, struct pyrunc_err *err)
{
    int sv[2];
    pid_t pid, parent = getpid();

    if (pr_plan_decode(plan, plan_len, &g_plan, err) < 0)
        return -1;
    g_v1_tasks = v1_tasks;
    g_v1_tasks_len = v1_tasks_len;
    g_v2_dir = v2_dir && *v2_dir ? v2_dir : NULL;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return pr_fail_errno(err, PR_STAGE_SPAWN, "create sync socket");
    if (g_plan.init_exe_fd >= 0 && g_plan.plan_fd >= 0) {
        pid = spawn_setup_binary(&g_plan, sv[1], parent, err);
        close(sv[1]);
        if (pid < 0) {
            close(sv[0]);
            return -1;
        }
        *sync_fd = sv[0];
        return pid;
    }
    g_hide_exe = hide_runtime_exe;
    pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        int saved = errno;
        close(sv[0]);
        close(sv[1]);
        return pr_fail(err, PR_STAGE_SPAWN, saved, "fork container setup process");
    }
    if (pid == 0) {
        close(sv[0]);
        g_plan.sync_fd = sv[1];
        stage_child(&g_plan, parent);
    }
    close(sv[1]);
    *sync_fd = sv[0];
    return pid;
}
