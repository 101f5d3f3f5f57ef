/* SPDX-License-Identifier: MIT */
/*
 * A list page or a retrieved object, cut into items: for each object its
 * minified text (Stripe's own, minified in place inside the reply body:
 * no second copy of a page is kept) and its typed column values, read in
 * one walk over the text (no tree is built).
 *
 * Ownership: the items' text lives in the body given to the parser (it is
 * rewritten in place and must outlive the items); struct page_items owns
 * the strings and the values, and is reused from page to page
 * (page_items_clear keeps the memory), so a reader that reuses its jobs
 * allocates nothing per object.
 */
#ifndef READER_PAGE_H
#define READER_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "model/columns.h"
#include "reader/jscan.h"

struct err;
struct stream;

struct page_item {
    size_t off, len; /* its minified text, at base + off */
    const char *id;  /* in page_items.strings */
    int64_t created;
    bool livemode;
    struct colval *cols; /* the stream's columns, in page_items.vals */
};

struct page_items {
    const struct stream *stream;
    const char *base; /* the body the items were cut from */
    struct page_item *items;
    size_t nr, alloc;
    struct buf strings; /* unescaped string values */
    struct colval *vals;
    size_t vals_alloc;
    struct jscan_members members; /* of the item being cut (scratch) */
    bool has_more;
    /* the livemode of objects that have none (balance transactions,
     * refunds, subscription items): the key's mode; set by the caller */
    bool live;
};

#define PAGE_ITEMS_INIT                                                        \
    {                                                                          \
        NULL, NULL, NULL, 0, 0, BUF_INIT, NULL, 0, JSCAN_MEMBERS_INIT, false,  \
            false                                                              \
    }

/*
 * Cut a list envelope {"object":"list","data":[...],"has_more":...} of
 * 'stream' into items.  Every item must be an object with a string "id",
 * an integer "created" (a child stream's may have none: 0, its column
 * NULL) and "object" equal to the stream's; one without "livemode" takes
 * pi->live.  -1 with
 * ERR_DATA naming 'what' and the JSON path of a bad field.
 */
int page_parse_list(struct page_items *pi, const struct stream *stream,
                    char *body, size_t len, const char *what, struct err *err);
/* The same for a single object (GET /v1/<resource>/<id>). */
int page_parse_object(struct page_items *pi, const struct stream *stream,
                      char *body, size_t len, const char *what,
                      struct err *err);
/* The minified text of item i (page_items.items[i].len bytes, not
 * NUL-terminated). */
const char *page_item_text(const struct page_items *pi, size_t i);
/*
 * The slice of data.object inside an event's minified text (for storing
 * an event-derived copy losslessly).  0, or -1 if the event has none.
 */
int page_event_object(const char *event, size_t len, const char **start,
                      size_t *olen);
void page_items_clear(struct page_items *pi);
void page_items_release(struct page_items *pi);

#endif
