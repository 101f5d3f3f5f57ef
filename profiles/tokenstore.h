/* SPDX-License-Identifier: MIT */
/*
 * The OAuth token store: one small JSON file per profile holding the
 * newest tokens, so that a rotated refresh token survives the run that
 * received it (Stripe Apps refresh tokens rotate on every use; losing the
 * new one means re-authorizing the app).
 *
 *   {"access_token": "...", "refresh_token": "...", "expires_at": 1700000000,
 *    "livemode": false, "account": "acct_..." or null,
 *    "updated_at": 1699996400, "seed": "<hash>"}
 *
 * 'seed' is a hash (not the value) of the profile's initial refresh
 * token that the stored chain started from: when the user re-authorizes
 * and puts a new refresh token in the profile, the hash differs and the
 * profile's token wins over the stored one.
 *
 * Writes are atomic and durable (core/file.h's file_replace()): a
 * temporary file in the same directory (mode 0600, named after the pid),
 * write, fsync, rename over the store, fsync the directory.
 * A reader sees the old file or the new one, never a mix, and after a
 * crash at any point one of them is on disk.
 *
 * Refreshes are serialised by an exclusive flock on "<store>.lock"
 * beside the store: a second run waits for the lock, then re-reads the
 * store and finds the fresh token instead of refreshing again.
 *
 * Every token read from the store is registered with the redactor.
 * Strings in struct token_set are owned (token_set_release()).
 */
#ifndef PROFILES_TOKENSTORE_H
#define PROFILES_TOKENSTORE_H

#include <stdbool.h>
#include <stdint.h>

struct err;
struct profile;

struct token_set {
    char *access_token;  /* NULL: none */
    char *refresh_token; /* NULL: none */
    int64_t expires_at;  /* unix seconds (host clock) */
    int livemode;        /* 1, 0, or -1 when unknown */
    char *account;       /* acct_..., NULL when unknown */
    int64_t updated_at;
    char *seed; /* hash of the profile's initial refresh token */
};

#define TOKEN_SET_INIT                                                         \
    {                                                                          \
        NULL, NULL, 0, -1, NULL, 0, NULL                                       \
    }

void token_set_release(struct token_set *t);

/*
 * The store's path for 'p' (the caller's): oauth.token_store (the loader
 * always sets it), else the loader's default: <state dir>/<name>.oauth.json
 * with the state dir $STRIPE_READER_STATE_DIR, $XDG_STATE_HOME/stripe-reader
 * or ~/.local/state/stripe-reader.
 */
char *tokenstore_path(const struct profile *p);

/* The seed hash of a refresh token, as 16 hex digits, into out[17]. */
void tokenstore_seed(const char *refresh_token, char out[17]);

/*
 * Read the store into 't' (overwritten).  A missing store is not an
 * error: 0 with everything NULL.  -1 with ERR_CONFIG when the file cannot
 * be read or is not a token store.
 */
int tokenstore_read(const char *path, struct token_set *t, struct err *err);

/* Replace the store atomically (see above).  -1 with ERR_IO. */
int tokenstore_write(const char *path, const struct token_set *t,
                     struct err *err);

/*
 * Take the exclusive lock beside the store (waiting for it), creating
 * the store's directory (0700) if needed.  *fd receives the lock's file
 * descriptor.  -1 with ERR_IO.
 */
int tokenstore_lock(const char *path, int *fd, struct err *err);
/* Release the lock (fd < 0 is ignored). */
void tokenstore_unlock(int fd);

#endif
