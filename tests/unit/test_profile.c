/* SPDX-License-Identifier: MIT */
/*
 * Profiles: good and broken fixtures, the mode guard, the 0600 rule,
 * redaction, and finding profiles (test_profile_values.c has the value
 * parsers: ${{ VAR }}, URLs, durations).
 */
#include "core/compat.h"
#include "profiles/profile.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/redact.h"
#include "core/strutil.h"
#include "core/xalloc.h"
#include "profiles/load.h"
#include "sinks/sink.h"
#include "tests/check.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_TEST "sk_test_51HfixtureKEYabcdefghijklmnop0001"
#define KEY_LIVE "sk_live_51HfixtureKEYabcdefghijklmnop0002"
#define KEY_RK_TEST "rk_test_51HfixtureKEYabcdefghijklmnop0003"
#define KEY_RK_LIVE "rk_live_51HfixtureKEYabcdefghijklmnop0006"
#define KEY_PK "pk_test_51HfixtureKEYabcdefghijklmnop0004"
#define NOT_A_KEY "xoxb-0000-fixture-not-a-stripe-key"
#define REFRESH "rt_fixtureREFRESHtokenabcdefghij0005"
#define LITERAL_KEY "sk_test_51LITERALliteralLITERALliteral9876"

static const char *const all_secrets[] = { KEY_TEST,    KEY_LIVE, KEY_RK_TEST,
                                           KEY_RK_LIVE, REFRESH,  LITERAL_KEY,
                                           NULL };

static char tmpdir[256];

static void set_env(void)
{
    setenv("SR_TEST_KEY", KEY_TEST, 1);
    setenv("SR_TEST_LIVE_KEY", KEY_LIVE, 1);
    setenv("SR_TEST_RK_KEY", KEY_RK_TEST, 1);
    setenv("SR_TEST_RK_LIVE_KEY", KEY_RK_LIVE, 1);
    setenv("SR_TEST_PK_KEY", KEY_PK, 1);
    setenv("SR_TEST_NOT_A_KEY", NOT_A_KEY, 1);
    setenv("SR_TEST_REFRESH_TOKEN", REFRESH, 1);
    setenv("SR_TEST_RUN", "7", 1);
    setenv("SR_TEST_JOB", "nightly", 1);
    setenv("STRIPE_READER_STATE_DIR", "/var/lib/sr-state", 1);
    unsetenv("SR_TEST_UNSET_VAR");
    /* for the examples */
    setenv("STRIPE_TEST_KEY", KEY_TEST, 1);
    setenv("STRIPE_API_KEY", KEY_RK_LIVE, 1);
    setenv("STRIPE_APP_SECRET", KEY_LIVE, 1);
    setenv("STRIPE_REFRESH_TOKEN", REFRESH, 1);
    setenv("STRIPE_PLATFORM_KEY", KEY_LIVE, 1);
    setenv("EGRESS_TOKEN", "egress-token", 1);
    setenv("STRIPE_DEMO_URL", "http://127.0.0.1:40000", 1);
    setenv("STRIPE_DEMO_API_KEY", "sk_test_double_platform", 1);
}

static char *fixture(const char *rel)
{
    const char *top = getenv("TOP");

    if (top && *top) {
        return xstrfmt("%s/%s", top, rel);
    }
    return xstrdup(rel);
}

static bool has_secret(const char *text)
{
    for (size_t i = 0; all_secrets[i]; i++) {
        if (strstr(text, all_secrets[i])) {
            return true;
        }
    }
    return false;
}

/* Write 'text' to tmpdir/name with 'mode'; the path is the caller's. */
static char *write_tmp(const char *name, const char *text, mode_t mode)
{
    char *path = xstrfmt("%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");

    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
    chmod(path, mode);
    return path;
}

static int load_text(const char *text, mode_t mode, struct profile *p,
                     struct err *err)
{
    char *path = write_tmp("p.yaml", text, mode);
    int ret = profile_load(path, p, err);

    unlink(path);
    free(path);
    return ret;
}

/* A one-document profile with the given mode and auth lines. */
static char *profile_text(const char *mode, const char *auth)
{
    return xstrfmt("apiVersion: stripe-reader/v1\nkind: Profile\n"
                   "metadata: {name: t}\nspec:\n  mode: %s\n  auth:\n%s",
                   mode, auth);
}

