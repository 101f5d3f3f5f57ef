/* SPDX-License-Identifier: MIT */
/*
 * stripe-reader check: validate the profile, authenticate, and probe
 * every selected stream with a limit=1 list request (all at once through
 * the adapter; a child stream through its parent's list), then print a
 * table of what the credential can read.
 * It never calls /v1/account, which restricted keys often cannot read.
 *
 * With connected accounts (--accounts or the profile's spec.accounts,
 * issue 15), each account is then probed with one request: the first
 * selected stream's list, limit=1, with its Stripe-Account, one account
 * after another (the adapter acts for one account at a time); "all" is
 * every account GET /v1/accounts lists.  An account the key cannot read
 * (403 account_invalid: access revoked) is named by id.
 */
#include "core/compat.h"
#include "cli/cli.h"
#include "cli/run.h"

#include "adapter/adapter.h"
#include "adapter/auth.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/redact.h"
#include "core/xalloc.h"
#include "profiles/profile.h"
#include "model/streams.h"
#include "reader/accounts.h"

/* accounts named in the error message, at most */
#define NAMED_MAX 10

struct check_opts {
    struct common_opts common;
    const char *profile;
    const char *streams;
    const char *accounts;
};

struct probe {
    const struct stream *stream;
    /* a child stream whose parent is probed too: its result, no request */
    const struct probe *as;
    struct http_req req;
    bool readable;
    enum err_kind kind;
    char detail[ERR_MSG_MAX];
};

/* "rak_payout_read" out of Stripe's 403 message, or "" */
static void missing_permission(const char *msg, char *out, size_t size)
{
    const char *p = strstr(msg, "'rak_");
    size_t len;

    out[0] = '\0';
    if (!p) {
        p = strstr(msg, "rak_");
        if (!p) {
            return;
        }
    }
    else {
        p++;
    }
    len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
    snprintf(out, size, "%.*s", (int)len, p);
}

/* The part of an adapter error after "GET /v1/x: " */
static const char *after_path(const char *msg)
{
    const char *p = strstr(msg, ": ");

    return p ? p + 2 : msg;
}

static void judge(struct probe *pr)
{
    const struct http_req *req = &pr->req;
    char perm[64];

    pr->kind = req->err.kind;
    if (req->err.kind == ERR_NONE) {
        pr->readable = true;
        return;
    }
    if (req->status == 403) {
        missing_permission(req->err.msg, perm, sizeof(perm));
        if (perm[0]) {
            snprintf(pr->detail, sizeof(pr->detail),
                     "missing permission %s (Request-Id %s)", perm,
                     req->request_id[0] ? req->request_id : "none");
            return;
        }
    }
    snprintf(pr->detail, sizeof(pr->detail), "%s", after_path(req->err.msg));
}

static void print_header(const struct profile *p, struct adapter *a,
                         const char *accounts, size_t nr, struct buf *out)
{
    char mask[64];
    const char *cred = adapter_credential(a);

    secret_mask(cred ? cred : "", mask, sizeof(mask));
    buf_addf(out, "profile:  %s (%s)\n", p->name ? p->name : "",
             p->file ? p->file : "");
    buf_addf(out, "account:  %s\n",
             p->account_id ? p->account_id : "(key's own account)");
    if (accounts) {
        buf_addf(out, "accounts: %s (%zu)\n", accounts, nr);
    }
    buf_addf(out, "mode:     %s\n", profile_mode_name(p->mode));
    if (p->auth == PROFILE_AUTH_OAUTH) {
        buf_addf(out, "key:      OAuth access token %s\n", mask);
    }
    else {
        buf_addf(out, "key:      %s\n", mask);
    }
    buf_addf(out, "base URL: %s\n\n", p->adapter.base_url);
}

/*
 * A child stream (invoice lines) has no list of its own and needs its
 * parent's permission: it takes the parent's probe when the parent is
 * probed too, else probes the parent's list.
 */
static void link_children(struct probe *probes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; probes[i].stream->parent && k < n; k++) {
            if (probes[k].stream == probes[i].stream->parent) {
                probes[i].as = &probes[k];
            }
        }
    }
}

static int run_probes(struct adapter *a, struct probe *probes, size_t n,
                      struct err *err)
{
    size_t sent = 0;

