/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "profiles/tokenstore.h"
#include "core/err.h"
#include "core/redact.h"
#include "core/xalloc.h"
#include "tests/check.h"
#include "tests/unit/files.h"

static char *dir;
static bool unprivileged;

static void fill(struct token_set *t, const char *access, const char *refresh,
                 int livemode, const char *account)
{
    t->access_token = access ? xstrdup(access) : NULL;
    t->refresh_token = refresh ? xstrdup(refresh) : NULL;
    t->expires_at = 1700003600;
    t->livemode = livemode;
    t->account = account ? xstrdup(account) : NULL;
    t->updated_at = 1700000000;
    t->seed = xstrdup("0123456789abcdef");
}

static void test_round_trip(void)
{
    static const struct {
        const char *access, *refresh, *account;
        int livemode;
        const char *desc;
    } rows[] = {
        { "sk_test_oauthACCESS0001", "rt_REFRESHtoken000001",
          "acct_1Nv0FGQ9RKHgCVdK", 0, "test mode, an account" },
        { "sk_live_oauthACCESS0002", "rt_REFRESH\"quoted\"\\00002", NULL, 1,
          "live mode, no account, a token that needs escaping" },
        { NULL, "rt_REFRESHtoken000003", NULL, -1,
          "no access token, mode unknown" },
    };
    char *path = files_path(dir, "state/deeper/app.oauth.json");
    char *folder = files_path(dir, "state/deeper");
    struct stat st;

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        struct token_set in = TOKEN_SET_INIT, out = TOKEN_SET_INIT;
        struct err err = ERR_INIT;

        fill(&in, rows[i].access, rows[i].refresh, rows[i].livemode,
             rows[i].account);
        CHECK_INT(tokenstore_write(path, &in, &err), 0, rows[i].desc);
        CHECK_INT(tokenstore_read(path, &out, &err), 0, "  ... read back");
        CHECK_STR(out.access_token, in.access_token, "  ... access token");
        CHECK_STR(out.refresh_token, in.refresh_token, "  ... refresh token");
        CHECK_STR(out.account, in.account, "  ... account");
        CHECK_STR(out.seed, in.seed, "  ... seed");
        CHECK_INT(out.livemode, in.livemode, "  ... livemode");
        CHECK_INT(out.expires_at, in.expires_at, "  ... expires_at");
        CHECK_INT(out.updated_at, in.updated_at, "  ... updated_at");
        token_set_release(&in);
        token_set_release(&out);
    }
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
          "the store is mode 0600");
    CHECK(stat(folder, &st) == 0 && (st.st_mode & 0777) == 0700,
          "missing folders are created with mode 0700");
    CHECK_INT(files_count(folder, ".tmp"), 0, "no temporary file left");
    free(folder);
    free(path);
}

static void test_missing_and_redacted(void)
{
    char *path = files_path(dir, "none.oauth.json");
    struct token_set t = TOKEN_SET_INIT;
    struct err err = ERR_INIT;
    char line[128];

    fill(&t, "sk_test_stale", "rt_stale", 1, "acct_x");
    CHECK_INT(tokenstore_read(path, &t, &err), 0, "read: no store yet");
    CHECK(!t.access_token && !t.refresh_token && !t.account && !t.seed &&
              t.livemode == -1 && t.expires_at == 0,
          "  ... everything reset");
    token_set_release(&t);

    files_put(path, "{\"access_token\": \"sk_test_fromTHEstore0042\"}");
    secret_clear_all();
    CHECK_INT(tokenstore_read(path, &t, &err), 0,
              "read: a store with only an access token");
    snprintf(line, sizeof(line), "token sk_test_fromTHEstore0042");
    redact_str(line, sizeof(line));
    CHECK_STR(line, "token sk_test_...0042",
              "  ... the token read is registered with the redactor");
    token_set_release(&t);
    free(path);
}

