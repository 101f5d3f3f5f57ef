/* SPDX-License-Identifier: MIT */
/*
 * The HTTP adapter against the Stripe API double: headers, many requests
 * in flight, the retry policy for every fault the double injects
 * (attempts counted in the double's request log), rate limits, the size
 * cap, the Date header, OAuth renewal after a 401.
 */
#include "core/compat.h"
#include "adapter/adapter.h"

#include <time.h>

#include "core/log.h"
#include "core/redact.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "profiles/profile.h"
#include "tests/check.h"
#include "tests/unit/double.h"

static struct double_proc dbl;

static void make_profile(struct profile *p, const char *key)
{
    double_profile(p, &dbl, key, 3);
    p->adapter.timeout_ms = 1500;
}

static void faults(const char *json)
{
    struct buf body = BUF_INIT;

    buf_addf(&body, "{\"faults\": [%s], \"seed\": 1}", json);
    dctl(&dbl, "POST", "/_double/faults", body.buf, NULL);
    dctl(&dbl, "DELETE", "/_double/requests", NULL, NULL);
    buf_release(&body);
}

static int perform(struct adapter *a, struct http_req *req, const char *path)
{
    http_req_reset(req);
    req->path = xstrdup(path);
    return adapter_perform(a, req, NULL);
}

static void test_headers(void)
{
    struct profile p;
    struct adapter *a = NULL;
    struct http_req req = HTTP_REQ_INIT;
    struct err err = ERR_INIT;
    cJSON *rows, *row;
    const cJSON *v;
    cJSON *clock;
    int64_t now;

    make_profile(&p, "sk_test_double_platform");
    p.account_id = xstrdup("acct_1DoubleConn000001");
    faults("");
    CHECK(adapter_open(&a, &p, &err) == 0, "adapter_open");
    CHECK(perform(a, &req, "/v1/charges?limit=2") == 0, "GET /v1/charges");
    CHECK_INT(req.status, 200, "status 200");
    CHECK(starts_with(req.request_id, "req_"), "Request-Id kept");
    CHECK(strstr(req.body.buf, "\"object\":\"list\"") != NULL ||
              strstr(req.body.buf, "\"object\": \"list\"") != NULL,
          "the body is the list");
    CHECK_INT(req.attempts, 1, "one attempt");
    rows = double_requests(&dbl, "/v1/charges");
    row = cJSON_GetArrayItem(rows, 0);
    v = cJSON_GetObjectItemCaseSensitive(row, "account");
    CHECK_STR(cJSON_GetStringValue(v), "acct_1DoubleConn000001",
              "Stripe-Account sent");
    v = cJSON_GetObjectItemCaseSensitive(row, "user_agent");
    CHECK_STR(cJSON_GetStringValue(v), "stripe-reader/" STRIPE_READER_VERSION,
              "User-Agent names stripe-reader and its version");
    v = cJSON_GetObjectItemCaseSensitive(row, "stripe_version");
    CHECK_STR(cJSON_GetStringValue(v), PROFILE_DEFAULT_STRIPE_VERSION,
              "the adapter's headers (Stripe-Version) sent");
    v = cJSON_GetObjectItemCaseSensitive(row, "query");
    CHECK_STR(cJSON_GetStringValue(v), "limit=2", "query sent as given");
    cJSON_Delete(rows);

    clock = dctl_json(&dbl, "/_double/clock");
    now = (int64_t)cJSON_GetNumberValue(
        cJSON_GetObjectItemCaseSensitive(clock, "now"));
    cJSON_Delete(clock);
    CHECK(req.server_date > 0 && req.server_date <= now &&
              req.server_date >= now - 5,
          "the Date header: the double's clock, not the host's");
    CHECK(adapter_server_time(a) == req.server_date,
          "adapter_server_time() is the newest Date");
    CHECK(adapter_clock_skew(a) == req.server_date - (int64_t)time(NULL) ||
              adapter_clock_skew(a) ==
                  req.server_date - (int64_t)time(NULL) + 1,
          "adapter_clock_skew() against the host clock");
    CHECK(adapter_pending(a) == 0 && adapter_next(a, 0) == NULL,
          "nothing pending: adapter_next returns NULL at once");
    http_req_release(&req);
    adapter_close(a);
    profile_release(&p);
}

struct fault_row {
    const char *what;
    const char *fault; /* JSON of one fault rule, "" for none */
    const char *path;
    int attempts;
    enum err_kind kind;
    const char *msg; /* a part of the message, or NULL */
};

