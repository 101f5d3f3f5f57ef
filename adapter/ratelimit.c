/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/ratelimit.h"

#include "core/sat.h"
#include "core/xalloc.h"

#define US_PER_S 1000000.0

struct bucket {
    double cfg_rate; /* <= 0: unlimited */
    double rate;     /* current, <= cfg_rate */
    double tokens;
    double depth;
    int64_t last_us;   /* of the last refill */
    int64_t slowed_us; /* of the last slow-down; INT64_MIN: never */
};

/* A ring deque of borrowed pointers. */
struct deque {
    void **items;
    size_t head, nr, alloc;
};

struct endpoint {
    char *name;
    struct bucket bucket;
    struct deque queue;
    long succeeded; /* requests that succeeded on it */
};

struct sleeper {
    void *item;
    int ep;
    int64_t at_us;
};

struct ratelimit {
    struct rl_config cfg;
    struct bucket global;
    struct endpoint *eps;
    size_t nr_eps, alloc_eps;
    size_t rr; /* the endpoint served next, round-robin */
    struct sleeper *sleepers;
    size_t nr_sleepers, alloc_sleepers;
    size_t nr_queued;
    int in_flight;
    double cap;          /* in-flight cap, <= cfg.max_in_flight */
    int64_t cap_last_us; /* of the last cap recovery step */
    int64_t cap_slowed_us;
    long succeeded; /* requests that succeeded, on any endpoint */
};

static void deque_push(struct deque *d, void *item, bool front)
{
    if (d->nr == d->alloc) {
        size_t n = d->alloc ? d->alloc * 2 : 8;
        void **items = xmalloc(n * sizeof(*items));

        for (size_t i = 0; i < d->nr; i++) {
            items[i] = d->items[(d->head + i) % d->alloc];
        }
        free(d->items);
        d->items = items;
        d->head = 0;
        d->alloc = n;
    }
    if (front) {
        d->head = (d->head + d->alloc - 1) % d->alloc;
        d->items[d->head] = item;
    }
    else {
        d->items[(d->head + d->nr) % d->alloc] = item;
    }
    d->nr++;
}

static void *deque_pop(struct deque *d)
{
    void *item;

    if (!d->nr) {
        return NULL;
    }
    item = d->items[d->head];
    d->head = (d->head + 1) % d->alloc;
    d->nr--;
    return item;
}

static void bucket_init(struct bucket *b, double rate, double burst_secs,
                        int64_t now_us)
{
    b->cfg_rate = rate;
    b->rate = rate;
    b->depth = rate * burst_secs;
    if (b->depth < 1) {
        b->depth = 1;
    }
    b->tokens = b->depth;
    b->last_us = now_us;
    b->slowed_us = INT64_MIN;
}

static bool unlimited(const struct bucket *b)
{
    return b->cfg_rate <= 0;
}

/* The rate at 'now': additive recovery once the cooldown has passed. */
static double bucket_rate_at(const struct bucket *b,
                             const struct rl_config *cfg, int64_t now_us)
{
    int64_t from = b->last_us;
    double rate = b->rate;

    if (unlimited(b) || rate >= b->cfg_rate) {
        return b->cfg_rate;
    }
    if (b->slowed_us != INT64_MIN && from < b->slowed_us + cfg->cooldown_us) {
        from = b->slowed_us + cfg->cooldown_us;
    }
    if (now_us > from) {
        rate += b->cfg_rate / cfg->recover_secs *
                ((double)(now_us - from) / US_PER_S);
    }
    return rate < b->cfg_rate ? rate : b->cfg_rate;
}

static void bucket_advance(struct bucket *b, const struct rl_config *cfg,
                           int64_t now_us)
{
    double rate;

    if (unlimited(b) || now_us <= b->last_us) {
        return;
    }
    rate = bucket_rate_at(b, cfg, now_us);
    b->tokens += rate * ((double)(now_us - b->last_us) / US_PER_S);
    if (b->tokens > b->depth) {
        b->tokens = b->depth;
    }
    b->rate = rate;
    b->last_us = now_us;
}

/* Microseconds until the bucket holds a whole token (0 if it does). */
static int64_t bucket_wait(const struct bucket *b)
{
    double us;

    if (unlimited(b) || b->tokens >= 1) {
        return 0;
    }
    /* saturating: a rate near 0 means a wait beyond int64_t, not a
     * negative one that lets every request through */
    us = (1 - b->tokens) / b->rate * US_PER_S;
    return sat_add(sat_from_double(us), 1);
}

static void bucket_take(struct bucket *b)
{
    if (!unlimited(b)) {
        b->tokens -= 1;
    }
}

static void bucket_slow(struct bucket *b, const struct rl_config *cfg,
                        int64_t now_us)
{
    double floor;

    if (unlimited(b)) {
        return;
    }
    bucket_advance(b, cfg, now_us);
    if (b->slowed_us != INT64_MIN && now_us - b->slowed_us < cfg->cooldown_us) {
        return;
    }
    floor = b->cfg_rate * cfg->min_share;
    b->rate *= cfg->slowdown;
    if (b->rate < floor) {
        b->rate = floor;
    }
    if (b->tokens > 0) {
        b->tokens = 0;
    }
    b->slowed_us = now_us;
}

