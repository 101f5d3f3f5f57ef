/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/log.h"
#include "core/buf.h"
#include "core/redact.h"

#include <time.h>

/* Logging is process-wide by nature (one stderr), like git's trace. */
static int level = LOG_WARN;
static enum log_format format = LOG_FORMAT_TEXT;
static FILE *stream;
static void (*hook_before)(void *);
static void (*hook_after)(void *);
static void *hook_data;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(int l)
{
    level = l < LOG_ERROR ? LOG_ERROR : l > LOG_DEBUG ? LOG_DEBUG : l;
}

void log_set_format(enum log_format fmt)
{
    format = fmt;
}

enum log_format log_get_format(void)
{
    return format;
}

void log_set_stream(FILE *fp)
{
    stream = fp;
}

void log_set_hooks(void (*before)(void *), void (*after)(void *), void *data)
{
    hook_before = before;
    hook_after = after;
    hook_data = data;
}

static void json_escape(struct buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            buf_addch(out, '\\');
            buf_addch(out, (char)c);
        }
        else if (c == '\n') {
            buf_addstr(out, "\\n");
        }
        else if (c < 0x20) {
            buf_addf(out, "\\u%04x", c);
        }
        else {
            buf_addch(out, (char)c);
        }
    }
}

static void format_line(struct buf *line, int l, const char *msg)
{
    if (format == LOG_FORMAT_JSON) {
        char ts[32];
        time_t now = time(NULL);
        struct tm tm;

        gmtime_r(&now, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        buf_addf(line, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts,
                 l < 0 ? "notice" : level_names[l]);
        json_escape(line, msg);
        buf_addstr(line, "\"}\n");
    }
    else if (l < 0) {
        buf_addf(line, "stripe-reader: %s\n", msg);
    }
    else {
        buf_addf(line, "stripe-reader: %s: %s\n", level_names[l], msg);
    }
}

/* 'l' is a level, or -1 for a notice (shown at the warn threshold). */
static void emit(int l, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
static void emit(int l, const char *fmt, va_list ap)
{
    struct buf msg = BUF_INIT;
    struct buf line = BUF_INIT;
    FILE *fp = stream ? stream : stderr;

    if ((l < 0 ? LOG_WARN : l) > level) {
        return;
    }
    buf_vaddf(&msg, fmt, ap);
    redact_buf(&msg);
    format_line(&line, l, msg.buf);
    if (hook_before) {
        hook_before(hook_data);
    }
    fwrite(line.buf, 1, line.len, fp);
    fflush(fp);
    if (hook_after) {
        hook_after(hook_data);
    }
    buf_release(&msg);
    buf_release(&line);
}

void log_vmsg(enum log_level l, const char *fmt, va_list ap)
{
    emit((int)l, fmt, ap);
}

void log_notice(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit(-1, fmt, ap);
    va_end(ap);
}

void log_msg(enum log_level l, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(l, fmt, ap);
    va_end(ap);
}
