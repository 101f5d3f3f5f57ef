/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/retry.h"

#include <curl/curl.h>

#define RATE_LIMIT_MIN_DELAY_MS 1000L
#define RETRY_AFTER_MAX_MS 60000L

enum retry_reason retry_curl_class(int curl_code)
{
    switch ((CURLcode)curl_code) {
    case CURLE_OK:
        return RETRY_SUCCESS;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return RETRY_TLS;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        return RETRY_TOO_BIG;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
        return RETRY_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return RETRY_TIMEOUT;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return RETRY_CUT;
    default:
        return RETRY_LOCAL;
    }
}

const char *retry_reason_name(enum retry_reason r)
{
    switch (r) {
    case RETRY_SUCCESS:
        return "success";
    case RETRY_TLS:
        return "TLS verification failure";
    case RETRY_TOO_BIG:
        return "response too large";
    case RETRY_LOCAL:
        return "local error";
    case RETRY_HEADER_NO:
        return "Stripe-Should-Retry: false";
    case RETRY_HEADER_YES:
        return "Stripe-Should-Retry: true";
    case RETRY_CONNECT:
        return "connection failure";
    case RETRY_TIMEOUT:
        return "timeout";
    case RETRY_CUT:
        return "connection cut";
    case RETRY_CONFLICT:
        return "conflict";
    case RETRY_LOCK:
        return "lock timeout";
    case RETRY_RATE_LIMIT:
        return "rate limited";
    case RETRY_SERVER:
        return "server error";
    case RETRY_BAD_BODY:
        return "malformed body";
    case RETRY_FATAL_STATUS:
        return "request refused";
    }
    return "unknown";
}

long retry_backoff_ms(const struct retry_policy *pol, int attempt,
                      double jitter)
{
    double base = (double)pol->backoff_initial_ms;

    for (int i = 1; i < attempt && base < (double)pol->backoff_max_ms; i++) {
        base *= 2;
    }
    if (base > (double)pol->backoff_max_ms) {
        base = (double)pol->backoff_max_ms;
    }
    if (jitter < 0) {
        jitter = 0;
    }
    if (jitter >= 1) {
        jitter = 0.999999;
    }
    return (long)(base * (0.5 + 0.5 * jitter));
}

static bool code_is(const char *code, const char *want)
{
    return code && !strcmp(code, want);
}

static bool is_rate_limit(const struct retry_input *in)
{
    if (in->status == 429) {
        return !code_is(in->error_code, "lock_timeout");
    }
    return in->status == 400 && code_is(in->error_code, "rate_limit");
}

/* The table's row for a transfer that ended with a response. */
static enum retry_reason http_reason(const struct retry_input *in, bool *retry)
{
    *retry = true;
    if (in->status == 409) {
        return RETRY_CONFLICT;
    }
    if (in->status == 429 && code_is(in->error_code, "lock_timeout")) {
        return RETRY_LOCK;
    }
    if (is_rate_limit(in)) {
        return RETRY_RATE_LIMIT;
    }
    if (in->status >= 500) {
        return RETRY_SERVER;
    }
    if (in->status >= 200 && in->status < 300) {
        return RETRY_BAD_BODY; /* a JSON 2xx was handled by the caller */
    }
    *retry = false;
    return RETRY_FATAL_STATUS;
}

static bool header_applies(const struct retry_input *in)
{
    return in->status > 0 && in->should_retry != RETRY_HEADER_ABSENT;
}

/* A 429 for a budget others spend successfully: see retry.h. */
static bool sharing_budget(const struct retry_input *in, bool rate_limited)
{
    return rate_limited && in->others_succeeded && in->max_attempts > 1 &&
           in->elapsed_ms < RETRY_RATE_LIMIT_PATIENCE_MS;
}

void retry_decide(const struct retry_input *in, const struct retry_policy *pol,
                  double jitter, struct retry_decision *out)
{
    bool retry = false;
    enum retry_reason reason;

    memset(out, 0, sizeof(*out));
    out->rate_limited = is_rate_limit(in);

    if (in->curl_code != 0) {
        reason = retry_curl_class(in->curl_code);
        if (reason == RETRY_TLS || reason == RETRY_TOO_BIG ||
            reason == RETRY_LOCAL) {
            retry = false;
        }
        else if (header_applies(in)) {
            retry = in->should_retry == RETRY_HEADER_TRUE;
            reason = retry ? RETRY_HEADER_YES : RETRY_HEADER_NO;
        }
        else {
            retry = true;
        }
    }
    else if (in->status >= 200 && in->status < 300 && in->body_json) {
        reason = RETRY_SUCCESS;
    }
    else if (header_applies(in)) {
        retry = in->should_retry == RETRY_HEADER_TRUE;
        reason = retry ? RETRY_HEADER_YES : RETRY_HEADER_NO;
    }
    else {
        reason = http_reason(in, &retry);
    }

    out->reason = reason;
    if (retry && in->attempt >= in->max_attempts &&
        !sharing_budget(in, out->rate_limited)) {
        out->exhausted = true;
        retry = false;
    }
    out->retry = retry;
    if (!retry) {
        return;
    }
    /* past max_attempts (a shared budget), the last ordinary delay */
    out->delay_ms = retry_backoff_ms(
        pol,
        in->attempt < in->max_attempts ? in->attempt : in->max_attempts - 1,
        jitter);
    if (out->rate_limited && out->delay_ms < RATE_LIMIT_MIN_DELAY_MS) {
        out->delay_ms = RATE_LIMIT_MIN_DELAY_MS;
    }
    if (in->retry_after_ms >= 0) {
        long ra = in->retry_after_ms < RETRY_AFTER_MAX_MS ? in->retry_after_ms
                                                          : RETRY_AFTER_MAX_MS;

        if (out->delay_ms < ra) {
            out->delay_ms = ra;
        }
    }
}
