/* probe - runs inside test containers and prints, as one JSON object, what the process sees:
 * ids, groups, capabilities, rlimits, hostname, cwd, open fds, namespaces, umask, no_new_privs,
 * seccomp mode, personality, scheduler policy, io priority, cpu affinity, oom_score_adj, clocks. Built static by the integration fixtures. */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

static void status_field(const char *key, const char *json_key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[512];
    size_t klen = strlen(key);
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            char *v = line + klen + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = 0;
            printf("\"%s\":\"%s\",", json_key, v);
        }
    }
    fclose(f);
}

int main(void)
{
    static const struct { int res; const char *name; } lims[] = {
        {RLIMIT_NOFILE, "RLIMIT_NOFILE"}, {RLIMIT_NPROC, "RLIMIT_NPROC"}, {RLIMIT_CORE, "RLIMIT_CORE"},
        {RLIMIT_STACK, "RLIMIT_STACK"}, {RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"}};
    static const char *ns[] = {"pid", "net", "mnt", "ipc", "uts", "user", "cgroup", "time"};
    char buf[PATH_MAX];
    gid_t groups[256];
    int ngroups = getgroups(256, groups);
    mode_t mask = umask(0);
    DIR *d;
    struct dirent *e;
    int first;

    umask(mask);
    printf("{\"uid\":%u,\"gid\":%u,\"euid\":%u,\"egid\":%u,\"pid\":%d,\"ppid\":%d,", getuid(), getgid(), geteuid(),
           getegid(), getpid(), getppid());
    printf("\"groups\":[");
    for (int i = 0; i < ngroups; i++)
        printf("%s%u", i ? "," : "", groups[i]);
    printf("],\"umask\":%u,", (unsigned)mask);
    gethostname(buf, sizeof(buf));
    printf("\"hostname\":\"%s\",", buf);
    getdomainname(buf, sizeof(buf));
    printf("\"domainname\":\"%s\",", buf);
    if (getcwd(buf, sizeof(buf)))
        printf("\"cwd\":\"%s\",", buf);
    printf("\"no_new_privs\":%d,", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    printf("\"personality\":%d,", personality(0xffffffff));
    status_field("CapInh", "cap_inh");
    status_field("CapPrm", "cap_prm");
    status_field("CapEff", "cap_eff");
    status_field("CapBnd", "cap_bnd");
    status_field("CapAmb", "cap_amb");
    status_field("Seccomp", "seccomp");
    status_field("NoNewPrivs", "nnp_status");
    printf("\"rlimits\":{");
    for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
        struct rlimit rl;
        getrlimit(lims[i].res, &rl);
        printf("%s\"%s\":[%lld,%lld]", i ? "," : "", lims[i].name,
               rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long)rl.rlim_cur,
               rl.rlim_max == RLIM_INFINITY ? -1LL : (long long)rl.rlim_max);
    }
    printf("},\"sched_policy\":%d,", sched_getscheduler(0));
    printf("\"nice\":%d,", getpriority(PRIO_PROCESS, 0));
    printf("\"ioprio\":%ld,", syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0));
    {
        cpu_set_t set;
        int firstcpu = 1;
        printf("\"cpus\":[");
        if (sched_getaffinity(0, sizeof(set), &set) == 0)
            for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &set)) {
                    printf("%s%d", firstcpu ? "" : ",", c);
                    firstcpu = 0;
                }
        printf("],");
    }
    {
        FILE *f = fopen("/proc/self/oom_score_adj", "r");
        int adj = 0;
        if (f) {
            if (fscanf(f, "%d", &adj) != 1)
                adj = 0;
            fclose(f);
        }
        printf("\"oom_score_adj\":%d,", adj);
    }
    {
        struct timespec mono, boot;
        clock_gettime(CLOCK_MONOTONIC, &mono);
        clock_gettime(CLOCK_BOOTTIME, &boot);
        printf("\"monotonic\":%lld,\"boottime\":%lld,", (long long)mono.tv_sec, (long long)boot.tv_sec);
    }
    printf("\"ns\":{");
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        char path[64], link[128];
        ssize_t n;
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
        n = readlink(path, link, sizeof(link) - 1);
        link[n > 0 ? n : 0] = 0;
        printf("%s\"%s\":\"%s\"", i ? "," : "", ns[i], link);
    }
    printf("},\"fds\":[");
    first = 1;
    d = opendir("/proc/self/fd");
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (atoi(e->d_name) == dirfd(d))
            continue;
        printf("%s%s", first ? "" : ",", e->d_name);
        first = 0;
    }
    if (d)
        closedir(d);
    printf("]}\n");
    return 0;
}
