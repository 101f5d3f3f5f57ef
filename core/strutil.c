/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/strutil.h"
#include "core/err.h"

#include <ctype.h>
#include <time.h>

bool starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);

    return ls >= lx && !strcmp(s + ls - lx, suffix);
}

unsigned edit_distance(const char *a, const char *b)
{
    unsigned row[64];
    size_t la = strlen(a), lb = strlen(b);

    if (la >= ARRAY_SIZE(row) || lb >= ARRAY_SIZE(row)) {
        return 255;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = (unsigned)j;
    }
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];

        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned cost = tolower((unsigned char)a[i - 1]) ==
                                    tolower((unsigned char)b[j - 1])
                                ? 0
                                : 1;
            unsigned best = diag + cost;

            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            diag = up;
            row[j] = best;
        }
    }
    return row[lb] > 255 ? 255 : row[lb];
}

const char *suggest(const char *word, const char *const *cands)
{
    const char *best = NULL;
    unsigned best_d = 255;
    unsigned limit = (unsigned)strlen(word) / 3;

    if (limit < 2) {
        limit = 2;
    }
    for (; *cands; cands++) {
        unsigned d = edit_distance(word, *cands);

        if (d < best_d) {
            best_d = d;
            best = *cands;
        }
    }
    return best_d <= limit ? best : NULL;
}

static int duration_ms(const char *s, long *ms);

int parse_duration(const char *s, int64_t *secs, struct err *err)
{
    long ms = 0;

    if (duration_ms(s, &ms) < 0 || ms % 1000) {
        return err_set(err, ERR_USAGE,
                       "invalid duration '%s' (use e.g. 90s, 10m, 2h, 1d)", s);
    }
    *secs = ms / 1000;
    return 0;
}

#define DURATION_MAX_MS (400L * 86400 * 1000)

/* "1m30s", "500ms", "90" (seconds); -1 if invalid or over a year-ish. */
static int duration_ms(const char *s, long *ms)
{
    static const struct {
        const char *unit;
        long ms;
    } units[] = { { "ms", 1 },
                  { "s", 1000 },
                  { "m", 60000 },
                  { "h", 3600000 },
                  { "d", 86400000 } };
    long total = 0;

    if (!*s) {
        return -1;
    }
    if (strspn(s, "0123456789") == strlen(s)) {
        errno = 0;
        total = strtol(s, NULL, 10);
        if (errno || total > DURATION_MAX_MS / 1000) {
            return -1;
        }
        *ms = total * 1000;
        return 0;
    }
    while (*s) {
        char *end;
        long v;
        size_t i;

        if (!isdigit((unsigned char)*s)) {
            return -1;
        }
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || v > DURATION_MAX_MS) {
            return -1;
        }
        for (i = 0; i < ARRAY_SIZE(units); i++) {
            size_t ul = strlen(units[i].unit);

            if (!strncmp(end, units[i].unit, ul) &&
                !isalpha((unsigned char)end[ul])) {
                break;
            }
        }
        if (i == ARRAY_SIZE(units) || v > DURATION_MAX_MS / units[i].ms) {
            return -1;
        }
        total += v * units[i].ms;
        if (total > DURATION_MAX_MS) {
            return -1;
        }
        s = end + strlen(units[i].unit);
    }
    *ms = total;
    return 0;
}

int parse_duration_ms(const char *s, long *ms, struct err *err)
{
    if (duration_ms(s, ms) < 0) {
        return err_set(err, ERR_USAGE,
                       "invalid duration '%s' (use e.g. 500ms, 90s, 10m, 2h, "
                       "1m30s)",
                       s);
    }
    return 0;
}

int parse_size(const char *s, size_t max, size_t *bytes, struct err *err)
{
    static const struct {
        const char *unit;
        unsigned shift;
    } units[] = {
        { "", 0 }, { "B", 0 }, { "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }
    };
    char *end;
    unsigned long long v;

    if (isdigit((unsigned char)*s)) {
        errno = 0;
        v = strtoull(s, &end, 10);
        for (size_t i = 0; !errno && i < ARRAY_SIZE(units); i++) {
            if (!strcmp(end, units[i].unit) &&
                v <= (unsigned long long)max >> units[i].shift) {
                *bytes = (size_t)(v << units[i].shift);
                return 0;
            }
        }
    }
    return err_set(err, ERR_USAGE,
                   "invalid size '%s' (use bytes or KiB, MiB, GiB; at most "
                   "%zu bytes)",
                   s, max);
}

/* 'n' digits at 'p' into '*out'; false if any is not a digit. */
static bool digits(const char *p, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i])) {
            return false;
        }
        *out = *out * 10 + (p[i] - '0');
    }
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* "[T]HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" after a date; -1 if invalid. */
static int parse_time_part(const char *p, struct tm *tm, long *offset)
{
    int oh, om;

    if (!digits(p, 2, &tm->tm_hour) || p[2] != ':' ||
        !digits(p + 3, 2, &tm->tm_min) || p[5] != ':' ||
        !digits(p + 6, 2, &tm->tm_sec)) {
        return -1;
    }
    p += 8;
    if (*p == '.' && isdigit((unsigned char)p[1])) {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
        }
    }
    if ((*p == 'Z' || *p == 'z') && !p[1]) {
        return tm->tm_hour < 24 && tm->tm_min < 60 && tm->tm_sec < 61 ? 0 : -1;
    }
    if ((*p != '+' && *p != '-') || !digits(p + 1, 2, &oh) || p[3] != ':' ||
        !digits(p + 4, 2, &om) || p[6] || oh > 23 || om > 59) {
        return -1;
    }
    *offset = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
    return tm->tm_hour < 24 && tm->tm_min < 60 && tm->tm_sec < 61 ? 0 : -1;
}

/*
 * Unix seconds, YYYY-MM-DD (UTC midnight) or an RFC 3339 time; the
 * calendar is checked (no 2019-02-31).
 */
static int parse_date_value(const char *s, int64_t *out)
{
    struct tm tm;
    long offset = 0;
    int y, m, d;

    if (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 12) {
        *out = strtoll(s, NULL, 10);
        return 0;
    }
    memset(&tm, 0, sizeof(tm));
    if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &m) || s[7] != '-' || !digits(s + 8, 2, &d) ||
        y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
        return -1;
    }
    if (s[10] &&
        (!strchr("Tt ", s[10]) || parse_time_part(s + 11, &tm, &offset) < 0)) {
        return -1;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    *out = (int64_t)timegm(&tm) - offset;
    return 0;
}

int parse_date(const char *s, const char *what, int64_t *out, struct err *err)
{
    if (parse_date_value(s, out) < 0) {
        return err_set(err, ERR_USAGE,
                       "invalid %s '%s' (use YYYY-MM-DD, an RFC 3339 time "
                       "such as 2019-01-01T00:00:00Z, or unix seconds)",
                       what, s);
    }
    return 0;
}

void format_time(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    /* a year beyond struct tm's range: the number, not garbage */
    if (!gmtime_r(&tt, &tm) ||
        !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        snprintf(out, size, "%lld", (long long)t);
    }
}

int64_t monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
