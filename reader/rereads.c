/* SPDX-License-Identifier: MIT */
/*
 * Re-reads owed by events (issue 13 §3): an event that changes an object
 * without supplying its copy at the pinned version (a Dispute names its
 * charge; an event rendered at another API version names its own object)
 * makes the object owed a re-read by id.
 *
 * The owed set is part of the checkpoint, saved with the events page that
 * asked, so the page is stored at once instead of waiting for retrieves.
 * A re-read waits instead until nothing this run still lists can supply
 * the copy (the object's stream has no pass under way); then the sink is
 * asked first (SQLite knows what it holds; NDJSON cannot tell): a copy at
 * least as new as the newest event that asked settles the debt without a
 * request.  Otherwise one retrieve per object per run; its copy settles
 * it.  What is still owed when a run stops is read by the next one.
 */
#include "core/compat.h"
#include "adapter/url.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "model/record.h"
#include "reader/apply.h"
#include "reader/engine_int.h"
#include "reader/jscan.h"
#include "sinks/sink.h"

#include <string.h>
#include <time.h>

/*
 * Re-reads in flight at once, whatever the page concurrency: each is
 * its own request to GET /v1/<resource>/{id}, an endpoint with its own
 * budget, paced by the adapter like any other.
 */
#define REREADS_INFLIGHT 32

static void queue_push(struct reread_queue *q, const char *key)
{
    ALLOC_GROW(q->keys, q->nr + 1, q->alloc);
    q->keys[q->nr++] = xstrdup(key);
}

/* The stream of owed key "<stream>:<id>", and where its id starts. */
static const struct stream *key_stream(const char *key, const char **id)
{
    const char *colon = strchr(key, ':');
    char name[64];

    if (!colon || (size_t)(colon - key) >= sizeof(name)) {
        return NULL;
    }
    memcpy(name, key, (size_t)(colon - key));
    name[colon - key] = '\0';
    *id = colon + 1;
    return stream_find(name);
}

void rereads_begin(struct engine *e)
{
    const struct strset_entry **all = strset_sorted(&e->cp->owed);
    int64_t now = (int64_t)time(NULL) + e->cp->server_skew;

    /* a child's sub-list copies are remembered for a few minutes only:
     * enough for a run soon after in the same second */
    for (size_t i = 0; i < nr_streams; i++) {
        if (streams[i].parent) {
            recent_compact(&e->set->streams[i].retrieved, now - 600);
        }
    }
    for (size_t i = 0; i < strset_count(&e->cp->owed); i++) {
        const char *id;
        const struct stream *t = key_stream(all[i]->key, &id);

        if (t) {
            queue_push(&e->rq[stream_index(t)], all[i]->key);
        }
    }
    free(all);
}

void rereads_owe(struct engine *e, struct job *page UNUSED,
                 const struct stream *t, const char *id, int64_t event_time)
{
    char *key = xstrfmt("%s:%s", t->name, id);

    if (!strset_contains(&e->cp->owed, key)) {
        queue_push(&e->rq[stream_index(t)], key);
    }
    checkpoint_owe(e->cp, t, id, event_time);
    free(key);
}

/*
 * Can nothing this run still reads supply a copy?  A list copy or a later
 * event's copy may still come while any pass is under way; waiting for
 * all of them makes the outcome independent of the order replies arrive
 * in (a run killed and resumed stores what one clean run stores).
 */
static bool lane_idle(const struct engine *e, size_t i)
{
    return !e->lanes[i].plan->selected || e->lanes[i].st->hi == 0 ||
           engine_lane_skipped(e, i);
}

static bool settled(const struct engine *e)
{
    for (size_t i = 0; i < e->nr_lanes; i++) {
        if (!lane_idle(e, i)) {
            return false;
        }
    }
    return true;
}

/*
 * A child's sub-list reads only need its parent's list done: they go
 * beside the events pages (a later event owing the same sub-list again is
 * older than what was read, which settles it).
 */
static bool settled_for(const struct engine *e, const struct stream *t)
{
    return t->parent ? lane_idle(e, stream_index(t->parent)) : settled(e);
}

static void settle(struct engine *e, const char *key)
{
    strset_remove(&e->cp->owed, key);
    e->dirty = true;
}

/* Does the sink hold a copy of 'key' as new as 'event_time'? */
static bool sink_has(struct engine *e, const struct stream *t, const char *id,
                     int64_t event_time)
{
    struct err err = ERR_INIT;
    int64_t v = 0;
    int found;

    if (!e->sink->type->stored_version) {
        return false;
    }
    found = e->sink->type->stored_version(
        e->sink, t, e->o->account, !strcmp(e->cp->mode, "live"), id, &v, &err);
    if (found < 0) {
        e->no_commit = true; /* the sink failed: see apply_write() */
        engine_fail(e, &err);
        return false;
    }
    /* strictly newer: two event copies of one second are ambiguous (the
     * reason a same-second re-read is owed) */
    return found && v > event_time;
}

