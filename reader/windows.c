/* SPDX-License-Identifier: MIT */
/*
 * Windows of a pass: which one gets the next request, when to split one,
 * how a reply bounds an open one.  Pure functions over a stream_state;
 * the engine decides when to call them.
 */
#include "core/compat.h"
#include "reader/windows.h"
#include "reader/checkpoint.h"

struct window *window_pick_idle(struct stream_state *st)
{
    for (size_t i = 0; i < st->nr_windows; i++) {
        struct window *w = st->windows[i];

        if (!w->busy && !w->done) {
            return w;
        }
    }
    return NULL;
}

/*
 * Split the window with the most objects left, at the middle of what it
 * has left; the new window takes the older half.  A window that has
 * reached 'created' c keeps [m, c] and its cursor.  Only windows that
 * have fetched a page are split: their density is measured, so empty
 * stretches of history cost one request each, not a cascade of probes.
 */
#define SPLIT_MIN_OBJECTS 200.0

struct window *window_split(struct stream_state *st)
{
    struct window *best = NULL, *nw;
    double best_est = SPLIT_MIN_OBJECTS;
    int64_t top, span, m;

    for (size_t i = 0; i < st->nr_windows; i++) {
        struct window *w = st->windows[i];
        double est;

        if (w->done || w->hi == WINDOW_OPEN || w->pages == 0) {
            continue;
        }
        top = w->after ? w->after_created : w->hi;
        span = top - w->lo;
        if (span < 2) {
            continue;
        }
        est = (double)span * w->density;
        if (est >= best_est) {
            best = w;
            best_est = est;
        }
    }
    if (!best) {
        return NULL;
    }
    top = best->after ? best->after_created : best->hi;
    m = best->lo + (top - best->lo) / 2;
    nw = stream_state_add_window(st, best->lo, m);
    nw->density = best->density;
    best->lo = m;
    return nw;
}

void window_measure(struct window *w, size_t stored, int64_t newest,
                    int64_t oldest)
{
    int64_t span = newest - oldest + 1;

    if (stored > 0) {
        w->density = (double)stored / (double)(span > 0 ? span : 1);
    }
}

bool window_bound(struct window *w, int64_t date, int64_t settle)
{
    int64_t hi = date - settle;
    bool floored = false;

    if (hi > w->cap) {
        hi = w->cap;
    }
    if (w->floor_secs && w->lo < date - w->floor_secs) {
        w->lo = date - w->floor_secs;
        floored = true;
    }
    if (hi < w->lo) {
        hi = w->lo;
    }
    w->hi = hi;
    w->after_created = hi;
    return floored;
}
