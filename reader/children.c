/* SPDX-License-Identifier: MIT */
/*
 * Child streams (issue 14): invoice lines and subscription items have no
 * list by 'created'; each parent object embeds the first of them in a
 * list object (invoice.lines, subscription.items: the first 10, with
 * has_more) and the rest are listed by the parent's sub-list endpoint
 * (reference/stripe-streams.md §5).  Every stored copy of a parent
 * stores its embedded children at the parent's version; only when
 * has_more is true is the sub-list owed a read (reader/rereads.c pages
 * it), so a sync with no change reads no sub-list.
 *
 * A subscription item removed from its subscription has no event of its
 * own: customer.subscription.updated names it in previous_attributes
 * (the old items).  An item there and not in the new, complete list is
 * stored marked deleted, its last state being the old one.
 */
#include "core/compat.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "model/record.h"
#include "reader/apply.h"
#include "reader/engine_int.h"
#include "reader/jscan.h"
#include "sinks/sink.h"

#include <string.h>

/* Parse the list object [p, end) of 'child' into e->child_items (a copy
 * in e->child_body: parsing minifies in place). */
static int parse_embedded(struct engine *e, const struct stream *child,
                          const char *p, const char *end, const char *parent,
                          struct err *err)
{
    char what[128];

    buf_reset(&e->child_body);
    buf_add(&e->child_body, p, (size_t)(end - p));
    e->child_items.live = e->live;
    snprintf(what, sizeof(what), "'%s' of %s", child->embed, parent);
    return page_parse_list(&e->child_items, child, e->child_body.buf,
                           e->child_body.len, what, err);
}

/*
 * A child copy is written once per (id, version, source): two copies of
 * one parent in one second (two events), or a parent's list copy and its
 * sub-list read with the same Date, embed the same lines; within a run a
 * set says so.  Across runs only a parent with more lines than it embeds
 * can bring them again (its sub-list owed anew in the same second): the
 * copies of those are remembered in the child stream's state for a few
 * minutes ('long_list').
 */
bool children_seen(struct engine *e, const struct record *rec, bool long_list)
{
    char key[256];
    struct strset_entry *seen;
    bool again = false;

    if ((size_t)snprintf(key, sizeof(key), "%s:%s:%d", rec->stream->name,
                         rec->id, (int)rec->source) >= sizeof(key)) {
        return false;
    }
    if (long_list) {
        struct stream_state *st = &e->set->streams[stream_index(rec->stream)];

        again = recent_seen(&st->retrieved, strchr(key, ':') + 1, rec->version);
    }
    seen = strset_find(&e->child_seen, key);
    if (seen && seen->value == rec->version) {
        return true;
    }
    strset_set(&e->child_seen, key, rec->version);
    return again;
}

static int store_child(struct engine *e, const struct record *parent,
                       const struct stream *child, size_t k, bool deleted,
                       long *records, struct err *err)
{
    bool long_list = e->child_items.has_more;
    struct record rec;

    /* the parent's version and source (an event's id with it) */
    apply_item_record(&rec, child, &e->child_items, k, parent->version,
                      parent->source);
    rec.event_id = parent->event_id;
    rec.api_version = parent->api_version;
    rec.parent_id = parent->id;
    rec.deleted = deleted;
    rec.deleted_at = deleted ? parent->version : 0;
    if (children_seen(e, &rec, long_list)) {
        return 0;
    }
    return apply_write(e, &rec, records, err);
}

int children_store(struct engine *e, const struct record *parent, long *records,
                   struct err *err)
{
    const struct stream *child = parent->stream->child;
    const char *v, *ve;

    if (!child || !e->rp->streams[stream_index(child)].keep) {
        return 0;
    }
    if (jscan_member(parent->raw, parent->raw + parent->raw_len, child->embed,
                     &v, &ve) != 1 ||
        *v != '{') {
        return 0; /* not embedded at this version (or null) */
    }
    if (parse_embedded(e, child, v, ve, parent->id, err) < 0) {
        return -1;
    }
    /* a deleted parent's lines go with it */
    for (size_t k = 0; k < e->child_items.nr; k++) {
        if (store_child(e, parent, child, k, parent->deleted, records, err) <
            0) {
            return -1;
        }
    }
    e->res->streams[stream_index(child)].updated += (long)e->child_items.nr;
    if (e->child_items.has_more && !parent->deleted) {
        rereads_owe(e, NULL, child, parent->id, parent->version);
    }
    return 0;
}

/* Is 'id' among the items of the list object [p, end)? */
static bool list_has(const char *p, const char *end, const char *id)
{
    const char *d, *de, *q;
    size_t n = strlen(id);

    if (jscan_member(p, end, "data", &d, &de) != 1 || *d != '[') {
        return false;
    }
    /* ids are plain ASCII: a quoted match suffices */
    for (q = d + 1; q + n < de; q++) {
        if (q[-1] == '"' && q[n] == '"' && !memcmp(q, id, n)) {
            return true;
        }
    }
    return false;
}

int children_removed(struct engine *e, const struct record *parent,
                     const char *event, size_t len, long *records,
                     struct err *err)
{
    const struct stream *child = parent->stream->child;
    const char *d, *de, *pa, *pe, *old, *olde, *now, *nowe;

    if (!child || !e->rp->streams[stream_index(child)].keep ||
        jscan_member(event, event + len, "data", &d, &de) != 1 ||
        jscan_member(d, de, "previous_attributes", &pa, &pe) != 1 ||
        jscan_member(pa, pe, child->embed, &old, &olde) != 1 || *old != '{' ||
        jscan_member(parent->raw, parent->raw + parent->raw_len, child->embed,
                     &now, &nowe) != 1) {
        return 0; /* nothing removed */
    }
    if (parse_embedded(e, child, old, olde, parent->id, err) < 0) {
        return -1;
    }
    /*
     * Gone from the page: removed, even when the parent has more than the
     * page (items are listed in the order they were added, so a removal
     * cannot push an earlier one to a later page; and the sub-list read
     * owed for has_more stores a newer copy of any item still there).
     */
    for (size_t k = 0; k < e->child_items.nr; k++) {
        if (list_has(now, nowe, e->child_items.items[k].id)) {
            continue;
        }
        if (store_child(e, parent, child, k, true, records, err) < 0) {
            return -1;
        }
        e->res->streams[stream_index(child)].updated++;
    }
    return 0;
}