static const struct fault_row fault_rows[] = {
    { "500 once: retried", "{\"kind\":\"500\",\"nth\":1}", "/v1/charges", 2,
      ERR_NONE, NULL },
    { "502 once: retried", "{\"kind\":\"502\",\"nth\":1}", "/v1/charges", 2,
      ERR_NONE, NULL },
    { "503 always: 3 attempts, then ERR_API",
      "{\"kind\":\"503\",\"nth\":1,\"count\":9}", "/v1/charges", 3, ERR_API,
      "GET /v1/charges: 503 Service Unavailable: An unknown error "
      "occurred (Request-Id req_" },
    { "500 with Stripe-Should-Retry false: not retried",
      "{\"kind\":\"500\",\"nth\":1,\"should_retry\":false}", "/v1/charges", 1,
      ERR_API, "500 Internal Server Error" },
    { "429 lock_timeout once: retried", "{\"kind\":\"lock_timeout\",\"nth\":1}",
      "/v1/charges", 2, ERR_NONE, NULL },
    { "429 rate limit once: retried (after >= 1 s)",
      "{\"kind\":\"rate_limit\",\"nth\":1}", "/v1/events", 2, ERR_NONE, NULL },
    { "429 rate limit always, nothing else getting through: 3 attempts, "
      "then ERR_API",
      "{\"kind\":\"rate_limit\",\"nth\":1,\"count\":9}", "/v1/events", 3,
      ERR_API, "429 Too Many Requests" },
    { "connection reset once: retried", "{\"kind\":\"reset\",\"nth\":1}",
      "/v1/charges", 2, ERR_NONE, NULL },
    { "body cut short once: retried", "{\"kind\":\"truncated\",\"nth\":1}",
      "/v1/charges", 2, ERR_NONE, NULL },
    { "200 with HTML once: retried", "{\"kind\":\"html\",\"nth\":1}",
      "/v1/charges", 2, ERR_NONE, NULL },
    { "200 with HTML always: ERR_DATA after 3",
      "{\"kind\":\"html\",\"nth\":1,\"count\":9}", "/v1/charges", 3, ERR_DATA,
      "200 OK: the reply is not JSON" },
    { "invalid JSON once: retried", "{\"kind\":\"bad_json\",\"nth\":1}",
      "/v1/charges", 2, ERR_NONE, NULL },
    { "invalid JSON with Stripe-Should-Retry false: not retried",
      "{\"kind\":\"bad_json\",\"nth\":1,\"should_retry\":false}", "/v1/charges",
      1, ERR_DATA, "not JSON" },
    { "slower than the timeout once: retried",
      "{\"kind\":\"slow\",\"nth\":1,\"delay_ms\":4000}", "/v1/charges", 2,
      ERR_NONE, NULL },
    { "400 (bad parameter): not retried", "", "/v1/charges?limit=1000", 1,
      ERR_API, "GET /v1/charges: 400 Bad Request: " },
    { "404 (unknown id): not retried", "", "/v1/charges/ch_nosuchcharge", 1,
      ERR_API, "404 Not Found" },
    { "404 with Stripe-Should-Retry true: retried",
      "{\"kind\":\"bad_json\",\"nth\":1,\"count\":9,"
      "\"should_retry\":true}",
      "/v1/charges/ch_nosuchcharge", 3, ERR_API, "gave up after 3 attempts" },
};

static void test_faults(void)
{
    struct profile p;
    struct adapter *a = NULL;
    struct http_req req = HTTP_REQ_INIT;
    struct err err = ERR_INIT;

    make_profile(&p, "sk_test_double_platform");
    CHECK(adapter_open(&a, &p, &err) == 0, "adapter_open");
    for (size_t i = 0; i < ARRAY_SIZE(fault_rows); i++) {
        const struct fault_row *r = &fault_rows[i];
        char prefix[64];
        int logged;

        faults(r->fault);
        snprintf(prefix, sizeof(prefix), "%.*s", (int)strcspn(r->path, "?"),
                 r->path);
        perform(a, &req, r->path);
        double_wait_idle(&dbl);
        logged = double_count(&dbl, prefix);
        CHECK(req.attempts == r->attempts && logged == r->attempts &&
                  req.err.kind == r->kind,
              r->what);
        if (req.attempts != r->attempts || logged != r->attempts ||
            req.err.kind != r->kind) {
            printf("#   attempts %d, logged %d, kind %d: %s\n", req.attempts,
                   logged, req.err.kind, req.err.msg);
        }
        if (r->msg) {
            CHECK(strstr(req.err.msg, r->msg) != NULL, "  ... message");
            if (!strstr(req.err.msg, r->msg)) {
                printf("#   got: %s\n", req.err.msg);
            }
        }
    }
    faults("");
    CHECK(adapter_stats(a)->retries > 10, "retries counted");
    CHECK(adapter_stats(a)->rate_limited_429 == 4 &&
              adapter_stats(a)->lock_timeout_429 == 1,
          "429s counted by kind");
    http_req_release(&req);
    adapter_close(a);
    profile_release(&p);
}

