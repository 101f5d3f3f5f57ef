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
 * stored marked deleted, its last state being the old one.  Past the
 * embedded page no event shows an item go (the lists in events are cut
 * at the same page): for a 'removable' child stream the ids of each
 * parent's complete sub-list read are kept in the checkpoint ('kids'),
 * and one the next complete read does not list is stored deleted, as
 * Stripe's deleted stub (all a retrieve returns: SS §4) with its
 * parent's id, at the time of that read: the latest it can have gone.
 * A removal the next event shows is not in a previous_attributes past
 * the page either, so the event owes that read even when the new list
 * is short.
 */
#include "core/compat.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
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
 * A child copy is written once per (id, version, source, deleted): two
 * copies of one parent in one second (two events), or a parent's list copy
 * and its sub-list read with the same Date, embed the same lines; within a
 * run a set says so.  A deleted parent's lines are a copy of their own:
 * its deletion may share its second with an update whose lines were
 * written (soak seed 7101: an invoice created and deleted in one second).
 * Across runs only a parent with more lines than it embeds can bring them
 * again (its sub-list owed anew in the same second): the copies of those
 * are remembered in the child stream's state for a few minutes
 * ('long_list').
 */
bool children_seen(struct engine *e, const struct record *rec, bool long_list)
{
    char key[256];
    struct strset_entry *seen;
    bool again = false;
    size_t n = (size_t)snprintf(key, sizeof(key), "%s:%s:%d", rec->stream->name,
                                rec->id, (int)rec->source);

    if (n + 2 >= sizeof(key)) {
        return false;
    }
    if (rec->deleted) {
        memcpy(key + n, ":d", 3);
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

static void forget_kid(struct engine *e, const struct stream *child,
                       const char *parent, const char *id);
static int store_gone(struct engine *e, const struct stream *child,
                      const char *parent, const char *gone, int64_t version,
                      long *records, struct err *err);
static void kids_missing(struct engine *e, const struct stream *child,
                         const char *parent, const char *prefix,
                         struct buf *gone);

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
    if (deleted && child->removable) {
        forget_kid(e, child, parent->id, rec.id); /* gone: said */
    }
    return apply_write(e, &rec, records, err);
}

/*
 * What a stored copy of a parent says of its remembered children: a
 * deleted parent's go with it (at its delete: the children it embeds are
 * stored deleted already); a parent whose children can no longer go
 * (an invoice finalized) is not remembered, nor by the sub-list read its
 * long list owes ('long_list').
 */
static int kids_settle(struct engine *e, const struct record *parent,
                       bool long_list, long *records, struct err *err)
{
    const struct stream *child = parent->stream->child;
    const char *want = child->removable_while;
    struct buf gone = BUF_INIT;
    int ret = 0;

    if (parent->deleted) {
        kids_missing(e, child, parent->id, NULL, &gone);
        ret = gone.len ? store_gone(e, child, parent->id, gone.buf,
                                    parent->version, records, err)
                       : 0;
        checkpoint_set_kids(e->cp, child, parent->id, NULL);
    }
    else if (want) {
        int k = stream_column(parent->stream, "status");
        const struct colval *v = k >= 0 ? &parent->cols[k] : NULL;

        if (v && v->kind == COLVAL_TEXT && strcmp(v->text, want)) {
            checkpoint_set_kids(e->cp, child, parent->id, NULL);
            if (long_list) {
                char *key = xstrfmt("%s:%s:", child->name, parent->id);

                strset_set(&e->kids_final, key, 0);
                free(key);
            }
        }
    }
    buf_release(&gone);
    return ret;
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
        /* not embedded at this version (or null) */
        return child->removable ? kids_settle(e, parent, false, records, err)
                                : 0;
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
    return child->removable
               ? kids_settle(e, parent, e->child_items.has_more, records, err)
               : 0;
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
    if (child->removable && e->child_items.has_more && !parent->deleted) {
        rereads_owe(e, NULL, child, parent->id, parent->version);
    }
    return 0;
}

void children_listed(struct engine *e, const struct record *rec,
                     const char *parent)
{
    char *key = xstrfmt("%s:%s:%s", rec->stream->name, parent, rec->id);

    strset_set(&e->sub_seen, key, 0);
    free(key);
}

/* Is 'id' a word of the space-separated 'ids'? */
static bool ids_have(const char *ids, const char *id)
{
    size_t n = strlen(id);

    for (const char *p = ids; (p = strstr(p, id)); p += n) {
        if ((p == ids || p[-1] == ' ') && (p[n] == ' ' || !p[n])) {
            return true;
        }
    }
    return false;
}

/* A child gone by an event (its last state stored): not to be found
 * gone again by the next read. */
static void forget_kid(struct engine *e, const struct stream *child,
                       const char *parent, const char *id)
{
    const char *ids = checkpoint_kids(e->cp, child, parent);
    struct buf rest = BUF_INIT;
    size_t n = strlen(id);

    if (!ids || !ids_have(ids, id)) {
        return;
    }
    for (const char *p = ids, *sp; *p; p = *sp ? sp + 1 : sp) {
        sp = p + strcspn(p, " ");
        if ((size_t)(sp - p) != n || memcmp(p, id, n)) {
            buf_addf(&rest, "%s%.*s", rest.len ? " " : "", (int)(sp - p), p);
        }
    }
    checkpoint_set_kids(e->cp, child, parent, rest.buf);
    buf_release(&rest);
}

/*
 * Store the children of 'parent' in 'gone' (space-separated ids) as
 * deleted at 'version': Stripe's deleted stub (all a retrieve returns:
 * SS §4) with its parent's id.
 */
static int store_gone(struct engine *e, const struct stream *child,
                      const char *parent, const char *gone, int64_t version,
                      long *records, struct err *err)
{
    struct buf b = BUF_INIT;
    struct record rec;
    int ret = 0;

    buf_addstr(&b, "{\"object\":\"list\",\"data\":[");
    for (const char *p = gone, *sp; *p; p = *sp ? sp + 1 : sp) {
        sp = p + strcspn(p, " ");
        buf_addf(&b,
                 "%s{\"id\":\"%.*s\",\"object\":\"%s\",\"deleted\":true,"
                 "\"%s\":",
                 p == gone ? "" : ",", (int)(sp - p), p, child->object,
                 child->parent->object);
        json_quote(&b, parent);
        buf_addch(&b, '}');
    }
    buf_addstr(&b, "],\"has_more\":false}");
    ret = parse_embedded(e, child, b.buf, b.buf + b.len, parent, err);
    buf_release(&b);
    for (size_t k = 0; !ret && k < e->child_items.nr; k++) {
        apply_item_record(&rec, child, &e->child_items, k, version,
                          SOURCE_LIST);
        rec.deleted = true;
        rec.deleted_at = version;
        ret = apply_write(e, &rec, records, err);
        log_info("%s %s: gone from %s %s; stored deleted", child->object,
                 rec.id, child->parent->object, parent);
    }
    e->res->streams[stream_index(child)].updated += (long)e->child_items.nr;
    return ret;
}

/* The remembered children of 'parent' that 'has' (a key prefix in
 * e->sub_seen, or NULL: none) does not list, space-separated. */
static void kids_missing(struct engine *e, const struct stream *child,
                         const char *parent, const char *prefix,
                         struct buf *gone)
{
    const char *ids = checkpoint_kids(e->cp, child, parent);
    struct buf key = BUF_INIT;

    for (const char *p = ids ? ids : "", *sp; *p; p = *sp ? sp + 1 : sp) {
        sp = p + strcspn(p, " ");
        buf_reset(&key);
        buf_addf(&key, "%s%.*s", prefix ? prefix : "", (int)(sp - p), p);
        if (!prefix || !strset_contains(&e->sub_seen, key.buf)) {
            buf_addf(gone, "%s%.*s", gone->len ? " " : "", (int)(sp - p), p);
        }
    }
    buf_release(&key);
}

/*
 * Remove from e->sub_seen the keys starting with 'prefix' (one read's
 * children), appending their ids to 'ids' (if not NULL).  Few keys (the
 * reads under way): a walk of the set will do.
 */
static void take_seen(struct engine *e, const char *prefix, struct buf *ids)
{
    size_t n = strlen(prefix), nr = 0, alloc = 0;
    const struct strset_entry *en;
    char **keys = NULL;

    for (size_t it = 0; (en = strset_next(&e->sub_seen, &it));) {
        if (!strncmp(en->key, prefix, n)) {
            ALLOC_GROW(keys, nr + 1, alloc);
            keys[nr++] = xstrdup(en->key);
        }
    }
    for (size_t i = 0; i < nr; i++) {
        if (ids) {
            buf_addf(ids, "%s%s", ids->len ? " " : "", keys[i] + n);
        }
        strset_remove(&e->sub_seen, keys[i]);
        free(keys[i]);
    }
    free(keys);
}

int children_gone(struct engine *e, const struct stream *child,
                  const char *parent, int64_t version, long *records,
                  struct err *err)
{
    char *prefix = xstrfmt("%s:%s:", child->name, parent);
    struct buf gone = BUF_INIT, now = BUF_INIT;
    int ret;

    kids_missing(e, child, parent, prefix, &gone);
    take_seen(e, prefix, &now);
    /* a parent whose children can no longer go is not remembered */
    checkpoint_set_kids(e->cp, child, parent,
                        strset_contains(&e->kids_final, prefix) ? NULL
                                                                : now.buf);
    ret = gone.len
              ? store_gone(e, child, parent, gone.buf, version, records, err)
              : 0;
    buf_release(&gone);
    buf_release(&now);
    free(prefix);
    return ret;
}

void children_forget(struct engine *e, const struct stream *child,
                     const char *parent)
{
    char *prefix = xstrfmt("%s:%s:", child->name, parent);

    take_seen(e, prefix, NULL);
    free(prefix);
}
