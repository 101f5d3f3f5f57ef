/* SPDX-License-Identifier: MIT */
/*
 * The rate limiter with an injected clock: every call gets 'now', so the
 * tests simulate seconds of traffic without sleeping.
 */
#include "core/compat.h"
#include "adapter/ratelimit.h"
#include "tests/check.h"

#define S 1000000LL /* one second in microseconds */

static int items[4096];

/*
 * Simulate: start whatever the limiter allows, advancing the clock to
 * the next wake-up each time; each started request completes 'latency'
 * later.  Records start times per endpoint.  Returns the number started.
 */
struct sim {
    struct ratelimit *rl;
    int64_t now;
    int64_t latency;
    int64_t done_at[4096];
    size_t nr_flying;
    int64_t starts[4][4096];
    size_t nr_starts[4];
    int max_in_flight_seen;
};

static void sim_complete_due(struct sim *s)
{
    size_t i = 0;

    while (i < s->nr_flying) {
        if (s->done_at[i] <= s->now) {
            rl_done(s->rl);
            s->done_at[i] = s->done_at[s->nr_flying - 1];
            s->nr_flying--;
            continue;
        }
        i++;
    }
}

static void sim_run(struct sim *s, int64_t until)
{
    while (s->now < until) {
        int64_t wait, next = until;
        int ep;
        void *item;

        sim_complete_due(s);
        for (;;) {
            item = rl_next(s->rl, s->now, &ep, &wait);
            if (!item) {
                break;
            }
            s->starts[ep][s->nr_starts[ep]++] = s->now;
            s->done_at[s->nr_flying] = s->now + s->latency;
            s->nr_flying++;
            if (rl_in_flight(s->rl) > s->max_in_flight_seen) {
                s->max_in_flight_seen = rl_in_flight(s->rl);
            }
        }
        if (wait >= 0 && s->now + wait < next) {
            next = s->now + wait;
        }
        for (size_t i = 0; i < s->nr_flying; i++) {
            if (s->done_at[i] < next) {
                next = s->done_at[i];
            }
        }
        if (next <= s->now) {
            next = s->now + 1;
        }
        s->now = next;
    }
    sim_complete_due(s);
}

static size_t starts_between(const struct sim *s, int ep, int64_t from,
                             int64_t to)
{
    size_t n = 0;

    for (size_t i = 0; i < s->nr_starts[ep]; i++) {
        n += s->starts[ep][i] >= from && s->starts[ep][i] < to;
    }
    return n;
}

static struct sim *sim_new(const struct rl_config *cfg, int64_t latency)
{
    struct sim *s = calloc(1, sizeof(*s));

    s->now = 1000 * S;
    s->latency = latency;
    s->rl = rl_new(cfg, s->now);
    return s;
}

static void sim_free(struct sim *s)
{
    rl_free(s->rl);
    free(s);
}

/*
 * A limiter for 'cfg' at time 0 with one endpoint (its id in *ep) and
 * 'queued' requests (items[0], ...), of which the first 'started' have
 * started.
 */
static struct ratelimit *rl_started(const struct rl_config *cfg, int queued,
                                    int started, int *ep)
{
    struct ratelimit *rl = rl_new(cfg, 0);
    int64_t wait;
    int got;

    *ep = rl_endpoint(rl, "/v1/x");
    for (int i = 0; i < queued; i++) {
        rl_enqueue(rl, *ep, &items[i], 0, 0);
    }
    for (int i = 0; i < started; i++) {
        rl_next(rl, 0, &got, &wait);
    }
    return rl;
}

static void test_spacing(void)
{
    struct rl_config cfg = { 100, 25, 64, 0, 0, 0, 0, 0 };
    struct sim *s = sim_new(&cfg, 10000);
    int ep = rl_endpoint(s->rl, "/v1/charges");
    int64_t min_gap = INT64_MAX;
    size_t burst;

    for (int i = 0; i < 300; i++) {
        rl_enqueue(s->rl, ep, &items[i], s->now, s->now);
    }
    CHECK_INT(rl_queued(s->rl), 300, "300 queued");
    sim_run(s, s->now + 10 * S);
    CHECK_INT(s->nr_starts[ep], 254,
              "10 s at 25/s: the burst of 5, then one every 40 ms");
    burst = starts_between(s, ep, 1000 * S, 1000 * S + 1);
    CHECK_INT(burst, 5, "the burst is 0.2 s worth (5 requests)");
    for (size_t i = 6; i < s->nr_starts[ep]; i++) {
        int64_t gap = s->starts[ep][i] - s->starts[ep][i - 1];

        if (gap < min_gap) {
            min_gap = gap;
        }
    }
    CHECK(min_gap >= 39000 && min_gap <= 41000,
          "after the burst, requests are spaced 40 ms apart");
    CHECK_INT(starts_between(s, ep, 1005 * S, 1006 * S), 25,
              "25 requests in any later second");
    CHECK_INT(rl_queued(s->rl), 46, "the rest still queued");
    sim_free(s);
}

