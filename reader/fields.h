/* SPDX-License-Identifier: MIT */
/*
 * Typed column values straight from an object's JSON text, in one pass
 * over its top-level members, without building a tree: the reader's hot
 * path (issue 8).  Dotted paths ("payment_method_details.type") descend
 * into the member's object; an expandable reference (an object with an
 * "id") stands for its id.  Strings are unescaped into a caller's buffer.
 */
#ifndef READER_FIELDS_H
#define READER_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/columns.h"

struct buf;
struct jscan_members;
struct stream;

/* Also wanted besides the columns: the "object" type of the item. */
struct fields {
    struct colval *cols; /* stream->nr_columns values */
    size_t object_off;   /* the "object" member's offset in 'strings' */
    bool has_object;
};

/*
 * Fill f->cols for 'stream' from the object text [p, end).  Strings are
 * appended (unescaped, NUL-terminated) to 'strings'; until
 * fields_finish(), a text value holds its offset in 'strings' (in .i) and
 * f->object_off/has_object locate the "object" member.  0, or -1 if the
 * text is not a JSON object.
 */
int fields_extract(const struct stream *stream, const char *p, const char *end,
                   struct fields *f, struct buf *strings);
/*
 * The same from the members jscan_minify_members() recorded while
 * minifying the object: no second walk over its text.
 */
void fields_from_members(const struct stream *stream,
                         const struct jscan_members *ms, struct fields *f,
                         struct buf *strings);
/* Turn text offsets into pointers, once 'strings' stops growing. */
void fields_finish(struct colval *cols, size_t n, const struct buf *strings);

/*
 * The string member 'key' of the object [p, end), unescaped into
 * 'strings': 1 found, 0 absent or not a string, -1 malformed.
 * '*out' points into 'strings' (valid until it is modified).
 */
int fields_string(const char *p, const char *end, const char *key,
                  struct buf *strings, const char **out);

/* Append the unescaped JSON string literal [p, end) (quotes included) to
 * 'out' with a NUL; -1 if it is not a valid string. */
int json_unescape(const char *p, const char *end, struct buf *out);

/*
 * Objects without "livemode" (balance transactions, refunds, subscription
 * items) are in the mode of the key that read them: their livemode column
 * is set to 'live' (Stripe's own value wins where there is one).
 */
void fields_default_livemode(struct colval *cols, bool live);

#endif
