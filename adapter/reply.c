/* SPDX-License-Identifier: MIT */
/*
 * What a reply means: the libcurl callbacks that fill the request (body
 * into the capped buffer, the headers the policy needs), and the
 * judgement of a completed attempt through the retry policy.
 */
#include "core/compat.h"
#include "adapter/adapter_int.h"

#include <limits.h>
#include <strings.h>
#include <time.h>

#include "adapter/apierror.h"
#include "adapter/auth.h"
#include "adapter/jsonvalid.h"
#include "adapter/ratelimit.h"
#include "core/log.h"
#include "core/sat.h"
#include "profiles/profile.h"

#define SKEW_WARN_SECS 300

/* A number in [0, 1) for the backoff jitter (xorshift64*). */
static double next_jitter(struct adapter *a)
{
    a->rng ^= a->rng >> 12;
    a->rng ^= a->rng << 25;
    a->rng ^= a->rng >> 27;
    return (double)((a->rng * 2685821657736338717ULL) >> 11) /
           9007199254740992.0;
}

size_t reply_on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct xfer *x = ctx;

    if (buf_add(&x->req->body, data, size * n) < 0) {
        x->too_big = true;
        return 0; /* abort the transfer: CURLE_WRITE_ERROR */
    }
    return size * n;
}

/* 'value' of "Name: value\r\n" when 'line' has that name, else NULL. */
static const char *header_value(const char *line, size_t len, const char *name,
                                size_t *vlen)
{
    size_t n = strlen(name);
    const char *v;

    if (len <= n || line[n] != ':' || strncasecmp(line, name, n)) {
        return NULL;
    }
    v = line + n + 1;
    len -= n + 1;
    while (len && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
                   v[len - 1] == ' ' || v[len - 1] == '\t')) {
        len--;
    }
    *vlen = len;
    return v;
}

static void copy_value(char *out, size_t size, const char *v, size_t len)
{
    if (len >= size) {
        len = size - 1;
    }
    memcpy(out, v, len);
    out[len] = '\0';
}

enum reply_header {
    H_REQUEST_ID,
    H_SHOULD_RETRY,
    H_RETRY_AFTER,
    H_DATE,
    H_RATE_LIMITED_REASON,
    H_OTHER
};

static const char *const reply_headers[] = {
    [H_REQUEST_ID] = "Request-Id",
    [H_SHOULD_RETRY] = "Stripe-Should-Retry",
    [H_RETRY_AFTER] = "Retry-After",
    [H_DATE] = "Date",
    [H_RATE_LIMITED_REASON] = "Stripe-Rate-Limited-Reason",
};

/*
 * Retry-After: delta-seconds or an HTTP date; -1 when unreadable.  The
 * arithmetic saturates: a huge value means "a long time" (the retry
 * policy caps it), never a wrapped-around short or negative wait.
 */
static long retry_after_ms(const char *value)
{
    char *end;
    long long secs;
    int64_t ms;
    time_t t, now;

    errno = 0;
    secs = strtoll(value, &end, 10);
    if (end != value && !*end && secs >= 0) {
        /* ERANGE: clamped to LLONG_MAX by strtoll, saturated below */
        ms = sat_mul(secs, 1000);
    }
    else {
        t = curl_getdate(value, NULL);
        if (t <= 0) {
            return -1;
        }
        now = time(NULL);
        ms = t > now ? sat_mul(sat_sub(t, now), 1000) : 0;
    }
    return ms < LONG_MAX ? (long)ms : LONG_MAX;
}

