/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by reader/engine.c (scheduling) and reader/apply.c
 * (turning replies into records).  Not for use outside reader/.
 *
 * Who owns what: engine.c alone changes the scheduling state (lanes,
 * windows, cursors, requests in flight, passes, commits).  apply.c reads
 * the run's context (sink, options) and the checkpoint's memories of
 * what was stored, writes records, and reports what a page did
 * (reader/apply.h).
 */
#ifndef READER_ENGINE_INT_H
#define READER_ENGINE_INT_H

#include "adapter/adapter.h"
#include "core/strset.h"
#include "reader/engine.h"
#include "reader/page.h"
#include "model/streams.h"
#include "reader/plan.h"

struct sink;
struct stream;

enum job_kind {
    JOB_PAGE,    /* a list page of a window */
    JOB_RETRIEVE /* GET /v1/<resource>/<id>: a re-read owed (rereads.c) */
};

/*
 * A lane is one stream_state the run reads: a stream of the set, or the
 * events history of a sync.  It has its own plan and requests in flight.
 */
struct lane {
    struct stream_state *st;
    const struct stream_plan *plan;
    int inflight; /* windows busy */
    bool resumed; /* its pass was resumed from the checkpoint */
};

struct job {
    struct http_req req; /* reused, with its body buffer */
    enum job_kind kind;
    struct lane *lane;       /* PAGE */
    struct stream_state *st; /* PAGE: lane->st */
    struct window *w;        /* PAGE */
    struct page_items items; /* the parsed reply */
    int64_t date;            /* Stripe's clock at the reply */
    /* RETRIEVE: the object's stream and its owed key "<stream>:<id>" */
    const struct stream *rstream;
    char *key;
    char *parent_id;  /* the id it reads (a child's: its parent's) */
    struct job *next; /* free list */
};

/*
 * The requests of a run (reader/jobs.c): jobs are reused, so a long run
 * allocates only as many as are ever in flight at once.
 */
struct job_pool {
    struct job *free;
    struct job **all;
    size_t nr, alloc;
};

/* A job of 'kind', reset (its request buffer kept). */
struct job *job_get(struct job_pool *p, enum job_kind kind);
/* Back to the pool; its reply is dropped. */
void job_put(struct job_pool *p, struct job *j);
/* Free every job. */
void job_pool_release(struct job_pool *p);

struct engine {
    struct adapter *ad;
    struct sink *sink;
    struct checkpoint *cp;
    struct stream_set *set;
    const struct run_plan *rp;
    struct lane lanes[MAX_STREAMS + 1];
    size_t nr_lanes;
    size_t feed_lane; /* the lane of the set's events stream */
    const struct engine_opts *o;
    struct engine_result *res;
    struct err *err;
    struct job_pool jobs;
    long since_commit;
    int64_t last_commit_ms;
    int64_t last_progress_ms;
    int64_t drain_until;
    int64_t extracted_at;
    struct buf scratch; /* strings of an event's data.object */
    struct colval scratch_cols[MAX_COLUMNS];
    /* "<stream>:<id>" re-read this run, with its copy's version
     * (INT64_MIN while in flight) */
    struct strset retrieved;
    /* per stream, the owed keys not yet tried this run (rereads.c) */
    struct reread_queue {
        char **keys;
        size_t head, nr, alloc;
    } rq[MAX_STREAMS];
    int rereads_inflight;
    bool live; /* the key's mode: livemode of objects without one */
    bool relists_begun;
    /* a parent's embedded children (reader/children.c) */
    struct buf child_body;
    struct page_items child_items;
    struct strset child_seen; /* "<stream>:<id>:<source>" -> version */
    /* "<stream>:<parent>:<id>" listed by a sub-list read under way */
    struct strset sub_seen;
    /* "<stream>:<parent>:" whose children can no longer go */
    struct strset kids_final;

    bool dirty;
    bool guard_pending; /* the retention guard has not been checked yet */
    bool no_commit;     /* nothing more may be committed: failed before
                         * anything may be stored, or the sink failed */
    bool failed;
    bool stopping;
};

/* Record the first failure; the run stops starting requests. */
void engine_fail(struct engine *e, const struct err *cause);

/*
 * A stream the key may not read (a 403 on its list or a re-read) when the
 * streams were not named: left out of this run, said once; its state
 * stays as it was.  True when 'req' was that.
 */
bool engine_skip_forbidden(struct engine *e, const struct stream *s,
                           const struct http_req *req);
/* Is lane 'lane' (a stream of the set) skipped that way? */
bool engine_lane_skipped(const struct engine *e, size_t lane);

/*
 * Re-reads owed (reader/rereads.c): queue what the checkpoint owes at the
 * start; owe one more (an apply_rereads() callback); send what can be
 * sent (from the scheduler); take a retrieve's reply; free the queues.
 */
void rereads_begin(struct engine *e);
void rereads_owe(struct engine *e, struct job *page, const struct stream *t,
                 const char *id, int64_t event_time);
void rereads_schedule(struct engine *e);
void rereads_handle(struct engine *e, struct job *r);
/* A copy was stored: it settles an older debt of its object. */
struct record;
void rereads_stored(struct engine *e, const struct record *rec);
void rereads_release(struct engine *e);

#endif