struct ratelimit *rl_new(const struct rl_config *cfg, int64_t now_us)
{
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));

    rl->cfg = *cfg;
    if (rl->cfg.max_in_flight < 1) {
        rl->cfg.max_in_flight = 1;
    }
    if (rl->cfg.burst_secs <= 0) {
        rl->cfg.burst_secs = 0.2;
    }
    if (rl->cfg.slowdown <= 0 || rl->cfg.slowdown >= 1) {
        rl->cfg.slowdown = 0.7;
    }
    if (rl->cfg.min_share <= 0 || rl->cfg.min_share > 1) {
        rl->cfg.min_share = 0.1;
    }
    if (rl->cfg.recover_secs <= 0) {
        rl->cfg.recover_secs = 10;
    }
    if (rl->cfg.cooldown_us <= 0) {
        rl->cfg.cooldown_us = 1000000;
    }
    bucket_init(&rl->global, rl->cfg.global_rps, rl->cfg.burst_secs, now_us);
    rl->cap = rl->cfg.max_in_flight;
    rl->cap_last_us = now_us;
    rl->cap_slowed_us = INT64_MIN;
    return rl;
}

void rl_free(struct ratelimit *rl)
{
    if (!rl) {
        return;
    }
    for (size_t i = 0; i < rl->nr_eps; i++) {
        free(rl->eps[i].name);
        free(rl->eps[i].queue.items);
    }
    free(rl->eps);
    free(rl->sleepers);
    free(rl);
}

int rl_endpoint(struct ratelimit *rl, const char *name)
{
    struct endpoint *e;

    for (size_t i = 0; i < rl->nr_eps; i++) {
        if (!strcmp(rl->eps[i].name, name)) {
            return (int)i;
        }
    }
    ALLOC_GROW(rl->eps, rl->nr_eps + 1, rl->alloc_eps);
    e = &rl->eps[rl->nr_eps];
    memset(e, 0, sizeof(*e));
    e->name = xstrdup(name);
    bucket_init(&e->bucket, rl->cfg.endpoint_rps, rl->cfg.burst_secs,
                rl->global.last_us);
    return (int)rl->nr_eps++;
}

const char *rl_endpoint_name(const struct ratelimit *rl, int ep)
{
    if (ep < 0 || (size_t)ep >= rl->nr_eps) {
        return "";
    }
    return rl->eps[ep].name;
}

void rl_enqueue(struct ratelimit *rl, int ep, void *item, int64_t not_before_us,
                int64_t now_us)
{
    if (not_before_us <= now_us) {
        deque_push(&rl->eps[ep].queue, item, false);
        rl->nr_queued++;
        return;
    }
    ALLOC_GROW(rl->sleepers, rl->nr_sleepers + 1, rl->alloc_sleepers);
    rl->sleepers[rl->nr_sleepers].item = item;
    rl->sleepers[rl->nr_sleepers].ep = ep;
    rl->sleepers[rl->nr_sleepers].at_us = not_before_us;
    rl->nr_sleepers++;
}

/* Wake the sleepers whose time has come; returns the next wake-up. */
static int64_t wake_sleepers(struct ratelimit *rl, int64_t now_us)
{
    int64_t next = -1;
    size_t i = 0;

    while (i < rl->nr_sleepers) {
        struct sleeper *s = &rl->sleepers[i];

        if (s->at_us <= now_us) {
            deque_push(&rl->eps[s->ep].queue, s->item, true);
            rl->nr_queued++;
            *s = rl->sleepers[--rl->nr_sleepers];
            continue;
        }
        if (next < 0 || s->at_us - now_us < next) {
            next = s->at_us - now_us;
        }
        i++;
    }
    return next;
}

static double cap_at(const struct ratelimit *rl, int64_t now_us)
{
    int64_t from = rl->cap_last_us;
    double cap = rl->cap;

    if (rl->cap_slowed_us != INT64_MIN &&
        from < rl->cap_slowed_us + rl->cfg.cooldown_us) {
        from = rl->cap_slowed_us + rl->cfg.cooldown_us;
    }
    if (now_us > from) {
        cap += (double)(now_us - from) / US_PER_S;
    }
    if (cap > rl->cfg.max_in_flight) {
        cap = rl->cfg.max_in_flight;
    }
    return cap;
}

static void advance_all(struct ratelimit *rl, int64_t now_us)
{
    if (now_us > rl->cap_last_us) {
        rl->cap = cap_at(rl, now_us);
        rl->cap_last_us = now_us;
    }
    bucket_advance(&rl->global, &rl->cfg, now_us);
    for (size_t i = 0; i < rl->nr_eps; i++) {
        bucket_advance(&rl->eps[i].bucket, &rl->cfg, now_us);
    }
}

