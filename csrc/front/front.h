/* front.h - the pyrunc front end: a static executable that serves the plain, successful cases of
 * `state`, `start`, `kill` and `delete` (of a stopped container) itself and exec's the Python CLI with
 * the same argv for everything else. See docs/front.md.
 *
 * Rule: decide before changing anything. Every function here either succeeds, or returns -1 with
 * `why` set to a static reason, and the caller falls back to Python, which then does the whole command
 * (and owns every error message). Only after the point of no return (start has written to the fifo)
 * does the front end report an error itself, with a message Python rendered into the record. */
#ifndef PYRUNC_FRONT_H
#define PYRUNC_FRONT_H

#include "../pidfd.h"

#include <dirent.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>

#define FRONT_RECORD_FILE "state.front"
#define FRONT_STATE_FILE "state.json"
#define FRONT_FIFO_FILE "exec.fifo"
#define FRONT_MAX_CGROUPS 64
#define FRONT_NAME_MAX 320 /* "ID/NAME" */

enum front_status { ST_CREATED, ST_RUNNING, ST_PAUSED, ST_STOPPED, ST_COUNT };

/* The record's `cgroups` key: absent (an older record: delete --force falls back), or what it says. */
enum front_cgroups { CG_UNKNOWN, CG_NONE, CG_SKIPPED, CG_MANAGED };

struct front_value {
    const char *data; /* NUL-terminated (the record's '\n' after the value is replaced) */
    size_t len;
};

/* The parsed record (pyrunc/state/fastrecord.py documents the format). */
struct front_record {
    char *buf;
    long pid;
    const char *init_start; /* "" = not recorded */
    const char *freezer;    /* NULL, or "v1:<path>" / "v2:<path>" */
    int poststart, poststop, unmount;
    const char *leaves[FRONT_MAX_CGROUPS];
    int n_leaves;
    const char *rmdirs[FRONT_MAX_CGROUPS * 8]; /* "L<path>" or "P<path>", in removal order */
    int n_rmdirs;
    struct front_value docs[ST_COUNT];
    const char *start_error;
    enum front_cgroups cgroups;
    const char *cgroup_v2; /* NULL: no cgroup2 directory */
    const char *procs[FRONT_MAX_CGROUPS]; /* CgroupManager.pids: the first that exists is read */
    int n_procs;
    /* `list`: all or none (has_list) */
    int has_list;
    struct front_value list[5]; /* bundle, created, owner; the JSON object's head and tail */
};

/* The global options the fast path honours (everything else falls back). */
struct front_opts {
    const char *root;
    const char *log;  /* NULL: no --log */
    int log_json;
};

/* A container opened for a command: its directory fd (O_PATH-free, for flock) and its record. */
struct front_ctr {
    int root_fd;
    int dir_fd;   /* the container directory, or (borrowed, for list) the state root */
    int borrowed; /* dir_fd is the root: files are "ID/NAME" (front_file), and it is not closed here */
    const char *id;
    struct front_record rec;
};

/* record.c */
int front_valid_id(const char *id);
int front_open(struct front_ctr *c, const char *root, const char *id, int lock, const char **why);
void front_close(struct front_ctr *c);
/* Read and check the record. whole_state: also check it against state.json's size and CRC (every
 * command that acts on the container); else against state.json's size only, which is enough for `list`:
 * the fields it prints are fixed at create and its status is derived live, and the record's own CRC
 * still refuses a damaged record (one open+read+close per container fewer: a third of list's calls). */
int front_read_record(struct front_ctr *c, int whole_state, const char **why);
int front_open_at(struct front_ctr *c, int root_fd, const char *id, const char **why);
const char *front_file(const struct front_ctr *c, const char *name, char *buf);

/* status.c */
int front_alive(long pid, const char *init_start);
int front_frozen(const struct front_record *rec);
ssize_t front_read_small(const char *path, char *buf, size_t size);
enum front_status front_status(const struct front_ctr *c);
/* Container.signal: sig to the init through a pidfd opened before the start-time check, so a reused pid
 * is never signalled. 0 sent, 1 the init is gone (not running, or exited meanwhile), -1 failed. */
int front_signal_init(const struct front_record *r, int sig);

/* cmds.c */
int front_state(struct front_ctr *c, const char **why);
int front_kill(struct front_ctr *c, int sig, const char **why);
int front_start(struct front_ctr *c, const struct front_opts *o, const char **why);
int front_signal_number(const char *text);

/* delete.c */
int front_delete(struct front_ctr *c, int force, const char **why);

/* list.c */
int front_list(const char *root, int json, int quiet, const char **why);

/* record.c: a readdir stream over fd, which it takes (closed on failure); NULL when fd < 0 too. */
DIR *front_dir_stream(int fd);

/* report.c */
void front_report_error(const struct front_opts *o, const char *msg);
int front_write_all(int fd, const char *buf, size_t len); /* 0, or -1 with errno */

#endif
