/* SPDX-License-Identifier: MIT */
/*
 * The retry policy table of adapter/retry.h, row by row.
 */
#include "core/compat.h"
#include "adapter/retry.h"
#include "tests/check.h"

#include <curl/curl.h>

#define ABSENT RETRY_HEADER_ABSENT
#define YES RETRY_HEADER_TRUE
#define NO RETRY_HEADER_FALSE

struct row {
    const char *what;
    int curl_code;
    long status;
    enum retry_header hdr;
    const char *code;
    bool json;
    bool retry;
    enum retry_reason reason;
    bool rate_limited;
};

static const struct row rows[] = {
    /* what, curl, status, header, code, json -> retry, reason, 429 */
    { "200 JSON", 0, 200, ABSENT, NULL, true, false, RETRY_SUCCESS, false },
    { "200 JSON, header true", 0, 200, YES, NULL, true, false, RETRY_SUCCESS,
      false },
    { "200 HTML (proxy glitch)", 0, 200, ABSENT, NULL, false, true,
      RETRY_BAD_BODY, false },
    { "200 invalid JSON, header false", 0, 200, NO, NULL, false, false,
      RETRY_HEADER_NO, false },
    { "500", 0, 500, ABSENT, NULL, true, true, RETRY_SERVER, false },
    { "500 with header false", 0, 500, NO, NULL, true, false, RETRY_HEADER_NO,
      false },
    { "502 HTML body", 0, 502, ABSENT, NULL, false, true, RETRY_SERVER, false },
    { "503", 0, 503, ABSENT, NULL, true, true, RETRY_SERVER, false },
    { "504 invalid JSON", 0, 504, ABSENT, NULL, false, true, RETRY_SERVER,
      false },
    { "409", 0, 409, ABSENT, NULL, true, true, RETRY_CONFLICT, false },
    { "409 with header false", 0, 409, NO, NULL, true, false, RETRY_HEADER_NO,
      false },
    { "429 lock_timeout", 0, 429, ABSENT, "lock_timeout", true, true,
      RETRY_LOCK, false },
    { "429 rate limit", 0, 429, ABSENT, "rate_limit", true, true,
      RETRY_RATE_LIMIT, true },
    { "429 no code", 0, 429, ABSENT, NULL, true, true, RETRY_RATE_LIMIT, true },
    { "429 with header false", 0, 429, NO, NULL, true, false, RETRY_HEADER_NO,
      true },
    { "400 legacy rate_limit", 0, 400, ABSENT, "rate_limit", true, true,
      RETRY_RATE_LIMIT, true },
    { "400", 0, 400, ABSENT, "parameter_invalid_integer", true, false,
      RETRY_FATAL_STATUS, false },
    { "400 with header true", 0, 400, YES, NULL, true, true, RETRY_HEADER_YES,
      false },
    { "401", 0, 401, ABSENT, NULL, true, false, RETRY_FATAL_STATUS, false },
    { "402", 0, 402, ABSENT, "card_declined", true, false, RETRY_FATAL_STATUS,
      false },
    { "403", 0, 403, ABSENT, NULL, true, false, RETRY_FATAL_STATUS, false },
    { "404", 0, 404, ABSENT, "resource_missing", true, false,
      RETRY_FATAL_STATUS, false },
    { "302", 0, 302, ABSENT, NULL, false, false, RETRY_FATAL_STATUS, false },
    { "couldn't connect", CURLE_COULDNT_CONNECT, 0, ABSENT, NULL, false, true,
      RETRY_CONNECT, false },
    { "couldn't resolve", CURLE_COULDNT_RESOLVE_HOST, 0, ABSENT, NULL, false,
      true, RETRY_CONNECT, false },
    { "TLS handshake", CURLE_SSL_CONNECT_ERROR, 0, ABSENT, NULL, false, true,
      RETRY_CONNECT, false },
    { "timeout", CURLE_OPERATION_TIMEDOUT, 0, ABSENT, NULL, false, true,
      RETRY_TIMEOUT, false },
    { "timeout mid-body", CURLE_OPERATION_TIMEDOUT, 200, ABSENT, NULL, false,
      true, RETRY_TIMEOUT, false },
    { "reset (recv error)", CURLE_RECV_ERROR, 200, ABSENT, NULL, false, true,
      RETRY_CUT, false },
    { "send error", CURLE_SEND_ERROR, 0, ABSENT, NULL, false, true, RETRY_CUT,
      false },
    { "empty reply", CURLE_GOT_NOTHING, 0, ABSENT, NULL, false, true, RETRY_CUT,
      false },
    { "body cut short", CURLE_PARTIAL_FILE, 200, ABSENT, NULL, false, true,
      RETRY_CUT, false },
    { "body cut short, header false", CURLE_PARTIAL_FILE, 200, NO, NULL, false,
      false, RETRY_HEADER_NO, false },
    { "bad gzip", CURLE_BAD_CONTENT_ENCODING, 200, ABSENT, NULL, false, true,
      RETRY_CUT, false },
    { "HTTP/2 stream", CURLE_HTTP2_STREAM, 0, ABSENT, NULL, false, true,
      RETRY_CUT, false },
    { "peer verification", CURLE_PEER_FAILED_VERIFICATION, 0, ABSENT, NULL,
      false, false, RETRY_TLS, false },
    { "CA file", CURLE_SSL_CACERT_BADFILE, 0, ABSENT, NULL, false, false,
      RETRY_TLS, false },
    { "pinned key", CURLE_SSL_PINNEDPUBKEYNOTMATCH, 0, ABSENT, NULL, false,
      false, RETRY_TLS, false },
    { "TLS failure ignores header true", CURLE_PEER_FAILED_VERIFICATION, 0, YES,
      NULL, false, false, RETRY_TLS, false },
    { "over the size cap", CURLE_WRITE_ERROR, 200, ABSENT, NULL, false, false,
      RETRY_TOO_BIG, false },
    { "malformed URL", CURLE_URL_MALFORMAT, 0, ABSENT, NULL, false, false,
      RETRY_LOCAL, false },
    { "unsupported protocol", CURLE_UNSUPPORTED_PROTOCOL, 0, ABSENT, NULL,
      false, false, RETRY_LOCAL, false },
};

