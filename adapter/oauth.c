/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/oauth.h"

#include <strings.h>
#include <time.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "adapter/apierror.h"
#include "adapter/easy.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "core/redact.h"
#include "core/sat.h"
#include "core/xalloc.h"
#include "profiles/profile.h"
#include "profiles/tokenstore.h"

#define TOKEN_REPLY_MAX 65536

#define AMBIGUOUS_NOTE                                                         \
    "; not retried: the refresh token may already have been used (if "         \
    "the next run fails with invalid_grant, re-authorize the app)"

struct reply {
    struct buf body;
    char request_id[96];
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct reply *r = ctx;

    if (buf_add(&r->body, data, size * n) < 0) {
        return 0;
    }
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    struct reply *r = ctx;
    size_t len = size * n;
    static const char name[] = "request-id:";

    if (len > sizeof(name) - 1 && !strncasecmp(data, name, sizeof(name) - 1)) {
        const char *v = data + sizeof(name) - 1;
        size_t vlen = len - (sizeof(name) - 1);

        while (vlen && (*v == ' ' || *v == '\t')) {
            v++;
            vlen--;
        }
        while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
                        v[vlen - 1] == ' ')) {
            vlen--;
        }
        if (vlen >= sizeof(r->request_id)) {
            vlen = sizeof(r->request_id) - 1;
        }
        memcpy(r->request_id, v, vlen);
        r->request_id[vlen] = '\0';
    }
    return len;
}

static char *dup_string(const cJSON *root, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

    if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
        return xstrdup(v->valuestring);
    }
    return NULL;
}

/* expires_in, bounded: OAUTH_DEFAULT_TTL_SECS when unusable. */
static int64_t token_ttl(const cJSON *root)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
    int64_t ttl;

    if (!v) {
        return OAUTH_DEFAULT_TTL_SECS;
    }
    if (json_int64(v, &ttl) < 0 || ttl <= 0) {
        log_warn("the OAuth token reply has an unusable expires_in; taking "
                 "%d s",
                 OAUTH_DEFAULT_TTL_SECS);
        return OAUTH_DEFAULT_TTL_SECS;
    }
    return ttl < OAUTH_MAX_TTL_SECS ? ttl : OAUTH_MAX_TTL_SECS;
}

int oauth_parse_tokens(const char *body, size_t len, int64_t now,
                       const char *url, const char *request_id,
                       struct token_set *out, struct err *err)
{
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, NULL, 0);
    const cJSON *v;
    const char *rid = request_id && *request_id ? request_id : "none";
    int ret = -1;

    token_set_release(out);
    if (!cJSON_IsObject(root)) {
        err_set(err, ERR_DATA,
                "OAuth token reply from '%s' is not JSON (Request-Id %s)%s",
                url, rid, AMBIGUOUS_NOTE);
        goto out;
    }
    out->access_token = dup_string(root, "access_token");
    out->refresh_token = dup_string(root, "refresh_token");
    secret_register(out->access_token);
    secret_register(out->refresh_token);
    if (!out->access_token) {
        err_set(err, ERR_DATA,
                "OAuth token reply from '%s' has no access_token "
                "(Request-Id %s)%s",
                url, rid, AMBIGUOUS_NOTE);
        goto out;
    }
    out->account = dup_string(root, "stripe_user_id");
    if (!out->account) {
        out->account = dup_string(root, "account_id");
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "livemode");
    out->livemode = cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
    out->updated_at = now;
    out->expires_at = sat_add(now, token_ttl(root));
    ret = 0;
out:
    cJSON_Delete(root);
    return ret;
}

static int refusal(const struct reply *r, long status, const char *url,
                   const char *store, struct err *err)
{
    struct api_error e;
    const char *rid = r->request_id[0] ? r->request_id : "none";

    api_error_parse(r->body.buf, r->body.len, &e);
    if (!strcmp(e.code, "invalid_grant")) {
        return err_set(err, ERR_AUTH,
                       "the OAuth refresh token was refused by '%s' "
                       "(invalid_grant: %s; Request-Id %s): re-authorize "
                       "the app and put its new refresh token in the "
                       "profile (token store '%s')",
                       url, e.message[0] ? e.message : "no description", rid,
                       store);
    }
    return err_set(err, ERR_AUTH,
                   "OAuth token request to '%s' failed: %ld %s: %s%s%s "
                   "(Request-Id %s)",
                   url, status, http_status_text(status),
                   e.code[0] ? e.code : "", e.code[0] ? ": " : "",
                   e.message[0] ? e.message : "no message", rid);
}

int oauth_refresh(const struct adapter_cfg *cfg, const char *token_url,
                  const char *client_secret, const char *refresh_token,
                  const char *store, struct token_set *out, struct err *err)
{
    CURL *h = NULL;
    struct reply r = { BUF_INIT, "" };
    struct buf form = BUF_INIT;
    char *enc = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    long status = 0;
    CURLcode rc;
    int ret = -1;

    easy_global_init();
    h = curl_easy_init();
    if (!h) {
        return err_set(err, ERR_INTERNAL, "cannot create a curl handle");
    }
    buf_init_capped(&r.body, TOKEN_REPLY_MAX);
    enc = curl_easy_escape(h, refresh_token, 0);
    buf_addf(&form, "grant_type=refresh_token&refresh_token=%s",
             enc ? enc : "");
    easy_setup(h, cfg);
    curl_easy_setopt(h, CURLOPT_URL, token_url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, form.buf);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)form.len);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, client_secret);
    curl_easy_setopt(h, CURLOPT_PASSWORD, "");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    log_debug("POST %s -> %ld (%s)", token_url, status,
              r.request_id[0] ? r.request_id : "no Request-Id");
    if (rc != CURLE_OK) {
        err_set(err, ERR_API, "OAuth token request to '%s' failed: %s%s",
                token_url, errbuf[0] ? errbuf : curl_easy_strerror(rc),
                AMBIGUOUS_NOTE);
        goto out;
    }
    if (status >= 400 && status < 500) {
        refusal(&r, status, token_url, store, err);
        goto out;
    }
    if (status < 200 || status >= 300) {
        err_set(err, ERR_API,
                "OAuth token request to '%s' failed: %ld %s (Request-Id "
                "%s)%s",
                token_url, status, http_status_text(status),
                r.request_id[0] ? r.request_id : "none", AMBIGUOUS_NOTE);
        goto out;
    }
    ret = oauth_parse_tokens(r.body.buf, r.body.len, (int64_t)time(NULL),
                             token_url, r.request_id, out, err);
out:
    /* the form and the reply hold tokens */
    if (form.alloc) {
        memset(form.buf, 0, form.alloc);
    }
    if (r.body.alloc) {
        memset(r.body.buf, 0, r.body.alloc);
    }
    buf_release(&form);
    buf_release(&r.body);
    curl_free(enc);
    curl_easy_cleanup(h);
    return ret;
}
