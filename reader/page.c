/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "reader/page.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "reader/fields.h"
#include "reader/jscan.h"
#include "reader/streams.h"

void page_items_clear(struct page_items *pi)
{
    pi->nr = 0;
    pi->has_more = false;
    buf_reset(&pi->text);
    buf_reset(&pi->strings);
}

void page_items_release(struct page_items *pi)
{
    page_items_clear(pi);
    FREE_AND_NULL(pi->items);
    FREE_AND_NULL(pi->vals);
    pi->alloc = pi->vals_alloc = 0;
    buf_release(&pi->text);
    buf_release(&pi->strings);
}

const char *page_item_text(const struct page_items *pi, size_t i)
{
    return pi->text.buf + pi->items[i].off;
}

static int bad(const char *path, const char *field, const char *want,
               struct err *err)
{
    return err_set(err, ERR_DATA, "'%s.%s': expected %s", path, field, want);
}

/* Minify one object into the page and read its values. */
static const char *add_item(struct page_items *pi, const char *v,
                            const char *end, const char *path,
                            struct err *err)
{
    const struct stream *s = pi->stream;
    size_t off = pi->text.len;
    struct page_item *it;
    struct fields f;
    const char *ve;

    ve = jscan_minify_value(&pi->text, v, end);
    if (!ve) {
        err_set(err, ERR_DATA, "'%s' is malformed or cut short", path);
        return NULL;
    }
    ALLOC_GROW(pi->items, pi->nr + 1, pi->alloc);
    ALLOC_GROW(pi->vals, (pi->nr + 1) * s->nr_columns, pi->vals_alloc);
    it = &pi->items[pi->nr++];
    it->off = off;
    it->len = pi->text.len - off;
    buf_addch(&pi->text, '\0');
    f.cols = pi->vals + (pi->nr - 1) * s->nr_columns;
    if (fields_extract(s, pi->text.buf + off, pi->text.buf + off + it->len,
                       &f, &pi->strings) < 0) {
        err_set(err, ERR_DATA, "'%s' is not a JSON object", path);
        return NULL;
    }
    if (f.cols[COLUMN_ID].kind != COLVAL_TEXT) {
        bad(path, "id", "a string", err);
        return NULL;
    }
    if (f.cols[COLUMN_CREATED].kind != COLVAL_INT) {
        bad(path, "created", "an integer", err);
        return NULL;
    }
    if (!f.has_object || strcmp(pi->strings.buf + f.object_off, s->object)) {
        err_set(err, ERR_DATA, "'%s.object': expected '%s', got '%s'", path,
                s->object,
                f.has_object ? pi->strings.buf + f.object_off : "nothing");
        return NULL;
    }
    it->created = f.cols[COLUMN_CREATED].i;
    it->livemode = f.cols[COLUMN_LIVEMODE].kind == COLVAL_BOOL &&
                   f.cols[COLUMN_LIVEMODE].i;
    return ve;
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

static int parse_data(struct page_items *pi, const char *v, const char *ve,
                      const char *what, struct err *err)
{
    const char *p = jscan_ws(v, ve);
    char path[32];
    int i = 0;

    if (p >= ve || *p != '[') {
        return bad_page(what, "'data': expected an array", err);
    }
    p = jscan_ws(p + 1, ve);
    while (p < ve && *p != ']') {
        if (i > 0) {
            if (*p != ',') {
                return bad_page(what, "'data' is malformed", err);
            }
            p = jscan_ws(p + 1, ve);
        }
        snprintf(path, sizeof(path), "data[%d]", i++);
        p = add_item(pi, p, ve, path, err);
        if (!p) {
            return err_prefix(err, "%s", what);
        }
        p = jscan_ws(p, ve);
    }
    return 0;
}

int page_parse_list(struct page_items *pi, const struct stream *stream,
                    const char *body, size_t len, const char *what,
                    struct err *err)
{
    const char *end = body + len, *k, *ke, *v, *ve;
    struct jscan_iter it;
    int has_more = -1, ret;
    bool data = false;

    page_items_clear(pi);
    pi->stream = stream;
    if (jscan_object(&it, body, end) < 0) {
        return bad_page(what, "the reply is not a JSON object", err);
    }
    /* one walk over the envelope: the items are minified as they pass */
    while ((ret = jscan_next_member(&it, &k, &ke, &v, &ve)) == 1) {
        if (ke - k == 6 && !memcmp(k, "\"data\"", 6)) {
            if (parse_data(pi, v, ve, what, err) < 0) {
                return -1;
            }
            data = true;
        }
        else if (ke - k == 10 && !memcmp(k, "\"has_more\"", 10)) {
            has_more = ve - v == 4 && !memcmp(v, "true", 4)    ? 1
                       : ve - v == 5 && !memcmp(v, "false", 5) ? 0
                                                               : -1;
        }
    }
    if (ret < 0) {
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
                      const char *body, size_t len, const char *what,
                      struct err *err)
{
    const char *end = body + len;
    const char *v = jscan_ws(body, end);

    page_items_clear(pi);
    pi->stream = stream;
    if (v >= end || *v != '{') {
        return bad_page(what, "the reply is not a JSON object", err);
    }
    if (!add_item(pi, v, end, "(root)", err)) {
        return err_prefix(err, "%s", what);
    }
    finish(pi);
    return 0;
}

int page_event_object(const char *event, size_t len, const char **start,
                      size_t *olen)
{
    const char *end = event + len, *d = NULL, *de = NULL, *o = NULL,
               *oe = NULL;

    if (jscan_member(event, end, "data", &d, &de) != 1 ||
        jscan_member(d, de, "object", &o, &oe) != 1) {
        return -1;
    }
    *start = o;
    *olen = (size_t)(oe - o);
    return 0;
}
