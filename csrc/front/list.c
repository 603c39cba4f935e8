/* list.c - `list [-f table|json] [-q]`, byte for byte what pyrunc/cli/cmd_list.py prints, from each
 * container's record (its list_* fields, rendered by Python) and the status derived as `state` derives it.
 *
 * The containers are the state root's entries that are directories and do not start with "." (scandir's
 * is_dir follows a symlink, so does the stat here), in sorted order; an entry whose name is not a valid
 * id is skipped, as Python skips it. Any container whose record is missing, stale, damaged or without
 * the list fields makes the whole command Python's (a symlink to another container's directory too: its
 * record names the other id, and Python skips it):
 * Python then decides, for instance, to skip a container that is being created right now. */
#include "front.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const status_names[ST_COUNT] = {"created", "running", "paused", "stopped"};

struct row {
    char *id;
    char *buf; /* the record's buffer, which the cells and the document point into */
    char pid[24];
    enum front_status status;
    struct front_value cells[5]; /* bundle, created, owner, JSON head, JSON tail */
};

struct out {
    char *buf;
    size_t len, cap;
    int failed;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 65536;
        char *b;
        while (cap < o->len + n)
            cap *= 2;
        b = realloc(o->buf, cap);
        if (!b) {
            o->failed = 1;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_str(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_padded(struct out *o, const char *s, size_t len, size_t width)
{
    static const char spaces[] = "                                ";

    put(o, s, len);
    while (len < width) {
        size_t k = width - len < sizeof(spaces) - 1 ? width - len : sizeof(spaces) - 1;
        put(o, spaces, k);
        len += k;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Store.ids' choice of entries, valid ids only (Python skips the others when it reads them). */
static int container_names(int root_fd, char ***names, size_t *count)
{
    size_t n = 0, cap = 0;
    char **v = NULL;
    struct dirent *e;
    DIR *d = front_dir_stream(dup(root_fd));

    if (!d)
        return -1;
    for (;;) {
        struct stat st;
        errno = 0;
        e = readdir(d);
        if (!e)
            break;
        if (e->d_name[0] == '.' || !front_valid_id(e->d_name))
            continue;
        if (e->d_type != DT_DIR) {
            if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
                continue;
            if (fstatat(root_fd, e->d_name, &st, 0) < 0 || !S_ISDIR(st.st_mode))
                continue;
        }
        if (n == cap) {
            char **grown = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));
            if (!grown)
                break;
            v = grown;
        }
        if (!(v[n] = strdup(e->d_name)))
            break;
        n++;
    }
    if (e || errno) { /* out of memory or a readdir error */
        closedir(d);
        while (n)
            free(v[--n]);
        free(v);
        return -1;
    }
    closedir(d);
    qsort(v, n, sizeof(*v), by_name);
    *names = v;
    *count = n;
    return 0;
}

static int load_row(int root_fd, char *id, struct row *row, const char **why)
{
    struct front_ctr c;
    enum front_status st;

    if (front_open_at(&c, root_fd, id, why) < 0 || front_read_record(&c, 0, why) < 0) {
        front_close(&c);
        return -1;
    }
    if (!c.rec.has_list) {
        front_close(&c);
        *why = "a record without the list fields";
        return -1;
    }
    st = front_status(&c);
    row->id = id;
    row->status = st;
    snprintf(row->pid, sizeof(row->pid), "%ld", st == ST_STOPPED ? 0L : c.rec.pid);
    memcpy(row->cells, c.rec.list, sizeof(row->cells));
    row->buf = c.rec.buf;
    c.rec.buf = NULL;
    front_close(&c);
    return 0;
}

/* cmd_list._table: Go tabwriter (minwidth 12, padding 3), the last column unpadded. Cells are ASCII
 * (the record has list fields only then), so bytes are characters. */
static void table(struct out *o, const struct row *rows, size_t n)
{
    static const char *const head[6] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
    size_t width[5];

    for (int k = 0; k < 5; k++)
        width[k] = strlen(head[k]);
    for (size_t i = 0; i < n; i++) {
        const size_t len[5] = {strlen(rows[i].id), strlen(rows[i].pid), strlen(status_names[rows[i].status]),
                               rows[i].cells[0].len, rows[i].cells[1].len};
        for (int k = 0; k < 5; k++)
            if (len[k] > width[k])
                width[k] = len[k];
    }
    for (int k = 0; k < 5; k++)
        width[k] = width[k] + 3 > 12 ? width[k] + 3 : 12;
    for (int k = 0; k < 5; k++)
        put_padded(o, head[k], strlen(head[k]), width[k]);
    put_str(o, head[5]);
    put(o, "\n", 1);
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        put_padded(o, r->id, strlen(r->id), width[0]);
        put_padded(o, r->pid, strlen(r->pid), width[1]);
        put_padded(o, status_names[r->status], strlen(status_names[r->status]), width[2]);
        put_padded(o, r->cells[0].data, r->cells[0].len, width[3]);
        put_padded(o, r->cells[1].data, r->cells[1].len, width[4]);
        put(o, r->cells[2].data, r->cells[2].len);
        put(o, "\n", 1);
    }
}

int front_list(const char *root, int json, int quiet, const char **why)
{
    struct out o = {0};
    struct row *rows = NULL;
    char **names = NULL;
    size_t n = 0, loaded = 0;
    int rc = -1, root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (root_fd < 0 && errno != ENOENT) {
        *why = "state root cannot be opened";
        return -1;
    }
    /* A missing root lists nothing, as Store.ids says. */
    if (root_fd >= 0 && container_names(root_fd, &names, &n) < 0) {
        *why = "state root cannot be read";
        goto out;
    }
    rows = calloc(n ? n : 1, sizeof(*rows));
    if (!rows) {
        *why = "out of memory";
        goto out;
    }
    for (; loaded < n; loaded++)
        if (load_row(root_fd, names[loaded], &rows[loaded], why) < 0)
            goto out;
    if (quiet) {
        for (size_t i = 0; i < n; i++) {
            put_str(&o, rows[i].id);
            put(&o, "\n", 1);
        }
    } else if (json) {
        if (!n)
            put_str(&o, "null");
        for (size_t i = 0; i < n; i++) {
            /* head + PID + ,"status":"STATUS" + tail: the object jsonio.dumps makes of oci_state. */
            put(&o, i ? "," : "[", 1);
            put(&o, rows[i].cells[3].data, rows[i].cells[3].len);
            put_str(&o, rows[i].pid);
            put_str(&o, ",\"status\":\"");
            put_str(&o, status_names[rows[i].status]);
            put(&o, "\"", 1);
            put(&o, rows[i].cells[4].data, rows[i].cells[4].len);
        }
        put_str(&o, n ? "]\n" : "\n");
    } else {
        table(&o, rows, n);
    }
    if (o.failed) {
        *why = "out of memory";
        goto out;
    }
    /* Python ignores SIGPIPE and drops a failed final flush: exit 0 either way. */
    signal(SIGPIPE, SIG_IGN);
    (void)front_write_all(STDOUT_FILENO, o.buf, o.len);
    rc = 0;
out:
    for (size_t i = 0; i < loaded; i++)
        free(rows[i].buf);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(rows);
    free(o.buf);
    if (root_fd >= 0)
        close(root_fd);
    return rc;
}