static void test_global_fairness(void)
{
    struct rl_config cfg = { 20, 25, 64, 0, 0, 0, 0, 0 };
    struct sim *s = sim_new(&cfg, 5000);
    int a = rl_endpoint(s->rl, "/v1/charges");
    int b = rl_endpoint(s->rl, "/v1/events");
    size_t na, nb;

    CHECK(a != b && rl_endpoint(s->rl, "/v1/charges") == a,
          "endpoint ids are stable");
    CHECK_STR(rl_endpoint_name(s->rl, b), "/v1/events", "endpoint name");
    for (int i = 0; i < 1000; i++) {
        rl_enqueue(s->rl, a, &items[i], s->now, s->now);
    }
    for (int i = 0; i < 100; i++) {
        rl_enqueue(s->rl, b, &items[1000 + i], s->now, s->now);
    }
    sim_run(s, s->now + 10 * S);
    na = starts_between(s, a, 1001 * S, 1011 * S);
    nb = starts_between(s, b, 1001 * S, 1011 * S);
    CHECK(na + nb >= 178 && na + nb <= 181,
          "the global budget (20/s) is the limit for both together");
    CHECK(na >= 89 && na <= 91 && nb >= 89 && nb <= 91,
          "round-robin: each endpoint gets half, although one has 10x "
          "the queue");
    sim_free(s);
}

static void test_fifo_and_front(void)
{
    struct rl_config cfg = { 0, 0, 64, 0, 0, 0, 0, 0 };
    struct ratelimit *rl = rl_new(&cfg, 0);
    int ep = rl_endpoint(rl, "/v1/x");
    int64_t wait;
    int got;

    rl_enqueue(rl, ep, &items[1], 0, 0);
    rl_enqueue(rl, ep, &items[2], 0, 0);
    rl_enqueue(rl, ep, &items[3], 5 * S, 0); /* a retry, backing off */
    CHECK(rl_next(rl, 0, &got, &wait) == &items[1], "FIFO: first");
    CHECK(rl_next(rl, 0, &got, &wait) == &items[2], "FIFO: second");
    CHECK(rl_next(rl, 0, &got, &wait) == NULL, "the retry sleeps");
    CHECK_INT(wait, 5 * S, "wait = until the retry is due");
    CHECK_INT(rl_queued(rl), 1, "a sleeper counts as queued");
    rl_enqueue(rl, ep, &items[4], 0, 5 * S);
    CHECK(rl_next(rl, 5 * S, &got, &wait) == &items[3],
          "a due retry goes before fresh requests");
    CHECK(rl_next(rl, 5 * S, &got, &wait) == &items[4], "then the fresh one");
    CHECK(rl_next(rl, 5 * S, &got, &wait) == NULL && wait == -1,
          "empty: NULL, no wait");
    CHECK_INT(rl_in_flight(rl), 4, "four in flight");
    rl_clear(rl);
    rl_free(rl);
}

static void test_in_flight_cap(void)
{
    struct rl_config cfg = { 1000, 1000, 4, 1, 0, 0, 0, 0 };
    struct sim *s = sim_new(&cfg, 200000);
    int ep = rl_endpoint(s->rl, "/v1/charges");
    int64_t wait;
    int got;

    for (int i = 0; i < 100; i++) {
        rl_enqueue(s->rl, ep, &items[i], s->now, s->now);
    }
    sim_run(s, s->now + 2 * S);
    CHECK_INT(s->max_in_flight_seen, 4, "never more than 4 in flight");
    CHECK_INT(s->nr_starts[ep], 40, "4 per 200 ms latency for 2 s");
    /* full: NULL with no timer (a completion will wake the caller) */
    sim_free(s);
    {
        int e;
        struct ratelimit *rl = rl_started(&cfg, 5, 4, &e);

        CHECK(rl_next(rl, 0, &got, &wait) == NULL && wait == -1,
              "at the cap: NULL and wait -1");
        rl_done(rl);
        CHECK(rl_next(rl, 1, &got, &wait) == &items[4],
              "a completion makes room");
        rl_free(rl);
    }
}

