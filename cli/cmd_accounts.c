/* SPDX-License-Identifier: MIT */
/*
 * `stripe-reader accounts list`: the platform's connected accounts as
 * GET /v1/accounts lists them now, with the shard of each (issue 15).
 * With --sink, also the accounts a run knows there (the profile's
 * "<profile>/accounts") that Stripe no longer lists: their access was
 * revoked; runs still try each once (cli/run_accounts.c).
 */
#include "core/compat.h"
#include "cli/cli.h"
#include "cli/run.h"
#include "adapter/adapter.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "profiles/profile.h"
#include "reader/accounts.h"
#include "sinks/sink.h"

struct accounts_opts {
    struct common_opts common;
    int json;
    const char *profile;
    const char *shard;
    const char *sink;
};

struct listing {
    const struct accounts_opts *o;
    struct shard shard;
    struct buf out;
    size_t n;
    struct account_set known; /* with --sink: the accounts a run knows */
    bool *seen;               /* known.items[i] is listed now */
};

static void add_line(struct listing *l, const struct account_info *a,
                     unsigned shard)
{
    const char *type = *a->type ? a->type : "-";

    if (!l->o->json) {
        char when[32];

        format_time(a->created, when, sizeof(when));
        buf_addf(&l->out, "%-24s %-20s %-9s %-7s %-7s %u\n", a->id, when, type,
                 a->charges_enabled ? "yes" : "no",
                 a->payouts_enabled ? "yes" : "no", shard);
        return;
    }
    buf_addf(&l->out,
             "%s{\"id\":\"%s\",\"created\":%lld,\"type\":", l->n ? "," : "",
             a->id, (long long)a->created);
    json_quote(&l->out, type);
    buf_addf(&l->out,
             ",\"charges_enabled\":%s,\"payouts_enabled\":%s,\"shard\":%u}",
             a->charges_enabled ? "true" : "false",
             a->payouts_enabled ? "true" : "false", shard);
}

static int listed(const struct account_info *a, void *data)
{
    struct listing *l = data;

    const struct account_entry *e = account_set_find(&l->known, a->id);

    if (e) {
        l->seen[e - l->known.items] = true;
    }
    if (!shard_has(&l->shard, a->id)) {
        return 0;
    }
    add_line(l, a, account_shard(a->id, l->shard.count));
    l->n++;
    return 0;
}

/* With --sink: the accounts the profile's runs know there. */
static int load_known(struct listing *l, const struct profile *p,
                      struct err *err)
{
    struct sink *sink = NULL;
    struct sink_opts so;
    struct buf key = BUF_INIT;
    char *stored = NULL;
    int ret;

    memset(&so, 0, sizeof(so));
    buf_addf(&key, "%s/accounts", p->name);
    ret = sink_open(&sink, l->o->sink, &so, err);
    if (ret == 0) {
        ret = sink->type->load_state(sink, key.buf, &stored, err);
    }
    if (ret == 0 && stored) {
        ret = account_set_from_json(&l->known, stored, key.buf, err);
    }
    l->seen = xcalloc(l->known.nr + 1, sizeof(*l->seen));
    free(stored);
    buf_release(&key);
    sink_close(sink);
    return ret;
}

/* The known accounts GET /v1/accounts did not list: access revoked. */
static void add_unlisted(struct listing *l)
{
    for (size_t i = 0; i < l->known.nr; i++) {
        const struct account_entry *e = &l->known.items[i];
        unsigned shard = account_shard(e->id, l->shard.count);
        char when[32] = "", created[32];

        if (l->seen[i] || !shard_has(&l->shard, e->id)) {
            continue;
        }
        if (e->refused) {
            format_time(e->refused, when, sizeof(when));
        }
        if (l->o->json) {
            buf_addf(&l->out,
                     "%s{\"id\":\"%s\",\"created\":%lld,\"listed\":false,"
                     "\"refused\":%lld,\"shard\":%u}",
                     l->n++ ? "," : "", e->id, (long long)e->created,
                     (long long)e->refused, shard);
            continue;
        }
        format_time(e->created, created, sizeof(created));
        buf_addf(&l->out, "%-24s %-20s not listed: access revoked%s%s\n", e->id,
                 created, *when ? ", refused since " : "", when);
    }
}

