/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "core/err.h"
#include "core/opt.h"
#include "core/strutil.h"
#include "tests/check.h"

static void test_suggest(void)
{
    const char *const names[] = { "apiKey", "oauth", "accountId", NULL };

    CHECK_INT(edit_distance("kitten", "sitting"), 3, "edit distance");
    CHECK_STR(suggest("apikey", names), "apiKey", "case typo suggested");
    CHECK_STR(suggest("acountId", names), "accountId", "missing letter");
    CHECK(suggest("zzzzzz", names) == NULL, "nothing close: no hint");
}

static void test_duration_date(void)
{
    struct err err = ERR_INIT;
    int64_t v = 0;

    CHECK(parse_duration("90", &v, &err) == 0 && v == 90, "plain seconds");
    CHECK(parse_duration("10m", &v, &err) == 0 && v == 600, "minutes");
    CHECK(parse_duration("2h", &v, &err) == 0 && v == 7200, "hours");
    CHECK(parse_duration("1d", &v, &err) == 0 && v == 86400, "days");
    CHECK_INT(parse_duration("10x", &v, &err), -1, "bad unit");
    CHECK_STR(err.msg, "invalid duration '10x' (use e.g. 90s, 10m, 2h, 1d)",
              "duration message");
    CHECK_INT(parse_duration("-1m", &v, &err), -1, "negative refused");
    CHECK(parse_date("2019-01-01", "date", &v, &err) == 0 && v == 1546300800,
          "date");
    CHECK(parse_date("2019-01-01T01:00:00Z", "date", &v, &err) == 0 &&
              v == 1546304400,
          "date-time");
    CHECK(parse_date("1546300800", "date", &v, &err) == 0 && v == 1546300800,
          "unix seconds");
    CHECK(parse_date("2019-01-01T03:00:00+02:00", "date", &v, &err) == 0 &&
              v == 1546304400,
          "RFC 3339 offset");
    CHECK_INT(parse_date("2019-02-29", "date", &v, &err), -1,
              "no February 29 in 2019");
    CHECK(parse_date("2020-02-29", "date", &v, &err) == 0, "leap day 2020");
    CHECK_INT(parse_date("2019-13-45", "--since", &v, &err), -1, "bad date");
    CHECK(strstr(err.msg, "invalid --since '2019-13-45'") != NULL,
          "date message names the option");
}

/* a modifiable string, as argv strings are */
#define A(s) ((char[]){ s })

struct o {
    int verbose;
    int flag;
    int n;
    const char *name;
    struct strlist data;
};

static void test_opt(void)
{
    const struct opt table[] = {
        OPT_COUNT('v', "verbose", struct o, verbose, "more"),
        OPT_DEC('q', "quiet", struct o, verbose, "less"),
        OPT_BOOL('i', "include", struct o, flag, "flag"),
        OPT_INT(0, "count", struct o, n, "N", "number"),
        OPT_STRING('p', "profile", struct o, name, "P", "profile"),
        OPT_LIST('d', "data", struct o, data, "K=V", "pairs"),
        OPT_END(),
    };
    char *argv[] = { A("-vv"),       A("--count=3"),    A("pos1"),   A("-p"),
                     A("prod"),      A("-dk=v"),        A("--data"), A("a=b"),
                     A("--include"), A("--no-include"), A("--"),     A("-x") };
    struct o o = { 0, 0, 0, NULL, STRLIST_INIT };
    struct strlist args = STRLIST_INIT;
    struct err err = ERR_INIT;
    char *bad[] = { A("--profil"), A("x") };
    char *help[] = { A("--count"), A("x"), A("--help") };

    CHECK_INT(opt_parse(table, &o, (int)ARRAY_SIZE(argv), argv, &args, &err), 0,
              "parse succeeds");
    CHECK_INT(o.verbose, 2, "-vv counts twice");
    CHECK_INT(o.n, 3, "--count=3");
    CHECK_STR(o.name, "prod", "-p VALUE");
    CHECK_INT(o.data.nr, 2, "list collects both -d");
    CHECK(o.data.nr == 2 && !strcmp(o.data.items[0], "k=v") &&
              !strcmp(o.data.items[1], "a=b"),
          "list values in order");
    CHECK_INT(o.flag, 0, "--no-include resets a bool");
    CHECK(args.nr == 2 && !strcmp(args.items[0], "pos1") &&
              !strcmp(args.items[1], "-x"),
          "positionals, and -- ends options");
    strlist_release(&args);
    strlist_release(&o.data);

    CHECK_INT(opt_parse(table, &o, 2, bad, &args, &err), -1, "unknown");
    CHECK_STR(err.msg, "unknown option '--profil' (did you mean '--profile'?)",
              "did-you-mean for options");
    CHECK_INT(err.kind, ERR_USAGE, "usage kind");
    CHECK_INT(opt_parse(table, &o, 3, help, &args, &err), 1,
              "--help wins over other errors");
    strlist_release(&args);
}

/* Issue 13: a time beyond struct tm's range printed an uninitialised
 * struct tm; it is now printed as the number. */
static void test_format_time(void)
{
    char t[32];

    format_time(1767225600, t, sizeof(t));
    CHECK_STR(t, "2026-01-01T00:00:00Z", "a time");
    format_time(INT64_MAX, t, sizeof(t));
    CHECK_STR(t, "9223372036854775807", "beyond struct tm: the number");
    format_time(INT64_MIN, t, sizeof(t));
    CHECK_STR(t, "-9223372036854775808", "and below it");
}

int main(void)
{
    test_format_time();
    test_suggest();
    test_duration_date();
    test_opt();
    return check_done();
}