    link_children(probes, n);
    for (size_t i = 0; i < n; i++) {
        const struct stream *s = probes[i].stream;
        const char *path = s->parent ? s->parent->path : s->path;

        http_req_init(&probes[i].req);
        if (probes[i].as) {
            continue;
        }
        probes[i].req.path = xstrfmt("%s?limit=1", path);
        probes[i].req.endpoint = path;
        probes[i].req.user = &probes[i];
        adapter_submit(a, &probes[i].req);
        sent++;
    }
    for (size_t done = 0; done < sent; done++) {
        struct http_req *req = adapter_next(a, -1);

        if (!req) {
            return err_set(err, ERR_INTERNAL, "a probe was lost");
        }
        judge(req->user);
    }
    for (size_t i = 0; i < n; i++) {
        const struct probe *as = probes[i].as;

        if (as) {
            probes[i].readable = as->readable;
            probes[i].kind = as->kind;
            snprintf(probes[i].detail, sizeof(probes[i].detail), "%s",
                     as->detail);
        }
        if (probes[i].stream->parent && probes[i].readable) {
            snprintf(probes[i].detail, sizeof(probes[i].detail), "read with %s",
                     probes[i].stream->parent->name);
        }
    }
    return 0;
}

static int report(const struct probe *probes, size_t n, struct buf *out,
                  struct err *err)
{
    size_t bad = 0, auth = 0;

    buf_addf(out, "%-20s %-14s %s\n", "STREAM", "STATUS", "DETAIL");
    for (size_t i = 0; i < n; i++) {
        const struct probe *pr = &probes[i];

        buf_addf(out, "%-20s %-14s %s\n", pr->stream->name,
                 pr->readable ? "readable" : "not readable", pr->detail);
        if (!pr->readable) {
            bad++;
            auth += pr->kind == ERR_AUTH || pr->kind == ERR_ACCOUNT;
        }
    }
    if (!bad) {
        return 0;
    }
    return err_set(err, auth ? ERR_AUTH : ERR_API,
                   "%zu of %zu streams not readable", bad, n);
}

/* ---- connected accounts ------------------------------------------------ */

static int listed(const struct account_info *a, void *data)
{
    account_set_add(data, a->id, a->created);
    return 0;
}

/* The accounts to probe: "all" (every account GET /v1/accounts lists)
 * or the ids of a list, sorted by id. */
static int accounts_to_check(struct adapter *a, const char *accounts,
                             struct account_set *set, struct err *err)
{
    static const struct shard every = { 0, 0 };
    long requests = 0;

    if (strcmp(accounts, "all")) {
        account_set_from_list(set, accounts, &every);
    }
    else if (accounts_discover(a, 0, listed, set, &requests, err) < 0) {
        err_prefix(err, "listing the connected accounts");
        return -1;
    }
    account_set_finish(set);
    return 0;
}

/* Probe account 'id' with one list request of 'path'; a line of 'out'.
 * 0 when readable, else the error's kind. */
static enum err_kind probe_account(struct adapter *a, const char *id,
                                   const char *path, struct buf *out)
{
    struct err rerr = ERR_INIT;

    if (accounts_probe(a, id, path, &rerr) == 0) {
        buf_addf(out, "%-24s readable\n", id);
    }
    else {
        buf_addf(out, "%-24s %-14s %s%s\n", id, "not readable",
                 rerr.kind == ERR_ACCOUNT ? "account_invalid: " : "",
                 after_path(rerr.msg));
    }
    return rerr.kind;
}

/* Probe each account of 'set'; ERR_ACCOUNT (or the worst kind met)
 * naming the accounts not readable. */
static int probe_accounts(struct adapter *a, const struct stream *s,
                          const struct account_set *set, struct buf *out,
                          struct err *err)
{
    const char *path = s->parent ? s->parent->path : s->path;
    struct buf named = BUF_INIT;
    enum err_kind worst = ERR_NONE;
    size_t bad = 0;

    buf_addf(out, "\n%-24s %-14s %s\n", "ACCOUNT", "STATUS", "DETAIL");
    for (size_t i = 0; i < set->nr; i++) {
        const char *id = set->items[i].id;
        enum err_kind k = probe_account(a, id, path, out);

        if (k == ERR_NONE) {
            continue;
        }
        if (err_exit_code(k) > err_exit_code(worst)) {
            worst = k;
        }
        if (bad++ < NAMED_MAX) {
            buf_addf(&named, "%s%s (%s)", named.len ? ", " : "", id,
                     err_kind_name(k));
        }
    }
    if (bad) {
        err_set(err, worst,
                "%zu of %zu accounts not readable: %s%s; the other %zu "
                "readable",
                bad, set->nr, named.buf, bad > NAMED_MAX ? ", ..." : "",
                set->nr - bad);
    }
    buf_release(&named);
    return bad ? -1 : 0;
}

/* --accounts over the profile's spec.accounts; NULL: one account. */
static int check_accounts_source(const struct check_opts *o,
                                 const struct profile *p, const char **out,
                                 struct err *err)
{
    char bad[80];

