/*
 * cgroup_bpf.c - cgroup v2 device access control: a BPF_PROG_TYPE_CGROUP_DEVICE program generated from
 * the container's device rules, attached to its cgroup.
 *
 * Semantics follow the v1 devices controller the rules were written for: rules apply in order and a
 * later rule overrides an earlier one, per access bit. The program therefore checks each requested
 * access bit (read, write, mknod) on its own, scanning the rules from last to first; the first rule
 * that matches the device and carries that bit decides it. A bit no rule covers is denied.
 *
 * Updates attach the new program first (BPF_F_ALLOW_MULTI) and only then detach older programs of
 * ours, so there is never a moment with no filter on the cgroup.
 */
#include "cgroup_bpf.h"
#include "errors.h"

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RULE_TYPE_ALL 'a'
#define RULE_TYPE_CHAR 'c'
#define RULE_TYPE_BLOCK 'b'

/* Registers: r2 raw access_type, r3 device type, r4 requested access, r5 major, r6 minor. */
#define REG_TYPE 3
#define REG_ACCESS 4
#define REG_MAJOR 5
#define REG_MINOR 6

struct prog_buf {
    struct bpf_insn *insns;
    size_t count;
    size_t cap;
};

struct dev_rule {
    int type;
    unsigned access;
    int allow;
    int32_t major;
    int32_t minor;
};

static int emit(struct prog_buf *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm,
                struct pyrunc_err *err)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct bpf_insn *grown = realloc(p->insns, cap * sizeof(*grown));
        if (grown == NULL)
            return pr_fail(err, PR_STAGE_CGROUP, ENOMEM, "build device filter");
        p->insns = grown;
        p->cap = cap;
    }
    struct bpf_insn *insn = &p->insns[p->count++];
    memset(insn, 0, sizeof(*insn));
    insn->code = code;
    insn->dst_reg = dst & 0xf;
    insn->src_reg = src & 0xf;
    insn->off = off;
    insn->imm = imm;
    return 0;
}

static void decode_rule(const unsigned char *rec, struct dev_rule *rule)
{
    int32_t major, minor;

    memcpy(&major, rec + 4, sizeof(major));
    memcpy(&minor, rec + 8, sizeof(minor));
    rule->type = rec[0];
    rule->access = rec[1];
    rule->allow = rec[2] != 0;
    rule->major = major;
    rule->minor = minor;
}

static int rule_checks(const struct dev_rule *rule)
{
    return (rule->type != RULE_TYPE_ALL) + (rule->major >= 0) + (rule->minor >= 0);
}

/* Patch the jump at index `at` to land on index `target`. */
static int patch_jump(struct prog_buf *p, size_t at, size_t target, struct pyrunc_err *err)
{
    long off = (long)target - (long)at - 1;
    if (off < 0 || off > INT16_MAX)
        return pr_fail(err, PR_STAGE_CGROUP, E2BIG, "build device filter: too many rules");
    p->insns[at].off = (int16_t)off;
    return 0;
}

static int emit_section(struct prog_buf *p, const struct dev_rule *rules, size_t n, unsigned bit,
                        struct pyrunc_err *err)
{
    size_t pending[n + 1];
    size_t npending = 0;
    int terminated = 0;

    /* Not requested: skip the section. */
    if (emit(p, BPF_JMP | BPF_JSET | BPF_K, REG_ACCESS, 0, 1, (int32_t)bit, err) < 0)
        return -1;
    pending[npending++] = p->count;
    if (emit(p, BPF_JMP | BPF_JA, 0, 0, 0, 0, err) < 0)
        return -1;

