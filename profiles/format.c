/* SPDX-License-Identifier: MIT */
/*
 * Showing a loaded profile (profiles show): every effective setting, in
 * the shape of a profile file or as JSON, with secrets masked.
 */
#include "core/compat.h"
#include "profiles/profile.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/redact.h"
#include "core/strutil.h"
#include "profiles/load.h"

#include <ctype.h>
#include <strings.h>

#define DEFAULT_USER_AGENT "stripe-reader/" STRIPE_READER_VERSION

/* A string as a YAML scalar: plain when that is unambiguous, else quoted. */
static void yaml_scalar(struct buf *out, const char *s)
{
    static const char *const special[] = { "true", "false", "yes", "no", "on",
                                           "off",  "null",  "y",   "n",  NULL };
    bool plain = isalpha((unsigned char)s[0]) || s[0] == '/';

    for (const char *p = s; plain && *p; p++) {
        plain = isalnum((unsigned char)*p) || strchr("_./:@+-", *p);
    }
    for (size_t i = 0; plain && special[i]; i++) {
        plain = strcasecmp(s, special[i]) != 0;
    }
    if (plain) {
        buf_addstr(out, s);
    }
    else {
        json_quote(out, s);
    }
}

/* Durations and sizes ("30s", "32MiB") are plain scalars in YAML too. */
static bool is_quantity(const char *s)
{
    size_t digits = strspn(s, "0123456789");

    if (!digits || !s[digits]) {
        return false;
    }
    for (s += digits; *s; s++) {
        if (!isalpha((unsigned char)*s)) {
            return false;
        }
    }
    return true;
}

static void yaml_kv(struct buf *out, int indent, const char *key,
                    const char *value, const char *comment)
{
    buf_addf(out, "%*s%s: ", indent, "", key);
    if (value && is_quantity(value)) {
        buf_addstr(out, value);
    }
    else if (value) {
        yaml_scalar(out, value);
    }
    else {
        buf_addstr(out, "~");
    }
    if (comment) {
        buf_addf(out, "  # %s", comment);
    }
    buf_addch(out, '\n');
}

static void yaml_secret(struct buf *out, int indent, const char *key,
                        const char *secret)
{
    char mask[64];

    secret_mask(secret, mask, sizeof(mask));
    yaml_kv(out, indent, key, mask, "redacted");
}

static void yaml_ms(struct buf *out, int indent, const char *key, long ms)
{
    char v[32];

    format_ms(ms, v, sizeof(v));
    yaml_kv(out, indent, key, v, NULL);
}

static void yaml_auth(struct buf *out, const struct profile *p)
{
    buf_addstr(out, "  auth:\n");
    if (p->auth == PROFILE_AUTH_API_KEY) {
        yaml_secret(out, 4, "apiKey", p->api_key);
        return;
    }
    buf_addstr(out, "    oauth:\n");
    yaml_secret(out, 6, "clientSecret", p->oauth.client_secret);
    yaml_secret(out, 6, "refreshToken", p->oauth.refresh_token);
    yaml_kv(out, 6, "tokenUrl", p->oauth.token_url, NULL);
    yaml_kv(out, 6, "tokenStore", p->oauth.token_store, NULL);
}

static void yaml_profile(struct buf *out, const struct profile *p)
{
    char v[64];

    buf_addf(out,
             "# %s\napiVersion: stripe-reader/v1\nkind: Profile\n"
             "metadata:\n",
             p->file ? p->file : "(no file)");
    yaml_kv(out, 2, "name", p->name, NULL);
    buf_addstr(out, "spec:\n");
    yaml_kv(out, 2, "mode", profile_mode_name(p->mode), NULL);
    yaml_auth(out, p);
    yaml_kv(out, 2, "accountId", p->account_id,
            p->account_id ? "Stripe-Account header" : "the key's own account");
    if (p->accounts) {
        yaml_kv(out, 2, "accounts", p->accounts,
                "connected accounts, with the platform's key");
    }
    yaml_kv(out, 2, "adapter", p->adapter.name,
            p->adapter.builtin ? "built-in: the Stripe API" : NULL);
    if (p->has_start_date) {
        format_time(p->start_date, v, sizeof(v));
        yaml_kv(out, 2, "startDate", v, NULL);
    }
    else {
        yaml_kv(out, 2, "startDate", NULL, "not set");
    }
    yaml_kv(out, 2, "sink", p->sink ? p->sink : PROFILE_DEFAULT_SINK,
            p->sink ? NULL : "default");
    yaml_ms(out, 2, "overlap", (long)p->overlap_secs * 1000);
    if (p->max_duration_secs) {
        yaml_ms(out, 2, "maxDuration", (long)p->max_duration_secs * 1000);
    }
    else {
        yaml_kv(out, 2, "maxDuration", NULL, "no deadline");
    }
}

