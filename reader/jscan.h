/* SPDX-License-Identifier: MIT */
/*
 * jscan: find where JSON values begin and end in a text, without building
 * a tree.  The reader uses it to slice each object out of a list page, so
 * that what it stores is Stripe's own text for that object (minified), not
 * a re-serialisation: nothing is dropped, numbers and ids stay exactly as
 * Stripe wrote them.
 *
 * All functions work on [p, end) and never read past 'end'.  They check
 * structure (brackets, strings, escapes; the minifier also where keys,
 * ':' and ',' stand), not number syntax or UTF-8: no tree is ever built
 * from the slices.  Typed columns are read from them
 * by reader/fields.c, which takes a number only when it is a whole
 * number in range and a string only when its escapes decode; everything
 * else is stored exactly as Stripe sent it, in the raw JSON.
 */
#ifndef READER_JSCAN_H
#define READER_JSCAN_H

#include <stddef.h>

/* Skip white space. */
const char *jscan_ws(const char *p, const char *end);
/* Pointer just past the value at p (after white space), NULL if malformed
 * or cut short. */
const char *jscan_skip(const char *p, const char *end);
/*
 * In the object at p, find the member 'key' (exact, unescaped match).
 * 1 with [*vstart, *vend) the value, 0 if absent, -1 if malformed or p is
 * not an object.
 */
int jscan_member(const char *p, const char *end, const char *key,
                 const char **vstart, const char **vend);

struct jscan_iter {
    const char *p;
    const char *end;
    int first;
};

/* Iterate the members of the object at p: 0, or -1 if not an object. */
int jscan_object(struct jscan_iter *it, const char *p, const char *end);
/* Next member: 1 with its key (quotes included) and value slices, 0 at
 * the end, -1 if malformed. */
int jscan_next_member(struct jscan_iter *it, const char **k, const char **ke,
                      const char **v, const char **ve);
/*
 * Minify the value at p in place: it is written without white space
 * outside strings at 'dst' (dst <= p, inside the same buffer: the output
 * never overtakes the input).  Returns
 * the new end of the output, with '*after' just past the value in the
 * input; NULL if the value is malformed or cut short.  A container's
 * structure is checked at every depth (keys are strings followed by ':',
 * members and elements are separated by ','), so white space is never
 * removed between two tokens that would then run together.
 */
char *jscan_minify_into(char *dst, const char *p, const char *end,
                        const char **after);

/*
 * A member of the object that jscan_minify_members() minified: its key
 * (quotes included) and value, as slices of the output.  'parent' is -1
 * for a member of the object itself, else the index of the member whose
 * object value holds it (members one level down are recorded too, so that
 * a dotted column such as payment_method_details.type needs no second
 * walk).  The members of one parent follow it, in order.
 */
struct jscan_member {
    const char *k, *ke, *v, *ve;
    long parent;
};

struct jscan_members {
    struct jscan_member *m;
    size_t nr, alloc;
};

#define JSCAN_MEMBERS_INIT                                                     \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

/*
 * jscan_minify_into() that also records, in the same walk, the members
 * of the value if it is an object ('m' is reset first; none for an array
 * or a scalar).  The reader's one pass over each object (issue 13).
 */
char *jscan_minify_members(char *dst, const char *p, const char *end,
                           const char **after, struct jscan_members *m);
void jscan_members_release(struct jscan_members *m);

#endif
