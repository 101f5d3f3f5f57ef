/* SPDX-License-Identifier: MIT */
/*
 * The state of one `sync` or `backfill` run, shared by cli/run.c (which
 * wires the layers and runs it) and cli/summary.c (which reports it).
 */
#ifndef CLI_RUN_INT_H
#define CLI_RUN_INT_H
#include <stdbool.h>
#include <stdint.h>
#include "cli/progress.h"
#include "cli/run.h"
#include "core/lockfile.h"
#include "profiles/profile.h"
#include "reader/checkpoint.h"
#include "reader/accounts.h"
#include "reader/engine.h"
#include "core/buf.h"

#include <signal.h>

struct adapter;
struct buf;
struct err;
struct sink;

struct run {
    enum run_kind kind;
    const struct run_opts *o;
    struct profile p;
    struct sink *sink;
    struct adapter *ad;
    struct checkpoint cp;
    bool have_cp;
    const char *sink_uri;
    const char *state_key; /* the sink's key of 'cp': p.name, or the
                            * account's (borrowed) */
    const char *account;   /* of 'cp' and the records; "": the key's own */
    /* several connected accounts (issue 15, cli/run_accounts.c) */
    bool multi;
    const char *accounts; /* "all" or "acct_a,acct_b" (borrowed) */
    struct shard shard;
    int in_progress_max;
    char *sink_uri_owned; /* the sink URI with {shard} replaced */
    struct buf acct_json; /* the summary's per-account entries */
    struct run_tally {
        size_t total, ok, failed, waiting, not_reached;
        long discovery_requests;
    } tally;
    unsigned mask;
    int64_t overlap, settle;
    long commit_ms;
    int64_t since, until; /* backfill */
    int64_t max_duration;
    struct lockfile lock;
    struct progress progress;
    char range[80]; /* backfill's key */
    int64_t started_at;
    int64_t started_ms;
    struct engine_result res;
};

/* Set when SIGINT/SIGTERM asked the run to stop (cli/run.c). */
extern volatile sig_atomic_t stop_requested;

/* The checkpoint of r->state_key for r->account (fresh if none) into
 * r->cp; refused when stored for another account or mode. */
int run_load_checkpoint(struct run *r, struct err *err);
/* Plan and run the engine over r->cp (opens r->ad unless open). */
int run_execute(struct run *r, struct err *err);

/*
 * --accounts, --shard and --accounts-in-progress (NULL: not given)
 * against the profile: sets r->multi, r->accounts, r->shard and
 * r->sink_uri (with {shard} replaced).  ERR_USAGE.
 */
int run_accounts_options(struct run *r, const char *accounts, const char *shard,
                         struct err *err);
/* Read every account of r->accounts in this shard, one after another
 * (cli/run_accounts.c); -1 with the worst outcome in err. */
int run_accounts(struct run *r, struct err *err);
/* The summary's "accounts" member (with its leading comma), if multi. */
void run_accounts_json(const struct run *r, struct buf *out);
void run_accounts_release(struct run *r);

/* The run's summary as JSON (docs/summary.schema.json), appended. */
void summary_json(const struct run *r, int rc, const struct err *err,
                  struct buf *out);
/* The one-line summary on stderr (log level notice). */
void summary_print(const struct run *r, int rc, const struct err *err);
/* Into the sink's run history, and --summary-json if asked. */
void summary_record(struct run *r, int rc, const struct err *err);
/* Write the JSON to 'path' ("-": stdout); a failure is logged. */
void summary_write(const char *path, const struct buf *json);
#endif
