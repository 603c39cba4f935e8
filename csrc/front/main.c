/* main.c - pyrunc-front: `pyrunc` as a small static executable (see docs/front.md).
 *
 * It parses the command line exactly as pyrunc/cli/main.py and cli/args.py would for the commands it
 * serves (state, start, kill, delete), and decides before changing anything whether it can do the
 * command itself. Otherwise it exec's the Python CLI with the very same arguments: the script named
 * like this executable plus ".py" (after resolving /proc/self/exe), which `python3 -m pyrunc.launcher
 * install` and the in-place build write.
 *
 *   PYRUNC_FRONT=0        always hand over to Python
 *   PYRUNC_FRONT_DEBUG=1  say on stderr why it handed over
 */
#include "front.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static char **g_argv;

static void say(const char *a, const char *b, const char *c)
{
    char line[PATH_MAX + 512];
    int n = snprintf(line, sizeof(line), "%s%s%s\n", a, b, c);

    if (n > 0 && write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
        return;
}

/* Hand the whole command to Python. Every fd we opened is close-on-exec, so our flock goes with them. */
static void __attribute__((noreturn)) fallback(const char *why)
{
    char self[PATH_MAX], script[PATH_MAX + 4];
    const char *debug = getenv("PYRUNC_FRONT_DEBUG");
    ssize_t n;

    if (debug && *debug && strcmp(debug, "0") != 0)
        say("pyrunc-front: fallback: ", why, "");
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0 || (size_t)n >= sizeof(self) - 1) {
        say("pyrunc: cannot find the python cli: readlink /proc/self/exe: ", strerror(errno), "");
        exit(1);
    }
    self[n] = '\0';
    snprintf(script, sizeof(script), "%s.py", self);
    g_argv[0] = script;
    execve(script, g_argv, environ);
    say("pyrunc: cannot run the python cli ", script, errno == ENOENT ? ": no such file or directory"
                                                                       : ": exec failed");
    exit(1);
}

/* --- command line, as pyrunc/cli/args.py parses it ---------------------------------------------- */

enum kind { BOOL, STR };

struct flag {
    const char *name;
    enum kind kind;
    int id;
};

enum {
    F_ROOT, F_LOG, F_LOG_FORMAT, F_DEBUG, F_SYSTEMD, F_ROOTLESS, F_CRIU, F_VERSION, F_HELP, F_FORCE, F_ALL,
    F_FORMAT, F_QUIET, F_COUNT
};

static const struct flag global_flags[] = {
    {"root", STR, F_ROOT},         {"log", STR, F_LOG},           {"log-format", STR, F_LOG_FORMAT},
    {"debug", BOOL, F_DEBUG},      {"systemd-cgroup", BOOL, F_SYSTEMD}, {"rootless", STR, F_ROOTLESS},
    {"criu", STR, F_CRIU},         {"version", BOOL, F_VERSION},  {"v", BOOL, F_VERSION},
    {"help", BOOL, F_HELP},        {"h", BOOL, F_HELP},           {NULL, BOOL, 0},
};
static const struct flag delete_flags[] = {{"force", BOOL, F_FORCE}, {"f", BOOL, F_FORCE}, {NULL, BOOL, 0}};
static const struct flag kill_flags[] = {{"all", BOOL, F_ALL}, {"a", BOOL, F_ALL}, {NULL, BOOL, 0}};
static const struct flag list_flags[] = {
    {"format", STR, F_FORMAT}, {"f", STR, F_FORMAT}, {"quiet", BOOL, F_QUIET}, {"q", BOOL, F_QUIET}, {NULL, BOOL, 0},
};
static const struct flag no_flags[] = {{NULL, BOOL, 0}};

struct parsed {
    const char *values[F_COUNT]; /* STR: the value; BOOL: "1" or NULL */
    char **args;
    int nargs;
};

static int bool_text(const char *s)
{
    static const char *const yes[] = {"true", "1", "t", "T", "TRUE", "True"};
    static const char *const no[] = {"false", "0", "f", "F", "FALSE", "False"};

    for (size_t i = 0; i < 6; i++) {
        if (!strcmp(s, yes[i]))
            return 1;
        if (!strcmp(s, no[i]))
            return 0;
    }
    return -1;
}