static void parse_header(struct xfer *x, const char *line, size_t len)
{
    struct http_req *req = x->req;
    enum reply_header h = H_OTHER;
    const char *v = NULL;
    size_t vlen = 0;
    char value[128];
    time_t t;

    for (size_t i = 0; i < ARRAY_SIZE(reply_headers) && !v; i++) {
        v = header_value(line, len, reply_headers[i], &vlen);
        h = (enum reply_header)i;
    }
    if (!v) {
        return;
    }
    copy_value(value, sizeof(value), v, vlen);
    switch (h) {
    case H_REQUEST_ID:
        copy_value(req->request_id, sizeof(req->request_id), v, vlen);
        break;
    case H_SHOULD_RETRY:
        x->should_retry = !strcasecmp(value, "true")    ? RETRY_HEADER_TRUE
                          : !strcasecmp(value, "false") ? RETRY_HEADER_FALSE
                                                        : RETRY_HEADER_ABSENT;
        break;
    case H_RETRY_AFTER:
        x->retry_after_ms = retry_after_ms(value);
        break;
    case H_DATE:
        t = curl_getdate(value, NULL);
        req->server_date = t > 0 ? (int64_t)t : 0;
        break;
    case H_RATE_LIMITED_REASON:
        copy_value(x->rl_reason, sizeof(x->rl_reason), v, vlen);
        break;
    case H_OTHER:
        break;
    }
}

size_t reply_on_header(char *data, size_t size, size_t n, void *ctx)
{
    struct xfer *x = ctx;
    size_t len = size * n;

    if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
        /* a new response (after a 1xx, say): forget the last one's */
        x->should_retry = RETRY_HEADER_ABSENT;
        x->retry_after_ms = -1;
        x->rl_reason[0] = '\0';
        x->req->request_id[0] = '\0';
        x->req->server_date = 0;
        buf_reset(&x->req->headers);
    }
    if (x->req->keep_headers && x->req->headers.len + len < HEADERS_MAX_BYTES) {
        buf_add(&x->req->headers, data, len);
    }
    parse_header(x, data, len);
    return len;
}

/* ---- a completed attempt ---------------------------------------------- */

static const char *method_of(const struct http_req *req)
{
    return req->form ? "POST" : "GET";
}

/* The path without its query, for messages. */
static void shown_path(const struct http_req *req, char *out, size_t size)
{
    const char *path = req->path ? req->path : "/";

    snprintf(out, size, "%.*s", (int)strcspn(path, "?#"), path);
}

/* "(Request-Id X; gave up after N attempts)", or "" */
static void suffix(const struct http_req *req, bool exhausted, char *out,
                   size_t size)
{
    bool rid = req->request_id[0] != '\0';

    if (!rid && !exhausted) {
        out[0] = '\0';
        return;
    }
    snprintf(out, size, " (%s%s%s%s)", rid ? "Request-Id " : "",
             rid ? req->request_id : "", rid && exhausted ? "; " : "",
             exhausted ? "gave up after " : "");
    if (exhausted) {
        size_t len = strlen(out);

        snprintf(out + len - 1, size - len + 1, "%d attempts)", req->attempts);
    }
}

static void set_final_error(struct adapter *a, struct http_req *req,
                            struct xfer *x, int rc,
                            const struct retry_decision *d,
                            const struct api_error *e)
{
    char path[512], sfx[160];
    const char *m = method_of(req);

    shown_path(req, path, sizeof(path));
    suffix(req, d->exhausted, sfx, sizeof(sfx));
    if (d->reason == RETRY_TOO_BIG) {
        err_set(&req->err, ERR_DATA,
                "response from '%s' is larger than the %zu-byte limit%s", path,
                a->cfg->max_response_bytes, sfx);
    }
    else if (rc != CURLE_OK) {
        err_set(&req->err, ERR_API, "%s %s: %s%s%s", m, path,
                d->reason == RETRY_TLS ? "TLS verification failed: " : "",
                x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc), sfx);
    }
    else if (req->status >= 200 && req->status < 300) {
        err_set(&req->err, ERR_DATA, "%s %s: %ld %s: the reply is not JSON%s",
                m, path, req->status, http_status_text(req->status), sfx);
    }
    else {
        const char *msg = e->message[0] ? e->message
                          : e->json     ? "no error message"
                                        : "the reply is not JSON";
        enum err_kind kind =
            req->status == 401 || req->status == 403 ? ERR_AUTH : ERR_API;

        /* the whole connected account is out of reach, not one stream */
        if (req->status == 403 && !strcmp(e->code, "account_invalid")) {
            kind = ERR_ACCOUNT;
        }
        err_set(&req->err, kind, "%s %s: %ld%s%s: %s%s", m, path, req->status,
                http_status_text(req->status)[0] ? " " : "",
                http_status_text(req->status), msg, sfx);
    }
}

