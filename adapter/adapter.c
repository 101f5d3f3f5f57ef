/* SPDX-License-Identifier: MIT */
/*
 * The adapter's lifecycle and its multi loop: open (credential, libcurl,
 * the transfer slots), submit, start what the rate limiter allows, run
 * transfers, hand completed requests back.  What a reply means is in
 * reply.c.
 */
#include "core/compat.h"
#include "adapter/adapter_int.h"

#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "adapter/auth.h"
#include "adapter/easy.h"
#include "adapter/ratelimit.h"
#include "adapter/url.h"
#include "core/xalloc.h"
#include "profiles/profile.h"

int64_t adapter_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void http_req_init(struct http_req *req)
{
    struct http_req blank = HTTP_REQ_INIT;

    *req = blank;
}

static void clear_results(struct http_req *req)
{
    req->status = 0;
    buf_reset(&req->body);
    buf_reset(&req->headers);
    req->request_id[0] = '\0';
    req->server_date = 0;
    req->attempts = 0;
    req->elapsed_ms = 0;
    err_clear(&req->err);
}

void http_req_reset(struct http_req *req)
{
    FREE_AND_NULL(req->path);
    FREE_AND_NULL(req->form);
    clear_results(req);
    req->priv.ep = -1;
    req->priv.renewed = false;
    req->priv.next = NULL;
}

void http_req_release(struct http_req *req)
{
    http_req_reset(req);
    buf_release(&req->body);
    buf_release(&req->headers);
}

/* ---- headers ---------------------------------------------------------- */

static struct curl_slist *add_header(struct curl_slist *l, const char *name,
                                     const char *value)
{
    struct buf line = BUF_INIT;
    struct curl_slist *n;

    buf_addf(&line, "%s: %s", name, value);
    n = curl_slist_append(l, line.buf);
    memset(line.buf, 0, line.len); /* it may hold the credential */
    buf_release(&line);
    if (!n) {
        fprintf(stderr, "stripe-reader: out of memory\n");
        abort();
    }
    return n;
}

static void build_headers(struct adapter *a)
{
    struct curl_slist *l = NULL;
    struct buf auth = BUF_INIT;

    buf_addf(&auth, "Bearer %s", auth_token(a->auth));
    l = add_header(l, "Authorization", auth.buf);
    memset(auth.buf, 0, auth.len);
    buf_release(&auth);
    if (a->account) {
        l = add_header(l, "Stripe-Account", a->account);
    }
    for (size_t i = 0; i < a->cfg->nr_headers; i++) {
        l = add_header(l, a->cfg->headers[i].name, a->cfg->headers[i].value);
    }
    l = add_header(l, "Accept", "application/json");
    if (a->headers) {
        ALLOC_GROW(a->retired, a->nr_retired + 1, a->alloc_retired);
        a->retired[a->nr_retired++] = a->headers;
    }
    a->headers = l;
    a->headers_gen = auth_generation(a->auth);
}

static void free_retired(struct adapter *a)
{
    for (size_t i = 0; i < a->nr_retired; i++) {
        curl_slist_free_all(a->retired[i]);
    }
    a->nr_retired = 0;
}

/* ---- open / close ----------------------------------------------------- */

static void setup_xfer(struct adapter *a, struct xfer *x)
{
    buf_init(&x->url, 0);
    x->easy = curl_easy_init();
    if (!x->easy) {
        fprintf(stderr, "stripe-reader: out of memory\n");
        abort();
    }
    easy_setup(x->easy, a->cfg);
    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, reply_on_body);
    curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, reply_on_header);
    curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
}

#define RECOVER_SECS 60.0

static struct rl_config rl_config_of(const struct adapter_cfg *cfg)
{
    struct rl_config rc;

    memset(&rc, 0, sizeof(rc));
    /* the account's limits are shared with the merchant's own traffic:
     * use only the configured share of them */
    rc.global_rps = cfg->global_rps * cfg->global_share;
    rc.endpoint_rps = cfg->endpoint_rps * cfg->endpoint_share;
    rc.max_in_flight = cfg->max_in_flight;
    /*
     * A 429 for the global limit means someone else needs the budget now:
     * the pace drops by 30 % at once and climbs back slowly, from nothing
     * to the full share in RECOVER_SECS, so that probing upward costs the
     * co-tenant little.
     */
    rc.recover_secs = RECOVER_SECS;
    return rc;
}

