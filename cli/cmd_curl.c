/* SPDX-License-Identifier: MIT */
/*
 * stripe-reader curl PATH: one GET through the adapter (credentials,
 * Stripe-Account, headers, retries and rate limits included), printing
 * the reply: pretty JSON on a terminal, the raw body otherwise.  -i adds
 * the status line and the response headers first.  A non-2xx reply is
 * printed too, then the command fails (exit 4 for 401/403, else 5).
 */
#include "core/compat.h"
#include "cli/cli.h"
#include "cli/run.h"

#include <unistd.h>
#include <cjson/cJSON.h>

#include "adapter/adapter.h"
#include "adapter/url.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/redact.h"
#include "core/xalloc.h"
#include "profiles/profile.h"

struct curl_opts {
    struct common_opts common;
    const char *profile;
    int include;
    struct strlist data;
};

static char *build_path(const char *arg, const struct strlist *data)
{
    struct buf path = BUF_INIT;

    if (arg[0] != '/') {
        buf_addch(&path, '/');
    }
    buf_addstr(&path, arg);
    for (size_t i = 0; i < data->nr; i++) {
        url_query_add_pair(&path, data->items[i]);
    }
    return buf_detach(&path, NULL);
}

/* The body, pretty-printed when stdout is a terminal and it is JSON. */
static void format_body(const struct http_req *req, struct buf *out)
{
    cJSON *root = NULL;
    char *pretty = NULL;

    if (isatty(STDOUT_FILENO)) {
        root = cJSON_ParseWithLengthOpts(req->body.buf, req->body.len, NULL, 0);
    }
    if (root) {
        pretty = cJSON_Print(root);
    }
    if (pretty) {
        buf_addstr(out, pretty);
        buf_addch(out, '\n');
    }
    else {
        buf_add(out, req->body.buf, req->body.len);
        if (isatty(STDOUT_FILENO) && req->body.len &&
            req->body.buf[req->body.len - 1] != '\n') {
            buf_addch(out, '\n');
        }
    }
    cJSON_free(pretty);
    cJSON_Delete(root);
}

static int run(struct curl_opts *o, const char *arg, struct err *err)
{
    struct profile p;
    struct adapter *a = NULL;
    struct http_req req = HTTP_REQ_INIT;
    struct buf out = BUF_INIT;
    int ret = -1;

    memset(&p, 0, sizeof(p));
    if (run_load_profile(o->profile, &p, err) < 0 ||
        adapter_open(&a, &p, err) < 0) {
        goto out;
    }
    req.path = build_path(arg, &o->data);
    req.keep_headers = o->include != 0;
    adapter_perform(a, &req, NULL);
    if (o->include) {
        buf_add(&out, req.headers.buf, req.headers.len);
    }
    if (req.status) {
        format_body(&req, &out);
    }
    redact_buf(&out);
    fwrite(out.buf, 1, out.len, stdout);
    if (fflush(stdout) != 0) {
        err_set(err, ERR_IO, "cannot write the reply: %s", strerror(errno));
        goto out;
    }
    if (req.err.kind != ERR_NONE) {
        *err = req.err;
        goto out;
    }
    ret = 0;
out:
    http_req_release(&req);
    adapter_close(a);
    profile_release(&p);
    buf_release(&out);
    return ret;
}

int cmd_curl(int argc, char **argv, struct err *err)
{
    struct curl_opts o;
    const struct opt table[] = {
        OPT_COMMON(struct curl_opts),
        OPT_STRING('p', "profile", struct curl_opts, profile, "NAME|FILE",
                   "the profile (default $STRIPE_READER_PROFILE)"),
        OPT_BOOL('i', "include", struct curl_opts, include,
                 "print the status line and response headers first"),
        OPT_LIST('d', "data", struct curl_opts, data, "KEY=VALUE",
                 "add a query parameter (percent-encoded); repeatable"),
        OPT_END(),
    };
    struct strlist args = STRLIST_INIT;
    int ret;

    memset(&o, 0, sizeof(o));
    ret = cli_parse("stripe-reader curl PATH [--profile P] [-i] "
                    "[-d KEY=VALUE ...]",
                    "Send one GET request through the adapter (credentials, "
                    "Stripe-Account,\nretries, rate limits) and print the "
                    "reply.  PATH is an API path such as\n/v1/charges, "
                    "with or without a query.  A reply other than 2xx is "
                    "printed,\nthen the command exits 4 (401, 403) or 5.",
                    table, &o, argc, argv, &args, err);
    if (ret != 0) {
        ret = ret < 0 ? -1 : 0;
        goto out;
    }
    ret = -1;
    if (args.nr != 1) {
        err_set(err, ERR_USAGE,
                args.nr ? "too many arguments" : "missing the PATH argument");
        goto out;
    }
    if (strstr(args.items[0], "://")) {
        err_set(err, ERR_USAGE,
                "PATH is an API path such as '/v1/charges', not a URL (the "
                "base URL comes from the profile)");
        goto out;
    }
    if (common_apply(&o.common, err) < 0) {
        goto out;
    }
    ret = run(&o, args.items[0], err);
out:
    strlist_release(&o.data);
    strlist_release(&args);
    return ret;
}
