/*
 * pyrunc.h - the whole Python/C boundary. cffi reads this file as its cdef (the build script drops
 * preprocessor lines other than integer #defines), and every C file includes it.
 *
 * Conventions: functions return 0 (or a non-negative value) on success and -1 on failure, filling
 * struct pyrunc_err. Messages are lowercase "verb `object`: reason".
 */
#ifndef PYRUNC_H
#define PYRUNC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bumped whenever this header or the plan format changes; pyrunc/native.py refuses a mismatch. */
#define PYRUNC_NATIVE_ABI 2

/* Plan blob: "PYRP", u32 version, then attributes {u16 type, u16 reserved, u32 len, value, pad to 4}. */
#define PYRUNC_PLAN_MAGIC 0x50525950
#define PYRUNC_PLAN_VERSION 1

/* Attribute types. Scalars are little-endian host order u32/u64; strings NUL-terminated;
 * string lists are u32 count followed by count NUL-terminated strings. */
#define PA_ROOTFS 1             /* str: absolute host path of the rootfs */
#define PA_NS_NEW 2             /* u32: CLONE_NEW* flags to create */
#define PA_NS_JOIN 3            /* u32 clone flag + str path, repeated */
#define PA_ROOTFS_PROPAGATION 4 /* u64 MS_* flags for "/" (default MS_REC|MS_PRIVATE) */
#define PA_ROOT_READONLY 5      /* u32 */
#define PA_NO_PIVOT 6           /* u32 */
#define PA_MOUNT 7              /* struct: see csrc/plan.h pr_mount layout */
#define PA_DEVICE 8             /* struct: see csrc/plan.h pr_device layout */
#define PA_SYMLINK 9            /* str target, str linkpath (inside the container) */
#define PA_MASKED 10            /* str */
#define PA_READONLY 11          /* str */
#define PA_HOSTNAME 12          /* str */
#define PA_DOMAINNAME 13        /* str */
#define PA_SYSCTL 14            /* str key, str value */
#define PA_ARGS 15              /* str list */
#define PA_ENV 16               /* str list */
#define PA_CWD 17               /* str */
#define PA_USER 18              /* u32 uid, u32 gid, i32 umask (-1 = unset), u32 ngids, u32 gids[] */
#define PA_CAPS 19              /* u64 bounding, effective, inheritable, permitted, ambient */
#define PA_RLIMIT 20            /* u32 resource, u32 pad, u64 soft, u64 hard */
#define PA_NO_NEW_PRIVS 21      /* u32 */
#define PA_OOM_SCORE_ADJ 22     /* i32 */
#define PA_PERSONALITY 23       /* u32 persona */
#define PA_SCHEDULER 24         /* u32 policy, i32 nice, u32 priority, u32 pad, u64 flags, runtime, deadline, period */
#define PA_IOPRIO 25            /* u32 ioprio value (class << 13 | level) */
#define PA_CPU_AFFINITY 26      /* bytes: cpu_set_t mask for the exec'd process */
#define PA_SECCOMP_BPF 27       /* bytes: struct sock_filter[] */
#define PA_SECCOMP_FLAGS 28     /* u32 SECCOMP_FILTER_FLAG_*; NEW_LISTENER means notify */
#define PA_TERMINAL 29          /* u32 rows, u32 cols (0,0 = no size) */
#define PA_SYNC_FD 30           /* u32 fd of the child's end of the sync socket */
#define PA_FIFO_FD 31           /* i32 O_PATH fd of the exec fifo (-1: start immediately, for exec) */
#define PA_PRESERVE_FDS 32      /* u32 count of fds kept from 3 upward */
#define PA_HOOK_CREATE_CONTAINER 33 /* u32 timeout_s, str path, str list args, str list env */
#define PA_HOOK_START_CONTAINER 34  /* same layout */
#define PA_TIMENS_OFFSET 35     /* u32 clockid, u32 pad, i64 secs, i64 nsecs */
#define PA_APPARMOR 36          /* str profile */
#define PA_SELINUX_LABEL 37     /* str */
#define PA_INIT_NAME 38         /* str: comm name while the runtime runs in the child */
#define PA_NO_NEW_KEYRING 40    /* u32 */
#define PA_SETGROUPS_DENY 41    /* u32 */
#define PA_EXEC_MODE 42         /* u32: 1 = exec into a running container (join only, no rootfs) */
#define PA_MOUNT_LABEL 44       /* str: SELinux context= for mounts */
#define PA_HOOKS_SYNC 45        /* u32: stop before pivot_root so the parent runs prestart/createRuntime hooks */
#define PA_CPU_AFFINITY_FINAL 47 /* bytes: cpu_set_t mask set right before execve */
#define PA_MEMPOLICY 48         /* u32 mode|flags, then the node mask bytes */
#define PA_INIT_EXE_FD 49       /* i32: sealed read-only memfd of pyrunc-init, exec'd by the init (-1: none) */
#define PA_PLAN_FD 50           /* i32: sealed memfd holding this very blob, for pyrunc-init to decode */