int adapter_open(struct adapter **out, const struct profile *p, struct err *err)
{
    struct adapter *a = NULL;
    struct rl_config rc;

    *out = NULL;
    /* the loader checked it; a profile built in code is checked here */
    if (profile_check_url(p->adapter.base_url, false, "base URL", err) < 0) {
        return -1;
    }
    easy_global_init();
    a = xcalloc(1, sizeof(*a));
    a->p = p;
    a->cfg = &p->adapter;
    if (p->account_id && *p->account_id) {
        a->account = xstrdup(p->account_id);
    }
    if (auth_open(&a->auth, p, err) < 0 || auth_ready(a->auth, err) < 0) {
        adapter_close(a);
        return -1;
    }
    rc = rl_config_of(a->cfg);
    a->rl = rl_new(&rc, adapter_now_us());
    a->multi = curl_multi_init();
    if (!a->multi) {
        adapter_close(a);
        return err_set(err, ERR_INTERNAL, "cannot create a curl handle");
    }
    a->nr_xfers = a->cfg->max_in_flight > 0 ? a->cfg->max_in_flight : 1;
    curl_multi_setopt(a->multi, CURLMOPT_MAXCONNECTS, (long)a->nr_xfers);
    a->xfers = xcalloc((size_t)a->nr_xfers, sizeof(*a->xfers));
    for (int i = 0; i < a->nr_xfers; i++) {
        setup_xfer(a, &a->xfers[i]);
    }
    build_headers(a);
    a->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^
             (uint64_t)(uintptr_t)a;
    if (!a->rng) {
        a->rng = 88172645463325252ULL;
    }
    *out = a;
    return 0;
}

void adapter_close(struct adapter *a)
{
    if (!a) {
        return;
    }
    for (int i = 0; i < a->nr_xfers; i++) {
        struct xfer *x = &a->xfers[i];

        if (x->req && a->multi) {
            curl_multi_remove_handle(a->multi, x->easy);
        }
        curl_easy_cleanup(x->easy);
        buf_release(&x->url);
    }
    free(a->xfers);
    if (a->multi) {
        curl_multi_cleanup(a->multi);
    }
    curl_slist_free_all(a->headers);
    free_retired(a);
    free(a->retired);
    rl_free(a->rl);
    auth_close(a->auth);
    free(a->account);
    free(a);
}

void adapter_set_account(struct adapter *a, const char *account)
{
    struct rl_config rc;

    free(a->account);
    a->account = account && *account ? xstrdup(account) : NULL;
    build_headers(a);
    if (a->cfg->account_budget == ADAPTER_BUDGET_PER_ACCOUNT) {
        /* each account has its own limits: start from a full bucket */
        rc = rl_config_of(a->cfg);
        rl_free(a->rl);
        a->rl = rl_new(&rc, adapter_now_us());
    }
}

/* ---- submitting and starting ------------------------------------------ */

void adapter_submit(struct adapter *a, struct http_req *req)
{
    char ep[128];
    int64_t now = adapter_now_us();

    clear_results(req);
    req->body.cap = a->cfg->max_response_bytes;
    if (req->endpoint) {
        snprintf(ep, sizeof(ep), "%s", req->endpoint);
    }
    else {
        url_endpoint(req->path ? req->path : "/", ep, sizeof(ep));
    }
    req->priv.ep = rl_endpoint(a->rl, ep);
    req->priv.renewed = false;
    req->priv.submitted_us = now;
    req->priv.ok_all = rl_successes(a->rl, -1);
    req->priv.ok_ep = rl_successes(a->rl, req->priv.ep);
    req->priv.next = NULL;
    rl_enqueue(a->rl, req->priv.ep, req, now, now);
}

static struct xfer *free_slot(struct adapter *a)
{
    for (int i = 0; i < a->nr_xfers; i++) {
        if (!a->xfers[i].req) {
            return &a->xfers[i];
        }
    }
    return NULL;
}

static void start(struct adapter *a, struct http_req *req, int64_t now)
{
    struct xfer *x = free_slot(a);
    const char *base = a->cfg->base_url;
    size_t blen = strlen(base);
    const char *path = req->path ? req->path : "/";

    /* the limiter's in-flight cap never exceeds the number of slots */
    x->req = req;
    x->should_retry = RETRY_HEADER_ABSENT;
    x->retry_after_ms = -1;
    x->rl_reason[0] = '\0';
    x->too_big = false;
    x->errbuf[0] = '\0';
    x->started_us = now;
    if (++req->attempts == 1) {
        req->priv.first_us = now;
    }
    req->status = 0;
    req->request_id[0] = '\0';
    req->server_date = 0;
    buf_reset(&req->body);
    buf_reset(&req->headers);
    a->stats.requests++;
    if (req->attempts > 1) {
        a->stats.retries++;
    }
    if (auth_generation(a->auth) != a->headers_gen) {
        build_headers(a);
    }
    req->priv.token_gen = a->headers_gen;

    buf_reset(&x->url);
    while (blen && base[blen - 1] == '/') {
        blen--;
    }
    buf_add(&x->url, base, blen);
    if (path[0] != '/') {
        buf_addch(&x->url, '/');
    }
    buf_addstr(&x->url, path);
    curl_easy_setopt(x->easy, CURLOPT_URL, x->url.buf);
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, a->headers);
    if (req->form) {
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, req->form);
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE,
                         (long)strlen(req->form));
    }
    else {
        curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
    }
    curl_multi_add_handle(a->multi, x->easy);
    a->in_flight++;
}

