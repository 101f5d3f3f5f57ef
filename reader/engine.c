/* SPDX-License-Identifier: MIT */
/*
 * The engine's scheduler: which window gets the next request, when to
 * split, when to commit.  Page contents are turned into records in
 * reader/apply.c.
 */
#include "core/compat.h"
#include "reader/engine.h"
#include "adapter/adapter.h"
#include "adapter/url.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strset.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "reader/apply.h"
#include "reader/engine_int.h"
#include "reader/windows.h"
#include "reader/plan.h"
#include "model/streams.h"
#include "sinks/sink.h"

#include <time.h>

/* how long in-flight requests may finish after a stop or a failure */
#define DRAIN_MS 3000
/* how long before a deadline the engine stops starting requests */
#define DEADLINE_GRACE_MS 2000

static void jobs_free(struct engine *e)
{
    buf_release(&e->scratch);
    buf_release(&e->child_body);
    page_items_release(&e->child_items);
    strset_release(&e->child_seen);
    strset_release(&e->sub_seen);
    strset_release(&e->kids_final);

    strset_release(&e->retrieved);
    rereads_release(e);
    job_pool_release(&e->jobs);
}

void engine_fail(struct engine *e, const struct err *cause)
{
    if (!e->failed) {
        *e->err = *cause;
        e->failed = true;
    }
    if (!e->stopping) {
        e->stopping = true;
        e->drain_until = monotonic_ms() + DRAIN_MS;
    }
}

static void build_path(struct buf *path, const struct stream *s,
                       const struct window *w)
{
    char num[32];

    buf_addstr(path, s->path);
    url_query_add(path, "limit", "100");
    if (s->list_query) {
        buf_addf(path, "&%s", s->list_query);
    }
    snprintf(num, sizeof(num), "%lld", (long long)w->lo);
    url_query_add(path, "created[gte]", num);
    if (w->hi != WINDOW_OPEN || w->cap != INT64_MAX) {
        snprintf(num, sizeof(num), "%lld",
                 (long long)(w->hi != WINDOW_OPEN ? w->hi : w->cap));
        url_query_add(path, "created[lt]", num);
    }
    if (w->after) {
        url_query_add(path, "starting_after", w->after);
    }
}

static void submit_page(struct engine *e, struct lane *l, struct window *w)
{
    struct job *j = job_get(&e->jobs, JOB_PAGE);
    struct stream_state *st = l->st;
    struct buf path = BUF_INIT;

    j->lane = l;
    j->st = st;
    j->w = w;
    build_path(&path, st->stream, w);
    j->req.path = buf_detach(&path, NULL);
    j->req.endpoint = st->stream->path;
    j->req.caller_parses = true;
    w->busy = true;
    l->inflight++;
    adapter_submit(e->ad, &j->req);
}

static int engine_guard(struct engine *e, int64_t server_date)
{
    struct err err = ERR_INIT;

    e->guard_pending = false;
    if (e->rp->guard_cursor >= server_date - e->rp->guard_secs) {
        return 0;
    }
    err_set(&err, ERR_RETENTION,
            "the events checkpoint is older than Stripe keeps events");
    e->no_commit = true;
    engine_fail(e, &err);
    return -1;
}

/*
 * The events history waits for the feed's start, which bounds it above:
 * the two never read the same event.
 */
static bool history_held(struct engine *e, struct lane *l)
{
    if (!l->plan->after_feed) {
        return false;
    }
    if (!e->cp->feed_start) {
        return true;
    }
    for (size_t i = 0; i < l->st->nr_windows; i++) {
        struct window *w = l->st->windows[i];

        if (w->hi == WINDOW_OPEN && w->cap > e->cp->feed_start) {
            w->cap = e->cp->feed_start;
        }
    }
    return false;
}

bool engine_lane_skipped(const struct engine *e, size_t lane)
{
    return lane < e->set->nr && (e->res->unreadable & (1u << lane));
}

static void schedule(struct engine *e)
{
    if (e->stopping) {
        return;
    }
    for (size_t i = 0; i < e->nr_lanes; i++) {
        struct lane *l = &e->lanes[i];

        if (!l->plan->selected || engine_lane_skipped(e, i)) {
            continue;
        }
        /* until the guard is checked, only the feed's first request goes
         * out */
        if (e->guard_pending && (i != e->feed_lane || l->inflight > 0)) {
            continue;
        }
        if (history_held(e, l)) {
            continue;
        }
        while (l->inflight < e->o->concurrency) {
            struct window *w = window_pick_idle(l->st);

            if (!w) {
                w = window_split(l->st);
            }
            if (!w) {
                break;
            }
            submit_page(e, l, w);
        }
    }
    rereads_schedule(e);
}