static void yaml_adapter(struct buf *out, const struct adapter_cfg *a)
{
    char v[64];

    buf_addstr(out, "---\napiVersion: stripe-reader/adapters/v1\n"
                    "kind: HTTP\nmetadata:\n");
    yaml_kv(out, 2, "name", a->name, a->builtin ? "built-in" : NULL);
    buf_addstr(out, "spec:\n");
    yaml_kv(out, 2, "baseUrl", a->base_url, NULL);
    buf_addstr(out, "  headers:\n");
    for (size_t i = 0; i < a->nr_headers; i++) {
        buf_addstr(out, "    - name: ");
        yaml_scalar(out, a->headers[i].name);
        buf_addstr(out, "\n      value: ");
        if (http_header_is_sensitive(a->headers[i].name)) {
            char mask[64];

            secret_mask(a->headers[i].value, mask, sizeof(mask));
            json_quote(out, mask);
            buf_addstr(out, "  # redacted");
        }
        else {
            json_quote(out, a->headers[i].value);
        }
        buf_addch(out, '\n');
    }
    buf_addstr(out, "  timeouts:\n");
    yaml_ms(out, 4, "connect", a->connect_timeout_ms);
    yaml_ms(out, 4, "total", a->timeout_ms);
    buf_addf(out, "  retry:\n    maxAttempts: %d\n", a->max_attempts);
    yaml_ms(out, 4, "initialBackoff", a->backoff_initial_ms);
    yaml_ms(out, 4, "maxBackoff", a->backoff_max_ms);
    buf_addf(out,
             "  rateLimit:\n    globalRps: %g\n    endpointRps: %g\n"
             "    maxInFlight: %d\n    globalShare: %g\n"
             "    endpointShare: %g\n",
             a->global_rps, a->endpoint_rps, a->max_in_flight, a->global_share,
             a->endpoint_share);
    yaml_kv(out, 2, "userAgent",
            a->user_agent ? a->user_agent : DEFAULT_USER_AGENT,
            a->user_agent ? NULL : "default");
    yaml_kv(out, 2, "caBundle", a->ca_bundle,
            a->ca_bundle ? NULL : "the system's CA store");
    format_bytes(a->max_response_bytes, v, sizeof(v));
    yaml_kv(out, 2, "maxResponseSize", v, NULL);
}

void profile_format_yaml(const struct profile *p, struct buf *out)
{
    struct buf tmp = BUF_INIT;

    yaml_profile(&tmp, p);
    yaml_adapter(&tmp, &p->adapter);
    /* masked above; this catches a secret in any other field */
    redact_buf(&tmp);
    buf_add(out, tmp.buf, tmp.len);
    buf_release(&tmp);
}

static void json_secret(cJSON *obj, const char *key, const char *secret)
{
    char mask[64];

    secret_mask(secret, mask, sizeof(mask));
    cJSON_AddStringToObject(obj, key, mask);
}

/* A string member, or null. */
static void json_str(cJSON *obj, const char *key, const char *value)
{
    if (value) {
        cJSON_AddStringToObject(obj, key, value);
    }
    else {
        cJSON_AddNullToObject(obj, key);
    }
}

static cJSON *json_auth(const struct profile *p)
{
    cJSON *auth = cJSON_CreateObject();
    cJSON *o;

    if (p->auth == PROFILE_AUTH_API_KEY) {
        json_secret(auth, "apiKey", p->api_key);
        return auth;
    }
    o = cJSON_AddObjectToObject(auth, "oauth");
    json_secret(o, "clientSecret", p->oauth.client_secret);
    json_secret(o, "refreshToken", p->oauth.refresh_token);
    json_str(o, "tokenUrl", p->oauth.token_url);
    json_str(o, "tokenStore", p->oauth.token_store);
    return auth;
}