/* Start what the limiter allows; returns its wait (us, -1: none). */
static int64_t start_ready(struct adapter *a)
{
    int64_t now = adapter_now_us();
    int64_t wait = -1;
    struct http_req *req;
    int ep;

    while (a->in_flight < a->nr_xfers) {
        req = rl_next(a->rl, now, &ep, &wait);
        if (!req) {
            break;
        }
        start(a, req, now);
    }
    return wait;
}

static int drain(struct adapter *a)
{
    CURLMsg *msg;
    int left, n = 0;

    for (;;) {
        struct xfer *x = NULL;

        msg = curl_multi_info_read(a->multi, &left);
        if (!msg) {
            break;
        }
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        if (x && x->req) {
            struct http_req *req = x->req;

            /* free the slot first: a retry or a renewal may reuse it */
            curl_multi_remove_handle(a->multi, x->easy);
            x->req = NULL;
            a->in_flight--;
            rl_done(a->rl);
            if (!a->in_flight) {
                free_retired(a);
            }
            reply_complete(a, x, req, msg->data.result);
            n++;
        }
    }
    return n;
}

static struct http_req *pop_done(struct adapter *a)
{
    struct http_req *req = a->done_head;

    a->done_head = req->priv.next;
    if (!a->done_head) {
        a->done_tail = NULL;
    }
    req->priv.next = NULL;
    a->nr_done--;
    a->stats.completed++;
    return req;
}

static int ms_of(int64_t us)
{
    if (us <= 0) {
        return 0;
    }
    if (us > (int64_t)INT32_MAX * 1000) {
        return INT32_MAX;
    }
    return (int)((us + 999) / 1000);
}

struct http_req *adapter_next(struct adapter *a, int timeout_ms)
{
    int64_t deadline =
        timeout_ms >= 0 ? adapter_now_us() + (int64_t)timeout_ms * 1000 : -1;

    for (;;) {
        int64_t wait_us, now;
        long curl_ms = -1;
        int running, poll_ms;

        if (a->done_head) {
            return pop_done(a);
        }
        if (!rl_queued(a->rl) && !a->in_flight) {
            return NULL;
        }
        wait_us = start_ready(a);
        curl_multi_perform(a->multi, &running);
        if (drain(a) > 0) {
            continue;
        }
        now = adapter_now_us();
        if (deadline >= 0 && now >= deadline) {
            return NULL;
        }
        poll_ms = wait_us >= 0 ? ms_of(wait_us) : -1;
        curl_multi_timeout(a->multi, &curl_ms);
        if (curl_ms >= 0 && (poll_ms < 0 || curl_ms < poll_ms)) {
            poll_ms = (int)curl_ms;
        }
        if (deadline >= 0 && (poll_ms < 0 || ms_of(deadline - now) < poll_ms)) {
            poll_ms = ms_of(deadline - now);
        }
        if (poll_ms < 0 || poll_ms > 1000) {
            poll_ms = 1000;
        }
        curl_multi_poll(a->multi, NULL, 0, poll_ms, NULL);
    }
}

void adapter_cancel(struct adapter *a)
{
    for (int i = 0; i < a->nr_xfers; i++) {
        struct xfer *x = &a->xfers[i];

        if (!x->req) {
            continue;
        }
        curl_multi_remove_handle(a->multi, x->easy);
        rl_done(a->rl);
        x->req = NULL;
        a->in_flight--;
    }
    free_retired(a);
    rl_clear(a->rl);
    a->done_head = a->done_tail = NULL;
    a->nr_done = 0;
}

int adapter_pending(const struct adapter *a)
{
    return (int)rl_queued(a->rl) + a->in_flight + a->nr_done;
}

int adapter_perform(struct adapter *a, struct http_req *req, struct err *err)
{
    struct http_req *others = NULL, *last = NULL, *got;

    adapter_submit(a, req);
    for (;;) {
        got = adapter_next(a, -1);
        if (!got || got == req) {
            break;
        }
        /* someone else's: keep it for their adapter_next() */
        a->stats.completed--;
        got->priv.next = NULL;
        if (last) {
            last->priv.next = got;
        }
        else {
            others = got;
        }
        last = got;
    }
    if (others) {
        int n = 0;

        for (struct http_req *r = others; r; r = r->priv.next) {
            n++;
        }
        last->priv.next = a->done_head;
        a->done_head = others;
        if (!a->done_tail) {
            a->done_tail = last;
        }
        a->nr_done += n;
    }
    if (!got) {
        return err_set(err, ERR_INTERNAL, "request lost by the adapter");
    }
    if (req->err.kind != ERR_NONE) {
        if (err) {
            *err = req->err;
        }
        return -1;
    }
    return 0;
}

const struct adapter_stats *adapter_stats(struct adapter *a)
{
    a->stats.global_budget = a->cfg->global_rps * a->cfg->global_share;
    a->stats.global_pace = rl_rate(a->rl, -1, adapter_now_us());
    return &a->stats;
}

int64_t adapter_server_time(const struct adapter *a)
{
    return a->server_time;
}

int64_t adapter_clock_skew(const struct adapter *a)
{
    return a->skew;
}

const char *adapter_credential(const struct adapter *a)
{
    return auth_token(a->auth);
}