static void test_minimal(void)
{
    struct profile p;
    struct err err = ERR_INIT;
    char *path = fixture("tests/fixtures/profiles/good/minimal.yaml");
    int ret = profile_load(path, &p, &err);

    CHECK_INT(ret, 0, "minimal profile loads");
    if (ret < 0) {
        printf("# %s\n", err.msg);
    }
    CHECK_STR(p.name, "minimal", "name");
    CHECK_STR(p.file, path, "file is the path as given");
    CHECK_INT(p.mode, PROFILE_MODE_TEST, "mode test");
    CHECK_INT(p.auth, PROFILE_AUTH_API_KEY, "api key auth");
    CHECK_STR(p.api_key, KEY_TEST, "key from the environment");
    CHECK(!p.account_id && !p.sink && !p.has_start_date, "optional unset");
    CHECK_INT(p.overlap_secs, 60, "overlap default 60 s");
    CHECK_INT(p.max_duration_secs, 0, "no deadline by default");
    CHECK(p.adapter.builtin, "built-in adapter");
    CHECK_STR(p.adapter.name, "stripe", "built-in adapter name");
    CHECK_STR(p.adapter.base_url, "https://api.stripe.com", "base url");
    CHECK_INT(p.adapter.nr_headers, 1, "one header");
    CHECK_STR(adapter_cfg_header(&p.adapter, "stripe-version"), "2024-06-20",
              "pinned Stripe-Version");
    CHECK_INT(p.adapter.connect_timeout_ms, 30000, "connect 30 s");
    CHECK_INT(p.adapter.timeout_ms, 80000, "total 80 s");
    CHECK_INT(p.adapter.max_attempts, 5, "5 attempts");
    CHECK_INT(p.adapter.backoff_initial_ms, 500, "backoff from 500 ms");
    CHECK_INT(p.adapter.backoff_max_ms, 20000, "backoff up to 20 s");
    CHECK(p.adapter.global_rps == 25, "25 rps in test mode");
    CHECK(p.adapter.endpoint_rps == 25, "25 rps per endpoint");
    CHECK_INT(p.adapter.max_in_flight, 32, "32 in flight");
    CHECK_INT(p.adapter.max_response_bytes, 32 << 20, "32 MiB cap");
    CHECK(!p.adapter.user_agent && !p.adapter.ca_bundle, "UA and CA unset");
    profile_release(&p);
    free(path);
}

static void test_full(void)
{
    struct profile p;
    struct err err = ERR_INIT;
    char *path = fixture("tests/fixtures/profiles/good/full.yaml");
    const struct adapter_cfg *a = &p.adapter;

    CHECK_INT(profile_load(path, &p, &err), 0, "full profile loads");
    CHECK_STR(p.name, "full.profile_1", "name with '.' and '_'");
    CHECK_INT(p.mode, PROFILE_MODE_LIVE, "mode live");
    CHECK_STR(p.api_key, KEY_LIVE, "${{VAR}} without spaces");
    CHECK_STR(p.account_id, "acct_1Nv0FGQ9RKHgCVdK", "account");
    CHECK(p.has_start_date, "start date set");
    CHECK_INT(p.start_date, 1546338600, "RFC 3339 with an offset");
    CHECK_STR(p.sink, "ndjson:/srv/exports", "sink");
    CHECK_INT(p.overlap_secs, 120, "overlap 2m");
    CHECK_INT(p.max_duration_secs, 5400, "maxDuration 1h30m");
    CHECK(!a->builtin, "custom adapter");
    CHECK_STR(a->name, "proxy", "adapter name");
    CHECK_STR(a->base_url, "https://stripe-proxy.example.com:8443",
              "trailing slash dropped");
    CHECK_INT(a->nr_headers, 2, "own Stripe-Version kept, none added");
    CHECK_STR(adapter_cfg_header(a, "Stripe-Version"), "2023-10-16",
              "own Stripe-Version");
    CHECK_STR(adapter_cfg_header(a, "X-Trace"), "run 7 of nightly",
              "several references mixed with text");
    CHECK_INT(a->connect_timeout_ms, 1500, "1500ms");
    CHECK_INT(a->timeout_ms, 60000, "1m");
    CHECK_INT(a->max_attempts, 7, "maxAttempts");
    CHECK_INT(a->backoff_initial_ms, 250, "initialBackoff");
    CHECK_INT(a->backoff_max_ms, 60000, "maxBackoff");
    CHECK(a->global_rps == 12.5, "fractional rps");
    CHECK(a->endpoint_rps == 5, "endpointRps");
    CHECK_INT(a->max_in_flight, 4, "maxInFlight");
    CHECK_STR(a->user_agent, "acme-etl/2.1", "userAgent");
    CHECK_INT(a->max_response_bytes, 512 * 1024, "512KiB");
    profile_release(&p);
    free(path);
}

