/* record.c - opening a container's state directory and reading the record Python wrote beside
 * state.json (format: pyrunc/state/fastrecord.py). Everything under the state root is opened with
 * O_NOFOLLOW | O_CLOEXEC and read with a bound; anything unexpected is a reason to fall back. */
#include "front.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_MAX (8u << 20)
/* Python's Store.read reads at most 16 MiB; a larger file is not one it could have written. */
#define STATE_MAX (16u << 20)
#define MAGIC "pyrunc-front 1\n"

/* store.validate_id: [a-zA-Z0-9_+.-]{1,255}, not "." or "..". */
int front_valid_id(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > 255 || !strcmp(id, ".") || !strcmp(id, ".."))
        return 0;
    for (const char *p = id; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '+' || ch == '-' || ch == '.'))
            return 0;
    }
    return 1;
}

int front_open(struct front_ctr *c, const char *root, const char *id, int lock, const char **why)
{
    memset(c, 0, sizeof(*c));
    c->root_fd = c->dir_fd = -1;
    c->id = id;
    /* The root itself may be a symlink (an admin's choice, Python follows it too); the entries under it not. */
    c->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->root_fd < 0) {
        *why = "state root cannot be opened";
        return -1;
    }
    c->dir_fd = openat(c->root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (c->dir_fd < 0) {
        *why = "container directory cannot be opened";
        return -1;
    }
    if (lock) {
        int rc;
        do
            rc = flock(c->dir_fd, LOCK_EX);
        while (rc < 0 && errno == EINTR);
        if (rc < 0) {
            *why = "cannot lock the container directory";
            return -1;
        }
    }
    return 0;
}

/* For `list`: the container's files are named through the already open root ("ID/NAME", one open each
 * instead of a directory open more), without the lock (Python's list takes none). */
int front_open_at(struct front_ctr *c, int root_fd, const char *id, const char **why)
{
    (void)why;
    memset(c, 0, sizeof(*c));
    c->root_fd = -1;
    c->dir_fd = root_fd;
    c->borrowed = 1;
    c->id = id;
    return 0;
}

/* The name of a container file relative to dir_fd; buf holds FRONT_NAME_MAX bytes (an id is at most 255). */
const char *front_file(const struct front_ctr *c, const char *name, char *buf)
{
    if (!c->borrowed)
        return name;
    snprintf(buf, FRONT_NAME_MAX, "%s/%s", c->id, name);
    return buf;
}

void front_close(struct front_ctr *c)
{
    if (c->dir_fd >= 0 && !c->borrowed)
        close(c->dir_fd);
    if (c->root_fd >= 0)
        close(c->root_fd);
    free(c->rec.buf);
    c->rec.buf = NULL;
    c->dir_fd = c->root_fd = -1;
}

/* zlib's CRC-32, eight bytes a step (slicing-by-8): `list` checks two files per container. */
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    static uint32_t table[8][256];
    static int ready;

    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t v = i;
            for (int k = 0; k < 8; k++)
                v = (v & 1) ? (v >> 1) ^ 0xEDB88320u : v >> 1;
            table[0][i] = v;
        }
        for (uint32_t i = 0; i < 256; i++)
            for (int t = 1; t < 8; t++)
                table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
        ready = 1;
    }
    crc = ~crc;
    while (n >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
              table[3][p[4]] ^ table[2][p[5]] ^ table[1][p[6]] ^ table[0][p[7]];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* Size and CRC-32 (zlib's) of state.json, read to its end with a bound. No fstat: a short read of a
 * regular file is its end, and anything else (a fifo opened non-blocking, a directory, a device) reads
 * as nothing, an error or endless bytes, none of which matches the record. */
static int state_digest(const struct front_ctr *c, unsigned long long *size, uint32_t *crc)
{
    unsigned char chunk[65536];
    char name[FRONT_NAME_MAX];
    unsigned long long total = 0;
    uint32_t sum = 0;
    int fd = openat(c->dir_fd, front_file(c, FRONT_STATE_FILE, name),
                    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0)
        return -1;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return -1;
        }
        total += (unsigned long long)n;
        if (total > STATE_MAX) {
            close(fd);
            return -1;
        }
        sum = crc32_update(sum, chunk, (size_t)n);
        if ((size_t)n < sizeof(chunk))
            break;
    }
    close(fd);
    *size = total;
    *crc = sum;
    return 0;
}

