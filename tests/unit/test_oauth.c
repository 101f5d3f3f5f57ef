/* SPDX-License-Identifier: MIT */
/*
 * Numbers from outside in the OAuth path (issue 13): the token endpoint's
 * expires_in, the store's expires_at/updated_at, and the expiry check.
 * Out-of-range or fractional values never become a valid-looking token.
 */
#include "core/compat.h"
#include "adapter/auth.h"
#include "adapter/oauth.h"

#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "profiles/profile.h"
#include "profiles/tokenstore.h"
#include "tests/check.h"

static char dir[] = "/tmp/sr-oauth-XXXXXX";

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

/* expires_at - now after a reply with this expires_in member. */
static int64_t ttl_of(const char *member)
{
    struct token_set t = TOKEN_SET_INIT;
    struct err err = ERR_INIT;
    char body[256];
    int64_t ttl = -1;

    snprintf(body, sizeof(body), "{\"access_token\":\"tok_abcdefgh\"%s%s}",
             *member ? "," : "", member);
    if (oauth_parse_tokens(body, strlen(body), 1700000000, "https://t", "req_1",
                           &t, &err) == 0) {
        ttl = t.expires_at - t.updated_at;
    }
    token_set_release(&t);
    return ttl;
}

static void test_expires_in(void)
{
    CHECK_INT(ttl_of("\"expires_in\":7200"), 7200, "expires_in is used");
    CHECK_INT(ttl_of(""), OAUTH_DEFAULT_TTL_SECS, "absent: the default");
    CHECK_INT(ttl_of("\"expires_in\":1e999"), OAUTH_DEFAULT_TTL_SECS,
              "1e999: the default, not an undefined conversion");
    CHECK_INT(ttl_of("\"expires_in\":9223372036854774784"),
              OAUTH_DEFAULT_TTL_SECS, "beyond 2^53: the default");
    CHECK_INT(ttl_of("\"expires_in\":3600.5"), OAUTH_DEFAULT_TTL_SECS,
              "a fraction: the default");
    CHECK_INT(ttl_of("\"expires_in\":-5"), OAUTH_DEFAULT_TTL_SECS,
              "negative: the default");
    CHECK_INT(ttl_of("\"expires_in\":\"3600\""), OAUTH_DEFAULT_TTL_SECS,
              "a string: the default");
    CHECK_INT(ttl_of("\"expires_in\":9007199254740992"), OAUTH_MAX_TTL_SECS,
              "a huge lifetime is cut to the maximum");
}

static void test_store_numbers(void)
{
    struct token_set t = TOKEN_SET_INIT;
    struct err err = ERR_INIT;
    char *path = xstrfmt("%s/s.json", dir);

    write_text(path, "{\"access_token\":\"tok_abcdefgh\","
                     "\"expires_at\":1e999,\"updated_at\":-1e999}");
    CHECK_INT(tokenstore_read(path, &t, &err), 0, "store with garbage reads");
    CHECK_INT(t.expires_at, 0, "an out-of-range expires_at is 0 (expired)");
    CHECK_INT(t.updated_at, 0, "an out-of-range updated_at is 0");
    write_text(path, "{\"access_token\":\"tok_abcdefgh\","
                     "\"expires_at\":9223372036854774784}");
    CHECK_INT(tokenstore_read(path, &t, &err), 0, "reads");
    CHECK_INT(t.expires_at, 0, "beyond 2^53 is 0 too");
    write_text(path, "{\"access_token\":\"tok_abcdefgh\","
                     "\"expires_at\":1700000000.5}");
    CHECK_INT(tokenstore_read(path, &t, &err), 0, "reads");
    CHECK_INT(t.expires_at, 0, "a fraction is 0 too");
    write_text(path, "{\"access_token\":\"tok_abcdefgh\","
                     "\"expires_at\":1700000000}");
    CHECK_INT(tokenstore_read(path, &t, &err), 0, "reads");
    CHECK_INT(t.expires_at, 1700000000, "a good expiry is kept");
    token_set_release(&t);
    unlink(path);
    free(path);
}

/*
 * A stored token whose expiry is garbage is not used: auth_ready goes on
 * to refresh (which fails here, against a closed port) instead of
 * adopting it.
 */
static void test_garbage_expiry_not_valid(void)
{
    static const char *const expiries[] = { "1e999", "-1e999",
                                            "-9223372036854775808",
                                            "9223372036854774784" };
    struct profile p;
    struct err err = ERR_INIT;
    char *store = xstrfmt("%s/p.oauth.json", dir);

    memset(&p, 0, sizeof(p));
    p.name = xstrdup("unit");
    p.mode = PROFILE_MODE_TEST;
    p.auth = PROFILE_AUTH_OAUTH;
    p.oauth.client_secret = xstrdup("sk_test_client_secret_0000");
    p.oauth.refresh_token = xstrdup("rt_unit_refresh_token_0000");
    p.oauth.token_url = xstrdup("http://127.0.0.1:1/v1/oauth/token");
    p.oauth.token_store = xstrdup(store);
    adapter_cfg_defaults(&p.adapter, PROFILE_MODE_TEST);
    p.adapter.connect_timeout_ms = 500;
    p.adapter.timeout_ms = 500;
    for (size_t i = 0; i < ARRAY_SIZE(expiries); i++) {
        struct auth *a = NULL;
        char text[256], what[128];

        snprintf(text, sizeof(text),
                 "{\"access_token\":\"tok_stored_abcdefgh\",\"expires_at\":"
                 "%s}",
                 expiries[i]);
        write_text(store, text);
        CHECK_INT(auth_open(&a, &p, &err), 0, "auth opens");
        snprintf(what, sizeof(what),
                 "expires_at %s: the stored token is not taken as valid",
                 expiries[i]);
        CHECK(a && auth_ready(a, &err) < 0 && err.kind == ERR_API, what);
        auth_close(a);
    }
    unlink(store);
    profile_release(&p);
    free(store);
}

int main(void)
{
    char *lock;

    log_set_level(LOG_ERROR);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_expires_in();
    test_store_numbers();
    test_garbage_expiry_not_valid();
    lock = xstrfmt("%s/p.oauth.json.lock", dir);
    unlink(lock);
    free(lock);
    rmdir(dir);
    return check_done();
}
