/* SPDX-License-Identifier: MIT */
/*
 * One OAuth refresh-token grant, as Stripe's token endpoints take it:
 *
 *   POST <token_url>
 *   Authorization: Basic base64(<client_secret>:)
 *   grant_type=refresh_token&refresh_token=<rt>
 *
 * Works for Stripe Apps (https://api.stripe.com/v1/oauth/token, 1-hour
 * access tokens, the refresh token rotates on every use) and for Connect
 * (https://connect.stripe.com/oauth/token, set as tokenUrl).
 *
 * The request is made once, never retried: after a failure without a
 * definite answer (network error, timeout, 5xx, a malformed reply) the
 * server may already have rotated the refresh token, and a blind retry
 * with the old one could only get invalid_grant.  The error says so.
 */
#ifndef ADAPTER_OAUTH_H
#define ADAPTER_OAUTH_H

#include <stddef.h>
#include <stdint.h>

struct adapter_cfg;
struct err;
struct token_set;

/* Access token lifetime when the reply has no usable expires_in (absent,
 * not a whole number, or not above 0). */
#define OAUTH_DEFAULT_TTL_SECS 3600
/* The longest lifetime believed (Stripe's are an hour): a larger
 * expires_in is cut to this, so that no reply can store an expiry that
 * never comes. */
#define OAUTH_MAX_TTL_SECS (366L * 24 * 3600)

/*
 * Refresh.  On success fills 'out' (overwritten): access_token,
 * refresh_token (NULL when the reply has none: Connect keeps the old
 * one), expires_at = now + (expires_in or OAUTH_DEFAULT_TTL_SECS),
 * livemode, account; every token is registered with the redactor.
 *
 * Errors: ERR_AUTH for a definite refusal (4xx: invalid_grant with the
 * remedy "re-authorize the app", naming 'store' (borrowed, for the
 * message); invalid_client, ...); ERR_API for a failure without an answer
 * (see above); ERR_DATA for a 2xx that is not a token reply.
 */
int oauth_refresh(const struct adapter_cfg *cfg, const char *token_url,
                  const char *client_secret, const char *refresh_token,
                  const char *store, struct token_set *out, struct err *err);

/*
 * Read a 2xx token reply 'body' (what oauth_refresh does with it; for
 * tests): fills 'out' as above, expires_at = 'now' + the bounded
 * expires_in.  'url' and 'request_id' are for messages.  -1 with
 * ERR_DATA when it is not a token reply.
 */
int oauth_parse_tokens(const char *body, size_t len, int64_t now,
                       const char *url, const char *request_id,
                       struct token_set *out, struct err *err);

#endif