static const struct retry_policy pol = { 500, 20000 };

static void test_table(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        const struct row *r = &rows[i];
        struct retry_input in = { 1,      5,       r->curl_code, r->status,
                                  r->hdr, r->code, r->json,      -1,
                                  false,  0 };
        struct retry_decision d;
        char what[128];

        retry_decide(&in, &pol, 0.5, &d);
        snprintf(what, sizeof(what), "%s: %s (%s)", r->what,
                 r->retry ? "retried" : "not retried",
                 retry_reason_name(r->reason));
        CHECK(d.retry == r->retry && d.reason == r->reason &&
                  d.rate_limited == r->rate_limited && !d.exhausted,
              what);
        if (d.reason != r->reason) {
            printf("#   got reason %s\n", retry_reason_name(d.reason));
        }
        /* the same outcome on the last attempt: never retried */
        in.attempt = 5;
        retry_decide(&in, &pol, 0.5, &d);
        snprintf(what, sizeof(what), "%s: last attempt not retried%s", r->what,
                 r->retry ? ", exhausted" : "");
        CHECK(!d.retry && d.exhausted == r->retry && d.reason == r->reason,
              what);
    }
}

static void test_backoff(void)
{
    struct retry_input in = { 1, 10, 0, 500, ABSENT, NULL, true, -1, false, 0 };
    struct retry_decision d;
    static const long lo[] = { 250,  500,   1000,  2000, 4000,
                               8000, 10000, 10000, 10000 };

    for (int n = 1; n <= 9; n++) {
        char what[64];

        in.attempt = n;
        retry_decide(&in, &pol, 0.0, &d);
        snprintf(what, sizeof(what), "retry %d: jitter 0 -> %ld ms", n,
                 lo[n - 1]);
        CHECK_INT(d.delay_ms, lo[n - 1], what);
        retry_decide(&in, &pol, 0.999999, &d);
        snprintf(what, sizeof(what), "retry %d: jitter ~1 -> ~%ld ms", n,
                 2 * lo[n - 1]);
        CHECK(d.delay_ms >= 2 * lo[n - 1] - 1 && d.delay_ms <= 2 * lo[n - 1],
              what);
    }
    CHECK_INT(retry_backoff_ms(&pol, 1000, 0.0), 10000,
              "huge attempt numbers stay capped");
    CHECK_INT(retry_backoff_ms(&pol, 1, -3), 250, "jitter clamped below");
}