/*
 * A child stream's owed key names its parent: its sub-list is read page
 * by page ("%s" in sub_path is the parent's id), from 'after' on.
 */
static void sublist_path(struct buf *path, const struct stream *t,
                         const char *parent, const char *after)
{
    const char *pct = strstr(t->sub_path, "%s");

    buf_add(path, t->sub_path, (size_t)(pct - t->sub_path));
    url_encode(path, parent);
    buf_addf(path, "%slimit=100", pct + 2);
    if (after) {
        buf_addstr(path, "&starting_after=");
        url_encode(path, after);
    }
}

static void submit(struct engine *e, const struct stream *t, const char *id,
                   const char *key, const char *after)
{
    struct job *r = job_get(&e->jobs, JOB_RETRIEVE);
    struct buf path = BUF_INIT;

    if (t->parent) {
        sublist_path(&path, t, id, after);
    }
    else {
        buf_addf(&path, "%s/", t->path);
        url_encode(&path, id);
    }
    r->req.path = buf_detach(&path, NULL);
    /* GET /v1/charges/{id} is an endpoint of its own at Stripe, with its
     * own budget: the adapter derives "/v1/charges/{id}" from the path */
    r->req.endpoint = NULL;
    r->req.caller_parses = true;
    r->rstream = t;
    r->key = xstrdup(key);
    r->parent_id = xstrdup(id);
    strset_add(&e->retrieved, key, INT64_MIN);
    e->rereads_inflight++;
    adapter_submit(e->ad, &r->req);
}

/* Take the next owed key of queue 'q': settle it, leave it, or submit. */
static void drain_one(struct engine *e, const struct stream *t, const char *key)
{
    int64_t owed, copy;
    const char *id = key + strlen(t->name) + 1;

    if (!strset_get(&e->cp->owed, key, &owed)) {
        return; /* settled since it was queued */
    }
    if (engine_lane_skipped(e, stream_index(t))) {
        settle(e, key); /* the key may not read it: this run skips it */
        return;
    }
    if (strset_get(&e->retrieved, key, &copy)) {
        /* re-read once per run: its copy covers the run's events */
        if (copy >= owed) {
            settle(e, key);
        }
        return;
    }
    if (!t->parent && sink_has(e, t, id, owed)) {
        e->res->streams[stream_index(t)].reread_skipped++;
        settle(e, key);
        return;
    }
    if (!e->failed) {
        submit(e, t, id, key, NULL);
    }
}

void rereads_schedule(struct engine *e)
{
    if (e->stopping || e->guard_pending) {
        return;
    }
    for (size_t i = 0; i < nr_streams; i++) {
        struct reread_queue *q = &e->rq[i];

        if (q->head == q->nr || !settled_for(e, &streams[i])) {
            continue;
        }
        while (q->head < q->nr && e->rereads_inflight < REREADS_INFLIGHT &&
               !e->stopping) {
            char *key = q->keys[q->head++];

            drain_one(e, &streams[i], key);
            free(key);
        }
        if (q->head == q->nr) {
            q->head = q->nr = 0;
        }
    }
}

/* Is the retrieved object a deleted stub (a deleted customer)? */
static bool is_stub(const struct job *r)
{
    const char *b = r->req.body.buf, *v, *ve;

    return r->req.err.kind == ERR_NONE && b &&
           jscan_member(b, b + r->req.body.len, "deleted", &v, &ve) == 1 &&
           ve - v == 4 && !memcmp(v, "true", 4);
}

/* A page of a child's sub-list: stored; the next page, or done. */
static int sublist_page(struct engine *e, struct job *r, int64_t *version,
                        bool *more, struct err *err)
{
    struct record rec;
    long records = 0;

    *version = r->date - e->o->settle_secs;
    r->items.live = e->live;
    if (page_parse_list(&r->items, r->rstream, r->req.body.buf, r->req.body.len,
                        r->req.path, err) < 0) {
        return -1;
    }
    for (size_t k = 0; k < r->items.nr; k++) {
        apply_item_record(&rec, r->rstream, &r->items, k, *version,
                          SOURCE_LIST);
        if (r->rstream->removable) {
            children_listed(e, &rec, r->parent_id);
        }
        if (children_seen(e, &rec, true)) {
            continue;
        }
        if (apply_write(e, &rec, &records, err) < 0) {
            return -1;
        }
    }
    e->res->streams[stream_index(r->rstream)].listed += (long)r->items.nr;
    e->since_commit += records;
    *more = r->items.has_more && r->items.nr > 0;
    if (*more) {
        submit(e, r->rstream, r->parent_id, r->key,
               r->items.items[r->items.nr - 1].id);
    }
    return 0;
}