/* Sync messages on the SOCK_SEQPACKET socketpair (csrc/sync.h documents the exchange). */
#define PM_IDMAP_REQ 2      /* child -> parent: user ns made, write uid_map/gid_map */
#define PM_IDMAP_DONE 3     /* parent -> child */
#define PM_INIT_PID 4       /* child -> parent: value = host pid of the container init */
#define PM_HOOKS_REQ 5      /* init -> parent: mounts done, run prestart/createRuntime hooks */
#define PM_HOOKS_DONE 6     /* parent -> init: payload = state JSON for createContainer hooks */
#define PM_PTY_MASTER 7     /* init -> parent: pty master fd (SCM_RIGHTS) */
#define PM_SECCOMP_FD 8     /* init -> parent: seccomp notify fd (SCM_RIGHTS) */
#define PM_READY 9          /* init -> parent: waiting on the exec fifo */
#define PM_ERROR 10         /* child -> parent: payload = struct pyrunc_err */

struct pyrunc_err {
    int errnum;
    int stage;
    char msg[512];
};

struct pyrunc_msg {
    uint32_t type;
    int32_t value;
    uint32_t len; /* bytes of payload following this header in the same datagram */
    uint32_t reserved;
};

/* Version stamp: PYRUNC_NATIVE_ABI and the package version it was built for. */
int pyrunc_native_abi(void);
const char *pyrunc_native_version(void);

/* Spawn the container: forks the intermediate child that joins/creates namespaces and clones the
 * init (CLONE_PARENT, so init is our direct child). Returns the intermediate's pid; *sync_fd is the
 * parent's end of the sync socket. The child's end and every plan fd stay with the child.
 * The child puts itself (and so the init) into the cgroups given: v1_tasks = NUL-separated v1 `tasks`
 * files, v2_dir = the cgroup2 directory ("" = none); exec passes none and joins for the child. */
int pyrunc_spawn(const unsigned char *plan, size_t plan_len, const char *v1_tasks, size_t v1_tasks_len,
                 const char *v2_dir, int *sync_fd, struct pyrunc_err *err);

/* Sync socket helpers: send/receive one message with an optional payload and fd. */
int pyrunc_msg_send(int fd, uint32_t type, int32_t value, const void *payload, size_t len, int pass_fd,
                    struct pyrunc_err *err);
/* Returns payload length; *got_fd = received fd or -1. Blocks up to timeout_ms (-1 = forever). */
int pyrunc_msg_recv(int fd, struct pyrunc_msg *hdr, void *payload, size_t cap, int *got_fd, int timeout_ms,
                    struct pyrunc_err *err);

/* Send fd over a unix socket at path (console socket, seccomp listener) with a payload. */
int pyrunc_send_fd_to_path(const char *path, int fd, const void *payload, size_t len, struct pyrunc_err *err);

/* Run one hook: fork, exec path with args/env (NULL-terminated arrays), write stdin_data to its stdin,
 * wait up to timeout_s (0 = none; killed when exceeded). Captures up to out_cap bytes of its
 * stdout+stderr into out. Returns the wait status, or -1 on failure to run it. */
int pyrunc_run_hook(const char *path, char *const argv[], char *const envp[], const char *stdin_data,
                    size_t stdin_len, int timeout_s, char *out, size_t out_cap, size_t *out_len,
                    struct pyrunc_err *err);

/* pidfd helpers: open (-1 on failure), signal, wait for exit with timeout (ms; -1 forever). */
int pyrunc_pidfd_open(int pid, struct pyrunc_err *err);
int pyrunc_pidfd_send_signal(int pidfd, int sig, struct pyrunc_err *err);
int pyrunc_pidfd_wait(int pidfd, int timeout_ms, struct pyrunc_err *err);

/* umount2(path, flags) for the parent's own cleanup (mounts made without a mount namespace). */
int pyrunc_umount(const char *path, int flags, struct pyrunc_err *err);

/* A user namespace with the given maps, for idmapped mounts (csrc/mounts.c); returns an O_CLOEXEC fd. */
int pyrunc_idmap_userns(const char *uid_map, const char *gid_map, struct pyrunc_err *err);
/* A detached clone of source, idmapped with those maps (the init attaches it); an O_CLOEXEC fd. */
int pyrunc_idmapped_tree(const char *source, const char *uid_map, const char *gid_map, int recursive,
                         struct pyrunc_err *err);

