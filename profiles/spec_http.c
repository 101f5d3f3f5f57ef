/* SPDX-License-Identifier: MIT */
/*
 * 'kind: HTTP' documents (an adapter's settings) and struct adapter_cfg.
 */
#include "core/compat.h"
#include "profiles/load.h"
#include "core/err.h"
#include "core/redact.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <strings.h>
#include <unistd.h>

#define OFF(f) offsetof(struct adapter_doc, f)
/* Headers an adapter may set (the check of each is linear; the secret
 * registry and every printed line's redaction are not). */
#define HEADERS_MAX 256

/* Headers the adapter sets itself, and where to configure them instead. */
static const struct {
    const char *name;
    const char *instead;
} reserved_headers[] = {
    { "Authorization", "'spec.auth' in the Profile" },
    { "Stripe-Account", "'spec.accountId' in the Profile" },
    { "User-Agent", "'spec.userAgent'" },
    { "Host", "'spec.baseUrl'" },
    { "Content-Length", NULL },
    { "Content-Type", NULL },
    { "Transfer-Encoding", NULL },
    { "Connection", NULL },
};

struct header_item {
    struct fval name, value;
};

static const struct key header_keys[] = {
    { "name", KEY_STRING, KEY_REQUIRED, offsetof(struct header_item, name),
      NULL, NULL },
    { "value", KEY_STRING, KEY_REQUIRED, offsetof(struct header_item, value),
      NULL, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

static int read_headers(struct loader *ld, yaml_node_t *node, const char *path,
                        void *obj);

static const struct key timeout_keys[] = {
    { "connect", KEY_MS, 0, OFF(cfg.connect_timeout_ms), NULL, NULL },
    { "total", KEY_MS, 0, OFF(cfg.timeout_ms), NULL, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

static const struct key retry_keys[] = {
    { "maxAttempts", KEY_COUNT, 0, OFF(cfg.max_attempts), NULL, NULL },
    { "initialBackoff", KEY_MS, 0, OFF(cfg.backoff_initial_ms), NULL, NULL },
    { "maxBackoff", KEY_MS, 0, OFF(cfg.backoff_max_ms), NULL, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

static const struct key rate_keys[] = {
    { "globalRps", KEY_RATE, 0, OFF(cfg.global_rps), NULL, NULL },
    { "endpointRps", KEY_RATE, 0, OFF(cfg.endpoint_rps), NULL, NULL },
    { "maxInFlight", KEY_COUNT, 0, OFF(cfg.max_in_flight), NULL, NULL },
    { "globalShare", KEY_SHARE, 0, OFF(cfg.global_share), NULL, NULL },
    { "endpointShare", KEY_SHARE, 0, OFF(cfg.endpoint_share), NULL, NULL },
    { "connectedAccounts", KEY_STRING, 0, OFF(budget), NULL, NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

static const struct key http_keys[] = {
    { "baseUrl", KEY_STRING, 0, OFF(base_url), NULL, NULL },
    { "headers", KEY_LIST, 0, 0, NULL, read_headers },
    { "timeouts", KEY_MAP, 0, KEY_NO_OFFSET, timeout_keys, NULL },
    { "retry", KEY_MAP, 0, OFF(retry_pos), retry_keys, NULL },
    { "rateLimit", KEY_MAP, 0, KEY_NO_OFFSET, rate_keys, NULL },
    { "userAgent", KEY_STRING, 0, OFF(user_agent), NULL, NULL },
    { "caBundle", KEY_STRING, 0, OFF(ca_bundle), NULL, NULL },
    { "maxResponseSize", KEY_BYTES, 0, OFF(cfg.max_response_bytes), NULL,
      NULL },
    { NULL, KEY_STRING, 0, 0, NULL, NULL },
};

/* The numeric defaults, shared by the built-in and custom adapters. */
static const struct adapter_cfg default_settings = {
    .connect_timeout_ms = PROFILE_DEFAULT_CONNECT_TIMEOUT_MS,
    .timeout_ms = PROFILE_DEFAULT_TIMEOUT_MS,
    .max_attempts = PROFILE_DEFAULT_MAX_ATTEMPTS,
    .backoff_initial_ms = PROFILE_DEFAULT_BACKOFF_INITIAL_MS,
    .backoff_max_ms = PROFILE_DEFAULT_BACKOFF_MAX_MS,
    .endpoint_rps = PROFILE_DEFAULT_ENDPOINT_RPS,
    .max_in_flight = PROFILE_DEFAULT_MAX_IN_FLIGHT,
    .global_share = PROFILE_DEFAULT_GLOBAL_SHARE,
    .endpoint_share = PROFILE_DEFAULT_ENDPOINT_SHARE,
    .max_response_bytes = PROFILE_DEFAULT_MAX_RESPONSE_BYTES,
};

void adapter_cfg_defaults(struct adapter_cfg *a, enum profile_mode mode)
{
    *a = default_settings;
    a->name = xstrdup("stripe");
    a->base_url = xstrdup(PROFILE_DEFAULT_BASE_URL);
    adapter_cfg_add_header(a, "Stripe-Version", PROFILE_DEFAULT_STRIPE_VERSION);
    a->global_rps = mode == PROFILE_MODE_LIVE ? PROFILE_DEFAULT_GLOBAL_RPS_LIVE
                                              : PROFILE_DEFAULT_GLOBAL_RPS_TEST;
    a->builtin = true;
}

void adapter_cfg_release(struct adapter_cfg *a)
{
    if (!a) {
        return;
    }
    for (size_t i = 0; i < a->nr_headers; i++) {
        free(a->headers[i].name);
        free(a->headers[i].value);
    }
    free(a->headers);
    free(a->name);
    free(a->base_url);
    free(a->user_agent);
    free(a->ca_bundle);
    memset(a, 0, sizeof(*a));
}

void adapter_cfg_add_header(struct adapter_cfg *a, const char *name,
                            const char *value)
{
    ALLOC_GROW(a->headers, a->nr_headers + 1, a->alloc_headers);
    a->headers[a->nr_headers].name = xstrdup(name);
    a->headers[a->nr_headers].value = xstrdup(value);
    a->nr_headers++;
}

const char *adapter_cfg_header(const struct adapter_cfg *a, const char *name)
{
    for (size_t i = 0; i < a->nr_headers; i++) {
        if (!strcasecmp(a->headers[i].name, name)) {
            return a->headers[i].value;
        }
    }
    return NULL;
}

void adapter_doc_init(struct adapter_doc *d)
{
    memset(d, 0, sizeof(*d));
    d->cfg = default_settings;
    /* the mode is not known yet: < 0 means "not set", filled in later */
    d->cfg.global_rps = -1;
}

void adapter_doc_release(struct adapter_doc *d)
{
    adapter_cfg_release(&d->cfg);
    fval_release(&d->base_url);
    fval_release(&d->user_agent);
    fval_release(&d->ca_bundle);
    fval_release(&d->budget);
}

/* RFC 9110 token characters */
static bool header_name_valid(const char *s)
{
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s)) {
            return false;
        }
    }
    return true;
}

static bool has_line_break(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c < ' ' && c != '\t') || c == 0x7f) {
            return true;
        }
    }
    return false;
}

bool http_header_is_sensitive(const char *name)
{
    static const char *const words[] = { "auth",     "token",  "secret",
                                         "key",      "cookie", "password",
                                         "signature" };
    char lower[128];
    size_t i;

    for (i = 0; name[i] && i < sizeof(lower) - 1; i++) {
        lower[i] = (char)tolower((unsigned char)name[i]);
    }
    lower[i] = '\0';
    for (i = 0; i < ARRAY_SIZE(words); i++) {
        if (strstr(lower, words[i])) {
            return true;
        }
    }
    return false;
}

static int check_header(struct loader *ld, struct header_item *h,
                        const char *path)
{
    char shown[80];

    shown_value(h->name.s, shown, sizeof(shown));
    if (!header_name_valid(h->name.s)) {
        return ld_error_at(ld, &h->name.pos,
                           "invalid header name '%s' in '%s.name' (use "
                           "letters, digits and '-')",
                           shown, path);
    }
    for (size_t i = 0; i < ARRAY_SIZE(reserved_headers); i++) {
        if (strcasecmp(h->name.s, reserved_headers[i].name)) {
            continue;
        }
        if (reserved_headers[i].instead) {
            return ld_error_at(
                ld, &h->name.pos, "header '%s' is set by stripe-reader; use %s",
                reserved_headers[i].name, reserved_headers[i].instead);
        }
        return ld_error_at(ld, &h->name.pos,
                           "header '%s' is set by stripe-reader and cannot "
                           "be configured",
                           reserved_headers[i].name);
    }
    if (has_line_break(h->value.s)) {
        return ld_error_at(ld, &h->value.pos,
                           "'%s.value' contains a line break or control "
                           "character",
                           path);
    }
    return 0;
}

struct header_seen {
    const char *name; /* borrowed from the adapter_cfg */
    size_t index;     /* in the list */
    struct fpos pos;
};

static int cmp_seen(const void *a, const void *b)
{
    const struct header_seen *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);

    if (c) {
        return c;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * The first header (in list order) whose name came before: sorted by
 * name, so a long list is not quadratic.  NULL when names are unique.
 */
static const struct header_seen *first_duplicate(struct header_seen *seen,
                                                 size_t n)
{
    const struct header_seen *dup = NULL;

    qsort(seen, n, sizeof(*seen), cmp_seen);
    for (size_t i = 1; i < n; i++) {
        if (!strcasecmp(seen[i - 1].name, seen[i].name) &&
            (!dup || seen[i].index < dup->index)) {
            dup = &seen[i];
        }
    }
    return dup;
}

static int read_headers(struct loader *ld, yaml_node_t *node, const char *path,
                        void *obj)
{
    struct adapter_doc *d = obj;
    yaml_node_item_t *item;
    size_t n = (size_t)(node->data.sequence.items.top -
                        node->data.sequence.items.start);
    struct header_seen *seen;
    const struct header_seen *dup;
    size_t i = 0;
    int ret = 0;

    if (n > HEADERS_MAX) {
        return ld_error(ld, node, "'%s' has %zu entries; at most %d", path, n,
                        HEADERS_MAX);
    }
    seen = xcalloc(n + 1, sizeof(*seen));
    for (item = node->data.sequence.items.start;
         item < node->data.sequence.items.top && ret == 0; item++, i++) {
        yaml_node_t *hn = yaml_document_get_node(ld->doc, *item);
        struct header_item h = { { NULL, { 0, 0, false }, false },
                                 { NULL, { 0, 0, false }, false } };
        char sub[300];

        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        ret = walk_map(ld, hn, sub, header_keys, &h);
        if (ret == 0) {
            ret = check_header(ld, &h, sub);
        }
        if (ret == 0) {
            if (http_header_is_sensitive(h.name.s)) {
                secret_register(h.value.s);
            }
            adapter_cfg_add_header(&d->cfg, h.name.s, h.value.s);
            seen[i].index = i;
            seen[i].pos = h.name.pos;
        }
        fval_release(&h.name);
        fval_release(&h.value);
    }
    if (ret == 0) {
        /* names now that the array stopped moving (this list's only) */
        for (size_t k = 0; k < n; k++) {
            seen[k].name = d->cfg.headers[d->cfg.nr_headers - n + k].name;
        }
        dup = first_duplicate(seen, n);
        if (dup) {
            char shown[80], sub[300];

            shown_value(dup->name, shown, sizeof(shown));
            snprintf(sub, sizeof(sub), "%s[%zu]", path, dup->index);
            ret = ld_error_at(ld, &dup->pos, "duplicate header '%s' in '%s'",
                              shown, sub);
        }
    }
    free(seen);
    return ret;
}

static int check_plain_text(struct loader *ld, const struct fval *v,
                            const char *path)
{
    if (v->s && has_line_break(v->s)) {
        return ld_error_at(ld, &v->pos,
                           "'%s' contains a line break or control character",
                           path);
    }
    return 0;
}

int adapter_doc_check(struct loader *ld, struct adapter_doc *d)
{
    struct adapter_cfg *a = &d->cfg;
    struct err uerr = ERR_INIT;

    if (d->base_url.s) {
        size_t len = strlen(d->base_url.s);

        if (profile_check_url(d->base_url.s, false, "'spec.baseUrl'", &uerr) <
            0) {
            return ld_error_at(ld, &d->base_url.pos, "%s", uerr.msg);
        }
        if (d->base_url.s[len - 1] == '/') {
            d->base_url.s[len - 1] = '\0';
        }
        a->base_url = fval_take(&d->base_url);
    }
    else {
        a->base_url = xstrdup(PROFILE_DEFAULT_BASE_URL);
    }
    if (check_plain_text(ld, &d->user_agent, "spec.userAgent") < 0) {
        return -1;
    }
    if (d->ca_bundle.s) {
        a->ca_bundle = ld_resolve_path(ld, d->ca_bundle.s);
        if (access(a->ca_bundle, R_OK) < 0) {
            return ld_error_at(ld, &d->ca_bundle.pos,
                               "cannot read 'spec.caBundle' '%s': %s",
                               a->ca_bundle, strerror(errno));
        }
    }
    if (a->backoff_initial_ms > a->backoff_max_ms) {
        char lo[32], hi[32];

        format_ms(a->backoff_initial_ms, lo, sizeof(lo));
        format_ms(a->backoff_max_ms, hi, sizeof(hi));
        return ld_error_at(ld, &d->retry_pos,
                           "'spec.retry.initialBackoff' (%s) is longer than "
                           "'spec.retry.maxBackoff' (%s)",
                           lo, hi);
    }
    if (d->budget.s && !strcmp(d->budget.s, "per-account")) {
        a->account_budget = ADAPTER_BUDGET_PER_ACCOUNT;
    }
    else if (d->budget.s && strcmp(d->budget.s, "shared")) {
        char shown[80];

        shown_value(d->budget.s, shown, sizeof(shown));
        return ld_error_at(ld, &d->budget.pos,
                           "'spec.rateLimit.connectedAccounts' must be "
                           "'shared' or 'per-account', not '%s'",
                           shown);
    }
    a->user_agent = fval_take(&d->user_agent);
    if (!adapter_cfg_header(a, "Stripe-Version")) {
        adapter_cfg_add_header(a, "Stripe-Version",
                               PROFILE_DEFAULT_STRIPE_VERSION);
    }
    return 0;
}

int adapter_doc_read(struct loader *ld, yaml_node_t *spec,
                     struct adapter_doc *d)
{
    if (walk_map(ld, spec, "spec", http_keys, d) < 0) {
        return -1;
    }
    return adapter_doc_check(ld, d);
}
