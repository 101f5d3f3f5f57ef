/* SPDX-License-Identifier: MIT */
/*
 * struct auth: the credential provider behind "Authorization: Bearer ...".
 *
 * API key profiles: the key itself, nothing to do.
 *
 * OAuth profiles (Stripe Apps OAuth 2.0): an access token that lives
 * about an hour, obtained with a refresh token that ROTATES on every
 * use (the old one stops working).  The provider keeps the chain safe
 * across runs:
 *
 *  1. A stored access token with at least AUTH_MIN_TTL_SECS left is
 *     reused (cron runs do not refresh every time).
 *  2. Otherwise it takes the token store's lock (profiles/tokenstore.h),
 *     re-reads the store (another run may just have refreshed: then that
 *     token is used and no request is made), and else refreshes with the
 *     store's refresh token (or the profile's, when the store has none
 *     or was started from another initial token).
 *  3. The reply's tokens are written to the store atomically, still
 *     under the lock, BEFORE the new access token is used: a crash after
 *     the reply never loses the rotated refresh token.
 *  4. The token's livemode must match the profile's mode (ERR_AUTH).
 *
 * Test hook: with STRIPE_READER_TEST_CRASH_AFTER_TOKEN_STORE=1 in the
 * environment the process kills itself (SIGKILL) right after the store
 * is written, to show that nothing is lost (tests/cli/t0303-oauth.sh).
 *
 * The profile is borrowed and must outlive the provider.  Tokens are
 * registered with the redactor as soon as they are read.
 */
#ifndef ADAPTER_AUTH_H
#define ADAPTER_AUTH_H

#include <stdbool.h>

struct err;
struct profile;
struct auth;

/* A stored access token is refreshed when it has less than this left. */
#define AUTH_MIN_TTL_SECS 300

/* No network; -1 with ERR_CONFIG for an unusable profile. */
int auth_open(struct auth **out, const struct profile *p, struct err *err);
void auth_close(struct auth *a); /* NULL-safe */

/*
 * Make sure a usable credential is at hand (may block on the store's
 * lock and make one token request).  Errors: see oauth_refresh();
 * ERR_AUTH for a mode mismatch; ERR_IO when the store cannot be written.
 */
int auth_ready(struct auth *a, struct err *err);

/* The bearer credential (borrowed), NULL before auth_ready(). */
const char *auth_token(const struct auth *a);
/* Bumped each time the credential changes. */
unsigned auth_generation(const struct auth *a);
/* True for OAuth: a 401 may be cured by auth_renew(). */
bool auth_renewable(const struct auth *a);

/*
 * A request sent with the credential of generation 'gen' got 401.  When
 * 'gen' is still the current one, get a new access token (as in
 * auth_ready(), but never reusing the refused one); otherwise do nothing
 * (the credential was renewed meanwhile).  Errors as auth_ready().
 */
int auth_renew(struct auth *a, unsigned gen, struct err *err);

#endif