static void push_done(struct adapter *a, struct http_req *req, int64_t now)
{
    req->elapsed_ms = (long)((now - req->priv.submitted_us) / 1000);
    req->priv.next = NULL;
    if (a->done_tail) {
        a->done_tail->priv.next = req;
    }
    else {
        a->done_head = req;
    }
    a->done_tail = req;
    a->nr_done++;
    if (req->err.kind != ERR_NONE) {
        a->stats.errors++;
    }
}

static void note_date(struct adapter *a, const struct http_req *req)
{
    int64_t skew;

    if (!req->server_date || req->server_date < a->server_time) {
        return;
    }
    a->server_time = req->server_date;
    skew = req->server_date - (int64_t)time(NULL);
    a->skew = skew;
    if (!a->skew_warned && (skew > SKEW_WARN_SECS || skew < -SKEW_WARN_SECS)) {
        a->skew_warned = true;
        log_info("the host's clock is %lld s %s Stripe's; time windows "
                 "follow Stripe's clock",
                 (long long)(skew > 0 ? skew : -skew),
                 skew > 0 ? "behind" : "ahead of");
    }
}

/* A 401 with an OAuth token: renew it once.  0: try the request again. */
static int renew_credential(struct adapter *a, struct http_req *req)
{
    unsigned before = auth_generation(a->auth);

    if (a->auth_failed) {
        req->err = a->auth_err;
        return -1;
    }
    if (auth_renew(a->auth, req->priv.token_gen, &a->auth_err) < 0) {
        a->auth_failed = true;
        req->err = a->auth_err;
        return -1;
    }
    if (auth_generation(a->auth) != before) {
        a->stats.token_renewals++;
    }
    return 0;
}

static void log_attempt(const struct http_req *req, const struct xfer *x,
                        int rc, int64_t now)
{
    long ms = (long)((now - x->started_us) / 1000);

    if (rc != CURLE_OK) {
        log_debug("%s %s -> %s (%ld ms%s%s)", method_of(req), req->path,
                  x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc), ms,
                  req->request_id[0] ? ", " : "", req->request_id);
        return;
    }
    log_debug("%s %s -> %ld (%ld ms, %s)", method_of(req), req->path,
              req->status, ms,
              req->request_id[0] ? req->request_id : "no Request-Id");
}

