/* SPDX-License-Identifier: MIT */
/*
 * Replies to records: a list page becomes one record per object in its
 * window; an events page also becomes the updates it implies, and waits
 * for the objects it makes the engine re-read.  A page is stored whole,
 * and only then does its window's cursor move.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "adapter/url.h"
#include "reader/engine_int.h"
#include "reader/fields.h"
#include "model/streams.h"
#include "model/record.h"
#include "sinks/sink.h"

#include <time.h>

/* -1: older than the window (it is done), 0: inside, 1: newer (skip). */
static int in_window(const struct window *w, int64_t created)
{
    if (created >= w->hi) {
        return 1;
    }
    return created < w->lo ? -1 : 0;
}

/*
 * The version of a copy read by a list or a retrieve whose reply is dated
 * 'date'.  Lists and retrieves are eventually consistent: such a reply
 * can still show an object as it was a few seconds before 'date', while
 * the event of a later change already exists (reference §9.2).  So the
 * copy is known current only as of 'date' less the settle margin; an
 * event created after that is newer and wins.  Copies of one object from
 * different sources can share a version (a list read and the object's
 * event of the same second); sinks rank them (event < list < retrieve),
 * so which one is kept never depends on the order they come in.
 */
static int64_t snapshot_version(const struct engine *e, int64_t date)
{
    return date - e->o->settle_secs;
}

/* The version a list or events page gives its item: an event never
 * changes, so its version is its own time. */
static int64_t item_version(const struct engine *e, const struct job *j,
                            size_t i)
{
    return j->st->stream->is_events ? j->items.items[i].created
                                    : snapshot_version(e, j->date);
}

static int write_record(struct engine *e, struct record *rec)
{
    struct err err = ERR_INIT;

    rec->account = e->o->account;
    rec->extracted_at = e->extracted_at;
    if (e->sink->type->write(e->sink, rec, &err) < 0) {
        engine_fail(e, &err);
        return -1;
    }
    e->since_commit++;
    e->dirty = true;
    return 0;
}

enum event_col { EV_TYPE, EV_OBJECT_TYPE, EV_API_VERSION, EV_COLS };

/* Indices of the events columns the engine reads, resolved once (the
 * stream table is static). */
static int event_col(enum event_col which)
{
    static int idx[EV_COLS];
    static bool ready;

    if (!ready) {
        const struct stream *ev = stream_find("events");

        idx[EV_TYPE] = stream_column(ev, "type");
        idx[EV_OBJECT_TYPE] = stream_column(ev, "object_type");
        idx[EV_API_VERSION] = stream_column(ev, "api_version");
        ready = true;
    }
    return idx[which];
}

static const char *event_text(const struct page_item *it, enum event_col which)
{
    int c = event_col(which);

    return c >= 0 && it->cols[c].kind == COLVAL_TEXT ? it->cols[c].text : "";
}

/* Store data.object of an event as a new version of its stream's object. */
/*
 * One event copy per (object, second): the events of one change share a
 * second, and under late visibility one of them can come a run later.
 * Within a window the window remembers them; across passes the events
 * stream's remembered items do, keyed "<stream>:<id>".
 */
static bool derived_seen(struct job *j, const struct stream *t, const char *id,
                         int64_t second)
{
    char *key;
    bool seen;

    if (window_derived_seen(j->w, id, second)) {
        return true;
    }
    key = xstrfmt("%s:%s", t->name, id);
    seen = recent_has(j->st, key, second);
    if (!seen && second >= j->st->hi - j->lane->plan->overlap) {
        recent_add(j->st, key, second, second);
    }
    free(key);
    return seen;
}