static void test_corrupt(void)
{
    static const struct {
        const char *name, *text, *desc;
    } rows[] = {
        { "torn", "{\"access_token\": \"sk_test_abc", "a torn store" },
        { "garbage", "not json at all", "not JSON" },
        { "list", "[\"sk_test_abc\"]", "a JSON list" },
        { "empty", "", "an empty file" },
    };
    char *big = files_path(dir, "big.oauth.json");
    char *text = xmalloc(70001);
    struct token_set t = TOKEN_SET_INIT;
    struct err err = ERR_INIT;
    char *want;

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        char *path = files_path(dir, rows[i].name);

        files_put(path, rows[i].text);
        want = xstrfmt("token store '%s' is not a JSON object (remove it and "
                       "put a fresh refresh token in the profile)",
                       path);
        CHECK_INT(tokenstore_read(path, &t, &err), -1, rows[i].desc);
        CHECK_INT(err.kind, ERR_CONFIG, "  ... ERR_CONFIG");
        CHECK_STR(err.msg, want, "  ... says what to do");
        CHECK(!t.access_token && !t.refresh_token, "  ... no token");
        free(want);
        free(path);
    }

    memset(text, ' ', 70000);
    text[0] = '{';
    text[69999] = '}';
    text[70000] = '\0';
    files_put(big, text);
    want = xstrfmt("token store '%s' is larger than 65536 bytes", big);
    CHECK_INT(tokenstore_read(big, &t, &err), -1, "a store over 64 KiB");
    CHECK_INT(err.kind, ERR_CONFIG, "  ... ERR_CONFIG");
    CHECK_STR(err.msg, want, "  ... says so");
    free(want);

    want = xstrfmt("cannot read token store '%s': it is a directory", dir);
    CHECK_INT(tokenstore_read(dir, &t, &err), -1, "a store that is a folder");
    CHECK_INT(err.kind, ERR_CONFIG, "  ... ERR_CONFIG");
    CHECK_STR(err.msg, want, "  ... says so");
    free(want);
    free(text);
    free(big);
}

static void test_read_only(void)
{
    char *ro = files_path(dir, "ro");
    char *path = files_path(ro, "app.oauth.json");
    struct token_set old = TOKEN_SET_INIT, fresh = TOKEN_SET_INIT;
    struct token_set got = TOKEN_SET_INIT;
    struct err err = ERR_INIT;
    char *want;

    mkdir(ro, 0700);
    fill(&old, "sk_test_oauthOLD00001", "rt_OLDrefresh00001", 0, NULL);
    fill(&fresh, "sk_test_oauthNEW00001", "rt_NEWrefresh00001", 0, NULL);
    CHECK_INT(tokenstore_write(path, &old, &err), 0, "write the old token");
    if (!unprivileged) {
        files_skip_as_root("write: a read-only folder");
        goto out;
    }
    chmod(ro, 0500);
    CHECK_INT(tokenstore_write(path, &fresh, &err), -1,
              "write: a read-only folder");
    CHECK_INT(err.kind, ERR_IO, "  ... ERR_IO");
    want = xstrfmt("cannot create '%s.tmp.%ld': Permission denied", path,
                   (long)getpid());
    CHECK_STR(err.msg, want, "  ... names the file");
    free(want);
    CHECK_INT(tokenstore_read(path, &got, &err), 0, "  ... the store reads");
    CHECK_STR(got.refresh_token, "rt_OLDrefresh00001",
              "  ... with the old refresh token intact");
    chmod(ro, 0700);
out:
    token_set_release(&old);
    token_set_release(&fresh);
    token_set_release(&got);
    free(path);
    free(ro);
}

static void test_seed_and_lock(void)
{
    char a[17], b[17], c[17];
    char *path = files_path(dir, "locked/app.oauth.json");
    char *lock = files_path(dir, "locked/app.oauth.json.lock");
    struct err err = ERR_INIT;
    int fd = -1;

    tokenstore_seed("rt_one", a);
    tokenstore_seed("rt_one", b);
    tokenstore_seed("rt_two", c);
    CHECK(strlen(a) == 16 && !strcmp(a, b), "seed: 16 hex digits, stable");
    CHECK(strcmp(a, c) != 0, "seed: differs with the token");
    tokenstore_seed(NULL, c);
    CHECK_STR(c, "cbf29ce484222325", "seed: NULL is the empty string's");

    CHECK_INT(tokenstore_lock(path, &fd, &err), 0,
              "lock: creates the folder and takes the lock");
    CHECK(fd >= 0 && access(lock, F_OK) == 0, "  ... <store>.lock exists");
    tokenstore_unlock(fd);
    tokenstore_unlock(-1);
    CHECK_INT(tokenstore_lock(path, &fd, &err), 0, "lock: again after unlock");
    tokenstore_unlock(fd);
    free(lock);
    free(path);
}

int main(void)
{
    unprivileged = files_drop_root();
    dir = files_tmpdir("tokenstore");
    test_round_trip();
    test_missing_and_redacted();
    test_corrupt();
    test_read_only();
    test_seed_and_lock();
    files_rm_rf(dir);
    free(dir);
    secret_clear_all();
    return check_done();
}
