/* SPDX-License-Identifier: MIT */
/*
 * struct adapter: the HTTP adapter layer.  Every request to Stripe goes
 * through it.  It runs requests on libcurl's multi interface (one CURLM,
 * a pool of reused easy handles, connections kept alive), many in flight
 * at once, and hands each request back to its caller as it completes.
 *
 * What it does for every request:
 *  - headers: "Authorization: Bearer <credential>" (adapter/auth.h),
 *    "Stripe-Account: <acct>" when the profile names an account, the
 *    adapter config's own headers (e.g. Stripe-Version), a User-Agent,
 *    "Accept: application/json";
 *  - pacing: the rate limiter (adapter/ratelimit.h) decides when each
 *    queued request starts (global and per-endpoint buckets, an in-flight
 *    cap, slow-down on 429);
 *  - retries: the pure policy of adapter/retry.h, with backoff; every
 *    retry is logged at info level with the endpoint, the status or curl
 *    error, and the Request-Id; a 401 on an OAuth token renews the token
 *    once and tries again;
 *  - the reply: body into a capped buffer (cfg max_response_bytes), the
 *    Request-Id and the Date header (Stripe's clock) kept.
 *
 * Ownership: the caller owns each struct http_req and must keep it alive
 * (and untouched) from adapter_submit() until adapter_next() returns it.
 * 'path' and 'form' are owned by the request (freed by http_req_reset()
 * and http_req_release()); 'endpoint' and 'user' are borrowed.  The
 * profile given to adapter_open() is borrowed and must outlive the
 * adapter.  A request struct may be reused for another request after it
 * was returned: http_req_reset() keeps its body's memory, so a reader
 * that reuses its requests allocates no response buffers after warm-up.
 *
 * Errors: a completed request carries its outcome in 'err': ERR_NONE for
 * a 2xx with a JSON body; ERR_AUTH for 401/403 (and OAuth failures);
 * ERR_API for other statuses and failures after retries; ERR_DATA for a
 * reply that is not what Stripe sends (not JSON after retries, or larger
 * than the cap).  Messages name the method, the path, the status, Stripe's
 * error message and the Request-Id, e.g.
 *   GET /v1/payouts: 403 Forbidden: The provided key 'rk_test_...' does
 *   not have ... 'rak_payout_read' ... (Request-Id req_abc)
 * They pass through the redactor before they are printed (cli), and never
 * contain a header value.
 *
 * Not thread-safe: one adapter per thread.
 */
#ifndef ADAPTER_ADAPTER_H
#define ADAPTER_ADAPTER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

struct profile;
struct adapter;

struct http_req {
    /* set by the caller */
    char *path;           /* "/v1/charges?limit=100&..." (owned) */
    const char *endpoint; /* rate-limit bucket key, e.g. "/v1/charges"
                           * (borrowed); NULL: url_endpoint(path) */
    char *form;           /* POST body (x-www-form-urlencoded), or NULL
                           * for GET (owned) */
    void *user;           /* the caller's cookie (borrowed) */
    bool keep_headers;    /* collect the response headers in 'headers' */
    /*
     * The caller parses a 2xx body itself and reports a malformed one: the
     * adapter then checks only its shape (an object or array from the
     * first to the last character), enough to retry HTML pages and cut
     * bodies, instead of walking every byte a second time.
     */
    bool caller_parses;

    /* filled by the adapter when the request completes (after retries) */
    long status;         /* HTTP status of the final attempt, 0 if none */
    struct buf body;     /* capped at max_response_bytes; memory reused */
    struct buf headers;  /* raw header lines of the final attempt, when
                          * keep_headers (status line included) */
    char request_id[96]; /* Request-Id of the final attempt, "" if none */
    int64_t server_date; /* its Date header, unix seconds, 0 if absent */
    int attempts;        /* attempts made (1 = no retry) */
    long elapsed_ms;     /* from submit to completion */
    struct err err;      /* kind ERR_NONE on success (2xx, JSON) */

