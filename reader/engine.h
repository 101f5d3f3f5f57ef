/* SPDX-License-Identifier: MIT */
/*
 * The incremental engine: pages every selected stream through the adapter,
 * window by window, many requests in flight, and hands records to the
 * sink, committing records and checkpoint together.
 *
 * What it guarantees:
 *  - each window [lo, hi) is closed against Stripe's clock (the Date of the
 *    first response of a pass, less the settle margin), so paging inside
 *    it is stable and the checkpoint (window, last id) resumes it exactly;
 *  - windows are split while they are paged (the largest remaining one,
 *    when a request slot is free), so a stream keeps 'concurrency'
 *    requests in flight whatever the distribution of its data;
 *  - an events page is stored with the updates it implies: charge.* and
 *    payout.* events whose data.object is a charge or payout are stored as
 *    new versions (event.created) of that object; other events naming an
 *    object (a Dispute, a Refund) make the object owed a re-read by id,
 *    saved in the same commit as the page and made once nothing this run
 *    lists can supply it, unless the sink holds a copy new enough
 *    (reader/rereads.c);
 *  - a commit holds exactly the records of the pages its checkpoint
 *    covers, whatever order windows finish in.
 */
#ifndef READER_ENGINE_H
#define READER_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/streams.h"
#include "reader/checkpoint.h"

struct adapter;
struct err;
struct sink;

/* What to do with one stream in this run. */
struct stream_plan {
    bool selected; /* its list is read (a lane) */
    /* its objects are stored (a child stream has no lane: its objects
     * come embedded in its parent's, or by its sub-list) */
    bool keep;
    /* start a pass when none is under way: over [lo, hi) */
    bool start_pass;
    int64_t lo;
    int64_t hi_cap; /* upper bound; the pass's hi is min(hi_cap, Stripe's
                     * clock - settle); INT64_MAX: none */
    /* if not 0: the pass starts no earlier than Stripe's clock less this
     * (events: Stripe lists only the last 30 days) */
    int64_t floor_secs;
    /* after finishing a pass resumed from the checkpoint, start another
     * from hwm - overlap (sync) */
    bool restart_after_resume;
    /*
     * How far before a pass's end the next pass starts re-reading: the
     * items stored within it are remembered so that the re-read stores
     * none of them twice.
     */
    int64_t overlap;
    /* the first pass of the change feed: its bound lower end, on Stripe's
     * clock, becomes checkpoint.feed_start */
    bool starts_feed;
    /* the events history: held until feed_start is known, which caps it */
    bool after_feed;
};

struct run_plan;

struct engine_stream_stats {
    long pages;
    long listed;    /* records stored from list pages */
    long updated;   /* event-derived copies stored */
    long retrieved; /* objects re-read by id */
    /* re-reads owed that a copy the sink held already covered */
    long reread_skipped;
    /* copies not written because the sink doubted them (re-read instead) */
    long doubted;
    int64_t newest_created;
};

struct engine_opts {
    const char *state_key; /* the sink's key for 'cp' */
    const char *account;   /* for records, "" = the key's own */
    int concurrency;       /* page requests in flight per stream */
    int64_t settle_secs;   /* default 5 */
    /* the pinned API version (Stripe-Version); NULL: take every event's
     * data.object as current */
    const char *api_version;
    long commit_records;         /* commit after this many records */
    long commit_ms;              /* ... or this long */
    int64_t deadline_ms;         /* monotonic ms; 0: none */
    volatile sig_atomic_t *stop; /* set by a signal handler; may be NULL */
    /* backfill: when a pass over [since, ...) completes, move the sync's
     * marks forward (never backward) */
    bool seed_sync;
    int64_t seed_since;
    /* the streams were not named: one the key may not read (403) is
     * skipped with a warning instead of failing the run */
    bool skip_unreadable;
    /* called at most every 250 ms, and at the end (progress display) */
    void (*progress)(void *data, const struct stream_set *set,
                     const struct engine_stream_stats *stats);
    void *progress_data;
};

struct engine_result {
    struct engine_stream_stats streams[MAX_STREAMS];
    unsigned unreadable; /* streams skipped: the key may not read them */
    long commits;
    bool partial; /* stopped early (deadline or signal) */
};

/*
 * Run the plan 'rp' (reader/plan.h) over 'set' (cp->sync, or a backfill's
 * set; a sync also reads cp->history as planned in rp->history), storing
 * into 'sink' and committing 'cp' under opts->state_key.
 *
 * The retention guard: when rp->guard_cursor is not 0, the events
 * stream's first request goes out alone, and if Stripe's clock then says
 * the cursor is more than rp->guard_secs old, the run fails with
 * ERR_RETENTION before anything else is requested or written.  Returns 0 when
 * every selected stream is read up to its pass's end; -1 with err on failure,
 * or ERR_PARTIAL when stopped early (what was complete is committed).
 */
int engine_run(struct adapter *ad, struct sink *sink, struct checkpoint *cp,
               struct stream_set *set, const struct run_plan *rp,
               const struct engine_opts *opts, struct engine_result *res,
               struct err *err);

#endif