static void test_oauth(void)
{
    struct profile p;
    struct err err = ERR_INIT;
    char *path = fixture("tests/fixtures/profiles/good/oauth.yaml");
    char *want;

    CHECK_INT(profile_load(path, &p, &err), 0, "oauth profile loads");
    CHECK_INT(p.auth, PROFILE_AUTH_OAUTH, "oauth auth");
    CHECK(!p.api_key, "no api key");
    CHECK_STR(p.oauth.client_secret, KEY_TEST, "client secret");
    CHECK_STR(p.oauth.refresh_token, REFRESH, "refresh token");
    CHECK_STR(p.oauth.token_url, "http://[::1]:12111/v1/oauth/token",
              "token URL defaults to the adapter's base URL");
    CHECK_STR(p.oauth.token_store, "/var/lib/sr-state/app.oauth.json",
              "token store under STRIPE_READER_STATE_DIR");
    profile_release(&p);

    unsetenv("STRIPE_READER_STATE_DIR");
    setenv("XDG_STATE_HOME", "/xdg/state", 1);
    profile_load(path, &p, &err);
    CHECK_STR(p.oauth.token_store, "/xdg/state/stripe-reader/app.oauth.json",
              "token store under XDG_STATE_HOME");
    profile_release(&p);
    unsetenv("XDG_STATE_HOME");
    setenv("HOME", "/home/u", 1);
    profile_load(path, &p, &err);
    CHECK_STR(p.oauth.token_store,
              "/home/u/.local/state/stripe-reader/app.oauth.json",
              "token store under ~/.local/state");
    profile_release(&p);
    setenv("STRIPE_READER_STATE_DIR", "/var/lib/sr-state", 1);
    free(path);

    path = fixture("tests/fixtures/profiles/good/oauth-explicit.yaml");
    CHECK_INT(profile_load(path, &p, &err), 0, "explicit oauth loads");
    CHECK_STR(p.oauth.token_url, "https://connect.stripe.com/oauth/token",
              "explicit token URL");
    want = xstrfmt("%.*s/state/connect-app.json",
                   (int)(strrchr(path, '/') - path), path);
    CHECK_STR(p.oauth.token_store, want,
              "relative token store is taken from the file's directory");
    CHECK(p.adapter.global_rps == 100, "100 rps in live mode");
    free(want);
    profile_release(&p);
    free(path);
}

static void test_adapters(void)
{
    struct profile p;
    struct err err = ERR_INIT;
    char *path = fixture("tests/fixtures/profiles/good/adapters.yaml");

    CHECK_INT(profile_load(path, &p, &err), 0, "adapters first, then Profile");
    CHECK_STR(p.adapter.name, "b", "the named adapter is chosen");
    CHECK_STR(p.adapter.base_url, "http://127.8.9.10:2", "its base URL");
    CHECK(p.adapter.endpoint_rps == 3, "its setting");
    CHECK(p.adapter.global_rps == 100, "live default for the unset rps");
    CHECK_INT(p.adapter.max_attempts, 5, "unset settings take defaults");
    CHECK_STR(adapter_cfg_header(&p.adapter, "Stripe-Version"),
              PROFILE_DEFAULT_STRIPE_VERSION,
              "Stripe-Version added to a custom adapter");
    CHECK_STR(p.api_key, KEY_RK_LIVE, "rk_live_ in live mode");
    profile_release(&p);
    free(path);

    path = fixture("tests/fixtures/profiles/good/builtin-name.yaml");
    CHECK_INT(profile_load(path, &p, &err), 0, "adapter: stripe loads");
    CHECK(p.adapter.builtin, "'stripe' is the built-in");
    CHECK_STR(p.sink, "sqlite:/tmp/${{ not a variable }}.db",
              "$${{ is a literal ${{");
    CHECK_INT(p.start_date, 1546300800, "unix seconds");
    CHECK_STR(p.api_key, KEY_RK_TEST, "rk_test_ in test mode");
    profile_release(&p);
    free(path);
}