    for (size_t i = n; i-- > 0 && !terminated;) {
        const struct dev_rule *r = &rules[i];
        if (!(r->access & bit))
            continue;
        int checks = rule_checks(r);
        int block = checks + (r->allow ? 1 : 2);
        int at = 0;
        if (r->type != RULE_TYPE_ALL) {
            int32_t want = r->type == RULE_TYPE_CHAR ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
            if (emit(p, BPF_JMP | BPF_JNE | BPF_K, REG_TYPE, 0, (int16_t)(block - ++at), want, err) < 0)
                return -1;
        }
        if (r->major >= 0 &&
            emit(p, BPF_JMP | BPF_JNE | BPF_K, REG_MAJOR, 0, (int16_t)(block - ++at), r->major, err) < 0)
            return -1;
        if (r->minor >= 0 &&
            emit(p, BPF_JMP | BPF_JNE | BPF_K, REG_MINOR, 0, (int16_t)(block - ++at), r->minor, err) < 0)
            return -1;
        if (r->allow) {
            pending[npending++] = p->count;
            if (emit(p, BPF_JMP | BPF_JA, 0, 0, 0, 0, err) < 0)
                return -1;
        } else {
            if (emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0, err) < 0 ||
                emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0, err) < 0)
                return -1;
        }
        /* A rule matching every device decides this bit; anything after it would be unreachable,
         * which the verifier refuses. */
        terminated = checks == 0;
    }
    if (!terminated) {
        if (emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0, err) < 0 ||
            emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0, err) < 0)
            return -1;
    }
    for (size_t k = 0; k < npending; k++)
        if (patch_jump(p, pending[k], p->count, err) < 0)
            return -1;
    return 0;
}

int pr_devices_prog_build(const unsigned char *rules, size_t len, struct bpf_insn **out, size_t *count,
                          struct pyrunc_err *err)
{
    struct prog_buf p = {0};
    struct dev_rule *decoded = NULL;
    size_t n = len / PYRUNC_DEVRULE_SIZE;
    static const unsigned bits[] = {BPF_DEVCG_ACC_READ, BPF_DEVCG_ACC_WRITE, BPF_DEVCG_ACC_MKNOD};

    if (len % PYRUNC_DEVRULE_SIZE != 0)
        return pr_fail(err, PR_STAGE_CGROUP, EINVAL, "decode device rules: length %zu is not a multiple of %d",
                       len, PYRUNC_DEVRULE_SIZE);
    if (n > 0) {
        decoded = calloc(n, sizeof(*decoded));
        if (decoded == NULL)
            return pr_fail(err, PR_STAGE_CGROUP, ENOMEM, "decode device rules");
    }
    for (size_t i = 0; i < n; i++) {
        decode_rule(rules + i * PYRUNC_DEVRULE_SIZE, &decoded[i]);
        struct dev_rule *r = &decoded[i];
        if ((r->type != RULE_TYPE_ALL && r->type != RULE_TYPE_CHAR && r->type != RULE_TYPE_BLOCK) ||
            (r->access & ~7u) != 0 || r->major < -1 || r->minor < -1) {
            free(decoded);
            return pr_fail(err, PR_STAGE_CGROUP, EINVAL, "decode device rule %zu", i);
        }
    }

    /* ctx: struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } */
    if (emit(&p, BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0, err) < 0 ||
        emit(&p, BPF_ALU | BPF_MOV | BPF_X, REG_TYPE, 2, 0, 0, err) < 0 ||
        emit(&p, BPF_ALU | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xffff, err) < 0 ||
        emit(&p, BPF_ALU | BPF_MOV | BPF_X, REG_ACCESS, 2, 0, 0, err) < 0 ||
        emit(&p, BPF_ALU | BPF_RSH | BPF_K, REG_ACCESS, 0, 0, 16, err) < 0 ||
        emit(&p, BPF_LDX | BPF_MEM | BPF_W, REG_MAJOR, 1, 4, 0, err) < 0 ||
        emit(&p, BPF_LDX | BPF_MEM | BPF_W, REG_MINOR, 1, 8, 0, err) < 0)
        goto fail;
    for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++)
        if (emit_section(&p, decoded, n, bits[b], err) < 0)
            goto fail;
    if (emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1, err) < 0 ||
        emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0, err) < 0)
        goto fail;
    free(decoded);
    *out = p.insns;
    *count = p.count;
    return 0;
fail:
    free(decoded);
    free(p.insns);
    return -1;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
    return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
    union bpf_attr attr;

    memset(info, 0, sizeof(*info));
    memset(&attr, 0, sizeof(attr));
    attr.info.bpf_fd = (uint32_t)fd;
    attr.info.info_len = sizeof(*info);
    attr.info.info = (uint64_t)(uintptr_t)info;
    return (int)sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
}

