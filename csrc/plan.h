/* plan.h - the decoded plan: what Python decided, in the shape the C core executes it.
 * The blob is decoded in place (strings point into it); nothing here is freed before execve. */
#ifndef PYRUNC_PLAN_H
#define PYRUNC_PLAN_H

#include "pyrunc.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PR_MAX_LIST 4096

/* pr_mount.ext bits: what mount(2) flags alone cannot say. */
#define PR_MOUNT_TMPCOPYUP 0x1   /* copy the destination's old contents into the new tmpfs */
#define PR_MOUNT_IS_BIND 0x2     /* bind or rbind (MS_BIND is also in flags) */
#define PR_MOUNT_REMOUNT_RO 0x4  /* bind mounts: ro needs a MS_REMOUNT|MS_BIND pass */
#define PR_MOUNT_CGROUP 0x8      /* type "cgroup": mount the container's own cgroups read-only */
#define PR_MOUNT_PROC 0x10       /* type "proc": destination must be a plain directory, fs must be procfs */
#define PR_MOUNT_IDMAP 0x20      /* idmapped: userns_fd holds the mapping user namespace */
#define PR_MOUNT_DEVPTS 0x40     /* a devpts instance: /dev/ptmx becomes a symlink to pts/ptmx */
#define PR_MOUNT_SYSFS 0x80
#define PR_MOUNT_PREPARED 0x100  /* userns_fd is a detached, already idmapped tree made by the parent */

/* Wire layout of PA_MOUNT: u64 flags, u64 propagation, u64 attr_set, u64 attr_clr, u32 ext,
 * i32 userns_fd, then str source, str destination, str fstype, str data. */
struct pr_mount {
    unsigned long flags;       /* MS_* for mount(2), propagation excluded */
    unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (|MS_REC), 0 = none */
    uint64_t attr_set;         /* MOUNT_ATTR_* set recursively via mount_setattr (r* options) */
    uint64_t attr_clr;
    uint32_t ext;              /* PR_MOUNT_* */
    int userns_fd;             /* for PR_MOUNT_IDMAP, else -1 */
    const char *source;        /* "" when none */
    const char *destination;   /* absolute, inside the container */
    const char *fstype;        /* "" for binds */
    const char *data;          /* options passed as data, "" when none */
};

/* Wire layout of PA_DEVICE: u32 type ('c','b','p','u'), u32 major, u32 minor, u32 mode
 * (permission bits only), u32 uid, u32 gid, u32 bind (1: bind-mount the host node, e.g. in a
 * user namespace), then str path (inside the container). */
struct pr_device {
    uint32_t type;
    uint32_t major, minor;
    uint32_t mode;
    uint32_t uid, gid;
    uint32_t bind;
    const char *path;
};

struct pr_pair {
    const char *a, *b;
};

struct pr_strlist {
    uint32_t n;
    const char **v; /* n entries + NULL */
};

struct pr_rlimit {
    uint32_t resource;
    uint64_t soft, hard;
};

struct pr_hook {
    uint32_t timeout;
    const char *path;
    struct pr_strlist args, env;
};

struct pr_nsjoin {
    uint32_t type; /* CLONE_NEW* */
    const char *path;
};

struct pr_timens {
    uint32_t clock;
    int64_t secs, nsecs;
};

struct pr_plan {
    const char *rootfs;
    uint32_t ns_new;
    uint32_t n_join;
    struct pr_nsjoin *join;
    unsigned long rootfs_propagation;
    bool root_readonly, no_pivot, no_new_privs, no_new_keyring, setgroups_deny, exec_mode;
    bool hooks_sync;
    uint32_t n_mounts;
    struct pr_mount *mounts;
    uint32_t n_devices;
    struct pr_device *devices;
    uint32_t n_symlinks;
    struct pr_pair *symlinks; /* a = target, b = link path */
    struct pr_strlist masked, readonly;
    const char *hostname, *domainname; /* NULL = leave alone */
    uint32_t n_sysctl;
    struct pr_pair *sysctl;
    struct pr_strlist args, env;
    const char *cwd;
    bool has_user;
    uint32_t uid, gid;
    int32_t umask; /* -1 = unset */
    uint32_t n_gids;
    const uint32_t *gids;
    bool has_caps;
    uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
    uint32_t n_rlimits;
    struct pr_rlimit *rlimits;
    bool has_oom_score_adj;
    int32_t oom_score_adj;
    bool has_personality;
    uint32_t personality;
    bool has_scheduler;
    uint32_t sched_policy, sched_priority;
    int32_t sched_nice;
    uint64_t sched_flags, sched_runtime, sched_deadline, sched_period;
    bool has_mempolicy;
    uint32_t mempolicy;
    const unsigned char *mempolicy_nodes;
    uint32_t mempolicy_nodes_len;
    bool has_ioprio;
    uint32_t ioprio;
    const unsigned char *cpu_affinity; /* execCPUAffinity.initial: from the start of setup */
    uint32_t cpu_affinity_len;
    const unsigned char *cpu_affinity_final; /* execCPUAffinity.final: right before execve */
    uint32_t cpu_affinity_final_len;
    const unsigned char *seccomp_bpf; /* struct sock_filter[] */
    uint32_t seccomp_bpf_len;
    uint32_t seccomp_flags;
    bool terminal;
    uint32_t term_rows, term_cols;
    int sync_fd;
    int fifo_fd; /* -1 = none */
    int init_exe_fd; /* the static init binary to re-exec into (csrc/initmain.c), -1 = stay in this image */
    int plan_fd;     /* memfd of the plan blob, handed to that binary */
    int cgroupns_fd; /* not in the blob: a cgroup namespace CHILD opened for INIT to join, -1 = none */
    uint32_t preserve_fds;
    uint32_t n_hooks_cc, n_hooks_sc;
    struct pr_hook *hooks_cc, *hooks_sc; /* createContainer, startContainer */
    uint32_t n_timens;
    struct pr_timens *timens;
    const char *apparmor, *selinux_label, *mount_label, *init_name;
};

/* Decode blob into plan; arrays are allocated with calloc (never freed: the child execs). */
int pr_plan_decode(const unsigned char *blob, size_t len, struct pr_plan *plan, struct pyrunc_err *err);

#endif
