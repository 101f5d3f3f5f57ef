/* SPDX-License-Identifier: MIT */
/*
 * A run over several connected accounts (issue 15): the platform's key
 * reads each account with Stripe-Account, one account after another,
 * each with its own checkpoint (state key "<profile>/<acct>"), its own
 * retention guard and its own outcome.
 *
 * Memory does not grow with the accounts' data: only a small entry per
 * account (id, created, what orders it) is kept; an account's checkpoint
 * is loaded when its turn comes and released after it.
 */
#include "core/compat.h"
#include "cli/run_int.h"
#include "adapter/adapter.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "reader/accounts.h"
#include "reader/plan.h"
#include "sinks/sink.h"

#define DEFAULT_IN_PROGRESS 8
/* discovery re-lists accounts connected this long before the newest one
 * seen: the list, like every list, may show a new object late */
#define DISCOVERY_OVERLAP_SECS 600
/* accounts named in the final error message, at most */
#define NAMED_MAX 10
/* "<profile>/<acct>": a profile name and an account id, at most 64 each */
#define STATE_KEY_MAX 160

static char *replace_shard(const char *uri, unsigned index)
{
    struct buf b = BUF_INIT;
    const char *p = uri, *hit;

    while ((hit = strstr(p, "{shard}")) != NULL) {
        buf_add(&b, p, (size_t)(hit - p));
        buf_addf(&b, "%u", index);
        p = hit + strlen("{shard}");
    }
    buf_addstr(&b, p);
    return buf_detach(&b, NULL);
}

static int check_accounts_option(struct run *r, const char *accounts,
                                 struct err *err)
{
    const char *problem;
    char bad[80];

    problem = profile_accounts_problem(accounts, bad, sizeof(bad));
    if (problem) {
        return err_set(err, ERR_USAGE,
                       "option '--accounts' expects 'all' or acct_ ids "
                       "separated by commas, got '%s'",
                       *bad ? bad : accounts);
    }
    if (r->p.account_id) {
        return err_set(err, ERR_USAGE,
                       "option '--accounts' cannot be used with profile "
                       "'%s', which reads one account ('spec.accountId')",
                       r->p.name);
    }
    return 0;
}

int run_accounts_options(struct run *r, const char *accounts, const char *shard,
                         struct err *err)
{
    const char *uri = r->o->sink  ? r->o->sink
                      : r->p.sink ? r->p.sink
                                  : PROFILE_DEFAULT_SINK;
    int n = r->o->accounts_in_progress;

    if (accounts && check_accounts_option(r, accounts, err) < 0) {
        return -1;
    }
    r->accounts = accounts ? accounts : r->p.accounts;
    r->multi = r->accounts != NULL;
    if (shard && !r->multi) {
        return err_set(err, ERR_USAGE,
                       "option '--shard' needs several accounts: "
                       "'--accounts' or the profile's 'spec.accounts'");
    }
    if (shard && shard_parse(shard, "option '--shard'", &r->shard, err) < 0) {
        return -1;
    }
    if (n < 0 || n > 1000) {
        return err_set(err, ERR_USAGE,
                       "option '--accounts-in-progress' expects 1 to 1000, "
                       "got %d",
                       n);
    }
    r->in_progress_max = n                           ? n
                         : r->p.accounts_in_progress ? r->p.accounts_in_progress
                                                     : DEFAULT_IN_PROGRESS;
    if (strstr(uri, "{shard}")) {
        if (!shard) {
            return err_set(err, ERR_USAGE,
                           "the sink '%s' contains {shard}: give --shard "
                           "I/N",
                           uri);
        }
        r->sink_uri_owned = replace_shard(uri, r->shard.index);
        uri = r->sink_uri_owned;
    }
    r->sink_uri = uri;
    return 0;
}

void run_accounts_release(struct run *r)
{
    FREE_AND_NULL(r->sink_uri_owned);
    buf_release(&r->acct_json);
}

/* ---- the set of accounts ----------------------------------------------- */

struct discovery {
    struct account_set *set;
    const struct shard *shard;
};

static int discovered(const struct account_info *a, void *data)
{
    struct discovery *d = data;

    if (a->created > d->set->newest_created) {
        d->set->newest_created = a->created;
    }
    if (shard_has(d->shard, a->id)) {
        account_set_add(d->set, a->id, a->created);
    }
    return 0;
}

/*
 * "all": the accounts known from earlier runs (the sink's state under
 * "<profile>/accounts") plus those GET /v1/accounts lists from the newest
 * known 'created' less the overlap on; stored back at once.
 */
