/* SPDX-License-Identifier: MIT */
/*
 * Planning a run: which passes each stream starts or resumes, and the
 * rules of Stripe's events retention.  The command line parses options
 * and calls these; the engine carries the plan out.
 *
 * A sync reads every selected stream from its high-water mark less the
 * overlap, and the events stream in two roles kept apart:
 *  - the change feed (the sync's events state): a first sync starts it
 *    EVENTS_LOOKBACK_SECS before Stripe's clock at its first reply, so
 *    however many deadline-bounded runs the first listing takes, every
 *    run reads the feed on from where the last one stopped;
 *  - the history (checkpoint.history): the events of the 30 days before
 *    the feed began, read once, by a pass of its own; what expires
 *    before it is read is gone, which is no gap.
 * Only a feed cursor older than Stripe keeps events (30 days, less a day
 * of margin) is a gap: the run fails with ERR_RETENTION (exit 6).
 */
#ifndef READER_PLAN_H
#define READER_PLAN_H
#include <stdbool.h>
#include <stdint.h>
#include "reader/engine.h"

struct checkpoint;
struct err;

/* Stripe keeps events 30 days; a feed cursor older than this is a gap. */
#define EVENT_RETENTION_SECS (30 * 86400LL)
#define RETENTION_MARGIN_SECS 86400LL
/*
 * How far back every events pass starts before the last one's end.
 * Events (and new objects) have been seen in lists minutes after their
 * 'created' under load (singer-io/tap-stripe#45; the tap looks back
 * 600 s): ten minutes.
 */
#define EVENTS_LOOKBACK_SECS 600LL

struct plan_opts {
    unsigned mask;   /* selected streams (bit = index in streams[]) */
    int64_t start;   /* the profile's start date, 0: none */
    int64_t overlap; /* re-read before a list stream's mark */
    int64_t events_lookback;
    int64_t since, until; /* backfill: [since, until), until INT64_MAX */
};

/* What the engine runs: the plan of every lane. */
struct run_plan {
    struct stream_plan streams[MAX_STREAMS];
    struct stream_plan history; /* sync: the events history lane */
    int64_t guard_cursor;       /* 0: no retention guard */
    int64_t guard_secs;
};

void plan_sync(const struct checkpoint *cp, const struct plan_opts *o,
               struct run_plan *rp);
void plan_backfill(const struct stream_set *set, const struct plan_opts *o,
                   struct run_plan *rp);

/* --rescan: forget every sync mark (and the events history), so that the
 * next sync re-lists everything from the start date. */
void plan_rescan(struct checkpoint *cp);

/* The oldest point the change feed still has to read from, 0 if none. */
int64_t plan_feed_cursor(const struct checkpoint *cp);

/* The backfill's checkpoint key for [since, until): "<since>..<until>". */
void plan_backfill_range(int64_t since, int64_t until, char *out, size_t size);
#endif
