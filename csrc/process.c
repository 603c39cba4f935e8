/* process.c - what the container process is: user, groups, capabilities, rlimits, scheduling, cwd,
 * and the executable it runs (looked up in the container's PATH, with runc's error wording). */
#include "process.h"
#include "errors.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

struct sched_attr_v1 {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};

static int write_file(const char *path, const char *text, struct pyrunc_err *err, int stage)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;
    size_t len = strlen(text);
    if (fd < 0)
        return pr_fail_errno(err, stage, "open `%s`", path);
    n = write(fd, text, len);
    if (n < 0 || (size_t)n != len) {
        int saved = n < 0 ? errno : EIO;
        close(fd);
        return pr_fail(err, stage, saved, "write `%s`", path);
    }
    close(fd);
    return 0;
}

int pr_process_attrs(const struct pr_plan *p, struct pyrunc_err *err)
{
    for (uint32_t i = 0; i < p->n_rlimits; i++) {
        struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
        if (setrlimit((int)p->rlimits[i].resource, &rl) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "set rlimit %u", p->rlimits[i].resource);
    }
    if (p->has_oom_score_adj) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
        if (write_file("/proc/self/oom_score_adj", buf, err, PR_STAGE_PROCESS) < 0)
            return -1;
    }
    if (p->has_scheduler) {
        struct sched_attr_v1 attr = {
            .size = sizeof(attr),
            .sched_policy = p->sched_policy,
            .sched_flags = p->sched_flags,
            .sched_nice = p->sched_nice,
            .sched_priority = p->sched_priority,
            .sched_runtime = p->sched_runtime,
            .sched_deadline = p->sched_deadline,
            .sched_period = p->sched_period,
        };
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "set scheduler policy %u", p->sched_policy);
    }
    if (p->has_ioprio) {
        /* IOPRIO_WHO_PROCESS = 1 */
        if (syscall(SYS_ioprio_set, 1, 0, (int)p->ioprio) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "set io priority");
    }
    if (p->has_mempolicy) {
        unsigned long maxnode = (unsigned long)p->mempolicy_nodes_len * 8;
        if (syscall(SYS_set_mempolicy, (int)p->mempolicy, maxnode ? (const void *)p->mempolicy_nodes : NULL,
                    maxnode ? maxnode + 1 : 0) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "set memory policy %#x", p->mempolicy);
    }
    if (p->has_personality) {
        if (personality(p->personality) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "set personality %#x", p->personality);
    }
    if (!p->no_new_keyring && !p->exec_mode) {
        /* A fresh session keyring so the container cannot reach the host's keys. KEYCTL_JOIN_SESSION_KEYRING = 1 */
        if (syscall(SYS_keyctl, 1, NULL) < 0 && errno != ENOSYS && errno != EPERM)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "join a new session keyring");
    }
    return 0;
}

static int last_cap(void)
{
    static int cached = -1;
    char buf[16] = {0};
    int fd;
    if (cached >= 0)
        return cached;
    fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, buf, sizeof(buf) - 1) > 0)
            cached = atoi(buf);
        close(fd);
    }
    if (cached <= 0)
        cached = CAP_LAST_CAP;
    return cached;
}

int pr_process_identity(const struct pr_plan *p, struct pyrunc_err *err)
{
    int top = last_cap();

    if (p->has_caps) {
        /* The bounding set can only shrink while we still hold CAP_SETPCAP: before setuid. */
        for (int cap = 0; cap <= top; cap++) {
            if (p->cap_bounding & (1ULL << cap))
                continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                return pr_fail_errno(err, PR_STAGE_PROCESS, "drop capability %d from the bounding set", cap);
        }
    }
    if (p->has_user) {
        if (!(p->setgroups_deny && p->n_gids == 0)) {
            if (setgroups(p->n_gids, (const gid_t *)p->gids) < 0 && !(errno == EPERM && p->setgroups_deny))
                return pr_fail_errno(err, PR_STAGE_PROCESS, "set additional groups");
        }
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "keep capabilities across setuid");
        if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "set gid %u", p->gid);
        if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "set uid %u", p->uid);
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "clear keep-capabilities");
    }
    if (p->has_caps) {
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct data[2];
        memset(data, 0, sizeof(data));
        data[0].effective = (uint32_t)p->cap_effective;
        data[1].effective = (uint32_t)(p->cap_effective >> 32);
        data[0].permitted = (uint32_t)p->cap_permitted;
        data[1].permitted = (uint32_t)(p->cap_permitted >> 32);
        data[0].inheritable = (uint32_t)p->cap_inheritable;
        data[1].inheritable = (uint32_t)(p->cap_inheritable >> 32);
        if (syscall(SYS_capset, &hdr, data) < 0)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "set capabilities");
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
            return pr_fail_errno(err, PR_STAGE_PROCESS, "clear ambient capabilities");
        for (int cap = 0; cap <= top; cap++) {
            if (!(p->cap_ambient & (1ULL << cap)))
                continue;
            /* A cap outside permitted/inheritable cannot be ambient: the kernel says EPERM; skip as runc does. */
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM && errno != EINVAL)
                return pr_fail_errno(err, PR_STAGE_PROCESS, "raise ambient capability %d", cap);
        }
    }
    if (p->umask >= 0)
        umask((mode_t)p->umask);
    return 0;
}

