/* seccomp.c - compiling seccomp rules to classic BPF with libseccomp (in the runtime, before
 * clone), and installing the result in the init (after everything else, before execve).
 *
 * libseccomp runs only in the parent: the init gets plain struct sock_filter[] bytes in the plan,
 * so it needs neither the library's allocations nor its kernel probes after clone, and the
 * compiled program can be cached by the Python side. */
/* Angle brackets on purpose: found through -Icsrc, csrc/seccomp.h can #include_next libseccomp's
 * header of the same name (a quoted include would restart the search at csrc and find itself). */
#define PYRUNC_USE_LIBSECCOMP 1
#include <seccomp.h>

#include "errors.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_ARG_INDEX 6 /* syscalls take at most six arguments */
#define MAX_CMP_PER_RULE 64

struct rd {
    const unsigned char *p;
    size_t left;
};

static int rd_u32(struct rd *r, uint32_t *v)
{
    if (r->left < 4)
        return -1;
    memcpy(v, r->p, 4);
    r->p += 4;
    r->left -= 4;
    return 0;
}

static int rd_u64(struct rd *r, uint64_t *v)
{
    if (r->left < 8)
        return -1;
    memcpy(v, r->p, 8);
    r->p += 8;
    r->left -= 8;
    return 0;
}

static int truncated(struct pyrunc_err *err)
{
    return pr_fail(err, PR_STAGE_SECCOMP, EINVAL, "decode seccomp rules: truncated blob");
}

/* Add one syscall's rule. libseccomp cannot AND two comparisons on the same argument, so when an
 * index repeats each comparison becomes a rule of its own (any match applies the action), which
 * is also how runc treats such rules; otherwise all comparisons must match together. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct scmp_arg_cmp *cmp,
                    unsigned int n, struct pyrunc_err *err)
{
    bool repeated = false;
    int rc = 0;

    for (unsigned int i = 0; i < n && !repeated; i++)
        for (unsigned int j = i + 1; j < n; j++)
            if (cmp[i].arg == cmp[j].arg) {
                repeated = true;
                break;
            }
    if (!repeated) {
        rc = seccomp_rule_add_array(ctx, action, nr, n, n ? cmp : NULL);
    } else {
        for (unsigned int i = 0; i < n && rc == 0; i++)
            rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i]);
    }
    if (rc < 0) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        pr_fail(err, PR_STAGE_SECCOMP, -rc, "add seccomp rule for `%s`", name ? name : "?");
        free(name);
        return -1;
    }
    return 0;
}

/* The ENOSYS stub: per arch, "nr > last" returns ENOSYS, anything else falls through to
 * libseccomp's program (which reloads what it needs, so the accumulator state does not matter).
 * On x86_64, x32 calls carry the 0x40000000 bit and are compared with their own last number. */
#define STUB_MAX 256
#define X32_BIT 0x40000000U
#define T_ENOSYS (-1)
#define T_FALL (-2)

struct stub {
    struct sock_filter f[STUB_MAX];
    int jt[STUB_MAX], jf[STUB_MAX]; /* absolute targets or T_* */
    unsigned int n;
};

static void emit(struct stub *s, uint16_t code, uint32_t k, int jt, int jf)
{
    s->f[s->n] = (struct sock_filter){code, 0, 0, k};
    s->jt[s->n] = jt;
    s->jf[s->n] = jf;
    s->n++;
}