    /* adapter-private bookkeeping: do not touch */
    struct {
        int ep;                /* rate-limit endpoint id */
        unsigned token_gen;    /* credential generation of the attempt */
        bool renewed;          /* a 401 already renewed the credential */
        int64_t submitted_us;  /* monotonic */
        int64_t first_us;      /* its first attempt started */
        long ok_all, ok_ep;    /* the limiter's successes (all; on ep)
                                * when the last attempt ended, or at
                                * submit: see adapter/retry.h */
        struct http_req *next; /* completed-list link */
    } priv;
};

#define HTTP_REQ_INIT                                                          \
    {                                                                          \
        .body = BUF_INIT, .headers = BUF_INIT, .err = ERR_INIT, .priv = {      \
            .ep = -1                                                           \
        }                                                                      \
    }

void http_req_init(struct http_req *req);
/*
 * Free 'path' and 'form' and clear every result, but keep the memory of
 * 'body' and 'headers' for the next request.  'user', 'endpoint' and
 * 'keep_headers' are kept too.
 */
void http_req_reset(struct http_req *req);
/* Free everything the request owns.  Idempotent. */
void http_req_release(struct http_req *req);

struct adapter_stats {
    long requests;         /* attempts sent (retries included) */
    long completed;        /* requests handed back */
    long retries;          /* attempts that were retries */
    long rate_limited_429; /* 429s that were rate limits */
    long lock_timeout_429; /* 429s with code lock_timeout */
    long errors;           /* requests handed back with an error */
    long token_renewals;   /* OAuth renewals after a 401 */
    long bytes;            /* response body bytes received */
    double global_budget;  /* the global pace configured (requests/s, 0:
                            * unlimited): Stripe's limit times the share */
    double global_pace;    /* the pace now, after slow-downs for 429s */
};

/*
 * Check the adapter config of 'p' (base URL https unless loopback; the
 * loader checks too: defence in depth), make sure a credential is ready
 * (OAuth: may refresh, see adapter/auth.h), and set up libcurl.
 * -1 with ERR_CONFIG, ERR_AUTH, ERR_API or ERR_IO.
 */
int adapter_open(struct adapter **out, const struct profile *p,
                 struct err *err);
/* NULL-safe; abandons queued and in-flight requests (never returned). */
void adapter_close(struct adapter *a);

/*
 * Queue 'req' (its 'path' set).  The rate limiter decides when it starts.
 * The results of an earlier use of 'req' are cleared.
 */
void adapter_submit(struct adapter *a, struct http_req *req);

/*
 * Run transfers until a submitted request completes and return it (in
 * completion order), or return NULL when 'timeout_ms' passes first
 * (timeout_ms < 0: no limit).  Returns NULL at once when nothing is
 * queued, in flight or waiting for a retry.
 */
struct http_req *adapter_next(struct adapter *a, int timeout_ms);

/* Requests queued + in flight + waiting for a retry + completed but not
 * yet returned by adapter_next(). */
int adapter_pending(const struct adapter *a);

/*
 * Abandon every request not yet returned: queued, waiting for a retry,
 * in flight (its transfer is stopped) or completed but not yet handed
 * back.  None of them will be returned; their structs are the caller's
 * again (results undefined: reset or release them).  The adapter stays
 * usable.
 */
void adapter_cancel(struct adapter *a);

/*
 * Submit 'req' and wait for it.  Returns 0 on success, or -1 with
 * req->err copied into 'err'.  Other requests that complete meanwhile
 * stay queued for adapter_next().
 */
int adapter_perform(struct adapter *a, struct http_req *req, struct err *err);

const struct adapter_stats *adapter_stats(struct adapter *a);

/*
 * Act for 'account' (Stripe-Account; NULL or "": the key's own account)
 * from the next request on.  Call it with no request in flight.  With
 * the adapter setting rateLimit.connectedAccounts: per-account, the rate
 * limiter starts afresh for the account (its own budget); with shared
 * (the default), every account spends the one budget of the key.
 */
void adapter_set_account(struct adapter *a, const char *account);

/*
 * Stripe's clock: the newest Date header seen (unix seconds), 0 before
 * the first response.  adapter_clock_skew() is Stripe's clock minus the
 * host's at that response (seconds; positive: the host is behind).
 */
int64_t adapter_server_time(const struct adapter *a);
int64_t adapter_clock_skew(const struct adapter *a);

/* The credential in use (borrowed; for masked display only). */
const char *adapter_credential(const struct adapter *a);

#endif
