/* SPDX-License-Identifier: MIT */
/*
 * `stripe-reader accounts list`: the platform's connected accounts as
 * GET /v1/accounts lists them now, with the shard of each (issue 15).
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

struct accounts_opts {
    struct common_opts common;
    const char *profile;
    const char *shard;
    int json;
};

struct listing {
    const struct accounts_opts *o;
    struct shard shard;
    struct buf out;
    size_t n;
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

    if (!shard_has(&l->shard, a->id)) {
        return 0;
    }
    add_line(l, a, account_shard(a->id, l->shard.count));
    l->n++;
    return 0;
}

static int list_accounts(const struct accounts_opts *o, struct err *err)
{
    struct profile p;
    struct adapter *ad = NULL;
    struct listing l = { o, { 0, 0 }, BUF_INIT, 0 };
    long requests = 0;
    int ret = -1;

    memset(&p, 0, sizeof(p));
    if (o->shard &&
        shard_parse(o->shard, "option '--shard'", &l.shard, err) < 0) {
        return -1;
    }
    if (run_load_profile(o->profile, &p, err) < 0) {
        goto out;
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
    return ret;
}

int cmd_accounts(int argc, char **argv, struct err *err)
{
    struct accounts_opts o = { { 0, NULL }, NULL, NULL, 0 };
    struct strlist args = STRLIST_INIT;
    const struct opt table[] = {
        OPT_STRING('p', "profile", struct accounts_opts, profile, "NAME|PATH",
                   "profile to use (default $STRIPE_READER_PROFILE)"),
        OPT_BOOL(0, "json", struct accounts_opts, json,
                 "print a JSON array instead of a table"),
        OPT_STRING(0, "shard", struct accounts_opts, shard, "I/N",
                   "only the accounts of shard I of N"),
        OPT_COMMON(struct accounts_opts),
        OPT_END(),
    };
    int ret = cli_parse(
        "stripe-reader accounts list --profile P [--json] [--shard I/N]",
        "List the platform's connected accounts (GET /v1/accounts with the\n"
        "profile's key, newest first): id, created, type, whether charges\n"
        "and payouts are enabled, and the shard of each among N\n"
        "(FNV-1a 64 of the id, mod N; 0 without --shard).",
        table, &o, argc, argv, &args, err);

    if (ret == 0 && (args.nr != 1 || strcmp(args.items[0], "list"))) {
        ret = err_set(err, ERR_USAGE,
                      "usage: stripe-reader accounts list "
                      "--profile P [--json] [--shard I/N]");
    }
    strlist_release(&args);
    if (ret != 0) {
        return ret < 0 ? -1 : 0;
    }
    return list_accounts(&o, err);
}