static int read_stub(struct rd *r, struct stub *s, struct pyrunc_err *err)
{
    uint32_t n, arch, last, last_x32;

    s->n = 0;
    if (rd_u32(r, &n) < 0)
        return truncated(err);
    if (n == 0)
        return 0;
    if (n > 32)
        return pr_fail(err, PR_STAGE_SECCOMP, EINVAL, "decode seccomp rules: %u enosys entries", n);
    emit(s, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
    for (uint32_t i = 0; i < n; i++) {
        unsigned int start = s->n, size;
        if (rd_u32(r, &arch) < 0 || rd_u32(r, &last) < 0 || rd_u32(r, &last_x32) < 0)
            return truncated(err);
        size = arch == AUDIT_ARCH_X86_64 ? 5 : 3;
        emit(s, BPF_JMP | BPF_JEQ | BPF_K, arch, (int)start + 1, i + 1 == n ? T_FALL : (int)(start + size));
        emit(s, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
        if (arch == AUDIT_ARCH_X86_64) {
            emit(s, BPF_JMP | BPF_JSET | BPF_K, X32_BIT, (int)start + 4, (int)start + 3);
            emit(s, BPF_JMP | BPF_JGT | BPF_K, last, T_ENOSYS, T_FALL);
            /* Without x32 in the profile, its calls are libseccomp's business (bad arch). */
            emit(s, BPF_JMP | BPF_JGT | BPF_K, last_x32 ? last_x32 : 0xffffffffU, T_ENOSYS, T_FALL);
        } else {
            emit(s, BPF_JMP | BPF_JGT | BPF_K, last, T_ENOSYS, T_FALL);
        }
    }
    emit(s, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA), 0, 0);
    for (unsigned int i = 0; i < s->n; i++) {
        if (BPF_CLASS(s->f[i].code) != BPF_JMP)
            continue;
        int targets[2] = {s->jt[i], s->jf[i]};
        for (int k = 0; k < 2; k++) {
            int abs = targets[k] == T_ENOSYS ? (int)s->n - 1 : targets[k] == T_FALL ? (int)s->n : targets[k];
            int rel = abs - (int)i - 1;
            if (rel < 0 || rel > 255)
                return pr_fail(err, PR_STAGE_SECCOMP, EINVAL, "build seccomp enosys stub: jump of %d", rel);
            if (k == 0)
                s->f[i].jt = (uint8_t)rel;
            else
                s->f[i].jf = (uint8_t)rel;
        }
    }
    return 0;
}

static int export_bpf(scmp_filter_ctx ctx, const struct stub *stub, unsigned char *out, size_t out_cap,
                      size_t *out_len, struct pyrunc_err *err)
{
    int fd, rc;
    off_t size;
    size_t done = 0, head = stub->n * sizeof(struct sock_filter);

    fd = memfd_create("pyrunc-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return pr_fail_errno(err, PR_STAGE_SECCOMP, "create memfd `pyrunc-seccomp`");
    rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0) {
        close(fd);
        return pr_fail(err, PR_STAGE_SECCOMP, -rc, "export seccomp filter");
    }
    size = lseek(fd, 0, SEEK_END);
    if (size < 0) {
        pr_fail_errno(err, PR_STAGE_SECCOMP, "seek `pyrunc-seccomp`");
        close(fd);
        return -1;
    }
    *out_len = head + (size_t)size;
    if (*out_len > out_cap) {
        close(fd);
        return pr_fail(err, PR_STAGE_SECCOMP, ENOSPC, "export seccomp filter: %zu bytes do not fit", *out_len);
    }
    memcpy(out, stub->f, head);
    out += head;
    while (done < (size_t)size) {
        ssize_t n = pread(fd, out + done, (size_t)size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            pr_fail(err, PR_STAGE_SECCOMP, n < 0 ? errno : EIO, "read `pyrunc-seccomp`");
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    close(fd);
    return 0;
}

static int compile_into(scmp_filter_ctx ctx, struct rd *r, uint32_t default_action, size_t *bad_rule,
                        struct stub *stub, struct pyrunc_err *err)
{
    uint32_t n_arch, n_rules;
    int rc;

    /* The program is exported, never loaded by libseccomp: no_new_privs is the init's business. */
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc < 0)
        return pr_fail(err, PR_STAGE_SECCOMP, -rc, "set seccomp attribute `nnp`");

    if (rd_u32(r, &n_arch) < 0)
        return truncated(err);
    for (uint32_t i = 0; i < n_arch; i++) {
        uint32_t arch;
        if (rd_u32(r, &arch) < 0)
            return truncated(err);
        rc = seccomp_arch_add(ctx, arch);
        if (rc < 0 && rc != -EEXIST)
            return pr_fail(err, PR_STAGE_SECCOMP, -rc, "add seccomp architecture `0x%x`", arch);
    }

    if (rd_u32(r, &n_rules) < 0)
        return truncated(err);
    for (uint32_t i = 0; i < n_rules; i++) {
        uint32_t action, n_sys, n_args;
        struct scmp_arg_cmp cmp[MAX_CMP_PER_RULE];
        const unsigned char *sys;

        if (rd_u32(r, &action) < 0 || rd_u32(r, &n_sys) < 0 || rd_u32(r, &n_args) < 0)
            return truncated(err);
        if (n_args > sizeof(cmp) / sizeof(cmp[0]))
            return pr_fail(err, PR_STAGE_SECCOMP, EINVAL, "decode seccomp rules: rule %u has %u args", i,
                           n_args);
        if (r->left / 4 < n_sys)
            return truncated(err);
        sys = r->p;
        r->p += (size_t)n_sys * 4;
        r->left -= (size_t)n_sys * 4;
        for (uint32_t a = 0; a < n_args; a++) {
            uint32_t index, op;
            uint64_t v1, v2;
            if (rd_u32(r, &index) < 0 || rd_u32(r, &op) < 0 || rd_u64(r, &v1) < 0 || rd_u64(r, &v2) < 0)
                return truncated(err);
            if (index >= MAX_ARG_INDEX || op <= _SCMP_CMP_MIN || op >= _SCMP_CMP_MAX)
                return pr_fail(err, PR_STAGE_SECCOMP, EINVAL,
                               "decode seccomp rules: rule %u arg %u: index %u op %u", i, a, index, op);
            cmp[a].arg = index;
            cmp[a].op = (enum scmp_compare)op;
            cmp[a].datum_a = v1;
            cmp[a].datum_b = v2;
        }
        /* libseccomp refuses a rule that repeats the default action; it would change nothing. */
        if (action == default_action)
            continue;
        for (uint32_t s = 0; s < n_sys; s++) {
            int32_t nr;
            memcpy(&nr, sys + (size_t)s * 4, 4);
            if (add_rule(ctx, action, nr, cmp, n_args, err) < 0) {
                *bad_rule = (size_t)i + 1;
                return -1;
            }
        }
    }
    if (read_stub(r, stub, err) < 0)
        return -1;
    if (r->left != 0)
        return pr_fail(err, PR_STAGE_SECCOMP, EINVAL, "decode seccomp rules: %zu trailing bytes", r->left);
    return 0;
}

int pyrunc_seccomp_compile(const unsigned char *rules, size_t len, unsigned char *out, size_t out_cap,
                           size_t *out_len, struct pyrunc_err *err)
{
    struct rd r = {rules, len};
    uint32_t magic, version, default_action;
    scmp_filter_ctx ctx;
    struct stub *stub;
    int rc;

    *out_len = 0;
    if (rd_u32(&r, &magic) < 0 || rd_u32(&r, &version) < 0 || rd_u32(&r, &default_action) < 0)
        return truncated(err);
    if (magic != PYRUNC_SECCOMP_RULES_MAGIC || version != PYRUNC_SECCOMP_RULES_VERSION)
        return pr_fail(err, PR_STAGE_SECCOMP, EINVAL, "decode seccomp rules: bad magic or version %u", version);
    stub = calloc(1, sizeof(*stub));
    if (stub == NULL)
        return pr_fail_errno(err, PR_STAGE_SECCOMP, "allocate seccomp stub");
    ctx = seccomp_init(default_action);
    if (ctx == NULL) {
        free(stub);
        return pr_fail(err, PR_STAGE_SECCOMP, EINVAL, "init seccomp filter with default action `0x%x`",
                       default_action);
    }
    rc = compile_into(ctx, &r, default_action, out_len, stub, err);
    if (rc == 0)
        rc = export_bpf(ctx, stub, out, out_cap, out_len, err);
    seccomp_release(ctx);
    free(stub);
    return rc;
}

int pyrunc_seccomp_resolve_syscall(const char *name)
{
    return seccomp_syscall_resolve_name(name);
}

int pyrunc_seccomp_resolve_syscall_arch(uint32_t arch, const char *name)
{
    return seccomp_syscall_resolve_name_arch(arch, name);
}

uint32_t pyrunc_seccomp_arch_token(const char *name)
{
    return seccomp_arch_resolve_name(name);
}

uint32_t pyrunc_seccomp_native_arch(void)
{
    return seccomp_arch_native();
}

const char *pyrunc_seccomp_version(void)
{
    static char buf[48];
    const struct scmp_version *v = seccomp_version();

    if (buf[0] == '\0')
        snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
    return buf;
}

int pyrunc_seccomp_flags_supported(unsigned int flags)
{
    /* A NULL program gets past the flag check and then fails to be read: EFAULT means "known". */
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);
    return rc < 0 && errno == EFAULT;
}

int pyrunc_seccomp_action_supported(uint32_t action)
{
    return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

static int load(const unsigned char *bpf, size_t len, unsigned int flags, struct pyrunc_err *err)
{
    struct sock_fprog prog;
    long rc;

    if (bpf == NULL || len == 0 || len % sizeof(struct sock_filter) != 0 ||
        len / sizeof(struct sock_filter) > PYRUNC_SECCOMP_MAX_INSNS)
        return pr_fail(err, PR_STAGE_SECCOMP, EINVAL, "load seccomp filter: bad program length %zu", len);
    prog.len = (unsigned short)(len / sizeof(struct sock_filter));
    /* The kernel copies the program; it only reads through this pointer. */
    prog.filter = (struct sock_filter *)(uintptr_t)bpf;
    rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (rc < 0)
        return pr_fail_errno(err, PR_STAGE_SECCOMP, "load seccomp filter");
    return (int)rc;
}

int pyrunc_seccomp_load_bpf(const unsigned char *bpf, size_t len, unsigned int flags, struct pyrunc_err *err)
{
    return load(bpf, len, flags, err);
}

int pr_seccomp_load(const struct pr_plan *p, int *notify_fd, struct pyrunc_err *err)
{
    int rc;

    *notify_fd = -1;
    if (p->seccomp_bpf == NULL || p->seccomp_bpf_len == 0)
        return 0;
    rc = load(p->seccomp_bpf, p->seccomp_bpf_len, p->seccomp_flags, err);
    if (rc < 0)
        return -1;
    if (p->seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
        *notify_fd = rc;
    return 0;
}

int pyrunc_seccomp_notify_recv(int fd, struct pyrunc_seccomp_notif *n, int timeout_ms, struct pyrunc_err *err)
{
    struct seccomp_notif req;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int rc;

    do
        rc = poll(&pfd, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return pr_fail_errno(err, PR_STAGE_SECCOMP, "poll seccomp listener");
    if (rc == 0)
        return 0;
    /* The kernel insists on a zeroed request. */
    memset(&req, 0, sizeof(req));
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        return pr_fail_errno(err, PR_STAGE_SECCOMP, "receive seccomp notification");
    memset(n, 0, sizeof(*n));
    n->id = req.id;
    n->pid = req.pid;
    n->nr = req.data.nr;
    n->arch = req.data.arch;
    for (int i = 0; i < 6; i++)
        n->args[i] = req.data.args[i];
    return 1;
}

int pyrunc_seccomp_notify_respond(int fd, uint64_t id, int64_t val, int32_t error, uint32_t flags,
                                  struct pyrunc_err *err)
{
    struct seccomp_notif_resp resp;

    memset(&resp, 0, sizeof(resp));
    resp.id = id;
    resp.val = val;
    resp.error = error > 0 ? -error : error;
    resp.flags = flags;
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
        return pr_fail_errno(err, PR_STAGE_SECCOMP, "answer seccomp notification");
    return 0;
}