/* A decimal number that fits: digits only, no sign, no spaces. */
static int parse_ulong(const char *s, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;

    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (max - (unsigned long long)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (unsigned long long)(*s - '0');
    }
    *out = v;
    return 0;
}

static int is_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int flag_value(const struct front_value *v, int *out)
{
    if (v->len != 1 || (v->data[0] != '0' && v->data[0] != '1'))
        return -1;
    *out = v->data[0] == '1';
    return 0;
}

/* A path value: absolute, and no NUL inside (strlen == len). */
static int path_ok(const struct front_value *v, size_t skip)
{
    return v->len > skip && strlen(v->data) == v->len && v->data[skip] == '/';
}

static const char *const doc_keys[ST_COUNT] = {"doc_created", "doc_running", "doc_paused", "doc_stopped"};

#define LIST_KEYS 5

/* The optional `list` fields: 0..2 the table cells, 3 and 4 the JSON object around pid and status. */
static int list_key(const char *key, int *slot)
{
    static const char *const keys[LIST_KEYS] = {
        "list_bundle", "list_created", "list_owner", "list_doc_head", "list_doc_tail",
    };

    for (int i = 0; i < LIST_KEYS; i++) {
        if (!strcmp(key, keys[i])) {
            *slot = i;
            return 0;
        }
    }
    return -1;
}

enum { K_ID, K_SIZE, K_CRC, K_PID, K_START, K_POSTSTART, K_POSTSTOP, K_UNMOUNT, K_ERROR, K_REQUIRED };

