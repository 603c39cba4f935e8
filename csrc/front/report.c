/* report.c - the one error report the front end makes itself: after `start` has let the init run, a
 * fallback to Python is no longer possible. Same shape as pyrunc/cli/main.py's _report and
 * pyrunc/log.py: the line to --log (logrus text or JSON), then `pyrunc: MSG` on stderr. The message
 * comes from the record (Python rendered it) or from pr_fail; only a JSON string escape happens here. */
#include "front.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct out {
    char buf[4096];
    size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (n > sizeof(o->buf) - o->len)
        n = sizeof(o->buf) - o->len;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* _json.encode_basestring: quotes, backslash, and control characters escaped; other bytes kept. */
static void put_json_string(struct out *o, const char *s)
{
    put(o, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        char esc[8];
        switch (ch) {
        case '"': puts_(o, "\\\""); break;
        case '\\': puts_(o, "\\\\"); break;
        case '\n': puts_(o, "\\n"); break;
        case '\r': puts_(o, "\\r"); break;
        case '\t': puts_(o, "\\t"); break;
        case '\b': puts_(o, "\\b"); break;
        case '\f': puts_(o, "\\f"); break;
        default:
            if (ch < 0x20) {
                snprintf(esc, sizeof(esc), "\\u%04x", ch);
                puts_(o, esc);
            } else {
                put(o, (const char *)&ch, 1);
            }
        }
    }
    put(o, "\"", 1);
}

/* log._quote: bare when every character is alphanumeric or one of -_./:@, else a JSON string. */
static void put_quoted(struct out *o, const char *s)
{
    int bare = *s != '\0';

    for (const char *p = s; *p && bare; p++) {
        char ch = *p;
        bare = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-_./:@", ch);
    }
    if (bare)
        puts_(o, s);
    else
        put_json_string(o, s);
}

static void rfc3339(char *buf, size_t size)
{
    struct timespec now;
    struct tm tm;
    char date[32];

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%09ldZ", date, (long)now.tv_nsec);
}

int front_write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

void front_report_error(const struct front_opts *o, const char *msg)
{
    struct out line = {.len = 0}, err = {.len = 0};
    char when[64];

    if (o->log) {
        int fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            int saved = errno;
            char reason[128];
            snprintf(reason, sizeof(reason), "%s", strerror(saved));
            if (reason[0] >= 'A' && reason[0] <= 'Z')
                reason[0] = (char)(reason[0] - 'A' + 'a');
            puts_(&err, "pyrunc: open log file ");
            puts_(&err, o->log);
            puts_(&err, ": ");
            puts_(&err, reason);
            puts_(&err, "\n");
            (void)front_write_all(STDERR_FILENO, err.buf, err.len);
        } else {
            rfc3339(when, sizeof(when));
            if (o->log_json) {
                puts_(&line, "{\"level\":\"error\",\"msg\":");
                put_json_string(&line, msg);
                puts_(&line, ",\"time\":\"");
                puts_(&line, when);
                puts_(&line, "\"}\n");
            } else {
                puts_(&line, "time=\"");
                puts_(&line, when);
                puts_(&line, "\" level=error msg=");
                put_quoted(&line, msg);
                puts_(&line, "\n");
            }
            (void)front_write_all(fd, line.buf, line.len);
            close(fd);
        }
    }
    err.len = 0;
    puts_(&err, "pyrunc: ");
    puts_(&err, msg);
    puts_(&err, "\n");
    (void)front_write_all(STDERR_FILENO, err.buf, err.len);
}