static int64_t min_wait(int64_t a, int64_t b)
{
    if (a < 0) {
        return b;
    }
    if (b < 0) {
        return a;
    }
    return a < b ? a : b;
}

void *rl_next(struct ratelimit *rl, int64_t now_us, int *ep_out,
              int64_t *wait_us)
{
    int64_t sleep_wait = wake_sleepers(rl, now_us);
    int64_t wait = -1;
    int64_t gwait;

    *wait_us = -1;
    *ep_out = -1;
    if (!rl->nr_queued) {
        *wait_us = sleep_wait;
        return NULL;
    }
    advance_all(rl, now_us);
    if (rl->in_flight >= (int)rl->cap) {
        return NULL; /* a completion will make room */
    }
    gwait = bucket_wait(&rl->global);
    if (gwait > 0) {
        *wait_us = min_wait(gwait, sleep_wait);
        return NULL;
    }
    for (size_t i = 0; i < rl->nr_eps; i++) {
        size_t n = (rl->rr + i) % rl->nr_eps;
        struct endpoint *e = &rl->eps[n];
        int64_t ewait;

        if (!e->queue.nr) {
            continue;
        }
        ewait = bucket_wait(&e->bucket);
        if (ewait > 0) {
            wait = min_wait(wait, ewait);
            continue;
        }
        bucket_take(&rl->global);
        bucket_take(&e->bucket);
        rl->in_flight++;
        rl->nr_queued--;
        rl->rr = (n + 1) % rl->nr_eps;
        *ep_out = (int)n;
        return deque_pop(&e->queue);
    }
    *wait_us = min_wait(wait, sleep_wait);
    return NULL;
}

void rl_done(struct ratelimit *rl)
{
    if (rl->in_flight > 0) {
        rl->in_flight--;
    }
}

void rl_succeeded(struct ratelimit *rl, int ep)
{
    rl->succeeded++;
    if (ep >= 0 && (size_t)ep < rl->nr_eps) {
        rl->eps[ep].succeeded++;
    }
}

long rl_successes(const struct ratelimit *rl, int ep)
{
    if (ep < 0) {
        return rl->succeeded;
    }
    return (size_t)ep < rl->nr_eps ? rl->eps[ep].succeeded : 0;
}

void rl_throttled(struct ratelimit *rl, int ep, enum rl_scope scope,
                  int64_t now_us)
{
    advance_all(rl, now_us);
    if (scope == RL_SCOPE_CONCURRENCY) {
        double cap;

        if (rl->cap_slowed_us != INT64_MIN &&
            now_us - rl->cap_slowed_us < rl->cfg.cooldown_us) {
            return;
        }
        cap = (rl->in_flight < rl->cap ? rl->in_flight : rl->cap) *
              rl->cfg.slowdown;
        rl->cap = cap < 1 ? 1 : cap;
        rl->cap_slowed_us = now_us;
        return;
    }
    if (scope == RL_SCOPE_GLOBAL || scope == RL_SCOPE_UNKNOWN) {
        bucket_slow(&rl->global, &rl->cfg, now_us);
    }
    if ((scope == RL_SCOPE_ENDPOINT || scope == RL_SCOPE_UNKNOWN) && ep >= 0 &&
        (size_t)ep < rl->nr_eps) {
        bucket_slow(&rl->eps[ep].bucket, &rl->cfg, now_us);
    }
}

enum rl_scope rl_scope_parse(const char *reason)
{
    if (!reason || !*reason) {
        return RL_SCOPE_UNKNOWN;
    }
    if (strstr(reason, "concurrency")) {
        return RL_SCOPE_CONCURRENCY;
    }
    if (!strncmp(reason, "global", 6)) {
        return RL_SCOPE_GLOBAL;
    }
    if (!strncmp(reason, "endpoint", 8)) {
        return RL_SCOPE_ENDPOINT;
    }
    return RL_SCOPE_UNKNOWN;
}

void rl_clear(struct ratelimit *rl)
{
    for (size_t i = 0; i < rl->nr_eps; i++) {
        rl->eps[i].queue.nr = 0;
        rl->eps[i].queue.head = 0;
    }
    rl->nr_sleepers = 0;
    rl->nr_queued = 0;
}

size_t rl_queued(const struct ratelimit *rl)
{
    return rl->nr_queued + rl->nr_sleepers;
}

int rl_in_flight(const struct ratelimit *rl)
{
    return rl->in_flight;
}

double rl_rate(const struct ratelimit *rl, int ep, int64_t now_us)
{
    const struct bucket *b = &rl->global;

    if (ep >= 0 && (size_t)ep < rl->nr_eps) {
        b = &rl->eps[ep].bucket;
    }
    return bucket_rate_at(b, &rl->cfg, now_us);
}

int rl_in_flight_cap(const struct ratelimit *rl, int64_t now_us)
{
    return (int)cap_at(rl, now_us);
}
