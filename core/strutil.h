/* SPDX-License-Identifier: MIT */
/*
 * Small string helpers: prefixes, edit distance for "did you mean"
 * hints, duration and date parsing.
 */
#ifndef CORE_STRUTIL_H
#define CORE_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

bool starts_with(const char *s, const char *prefix);
bool ends_with(const char *s, const char *suffix);
/* Levenshtein distance, capped at 255. */
unsigned edit_distance(const char *a, const char *b);
/*
 * The candidate closest to 'word' when it is close enough to be a likely
 * typo (distance <= 2, or <= a third of the word), else NULL.  'cands' is
 * NULL-terminated.
 */
const char *suggest(const char *word, const char *const *cands);
/*
 * Durations: a bare number of seconds, or numbers with units ms, s, m, h,
 * d, combined ("1m30s").  parse_duration() wants whole seconds.  -1 with
 * ERR_USAGE.
 */
int parse_duration(const char *s, int64_t *secs, struct err *err);
int parse_duration_ms(const char *s, long *ms, struct err *err);
/* Sizes: bytes, or with B, KiB, MiB, GiB; at most 'max'.  -1 with
 * ERR_USAGE. */
int parse_size(const char *s, size_t max, size_t *bytes, struct err *err);
/*
 * Parse "2019-01-01" (UTC midnight), an RFC 3339 time
 * ("2019-01-01T12:00:00Z", "...+02:00", fractions allowed) or unix seconds
 * into unix seconds.  The calendar is checked (no 2019-02-31).  -1 with
 * ERR_USAGE naming 'what'.
 */
int parse_date(const char *s, const char *what, int64_t *out, struct err *err);
/* Format unix seconds as "2019-01-01T00:00:00Z" into out (>= 21 bytes). */
void format_time(int64_t t, char *out, size_t size);
/* Monotonic milliseconds (for intervals; not a time of day). */
int64_t monotonic_ms(void);

#endif
