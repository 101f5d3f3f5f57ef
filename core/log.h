/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr with levels.  One line per event of note, prefixed
 * "stripe-reader: <level>: " in text format, or one JSON object per line
 * with --log-format json.  Every line passes through the secret redactor
 * (redact.h) before it is written.
 *
 * Levels: error and warn are shown by default; -q hides warn, -v shows
 * info, -vv shows debug (request by request).
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum log_level {
    LOG_QUIET = 0, /* only errors */
    LOG_ERROR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3
};

enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

void log_set_level(int level);
void log_set_format(enum log_format fmt);
enum log_format log_get_format(void);
/* Where lines go (default stderr); tests point it at a file. */
void log_set_stream(FILE *fp);
/*
 * Called before and after each line is written, so that a live progress
 * display can clear and redraw itself around log lines.  NULL to unset.
 */
void log_set_hooks(void (*before)(void *), void (*after)(void *), void *data);

void log_msg(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
    PRINTF_LIKE(2, 0);

/*
 * A line that is shown at the default verbosity (hidden by -q) but is not
 * a warning: the run summary.  Text: "stripe-reader: <msg>"; JSON level
 * "notice".
 */
void log_notice(const char *fmt, ...) PRINTF_LIKE(1, 2);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