static void test_defaults(void)
{
    struct adapter_cfg a;

    adapter_cfg_defaults(&a, PROFILE_MODE_LIVE);
    CHECK(a.global_rps == 100 && a.builtin, "live defaults");
    adapter_cfg_release(&a);
    adapter_cfg_release(&a);
    CHECK(!a.name && !a.headers, "release is idempotent");
    adapter_cfg_defaults(&a, PROFILE_MODE_TEST);
    CHECK(a.global_rps == 25, "test defaults");
    adapter_cfg_release(&a);
    CHECK_STR(profile_mode_name(PROFILE_MODE_LIVE), "live", "mode name");
}

static char *read_expected(const char *path)
{
    char line[ERR_MSG_MAX] = "";
    FILE *fp = fopen(path, "r");

    if (!fp) {
        return NULL;
    }
    if (!fgets(line, sizeof(line), fp)) {
        line[0] = '\0';
    }
    fclose(fp);
    line[strcspn(line, "\n")] = '\0';
    return xstrdup(line);
}

/* 'expected' with every "FILE" replaced by 'file'. */
static char *substitute(const char *expected, const char *file)
{
    struct buf b = BUF_INIT;
    const char *hit;

    while ((hit = strstr(expected, "FILE"))) {
        buf_add(&b, expected, (size_t)(hit - expected));
        buf_addstr(&b, file);
        expected = hit + 4;
    }
    buf_addstr(&b, expected);
    return buf_detach(&b, NULL);
}

