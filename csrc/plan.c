/* plan.c - decode the plan blob Python built (pyrunc/runtime/planfile.py) into struct pr_plan.
 * Every attribute is bounds-checked; an unknown attribute type is EINVAL so a newer Python never
 * talks to an older core by accident. */
#include "plan.h"
#include "errors.h"

#include <stdlib.h>
#include <string.h>

struct cursor {
    const unsigned char *p;
    size_t left;
    struct pyrunc_err *err;
    unsigned type;
};

static int bad(struct cursor *c, const char *what)
{
    return pr_fail(c->err, PR_STAGE_PLAN, EINVAL, "decode plan attribute %u: %s", c->type, what);
}

static int get_u32(struct cursor *c, uint32_t *v)
{
    if (c->left < 4)
        return bad(c, "truncated u32");
    memcpy(v, c->p, 4);
    c->p += 4;
    c->left -= 4;
    return 0;
}

static int get_u64(struct cursor *c, uint64_t *v)
{
    if (c->left < 8)
        return bad(c, "truncated u64");
    memcpy(v, c->p, 8);
    c->p += 8;
    c->left -= 8;
    return 0;
}

static int get_str(struct cursor *c, const char **s)
{
    const unsigned char *nul = memchr(c->p, 0, c->left);
    if (nul == NULL)
        return bad(c, "unterminated string");
    *s = (const char *)c->p;
    c->left -= (size_t)(nul - c->p) + 1;
    c->p = nul + 1;
    return 0;
}

static int get_strlist(struct cursor *c, struct pr_strlist *l)
{
    uint32_t n = 0;
    if (get_u32(c, &n) < 0)
        return -1;
    if (n > PR_MAX_LIST * 16)
        return bad(c, "list too long");
    l->v = calloc(n + 1, sizeof(char *));
    if (l->v == NULL)
        return pr_fail(c->err, PR_STAGE_PLAN, ENOMEM, "allocate plan list");
    for (uint32_t i = 0; i < n; i++)
        if (get_str(c, &l->v[i]) < 0)
            return -1;
    l->n = n;
    return 0;
}

/* Grow an array by one element; arrays are small and the child execs, so nothing is freed. */
static void *push(void **arr, uint32_t *n, size_t size, struct pyrunc_err *err)
{
    void *grown;
    if (*n >= PR_MAX_LIST) {
        pr_fail(err, PR_STAGE_PLAN, E2BIG, "decode plan: too many entries");
        return NULL;
    }
    grown = realloc(*arr, size * (*n + 1));
    if (grown == NULL) {
        pr_fail(err, PR_STAGE_PLAN, ENOMEM, "allocate plan entry");
        return NULL;
    }
    *arr = grown;
    memset((char *)grown + size * *n, 0, size);
    return (char *)grown + size * (*n)++;
}

static int strlist_push(struct pr_strlist *l, struct cursor *c)
{
    const char **grown;
    if (l->n >= PR_MAX_LIST)
        return bad(c, "too many paths");
    grown = realloc((void *)l->v, sizeof(char *) * (l->n + 2));
    if (grown == NULL)
        return pr_fail(c->err, PR_STAGE_PLAN, ENOMEM, "allocate plan list");
    l->v = grown;
    if (get_str(c, &l->v[l->n]) < 0)
        return -1;
    l->v[++l->n] = NULL;
    return 0;
}

static int get_hook(struct cursor *c, struct pr_hook *h)
{
    if (get_u32(c, &h->timeout) < 0 || get_str(c, &h->path) < 0)
        return -1;
    if (get_strlist(c, &h->args) < 0 || get_strlist(c, &h->env) < 0)
        return -1;
    return 0;
}

