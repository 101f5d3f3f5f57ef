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

#include <stdint.h>

struct adapter_cfg;
struct err;
struct token_set;

/* Access token lifetime when the reply has no expires_in. */
#define OAUTH_DEFAULT_TTL_SECS 3600

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

#endif