static int list_accounts(const struct accounts_opts *o, struct err *err)
{
    struct profile p;
    struct adapter *ad = NULL;
    struct listing l = { o, { 0, 0 }, BUF_INIT, 0, ACCOUNT_SET_INIT, NULL };
    long requests = 0;
    int ret = -1;

    memset(&p, 0, sizeof(p));
    if (o->shard &&
        shard_parse(o->shard, "option '--shard'", &l.shard, err) < 0) {
        return -1;
    }
    if (run_load_profile(o->profile, &p, err) < 0 ||
        (o->sink && load_known(&l, &p, err) < 0)) {
        goto out;
    }
    if (!l.seen) {
        l.seen = xcalloc(1, sizeof(*l.seen));
    }
    /* the platform lists its accounts: never with Stripe-Account */
    FREE_AND_NULL(p.account_id);
    if (adapter_open(&ad, &p, err) < 0) {
        goto out;
    }
    buf_addstr(&l.out, o->json ? "[" : "");
    if (!o->json) {
        buf_addf(&l.out, "%-24s %-20s %-9s %-7s %-7s %s\n", "ID", "CREATED",
                 "TYPE", "CHARGES", "PAYOUTS", "SHARD");
    }
    if (accounts_discover(ad, 0, listed, &l, &requests, err) < 0) {
        goto out;
    }
    add_unlisted(&l);
    buf_addstr(&l.out, o->json ? "]\n" : "");
    if (fwrite(l.out.buf, 1, l.out.len, stdout) != l.out.len ||
        fflush(stdout) != 0) {
        err_set(err, ERR_IO, "cannot write the list: %s", strerror(errno));
        goto out;
    }
    ret = 0;
out:
    adapter_close(ad);
    profile_release(&p);
    buf_release(&l.out);
    account_set_release(&l.known);
    free(l.seen);
    return ret;
}

int cmd_accounts(int argc, char **argv, struct err *err)
{
    struct accounts_opts o = { { 0, NULL }, 0, NULL, NULL, NULL };
    struct strlist args = STRLIST_INIT;
    const struct opt table[] = {
        OPT_STRING('p', "profile", struct accounts_opts, profile, "NAME|PATH",
                   "profile to use (default $STRIPE_READER_PROFILE)"),
        OPT_BOOL(0, "json", struct accounts_opts, json, "JSON, not a table"),
        OPT_STRING(0, "shard", struct accounts_opts, shard, "I/N",
                   "only the accounts of shard I of N"),
        OPT_STRING(0, "sink", struct accounts_opts, sink, "URI",
                   "also the accounts the profile's runs know in this sink "
                   "that Stripe no longer lists (access revoked)"),
        OPT_COMMON(struct accounts_opts),
        OPT_END(),
    };
    int ret = cli_parse(
        "stripe-reader accounts list --profile P [--json] [--shard I/N] "
        "[--sink URI]",
        "List the platform's connected accounts (GET /v1/accounts with the\n"
        "profile's key, newest first): id, created, type, whether charges\n"
        "and payouts are enabled, and the shard of each among N\n"
        "(FNV-1a 64 of the id, mod N; 0 without --shard).  With --sink,\n"
        "then the accounts known there that Stripe no longer lists (access\n"
        "revoked; each run still tries them, with one request).",
        table, &o, argc, argv, &args, err);

    if (ret == 0 && (args.nr != 1 || strcmp(args.items[0], "list"))) {
        ret = err_set(err, ERR_USAGE,
                      "usage: stripe-reader accounts list "
                      "--profile P [--json] [--shard I/N] [--sink URI]");
    }
    strlist_release(&args);
    if (ret != 0) {
        return ret < 0 ? -1 : 0;
    }
    return list_accounts(&o, err);
}