static void start_pass(struct engine *e, struct stream_state *st, int64_t lo,
                       int64_t cap, int64_t floor_secs)
{
    struct window *w;

    if (cap != INT64_MAX && cap <= lo) {
        return; /* nothing to read */
    }
    w = stream_state_add_window(st, lo, WINDOW_OPEN);
    w->cap = cap;
    w->floor_secs = floor_secs;
    st->pass_lo = lo;
    st->hi = WINDOW_OPEN;
    e->dirty = true;
}

/* The sync's marks move forward over what a finished backfill stored. */
static void seed_sync(struct engine *e, const struct lane *l)
{
    const struct stream_state *done = l->st;
    struct stream_state *sync =
        &e->cp->sync.streams[stream_index(done->stream)];

    /* a sync pass under way, or a gap between the sync's mark and the
     * backfill's start: leave the sync alone */
    if (sync->hi != 0 || (sync->has_hwm && sync->hwm < e->o->seed_since)) {
        return;
    }
    if (!sync->has_hwm || sync->hwm < done->hwm) {
        sync->has_hwm = true;
        sync->hwm = done->hwm;
        recent_merge(sync, done);
        for (size_t k = 0; k < done->nr_done; k++) {
            stream_state_pass_done(sync, done->done[k].lo, done->done[k].hi);
        }
        if (done->stream->is_events) {
            /* the backfill remembers the last 'overlap' of its events */
            e->cp->feed_since = done->hwm - l->plan->overlap;
        }
    }
}

static void engine_check_pass(struct engine *e, struct lane *l)
{
    struct stream_state *st = l->st;
    char name[STREAM_LABEL_MAX];

    for (size_t i = 0; i < st->nr_windows; i++) {
        if (!st->windows[i]->done || st->windows[i]->busy) {
            return;
        }
    }
    if (st->hi == 0 || st->hi == WINDOW_OPEN) {
        stream_state_prune(st, false);
        return;
    }
    stream_state_pass_done(st, st->pass_lo, st->hi);
    if (e->set == &e->cp->sync && l == &e->lanes[e->feed_lane]) {
        /* the pass stored all of [pass_lo, hi); it remembers the last
         * 'overlap' seconds of it */
        int64_t since = st->hi - l->plan->overlap;

        e->cp->feed_since = since > st->pass_lo ? since : st->pass_lo;
    }
    if (!st->has_hwm || st->hi > st->hwm) {
        st->hwm = st->hi;
    }
    st->has_hwm = true;
    st->hi = 0;
    stream_state_prune(st, false);
    recent_roll(st, l->plan->overlap);
    e->dirty = true;
    log_info("stream '%s': pass complete up to %lld",
             stream_label(st->stream, name, sizeof(name)), (long long)st->hwm);
    if (e->o->seed_sync && &e->cp->sync != e->set && !l->plan->after_feed) {
        seed_sync(e, l);
    }
    if (l->resumed && l->plan->restart_after_resume && !e->stopping) {
        int64_t lo = st->hwm - l->plan->overlap;

        if (l == &e->lanes[e->feed_lane] && lo < e->cp->feed_since) {
            lo = e->cp->feed_since;
        }
        l->resumed = false;
        start_pass(e, st, lo, l->plan->hi_cap, 0);
    }
}

/* The lanes of the run: the set's streams, then a sync's history. */
static void make_lanes(struct engine *e)
{
    for (size_t i = 0; i < e->set->nr; i++) {
        struct lane *l = &e->lanes[e->nr_lanes++];

        l->st = &e->set->streams[i];
        l->plan = &e->rp->streams[i];
        if (l->st->stream->is_events) {
            e->feed_lane = i;
        }
    }
    if (e->set == &e->cp->sync && e->rp->history.selected) {
        struct lane *l = &e->lanes[e->nr_lanes++];

        l->st = &e->cp->history;
        l->plan = &e->rp->history;
    }
}

