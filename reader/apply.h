/* SPDX-License-Identifier: MIT */
/*
 * Replies to records (reader/apply.c): what a page stores, the copies it
 * waited for, and what an events page makes the engine re-read.  It holds
 * no scheduling state: reader/engine.c moves windows and cursors on with
 * what apply_page() reports, counts requests in flight, completes passes
 * and commits.  Not for use outside reader/.
 */
#ifndef READER_APPLY_H
#define READER_APPLY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/record.h"

struct engine;
struct page_items;
struct err;
struct job;
struct page_item;
struct stream;

/* What storing a page did. */
struct page_outcome {
    long records;                 /* records written to the sink */
    size_t stored;                /* items of the window taken */
    const struct page_item *last; /* the oldest of them, NULL if none */
    int64_t newest;               /* 'created' of the newest of them */
    bool done;                    /* the window has nothing older left */
};

/* Parse a list page's reply into j->items; -1 with err naming the
 * request. */
int apply_parse_page(struct engine *e, struct job *j, struct err *err);

/* Parse a retrieve's reply into r->items. */
int apply_parse_object(struct engine *e, struct job *r, struct err *err);

/*
 * Events that change an object without supplying its stored copy make it
 * owed a re-read by id: a Dispute or a Refund names its charge; an event
 * rendered at another API version than the pinned one names its own
 * object, re-read at the pinned version.  'want' is called for each
 * (reader/rereads.c keeps the debt).
 */
typedef void reread_fn(struct engine *e, struct job *page,
                       const struct stream *t, const char *id,
                       int64_t event_time);
void apply_rereads(struct engine *e, struct job *j, reread_fn *want);

/*
 * Store page 'j': the items inside its window and the updates its events
 * imply.  0, or -1 with err (what was written is discarded with the
 * uncommitted rest).
 */
int apply_page(struct engine *e, struct job *j, struct page_outcome *out,
               struct err *err);

/*
 * Store the copy retrieve 'r' read (none when the object was not found,
 * or when a pass of this run lists it after its events anyway), adding
 * to *records.  *version is the copy's version either way.
 */
int apply_retrieved(struct engine *e, struct job *r, long *records,
                    int64_t *version, struct err *err);
/* Was a request refused because its starting_after names an object that
 * is gone (deleted since: 400 resource_missing)? */
bool apply_cursor_gone(const struct job *j);

/* Fill 'rec' from item k of 'pi' as a copy of 's'. */
void apply_item_record(struct record *rec, const struct stream *s,
                       const struct page_items *pi, size_t k, int64_t version,
                       enum record_source source);

/* Write one record to the sink (adding to *records); it settles a re-read
 * owed of its object. */
int apply_write(struct engine *e, struct record *rec, long *records,
                struct err *err);

/*
 * Child streams (reader/children.c): store the children a stored parent
 * copy embeds (a sub-list read is owed when it has more); and, for an
 * event whose previous_attributes list children the new copy lacks,
 * store those as deleted.
 */
int children_store(struct engine *e, const struct record *parent, long *records,
                   struct err *err);
/* Was this child copy (id, version, source, deleted) written already: by
 * this run, or (a child of a long list) by a run a moment ago?  Else
 * remembered. */
bool children_seen(struct engine *e, const struct record *rec, bool long_list);
int children_removed(struct engine *e, const struct record *parent,
                     const char *event, size_t len, long *records,
                     struct err *err);
/*
 * A sub-list read of 'parent' (a 'removable' child stream): note each
 * child it lists; once complete, store the ones the previous complete
 * read listed and this one did not as deleted (at 'version', the read's)
 * and remember this read's; or forget a read that will not complete.
 */
void children_listed(struct engine *e, const struct record *rec,
                     const char *parent);
int children_gone(struct engine *e, const struct stream *child,
                  const char *parent, int64_t version, long *records,
                  struct err *err);
void children_forget(struct engine *e, const struct stream *child,
                     const char *parent);
#endif