static void check_broken(const char *dir, const char *file)
{
    char *path = xstrfmt("%s/%s", dir, file);
    char *exp_path = xstrfmt("%.*s.expected", (int)(strlen(path) - 5), path);
    char *expected = read_expected(exp_path);
    char *want = expected ? substitute(expected, path) : NULL;
    char what[300];
    struct profile p;
    struct err err = ERR_INIT;
    int ret = profile_load(path, &p, &err);

    snprintf(what, sizeof(what), "broken/%s: %s", file,
             want ? "expected message" : "has a .expected file");
    CHECK(ret == -1 && err.kind == ERR_CONFIG && p.name == NULL,
          "broken fixture fails with ERR_CONFIG");
    CHECK_STR(err.msg, want, what);
    CHECK(!has_secret(err.msg), "no secret in the message");
    profile_release(&p);
    free(path);
    free(exp_path);
    free(expected);
    free(want);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_broken(void)
{
    char *dir = fixture("tests/fixtures/profiles/broken");
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t nr = 0, alloc = 0;

    CHECK(d != NULL, "broken fixture directory");
    while (d && (de = readdir(d))) {
        if (strlen(de->d_name) > 5 &&
            !strcmp(de->d_name + strlen(de->d_name) - 5, ".yaml")) {
            ALLOC_GROW(names, nr + 1, alloc);
            names[nr++] = xstrdup(de->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
    qsort(names, nr, sizeof(*names), cmp_names);
    CHECK(nr >= 24, "at least 24 broken fixtures");
    for (size_t i = 0; i < nr; i++) {
        check_broken(dir, names[i]);
        free(names[i]);
    }
    free(names);
    free(dir);
}

static void test_interp_position(void)
{
    struct profile p;
    struct err err = ERR_INIT;
    char *text = profile_text("test", "    apiKey: ${{ SR_A }}\n"
                                      "  sink: \"sqlite:${{ NOPE_X }}\"\n");
    char *path = write_tmp("pos.yaml", text, 0600);
    char *want = xstrfmt("%s:8:9: 'spec.sink' uses environment variable "
                         "'NOPE_X', which is not set",
                         path);

    unsetenv("NOPE_X");
    setenv("SR_A", KEY_TEST, 1);
    CHECK_INT(profile_load(path, &p, &err), -1, "unset variable refused");
    CHECK_STR(err.msg, want, "unset variable: file:line:col and its name");
    unlink(path);
    free(path);
    free(want);
    free(text);
}

static void check_guard(const char *mode, const char *key, const char *want,
                        const char *what)
{
    struct profile p;
    struct err err = ERR_INIT;
    char *text = profile_text(mode, "    apiKey: ${{ SR_GUARD }}\n");
    int ret;

    setenv("SR_GUARD", key, 1);
    ret = load_text(text, 0644, &p, &err);
    if (!want) {
        CHECK_INT(ret, 0, what);
    }
    else {
        const char *colon = strstr(err.msg, ":7:13: ");

        CHECK(ret == -1 && colon, what);
        CHECK_STR(colon ? colon + 7 : err.msg, want, what);
        CHECK(!strstr(err.msg, key), "the key is not in the message");
    }
    profile_release(&p);
    free(text);
}

static void test_mode_guard(void)
{
    check_guard("test", KEY_TEST, NULL, "test + sk_test_");
    check_guard("test", KEY_RK_TEST, NULL, "test + rk_test_");
    check_guard("live", KEY_LIVE, NULL, "live + sk_live_");
    check_guard("live", KEY_RK_LIVE, NULL, "live + rk_live_");
    check_guard("test", KEY_LIVE,
                "'spec.auth.apiKey' is a live key but the profile's mode "
                "is 'test'",
                "test + sk_live_ refused");
    check_guard("test", KEY_RK_LIVE,
                "'spec.auth.apiKey' is a live key but the profile's mode "
                "is 'test'",
                "test + rk_live_ refused");
    check_guard("live", KEY_TEST,
                "'spec.auth.apiKey' is a test key but the profile's mode "
                "is 'live'",
                "live + sk_test_ refused");
    check_guard("live", KEY_RK_TEST,
                "'spec.auth.apiKey' is a test key but the profile's mode "
                "is 'live'",
                "live + rk_test_ refused");
    check_guard("live", NOT_A_KEY,
                "'spec.auth.apiKey' is not a Stripe secret or restricted "
                "key (expected sk_live_ or rk_live_)",
                "not a key refused");
    check_guard("test", "sk_test_51abc def ghi jkl",
                "'spec.auth.apiKey' contains a character no Stripe key has "
                "(a space or line break?)",
                "a key with spaces refused");
    check_guard("test", "sk_test_1234",
                "'spec.auth.apiKey' is too short for a Stripe key",
                "a truncated key refused");
}

static void test_permissions(void)
{
    struct profile p;
    struct err err = ERR_INIT;
    char *text = profile_text("test", "    apiKey: " LITERAL_KEY "\n");
    char *refs = profile_text("test", "    apiKey: ${{ SR_TEST_KEY }}\n");
    char *rt = profile_text("test", "    oauth:\n"
                                    "      clientSecret: ${{ SR_TEST_KEY }}\n"
                                    "      refreshToken: rt_LITERAL12345678\n");
    char *path = write_tmp("perm.yaml", text, 0644);
    char *want = xstrfmt("%s: contains a literal secret in "
                         "'spec.auth.apiKey' and is readable by others; run "
                         "'chmod 600 %s' or use ${{ VAR }}",
                         path, path);

    CHECK_INT(profile_load(path, &p, &err), -1, "644 + literal key refused");
    CHECK_STR(err.msg, want, "the chmod 600 remedy");
    CHECK(!has_secret(err.msg), "the key is not in the message");
    chmod(path, 0640);
    CHECK_INT(profile_load(path, &p, &err), -1,
              "640 (group-readable) + literal key refused");
    chmod(path, 0600);
    CHECK_INT(profile_load(path, &p, &err), 0, "600 + literal key loads");
    CHECK_STR(p.api_key, LITERAL_KEY, "the literal key");
    profile_release(&p);
    chmod(path, 0400);
    CHECK_INT(profile_load(path, &p, &err), 0, "400 + literal key loads");
    profile_release(&p);
    unlink(path);
    CHECK_INT(load_text(refs, 0644, &p, &err), 0,
              "644 with only ${{ }} references loads");
    profile_release(&p);
    CHECK_INT(load_text(rt, 0644, &p, &err), -1,
              "644 + literal refresh token refused");
    CHECK(strstr(err.msg, "'spec.auth.oauth.refreshToken'") != NULL,
          "names the refresh token");
    free(path);
    free(want);
    free(text);
    free(refs);
    free(rt);
}

static void test_redaction(void)
{
    struct profile p;
    struct err err = ERR_INIT;
    struct buf out = BUF_INIT;
    char *text = profile_text("test", "    apiKey: " LITERAL_KEY "\n"
                                      "  accountId: bad\n");
    char *good = profile_text("test", "    apiKey: " LITERAL_KEY "\n");
    char *oauth =
        profile_text("test", "    oauth:\n"
                             "      clientSecret: ${{ SR_TEST_KEY }}\n"
                             "      refreshToken: ${{ SR_TEST_REFRESH_TOKEN "
                             "}}\n");

    CHECK_INT(load_text(text, 0600, &p, &err), -1, "bad account refused");
    CHECK(!has_secret(err.msg), "no key in the error of a keyed profile");
    CHECK_INT(load_text(good, 0600, &p, &err), 0, "literal key, 0600");
    profile_format_yaml(&p, &out);
    CHECK(!has_secret(out.buf), "show (YAML) has no key");
    CHECK(strstr(out.buf, "apiKey: sk_test_...9876") != NULL,
          "show (YAML) has prefix and last 4");
    CHECK(strstr(out.buf, "value: \"2024-06-20\"") != NULL,
          "show (YAML) has the default header");
    buf_reset(&out);
    profile_format_json(&p, &out);
    CHECK(!has_secret(out.buf), "show (JSON) has no key");
    CHECK(strstr(out.buf, "\"sk_test_...9876\"") != NULL,
          "show (JSON) has prefix and last 4");
    profile_release(&p);
    buf_reset(&out);
    CHECK_INT(load_text(oauth, 0644, &p, &err), 0, "oauth profile");
    profile_format_yaml(&p, &out);
    profile_format_json(&p, &out);
    CHECK(!has_secret(out.buf), "show has no client secret/refresh token");
    CHECK(strstr(out.buf, "refreshToken: rt_...0005") != NULL,
          "refresh token masked");
    profile_release(&p);
    buf_release(&out);
    free(text);
    free(good);
    free(oauth);
}

static void test_sensitive_header(void)
{
    struct profile p;
    struct err err = ERR_INIT;
    struct buf out = BUF_INIT;
    char *text = profile_text("test", "    apiKey: ${{ SR_TEST_KEY }}\n"
                                      "---\n"
                                      "apiVersion: stripe-reader/adapters/v1\n"
                                      "kind: HTTP\nmetadata: {name: h}\n"
                                      "spec:\n  headers:\n"
                                      "    - name: X-Proxy-Token\n"
                                      "      value: ${{ SR_HDR }}\n"
                                      "    - name: X-Run\n"
                                      "      value: run-12345678\n");
    char line[128] = "token proxytoken-abcdefgh-1234";

    setenv("SR_HDR", "proxytoken-abcdefgh-1234", 1);
    CHECK(http_header_is_sensitive("X-Proxy-Token") &&
              http_header_is_sensitive("authorization-extra") &&
              !http_header_is_sensitive("Stripe-Version"),
          "sensitive header names");
    CHECK_INT(load_text(text, 0644, &p, &err), 0, "adapter with a token");
    profile_format_yaml(&p, &out);
    profile_format_json(&p, &out);
    CHECK(!strstr(out.buf, "proxytoken-abcdefgh-1234"),
          "show masks a token header");
    CHECK(strstr(out.buf, "run-12345678") != NULL,
          "show keeps an ordinary header");
    redact_str(line, sizeof(line));
    CHECK_STR(line, "token ...1234", "a token header value is redacted");
    profile_release(&p);
    buf_release(&out);
    free(text);
}

static void make_file(const char *dir, const char *name)
{
    char *path = xstrfmt("%s/%s", dir, name);
    FILE *fp = fopen(path, "w");

    if (fp) {
        fclose(fp);
    }
    free(path);
}

static void test_find(void)
{
    char *d1 = xstrfmt("%s/d1", tmpdir), *d2 = xstrfmt("%s/d2", tmpdir);
    char *env = xstrfmt("%s:%s", d1, d2);
    struct err err = ERR_INIT;
    char *path = NULL, *want;

    mkdir(d1, 0700);
    mkdir(d2, 0700);
    make_file(d1, "prod.yaml");
    make_file(d1, "both.yml");
    make_file(d1, "both.yaml");
    make_file(d2, "prod.yml");
    make_file(d2, "staging.yml");
    make_file(d2, "notes.txt");
    setenv("STRIPE_READER_PROFILE_PATH", env, 1);
    setenv("STRIPE_READER_CONFIG_DIR", "/nonexistent/sr-config", 1);
    unsetenv("STRIPE_READER_PROFILE");

    CHECK_INT(profile_find("staging", &path, &err), 0, "name in 2nd dir");
    want = xstrfmt("%s/staging.yml", d2);
    CHECK_STR(path, want, "found NAME.yml");
    FREE_AND_NULL(path);
    free(want);
    CHECK_INT(profile_find("prod", &path, &err), 0, "name in both dirs");
    want = xstrfmt("%s/prod.yaml", d1);
    CHECK_STR(path, want, "the first directory wins");
    FREE_AND_NULL(path);
    free(want);
    profile_find("both", &path, &err);
    want = xstrfmt("%s/both.yaml", d1);
    CHECK_STR(path, want, ".yaml before .yml");
    FREE_AND_NULL(path);
    free(want);
    CHECK_INT(profile_find("x/y", &path, &err), 0, "a path");
    CHECK_STR(path, "x/y", "returned as given");
    FREE_AND_NULL(path);
    CHECK_INT(profile_find("z.yml", &path, &err), 0, "a .yml path");
    FREE_AND_NULL(path);
    CHECK_INT(profile_find("prdo", &path, &err), -1, "unknown name");
    CHECK(err.kind == ERR_CONFIG && strstr(err.msg, "did you mean 'prod'?") &&
              strstr(err.msg, "/nonexistent/sr-config") &&
              strstr(err.msg, "'./profiles'"),
          "not found: a hint and the directories searched");
    CHECK_INT(profile_find(NULL, &path, &err), -1, "no profile given");
    CHECK(strstr(err.msg, "STRIPE_READER_PROFILE") != NULL,
          "names STRIPE_READER_PROFILE");
    setenv("STRIPE_READER_PROFILE", "staging", 1);
    CHECK_INT(profile_find(NULL, &path, &err), 0, "STRIPE_READER_PROFILE");
    FREE_AND_NULL(path);
    unsetenv("STRIPE_READER_PROFILE");
    CHECK_INT(profile_find("a b", &path, &err), -1, "invalid name");
    free(d1);
    free(d2);
    free(env);
}

/* Uses the directories test_find() made and the environment it left. */
static void test_list(void)
{
    struct profile_list l = PROFILE_LIST_INIT;

    profile_list_scan(&l);
    CHECK_INT(l.nr_dirs, 4, "four directories searched");
    CHECK_STR(l.dirs[3], "./profiles", "./profiles last");
    CHECK(l.nr >= 5, "all profile files listed");
    CHECK(l.nr >= 5 && !strcmp(l.items[0].name, "both") &&
              !l.items[0].shadowed && l.items[1].shadowed &&
              ends_with(l.items[1].path, "both.yml"),
          "both.yml is shadowed by both.yaml");
    CHECK(l.nr >= 5 && !strcmp(l.items[3].name, "prod") && l.items[3].shadowed,
          "d2/prod.yml is shadowed by d1/prod.yaml");
    profile_list_release(&l);
    profile_list_release(&l);
    CHECK(!l.items && !l.dirs, "release is idempotent");
    unsetenv("STRIPE_READER_PROFILE_PATH");
    unsetenv("STRIPE_READER_CONFIG_DIR");
}

static void test_examples(void)
{
    static const char *const examples[] = {
        "demo",  "test-double",       "live",
        "oauth", "connected-account", "custom-adapter",
    };

    for (size_t i = 0; i < ARRAY_SIZE(examples); i++) {
        char *rel = xstrfmt("profiles/examples/%s.yaml", examples[i]);
        char *path = fixture(rel);
        struct profile p;
        struct err err = ERR_INIT;
        int ret = profile_load(path, &p, &err);

        CHECK_INT(ret, 0, rel);
        if (ret < 0) {
            printf("#   %s\n", err.msg);
        }
        profile_release(&p);
        free(path);
        free(rel);
    }
}

int main(void)
{
    const char *t = getenv("TMPDIR");

    /* as the program wires it (cli/cli.c): sinks are checked by the
     * sink registry */
    profile_sink_problem = sink_uri_problem;
    snprintf(tmpdir, sizeof(tmpdir), "%s/test_profile.XXXXXX",
             t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    set_env();
    test_minimal();
    test_full();
    test_oauth();
    test_adapters();
    test_defaults();
    test_broken();
    test_interp_position();
    test_mode_guard();
    test_permissions();
    test_redaction();
    test_sensitive_header();
    test_find();
    test_list();
    test_examples();
    secret_clear_all();
    {
        char *cmd = xstrfmt("rm -rf '%s'", tmpdir);

        if (system(cmd) != 0) {
            printf("# could not remove %s\n", tmpdir);
        }
        free(cmd);
    }
    return check_done();
}