static int load_prog(const struct bpf_insn *insns, size_t count, struct pyrunc_err *err)
{
    union bpf_attr attr;
    static char log[4096];
    int fd;

    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.expected_attach_type = BPF_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = (uint32_t)count;
    attr.license = (uint64_t)(uintptr_t)"Apache-2.0";
    strncpy(attr.prog_name, PR_DEVICES_PROG_NAME, sizeof(attr.prog_name) - 1);
    fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
    if (fd >= 0)
        return fd;
    int saved = errno;
    if (saved == EINVAL || saved == EACCES) {
        /* Load once more with the verifier log so the error says what it rejected. */
        log[0] = '\0';
        attr.log_level = 1;
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof(log);
        fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
            return fd;
        size_t l = strnlen(log, sizeof(log));
        while (l > 0 && (log[l - 1] == '\n' || log[l - 1] == ' '))
            log[--l] = '\0';
        const char *tail = log;
        for (const char *c = log; *c; c++)
            if (*c == '\n' && c[1] != '\0')
                tail = c + 1;
        return pr_fail(err, PR_STAGE_CGROUP, saved, "load device filter program (verifier: %.200s)", tail);
    }
    return pr_fail(err, PR_STAGE_CGROUP, saved, "load device filter program");
}

/* Ids of the device programs attached directly to the cgroup; returns the count or -1. */
static int query_progs(int cgroup_dirfd, uint32_t *ids, uint32_t cap, struct pyrunc_err *err)
{
    union bpf_attr attr;

    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = (uint32_t)cgroup_dirfd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
    attr.query.prog_cnt = cap;
    if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
        return pr_fail_errno(err, PR_STAGE_CGROUP, "query device filter programs");
    return (int)(attr.query.prog_cnt < cap ? attr.query.prog_cnt : cap);
}

/* fd of an attached program of ours by id, or -1 (not ours, or gone meanwhile). */
static int open_ours(uint32_t id)
{
    union bpf_attr attr;
    struct bpf_prog_info info;

    memset(&attr, 0, sizeof(attr));
    attr.prog_id = id;
    int fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
    if (fd < 0)
        return -1;
    if (prog_info(fd, &info) < 0 || strncmp(info.name, PR_DEVICES_PROG_NAME, sizeof(info.name)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int pyrunc_devices_prog_attach(int cgroup_dirfd, const unsigned char *rules, size_t len, struct pyrunc_err *err)
{
    struct bpf_insn *insns = NULL;
    size_t count = 0;
    struct bpf_prog_info info;
    union bpf_attr attr;
    uint32_t ids[64];
    int prog_fd, n, rc = -1;

    if (pr_devices_prog_build(rules, len, &insns, &count, err) < 0)
        return -1;
    prog_fd = load_prog(insns, count, err);
    free(insns);
    if (prog_fd < 0)
        return -1;
    if (prog_info(prog_fd, &info) < 0) {
        pr_fail_errno(err, PR_STAGE_CGROUP, "inspect device filter program");
        goto out;
    }

    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_dirfd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) {
        pr_fail_errno(err, PR_STAGE_CGROUP, "attach device filter program");
        goto out;
    }

    n = query_progs(cgroup_dirfd, ids, sizeof(ids) / sizeof(ids[0]), err);
    if (n < 0)
        goto out;
    for (int i = 0; i < n; i++) {
        if (ids[i] == info.id)
            continue;
        int old = open_ours(ids[i]);
        if (old < 0)
            continue;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t)cgroup_dirfd;
        attr.attach_bpf_fd = (uint32_t)old;
        attr.attach_type = BPF_CGROUP_DEVICE;
        if (sys_bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT) {
            pr_fail_errno(err, PR_STAGE_CGROUP, "detach old device filter program %u", ids[i]);
            close(old);
            goto out;
        }
        close(old);
    }
    rc = 0;
out:
    close(prog_fd);
    return rc;
}

int pyrunc_devices_prog_count(int cgroup_dirfd, struct pyrunc_err *err)
{
    uint32_t ids[64];
    int n, ours = 0;

    n = query_progs(cgroup_dirfd, ids, sizeof(ids) / sizeof(ids[0]), err);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        int fd = open_ours(ids[i]);
        if (fd >= 0) {
            ours++;
            close(fd);
        }
    }
    return ours;
}
