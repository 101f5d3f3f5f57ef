/* SPDX-License-Identifier: MIT */
/*
 * A list page or a retrieved object, cut into items: for each object its
 * minified text (Stripe's own, sliced from the body) and its parsed tree.
 * Each object is parsed exactly once.
 *
 * Ownership: struct page_items owns the trees and the text; it is reused
 * from page to page (page_items_clear keeps the memory).
 */
#ifndef READER_PAGE_H
#define READER_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "core/buf.h"

struct err;

struct page_item {
    cJSON *obj;
    size_t off, len; /* its minified text in page_items.text */
    const char *id;  /* borrowed from obj */
    int64_t created;
};

struct page_items {
    struct page_item *items;
    size_t nr, alloc;
    struct buf text;
    bool has_more;
};

#define PAGE_ITEMS_INIT { NULL, 0, 0, BUF_INIT, false }

/*
 * Cut a list envelope {"object":"list","data":[...],"has_more":...} into
 * items.  Every item must be an object with a string "id", an integer
 * "created" and "object" equal to 'object'.  -1 with ERR_DATA naming
 * 'what' and the JSON path of a bad field.
 */
int page_parse_list(struct page_items *pi, const char *body, size_t len,
                    const char *object, const char *what, struct err *err);
/* The same for a single object (GET /v1/<resource>/<id>). */
int page_parse_object(struct page_items *pi, const char *body, size_t len,
                      const char *object, const char *what,
                      struct err *err);
/* The minified text of item i. */
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