static int decode_one(struct cursor *c, struct pr_plan *p)
{
    uint32_t u = 0, v = 0;
    uint64_t w = 0;

    switch (c->type) {
    case PA_ROOTFS: return get_str(c, &p->rootfs);
    case PA_NS_NEW: return get_u32(c, &p->ns_new);
    case PA_NS_JOIN: {
        struct pr_nsjoin *j = push((void **)&p->join, &p->n_join, sizeof(*j), c->err);
        if (j == NULL || get_u32(c, &j->type) < 0)
            return -1;
        return get_str(c, &j->path);
    }
    case PA_ROOTFS_PROPAGATION:
        if (get_u64(c, &w) < 0)
            return -1;
        p->rootfs_propagation = (unsigned long)w;
        return 0;
    case PA_ROOT_READONLY: if (get_u32(c, &u) < 0) return -1; p->root_readonly = u != 0; return 0;
    case PA_NO_PIVOT: if (get_u32(c, &u) < 0) return -1; p->no_pivot = u != 0; return 0;
    case PA_NO_NEW_PRIVS: if (get_u32(c, &u) < 0) return -1; p->no_new_privs = u != 0; return 0;
    case PA_NO_NEW_KEYRING: if (get_u32(c, &u) < 0) return -1; p->no_new_keyring = u != 0; return 0;
    case PA_SETGROUPS_DENY: if (get_u32(c, &u) < 0) return -1; p->setgroups_deny = u != 0; return 0;
    case PA_EXEC_MODE: if (get_u32(c, &u) < 0) return -1; p->exec_mode = u != 0; return 0;
    case PA_HOOKS_SYNC: if (get_u32(c, &u) < 0) return -1; p->hooks_sync = u != 0; return 0;
    case PA_MOUNT: {
        struct pr_mount *m = push((void **)&p->mounts, &p->n_mounts, sizeof(*m), c->err);
        uint64_t flags = 0, prop = 0;
        if (m == NULL || get_u64(c, &flags) < 0 || get_u64(c, &prop) < 0 || get_u64(c, &m->attr_set) < 0 ||
            get_u64(c, &m->attr_clr) < 0 || get_u32(c, &m->ext) < 0 || get_u32(c, &u) < 0)
            return -1;
        m->flags = (unsigned long)flags;
        m->propagation = (unsigned long)prop;
        m->userns_fd = (int32_t)u;
        if (get_str(c, &m->source) < 0 || get_str(c, &m->destination) < 0 || get_str(c, &m->fstype) < 0)
            return -1;
        return get_str(c, &m->data);
    }
    case PA_DEVICE: {
        struct pr_device *d = push((void **)&p->devices, &p->n_devices, sizeof(*d), c->err);
        if (d == NULL || get_u32(c, &d->type) < 0 || get_u32(c, &d->major) < 0 || get_u32(c, &d->minor) < 0 ||
            get_u32(c, &d->mode) < 0 || get_u32(c, &d->uid) < 0 || get_u32(c, &d->gid) < 0 ||
            get_u32(c, &d->bind) < 0)
            return -1;
        return get_str(c, &d->path);
    }
    case PA_SYMLINK: {
        struct pr_pair *s = push((void **)&p->symlinks, &p->n_symlinks, sizeof(*s), c->err);
        if (s == NULL || get_str(c, &s->a) < 0)
            return -1;
        return get_str(c, &s->b);
    }
    case PA_SYSCTL: {
        struct pr_pair *s = push((void **)&p->sysctl, &p->n_sysctl, sizeof(*s), c->err);
        if (s == NULL || get_str(c, &s->a) < 0)
            return -1;
        return get_str(c, &s->b);
    }
    case PA_MASKED: return strlist_push(&p->masked, c);
    case PA_READONLY: return strlist_push(&p->readonly, c);
    case PA_HOSTNAME: return get_str(c, &p->hostname);
    case PA_DOMAINNAME: return get_str(c, &p->domainname);
    case PA_ARGS: return get_strlist(c, &p->args);
    case PA_ENV: return get_strlist(c, &p->env);
    case PA_CWD: return get_str(c, &p->cwd);
    case PA_USER:
        if (get_u32(c, &p->uid) < 0 || get_u32(c, &p->gid) < 0 || get_u32(c, &u) < 0 || get_u32(c, &v) < 0)
            return -1;
        p->umask = (int32_t)u;
        if (v > 65536 || c->left < (size_t)v * 4)
            return bad(c, "bad additional gids");
        p->has_user = true;
        p->n_gids = v;
        p->gids = (const uint32_t *)c->p;
        c->p += (size_t)v * 4;
        c->left -= (size_t)v * 4;
        return 0;
    case PA_CAPS:
        p->has_caps = true;
        if (get_u64(c, &p->cap_bounding) < 0 || get_u64(c, &p->cap_effective) < 0 ||
            get_u64(c, &p->cap_inheritable) < 0 || get_u64(c, &p->cap_permitted) < 0)
            return -1;
        return get_u64(c, &p->cap_ambient);
    case PA_RLIMIT: {
        struct pr_rlimit *r = push((void **)&p->rlimits, &p->n_rlimits, sizeof(*r), c->err);
        if (r == NULL || get_u32(c, &r->resource) < 0 || get_u32(c, &u) < 0 || get_u64(c, &r->soft) < 0)
            return -1;
        return get_u64(c, &r->hard);
    }
    case PA_OOM_SCORE_ADJ:
        if (get_u32(c, &u) < 0)
            return -1;
        p->has_oom_score_adj = true;
        p->oom_score_adj = (int32_t)u;
        return 0;
    case PA_PERSONALITY:
        p->has_personality = true;
        return get_u32(c, &p->personality);
    case PA_SCHEDULER:
        p->has_scheduler = true;
        if (get_u32(c, &p->sched_policy) < 0 || get_u32(c, &u) < 0 || get_u32(c, &p->sched_priority) < 0 ||
            get_u32(c, &v) < 0)
            return -1;
        p->sched_nice = (int32_t)u;
        if (get_u64(c, &p->sched_flags) < 0 || get_u64(c, &p->sched_runtime) < 0 ||
            get_u64(c, &p->sched_deadline) < 0)
            return -1;
        return get_u64(c, &p->sched_period);
    case PA_IOPRIO:
        p->has_ioprio = true;
        return get_u32(c, &p->ioprio);
    case PA_CPU_AFFINITY:
        p->cpu_affinity = c->p;
        p->cpu_affinity_len = (uint32_t)c->left;
        c->p += c->left;
        c->left = 0;
        return 0;
    case PA_MEMPOLICY:
        if (get_u32(c, &p->mempolicy) < 0)
            return -1;
        p->has_mempolicy = true;
        p->mempolicy_nodes = c->p;
        p->mempolicy_nodes_len = (uint32_t)c->left;
        c->p += c->left;
        c->left = 0;
        return 0;
    case PA_CPU_AFFINITY_FINAL:
        p->cpu_affinity_final = c->p;
        p->cpu_affinity_final_len = (uint32_t)c->left;
        c->p += c->left;
        c->left = 0;
        return 0;
    case PA_SECCOMP_BPF:
        if (c->left % 8 != 0 || c->left == 0 || c->left / 8 > 65535)
            return bad(c, "seccomp program length is not a whole number of instructions");
        p->seccomp_bpf = c->p;
        p->seccomp_bpf_len = (uint32_t)c->left;
        c->p += c->left;
        c->left = 0;
        return 0;
    case PA_SECCOMP_FLAGS: return get_u32(c, &p->seccomp_flags);
    case PA_TERMINAL:
        p->terminal = true;
        if (get_u32(c, &p->term_rows) < 0)
            return -1;
        return get_u32(c, &p->term_cols);
    case PA_SYNC_FD:
        if (get_u32(c, &u) < 0)
            return -1;
        p->sync_fd = (int)u;
        return 0;
    case PA_FIFO_FD:
        if (get_u32(c, &u) < 0)
            return -1;
        p->fifo_fd = (int32_t)u;
        return 0;
    case PA_PRESERVE_FDS: return get_u32(c, &p->preserve_fds);
    case PA_INIT_EXE_FD:
        if (get_u32(c, &u) < 0)
            return -1;
        p->init_exe_fd = (int32_t)u;
        return 0;
    case PA_PLAN_FD:
        if (get_u32(c, &u) < 0)
            return -1;
        p->plan_fd = (int32_t)u;
        return 0;
    case PA_HOOK_CREATE_CONTAINER: {
        struct pr_hook *h = push((void **)&p->hooks_cc, &p->n_hooks_cc, sizeof(*h), c->err);
        return h == NULL ? -1 : get_hook(c, h);
    }
    case PA_HOOK_START_CONTAINER: {
        struct pr_hook *h = push((void **)&p->hooks_sc, &p->n_hooks_sc, sizeof(*h), c->err);
        return h == NULL ? -1 : get_hook(c, h);
    }
    case PA_TIMENS_OFFSET: {
        struct pr_timens *t = push((void **)&p->timens, &p->n_timens, sizeof(*t), c->err);
        if (t == NULL || get_u32(c, &t->clock) < 0 || get_u32(c, &u) < 0 || get_u64(c, &w) < 0)
            return -1;
        t->secs = (int64_t)w;
        if (get_u64(c, &w) < 0)
            return -1;
        t->nsecs = (int64_t)w;
        return 0;
    }
    case PA_APPARMOR: return get_str(c, &p->apparmor);
    case PA_SELINUX_LABEL: return get_str(c, &p->selinux_label);
    case PA_MOUNT_LABEL: return get_str(c, &p->mount_label);
    case PA_INIT_NAME: return get_str(c, &p->init_name);
    default:
        return bad(c, "unknown attribute type");
    }
}