/* --- seccomp (csrc/seccomp.c) --- */
/* Rule blob built by pyrunc/security/seccomp.py (host byte order, no padding):
 *   u32 magic, u32 version, u32 default action (SCMP_ACT_* with errno folded in),
 *   u32 n_arch, u32 arch tokens[n_arch] (SCMP_ARCH_*; the native arch is always in the filter),
 *   u32 n_rules, then per rule: u32 action, u32 n_syscalls, u32 n_args,
 *     i32 syscall numbers[n_syscalls] (native numbers or libseccomp pseudo numbers),
 *     n_args x {u32 index, u32 op (SCMP_CMP_*), u64 value, u64 value_two},
 *   u32 n_enosys, then n_enosys x {u32 audit arch, u32 last nr, u32 last x32 nr (0 = none)}:
 *     a stub put before libseccomp's program answers ENOSYS for syscalls numbered above the last
 *     one the profile names on that arch (newer than the profile; runc does the same), so libc
 *     falls back instead of failing on the default EPERM.
 * Unknown names never reach C: Python resolves them with pyrunc_seccomp_resolve_syscall first. */
#define PYRUNC_SECCOMP_RULES_MAGIC 0x43535250
#define PYRUNC_SECCOMP_RULES_VERSION 2
#define PYRUNC_SECCOMP_MAX_INSNS 4096 /* BPF_MAXINSNS: the kernel refuses longer programs */

/* One user notification as seen by a listener (tests use it to answer a trapped syscall). */
struct pyrunc_seccomp_notif {
    uint64_t id;
    uint32_t pid;
    int32_t nr;
    uint32_t arch;
    uint32_t reserved;
    uint64_t args[6];
};

/* Compile the rule blob with libseccomp into struct sock_filter[] bytes in out. Returns 0; when
 * out_cap is too small fails with ENOSPC and *out_len = the size needed. When libseccomp refuses a
 * rule (e.g. it conflicts with an earlier one), *out_len = that rule's index + 1, else 0. */
int pyrunc_seccomp_compile(const unsigned char *rules, size_t len, unsigned char *out, size_t out_cap,
                           size_t *out_len, struct pyrunc_err *err);
/* Native syscall number, a libseccomp pseudo number (< -1) for a name known on other
 * architectures only, or -1 when libseccomp does not know the name. */
int pyrunc_seccomp_resolve_syscall(const char *name);
/* The number of name on arch (SCMP_ARCH_* token), or < 0 when it has none there. */
int pyrunc_seccomp_resolve_syscall_arch(uint32_t arch, const char *name);
/* SCMP_ARCH_* token for a libseccomp arch name ("x86_64", "aarch64"...); 0 when unknown. */
uint32_t pyrunc_seccomp_arch_token(const char *name);
uint32_t pyrunc_seccomp_native_arch(void);
/* Runtime libseccomp version, "major.minor.micro" (static storage). */
const char *pyrunc_seccomp_version(void);
/* 1 when the kernel accepts SECCOMP_FILTER_FLAG_* flags, 0 when not. */
int pyrunc_seccomp_flags_supported(unsigned int flags);
/* 1 when the kernel knows SECCOMP_RET_* action, 0 when not. */
int pyrunc_seccomp_action_supported(uint32_t action);
/* Install bpf on the calling thread (needs no_new_privs or CAP_SYS_ADMIN). Returns the listener fd
 * when flags has SECCOMP_FILTER_FLAG_NEW_LISTENER, else 0; -1 on failure. */
int pyrunc_seccomp_load_bpf(const unsigned char *bpf, size_t len, unsigned int flags, struct pyrunc_err *err);
/* Listener side: wait up to timeout_ms for one notification and fill *n. Returns 1, 0 on timeout. */
int pyrunc_seccomp_notify_recv(int fd, struct pyrunc_seccomp_notif *n, int timeout_ms, struct pyrunc_err *err);
/* Answer notification id: the syscall returns val, or fails with error (> 0), or runs for real
 * when flags has SECCOMP_USER_NOTIF_FLAG_CONTINUE (1). */
int pyrunc_seccomp_notify_respond(int fd, uint64_t id, int64_t val, int32_t error, uint32_t flags,
                                  struct pyrunc_err *err);

/* --- cgroup device eBPF (csrc/cgroup_bpf.c) --- */
/* Device rules: records of PYRUNC_DEVRULE_SIZE bytes {u8 type 'a'|'c'|'b', u8 access bits (1 mknod,
 * 2 read, 4 write), u8 allow, u8 pad, i32 major (-1 = any), i32 minor (-1 = any)}, host byte order, in
 * the order the v1 controller would apply them (later rules override earlier ones). */
#define PYRUNC_DEVRULE_SIZE 12
/* Generate a BPF_PROG_TYPE_CGROUP_DEVICE program from the rules, load it, attach it to the cgroup
 * (BPF_F_ALLOW_MULTI), then detach any older pyrunc device program there: replaces, never stacks. */
int pyrunc_devices_prog_attach(int cgroup_dirfd, const unsigned char *rules, size_t len, struct pyrunc_err *err);
/* How many pyrunc device programs are attached directly to the cgroup. */
int pyrunc_devices_prog_count(int cgroup_dirfd, struct pyrunc_err *err);

#endif
