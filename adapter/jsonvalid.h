/* SPDX-License-Identifier: MIT */
/*
 * A fast, non-allocating check that a reply body is one JSON value: the
 * structure of RFC 8259 (objects, arrays, keys, commas, numbers, literals;
 * nesting up to JSONVALID_MAX_DEPTH).  Inside strings only the closing
 * quote is looked for (escapes and control characters are left to the
 * reader's parser), which keeps the check at about a tenth of a cJSON
 * parse.  The adapter uses it to tell a real Stripe reply from an HTML
 * error page or a body that a proxy cut short, without building a tree
 * the reader would build again.
 */
#ifndef ADAPTER_JSONVALID_H
#define ADAPTER_JSONVALID_H

#include <stdbool.h>
#include <stddef.h>

#define JSONVALID_MAX_DEPTH 1000

bool json_valid(const char *s, size_t len);

/*
 * Only the shape: the first non-blank character opens an object or array
 * and the last non-blank one closes the same kind.  Catches HTML pages and
 * most bodies cut short, at the cost of two look-ups.
 */
bool json_shape_ok(const char *text, size_t len);

#endif
