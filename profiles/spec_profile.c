/* SPDX-License-Identifier: MIT */
/*
 * The 'kind: Profile' document: its key table, and the checks that need
 * several values (auth, the mode guard, the adapter reference).
 */
#include "core/compat.h"
#include "profiles/load.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/strutil.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <time.h>

#define OFF(f) offsetof(struct profile_doc, f)
#define MIN_KEY_TAIL 8 /* characters after "sk_test_" in any real key */

static const struct key oauth_keys[] = {
    { "clientSecret", KEY_STRING, KEY_REQUIRED | KEY_SECRET, OFF(client_secret),
      NULL, NULL },
    { "refreshToken", KEY_STRING, KEY_REQUIRED | KEY_SECRET, OFF(refresh_token),
      NULL, NULL },
    { "tokenUrl", KEY_STRING, 0, OFF(token_url), NULL, NULL },
    { "tokenStore", KEY_STRING, 0, OFF(token_store), NULL, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

static const struct key auth_keys[] = {
    { "apiKey", KEY_STRING, KEY_SECRET, OFF(api_key), NULL, NULL },
    { "oauth", KEY_MAP, 0, OFF(oauth), oauth_keys, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

static const struct key profile_keys[] = {
    { "mode", KEY_STRING, KEY_REQUIRED, OFF(mode), NULL, NULL },
    { "auth", KEY_MAP, KEY_REQUIRED, OFF(auth), auth_keys, NULL },
    { "accountId", KEY_STRING, 0, OFF(account_id), NULL, NULL },
    { "accounts", KEY_LIST, KEY_SCALAR_OK, 0, NULL, profile_read_accounts },
    { "accountsInProgress", KEY_COUNT, 0, OFF(accounts_in_progress), NULL,
      NULL },
    { "adapter", KEY_STRING, 0, OFF(adapter), NULL, NULL },
    { "startDate", KEY_STRING, 0, OFF(start_date), NULL, NULL },
    { "sink", KEY_STRING, 0, OFF(sink), NULL, NULL },
    { "streams", KEY_STRING, 0, OFF(streams), NULL, NULL },
    { "overlap", KEY_SECS, 0, OFF(overlap_secs), NULL, NULL },
    { "maxDuration", KEY_SECS, 0, OFF(max_duration_secs), NULL, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

void profile_doc_init(struct profile_doc *d)
{
    memset(d, 0, sizeof(*d));
    d->overlap_secs = PROFILE_DEFAULT_OVERLAP_SECS;
}

void profile_doc_release(struct profile_doc *d)
{
    struct fval *all[] = { &d->name,          &d->mode,          &d->api_key,
                           &d->client_secret, &d->refresh_token, &d->token_url,
                           &d->token_store,   &d->account_id,    &d->adapter,
                           &d->start_date,    &d->sink,          &d->streams,
                           &d->accounts };

    for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
        fval_release(all[i]);
    }
}

int profile_doc_read(struct loader *ld, yaml_node_t *spec,
                     struct profile_doc *d)
{
    d->spec_pos = node_pos(spec);
    return walk_map(ld, spec, "spec", profile_keys, d);
}

static bool key_chars_valid(const char *k)
{
    for (; *k; k++) {
        if (!isalnum((unsigned char)*k) && *k != '_') {
            return false;
        }
    }
    return true;
}

/*
 * The mode guard: a test profile takes only sk_test_/rk_test_ keys, a live
 * one only sk_live_/rk_live_.  Messages name the mismatch, never the key.
 */
static int check_key(struct loader *ld, const struct fval *v, const char *path,
                     enum profile_mode mode)
{
    const char *want = profile_mode_name(mode);
    const char *k = v->s;
    bool live;

    if (starts_with(k, "pk_")) {
        return ld_error_at(ld, &v->pos,
                           "'%s' is a publishable key; use a secret "
                           "(sk_%s_) or restricted (rk_%s_) key",
                           path, want, want);
    }
    if ((!starts_with(k, "sk_") && !starts_with(k, "rk_")) ||
        (!starts_with(k + 3, "test_") && !starts_with(k + 3, "live_"))) {
        return ld_error_at(ld, &v->pos,
                           "'%s' is not a Stripe secret or restricted key "
                           "(expected sk_%s_ or rk_%s_)",
                           path, want, want);
    }
    live = starts_with(k + 3, "live_");
    if (live != (mode == PROFILE_MODE_LIVE)) {
        return ld_error_at(ld, &v->pos,
                           "'%s' is a %s key but the profile's mode is '%s'",
                           path, live ? "live" : "test", want);
    }
    if (!key_chars_valid(k)) {
        return ld_error_at(ld, &v->pos,
                           "'%s' contains a character no Stripe key has "
                           "(a space or line break?)",
                           path);
    }
    if (strlen(k) < strlen("sk_test_") + MIN_KEY_TAIL) {
        return ld_error_at(ld, &v->pos, "'%s' is too short for a Stripe key",
                           path);
    }
    return 0;
}

static int check_mode_and_auth(struct loader *ld, struct profile_doc *d,
                               struct profile *p)
{
    char shown[80];

    if (!strcmp(d->mode.s, "test")) {
        p->mode = PROFILE_MODE_TEST;
    }
    else if (!strcmp(d->mode.s, "live")) {
        p->mode = PROFILE_MODE_LIVE;
    }
    else {
        shown_value(d->mode.s, shown, sizeof(shown));
        return ld_error_at(ld, &d->mode.pos,
                           "'spec.mode' must be 'test' or 'live', not '%s'",
                           shown);
    }
    if (d->api_key.s && d->oauth.set) {
        return ld_error_at(ld, &d->oauth,
                           "'spec.auth' has both 'apiKey' and 'oauth'; "
                           "use one");
    }
    if (!d->api_key.s && !d->oauth.set) {
        return ld_error_at(ld, &d->auth,
                           "'spec.auth' needs 'apiKey' or 'oauth'");
    }
    if (d->api_key.s) {
        p->auth = PROFILE_AUTH_API_KEY;
        return check_key(ld, &d->api_key, "spec.auth.apiKey", p->mode);
    }
    p->auth = PROFILE_AUTH_OAUTH;
    return check_key(ld, &d->client_secret, "spec.auth.oauth.clientSecret",
                     p->mode);
}

bool profile_account_id_valid(const char *id)
{
    const char *p = id + strlen("acct_");

    if (!starts_with(id, "acct_") || !*p || strlen(id) > ACCOUNT_ID_MAX) {
        return false;
    }
    while (isalnum((unsigned char)*p)) {
        p++;
    }
    return !*p;
}

const char *profile_accounts_problem(const char *list, char *bad, size_t size)
{
    const char *p = list;

    if (!strcmp(list, "all")) {
        return NULL;
    }
    while (*p) {
        size_t n = strcspn(p, ",");
        char id[ACCOUNT_ID_MAX + 2];

        snprintf(id, sizeof(id), "%.*s", (int)n, p);
        if (n > ACCOUNT_ID_MAX || !profile_account_id_valid(id)) {
            snprintf(bad, size, "%.*s", (int)(n < 60 ? n : 60), p);
            return "expected 'all' or acct_ ids separated by commas";
        }
        p += n + (p[n] == ',');
    }
    return p == list ? "expected 'all' or acct_ ids" : NULL;
}

static int check_account(struct loader *ld, const struct fval *v)
{
    char shown[80];

    if (profile_account_id_valid(v->s)) {
        return 0;
    }
    shown_value(v->s, shown, sizeof(shown));
    return ld_error_at(ld, &v->pos,
                       "invalid account id '%s' in 'spec.accountId' "
                       "(expected acct_ followed by letters and digits)",
                       shown);
}

/* 'spec.accounts': "all", "acct_a,acct_b", or a list of ids. */
int profile_read_accounts(struct loader *ld, yaml_node_t *node,
                          const char *path, void *obj)
{
    struct profile_doc *d = obj;
    struct buf joined = BUF_INIT;
    const char *problem;
    char bad[80], shown[80];
    int ret = 0;

    if (node->type == YAML_SCALAR_NODE) {
        ret = walk_string(ld, node, path, 0, &d->accounts);
    }
    else {
        for (yaml_node_item_t *it = node->data.sequence.items.start;
             ret == 0 && it < node->data.sequence.items.top; it++) {
            struct fval v = { NULL, { 0, 0, false }, false };
            char sub[300];

            snprintf(sub, sizeof(sub), "%s[%zu]", path,
                     (size_t)(it - node->data.sequence.items.start));
            ret = walk_string(ld, yaml_document_get_node(ld->doc, *it), sub, 0,
                              &v);
            if (ret == 0 && (strchr(v.s, ',') || !strcmp(v.s, "all"))) {
                shown_value(v.s, shown, sizeof(shown));
                ret = ld_error_at(ld, &v.pos, "invalid account id '%s' in '%s'",
                                  shown, sub);
            }
            buf_addf(&joined, "%s%s", joined.len ? "," : "", v.s ? v.s : "");
            fval_release(&v);
        }
        d->accounts.s = buf_detach(&joined, NULL);
        d->accounts.pos = node_pos(node);
    }
    if (ret == 0 && (problem = profile_accounts_problem(d->accounts.s, bad,
                                                        sizeof(bad))) != NULL) {
        shown_value(bad, shown, sizeof(shown));
        ret = ld_error_at(ld, &d->accounts.pos,
                          "invalid accounts '%s' in '%s' (%s)",
                          *bad ? shown : "", path, problem);
    }
    buf_release(&joined);
    return ret;
}

const char *(*profile_sink_problem)(const char *uri);
const char *(*profile_streams_problem)(const char *list);

/* The program's check (the sink registry), else "SCHEME:ARG". */
static const char *sink_problem(const char *uri)
{
    const char *colon = strchr(uri, ':');

    if (profile_sink_problem) {
        return profile_sink_problem(uri);
    }
    return colon && colon > uri && colon[1] ? NULL : "use SCHEME:ARGUMENT";
}

static int check_values(struct loader *ld, struct profile_doc *d,
                        struct profile *p)
{
    const char *problem;
    char shown[80];

    if (d->account_id.s && check_account(ld, &d->account_id) < 0) {
        return -1;
    }
    if (d->accounts.s && d->account_id.s) {
        return ld_error_at(ld, &d->accounts.pos,
                           "'spec.accounts' and 'spec.accountId' cannot be "
                           "used together: 'spec.accountId' reads one "
                           "account, 'spec.accounts' several with the "
                           "platform's key; keep one");
    }
    if (d->start_date.s) {
        if (parse_date(d->start_date.s, "startDate", &p->start_date, NULL) <
            0) {
            shown_value(d->start_date.s, shown, sizeof(shown));
            return ld_error_at(ld, &d->start_date.pos,
                               "invalid date '%s' in 'spec.startDate' (use "
                               "YYYY-MM-DD, an RFC 3339 time such as "
                               "2019-01-01T00:00:00Z, or unix seconds)",
                               shown);
        }
        p->has_start_date = true;
    }
    if (d->streams.s && profile_streams_problem &&
        (problem = profile_streams_problem(d->streams.s)) != NULL) {
        shown_value(d->streams.s, shown, sizeof(shown));
        return ld_error_at(ld, &d->streams.pos,
                           "invalid streams '%s' in 'spec.streams' (%s)", shown,
                           problem);
    }
    if (d->sink.s && (problem = sink_problem(d->sink.s)) != NULL) {
        shown_value(d->sink.s, shown, sizeof(shown));
        return ld_error_at(ld, &d->sink.pos,
                           "invalid sink '%s' in 'spec.sink' (%s)", shown,
                           problem);
    }
    return 0;
}

static int unknown_adapter(struct loader *ld, const struct fval *v,
                           const struct adapter_doc *adapters, size_t nr)
{
    const char **names = xcalloc(nr + 1, sizeof(*names));
    struct buf defined = BUF_INIT;
    const char *hint;
    char shown[80];

    for (size_t i = 0; i < nr; i++) {
        names[i] = adapters[i].cfg.name;
        buf_addf(&defined, "%s'%s'", i ? ", " : "", names[i]);
    }
    hint = suggest(v->s, names);
    shown_value(v->s, shown, sizeof(shown));
    if (hint) {
        ld_error_at(ld, &v->pos,
                    "no 'kind: HTTP' document named '%s' in this file "
                    "(did you mean '%s'?)",
                    shown, hint);
    }
    else {
        ld_error_at(ld, &v->pos,
                    "no 'kind: HTTP' document named '%s' in this file "
                    "(defined: %s)",
                    shown, nr ? defined.buf : "none");
    }
    free(names);
    buf_release(&defined);
    return -1;
}

/*
 * The adapter: the HTTP document named by 'spec.adapter'; without one,
 * the file's only HTTP document, else the built-in Stripe API ("stripe"
 * also names the built-in unless a document takes that name).
 */
static int pick_adapter(struct loader *ld, struct profile_doc *d,
                        struct adapter_doc *adapters, size_t nr,
                        struct profile *p)
{
    struct adapter_cfg *a = &p->adapter;

    if (d->adapter.s) {
        size_t i = 0;

        while (i < nr && strcmp(adapters[i].cfg.name, d->adapter.s)) {
            i++;
        }
        if (i < nr) {
            *a = adapters[i].cfg;
            memset(&adapters[i].cfg, 0, sizeof(adapters[i].cfg));
        }
        else if (!strcmp(d->adapter.s, "stripe")) {
            adapter_cfg_defaults(a, p->mode);
        }
        else {
            return unknown_adapter(ld, &d->adapter, adapters, nr);
        }
    }
    else if (nr > 1) {
        return ld_error_at(ld, &d->spec_pos,
                           "the file has %zu 'kind: HTTP' documents; choose "
                           "one with 'spec.adapter'",
                           nr);
    }
    else if (nr == 1) {
        *a = adapters[0].cfg;
        memset(&adapters[0].cfg, 0, sizeof(adapters[0].cfg));
    }
    else {
        adapter_cfg_defaults(a, p->mode);
    }
    if (a->global_rps < 0) {
        a->global_rps = p->mode == PROFILE_MODE_LIVE
                            ? PROFILE_DEFAULT_GLOBAL_RPS_LIVE
                            : PROFILE_DEFAULT_GLOBAL_RPS_TEST;
    }
    return 0;
}

static char *default_state_dir(void)
{
    const char *v = getenv("STRIPE_READER_STATE_DIR");

    if (v && *v) {
        return xstrdup(v);
    }
    v = getenv("XDG_STATE_HOME");
    if (v && v[0] == '/') {
        return xstrfmt("%s/stripe-reader", v);
    }
    v = getenv("HOME");
    if (v && *v) {
        return xstrfmt("%s/.local/state/stripe-reader", v);
    }
    return NULL;
}

static int finish_oauth(struct loader *ld, struct profile_doc *d,
                        struct profile *p)
{
    struct oauth_cfg *o = &p->oauth;
    struct err uerr = ERR_INIT;
    char *dir;

    if (d->token_url.s) {
        if (profile_check_url(d->token_url.s, true,
                              "'spec.auth.oauth.tokenUrl'", &uerr) < 0) {
            return ld_error_at(ld, &d->token_url.pos, "%s", uerr.msg);
        }
        o->token_url = fval_take(&d->token_url);
    }
    else {
        o->token_url = xstrfmt("%s/v1/oauth/token", p->adapter.base_url);
    }
    if (d->token_store.s) {
        o->token_store = ld_resolve_path(ld, d->token_store.s);
    }
    else {
        dir = default_state_dir();
        if (!dir) {
            return ld_error_at(ld, &d->oauth,
                               "no place for the OAuth token store: set "
                               "'spec.auth.oauth.tokenStore', or "
                               "STRIPE_READER_STATE_DIR or HOME");
        }
        o->token_store = xstrfmt("%s/%s.oauth.json", dir, p->name);
        free(dir);
    }
    o->client_secret = fval_take(&d->client_secret);
    o->refresh_token = fval_take(&d->refresh_token);
    return 0;
}

int profile_doc_finish(struct loader *ld, struct profile_doc *d,
                       struct adapter_doc *adapters, size_t nr_adapters,
                       struct profile *p)
{
    if (check_mode_and_auth(ld, d, p) < 0 || check_values(ld, d, p) < 0 ||
        pick_adapter(ld, d, adapters, nr_adapters, p) < 0) {
        return -1;
    }
    p->name = fval_take(&d->name);
    if (p->auth == PROFILE_AUTH_OAUTH && finish_oauth(ld, d, p) < 0) {
        return -1;
    }
    p->api_key = fval_take(&d->api_key);
    p->account_id = fval_take(&d->account_id);
    p->accounts = fval_take(&d->accounts);
    p->accounts_in_progress = d->accounts_in_progress;
    p->sink = fval_take(&d->sink);
    p->streams = fval_take(&d->streams);
    p->overlap_secs = d->overlap_secs;
    p->max_duration_secs = d->max_duration_secs;
    return 0;
}