    *out = p->accounts;
    if (!o->accounts) {
        return 0;
    }
    if (profile_accounts_problem(o->accounts, bad, sizeof(bad))) {
        return err_set(err, ERR_USAGE,
                       "option '--accounts' expects 'all' or acct_ ids "
                       "separated by commas, got '%s'",
                       *bad ? bad : o->accounts);
    }
    if (p->account_id) {
        return err_set(err, ERR_USAGE,
                       "option '--accounts' cannot be used with profile "
                       "'%s', which reads one account ('spec.accountId')",
                       p->name);
    }
    *out = o->accounts;
    return 0;
}

/* The streams' verdict and the accounts' into one error: the worse
 * kind, both messages. */
static int both_verdicts(int rs, struct err *es, int ra, struct err *ea,
                         struct err *err)
{
    if (rs == 0 && ra == 0) {
        return 0;
    }
    if (rs < 0 && ra < 0) {
        return err_set(err,
                       err_exit_code(ea->kind) > err_exit_code(es->kind)
                           ? ea->kind
                           : es->kind,
                       "%s; %s", es->msg, ea->msg);
    }
    *err = rs < 0 ? *es : *ea;
    return -1;
}

/* Probe the streams (as the key's own account), then the accounts. */
static int check_run(const struct check_opts *o, const struct stream **sel,
                     int n, struct buf *out, struct err *err)
{
    struct probe probes[MAX_STREAMS];
    struct account_set set = ACCOUNT_SET_INIT;
    struct err es = ERR_INIT, ea = ERR_INIT;
    struct profile p;
    struct adapter *a = NULL;
    const char *accounts = NULL;
    int ret = -1, rs, ra = 0;

    memset(&p, 0, sizeof(p));
    memset(probes, 0, sizeof(probes));
    if (run_load_profile(o->profile, &p, err) < 0 ||
        check_accounts_source(o, &p, &accounts, err) < 0 ||
        adapter_open(&a, &p, err) < 0) {
        goto out;
    }
    for (int i = 0; i < n; i++) {
        probes[i].stream = sel[i];
    }
    if (run_probes(a, probes, (size_t)n, err) < 0 ||
        (accounts && accounts_to_check(a, accounts, &set, err) < 0)) {
        goto out;
    }
    print_header(&p, a, accounts, set.nr, out);
    rs = report(probes, (size_t)n, out, &es);
    if (accounts) {
        ra = probe_accounts(a, sel[0], &set, out, &ea);
    }
    ret = both_verdicts(rs, &es, ra, &ea, err);
out:
    for (int i = 0; i < n; i++) {
        http_req_release(&probes[i].req);
    }
    account_set_release(&set);
    adapter_close(a);
    profile_release(&p);
    return ret;
}

int cmd_check(int argc, char **argv, struct err *err)
{
    struct check_opts o;
    const struct opt table[] = {
        OPT_COMMON(struct check_opts),
        OPT_STRING('p', "profile", struct check_opts, profile, "NAME|FILE",
                   "the profile (default $STRIPE_READER_PROFILE)"),
        OPT_STRING(0, "streams", struct check_opts, streams, "LIST",
                   "streams to probe, comma-separated (default all)"),
        OPT_STRING(0, "accounts", struct check_opts, accounts, "all|LIST",
                   "also probe these connected accounts, one request "
                   "each: all, or acct_ ids separated by commas (default: "
                   "the profile's spec.accounts)"),
        OPT_END(),
    };
    struct strlist args = STRLIST_INIT;
    const struct stream *sel[MAX_STREAMS];
    struct buf out = BUF_INIT;
    int n = 0, ret;

    memset(&o, 0, sizeof(o));
    ret = cli_parse("stripe-reader check [--profile P] [--streams LIST] "
                    "[--accounts all|LIST]",
                    "Validate the profile, authenticate (refreshing an "
                    "OAuth token if needed)\nand probe each stream with "
                    "a limit=1 list request.  With connected accounts\n"
                    "(--accounts or spec.accounts), then probe each "
                    "account with one limit=1 list\nrequest of the first "
                    "selected stream, with its Stripe-Account; an account "
                    "whose\naccess was revoked is named (account_invalid). "
                    " Exits 0 only when every\nselected stream and every "
                    "account is readable.",
                    table, &o, argc, argv, &args, err);
    if (ret != 0) {
        ret = ret < 0 ? -1 : 0;
        goto out;
    }
    ret = -1;
    if (args.nr) {
        err_set(err, ERR_USAGE, "unexpected argument '%s'", args.items[0]);
        goto out;
    }
    if (common_apply(&o.common, err) < 0) {
        goto out;
    }
    n = stream_select(o.streams, sel, ARRAY_SIZE(sel), err);
    if (n < 0) {
        goto out;
    }
    ret = check_run(&o, sel, n, &out, err);
    if (out.len) {
        redact_buf(&out);
        fwrite(out.buf, 1, out.len, stdout);
        fflush(stdout);
    }
out:
    buf_release(&out);
    strlist_release(&args);
    return ret;
}
