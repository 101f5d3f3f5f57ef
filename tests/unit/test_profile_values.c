/* SPDX-License-Identifier: MIT */
/*
 * Profile values on their own: ${{ VAR }} expansion, the URL and loopback
 * rule, durations and sizes.
 */
#include "core/compat.h"
#include "profiles/profile.h"
#include "core/err.h"
#include "profiles/interp.h"
#include "profiles/load.h"
#include "tests/check.h"

static void check_expand(const char *in, const char *want, const char *what)
{
    char *out = NULL;
    struct err err = ERR_INIT;

    if (interp_expand(in, "'x'", &out, &err) < 0) {
        CHECK_STR(err.msg, want, what);
        return;
    }
    CHECK_STR(out, want, what);
    free(out);
}

static void test_interp(void)
{
    setenv("SR_A", "alpha", 1);
    setenv("SR_B", "beta", 1);
    setenv("SR_EMPTY", "", 1);
    check_expand("${{ SR_A }}", "alpha", "one reference");
    check_expand("${{SR_A}}", "alpha", "no spaces");
    check_expand("${{   SR_A\t}}", "alpha", "spaces and tabs");
    check_expand("x${{ SR_A }}-${{ SR_B }}y", "xalpha-betay",
                 "several, mixed with text");
    check_expand("${{ SR_A }}${{ SR_A }}", "alphaalpha", "adjacent");
    check_expand("$${{ SR_A }}", "${{ SR_A }}", "escape");
    check_expand("a $ b }} {{ c", "a $ b }} {{ c", "lone characters");
    check_expand("${ SR_A }", "${ SR_A }", "single brace is text");
    check_expand("[${{ SR_EMPTY }}]", "[]", "empty value");
    check_expand("${{ SR_TEST_UNSET_VAR }}",
                 "'x' uses environment variable 'SR_TEST_UNSET_VAR', which "
                 "is not set",
                 "unset variable named");
    check_expand("${{ 9LIVES }}",
                 "'x' has an invalid variable name '9LIVES' in '${{ }}' "
                 "(use letters, digits and '_', not starting with a digit)",
                 "name starting with a digit");
    check_expand("${{ A-B }}",
                 "'x' has an invalid variable name 'A-B' in '${{ }}' (use "
                 "letters, digits and '_', not starting with a digit)",
                 "name with a dash");
    check_expand("${{ }}", "'x' has an empty '${{ }}'", "empty name");
    check_expand("${{ SR_A",
                 "'x' has a '${{' without its '}}' (write "
                 "'$${{' for a literal '${{')",
                 "unterminated");
    CHECK(interp_is_reference("${{ SR_A }}"), "is a reference");
    CHECK(interp_is_reference("${{SR_A}}"), "is a reference (no spaces)");
    CHECK(!interp_is_reference("sk_${{ SR_A }}"), "text + reference");
    CHECK(!interp_is_reference("${{ SR_A }}${{ SR_B }}"), "two references");
    CHECK(!interp_is_reference("$${{ SR_A }}"), "escaped");
    CHECK(!interp_is_reference("sk_test_abc"), "literal");
}

static void check_url(const char *url, bool ok, const char *what)
{
    struct err err = ERR_INIT;
    int ret = profile_check_url(url, false, "'u'", &err);

    CHECK(ok ? ret == 0 : ret == -1, what);
    if (ok != (ret == 0)) {
        printf("#   %s: %s\n", url, err.msg);
    }
}

static void test_loopback(void)
{
    struct err err = ERR_INIT;

    check_url("http://127.0.0.1:12111", true, "http to 127.0.0.1");
    check_url("http://127.8.9.10", true, "http to 127.8.9.10");
    check_url("http://localhost:80", true, "http to localhost");
    check_url("http://LOCALHOST", true, "http to LOCALHOST");
    check_url("http://[::1]:8080", true, "http to [::1]");
    check_url("http://10.0.0.1", false, "http to 10.0.0.1 refused");
    check_url("http://example.com", false, "http to example.com refused");
    check_url("http://128.0.0.1", false, "http to 128.0.0.1 refused");
    check_url("http://localhost.example.com", false,
              "http to localhost.example.com refused");
    check_url("http://[::2]", false, "http to [::2] refused");
    check_url("https://example.com", true, "https anywhere");
    check_url("https://10.0.0.1:8443/", true, "https, trailing slash");
    check_url("https://api.stripe.com/v1", false, "path refused");
    check_url("https://api.stripe.com?x=1", false, "query refused");
    check_url("https://user:pw@api.stripe.com", false, "userinfo refused");
    check_url("https://api.stripe.com:0", false, "port 0 refused");
    check_url("https://api.stripe.com:", false, "empty port refused");
    check_url("https://[::1", false, "unclosed bracket refused");
    check_url("ftp://api.stripe.com", false, "ftp refused");
    check_url("https://", false, "no host refused");
    CHECK_INT(
        profile_check_url("http://example.com", false, "'spec.baseUrl'", &err),
        -1, "http refusal");
    CHECK_STR(err.msg,
              "'spec.baseUrl' uses http to 'example.com', which is not a "
              "loopback host; https is required except for 127.0.0.0/8, "
              "::1 and localhost",
              "the refusal explains that https is required");
    CHECK(profile_check_url("https://x.test/v1/oauth/token", true, "'t'",
                            &err) == 0,
          "a path where allowed");
    CHECK(profile_host_is_loopback("::1"), "::1 without brackets");
}

static void test_units(void)
{
    long ms = 0;
    size_t b = 0;

    CHECK(parse_ms("90", &ms) == 0 && ms == 90000, "bare number: seconds");
    CHECK(parse_ms("1m30s", &ms) == 0 && ms == 90000, "compound");
    CHECK(parse_ms("250ms", &ms) == 0 && ms == 250, "milliseconds");
    CHECK(parse_ms("2h", &ms) == 0 && ms == 7200000, "hours");
    CHECK(parse_ms("5min", &ms) < 0, "unknown unit");
    CHECK(parse_ms("-1s", &ms) < 0, "negative");
    CHECK(parse_ms("1.5s", &ms) < 0, "fraction");
    CHECK(parse_ms("", &ms) < 0, "empty");
    CHECK(parse_ms("99999999999999999999s", &ms) < 0, "overflow");
    CHECK(parse_bytes("32MiB", &b) == 0 && b == (size_t)32 << 20, "MiB");
    CHECK(parse_bytes("1000", &b) == 0 && b == 1000, "bytes");
    CHECK(parse_bytes("2GiB", &b) < 0, "over the limit");
    CHECK(parse_bytes("32MB", &b) < 0, "decimal units refused");
}

int main(void)
{
    unsetenv("SR_TEST_UNSET_VAR");
    test_interp();
    test_loopback();
    test_units();
    return check_done();
}