static int store_event_object(struct engine *e, struct job *j,
                              const struct stream *t, size_t i)
{
    const struct page_items *pi = &j->items;
    const struct page_item *it = &pi->items[i];
    const char *text = page_item_text(pi, i);
    const char *api = event_text(it, EV_API_VERSION);
    struct record rec;
    struct err err = ERR_INIT;
    struct fields f;

    memset(&rec, 0, sizeof(rec));
    buf_reset(&e->scratch);
    f.cols = e->scratch_cols;
    if (page_event_object(text, it->len, &rec.raw, &rec.raw_len) < 0 ||
        fields_extract(t, rec.raw, rec.raw + rec.raw_len, &f, &e->scratch) <
            0) {
        err_set(&err, ERR_DATA, "event '%s': 'data.object' is malformed",
                it->id);
        engine_fail(e, &err);
        return -1;
    }
    fields_finish(f.cols, t->nr_columns, &e->scratch);
    if (f.cols[COLUMN_ID].kind != COLVAL_TEXT ||
        f.cols[COLUMN_CREATED].kind != COLVAL_INT) {
        err_set(&err, ERR_DATA,
                "event '%s': 'data.object' has no string 'id' or integer "
                "'created'",
                it->id);
        engine_fail(e, &err);
        return -1;
    }
    rec.id = f.cols[COLUMN_ID].text;
    if (derived_seen(j, t, rec.id, it->created)) {
        return 0; /* this version of the object is stored already */
    }
    rec.stream = t;
    rec.created = f.cols[COLUMN_CREATED].i;
    rec.livemode = f.cols[COLUMN_LIVEMODE].kind == COLVAL_BOOL &&
                   f.cols[COLUMN_LIVEMODE].i;
    rec.version = it->created;
    rec.source = SOURCE_EVENT;
    rec.event_id = it->id;
    rec.api_version = *api ? api : NULL;
    rec.cols = f.cols;
    if (write_record(e, &rec) < 0) {
        return -1;
    }
    e->res->streams[stream_index(t)].updated++;
    return 0;
}

/*
 * Does the event's data.object supply a stored copy of 't' as it is?
 * Only when it is 't's own object rendered at the pinned API version:
 * every stored copy has the shape the profile asked for.
 */
static bool event_supplies(const struct engine *e, const struct stream *t,
                           const struct event_route *r,
                           const struct page_item *it)
{
    const char *api = event_text(it, EV_API_VERSION);

    return r->how == ROUTE_SELF &&
           !strcmp(event_text(it, EV_OBJECT_TYPE), t->object) &&
           (!e->o->api_version || !strcmp(api, e->o->api_version));
}

/* The updates an event implies for the streams it routes to. */
static int apply_event(struct engine *e, struct job *j, size_t i)
{
    const struct page_item *it = &j->items.items[i];
    const char *type = event_text(it, EV_TYPE);
    const char *otype = event_text(it, EV_OBJECT_TYPE);

    for (size_t k = 0; k < nr_streams; k++) {
        const struct stream *t = &streams[k];
        const struct event_route *r = stream_route(t, type, otype);

        if (!r || !event_supplies(e, t, r, it)) {
            continue; /* nothing, or re-read (plan_retrieves) */
        }
        if (store_event_object(e, j, t, i) < 0) {
            return -1;
        }
    }
    return 0;
}

static int store_item(struct engine *e, struct job *j, size_t i)
{
    const struct stream *s = j->st->stream;
    const struct page_item *it = &j->items.items[i];
    struct record rec;

    memset(&rec, 0, sizeof(rec));
    rec.stream = s;
    rec.id = it->id;
    rec.livemode = it->livemode;
    rec.created = it->created;
    rec.version = item_version(e, j, i);
    rec.source = SOURCE_LIST;
    rec.raw = page_item_text(&j->items, i);
    rec.raw_len = it->len;
    rec.cols = it->cols;
    if (write_record(e, &rec) < 0) {
        return -1;
    }
    e->res->streams[stream_index(s)].listed++;
    if (it->created > e->res->streams[stream_index(s)].newest_created) {
        e->res->streams[stream_index(s)].newest_created = it->created;
    }
    return s->is_events ? apply_event(e, j, i) : 0;
}

static int store_retrieved(struct engine *e, struct job *page, struct job *r)
{
    struct record rec;
    char *key;
    bool seen;

    if (r->items.nr == 0 ||
        engine_lists_after(e, r->rstream, r->items.items[0].created,
                           r->event_time)) {
        /* not found; or listed by this run anyway, after the event */
        return 0;
    }
    key = xstrfmt("%s:%s", r->rstream->name, r->items.items[0].id);
    seen = recent_seen(&page->st->retrieved, key, snapshot_version(e, r->date));
    free(key);
    if (seen) {
        return 0; /* stored before a crash, within this second */
    }
    memset(&rec, 0, sizeof(rec));
    rec.stream = r->rstream;
    rec.id = r->items.items[0].id;
    rec.livemode = r->items.items[0].livemode;
    rec.created = r->items.items[0].created;
    rec.version = snapshot_version(e, r->date);
    rec.source = SOURCE_RETRIEVE;
    rec.raw = page_item_text(&r->items, 0);
    rec.raw_len = r->items.items[0].len;
    rec.cols = r->items.items[0].cols;
    if (write_record(e, &rec) < 0) {
        return -1;
    }
    e->res->streams[stream_index(r->rstream)].retrieved++;
    return 0;
}