static int parse_record(struct front_ctr *c, size_t len, unsigned long long *state_size, uint32_t *state_crc)
{
    static const char *const required[K_REQUIRED] = {
        "id", "state_size", "state_crc", "pid", "init_start", "poststart", "poststop", "unmount", "start_error",
    };
    struct front_record *r = &c->rec;
    struct front_value seen[K_REQUIRED] = {{0}};
    int have[K_REQUIRED] = {0}, have_doc[ST_COUNT] = {0}, have_crc = 0, slot;
    unsigned have_list = 0;
    char *p = r->buf + strlen(MAGIC), *end = r->buf + len;
    unsigned long long num;
    size_t crc_at = 0;
    uint32_t body_crc;

    if (len < strlen(MAGIC) || memcmp(r->buf, MAGIC, strlen(MAGIC)))
        return -1;
    /* The CRC covers the bytes as written: take it before parsing puts NULs in the buffer. */
    for (size_t i = len; i-- > 0;) {
        if (r->buf[i] == '\n' && len - i > 4 && !memcmp(r->buf + i + 1, "crc ", 4)) {
            crc_at = i + 1;
            break;
        }
    }
    if (!crc_at)
        return -1;
    body_crc = crc32_update(0, (const unsigned char *)r->buf, crc_at);
    while (p < end) {
        char *space = memchr(p, ' ', (size_t)(end - p)), *nl;
        struct front_value v;
        size_t key_len;
        int matched = 0;

        if (!space)
            return -1;
        key_len = (size_t)(space - p);
        nl = memchr(space, '\n', (size_t)(end - space));
        if (!nl || key_len == 0)
            return -1;
        *space = *nl = '\0';
        if (parse_ulong(space + 1, (unsigned long long)(end - nl - 1), &num) < 0 || (size_t)(end - nl - 1) < num + 1)
            return -1;
        v.data = nl + 1;
        v.len = (size_t)num;
        if (v.data[v.len] != '\n')
            return -1;
        ((char *)v.data)[v.len] = '\0';
        for (int k = 0; k < K_REQUIRED; k++) {
            if (!strcmp(p, required[k])) {
                if (have[k])
                    return -1;
                have[k] = 1;
                seen[k] = v;
                matched = 1;
            }
        }
        for (int s = 0; s < ST_COUNT; s++) {
            if (!strcmp(p, doc_keys[s])) {
                if (have_doc[s])
                    return -1;
                have_doc[s] = 1;
                r->docs[s] = v;
                matched = 1;
            }
        }
        if (!matched) {
            if (!strcmp(p, "crc")) {
                /* Last field: the CRC of every byte before its key; nothing may follow it. */
                if (parse_ulong(v.data, 0xffffffffull, &num) < 0 || v.data + v.len + 1 != end ||
                    (size_t)(p - r->buf) != crc_at || body_crc != (uint32_t)num)
                    return -1;
                have_crc = 1;
            } else if (!strcmp(p, "freezer")) {
                if (r->freezer || !path_ok(&v, 3) ||
                    (strncmp(v.data, "v1:", 3) != 0 && strncmp(v.data, "v2:", 3) != 0))
                    return -1;
                r->freezer = v.data;
            } else if (!strcmp(p, "cgroup_leaf")) {
                if (r->n_leaves >= FRONT_MAX_CGROUPS || !path_ok(&v, 0))
                    return -1;
                r->leaves[r->n_leaves++] = v.data;
            } else if (!strcmp(p, "cgroup_rmdir")) {
                if (r->n_rmdirs >= FRONT_MAX_CGROUPS * 8 || !path_ok(&v, 1) || (v.data[0] != 'L' && v.data[0] != 'P'))
                    return -1;
                r->rmdirs[r->n_rmdirs++] = v.data;
            } else if (!strcmp(p, "cgroups")) {
                if (r->cgroups != CG_UNKNOWN)
                    return -1;
                if (!strcmp(v.data, "none"))
                    r->cgroups = CG_NONE;
                else if (!strcmp(v.data, "skipped"))
                    r->cgroups = CG_SKIPPED;
                else if (!strcmp(v.data, "managed"))
                    r->cgroups = CG_MANAGED;
                else
                    return -1;
            } else if (!strcmp(p, "cgroup_v2")) {
                if (r->cgroup_v2 || !path_ok(&v, 0))
                    return -1;
                r->cgroup_v2 = v.data;
            } else if (!strcmp(p, "cgroup_procs")) {
                if (r->n_procs >= FRONT_MAX_CGROUPS || !path_ok(&v, 0))
                    return -1;
                r->procs[r->n_procs++] = v.data;
            } else if (list_key(p, &slot) == 0) {
                if (have_list & (1u << slot))
                    return -1;
                have_list |= 1u << slot;
                r->list[slot] = v;
            } else {
                return -1; /* a key this front end does not know: its decision could be wrong */
            }
        }
        p = (char *)v.data + v.len + 1;
    }
    if (!have_crc)
        return -1;
    /* The list fields come all together or not at all; values are printed as they are. */
    if (have_list != 0 && have_list != (1u << LIST_KEYS) - 1)
        return -1;
    r->has_list = have_list != 0;
    if ((r->cgroup_v2 || r->n_procs) && r->cgroups != CG_MANAGED)
        return -1;
    for (int k = 0; k < K_REQUIRED; k++)
        if (!have[k])
            return -1;
    for (int s = 0; s < ST_COUNT; s++)
        if (!have_doc[s])
            return -1;
    if (strcmp(seen[K_ID].data, c->id) != 0)
        return -1;
    if (parse_ulong(seen[K_SIZE].data, STATE_MAX, state_size) < 0)
        return -1;
    if (parse_ulong(seen[K_CRC].data, 0xffffffffull, &num) < 0)
        return -1;
    *state_crc = (uint32_t)num;
    if (parse_ulong(seen[K_PID].data, 0x7fffffffull, &num) < 0)
        return -1;
    r->pid = (long)num;
    if (!is_digits(seen[K_START].data) || strlen(seen[K_START].data) != seen[K_START].len)
        return -1;
    r->init_start = seen[K_START].data;
    if (flag_value(&seen[K_POSTSTART], &r->poststart) < 0 || flag_value(&seen[K_POSTSTOP], &r->poststop) < 0 ||
        flag_value(&seen[K_UNMOUNT], &r->unmount) < 0)
        return -1;
    if (strlen(seen[K_ERROR].data) != seen[K_ERROR].len)
        return -1;
    r->start_error = seen[K_ERROR].data;
    return 0;
}