static void test_slowdown_and_recovery(void)
{
    struct rl_config cfg = { 100, 25, 64, 0, 0.5, 0, 10, 0 };
    struct sim *s = sim_new(&cfg, 10000);
    int ep = rl_endpoint(s->rl, "/v1/charges");
    int other = rl_endpoint(s->rl, "/v1/payouts");
    int64_t t0;

    for (int i = 0; i < 2000; i++) {
        rl_enqueue(s->rl, ep, &items[i], s->now, s->now);
    }
    sim_run(s, s->now + 2 * S);
    t0 = s->now;
    rl_throttled(s->rl, ep, RL_SCOPE_ENDPOINT, t0);
    CHECK(rl_rate(s->rl, ep, t0) > 12.4 && rl_rate(s->rl, ep, t0) < 12.6,
          "a 429 halves the endpoint's rate (slowdown 0.5)");
    CHECK(rl_rate(s->rl, -1, t0) == 100, "the global rate is untouched");
    CHECK(rl_rate(s->rl, other, t0) == 25, "other endpoints are untouched");
    rl_throttled(s->rl, ep, RL_SCOPE_ENDPOINT, t0 + S / 2);
    CHECK(rl_rate(s->rl, ep, t0 + S / 2) > 12.4,
          "a second 429 within the cooldown does not slow down again");
    sim_run(s, t0 + S);
    CHECK(starts_between(s, ep, t0, t0 + S) <= 13,
          "during the cooldown the slower rate holds");
    CHECK(rl_rate(s->rl, ep, t0 + 2 * S) > 14.9 &&
              rl_rate(s->rl, ep, t0 + 2 * S) < 15.1,
          "then the rate climbs back additively (2.5/s per s)");
    CHECK(rl_rate(s->rl, ep, t0 + 7 * S) == 25,
          "and is back at the configured rate after ~6 s");
    sim_run(s, t0 + 12 * S);
    CHECK_INT(starts_between(s, ep, t0 + 10 * S, t0 + 11 * S), 25,
              "full speed again");
    rl_throttled(s->rl, ep, RL_SCOPE_UNKNOWN, s->now);
    CHECK(rl_rate(s->rl, -1, s->now) == 50 &&
              rl_rate(s->rl, ep, s->now) > 12.4 &&
              rl_rate(s->rl, ep, s->now) < 12.6,
          "a 429 without a reason slows the global and the endpoint");
    for (int i = 0; i < 20; i++) {
        rl_throttled(s->rl, ep, RL_SCOPE_GLOBAL, s->now + (i + 1) * 2 * S);
    }
    CHECK(rl_rate(s->rl, -1, s->now + 40 * S) >= 10,
          "the rate never falls below its floor (10%)");
    sim_free(s);
}

static void test_concurrency_429(void)
{
    struct rl_config cfg = { 0, 0, 10, 0, 0.5, 0, 0, 0 };
    int ep;
    struct ratelimit *rl = rl_started(&cfg, 20, 10, &ep);
    int64_t wait;
    int got;

    rl_throttled(rl, ep, RL_SCOPE_CONCURRENCY, 0);
    CHECK_INT(rl_in_flight_cap(rl, 0), 5, "a concurrency 429 halves the cap");
    for (int i = 0; i < 6; i++) {
        rl_done(rl);
    }
    CHECK(rl_next(rl, 0, &got, &wait) != NULL, "4 in flight: one may start");
    CHECK(rl_next(rl, 0, &got, &wait) == NULL, "5 in flight: at the cap");
    CHECK_INT(rl_in_flight_cap(rl, 4 * S), 8,
              "the cap recovers by one per second after the cooldown");
    CHECK_INT(rl_in_flight_cap(rl, 60 * S), 10, "up to the configured cap");
    rl_free(rl);
}

static void test_scope_parse(void)
{
    CHECK(rl_scope_parse("global-rate") == RL_SCOPE_GLOBAL, "global-rate");
    CHECK(rl_scope_parse("endpoint-rate") == RL_SCOPE_ENDPOINT,
          "endpoint-rate");
    CHECK(rl_scope_parse("global-concurrency") == RL_SCOPE_CONCURRENCY,
          "global-concurrency");
    CHECK(rl_scope_parse("endpoint-concurrency") == RL_SCOPE_CONCURRENCY,
          "endpoint-concurrency");
    CHECK(rl_scope_parse("resource-specific") == RL_SCOPE_UNKNOWN,
          "resource-specific");
    CHECK(rl_scope_parse(NULL) == RL_SCOPE_UNKNOWN, "absent");
}

/*
 * Issue 13: a rate near 0 (1e-300/s) made the wait overflow to a
 * negative number, and requests went out unpaced.  The wait saturates.
 */
static void test_tiny_rate(void)
{
    static const double rates[] = { 1e-300, 1e-13, 0.01 };

    for (size_t r = 0; r < ARRAY_SIZE(rates); r++) {
        for (int which = 0; which < 2; which++) {
            struct rl_config cfg = {
                which ? 0 : rates[r], which ? rates[r] : 0, 8, 0, 0, 0, 0, 0
            };
            struct ratelimit *rl = rl_new(&cfg, 1000 * S);
            int ep = rl_endpoint(rl, "/v1/charges");
            int64_t wait = 0;
            int got_ep = -1;
            void *next;
            char what[96];

            for (int i = 0; i < 3; i++) {
                rl_enqueue(rl, ep, &items[i], 1000 * S, 1000 * S);
            }
            CHECK(rl_next(rl, 1000 * S, &got_ep, &wait) == &items[0],
                  "the first request goes (a bucket holds one)");
            next = rl_next(rl, 1000 * S + 1, &got_ep, &wait);
            snprintf(what, sizeof(what),
                     "%s rate %g/s: the second waits (%lld us)",
                     which ? "endpoint" : "global", rates[r], (long long)wait);
            CHECK(next == NULL && wait >= 99 * S, what);
            rl_free(rl);
        }
    }
}

int main(void)
{
    test_tiny_rate();
    test_spacing();
    test_global_fairness();
    test_fifo_and_front();
    test_in_flight_cap();
    test_slowdown_and_recovery();
    test_concurrency_429();
    test_scope_parse();
    return check_done();
}