/*
 * The reply to a sub-list page.  A cursor naming a line deleted since is
 * refused (tap-stripe met it on invoice lines: SS §5): the sub-list is
 * read again from its start.
 */
static void sublist_reply(struct engine *e, struct job *r)
{
    struct err err = ERR_INIT;
    int64_t version;
    bool more = false;

    if (r->req.err.kind != ERR_NONE && strstr(r->req.path, "starting_after") &&
        apply_cursor_gone(r)) {
        submit(e, r->rstream, r->parent_id, r->key, NULL);
        return;
    }
    if ((r->req.err.kind != ERR_NONE && r->req.status == 404) ||
        engine_skip_forbidden(e, r->rstream, &r->req)) {
        if (r->req.status == 404) {
            log_warn("%s: not found; skipped (Request-Id %s)", r->req.path,
                     r->req.request_id);
        }
        children_forget(e, r->rstream, r->parent_id);
        settle(e, r->key);
        return;
    }
    if (r->req.err.kind != ERR_NONE) {
        err = r->req.err;
        engine_fail(e, &err);
        return;
    }
    r->date = r->req.server_date ? r->req.server_date : (int64_t)time(NULL);
    if (e->failed) {
        return;
    }
    if (sublist_page(e, r, &version, &more, &err) < 0) {
        engine_fail(e, &err);
        return;
    }
    e->dirty = true;
    if (!more) {
        long records = 0;

        if (r->rstream->removable &&
            children_gone(e, r->rstream, r->parent_id, version, &records,
                          &err) < 0) {
            engine_fail(e, &err);
            return;
        }
        e->since_commit += records;
        strset_set(&e->retrieved, r->key, version);
        settle(e, r->key);
    }
}

void rereads_handle(struct engine *e, struct job *r)
{
    struct err err = ERR_INIT;
    int64_t version = INT64_MIN, owed;
    long records = 0;

    e->rereads_inflight--;
    if (r->rstream->parent) {
        sublist_reply(e, r);
    }
    else if (r->req.err.kind != ERR_NONE && r->req.status == 404) {
        log_warn("%s: not found; its update is skipped (Request-Id %s)",
                 r->req.path, r->req.request_id);
        settle(e, r->key);
    }
    else if (engine_skip_forbidden(e, r->rstream, &r->req)) {
        settle(e, r->key);
    }
    else if (is_stub(r)) {
        /* {"id":..,"deleted":true}: deleted since; its delete event
         * stores its last state, marked (SS §2, §4) */
        log_info("%s: deleted since the event that named it", r->req.path);
        settle(e, r->key);
    }
    else if (r->req.err.kind != ERR_NONE) {
        err = r->req.err;
        engine_fail(e, &err);
    }
    else if (!e->failed) {
        e->res->streams[stream_index(r->rstream)].retrieved++;
        r->date = r->req.server_date ? r->req.server_date : (int64_t)time(NULL);
        if (apply_parse_object(e, r, &err) < 0 ||
            apply_retrieved(e, r, &records, &version, &err) < 0) {
            engine_fail(e, &err);
        }
        else {
            strset_set(&e->retrieved, r->key, version);
            if (strset_get(&e->cp->owed, r->key, &owed) && version >= owed) {
                settle(e, r->key);
            }
            e->since_commit += records;
            e->dirty = true;
        }
    }
    job_put(&e->jobs, r);
}

void rereads_stored(struct engine *e, const struct record *rec)
{
    char key[256];
    int64_t owed;

    if (!strset_count(&e->cp->owed) ||
        (size_t)snprintf(key, sizeof(key), "%s:%s", rec->stream->name,
                         rec->id) >= sizeof(key)) {
        return;
    }
    if (strset_get(&e->cp->owed, key, &owed) && rec->version > owed) {
        if (rec->source != SOURCE_RETRIEVE) {
            e->res->streams[stream_index(rec->stream)].reread_skipped++;
        }
        settle(e, key);
    }
}

void rereads_release(struct engine *e)
{
    for (size_t i = 0; i < MAX_STREAMS; i++) {
        struct reread_queue *q = &e->rq[i];

        for (size_t k = q->head; k < q->nr; k++) {
            free(q->keys[k]);
        }
        free(q->keys);
        memset(q, 0, sizeof(*q));
    }
}