/* The whole record into rec.buf (NUL-terminated), in open + read + close: a short read of a regular file
 * is its end, and what is not a regular file (a fifo opened non-blocking, a directory) reads as nothing
 * or fails, which the parser refuses. A record is read into a scratch buffer first and kept in an exact
 * allocation (`list` keeps one per container). */
static int slurp_record(struct front_ctr *c, size_t *len, const char **why)
{
    static char scratch[65536];
    char name[FRONT_NAME_MAX], *buf = scratch;
    size_t cap = sizeof(scratch), have = 0;
    int fd = openat(c->dir_fd, front_file(c, FRONT_RECORD_FILE, name),
                    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0) {
        *why = "no front-end record (a container made by an older pyrunc?)";
        return -1;
    }
    for (;;) {
        ssize_t n = read(fd, buf + have, cap - have);
        char *grown;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *why = "front-end record cannot be read";
            goto fail;
        }
        have += (size_t)n;
        if (have < cap)
            break;
        if (cap >= RECORD_MAX) {
            *why = "front-end record has an unexpected size";
            goto fail;
        }
        grown = buf == scratch ? malloc(cap * 2) : realloc(buf, cap * 2);
        if (!grown) {
            *why = "out of memory";
            goto fail;
        }
        if (buf == scratch)
            memcpy(grown, scratch, have);
        buf = grown;
        cap *= 2;
    }
    close(fd);
    if (have == 0) {
        *why = "front-end record has an unexpected size";
        if (buf != scratch)
            free(buf);
        return -1;
    }
    c->rec.buf = malloc(have + 1);
    if (!c->rec.buf) {
        *why = "out of memory";
        if (buf != scratch)
            free(buf);
        return -1;
    }
    memcpy(c->rec.buf, buf, have);
    c->rec.buf[have] = '\0';
    if (buf != scratch)
        free(buf);
    *len = have;
    return 0;
fail:
    close(fd);
    if (buf != scratch)
        free(buf);
    return -1;
}

int front_read_record(struct front_ctr *c, int whole_state, const char **why)
{
    unsigned long long want_size, have_size;
    uint32_t want_crc, have_crc;
    struct stat st;
    char name[FRONT_NAME_MAX];
    size_t len;

    if (slurp_record(c, &len, why) < 0)
        return -1;
    if (parse_record(c, len, &want_size, &want_crc) < 0) {
        *why = "front-end record is malformed or of another version";
        return -1;
    }
    if (whole_state) {
        if (state_digest(c, &have_size, &have_crc) == 0 && have_size == want_size && have_crc == want_crc)
            return 0;
    } else if (fstatat(c->dir_fd, front_file(c, FRONT_STATE_FILE, name), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
               S_ISREG(st.st_mode) && (unsigned long long)st.st_size == want_size) {
        return 0;
    }
    *why = "state.json is missing or is not the one the record was made from";
    return -1;
}

DIR *front_dir_stream(int fd)
{
    DIR *d;

    if (fd < 0)
        return NULL;
    d = fdopendir(fd);
    if (!d)
        close(fd);
    return d;
}