static void begin_streams(struct engine *e)
{
    for (size_t i = 0; i < e->nr_lanes; i++) {
        struct lane *l = &e->lanes[i];
        struct stream_state *st = l->st;
        const struct stream_plan *p = l->plan;

        if (!p->selected) {
            continue;
        }
        if (st->hi != 0) {
            l->resumed = true;
            if (st->nr_windows == 0) {
                engine_check_pass(e, l);
            }
            continue;
        }
        if (p->start_pass) {
            start_pass(e, st, p->lo, p->hi_cap, p->floor_secs);
        }
    }
}

/*
 * One range of a stream to list again, as a closed window.  A pass under
 * way when the relists began reads what is above its lower bound; with
 * none, the relisted windows make the pass, from the lowest to the
 * highest.
 */
static void relist_window(struct engine *e, struct relist *r, bool had_pass)
{
    struct stream_state *st = e->lanes[stream_index(r->stream)].st;
    char name[STREAM_LABEL_MAX];

    if (had_pass && r->hi >= st->pass_lo) {
        r->hi = st->pass_lo - 1;
    }
    if (r->hi < r->lo) {
        return;
    }
    stream_state_add_window(st, r->lo, r->hi + 1);
    if (!had_pass) {
        st->pass_lo = st->hi == 0 || r->lo < st->pass_lo ? r->lo : st->pass_lo;
        st->hi = r->hi + 1 > st->hi ? r->hi + 1 : st->hi;
    }
    log_info("stream '%s': listing again what became due at %lld",
             stream_label(r->stream, name, sizeof(name)), (long long)r->until);
    e->dirty = true;
}

