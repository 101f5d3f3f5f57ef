/* SPDX-License-Identifier: MIT */
/*
 * stripe-reader check: validate the profile, authenticate, and probe
 * every selected stream with a limit=1 list request (all at once through
 * the adapter; a child stream through its parent's list), then print a
 * table of what the credential can read.
 * It never calls /v1/account, which restricted keys often cannot read.
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

struct check_opts {
    struct common_opts common;
    const char *profile;
    const char *streams;
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
                         struct buf *out)
{
    char mask[64];
    const char *cred = adapter_credential(a);

    secret_mask(cred ? cred : "", mask, sizeof(mask));
    buf_addf(out, "profile:  %s (%s)\n", p->name ? p->name : "",
             p->file ? p->file : "");
    buf_addf(out, "account:  %s\n",
             p->account_id ? p->account_id : "(key's own account)");
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

int cmd_check(int argc, char **argv, struct err *err)
{
    struct check_opts o;
    const struct opt table[] = {
        OPT_COMMON(struct check_opts),
        OPT_STRING('p', "profile", struct check_opts, profile, "NAME|FILE",
                   "the profile (default $STRIPE_READER_PROFILE)"),
        OPT_STRING(0, "streams", struct check_opts, streams, "LIST",
                   "streams to probe, comma-separated (default all)"),
        OPT_END(),
    };
    struct strlist args = STRLIST_INIT;
    struct profile p;
    struct adapter *a = NULL;
    const struct stream *sel[MAX_STREAMS];
    struct probe probes[MAX_STREAMS];
    struct buf out = BUF_INIT;
    int n = 0, ret;

    memset(&o, 0, sizeof(o));
    memset(&p, 0, sizeof(p));
    memset(probes, 0, sizeof(probes));
    ret = cli_parse("stripe-reader check [--profile P] [--streams LIST]",
                    "Validate the profile, authenticate (refreshing an "
                    "OAuth token if needed)\nand probe each stream with "
                    "a limit=1 list request.  Exits 0 only when every\n"
                    "selected stream is readable.",
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
    if (n < 0 || run_load_profile(o.profile, &p, err) < 0) {
        goto out;
    }
    if (adapter_open(&a, &p, err) < 0) {
        goto out;
    }
    for (int i = 0; i < n; i++) {
        probes[i].stream = sel[i];
    }
    if (run_probes(a, probes, (size_t)n, err) < 0) {
        goto out;
    }
    print_header(&p, a, &out);
    ret = report(probes, (size_t)n, &out, err);
    redact_buf(&out);
    fwrite(out.buf, 1, out.len, stdout);
    fflush(stdout);
out:
    for (int i = 0; i < n; i++) {
        http_req_release(&probes[i].req);
    }
    adapter_close(a);
    profile_release(&p);
    buf_release(&out);
    strlist_release(&args);
    return ret;
}