static int discover(struct run *r, struct account_set *set, struct err *err)
{
    struct discovery d = { set, &r->shard };
    struct buf key = BUF_INIT, json = BUF_INIT;
    char *stored = NULL, shard[24] = "";
    int64_t since = 0;
    int ret;

    if (r->shard.count) {
        snprintf(shard, sizeof(shard), "%u/%u", r->shard.index, r->shard.count);
    }
    buf_addf(&key, "%s/accounts", r->p.name);
    ret = r->sink->type->load_state(r->sink, key.buf, &stored, err);
    if (ret == 0 && stored) {
        ret = account_set_from_json(set, stored, "the known accounts", err);
    }
    if (ret == 0 && strcmp(set->shard, shard)) {
        /* discovered for another shard: start over */
        account_set_release(set);
        set->newest_created = 0;
    }
    snprintf(set->shard, sizeof(set->shard), "%s", shard);
    if (ret == 0 && set->newest_created > 0) {
        since = set->newest_created - DISCOVERY_OVERLAP_SECS;
    }
    if (ret == 0) {
        adapter_set_account(r->ad, NULL);
        ret = accounts_discover(r->ad, since, discovered, &d,
                                &r->tally.discovery_requests, err);
    }
    if (ret == 0) {
        account_set_finish(set);
        account_set_to_json(set, &json);
        ret = r->sink->type->commit(r->sink, key.buf, json.buf, err);
    }
    if (ret < 0) {
        err_prefix(err, "discovering the connected accounts");
    }
    free(stored);
    buf_release(&key);
    buf_release(&json);
    return ret;
}

/* Make the run act for account 'id', its state under 'key'. */
static void account_enter(struct run *r, const char *id, char *key, size_t size)
{
    snprintf(key, size, "%s/%s", r->p.name, id);
    r->state_key = key;
    r->account = id;
}

/* Release the account's checkpoint; the run acts for no account. */
static void account_leave(struct run *r)
{
    if (r->have_cp) {
        checkpoint_release(&r->cp);
        r->have_cp = false;
    }
    r->state_key = r->p.name;
    r->account = "";
}

/* What orders the account: its checkpoint, read and released. */
static int peek(struct run *r, struct account_entry *a, struct err *err)
{
    char key[STATE_KEY_MAX];
    int ret;

    account_enter(r, a->id, key, sizeof(key));
    ret = run_load_checkpoint(r, err);
    if (ret == 0) {
        a->started = r->cp.last_ok_at != 0 || plan_feed_cursor(&r->cp) != 0;
        a->synced = r->cp.last_ok_at != 0;
        a->feed = plan_feed_cursor(&r->cp);
    }
    account_leave(r);
    return ret;
}

/* ---- one account ------------------------------------------------------- */

static void add_stats(struct engine_result *to, const struct engine_result *r)
{
    for (size_t i = 0; i < MAX_STREAMS; i++) {
        struct engine_stream_stats *t = &to->streams[i];
        const struct engine_stream_stats *s = &r->streams[i];

        t->pages += s->pages;
        t->listed += s->listed;
        t->updated += s->updated;
        t->retrieved += s->retrieved;
        t->reread_skipped += s->reread_skipped;
        if (s->newest_created > t->newest_created) {
            t->newest_created = s->newest_created;
        }
    }
    to->unreadable |= r->unreadable;
    to->commits += r->commits;
    to->partial |= r->partial;
}

static void entry_json(struct run *r, const char *id, const char *status,
                       int code, long requests, const struct err *err)
{
    long listed = 0, updated = 0;

    for (size_t i = 0; i < MAX_STREAMS; i++) {
        listed += r->res.streams[i].listed;
        updated += r->res.streams[i].updated + r->res.streams[i].retrieved;
    }
    buf_addf(&r->acct_json, "%s\"%s\":{\"status\":\"%s\",\"exit_code\":%d,",
             r->acct_json.len ? "," : "", id, status, code);
    buf_addf(&r->acct_json,
             "\"shard\":%u,\"requests\":%ld,\"listed\":%ld,\"updated\":%ld",
             account_shard(id, r->shard.count), requests, listed, updated);
    if (err) {
        buf_addstr(&r->acct_json, ",\"error\":");
        json_quote(&r->acct_json, err->msg);
    }
    buf_addch(&r->acct_json, '}');
}

/* Read account 'a' with its own checkpoint; its stats are added to
 * 'total'.  0, or -1 with err (the account's outcome). */
static int read_one(struct run *r, const struct account_entry *a,
                    struct engine_result *total, struct err *err)
{
    char key[STATE_KEY_MAX];
    long before = adapter_stats(r->ad)->requests;
    int ret;

    account_enter(r, a->id, key, sizeof(key));
    memset(&r->res, 0, sizeof(r->res));
    adapter_set_account(r->ad, a->id);
    ret = run_load_checkpoint(r, err);
    if (ret == 0) {
        ret = run_execute(r, err);
    }
    add_stats(total, &r->res);
    entry_json(r, a->id, ret == 0 ? "ok" : err_kind_name(err->kind),
               ret == 0 ? 0 : err_exit_code(err->kind),
               adapter_stats(r->ad)->requests - before, ret == 0 ? NULL : err);
    account_leave(r);
    return ret;
}

/* An outcome after which no other account is read. */
static bool stops_all(enum err_kind k)
{
    return k == ERR_PARTIAL || k == ERR_IO || k == ERR_INTERNAL ||
           k == ERR_LOCKED;
}