/*
 * Stripe's limit is the account's, shared with the merchant: a request
 * refused with three 429s ('reason') while /v1/charges requests get
 * through keeps its turn past maxAttempts (3 here) when the 429s name the
 * account's budget, not when they name the endpoint's.
 */
static void shared_budget(const char *reason, int attempts, bool ok)
{
    struct profile p;
    struct adapter *a = NULL;
    struct http_req ev = HTTP_REQ_INIT, ch = HTTP_REQ_INIT;
    struct err err = ERR_INIT;
    struct http_req *got = NULL;
    char fault[160], what[160];
    int others = 0;

    snprintf(fault, sizeof(fault),
             "{\"kind\":\"rate_limit\",\"nth\":1,\"count\":3,"
             "\"path\":\"/v1/events\",\"reason\":\"%s\"}",
             reason);
    faults(fault);
    make_profile(&p, "sk_test_double_platform");
    p.adapter.global_rps = 40; /* the others' pace, not the machine's */
    CHECK(adapter_open(&a, &p, &err) == 0, "adapter_open");
    ev.path = xstrdup("/v1/events?limit=1");
    ch.path = xstrdup("/v1/charges?limit=1");
    adapter_submit(a, &ev);
    adapter_submit(a, &ch);
    for (int i = 0; i < 1000 && got != &ev; i++) {
        got = adapter_next(a, 30000);
        if (got == &ch && ch.err.kind == ERR_NONE) {
            others++;
            http_req_reset(&ch);
            ch.path = xstrdup("/v1/charges?limit=1");
            adapter_submit(a, &ch);
        }
        else if (got != &ev) {
            break;
        }
    }
    snprintf(what, sizeof(what), "%s 429s while others get through: %s", reason,
             ok ? "the fourth attempt succeeds"
                : "three attempts, then ERR_API");
    CHECK(got == &ev && ev.attempts == attempts &&
              (ev.err.kind == ERR_NONE) == ok,
          what);
    if (got != &ev || ev.attempts != attempts) {
        printf("#   attempts %d: %s\n", ev.attempts, ev.err.msg);
    }
    CHECK(others >= 2, "  ... other requests got through meanwhile");
    adapter_cancel(a);
    double_wait_idle(&dbl);
    CHECK_INT(double_count(&dbl, "/v1/events"), attempts,
              "  ... attempts counted at the double");
    faults("");
    http_req_release(&ev);
    http_req_release(&ch);
    adapter_close(a);
    profile_release(&p);
}

static void test_shared_budget(void)
{
    shared_budget("global-rate", 4, true);
    shared_budget("endpoint-rate", 3, false);
}

static void test_auth_errors(void)
{
    struct profile p;
    struct adapter *a = NULL;
    struct http_req req = HTTP_REQ_INIT;
    struct err err = ERR_INIT;

    faults("");
    make_profile(&p, "sk_test_notarealkey1234");
    secret_register(p.api_key);
    adapter_open(&a, &p, &err);
    CHECK(perform(a, &req, "/v1/charges?limit=1") < 0 &&
              req.err.kind == ERR_AUTH && req.status == 401 &&
              req.attempts == 1,
          "401: ERR_AUTH, not retried");
    CHECK(strstr(req.err.msg, "GET /v1/charges: 401 Unauthorized: Invalid "
                              "API Key provided") != NULL,
          "401 message names the endpoint and Stripe's message");
    CHECK(strstr(req.err.msg, "(Request-Id req_") != NULL,
          "401 message has the Request-Id");
    adapter_close(a);
    profile_release(&p);

    make_profile(&p, "rk_test_double_nopayouts");
    adapter_open(&a, &p, &err);
    CHECK(perform(a, &req, "/v1/payouts?limit=1") < 0 &&
              req.err.kind == ERR_AUTH && req.status == 403 &&
              req.attempts == 1,
          "403: ERR_AUTH, not retried");
    CHECK(strstr(req.err.msg, "GET /v1/payouts: 403 Forbidden: ") &&
              strstr(req.err.msg, "'rak_payout_read'"),
          "403 message names the missing permission");
    CHECK(perform(a, &req, "/v1/charges?limit=1") == 0,
          "the same key reads charges");
    http_req_release(&req);
    adapter_close(a);
    profile_release(&p);
}