/* Stored by an earlier pass (re-read in the overlap)? */
static bool item_is_repeat(const struct engine *e, const struct job *j,
                           size_t i)
{
    return recent_has(j->st, j->items.items[i].id, item_version(e, j, i));
}

/* Items near the pass's end are remembered for the next pass. */
static void remember(const struct engine *e, struct job *j, size_t i)
{
    const struct page_item *it = &j->items.items[i];

    if (it->created >= j->st->hi - j->lane->plan->overlap) {
        recent_add(j->st, it->id, item_version(e, j, i), it->created);
    }
}

static void update_density(struct window *w, size_t stored, int64_t newest,
                           int64_t oldest)
{
    int64_t span = newest - oldest + 1;

    if (stored > 0) {
        w->density = (double)stored / (double)(span > 0 ? span : 1);
    }
}

/* Store a page (and what it waited for), then move its window on. */
static void flush_page(struct engine *e, struct job *j)
{
    struct window *w = j->w;
    const struct page_item *last = NULL;
    int64_t newest = 0;
    size_t stored = 0;
    bool done = !j->items.has_more;

    for (size_t i = 0; i < j->items.nr && !e->failed; i++) {
        int where = in_window(w, j->items.items[i].created);

        if (where > 0) {
            continue;
        }
        if (where < 0) {
            done = true;
            break;
        }
        if (!item_is_repeat(e, j, i) && store_item(e, j, i) < 0) {
            break;
        }
        remember(e, j, i);
        if (!stored++) {
            newest = j->items.items[i].created;
        }
        last = &j->items.items[i];
    }
    for (size_t k = 0; k < j->nr_waits; k++) {
        if (!e->failed) {
            store_retrieved(e, j, j->waits[k]);
        }
        job_put(e, j->waits[k]);
    }
    j->nr_waits = 0;
    w->busy = false;
    j->lane->inflight--;
    if (!e->failed) {
        if (last) {
            window_set_cursor(w, last->id, last->created);
            update_density(w, stored, newest, last->created);
        }
        w->pages++;
        w->done = done;
        e->res->streams[stream_index(j->st->stream)].pages++;
        e->dirty = true;
        if (done) {
            engine_check_pass(e, j->lane);
        }
    }
    job_put(e, j);
}

/* The first reply of a pass bounds it by Stripe's clock. */
static void bound_window(struct engine *e, struct job *j)
{
    struct window *w = j->w;
    int64_t hi = j->date - e->o->settle_secs;

    if (hi > w->cap) {
        hi = w->cap;
    }
    if (w->floor_secs && w->lo < j->date - w->floor_secs) {
        w->lo = j->date - w->floor_secs;
        if (j->lane->plan->after_feed) {
            log_info("stream 'events': the history starts 30 days back; "
                     "older events have expired at Stripe");
        }
    }
    if (hi < w->lo) {
        hi = w->lo;
    }
    w->hi = hi;
    w->after_created = hi;
    j->st->hi = hi;
    if (j->lane->plan->starts_feed && !e->cp->feed_start) {
        e->cp->feed_start = w->lo;
    }
    if (j->req.server_date) {
        e->cp->server_skew = adapter_clock_skew(e->ad);
    }
    e->dirty = true;
}

static void submit_retrieve(struct engine *e, struct job *page,
                            const struct stream *t, const char *id,
                            int64_t event_time)
{
    struct job *r = job_get(e, JOB_RETRIEVE);
    struct buf path = BUF_INIT;

    buf_addf(&path, "%s/", t->path);
    url_encode(&path, id);
    r->req.path = buf_detach(&path, NULL);
    /* GET /v1/charges/{id} is an endpoint of its own at Stripe, with its
     * own budget: the adapter derives "/v1/charges/{id}" from the path */
    r->req.endpoint = NULL;
    r->req.caller_parses = true;
    r->page = page;
    r->rstream = t;
    r->event_time = event_time;
    ALLOC_GROW(page->waits, page->nr_waits + 1, page->alloc_waits);
    page->waits[page->nr_waits++] = r;
    page->pending++;
    adapter_submit(e->ad, &r->req);
}