/* The worst outcome so far: the highest exit code (the first of equals). */
struct worst {
    enum err_kind kind;
    struct buf named; /* "acct_x (account_invalid), ..." */
    size_t nr_named;
    char first_msg[ERR_MSG_MAX];
};

static void note_failure(struct worst *w, const char *id, const struct err *err)
{
    if (w->kind == ERR_NONE ||
        err_exit_code(err->kind) > err_exit_code(w->kind)) {
        w->kind = err->kind;
        snprintf(w->first_msg, sizeof(w->first_msg), "%s", err->msg);
    }
    if (err->kind == ERR_PARTIAL) {
        return;
    }
    if (w->nr_named++ < NAMED_MAX) {
        buf_addf(&w->named, "%s%s (%s)", w->named.len ? ", " : "", id,
                 err_kind_name(err->kind));
    }
}

static int final_error(struct run *r, struct worst *w, struct err *err)
{
    struct run_tally *t = &r->tally;

    if (w->kind == ERR_NONE) {
        return 0;
    }
    if (w->kind == ERR_PARTIAL && !t->failed) {
        return err_set(err, ERR_PARTIAL,
                       "stopped early (%s) with %zu of %zu accounts not "
                       "reached; what was read is committed and the next "
                       "run continues with them",
                       stop_requested ? "signal" : "--max-duration reached",
                       t->not_reached, t->total);
    }
    return err_set(err, w->kind,
                   "%zu of %zu accounts not read: %s%s; the other %zu "
                   "completed%s (first error: %s)",
                   t->failed, t->total, w->named.buf,
                   w->nr_named > NAMED_MAX ? ", ..." : "", t->ok,
                   t->not_reached ? ", some not reached" : "", w->first_msg);
}

/* ---- the run ----------------------------------------------------------- */

static int build_set(struct run *r, struct account_set *set, struct err *err)
{
    if (!strcmp(r->accounts, "all")) {
        return discover(r, set, err);
    }
    account_set_from_list(set, r->accounts, &r->shard);
    account_set_finish(set);
    return 0;
}

static void read_all(struct run *r, struct account_set *set,
                     struct engine_result *total, struct worst *w)
{
    size_t busy = 0;

    for (size_t i = 0; i < set->nr; i++) {
        busy += set->items[i].started && !set->items[i].synced;
    }
    for (size_t i = 0; i < set->nr; i++) {
        const struct account_entry *a = &set->items[i];
        struct err aerr = ERR_INIT;
        bool holds = a->started && !a->synced;

        if (w->kind != ERR_NONE && stops_all(w->kind)) {
            r->tally.not_reached++;
            memset(&r->res, 0, sizeof(r->res));
            entry_json(r, a->id, "not_reached", 0, 0, NULL);
            continue;
        }
        if (!a->started && busy >= (size_t)r->in_progress_max) {
            /* a slot frees when a first sync under way ends */
            r->tally.waiting++;
            memset(&r->res, 0, sizeof(r->res));
            entry_json(r, a->id, "waiting", 0, 0, NULL);
            continue;
        }
        busy += !a->started;
        holds = holds || !a->started;
        if (read_one(r, a, total, &aerr) == 0) {
            r->tally.ok++;
        }
        else {
            if (aerr.kind != ERR_PARTIAL) {
                r->tally.failed++;
                log_error("account %s skipped: %s", a->id, aerr.msg);
            }
            note_failure(w, a->id, &aerr);
        }
        if (holds && aerr.kind != ERR_PARTIAL) {
            busy--;
        }
    }
}

int run_accounts(struct run *r, struct err *err)
{
    struct account_set set = ACCOUNT_SET_INIT;
    struct engine_result total;
    struct worst w = { ERR_NONE, BUF_INIT, 0, "" };
    int ret = -1;

    memset(&total, 0, sizeof(total));
    if (adapter_open(&r->ad, &r->p, err) < 0 || build_set(r, &set, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < set.nr; i++) {
        if (peek(r, &set.items[i], err) < 0) {
            goto out;
        }
    }
    accounts_order(set.items, set.nr);
    r->tally.total = set.nr;
    log_info("%zu connected accounts to read%s", set.nr,
             r->shard.count ? " in this shard" : "");
    read_all(r, &set, &total, &w);
    ret = final_error(r, &w, err) < 0 ? -1 : 0;
out:
    r->res = total;
    account_set_release(&set);
    buf_release(&w.named);
    return ret;
}

void run_accounts_json(const struct run *r, struct buf *out)
{
    const struct run_tally *t = &r->tally;

    if (!r->multi) {
        return;
    }
    buf_addf(out,
             ",\"accounts\":{\"total\":%zu,\"ok\":%zu,\"failed\":%zu,"
             "\"waiting\":%zu,\"not_reached\":%zu,"
             "\"discovery_requests\":%ld,",
             t->total, t->ok, t->failed, t->waiting, t->not_reached,
             t->discovery_requests);
    if (r->shard.count) {
        buf_addf(out, "\"shard\":\"%u/%u\",", r->shard.index, r->shard.count);
    }
    buf_addf(out, "\"items\":{%s}}", r->acct_json.buf);
}
