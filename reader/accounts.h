/* SPDX-License-Identifier: MIT */
/*
 * Connected accounts (issue 15): which accounts a platform's run reads,
 * in which shard each one is, and in which order a run takes them.
 *
 *  - Shards: an account is in shard FNV-1a-64(id) mod N.  The hash of an
 *    id alone decides, so every account is in exactly one of N shards
 *    whatever the order in which accounts are discovered, and a new
 *    account moves none of the others.
 *  - Discovery: GET /v1/accounts (platform key, no Stripe-Account),
 *    newest first, paged by starting_after; from 'since' on when given
 *    (created[gte]), so a run lists only what was connected lately.
 *  - The set: the known accounts ("all") as kept between runs: each id
 *    with its 'created', as JSON in the sink's state (cli/run_accounts.c
 *    stores it), with the newest 'created' seen.
 *  - Order: first syncs not finished, then the oldest change feed first
 *    (accounts_order()).
 *
 * Ownership: a struct account_set owns its entries; account_info fields
 * are copies.
 */
#ifndef READER_ACCOUNTS_H
#define READER_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profiles/profile.h"

struct adapter;
struct buf;
struct err;

/* "I/N": this run reads the accounts of shard I of N; count 0: all. */
struct shard {
    unsigned index, count;
};

/* Parse "I/N" (0 <= I < N <= 4096); ERR_USAGE naming 'what'. */
int shard_parse(const char *s, const char *what, struct shard *out,
                struct err *err);
/* FNV-1a, 64 bits, of the bytes of 'id'. */
uint64_t account_hash(const char *id);
/* The shard of 'id' among 'count' (count 0 or 1: 0). */
unsigned account_shard(const char *id, unsigned count);
/* True when 'id' belongs to 'sh' (always, without sharding). */
bool shard_has(const struct shard *sh, const char *id);

/* An account as GET /v1/accounts describes it. */
struct account_info {
    char id[ACCOUNT_ID_MAX + 1];
    int64_t created;
    char type[16]; /* standard, express, custom, "" if absent */
    bool charges_enabled, payouts_enabled;
};

/*
 * Page GET /v1/accounts (newest first, 100 a page) from 'since' on
 * (created[gte]; 0: every account) and call 'fn' for each account;
 * 'fn' returns 0 to go on or -1 (with err) to stop.  'requests' counts
 * the pages.  -1 with err on a failed request or a malformed page.
 */
int accounts_discover(struct adapter *ad, int64_t since,
                      int (*fn)(const struct account_info *a, void *data),
                      void *data, long *requests, struct err *err);

/* One account of a run, with what orders it. */
struct account_entry {
    char id[ACCOUNT_ID_MAX + 1];
    int64_t created;
    /* set by the caller from the account's checkpoint */
    bool started; /* it has a checkpoint */
    bool synced;  /* a sync of it ended well (last_ok_at) */
    int64_t feed; /* its change feed's cursor, 0: none */
};

struct account_set {
    struct account_entry *items;
    size_t nr, alloc;
    int64_t newest_created; /* the newest 'created' discovered */
    char shard[24];         /* the shard ("I/N", "") it was discovered for */
};

#define ACCOUNT_SET_INIT                                                       \
    {                                                                          \
        NULL, 0, 0, 0, ""                                                      \
    }

void account_set_release(struct account_set *s);
/* Append 'id' (duplicates are dropped by account_set_finish()). */
void account_set_add(struct account_set *s, const char *id, int64_t created);
/* Sort by id and drop duplicates (the first added stays). */
void account_set_finish(struct account_set *s);
/* The entry of 'id' in a finished set, or NULL. */
struct account_entry *account_set_find(struct account_set *s, const char *id);
/* The ids of 'list' ("acct_a,acct_b", checked by the profile loader or
 * profile_accounts_problem) that are in 'sh', in 'list' order. */
void account_set_from_list(struct account_set *s, const char *list,
                           const struct shard *sh);
/* As JSON: {"shard":..,"newest_created":..,"accounts":[[id,created]..]} */
void account_set_to_json(const struct account_set *s, struct buf *out);
/* Read what account_set_to_json() wrote; ERR_CONFIG naming 'where'. */
int account_set_from_json(struct account_set *s, const char *json,
                          const char *where, struct err *err);

/*
 * Sort 'items' into the order a run reads them: accounts whose first
 * sync has not ended well first (started ones before new ones, then by
 * created and id), then the others by their change feed, the oldest
 * first (then by id).
 */
void accounts_order(struct account_entry *items, size_t nr);

#endif
