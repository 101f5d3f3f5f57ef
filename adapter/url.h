/* SPDX-License-Identifier: MIT */
/*
 * URL helpers for the adapter: query strings with percent-encoding and
 * the rate-limit endpoint of a path.  (Which base URLs are allowed is
 * the profile's rule: profile_check_url() in profiles/profile.h.)
 *
 * Query building appends to a struct buf that holds a path such as
 * "/v1/charges"; the first parameter adds '?', later ones '&'.  Keys and
 * values are percent-encoded (RFC 3986: everything but A-Z a-z 0-9 - . _ ~
 * becomes %XX), so "created[lt]" is sent as "created%5Blt%5D".
 */
#ifndef ADAPTER_URL_H
#define ADAPTER_URL_H

#include <stddef.h>

struct buf;

/* Append 's' percent-encoded. */
void url_encode(struct buf *out, const char *s);
/* Append "?key=value" or "&key=value" to the path in 'path', encoded. */
void url_query_add(struct buf *path, const char *key, const char *value);
/*
 * Append a "key=value" pair (as given to curl -d) to the path in 'path'.
 * The key and the value are encoded; a pair without '=' is sent as a key
 * with an empty value.
 */
void url_query_add_pair(struct buf *path, const char *pair);

/*
 * The rate-limit endpoint of a request path: the path without its query,
 * with object ids replaced by "{id}" ("/v1/charges/ch_123?expand[]=x" ->
 * "/v1/charges/{id}"), since Stripe counts GET /v1/x/{id} as one endpoint
 * whatever the id.  An id is a segment after the second that contains an
 * '_'.  Written to 'out' (truncated to 'size').
 */
void url_endpoint(const char *path, char *out, size_t size);

#endif
