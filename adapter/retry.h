/* SPDX-License-Identifier: MIT */
/*
 * The retry policy: one pure function that decides, from what an attempt
 * produced, whether to try again and after how long.  It touches no clock,
 * no randomness and no network: the caller passes the jitter, so the table
 * below is unit-tested row by row (tests/unit/test_retry.c).
 *
 * The policy, in order: the decision table of Stripe's official SDKs
 * (the Stripe-Should-Retry header first, then 409, 5xx and connection
 * failures, and 429 lock_timeout), plus a backed-off retry of plain 429s,
 * which Stripe's docs ask for and the SDKs leave to the caller:
 *
 *   outcome of the attempt                     retry?  why
 *   -----------------------------------------  ------  -----------------
 *   TLS verification failure (peer cert, CA    no      RETRY_TLS
 *     file, issuer, pinned key, cert status)
 *   reply larger than the configured cap       no      RETRY_TOO_BIG
 *   other local curl errors (bad URL, out of   no      RETRY_LOCAL
 *     memory, unsupported protocol, ...)
 *   Stripe-Should-Retry: false                 no      RETRY_HEADER_NO
 *   Stripe-Should-Retry: true                  yes     RETRY_HEADER_YES
 *   could not resolve / connect, TLS           yes     RETRY_CONNECT
 *     handshake failure
 *   timed out                                  yes     RETRY_TIMEOUT
 *   reset, send/recv error, empty reply,       yes     RETRY_CUT
 *     body cut short (CURLE_PARTIAL_FILE),
 *     bad content encoding, HTTP/2 stream
 *   409 Conflict                               yes     RETRY_CONFLICT
 *   429 with code lock_timeout                 yes     RETRY_LOCK
 *   429 (or legacy 400 + code rate_limit)      yes     RETRY_RATE_LIMIT
 *                                                      (>= 1 s, and the
 *                                                      limiter slows down)
 *   5xx, whatever the body (JSON, HTML, junk)  yes     RETRY_SERVER
 *   2xx whose body is not JSON (a proxy or a   yes     RETRY_BAD_BODY
 *     load balancer glitch; Stripe always
 *     answers JSON)
 *   2xx with a JSON body                       no      RETRY_SUCCESS
 *   400, 401, 402, 403, 404, other 4xx, 3xx    no      RETRY_FATAL_STATUS
 *
 * A failure that the table retries is not retried once 'attempt' has
 * reached 'max_attempts': the decision then has 'exhausted' set and keeps
 * the reason.  Except a rate limit while other requests on the same
 * budget get through ('others_succeeded'): Stripe's limit is the
 * account's, shared with the merchant's own traffic, so a run at a full
 * share of it meets 429s that say "slower", not "failing" (Stripe: "build
 * in a retry mechanism ... exponential backoff",
 * https://docs.stripe.com/rate-limits).  Such a request keeps retrying
 * until RETRY_RATE_LIMIT_PATIENCE_MS after its first attempt, each retry
 * after the delay of the last ordinary one (no further growth); a 429
 * while nothing gets through still gives up at 'max_attempts', and
 * max_attempts 1 never retries.
 *
 * The Stripe-Should-Retry header is read whenever a response (status
 * line and headers) arrived, even if its body was then cut short: it is
 * Stripe's own verdict on the request.  TLS verification failures are
 * never retried whatever a header says (no response can be trusted).
 *
 * Delay of retry n (n = the number of the attempt that just failed, 1..):
 *   base  = min(backoff_initial_ms * 2^(n-1), backoff_max_ms)
 *   delay = base * (0.5 + 0.5 * jitter)        jitter in [0, 1)
 *   rate limit (429):  delay >= 1000 ms
 *   Retry-After given: delay >= min(Retry-After, 60 s)
 */
#ifndef ADAPTER_RETRY_H
#define ADAPTER_RETRY_H

#include <stdbool.h>

enum retry_header {
    RETRY_HEADER_ABSENT = 0,
    RETRY_HEADER_TRUE,
    RETRY_HEADER_FALSE
};

struct retry_input {
    int attempt;      /* the attempt that just ended, 1-based */
    int max_attempts; /* from the adapter config */
    int curl_code;    /* CURLcode of the transfer; 0 = CURLE_OK */
    long status;      /* HTTP status, 0 when no response arrived */
    enum retry_header should_retry;
    const char *error_code; /* error.code of a JSON error body, or NULL */
    bool body_json;         /* the body is well-formed JSON */
    long retry_after_ms;    /* Retry-After, -1 when absent */
    bool others_succeeded;  /* another request on the budget the 429
                             * names succeeded since this request's
                             * previous attempt ended (or since it was
                             * submitted) */
    long elapsed_ms;        /* since its first attempt started */
};

#define RETRY_RATE_LIMIT_PATIENCE_MS 120000L

enum retry_reason {
    RETRY_SUCCESS = 0,
    RETRY_TLS,
    RETRY_TOO_BIG,
    RETRY_LOCAL,
    RETRY_HEADER_NO,
    RETRY_HEADER_YES,
    RETRY_CONNECT,
    RETRY_TIMEOUT,
    RETRY_CUT,
    RETRY_CONFLICT,
    RETRY_LOCK,
    RETRY_RATE_LIMIT,
    RETRY_SERVER,
    RETRY_BAD_BODY,
    RETRY_FATAL_STATUS
};

struct retry_policy {
    long backoff_initial_ms; /* default 500 */
    long backoff_max_ms;     /* default 20000 */
};

struct retry_decision {
    bool retry;
    enum retry_reason reason; /* the row of the table that applied */
    bool exhausted;    /* it would have been retried, but attempts ran out */
    bool rate_limited; /* a 429 rate limit: tell the rate limiter */
    long delay_ms;     /* when 'retry' */
};

/*
 * Decide.  'jitter' is a number in [0, 1) (the caller's randomness).
 * 'curl_code' classes come from retry_curl_class().
 */
void retry_decide(const struct retry_input *in, const struct retry_policy *pol,
                  double jitter, struct retry_decision *out);

/* The class (one of the RETRY_* reasons) of a failed transfer's CURLcode. */
enum retry_reason retry_curl_class(int curl_code);

/* A short name of a reason for logs, e.g. "server error". */
const char *retry_reason_name(enum retry_reason r);

/* The backoff delay of retry n before caps for 429/Retry-After. */
long retry_backoff_ms(const struct retry_policy *pol, int attempt,
                      double jitter);

#endif