/*
 * Events that change an object without supplying its stored copy make
 * the engine re-read it by id, once per object per run, before their page
 * is stored: a Dispute or a Refund names its charge; an event rendered at
 * another API version than the pinned one names its own object (by
 * "id"), which is re-read at the pinned version (hydrated).
 */
static void plan_event_retrieves(struct engine *e, struct job *j, size_t i)
{
    const struct page_item *it = &j->items.items[i];
    const char *type = event_text(it, EV_TYPE);
    const char *otype = event_text(it, EV_OBJECT_TYPE);

    for (size_t k = 0; k < nr_streams; k++) {
        const struct stream *t = &streams[k];
        const struct event_route *r = stream_route(t, type, otype);
        const char *dobj, *ref = NULL;
        size_t dlen;

        if (!r || event_supplies(e, t, r, it) ||
            page_event_object(page_item_text(&j->items, i), it->len, &dobj,
                              &dlen) < 0) {
            continue;
        }
        buf_reset(&e->scratch);
        if (fields_string(dobj, dobj + dlen,
                          r->how == ROUTE_REREAD ? r->ref : "id", &e->scratch,
                          &ref) == 1 &&
            engine_retrieve_once(e, t, ref)) {
            submit_retrieve(e, j, t, ref, it->created);
        }
    }
}

static void plan_retrieves(struct engine *e, struct job *j)
{
    for (size_t i = 0; i < j->items.nr; i++) {
        const struct page_item *it = &j->items.items[i];

        if (in_window(j->w, it->created) == 0 && !item_is_repeat(e, j, i) &&
            *event_text(it, EV_OBJECT_TYPE)) {
            plan_event_retrieves(e, j, i);
        }
    }
}

static void page_failed(struct engine *e, struct job *j, struct err *err)
{
    if (err->kind != ERR_NONE) {
        err_prefix(err, "stream '%s'", j->st->stream->name);
        engine_fail(e, err);
    }
    j->w->busy = false;
    j->lane->inflight--;
    job_put(e, j);
}

static void handle_page(struct engine *e, struct job *j)
{
    const struct stream *s = j->st->stream;
    struct err err = ERR_INIT;
    char what[64];

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
    if (j->req.err.kind != ERR_NONE) {
        err = j->req.err;
        page_failed(e, j, &err);
        return;
    }
    j->date = j->req.server_date ? j->req.server_date : (int64_t)time(NULL);
    if (e->guard_pending && s->is_events && engine_guard(e, j->date) < 0) {
        page_failed(e, j, &err);
        return;
    }
    snprintf(what, sizeof(what), "page of '%s'", s->name);
    if (page_parse_list(&j->items, s, j->req.body.buf, j->req.body.len, what,
                        &err) < 0) {
        err_prefix(&err, "%s (Request-Id %s)", j->req.path, j->req.request_id);
        page_failed(e, j, &err);
        return;
    }
    if (j->w->hi == WINDOW_OPEN) {
        bound_window(e, j);
    }
    if (s->is_events && !e->stopping) {
        plan_retrieves(e, j);
    }
    if (j->pending == 0) {
        flush_page(e, j);
    }
}

static void handle_retrieve(struct engine *e, struct job *r)
{
    struct job *page = r->page;
    struct err err = ERR_INIT;
    char what[96];

    if (r->req.err.kind != ERR_NONE) {
        if (r->req.status == 404) {
            log_warn("%s: not found; its update is skipped (Request-Id %s)",
                     r->req.path, r->req.request_id);
        }
        else {
            err = r->req.err;
            engine_fail(e, &err);
        }
    }
    else {
        r->date = r->req.server_date ? r->req.server_date : (int64_t)time(NULL);
        snprintf(what, sizeof(what), "%s", r->req.path);
        if (page_parse_object(&r->items, r->rstream, r->req.body.buf,
                              r->req.body.len, what, &err) < 0) {
            engine_fail(e, &err);
        }
    }
    if (--page->pending == 0) {
        flush_page(e, page);
    }
}

void engine_dispatch(struct engine *e, struct job *j)
{
    if (j->kind == JOB_PAGE) {
        handle_page(e, j);
    }
    else {
        handle_retrieve(e, j);
    }
}
