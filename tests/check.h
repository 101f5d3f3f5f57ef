/* SPDX-License-Identifier: MIT */
/*
 * A tiny TAP harness for unit tests (one binary per module).
 *
 *   CHECK(cond, "what is checked");
 *   CHECK_STR(got, want, "what");      strings (NULL-safe), diff on failure
 *   CHECK_INT(got, want, "what");      integers, values on failure
 *   return check_done();               prints the plan, exit status
 *
 * Output is TAP: "ok N - what" / "not ok N - what", diagnostics on lines
 * starting with "# ", and the plan "1..N" at the end.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_n, check_failed;

static int check_report(int ok, const char *file, int line, const char *what)
{
    check_n++;
    printf("%sok %d - %s\n", ok ? "" : "not ", check_n, what);
    if (!ok) {
        check_failed++;
        printf("#   failed at %s:%d\n", file, line);
    }
    fflush(stdout);
    return ok;
}

#define CHECK(cond, what) check_report(!!(cond), __FILE__, __LINE__, (what))

#define CHECK_STR(got, want, what)                                             \
    do {                                                                       \
        const char *g_ = (got), *w_ = (want);                                  \
        int ok_ = (g_ && w_) ? !strcmp(g_, w_) : g_ == w_;                     \
        if (!check_report(ok_, __FILE__, __LINE__, (what))) {                  \
            printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)",     \
                   w_ ? w_ : "(null)");                                        \
        }                                                                      \
    } while (0)

#define CHECK_INT(got, want, what)                                             \
    do {                                                                       \
        long long g_ = (long long)(got), w_ = (long long)(want);               \
        if (!check_report(g_ == w_, __FILE__, __LINE__, (what))) {             \
            printf("#   got:  %lld\n#   want: %lld\n", g_, w_);                \
        }                                                                      \
    } while (0)

static int check_done(void)
{
    printf("1..%d\n", check_n);
    return check_failed ? 1 : 0;
}

#endif