static cJSON *json_profile(const struct profile *p)
{
    cJSON *o = cJSON_CreateObject();
    char v[64];

    json_str(o, "name", p->name);
    json_str(o, "mode", profile_mode_name(p->mode));
    cJSON_AddItemToObject(o, "auth", json_auth(p));
    json_str(o, "accountId", p->account_id);
    json_str(o, "accounts", p->accounts);
    json_str(o, "adapter", p->adapter.name);
    if (p->has_start_date) {
        format_time(p->start_date, v, sizeof(v));
    }
    json_str(o, "startDate", p->has_start_date ? v : NULL);
    json_str(o, "sink", p->sink ? p->sink : PROFILE_DEFAULT_SINK);
    cJSON_AddNumberToObject(o, "overlapSeconds", (double)p->overlap_secs);
    if (p->max_duration_secs) {
        cJSON_AddNumberToObject(o, "maxDurationSeconds",
                                (double)p->max_duration_secs);
    }
    else {
        cJSON_AddNullToObject(o, "maxDurationSeconds");
    }
    return o;
}

static cJSON *json_adapter(const struct adapter_cfg *a)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *headers, *t;

    json_str(o, "name", a->name);
    cJSON_AddBoolToObject(o, "builtin", a->builtin);
    json_str(o, "baseUrl", a->base_url);
    headers = cJSON_AddArrayToObject(o, "headers");
    for (size_t i = 0; i < a->nr_headers; i++) {
        cJSON *h = cJSON_CreateObject();

        json_str(h, "name", a->headers[i].name);
        if (http_header_is_sensitive(a->headers[i].name)) {
            json_secret(h, "value", a->headers[i].value);
        }
        else {
            json_str(h, "value", a->headers[i].value);
        }
        cJSON_AddItemToArray(headers, h);
    }
    t = cJSON_AddObjectToObject(o, "timeouts");
    cJSON_AddNumberToObject(t, "connectMs", (double)a->connect_timeout_ms);
    cJSON_AddNumberToObject(t, "totalMs", (double)a->timeout_ms);
    t = cJSON_AddObjectToObject(o, "retry");
    cJSON_AddNumberToObject(t, "maxAttempts", a->max_attempts);
    cJSON_AddNumberToObject(t, "initialBackoffMs",
                            (double)a->backoff_initial_ms);
    cJSON_AddNumberToObject(t, "maxBackoffMs", (double)a->backoff_max_ms);
    t = cJSON_AddObjectToObject(o, "rateLimit");
    cJSON_AddNumberToObject(t, "globalRps", a->global_rps);
    cJSON_AddNumberToObject(t, "endpointRps", a->endpoint_rps);
    cJSON_AddNumberToObject(t, "maxInFlight", a->max_in_flight);
    cJSON_AddNumberToObject(t, "globalShare", a->global_share);
    cJSON_AddNumberToObject(t, "endpointShare", a->endpoint_share);
    json_str(o, "userAgent",
             a->user_agent ? a->user_agent : DEFAULT_USER_AGENT);
    json_str(o, "caBundle", a->ca_bundle);
    cJSON_AddNumberToObject(o, "maxResponseBytes",
                            (double)a->max_response_bytes);
    return o;
}

void profile_format_json(const struct profile *p, struct buf *out)
{
    cJSON *root = cJSON_CreateObject();
    struct buf tmp = BUF_INIT;
    char *text;

    json_str(root, "file", p->file);
    cJSON_AddItemToObject(root, "profile", json_profile(p));
    cJSON_AddItemToObject(root, "adapter", json_adapter(&p->adapter));
    text = cJSON_Print(root);
    if (text) {
        buf_addstr(&tmp, text);
        buf_addch(&tmp, '\n');
        cJSON_free(text);
    }
    cJSON_Delete(root);
    redact_buf(&tmp);
    buf_add(out, tmp.buf, tmp.len);
    buf_release(&tmp);
}