/* args.parse with stop_at_positional: 0, or -1 for anything Python would reject (it then says why). */
static int parse(const struct flag *flags, char **argv, int argc, struct parsed *out)
{
    int i = 0;

    memset(out, 0, sizeof(*out));
    while (i < argc) {
        const char *token = argv[i++], *body, *eq;
        const struct flag *f = NULL;
        char name[64];
        size_t len;

        if (!strcmp(token, "--")) {
            out->args = argv + i;
            out->nargs = argc - i;
            return 0;
        }
        if (strlen(token) < 2 || token[0] != '-') {
            out->args = argv + i - 1;
            out->nargs = argc - i + 1;
            return 0;
        }
        body = token;
        while (*body == '-')
            body++;
        eq = strchr(body, '=');
        len = eq ? (size_t)(eq - body) : strlen(body);
        if (len == 0 || len >= sizeof(name))
            return -1;
        memcpy(name, body, len);
        name[len] = '\0';
        for (const struct flag *g = flags; g->name; g++)
            if (!strcmp(g->name, name))
                f = g;
        if (!f)
            return -1;
        if (f->kind == BOOL) {
            int v = eq ? bool_text(eq + 1) : 1;
            if (v < 0)
                return -1;
            out->values[f->id] = v ? "1" : NULL;
        } else if (eq) {
            out->values[f->id] = eq + 1;
        } else {
            if (i >= argc)
                return -1;
            out->values[f->id] = argv[i++];
        }
    }
    out->args = argv + argc;
    out->nargs = 0;
    return 0;
}

/* --- the state root, as cli/context.py computes it ----------------------------------------------- */

/* posixpath.abspath: join with the cwd, then normpath (lexical: "." and ".." and repeated slashes). */
static int abspath(const char *in, char *out, size_t size)
{
    char joined[PATH_MAX * 2], *parts[PATH_MAX / 2], *tok, *save = NULL;
    int n = 0, slashes;
    size_t len = 0;

    if (in[0] == '/') {
        if (strlen(in) >= sizeof(joined))
            return -1;
        strcpy(joined, in);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)))
            return -1;
        if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", cwd, in) >= sizeof(joined))
            return -1;
    }
    slashes = joined[0] == '/' ? ((joined[1] == '/' && joined[2] != '/') ? 2 : 1) : 0;
    for (tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..")) {
            if (n > 0 && strcmp(parts[n - 1], "..") != 0)
                n--;
            else if (!slashes)
                parts[n++] = tok;
            continue;
        }
        if (n >= (int)(sizeof(parts) / sizeof(parts[0])))
            return -1;
        parts[n++] = tok;
    }
    if (size < 4)
        return -1;
    for (int s = 0; s < slashes; s++)
        out[len++] = '/';
    for (int k = 0; k < n; k++) {
        size_t plen = strlen(parts[k]);
        if (len + plen + 2 >= size)
            return -1;
        if (k)
            out[len++] = '/';
        memcpy(out + len, parts[k], plen);
        len += plen;
    }
    if (len == 0)
        out[len++] = '.';
    out[len] = '\0';
    return 0;
}

static int default_root(char *out, size_t size)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    size_t n;

    if (geteuid() == 0)
        n = (size_t)snprintf(out, size, "/run/pyrunc");
    else if (xdg && *xdg)
        n = (size_t)snprintf(out, size, "%s%spyrunc", xdg, xdg[strlen(xdg) - 1] == '/' ? "" : "/");
    else
        n = (size_t)snprintf(out, size, "/tmp/pyrunc-%u", (unsigned)geteuid());
    return n < size ? 0 : -1;
}

/* --- dispatch ---------------------------------------------------------------------------------- */

static int state_root(const struct parsed *g, char *root, size_t size)
{
    return g->values[F_ROOT] && *g->values[F_ROOT] ? abspath(g->values[F_ROOT], root, size)
                                                   : default_root(root, size);
}

/* The container directory does not exist (os.path.isdir is false for it; only ENOENT is served). */
static int missing(const char *root, const char *id)
{
    char path[PATH_MAX + 512];
    struct stat st;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, id) >= sizeof(path))
        return 0;
    return stat(path, &st) < 0 && errno == ENOENT;
}