static void test_floors(void)
{
    struct retry_input in = { 1, 5, 0, 429, ABSENT, NULL, true, -1, false, 0 };
    struct retry_decision d;

    retry_decide(&in, &pol, 0.0, &d);
    CHECK_INT(d.delay_ms, 1000, "429 rate limit: at least 1 s");
    in.error_code = "lock_timeout";
    retry_decide(&in, &pol, 0.0, &d);
    CHECK_INT(d.delay_ms, 250, "429 lock_timeout: the plain backoff");
    in.error_code = NULL;
    in.attempt = 4;
    retry_decide(&in, &pol, 0.0, &d);
    CHECK_INT(d.delay_ms, 2000, "429 later: the backoff when above 1 s");
    in.status = 503;
    in.attempt = 1;
    in.retry_after_ms = 3000;
    retry_decide(&in, &pol, 0.0, &d);
    CHECK_INT(d.delay_ms, 3000, "Retry-After raises the delay");
    in.retry_after_ms = 600000;
    retry_decide(&in, &pol, 0.0, &d);
    CHECK_INT(d.delay_ms, 60000, "Retry-After capped at 60 s");
    in.retry_after_ms = 0;
    retry_decide(&in, &pol, 0.0, &d);
    CHECK_INT(d.delay_ms, 250, "Retry-After 0 never lowers the backoff");
}

/* A rate limit while other requests get through does not use up the
 * request (the budget is shared with the merchant), for a while. */
static void test_shared_budget(void)
{
    struct retry_input in = { 5, 5, 0, 429, ABSENT, NULL, true, -1, false, 0 };
    struct retry_decision d;
    long last;

    retry_decide(&in, &pol, 0.999999, &d);
    CHECK(!d.retry && d.exhausted, "a 429 at the last attempt, nothing else "
                                   "getting through: exhausted");
    in.others_succeeded = true;
    in.attempt = 4;
    retry_decide(&in, &pol, 0.999999, &d);
    last = d.delay_ms;
    in.attempt = 5;
    retry_decide(&in, &pol, 0.999999, &d);
    CHECK(d.retry && !d.exhausted && d.delay_ms >= 1000,
          "while others get through: retried, after >= 1 s");
    CHECK_INT(d.delay_ms, last, "... after the last ordinary delay");
    in.attempt = 40;
    retry_decide(&in, &pol, 0.999999, &d);
    CHECK(d.retry && d.delay_ms == last, "... which grows no further");
    in.elapsed_ms = RETRY_RATE_LIMIT_PATIENCE_MS - 1;
    retry_decide(&in, &pol, 0.0, &d);
    CHECK(d.retry, "... until 2 minutes after its first attempt");
    in.elapsed_ms = RETRY_RATE_LIMIT_PATIENCE_MS;
    retry_decide(&in, &pol, 0.0, &d);
    CHECK(!d.retry && d.exhausted, "... and not after");
    in.elapsed_ms = 0;
    in.attempt = 1;
    in.max_attempts = 1;
    retry_decide(&in, &pol, 0.0, &d);
    CHECK(!d.retry && d.exhausted, "maxAttempts 1 never retries");
    in.max_attempts = 5;
    in.attempt = 5;
    in.status = 503;
    retry_decide(&in, &pol, 0.0, &d);
    CHECK(!d.retry && d.exhausted,
          "a 503 at the last attempt is exhausted, others or not");
    in.status = 429;
    in.error_code = "lock_timeout";
    retry_decide(&in, &pol, 0.0, &d);
    CHECK(!d.retry && d.exhausted, "so is a 429 lock_timeout (not a budget)");
}

static void test_names(void)
{
    for (int r = RETRY_SUCCESS; r <= RETRY_FATAL_STATUS; r++) {
        CHECK(strcmp(retry_reason_name((enum retry_reason)r), "unknown"),
              "every reason has a name");
    }
}

int main(void)
{
    test_table();
    test_backoff();
    test_floors();
    test_shared_budget();
    test_names();
    return check_done();
}
