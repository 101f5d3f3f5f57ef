/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/plan.h"
#include "core/log.h"
#include "core/strutil.h"
#include "model/streams.h"
#include "reader/checkpoint.h"

static size_t events_index(void)
{
    return stream_index(stream_find("events"));
}

/*
 * How far a pass re-reads before the last mark.  Stripe has listed new
 * objects minutes after their 'created' (reference §9): events look back
 * 10 minutes for that, and so does a stream no event carries (balance
 * transactions), or none announces new objects of (checkout sessions):
 * its list is its only source of them.  Other streams' late objects come
 * with their events.
 */
static int64_t looks_back(const struct stream *s, const struct plan_opts *o)
{
    bool eventless =
        (!s->nr_routes || s->no_create_event) && !s->parent && !s->store_as;

    return s->is_events || eventless ? o->events_lookback : o->overlap;
}

int64_t plan_feed_cursor(const struct checkpoint *cp)
{
    const struct stream_state *st = &cp->sync.streams[events_index()];
    int64_t c = st->has_hwm ? st->hwm : 0;

    for (size_t i = 0; st->hi != 0 && i < st->nr_windows; i++) {
        if (!c || st->windows[i]->lo < c) {
            c = st->windows[i]->lo;
        }
    }
    return c;
}

void plan_rescan(struct checkpoint *cp)
{
    for (size_t i = 0; i < cp->sync.nr; i++) {
        stream_state_reset(&cp->sync.streams[i]);
    }
    stream_state_reset(&cp->history);
    cp->feed_start = 0;
    cp->feed_since = 0;
}

/*
 * The events history: once, the 30 days Stripe still lists before the
 * feed began.  Its upper bound is the feed's start, known once the feed's
 * first pass is bounded by Stripe's clock (the engine holds the history
 * back until then).
 */
static void plan_history(const struct checkpoint *cp, const struct plan_opts *o,
                         struct run_plan *rp)
{
    const struct stream_state *h = &cp->history;
    struct stream_plan *p = &rp->history;

    const struct stream_state *feed = &cp->sync.streams[events_index()];
    bool feed_begins = !feed->has_hwm && feed->hi == 0;

    /* only with a feed this tool started (not one a backfill seeded) */
    p->selected = (o->mask & (1u << events_index())) && !h->has_hwm &&
                  (cp->feed_start || feed_begins);
    p->overlap = o->events_lookback;
    p->start_pass = true;
    p->lo = o->start;
    p->hi_cap = cp->feed_start ? cp->feed_start : INT64_MAX;
    p->floor_secs = EVENT_RETENTION_SECS;
    p->after_feed = true;
}

void plan_sync(const struct checkpoint *cp, const struct plan_opts *o,
               struct run_plan *rp)
{
    for (size_t i = 0; i < cp->sync.nr; i++) {
        const struct stream_state *st = &cp->sync.streams[i];
        struct stream_plan *p = &rp->streams[i];
        bool events = st->stream->is_events;
        int64_t back = looks_back(st->stream, o);

        /* the change feed carries every stream's updates: always read */
        p->keep = (o->mask & (1u << i)) || events;
        p->selected = p->keep && !st->stream->parent;
        p->start_pass = true;
        p->hi_cap = INT64_MAX;
        p->restart_after_resume = true;
        p->overlap = back;
        p->lo = st->has_hwm ? st->hwm - back : o->start;
        if (events && st->has_hwm) {
            /* never further back than the feed remembers what it stored
             * (a checkpoint that does not say: the overlap) */
            int64_t since =
                cp->feed_since ? cp->feed_since : st->hwm - o->overlap;

            p->lo = p->lo > since ? p->lo : since;
        }
        if (!st->has_hwm && events && st->hi == 0) {
            /* a first feed: from shortly before now, on Stripe's clock */
            p->floor_secs = o->events_lookback;
            p->starts_feed = true;
        }
    }
    plan_history(cp, o, rp);
    rp->guard_cursor = plan_feed_cursor(cp);
    rp->guard_secs = EVENT_RETENTION_SECS - RETENTION_MARGIN_SECS;
}

void plan_backfill(const struct stream_set *set, const struct plan_opts *o,
                   struct run_plan *rp)
{
    for (size_t i = 0; i < set->nr; i++) {
        const struct stream_state *st = &set->streams[i];
        struct stream_plan *p = &rp->streams[i];

        p->keep = (o->mask & (1u << i)) != 0;
        p->selected = p->keep && !st->stream->parent;
        p->hi_cap = o->until;
        p->restart_after_resume = false;
        p->overlap = looks_back(st->stream, o);
        /* a finished backfill with an end date has nothing left */
        p->start_pass = !(st->has_hwm && o->until != INT64_MAX);
        p->lo = st->has_hwm ? st->hwm - o->overlap : o->since;
        if (!st->has_hwm && st->stream->is_events) {
            p->floor_secs = EVENT_RETENTION_SECS;
        }
    }
}

void plan_backfill_range(int64_t since, int64_t until, char *out, size_t size)
{
    char a[32], b[32];

    format_time(since, a, sizeof(a));
    if (until == INT64_MAX) {
        snprintf(b, sizeof(b), "now");
    }
    else {
        format_time(until, b, sizeof(b));
    }
    snprintf(out, size, "%s..%s", a, b);
}