/* cmd_list.run: -f table|json (empty is table), -q, no arguments. */
static void __attribute__((noreturn)) list(const struct parsed *g, const struct parsed *c)
{
    const char *fmt = c->values[F_FORMAT], *why = NULL;
    char root[PATH_MAX];
    int json = 0;

    if (c->nargs != 0)
        fallback("wrong number of arguments");
    if (fmt && *fmt) {
        if (!strcmp(fmt, "json"))
            json = 1;
        else if (strcmp(fmt, "table") != 0)
            fallback("list format value");
    }
    if (state_root(g, root, sizeof(root)))
        fallback("state root path");
    if (front_list(root, json, c->values[F_QUIET] != NULL, &why) < 0)
        fallback(why);
    exit(0);
}

static int is_help(const char *s)
{
    return !strcmp(s, "--help") || !strcmp(s, "-h") || !strcmp(s, "-help");
}

int main(int argc, char **argv)
{
    const char *env = getenv("PYRUNC_FRONT"), *why = NULL, *cmd;
    const struct flag *cmd_flags;
    struct parsed g, c;
    struct front_opts o = {0};
    struct front_ctr ctr;
    char root[PATH_MAX];
    int sig = SIGTERM, lock, rc;

    g_argv = argv;
    if (argc < 1)
        return 1;
    if (env && !strcmp(env, "0"))
        fallback("PYRUNC_FRONT=0");
    if (parse(global_flags, argv + 1, argc - 1, &g) < 0)
        fallback("a global flag it does not parse");
    if (g.values[F_DEBUG] || g.values[F_VERSION] || g.values[F_HELP])
        fallback("--debug, --version or --help");
    if (g.values[F_LOG_FORMAT] && *g.values[F_LOG_FORMAT]) {
        if (!strcmp(g.values[F_LOG_FORMAT], "json"))
            o.log_json = 1;
        else if (strcmp(g.values[F_LOG_FORMAT], "text") != 0)
            fallback("--log-format value");
    }
    if (g.values[F_ROOTLESS] && *g.values[F_ROOTLESS] && strcmp(g.values[F_ROOTLESS], "auto") &&
        strcmp(g.values[F_ROOTLESS], "true") && strcmp(g.values[F_ROOTLESS], "false"))
        fallback("--rootless value");
    if (g.nargs < 1)
        fallback("no command");
    o.log = g.values[F_LOG] && *g.values[F_LOG] ? g.values[F_LOG] : NULL;
    cmd = g.args[0];
    if (!strcmp(cmd, "state") || !strcmp(cmd, "start"))
        cmd_flags = no_flags;
    else if (!strcmp(cmd, "kill"))
        cmd_flags = kill_flags;
    else if (!strcmp(cmd, "delete"))
        cmd_flags = delete_flags;
    else if (!strcmp(cmd, "list"))
        cmd_flags = list_flags;
    else
        fallback("a command it does not serve");
    for (int i = 1; i < g.nargs; i++)
        if (is_help(g.args[i]))
            fallback("help asked");
    if (parse(cmd_flags, g.args + 1, g.nargs - 1, &c) < 0)
        fallback("a command flag it does not parse");
    if (c.values[F_ALL])
        fallback("kill --all");
    if (cmd_flags == list_flags)
        list(&g, &c);
    if (c.nargs < 1 || c.nargs > (cmd_flags == kill_flags ? 2 : 1))
        fallback("wrong number of arguments");
    if (!front_valid_id(c.args[0]))
        fallback("invalid container id");
    if (c.nargs == 2 && (sig = front_signal_number(c.args[1])) < 0)
        fallback("a signal it does not parse");
    if (state_root(&g, root, sizeof(root)))
        fallback("state root path");
    o.root = root;
    if (cmd_flags == delete_flags && c.values[F_FORCE] && missing(root, c.args[0]))
        return 0; /* lifecycle.delete: --force of a container that is not there is not an error */

    /* state and kill read without the lock, as Python does; start and delete read-modify-write. */
    lock = !strcmp(cmd, "start") || !strcmp(cmd, "delete");
    if (front_open(&ctr, root, c.args[0], lock, &why) < 0 || front_read_record(&ctr, 1, &why) < 0)
        fallback(why);
    if (!strcmp(cmd, "state"))
        rc = front_state(&ctr, &why);
    else if (!strcmp(cmd, "kill"))
        rc = front_kill(&ctr, sig, &why);
    else if (!strcmp(cmd, "start"))
        rc = front_start(&ctr, &o, &why);
    else
        rc = front_delete(&ctr, c.values[F_FORCE] != NULL, &why);
    if (rc < 0)
        fallback(why);
    front_close(&ctr);
    return 0;
}
