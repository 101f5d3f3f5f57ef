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

int parse_duration(const char *s, int64_t *secs, struct err *err)
{
    char *end = NULL;
    long long v;
    int64_t mult = 1;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || errno || v < 0) {
        goto bad;
    }
    if (*end) {
        switch (*end) {
        case 's':
            mult = 1;
            break;
        case 'm':
            mult = 60;
            break;
        case 'h':
            mult = 3600;
            break;
        case 'd':
            mult = 86400;
            break;
        default:
            goto bad;
        }
        if (end[1]) {
            goto bad;
        }
    }
    if (v > INT64_MAX / mult) {
        goto bad;
    }
    *secs = (int64_t)v * mult;
    return 0;
bad:
    return err_set(err, ERR_USAGE,
                   "invalid duration '%s' (use e.g. 90s, 10m, 2h, 1d)", s);
}

static bool all_digits(const char *s)
{
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s)) {
            return false;
        }
    }
    return true;
}

int parse_date(const char *s, const char *what, int64_t *out,
               struct err *err)
{
    struct tm tm;
    const char *end;
    time_t t;

    if (all_digits(s) && strlen(s) <= 12) {
        *out = strtoll(s, NULL, 10);
        return 0;
    }
    memset(&tm, 0, sizeof(tm));
    end = strptime(s, "%Y-%m-%d", &tm);
    if (end && (*end == 'T' || *end == ' ')) {
        end = strptime(end + 1, "%H:%M:%S", &tm);
        if (end && *end == 'Z') {
            end++;
        }
    }
    if (!end || *end || tm.tm_year < 70) {
        return err_set(err, ERR_USAGE,
                       "invalid %s '%s' (use YYYY-MM-DD, "
                       "YYYY-MM-DDTHH:MM:SSZ or unix seconds)",
                       what, s);
    }
    t = timegm(&tm);
    *out = (int64_t)t;
    return 0;
}

void format_time(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