/* mkdir -p inside the container's root (after pivot_root): runc creates a missing cwd too. */
static int make_dirs(const char *path)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, path, len + 1);
    for (char *c = buf + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -1;
        *c = '/';
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

int pr_process_chdir(const struct pr_plan *p, struct pyrunc_err *err)
{
    char buf[PATH_MAX];
    const char *cwd = p->cwd ? p->cwd : "/";

    if (chdir(cwd) < 0 && !(errno == ENOENT && !p->exec_mode && make_dirs(cwd) == 0 && chdir(cwd) == 0))
        return pr_fail_errno(err, PR_STAGE_PROCESS, "chdir to cwd (\"%s\") set in config.json failed", cwd);
    /* A cwd reached through a leaked fd or /proc/self/fd lies outside the root (CVE-2024-21626):
     * the kernel then reports it as unreachable. */
    if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
        return pr_fail(err, PR_STAGE_PROCESS, -EPERM,
                       "current working directory is outside of container mount namespace root");
    return 0;
}

static const char *env_path(const struct pr_plan *p)
{
    for (uint32_t i = 0; i < p->env.n; i++)
        if (strncmp(p->env.v[i], "PATH=", 5) == 0)
            return p->env.v[i] + 5;
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* 0 = runnable file; otherwise an errno for why not. */
static int check_executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return errno;
    if (S_ISDIR(st.st_mode))
        return EACCES;
    if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
        return EACCES;
    return 0;
}

int pr_process_lookup(const struct pr_plan *p, char *out, size_t cap, struct pyrunc_err *err)
{
    const char *name = p->args.v[0];
    const char *path;
    int first_err = 0;

    if (name[0] == '\0')
        return pr_fail(err, PR_STAGE_EXEC, -ENOENT, "exec: \"\": executable file not found in $PATH");
    if (strchr(name, '/') != NULL) {
        int e = check_executable(name);
        if (e == ENOENT || e == ENOTDIR)
            return pr_fail(err, PR_STAGE_EXEC, e, "exec: \"%s\": stat %s", name, name);
        if (e != 0)
            return pr_fail(err, PR_STAGE_EXEC, e, "exec: \"%s\"", name);
        if (snprintf(out, cap, "%s", name) >= (int)cap)
            return pr_fail(err, PR_STAGE_EXEC, ENAMETOOLONG, "exec: \"%s\"", name);
        return 0;
    }
    path = env_path(p);
    while (1) {
        const char *end = strchr(path, ':');
        size_t dlen = end ? (size_t)(end - path) : strlen(path);
        int e;
        if (dlen == 0)
            snprintf(out, cap, "%s", name);
        else
            snprintf(out, cap, "%.*s/%s", (int)dlen, path, name);
        e = check_executable(out);
        if (e == 0)
            return 0;
        if (e == EACCES && first_err == 0)
            first_err = e;
        if (end == NULL)
            break;
        path = end + 1;
    }
    if (first_err == EACCES)
        return pr_fail(err, PR_STAGE_EXEC, EACCES, "exec: \"%s\"", name);
    return pr_fail(err, PR_STAGE_EXEC, -ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

/* runc sets HOME from the container's /etc/passwd entry of the process uid (else "/") when the
 * process env has none; engines (docker) rely on it. Runs after pivot_root, as root. */
int pr_process_home(struct pr_plan *p, struct pyrunc_err *err)
{
    static char home_env[PATH_MAX + 8];
    const char **env;
    char line[1024];
    const char *home = "/";
    FILE *f;

    for (uint32_t i = 0; i < p->env.n; i++)
        if (strncmp(p->env.v[i], "HOME=", 5) == 0)
            return 0;
    f = fopen("/etc/passwd", "re");
    if (f != NULL) {
        while (fgets(line, sizeof(line), f)) {
            char *fields[7] = {0};
            char *cur = line;
            int n = 0;
            line[strcspn(line, "\n")] = '\0';
            while (n < 7 && cur != NULL) {
                fields[n++] = cur;
                cur = strchr(cur, ':');
                if (cur != NULL)
                    *cur++ = '\0';
            }
            if (n >= 6 && fields[2] && strtoul(fields[2], NULL, 10) == (p->has_user ? p->uid : 0) &&
                fields[5][0] != '\0') {
                snprintf(home_env, sizeof(home_env), "HOME=%s", fields[5]);
                home = NULL;
                break;
            }
        }
        fclose(f);
    }
    if (home != NULL)
        snprintf(home_env, sizeof(home_env), "HOME=%s", home);
    env = calloc(p->env.n + 2, sizeof(char *));
    if (env == NULL)
        return pr_fail(err, PR_STAGE_PROCESS, ENOMEM, "allocate environment");
    memcpy(env, p->env.v, p->env.n * sizeof(char *));
    env[p->env.n] = home_env;
    p->env.v = env;
    p->env.n++;
    return 0;
}

void pr_process_reset_signals(void)
{
    sigset_t none;
    /* Python ignores SIGPIPE and may handle others; ignored dispositions survive execve. */
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}