int pr_plan_decode(const unsigned char *blob, size_t len, struct pr_plan *p, struct pyrunc_err *err)
{
    uint32_t magic, version;

    memset(p, 0, sizeof(*p));
    p->fifo_fd = -1;
    p->sync_fd = -1;
    p->init_exe_fd = -1;
    p->plan_fd = -1;
    p->cgroupns_fd = -1;
    p->umask = -1;
    if (len < 8)
        return pr_fail(err, PR_STAGE_PLAN, EINVAL, "decode plan: too short");
    memcpy(&magic, blob, 4);
    memcpy(&version, blob + 4, 4);
    if (magic != PYRUNC_PLAN_MAGIC || version != PYRUNC_PLAN_VERSION)
        return pr_fail(err, PR_STAGE_PLAN, EINVAL, "decode plan: bad magic or version %u", version);
    blob += 8;
    len -= 8;
    while (len > 0) {
        uint16_t type;
        uint32_t alen;
        size_t padded;
        struct cursor c;

        if (len < 8)
            return pr_fail(err, PR_STAGE_PLAN, EINVAL, "decode plan: truncated attribute header");
        memcpy(&type, blob, 2);
        memcpy(&alen, blob + 4, 4);
        blob += 8;
        len -= 8;
        padded = ((size_t)alen + 3) & ~(size_t)3;
        if (padded > len)
            return pr_fail(err, PR_STAGE_PLAN, EINVAL, "decode plan: attribute %u overruns the blob", type);
        c.p = blob;
        c.left = alen;
        c.err = err;
        c.type = type;
        if (decode_one(&c, p) < 0)
            return -1;
        if (c.left != 0)
            return pr_fail(err, PR_STAGE_PLAN, EINVAL, "decode plan: attribute %u has %zu trailing bytes", type,
                           c.left);
        blob += padded;
        len -= padded;
    }
    if (p->args.n == 0)
        return pr_fail(err, PR_STAGE_PLAN, EINVAL, "decode plan: no process args");
    return 0;
}