static int relist_cmp(const void *a, const void *b)
{
    const struct relist *x = a, *y = b;
    size_t i = stream_index(x->stream), j = stream_index(y->stream);

    if (i != j) {
        return i < j ? -1 : 1;
    }
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * A sync lists again what changed with no event since it was read: the
 * created range of each relist entry whose time has passed on Stripe's
 * clock (the Date of the run's first reply) becomes a closed window of
 * its stream's pass.  Entries of one stream due together whose ranges
 * overlap become one window: two windows would list the same objects
 * twice with the same Date, two copies of one version (soak seed 7202,
 * balance transactions of several days come due after three days).
 */
static void begin_relists(struct engine *e, int64_t date)
{
    int64_t now = date - e->o->settle_secs;
    struct relist *due = xcalloc(e->cp->nr_relists + 1, sizeof(*due));
    bool had_pass[MAX_STREAMS] = { false };
    size_t kept = 0, nr = 0;

    e->relists_begun = true;
    for (size_t i = 0; i < e->cp->nr_relists; i++) {
        struct relist *r = &e->cp->relists[i];
        struct lane *l = &e->lanes[stream_index(r->stream)];

        if (e->set != &e->cp->sync || r->until > now || !l->plan->selected) {
            e->cp->relists[kept++] = *r;
            continue;
        }
        had_pass[stream_index(r->stream)] = l->st->hi != 0;
        due[nr++] = *r;
    }
    e->cp->nr_relists = kept;
    qsort(due, nr, sizeof(*due), relist_cmp);
    for (size_t i = 0; i < nr; i++) {
        struct relist r = due[i];

        for (; i + 1 < nr && due[i + 1].stream == r.stream &&
               due[i + 1].lo <= r.hi + 1;
             i++) {
            r.hi = due[i + 1].hi > r.hi ? due[i + 1].hi : r.hi;
            r.until = due[i + 1].until > r.until ? due[i + 1].until : r.until;
        }
        relist_window(e, &r, had_pass[stream_index(r.stream)]);
    }
    free(due);
}

/* ---- replies: the bookkeeping around reader/apply.c ---- */

/* The first reply of a pass bounds it by Stripe's clock. */
static void bound_window(struct engine *e, struct job *j)
{
    if (window_bound(j->w, j->date, e->o->settle_secs) &&
        j->lane->plan->after_feed) {
        log_info("stream 'events': the history starts 30 days back; "
                 "older events have expired at Stripe");
    }
    j->st->hi = j->w->hi;
    if (j->lane->plan->starts_feed && !e->cp->feed_start) {
        e->cp->feed_start = j->w->lo;
    }
    if (j->req.server_date) {
        e->cp->server_skew = adapter_clock_skew(e->ad);
    }
    if (!e->relists_begun) {
        begin_relists(e, j->date);
    }
    e->dirty = true;
}

/* A page's request is over: its window is free again. */
static void page_release(struct engine *e, struct job *j)
{
    j->w->busy = false;
    j->lane->inflight--;
    job_put(&e->jobs, j);
}

/* Store a page, then move its window on. */
static void flush_page(struct engine *e, struct job *j)
{
    struct window *w = j->w;
    struct page_outcome out;
    struct err err = ERR_INIT;

    if (!e->failed && apply_page(e, j, &out, &err) < 0) {
        engine_fail(e, &err);
    }
    if (!e->failed) {
        e->since_commit += out.records;
        if (out.last) {
            window_set_cursor(w, out.last->id, out.last->created);
            window_measure(w, out.stored, out.newest, out.last->created);
        }
        w->pages++;
        w->done = out.done;
        e->res->streams[stream_index(j->st->stream)].pages++;
        e->dirty = true;
    }
    page_release(e, j);
    if (!e->failed && w->done) {
        engine_check_pass(e, j->lane);
    }
}

bool engine_skip_forbidden(struct engine *e, const struct stream *s,
                           const struct http_req *req)
{
    size_t i = stream_index(s);
    char name[STREAM_LABEL_MAX];

    if (!e->o->skip_unreadable || req->err.kind != ERR_AUTH ||
        req->status != 403 || s->is_events) {
        return false;
    }
    if (!(e->res->unreadable & (1u << i))) {
        log_warn("stream '%s' skipped: %s", stream_label(s, name, sizeof(name)),
                 req->err.msg);
    }
    e->res->unreadable |= 1u << i;
    return true;
}

static void page_failed(struct engine *e, struct job *j, struct err *err)
{
    char name[STREAM_LABEL_MAX];

    if (engine_skip_forbidden(e, j->st->stream, &j->req)) {
        page_release(e, j);
        return;
    }
    if (err->kind != ERR_NONE) {
        err_prefix(err, "stream '%s'",
                   stream_label(j->st->stream, name, sizeof(name)));
        engine_fail(e, err);
    }
    page_release(e, j);
}

static void handle_page(struct engine *e, struct job *j)
{
    const struct stream *s = j->st->stream;
    struct err err = ERR_INIT;
    char name[STREAM_LABEL_MAX];

    if (j->req.err.kind != ERR_NONE && s->is_events && j->w->after &&
        j->req.status == 404) {
        /* the cursor event passed Stripe's 30 days while we paged: what
         * is older has expired too, so the window is done */
        log_info("stream 'events': cursor '%s' has expired; window done",
                 j->w->after);
        page_items_clear(&j->items);
        flush_page(e, j);
        return;
    }
    if (j->req.err.kind != ERR_NONE && !s->is_events && j->w->after &&
        apply_cursor_gone(j)) {
        /* the cursor's object was deleted since (SS §4): what is newer
         * than it is stored, so the window goes on below its second */
        log_info("stream '%s': cursor '%s' is gone; the window resumes "
                 "from its created bound",
                 stream_label(s, name, sizeof(name)), j->w->after);
        j->w->hi = j->w->after_created + 1;
        window_set_cursor(j->w, NULL, 0);
        page_release(e, j);
        return;
    }
    if (j->req.err.kind != ERR_NONE) {
        err = j->req.err;
        page_failed(e, j, &err);
        return;
    }
    j->date = j->req.server_date ? j->req.server_date : (int64_t)time(NULL);
    if ((e->guard_pending && s->is_events && engine_guard(e, j->date) < 0) ||
        apply_parse_page(e, j, &err) < 0) {
        page_failed(e, j, &err);
        return;
    }
    if (j->w->hi == WINDOW_OPEN) {
        bound_window(e, j);
    }
    if (s->is_events) {
        /* owed, saved with the page: it need not wait for them */
        apply_rereads(e, j, rereads_owe);
    }
    flush_page(e, j);
}

static void dispatch(struct engine *e, struct job *j)
{
    if (j->kind == JOB_PAGE) {
        handle_page(e, j);
    }
    else {
        rereads_handle(e, j);
    }
}

static int commit(struct engine *e)
{
    struct buf json = BUF_INIT;
    struct err err = ERR_INIT;
    int ret = 0;

    checkpoint_to_json(e->cp, &json);
    if (e->sink->type->commit(e->sink, e->o->state_key, json.buf, &err) < 0) {
        /* its records are gone (SQLite rolls back): a later commit would
         * advance the checkpoint over them */
        e->no_commit = true;
        engine_fail(e, &err);
        ret = -1;
    }
    else {
        e->res->commits++;
        e->since_commit = 0;
        e->dirty = false;
    }
    e->last_commit_ms = monotonic_ms();
    buf_release(&json);
    return ret;
}

static void maybe_commit(struct engine *e)
{
    if (!e->dirty || e->no_commit) {
        return;
    }
    if (e->since_commit >= e->o->commit_records ||
        monotonic_ms() - e->last_commit_ms >= e->o->commit_ms) {
        commit(e);
    }
}

static void check_stop(struct engine *e)
{
    int64_t now;

    if (e->stopping) {
        return;
    }
    now = monotonic_ms();
    if ((e->o->stop && *e->o->stop) ||
        (e->o->deadline_ms && now >= e->o->deadline_ms - DEADLINE_GRACE_MS)) {
        e->stopping = true;
        e->res->partial = true;
        e->drain_until = e->o->deadline_ms && !(e->o->stop && *e->o->stop)
                             ? e->o->deadline_ms
                             : now + DRAIN_MS;
        log_info("stopping: %s", e->o->stop && *e->o->stop
                                     ? "signal received"
                                     : "deadline reached");
    }
}

#define PROGRESS_MS 250

static void show_progress(struct engine *e, bool now)
{
    int64_t t = monotonic_ms();

    if (e->o->progress && (now || t - e->last_progress_ms >= PROGRESS_MS)) {
        e->last_progress_ms = t;
        e->o->progress(e->o->progress_data, e->set, e->res->streams);
    }
}

static void loop(struct engine *e)
{
    for (;;) {
        struct http_req *req;

        check_stop(e);
        schedule(e);
        if (adapter_pending(e->ad) == 0) {
            break;
        }
        if (e->stopping && monotonic_ms() >= e->drain_until) {
            log_info("abandoning %d request(s) in flight",
                     adapter_pending(e->ad));
            adapter_cancel(e->ad);
            break;
        }
        req = adapter_next(e->ad, 100);
        if (req) {
            dispatch(e, req->user);
        }
        maybe_commit(e);
        show_progress(e, false);
    }
}

int engine_run(struct adapter *ad, struct sink *sink, struct checkpoint *cp,
               struct stream_set *set, const struct run_plan *rp,
               const struct engine_opts *opts, struct engine_result *res,
               struct err *err)
{
    struct engine e;
    bool incomplete = false;

    memset(&e, 0, sizeof(e));
    memset(res, 0, sizeof(*res));
    e.ad = ad;
    e.sink = sink;
    e.cp = cp;
    e.set = set;
    e.rp = rp;
    e.o = opts;
    e.res = res;
    e.err = err;
    e.last_commit_ms = monotonic_ms();
    e.extracted_at = (int64_t)time(NULL);
    e.dirty = true;
    e.guard_pending = rp->guard_cursor != 0;
    e.scratch = (struct buf)BUF_INIT;
    e.child_body = (struct buf)BUF_INIT;
    e.child_items = (struct page_items)PAGE_ITEMS_INIT;
    e.live = !strcmp(cp->mode, "live");
    make_lanes(&e);
    begin_streams(&e);
    rereads_begin(&e);
    loop(&e);
    for (size_t i = 0; i < set->nr; i++) {
        if (res->streams[i].newest_created > set->streams[i].newest) {
            set->streams[i].newest = res->streams[i].newest_created;
        }
    }
    for (size_t i = 0; i < e.nr_lanes; i++) {
        if (engine_lane_skipped(&e, i)) {
            /* as it was before the run: nothing of it was read */
            stream_state_prune(e.lanes[i].st, true);
            e.lanes[i].st->hi = 0;
        }
        else if (e.lanes[i].plan->selected && e.lanes[i].st->hi != 0) {
            incomplete = true;
        }
    }
    if (strset_count(&cp->owed)) {
        incomplete = true; /* re-reads the next run makes */
    }
    if (!e.failed && !res->partial && !incomplete && !e.stopping) {
        cp->last_ok_at = (int64_t)time(NULL);
    }
    /* what is complete is committed, whatever stopped the run */
    if (!e.no_commit && (e.dirty || res->commits == 0)) {
        commit(&e);
    }
    show_progress(&e, true);
    jobs_free(&e);
    if (e.failed) {
        return -1;
    }
    if (res->partial || incomplete) {
        res->partial = true;
        return err_set(err, ERR_PARTIAL,
                       "stopped before the end; the next run continues "
                       "where this one stopped");
    }
    return 0;
}