static void test_size_cap(void)
{
    struct profile p;
    struct adapter *a = NULL;
    struct http_req req = HTTP_REQ_INIT;
    struct err err = ERR_INIT;

    faults("");
    make_profile(&p, "sk_test_double_platform");
    p.adapter.max_response_bytes = 8000;
    adapter_open(&a, &p, &err);
    CHECK(perform(a, &req, "/v1/charges?limit=50") < 0 &&
              req.err.kind == ERR_DATA && req.attempts == 1,
          "a reply over the cap: ERR_DATA, not retried");
    CHECK(strstr(req.err.msg, "response from '/v1/charges' is larger than "
                              "the 8000-byte limit") != NULL,
          "the cap is named");
    CHECK(perform(a, &req, "/v1/charges?limit=1") == 0,
          "the same request struct works again afterwards");

    http_req_release(&req);
    adapter_close(a);
    profile_release(&p);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 64 requests, 800 ms each, 32 in flight: ~1.6 s, peak 32 at the double */
static void test_concurrency(void)
{
    struct profile p;
    struct adapter *a = NULL;
    struct http_req reqs[64];
    struct err err = ERR_INIT;
    int64_t t0;
    int got = 0, ok = 0;
    char *first_body = NULL;
    bool reused = true;

    faults("");
    dctl(&dbl, "POST", "/_double/limits", "{\"latency_ms\": 800}", NULL);
    double_wait_idle(&dbl);
    dctl(&dbl, "DELETE", "/_double/state", NULL, NULL);
    make_profile(&p, "sk_test_double_platform");
    p.adapter.max_in_flight = 32;
    p.adapter.timeout_ms = 20000;
    adapter_open(&a, &p, &err);
    for (int i = 0; i < 64; i++) {
        http_req_init(&reqs[i]);
        reqs[i].path = xstrfmt("/v1/%s?limit=3", i % 3 == 0   ? "charges"
                                                 : i % 3 == 1 ? "payouts"
                                                              : "events");
        reqs[i].user = &reqs[i];
    }
    t0 = now_ms();
    for (int i = 0; i < 64; i++) {
        adapter_submit(a, &reqs[i]);
    }
    CHECK_INT(adapter_pending(a), 64, "64 pending");
    for (struct http_req *r = adapter_next(a, 30000); r;
         r = adapter_next(a, 30000)) {
        got++;
        ok += r->err.kind == ERR_NONE && r->user == r;
    }
    CHECK(got == 64 && ok == 64, "all 64 completed, each handed back once");
    CHECK(now_ms() - t0 < 12000, "concurrently: far less than 64 x 800 ms");
    CHECK_INT(double_state(&dbl, "in_flight_peak"), 32,
              "32 requests were in flight at once at the double");
    /* reuse: the second round writes into the same buffers */
    first_body = reqs[0].body.buf;
    dctl(&dbl, "POST", "/_double/limits", "{\"latency_ms\": 0}", NULL);
    for (int i = 0; i < 64; i++) {
        char *path = xstrdup(reqs[i].path);

        http_req_reset(&reqs[i]);
        reqs[i].path = path;
        adapter_submit(a, &reqs[i]);
    }
    while (adapter_next(a, 30000)) {
    }
    reused = reqs[0].body.buf == first_body && reqs[0].status == 200;
    CHECK(reused, "a reused request keeps its body buffer");
    for (int i = 0; i < 64; i++) {
        http_req_release(&reqs[i]);
    }
    adapter_close(a);
    profile_release(&p);
}

static void test_next_timeout(void)
{
    struct profile p;
    struct adapter *a = NULL;
    struct http_req req = HTTP_REQ_INIT;
    struct err err = ERR_INIT;
    struct http_req *got;

    faults("{\"kind\":\"slow\",\"nth\":1,\"delay_ms\":700}");
    make_profile(&p, "sk_test_double_platform");
    p.adapter.timeout_ms = 20000;
    adapter_open(&a, &p, &err);
    req.path = xstrdup("/v1/charges?limit=1");
    adapter_submit(a, &req);
    got = adapter_next(a, 100);
    CHECK(got == NULL && adapter_pending(a) == 1,
          "adapter_next: NULL after its timeout, the request still runs");
    got = adapter_next(a, 30000);
    CHECK(got == &req && req.status == 200, "then it completes");
    faults("");
    http_req_release(&req);
    adapter_close(a); /* nothing in flight */

    /* closing with requests in flight abandons them */
    adapter_open(&a, &p, &err);
    faults("{\"kind\":\"slow\",\"nth\":1,\"delay_ms\":700}");
    req.path = xstrdup("/v1/charges?limit=1");
    adapter_submit(a, &req);
    adapter_next(a, 50);
    adapter_close(a);
    CHECK(1, "adapter_close with a request in flight");
    faults("");
    http_req_release(&req);
    profile_release(&p);
}

/* What a burst of requests came to. */
struct burst {
    int ok;                /* requests that succeeded */
    double requests;       /* requests the double answered */
    double status_429;     /* of which with a 429 */
    long rate_limited_429; /* the 429s the adapter counted as rate limits */
};

/*
 * 'n' requests (paths[i % nr_paths]) submitted at once through an adapter
 * for 'p' with 32 in flight, backoff from 500 ms to 5 s and a 20 s
 * timeout, against the double with 'limits' (its state reset first).
 */
static void burst(struct profile *p, const char *limits,
                  const char *const *paths, size_t nr_paths, int n,
                  struct burst *b)
{
    struct adapter *a = NULL;
    struct http_req *reqs = xcalloc((size_t)n, sizeof(*reqs));
    struct err err = ERR_INIT;

    faults("");
    dctl(&dbl, "POST", "/_double/limits", limits, NULL);
    double_wait_idle(&dbl);
    dctl(&dbl, "DELETE", "/_double/state", NULL, NULL);
    p->adapter.max_in_flight = 32;
    p->adapter.backoff_initial_ms = 500;
    p->adapter.backoff_max_ms = 5000;
    p->adapter.timeout_ms = 20000;
    adapter_open(&a, p, &err);
    for (int i = 0; i < n; i++) {
        http_req_init(&reqs[i]);
        reqs[i].path = xstrdup(paths[(size_t)i % nr_paths]);
        adapter_submit(a, &reqs[i]);
    }
    b->ok = 0;
    for (struct http_req *r = adapter_next(a, 60000); r;
         r = adapter_next(a, 60000)) {
        b->ok += r->err.kind == ERR_NONE;
    }
    b->requests = double_state(&dbl, "requests");
    b->status_429 = double_state(&dbl, "status_429");
    b->rate_limited_429 = adapter_stats(a)->rate_limited_429;
    for (int i = 0; i < n; i++) {
        http_req_release(&reqs[i]);
    }
    free(reqs);
    adapter_close(a);
}

/* Stripe-like limits: 25/s global and per endpoint, 32 in flight */
static void test_rate_limits(void)
{
    static const char *const paths[] = { "/v1/events?limit=1",
                                         "/v1/charges?limit=1" };
    struct profile p;
    struct burst b;

    make_profile(&p, "sk_test_double_platform");
    p.adapter.global_rps = 25;
    p.adapter.endpoint_rps = 25;
    p.adapter.max_attempts = 5;
    burst(&p,
          "{\"global_rps\": 25, \"endpoint_rps\": 25, \"latency_ms\": 50,"
          " \"jitter_ms\": 100}",
          paths, ARRAY_SIZE(paths), 150, &b);
    printf("# %.0f requests, %.0f answered 429\n", b.requests, b.status_429);
    CHECK_INT(b.ok, 150, "150 requests at 25/s all succeed");
    CHECK(b.requests >= 150 && b.status_429 < 0.05 * b.requests,
          "fewer than 5% of the requests answered 429");
    profile_release(&p);
    dctl(&dbl, "POST", "/_double/limits",
         "{\"global_rps\": 0, \"endpoint_rps\": 0, \"latency_ms\": 0,"
         " \"jitter_ms\": 0}",
         NULL);
}

/*
 * A client configured above the server's limits (40/s against 20/s):
 * the 429s make the limiter slow down, so they stay few and every request
 * succeeds.
 */
static void test_adaptive_slowdown(void)
{
    static const char *const paths[] = { "/v1/charges?limit=1" };
    struct profile p;
    struct burst b;

    make_profile(&p, "sk_test_double_platform");
    p.adapter.global_rps = 40;
    p.adapter.endpoint_rps = 40;
    p.adapter.global_share = 1; /* the whole of it: a client over the limit */
    p.adapter.endpoint_share = 1;
    p.adapter.max_attempts = 8;
    burst(&p, "{\"global_rps\": 20, \"endpoint_rps\": 20, \"latency_ms\": 20}",
          paths, ARRAY_SIZE(paths), 120, &b);
    printf("# over the limit: %.0f requests, %.0f answered 429\n", b.requests,
           b.status_429);
    CHECK_INT(b.ok, 120, "40/s against 20/s: all requests succeed");
    CHECK(b.rate_limited_429 > 0, "the server's 429s reached the limiter");
    CHECK(b.status_429 < 0.15 * b.requests,
          "the limiter slowed down: fewer than 15% answered 429");
    profile_release(&p);
}

static void test_base_url_check(void)
{
    struct profile p;
    struct adapter *a = NULL;
    struct err err = ERR_INIT;

    make_profile(&p, "sk_test_double_platform");
    free(p.adapter.base_url);
    p.adapter.base_url = xstrdup("http://api.stripe.com");
    CHECK(adapter_open(&a, &p, &err) < 0 && err.kind == ERR_CONFIG && !a,
          "plain http to a non-loopback host is refused at open");
    CHECK_STR(err.msg,
              "base URL uses http to 'api.stripe.com', which is not a "
              "loopback host; https is required except for 127.0.0.0/8, ::1 "
              "and localhost",
              "  ... with the profile loader's message");
    profile_release(&p);
}

static void test_oauth_renewal(void)
{
    struct profile p;
    struct adapter *a = NULL;
    struct http_req req = HTTP_REQ_INIT;
    struct err err = ERR_INIT;
    char dir[] = "/tmp/sr-adapter-XXXXXX";
    char *store;
    FILE *fp;
    char text[4096] = "";
    size_t n;

    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    store = xstrfmt("%s/tokens.json", dir);
    faults("");
    make_profile(&p, "unused");
    FREE_AND_NULL(p.api_key);
    p.auth = PROFILE_AUTH_OAUTH;
    p.oauth.client_secret = xstrdup("sk_test_double_app");
    p.oauth.refresh_token = xstrdup("rt_double_initial_0");
    p.oauth.token_store = xstrdup(store);
    CHECK(adapter_open(&a, &p, &err) == 0, "OAuth: open refreshes");
    CHECK_INT(double_count(&dbl, "/v1/oauth/token"), 1, "one token request");
    CHECK(perform(a, &req, "/v1/charges?limit=1") == 0,
          "the access token works");
    /* the double's access tokens expire after an hour of its clock */
    dctl(&dbl, "POST", "/_double/clock", "{\"advance\": 7200}", NULL);
    CHECK(perform(a, &req, "/v1/charges?limit=1") == 0 && req.attempts == 2,
          "an expired token: 401, renewed, tried again");
    CHECK_INT(double_count(&dbl, "/v1/oauth/token"), 2,
              "a second token request");
    CHECK_INT(adapter_stats(a)->token_renewals, 1, "one renewal");
    fp = fopen(store, "r");
    n = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
    text[n] = '\0';
    if (fp) {
        fclose(fp);
    }
    CHECK(strstr(text, "\"refresh_token\": \"rt_") &&
              !strstr(text, "rt_double_initial_0"),
          "the store holds the rotated refresh token");
    http_req_release(&req);
    adapter_close(a);
    profile_release(&p);
    unlink(store);
    free(store);
    store = xstrfmt("%s/tokens.json.lock", dir);
    unlink(store);
    free(store);
    rmdir(dir);
}

int main(void)
{
    const char *args[] = { "--charges",  "200", "--payouts", "20",
                           "--accounts", "1",   NULL };

    log_set_level(getenv("TEST_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
    if (double_start(&dbl, args) < 0) {
        CHECK(0, "the double starts");
        return check_done();
    }
    test_headers();
    test_faults();
    test_shared_budget();
    test_auth_errors();
    test_size_cap();
    test_concurrency();
    test_next_timeout();
    test_base_url_check();
    test_oauth_renewal();
    test_rate_limits();
    test_adaptive_slowdown();
    double_stop(&dbl);
    curl_global_cleanup();
    secret_clear_all();
    return check_done();
}
