/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/page.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "reader/fields.h"
#include "reader/jscan.h"
#include "model/streams.h"

void page_items_clear(struct page_items *pi)
{
    pi->nr = 0;
    pi->has_more = false;
    pi->base = NULL;
    buf_reset(&pi->strings);
}

void page_items_release(struct page_items *pi)
{
    page_items_clear(pi);
    FREE_AND_NULL(pi->items);
    FREE_AND_NULL(pi->vals);
    pi->alloc = pi->vals_alloc = 0;
    buf_release(&pi->strings);
    jscan_members_release(&pi->members);
}

const char *page_item_text(const struct page_items *pi, size_t i)
{
    return pi->base + pi->items[i].off;
}

static int bad(const char *path, const char *field, const char *want,
               struct err *err)
{
    return err_set(err, ERR_DATA, "'%s.%s': expected %s", path, field, want);
}

/* The JSON path of item 'index' (-1: the reply itself), for messages:
 * formatted only when one is written. */
static const char *item_path(char buf[32], int index)
{
    if (index < 0) {
        return "(root)";
    }
    snprintf(buf, 32, "data[%d]", index);
    return buf;
}

/*
 * Minify the object at v (inside 'body') where it is, and read its values
 * from the members found on the way: one walk over its text.  Items are
 * not packed together: text without white space (the double's) then
 * stays where it is, and nothing is copied.  Returns the input position
 * after it, NULL on error.
 */
static const char *add_item(struct page_items *pi, char *body, const char *v,
                            const char *end, int index, struct err *err)
{
    const struct stream *s = pi->stream;
    char *start = body + (v - body), *stop, path[32];
    struct page_item *it;
    struct fields f;
    const char *after = NULL;

    stop = jscan_minify_members(start, v, end, &after, &pi->members);
    if (!stop) {
        err_set(err, ERR_DATA, "'%s' is malformed or cut short",
                item_path(path, index));
        return NULL;
    }
    if (*start != '{') {
        err_set(err, ERR_DATA, "'%s' is not a JSON object",
                item_path(path, index));
        return NULL;
    }
    ALLOC_GROW(pi->items, pi->nr + 1, pi->alloc);
    ALLOC_GROW(pi->vals, (pi->nr + 1) * s->nr_columns, pi->vals_alloc);
    it = &pi->items[pi->nr++];
    it->off = (size_t)(start - pi->base);
    it->len = (size_t)(stop - start);
    f.cols = pi->vals + (pi->nr - 1) * s->nr_columns;
    fields_from_members(s, &pi->members, &f, &pi->strings);
    if (f.cols[COLUMN_ID].kind != COLVAL_TEXT) {
        bad(item_path(path, index), "id", "a string", err);
        return NULL;
    }
    if (f.cols[COLUMN_CREATED].kind != COLVAL_INT && !s->parent) {
        bad(item_path(path, index), "created", "an integer", err);
        return NULL;
    }
    if (!f.has_object || strcmp(pi->strings.buf + f.object_off, s->object)) {
        err_set(err, ERR_DATA, "'%s.object': expected '%s', got '%s'",
                item_path(path, index), s->object,
                f.has_object ? pi->strings.buf + f.object_off : "nothing");
        return NULL;
    }
    it->created = f.cols[COLUMN_CREATED].kind == COLVAL_INT
                      ? f.cols[COLUMN_CREATED].i
                      : 0;
    fields_default_livemode(f.cols, pi->live);
    it->livemode = f.cols[COLUMN_LIVEMODE].i;
    return after;
}

/* Pointers into 'strings' and 'vals', now that they stop moving. */
static void finish(struct page_items *pi)
{
    size_t n = pi->stream->nr_columns;

    for (size_t i = 0; i < pi->nr; i++) {
        struct page_item *it = &pi->items[i];

        it->cols = pi->vals + i * n;
        fields_finish(it->cols, n, &pi->strings);
        it->id = it->cols[COLUMN_ID].text;
    }
}

static int bad_page(const char *what, const char *why, struct err *err)
{
    return err_set(err, ERR_DATA, "%s: %s", what, why);
}

