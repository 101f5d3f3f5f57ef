/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/url.h"
#include "adapter/jsonvalid.h"
#include "core/buf.h"
#include "core/err.h"
#include "profiles/profile.h"
#include "tests/check.h"

static void test_encode(void)
{
    static const struct {
        const char *in, *want;
    } rows[] = {
        { "abcXYZ019-._~", "abcXYZ019-._~" },
        { "created[lt]", "created%5Blt%5D" },
        { "a b+c&d=e", "a%20b%2Bc%26d%3De" },
        { "ü", "%C3%BC" },
        { "/?#%", "%2F%3F%23%25" },
        { "", "" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        struct buf b = BUF_INIT;

        url_encode(&b, rows[i].in);
        CHECK_STR(b.buf, rows[i].want, rows[i].in);
        buf_release(&b);
    }
}

static void test_query(void)
{
    struct buf b = BUF_INIT;

    buf_addstr(&b, "/v1/charges");
    url_query_add(&b, "limit", "100");
    url_query_add(&b, "created[lt]", "1700000000");
    CHECK_STR(b.buf, "/v1/charges?limit=100&created%5Blt%5D=1700000000",
              "query: first '?', then '&', keys encoded");
    buf_reset(&b);
    buf_addstr(&b, "/v1/events?limit=3");
    url_query_add_pair(&b, "types[]=charge.succeeded");
    url_query_add_pair(&b, "q=a=b c");
    url_query_add_pair(&b, "flag");
    CHECK_STR(b.buf,
              "/v1/events?limit=3&types%5B%5D=charge.succeeded"
              "&q=a%3Db%20c&flag=",
              "pairs: split at the first '=', appended to a query");
    buf_release(&b);
}

static void test_endpoint(void)
{
    static const struct {
        const char *in, *want;
    } rows[] = {
        { "/v1/charges", "/v1/charges" },
        { "/v1/charges?limit=1&created%5Blt%5D=5", "/v1/charges" },
        { "/v1/charges/ch_123", "/v1/charges/{id}" },
        { "/v1/charges/py_9?expand[]=x", "/v1/charges/{id}" },
        { "/v1/charges/search?query=x", "/v1/charges/search" },
        { "/v1/payment_intents", "/v1/payment_intents" },
        { "/v1/oauth/token", "/v1/oauth/token" },
        { "/v1/customers/cus_1/sources/card_2",
          "/v1/customers/{id}/sources/{id}" },
        { "/", "/" },
    };
    char out[64];

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        url_endpoint(rows[i].in, out, sizeof(out));
        CHECK_STR(out, rows[i].want, rows[i].in);
    }
    url_endpoint("/v1/charges", out, 6);
    CHECK_STR(out, "/v1/c", "endpoint truncated to the buffer");
}

static void test_loopback(void)
{
    static const struct {
        const char *host;
        bool want;
    } rows[] = {
        { "127.0.0.1", true },
        { "127.1.2.3", true },
        { "127.255.255.254", true },
        { "localhost", true },
        { "LocalHost", true },
        { "localhost.", true },
        { "::1", true },
        { "[::1]", true },
        { "0:0:0:0:0:0:0:1", true },
        { "128.0.0.1", false },
        { "10.0.0.1", false },
        { "localhost.example.com", false },
        { "127.0.0.1.example.com", false },
        { "::2", false },
        { "[::ffff:127.0.0.1]", false },
        { "api.stripe.com", false },
        { "", false },
        { "1270.0.0.1", false },
    };

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        char what[80];

        snprintf(what, sizeof(what), "loopback '%s': %s", rows[i].host,
                 rows[i].want ? "yes" : "no");
        CHECK(profile_host_is_loopback(rows[i].host) == rows[i].want, what);
    }
    CHECK(!profile_host_is_loopback(NULL), "loopback NULL: no");
}

/* The adapter checks base and token URLs with the profile's rule. */
static void test_base(void)
{
    static const struct {
        const char *url;
        const char *want; /* NULL: accepted */
    } rows[] = {
        { "https://api.stripe.com", NULL },
        { "https://api.stripe.com:8443", NULL },
        { "http://127.0.0.1:1234", NULL },
        { "http://localhost:80", NULL },
        { "http://[::1]:9", NULL },
        { "http://api.stripe.com",
          "base URL uses http to 'api.stripe.com', which is not a loopback "
          "host; https is required except for 127.0.0.0/8, ::1 and "
          "localhost" },
        { "http://10.1.1.1:80",
          "base URL uses http to '10.1.1.1', which is not a loopback host; "
          "https is required except for 127.0.0.0/8, ::1 and localhost" },
        { "ftp://127.0.0.1", "base URL must be an http or https URL such as "
                             "https://api.stripe.com" },
        { "https://api.stripe.com/?x=1",
          "base URL must not have a path, query or fragment ('/?x=1'); give "
          "only scheme://host[:port]" },
        { "not a url", "base URL must be an http or https URL such as "
                       "https://api.stripe.com" },
        { NULL, "base URL must be an http or https URL such as "
                "https://api.stripe.com" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        struct err err = ERR_INIT;
        int got = profile_check_url(rows[i].url, false, "base URL", &err);
        const char *url = rows[i].url ? rows[i].url : "(null)";

        CHECK_INT(got, rows[i].want ? -1 : 0, url);
        if (got < 0) {
            CHECK_INT(err.kind, ERR_CONFIG, "  ... is ERR_CONFIG");
            CHECK_STR(err.msg, rows[i].want, "  ... the loader's message");
        }
    }
}

static void test_json_valid(void)
{
    static const struct {
        const char *text;
        bool want;
    } rows[] = {
        { "{}", true },
        { " {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\"]} \n",
          true },
        { "[[[]]]", true },
        { "\"s\"", true },
        { "0", true },
        { "{\"object\":\"list\",\"data\":[{\"id\":\"ch_1\"}],"
          "\"has_more\":false}",
          true },
        { "", false },
        { "   ", false },
        { "{", false },
        { "{\"data\": [1, 2", false },
        { "<html><body>502 Bad Gateway</body></html>", false },
        { "{\"a\":1,}", false },
        { "[1 2]", false },
        { "{a:1}", false },
        { "{\"a\" 1}", false },
        { "01", false },
        { "1.", false },
        { "-", false },
        { "tru", false },
        { "\"unterminated", false },
        { "\"bad \\x escape\"", true }, /* left to the parser */
        { "\"escaped \\\" quote\"", true },
        { "\"ends in a backslash\\\\\"", true },
        { "\"escaped end\\\"", false },
        { "{} {}", false },
        { "{\"a\":1}}", false },
        { "[}", false },
    };

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        char what[96];

        snprintf(what, sizeof(what), "json_valid(%.60s) = %d", rows[i].text,
                 rows[i].want);
        for (char *p = what; *p; p++) {
            if (*p == '\n') {
                *p = ' ';
            }
        }
        CHECK(json_valid(rows[i].text, strlen(rows[i].text)) == rows[i].want,
              what);
    }
    CHECK(!json_valid("{\"a\":1}", 5), "json_valid respects the length");
    {
        char deep[2 * JSONVALID_MAX_DEPTH + 4];
        size_t n = 0;

        for (int i = 0; i < JSONVALID_MAX_DEPTH + 1; i++) {
            deep[n++] = '[';
        }
        CHECK(!json_valid(deep, n), "too deep: invalid, no crash");
    }
}

int main(void)
{
    test_encode();
    test_query();
    test_endpoint();
    test_loopback();
    test_base();
    test_json_valid();
    return check_done();
}