static void log_retry(const struct http_req *req, const struct xfer *x, int rc,
                      const struct retry_decision *d,
                      const struct adapter_cfg *cfg)
{
    char path[512], what[CURL_ERROR_SIZE + 32], which[160];

    shown_path(req, path, sizeof(path));
    if (rc != CURLE_OK) {
        snprintf(what, sizeof(what), "%s",
                 x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
    }
    else {
        snprintf(what, sizeof(what), "%ld %s", req->status,
                 http_status_text(req->status));
    }
    if (req->attempts >= cfg->max_attempts) {
        snprintf(which, sizeof(which),
                 "retry %d in %ld ms, past retry.maxAttempts %d: the rate "
                 "limit is shared and other requests get through (for up to "
                 "%ld s)",
                 req->attempts, d->delay_ms, cfg->max_attempts,
                 RETRY_RATE_LIMIT_PATIENCE_MS / 1000);
    }
    else {
        snprintf(which, sizeof(which), "retry %d of %d in %ld ms",
                 req->attempts, cfg->max_attempts - 1, d->delay_ms);
    }
    log_info("%s %s: %s (%s; Request-Id %s); %s", method_of(req), path, what,
             retry_reason_name(d->reason),
             req->request_id[0] ? req->request_id : "none", which);
}

static void note_429(struct adapter *a, const struct http_req *req,
                     const struct xfer *x, const struct retry_decision *d,
                     int64_t now)
{
    if (req->status != 429) {
        if (d->rate_limited) {
            a->stats.rate_limited_429++; /* legacy 400 rate_limit */
            rl_throttled(a->rl, req->priv.ep, rl_scope_parse(x->rl_reason),
                         now);
        }
        return;
    }
    if (d->rate_limited) {
        a->stats.rate_limited_429++;
        rl_throttled(a->rl, req->priv.ep, rl_scope_parse(x->rl_reason), now);
    }
    else {
        a->stats.lock_timeout_429++;
    }
}

/*
 * Whether other requests got through the budget a 429 would name (the
 * endpoint's for an endpoint-rate 429, else the account's) since this
 * request's previous attempt ended; moves the request's marks on.
 */
static bool others_succeeded(struct adapter *a, struct http_req *req,
                             const struct xfer *x)
{
    long all = rl_successes(a->rl, -1), ep = rl_successes(a->rl, req->priv.ep);
    bool others = rl_scope_parse(x->rl_reason) == RL_SCOPE_ENDPOINT
                      ? ep != req->priv.ok_ep
                      : all != req->priv.ok_all;

    req->priv.ok_all = all;
    req->priv.ok_ep = ep;
    return others;
}

void reply_complete(struct adapter *a, struct xfer *x, struct http_req *req,
                    int rc)
{
    struct retry_input in;
    struct retry_decision d;
    struct api_error e;
    int64_t now = adapter_now_us();

    memset(&e, 0, sizeof(e));
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &req->status);
    a->stats.bytes += (long)req->body.len;
    note_date(a, req);
    log_attempt(req, x, rc, now);

    memset(&in, 0, sizeof(in));
    in.attempt = req->attempts;
    in.max_attempts = a->cfg->max_attempts;
    in.curl_code = rc;
    in.status = req->status;
    in.should_retry = x->should_retry;
    in.retry_after_ms = x->retry_after_ms;
    in.others_succeeded = others_succeeded(a, req, x);
    in.elapsed_ms = (long)((now - req->priv.first_us) / 1000);
    if (x->too_big) {
        in.curl_code = CURLE_WRITE_ERROR;
    }
    if (rc == CURLE_OK && req->status >= 200 && req->status < 300) {
        in.body_json = req->caller_parses
                           ? json_shape_ok(req->body.buf, req->body.len)
                           : json_valid(req->body.buf, req->body.len);
    }
    else if (rc == CURLE_OK) {
        api_error_parse(req->body.buf, req->body.len, &e);
        in.body_json = e.json;
        in.error_code = e.code[0] ? e.code : NULL;
    }
    retry_decide(&in,
                 &(struct retry_policy){ a->cfg->backoff_initial_ms,
                                         a->cfg->backoff_max_ms },
                 next_jitter(a), &d);
    note_429(a, req, x, &d, now);
    if (d.reason == RETRY_SUCCESS) {
        rl_succeeded(a->rl, req->priv.ep);
    }

    if (rc == CURLE_OK && req->status == 401 && auth_renewable(a->auth) &&
        !req->priv.renewed) {
        req->priv.renewed = true;
        if (renew_credential(a, req) == 0) {
            rl_enqueue(a->rl, req->priv.ep, req, now, now);
            return;
        }
        push_done(a, req, now);
        return;
    }
    if (d.retry) {
        log_retry(req, x, rc, &d, a->cfg);
        rl_enqueue(a->rl, req->priv.ep, req, now + d.delay_ms * 1000, now);
        return;
    }
    if (d.reason != RETRY_SUCCESS) {
        set_final_error(a, req, x, rc, &d, &e);
    }
    push_done(a, req, now);
}