/* The data array at p (inside 'body'): its items minified in place. */
static const char *parse_data(struct page_items *pi, char *body, const char *p,
                              const char *end, const char *what,
                              struct err *err)
{
    int i = 0;

    p = jscan_ws(p, end);
    if (p >= end || *p != '[') {
        bad_page(what, "'data': expected an array", err);
        return NULL;
    }
    p = jscan_ws(p + 1, end);
    while (p < end && *p != ']') {
        if (i > 0) {
            if (*p != ',') {
                bad_page(what, "'data' is malformed", err);
                return NULL;
            }
            p = jscan_ws(p + 1, end);
        }
        p = add_item(pi, body, p, end, i++, err);
        if (!p) {
            err_prefix(err, "%s", what);
            return NULL;
        }
        p = jscan_ws(p, end);
    }
    if (p >= end) {
        bad_page(what, "'data' is cut short", err);
        return NULL;
    }
    return p + 1;
}

/* "true"/"false" at [v, ve): 1, 0, or -1. */
static int literal_bool(const char *v, const char *ve)
{
    if (ve - v == 4 && !memcmp(v, "true", 4)) {
        return 1;
    }
    return ve - v == 5 && !memcmp(v, "false", 5) ? 0 : -1;
}

/*
 * One walk over the envelope: members are skipped, except "data", whose
 * items are minified in place as they pass, and "has_more".
 */
int page_parse_list(struct page_items *pi, const struct stream *stream,
                    char *body, size_t len, const char *what, struct err *err)
{
    const char *end = body + len, *p = jscan_ws(body, end), *k, *ke, *ve;
    int has_more = -1;
    bool data = false, first = true;

    page_items_clear(pi);
    pi->stream = stream;
    pi->base = body;
    if (p >= end || *p != '{') {
        return bad_page(what, "the reply is not a JSON object", err);
    }
    for (p = jscan_ws(p + 1, end); p < end && *p != '}';
         p = jscan_ws(p, end), first = false) {
        if (!first && *p++ != ',') {
            return bad_page(what, "the reply is not a JSON object", err);
        }
        k = jscan_ws(p, end);
        ke = k < end && *k == '"' ? jscan_skip(k, end) : NULL;
        p = ke ? jscan_ws(ke, end) : NULL;
        if (!p || p >= end || *p != ':') {
            return bad_page(what, "the reply is not a JSON object", err);
        }
        p = jscan_ws(p + 1, end);
        if (ke - k == 6 && !memcmp(k, "\"data\"", 6)) {
            p = parse_data(pi, body, p, end, what, err);
            if (!p) {
                return -1;
            }
            data = true;
            continue;
        }
        ve = jscan_skip(p, end);
        if (!ve) {
            return bad_page(what, "the reply is not a JSON object", err);
        }
        if (ke - k == 10 && !memcmp(k, "\"has_more\"", 10)) {
            has_more = literal_bool(p, ve);
        }
        p = ve;
    }
    if (p >= end) {
        return bad_page(what, "the reply is not a JSON object", err);
    }
    if (has_more < 0) {
        return bad_page(what, "'has_more': expected a boolean", err);
    }
    if (!data) {
        return bad_page(what, "'data': expected an array", err);
    }
    pi->has_more = has_more == 1;
    finish(pi);
    return 0;
}

int page_parse_object(struct page_items *pi, const struct stream *stream,
                      char *body, size_t len, const char *what, struct err *err)
{
    const char *end = body + len;
    const char *v = jscan_ws(body, end);

    page_items_clear(pi);
    pi->stream = stream;
    pi->base = body;
    if (v >= end || *v != '{') {
        return bad_page(what, "the reply is not a JSON object", err);
    }
    if (!add_item(pi, body, v, end, -1, err)) {
        return err_prefix(err, "%s", what);
    }
    finish(pi);
    return 0;
}

int page_event_object(const char *event, size_t len, const char **start,
                      size_t *olen)
{
    const char *end = event + len, *d = NULL, *de = NULL, *o = NULL, *oe = NULL;

    if (jscan_member(event, end, "data", &d, &de) != 1 ||
        jscan_member(d, de, "object", &o, &oe) != 1) {
        return -1;
    }
    *start = o;
    *olen = (size_t)(oe - o);
    return 0;
}
