/* SPDX-License-Identifier: MIT */
/*
 * struct ratelimit: client-side pacing of requests, so that a long run at
 * Stripe's limits sees almost no 429s ("pacing, not bouncing").
 *
 * - A global token bucket and one per endpoint (Stripe's limits: 25 or
 *   100 requests/s per account, 25/s per endpoint).  Buckets are shallow
 *   (burst_secs worth of tokens, at least one), so requests are spaced
 *   evenly instead of sent in bursts.
 * - A cap on requests in flight (Stripe also limits concurrency).
 * - A queue per endpoint, FIFO inside it, served round-robin between
 *   endpoints, so that streams share the global budget fairly.
 * - Sleepers: requests waiting for a retry's backoff; when their time
 *   comes they go to the FRONT of their endpoint's queue.
 * - Adaptive slow-down: a 429 (rate limit) multiplies the rate of the
 *   bucket it names by 'slowdown' (at most once per 'cooldown'), and the
 *   rate climbs back additively to the configured one over
 *   'recover_secs'.  A concurrency 429 lowers the in-flight cap the same
 *   way (recovering by one request per second).
 *
 * The limiter has no clock of its own: every call takes the time 'now'
 * in microseconds (the adapter passes CLOCK_MONOTONIC; unit tests pass
 * whatever they like, so they never sleep).  Items are opaque pointers,
 * borrowed: the limiter only orders them.
 */
#ifndef ADAPTER_RATELIMIT_H
#define ADAPTER_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rl_config {
    double global_rps;   /* <= 0: unlimited */
    double endpoint_rps; /* <= 0: unlimited */
    int max_in_flight;   /* < 1 is taken as 1 */
    double burst_secs;   /* bucket depth in seconds of rate; 0: 0.2 */
    double slowdown;     /* rate factor on a 429; 0: 0.7 */
    double min_share;    /* floor of the slowed rate; 0: 0.1 */
    double recover_secs; /* to climb from 0 to the configured rate; 0: 10 */
    int64_t cooldown_us; /* no second slow-down within; 0: 1 s */
};

/* Which budget a 429 names (Stripe-Rate-Limited-Reason, when sent). */
enum rl_scope {
    RL_SCOPE_UNKNOWN = 0, /* lowers the global and the endpoint rate */
    RL_SCOPE_GLOBAL,
    RL_SCOPE_ENDPOINT,
    RL_SCOPE_CONCURRENCY
};

struct ratelimit;

struct ratelimit *rl_new(const struct rl_config *cfg, int64_t now_us);
void rl_free(struct ratelimit *rl); /* NULL-safe */

/*
 * The id of an endpoint (added on first use); ids are small, stable
 * integers from 0.
 */
int rl_endpoint(struct ratelimit *rl, const char *name);
const char *rl_endpoint_name(const struct ratelimit *rl, int ep);

/*
 * Queue 'item' on endpoint 'ep'.  With not_before_us <= now it joins
 * the back of the queue at once; later, it sleeps until then and then
 * joins the front (a retry goes before fresh requests).
 */
void rl_enqueue(struct ratelimit *rl, int ep, void *item, int64_t not_before_us,
                int64_t now_us);

/*
 * The next item that may start now, or NULL.  Starting it takes a token
 * from both buckets and counts it in flight until rl_done().  When NULL
 * is returned, *wait_us is how long until something may be startable
 * (-1: not before a request in flight completes, or nothing is queued).
 * *ep_out receives the item's endpoint.
 */
void *rl_next(struct ratelimit *rl, int64_t now_us, int *ep_out,
              int64_t *wait_us);

/* A request started by rl_next() has completed: one fewer in flight. */
void rl_done(struct ratelimit *rl);

/*
 * A request on 'ep' succeeded.  rl_successes() counts them, on 'ep' or,
 * with ep < 0, on every endpoint: whether others get through the budget
 * a 429 names (adapter/retry.h).
 */
void rl_succeeded(struct ratelimit *rl, int ep);
long rl_successes(const struct ratelimit *rl, int ep);

/* The server said 429 (a rate limit, not lock_timeout) for 'ep'. */
void rl_throttled(struct ratelimit *rl, int ep, enum rl_scope scope,
                  int64_t now_us);

/* Parse a Stripe-Rate-Limited-Reason value ("endpoint-rate", ...). */
enum rl_scope rl_scope_parse(const char *reason);

/* Remove every item (queued or sleeping); in-flight counts are kept. */
void rl_clear(struct ratelimit *rl);

size_t rl_queued(const struct ratelimit *rl); /* queued + sleeping */
int rl_in_flight(const struct ratelimit *rl);
/* Current rate of an endpoint's bucket, or of the global one (ep < 0). */
double rl_rate(const struct ratelimit *rl, int ep, int64_t now_us);
/* Current in-flight cap. */
int rl_in_flight_cap(const struct ratelimit *rl, int64_t now_us);

#endif
