/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "adapter/auth.h"

#include <signal.h>
#include <time.h>

#include "adapter/oauth.h"
#include "core/err.h"
#include "core/log.h"
#include "core/redact.h"
#include "core/sat.h"
#include "core/xalloc.h"
#include "profiles/profile.h"
#include "profiles/tokenstore.h"

struct auth {
    const struct profile *p; /* borrowed */
    unsigned gen;
    struct token_set tok; /* OAuth: the tokens in use */
    char *store;          /* OAuth: the token store's path */
    char *token_url;      /* OAuth */
    char seed[17];        /* OAuth: hash of the profile's refresh token */
};

int auth_open(struct auth **out, const struct profile *p, struct err *err)
{
    struct auth *a;

    *out = NULL;
    if (p->auth == PROFILE_AUTH_API_KEY) {
        if (!p->api_key || !*p->api_key) {
            return err_set(err, ERR_CONFIG, "profile '%s' has no API key",
                           p->name ? p->name : "");
        }
        secret_register(p->api_key);
    }
    else if (!p->oauth.client_secret || !p->oauth.refresh_token) {
        return err_set(err, ERR_CONFIG,
                       "profile '%s' needs oauth.clientSecret and "
                       "oauth.refreshToken",
                       p->name ? p->name : "");
    }
    a = xcalloc(1, sizeof(*a));
    a->p = p;
    a->tok.livemode = -1;
    if (p->auth == PROFILE_AUTH_OAUTH) {
        secret_register(p->oauth.client_secret);
        secret_register(p->oauth.refresh_token);
        a->store = tokenstore_path(p);
        if (p->oauth.token_url && *p->oauth.token_url) {
            a->token_url = xstrdup(p->oauth.token_url);
        }
        else {
            a->token_url = xstrfmt("%s/v1/oauth/token", p->adapter.base_url);
        }
        tokenstore_seed(p->oauth.refresh_token, a->seed);
        if (profile_check_url(a->token_url, true, "OAuth token URL", err) < 0) {
            auth_close(a);
            return -1;
        }
    }
    *out = a;
    return 0;
}

void auth_close(struct auth *a)
{
    if (!a) {
        return;
    }
    token_set_release(&a->tok);
    free(a->store);
    free(a->token_url);
    free(a);
}

const char *auth_token(const struct auth *a)
{
    if (a->p->auth == PROFILE_AUTH_API_KEY) {
        return a->p->api_key;
    }
    return a->tok.access_token;
}

unsigned auth_generation(const struct auth *a)
{
    return a->gen;
}

bool auth_renewable(const struct auth *a)
{
    return a->p->auth == PROFILE_AUTH_OAUTH;
}

/* The stored chain belongs to the profile's current initial token. */
static bool same_seed(const struct auth *a, const struct token_set *t)
{
    return !t->seed || !strcmp(t->seed, a->seed);
}

/* A stored access token that may be used now. */
static bool usable(const struct auth *a, const struct token_set *t,
                   const char *refused)
{
    int64_t now = (int64_t)time(NULL);

    return t->access_token && same_seed(a, t) &&
           sat_sub(t->expires_at, now) >= AUTH_MIN_TTL_SECS &&
           (!refused || strcmp(t->access_token, refused));
}

static int check_mode(const struct auth *a, const struct token_set *t,
                      struct err *err)
{
    int want = a->p->mode == PROFILE_MODE_LIVE;

    if (t->livemode < 0 || t->livemode == want) {
        return 0;
    }
    return err_set(err, ERR_AUTH,
                   "the OAuth token is for %s mode but profile '%s' is in "
                   "%s mode: authorize the app in %s mode (token store "
                   "'%s')",
                   t->livemode ? "live" : "test", a->p->name,
                   profile_mode_name(a->p->mode), profile_mode_name(a->p->mode),
                   a->store);
}

/* Take the tokens of 't' into use. */
static int adopt(struct auth *a, struct token_set *t, struct err *err)
{
    if (check_mode(a, t, err) < 0) {
        return -1;
    }
    token_set_release(&a->tok);
    a->tok = *t;
    memset(t, 0, sizeof(*t));
    t->livemode = -1;
    a->gen++;
    return 0;
}

static void crash_hook(void)
{
    const char *v = getenv("STRIPE_READER_TEST_CRASH_AFTER_TOKEN_STORE");

    if (v && !strcmp(v, "1")) {
        raise(SIGKILL);
    }
}

/* Refresh with the right refresh token and store the reply. Locked. */
static int refresh_locked(struct auth *a, struct token_set *stored,
                          struct err *err)
{
    struct token_set fresh = TOKEN_SET_INIT;
    const char *rt = a->p->oauth.refresh_token;
    int ret = -1;

    if (stored->refresh_token && same_seed(a, stored)) {
        rt = stored->refresh_token;
    }
    else if (stored->refresh_token) {
        log_info("the profile has a new refresh token; the token store "
                 "'%s' is started again from it",
                 a->store);
    }
    log_info("refreshing the OAuth access token at '%s'", a->token_url);
    if (oauth_refresh(&a->p->adapter, a->token_url, a->p->oauth.client_secret,
                      rt, a->store, &fresh, err) < 0) {
        goto out;
    }
    if (!fresh.refresh_token) {
        fresh.refresh_token = xstrdup(rt); /* not rotated (Connect) */
    }
    fresh.seed = xstrdup(a->seed);
    if (tokenstore_write(a->store, &fresh, err) < 0) {
        err_prefix(err, "the refresh token was rotated but could not be "
                        "saved (re-authorize the app)");
        goto out;
    }
    crash_hook();
    ret = adopt(a, &fresh, err);
out:
    token_set_release(&fresh);
    return ret;
}

/* Steps 2-4 of the header; 'refused' is the access token just refused. */
static int obtain(struct auth *a, const char *refused, struct err *err)
{
    struct token_set stored = TOKEN_SET_INIT;
    int fd = -1;
    int ret = -1;

    if (tokenstore_lock(a->store, &fd, err) < 0) {
        goto out;
    }
    if (tokenstore_read(a->store, &stored, err) < 0) {
        goto out;
    }
    if (usable(a, &stored, refused)) {
        log_info("using the OAuth access token in '%s' (%lld s left)", a->store,
                 (long long)sat_sub(stored.expires_at, (int64_t)time(NULL)));
        ret = adopt(a, &stored, err);
        goto out;
    }
    ret = refresh_locked(a, &stored, err);
out:
    tokenstore_unlock(fd);
    token_set_release(&stored);
    return ret;
}

int auth_ready(struct auth *a, struct err *err)
{
    struct token_set stored = TOKEN_SET_INIT;
    int ret;

    if (a->p->auth == PROFILE_AUTH_API_KEY) {
        return 0;
    }
    if (usable(a, &a->tok, NULL)) {
        return 0;
    }
    /* the common cron case: a fresh token in the store, no lock needed */
    if (tokenstore_read(a->store, &stored, err) < 0) {
        return -1;
    }
    if (usable(a, &stored, NULL)) {
        log_debug("using the stored OAuth access token (%lld s left)",
                  (long long)sat_sub(stored.expires_at, (int64_t)time(NULL)));
        ret = adopt(a, &stored, err);
        token_set_release(&stored);
        return ret;
    }
    token_set_release(&stored);
    return obtain(a, NULL, err);
}

int auth_renew(struct auth *a, unsigned gen, struct err *err)
{
    char *refused;
    int ret;

    if (a->p->auth == PROFILE_AUTH_API_KEY || gen != a->gen) {
        return 0;
    }
    refused = a->tok.access_token ? xstrdup(a->tok.access_token) : NULL;
    log_info("the OAuth access token was refused (401); renewing it");
    ret = obtain(a, refused, err);
    free(refused);
    return ret;
}
