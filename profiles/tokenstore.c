/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "profiles/tokenstore.h"

#include <fcntl.h>
#include <sys/file.h>
#include <time.h>

#define TOKENSTORE_LOCK_WAIT_MS 120000
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "core/redact.h"
#include "core/xalloc.h"
#include "profiles/profile.h"

#define STORE_MAX_BYTES 65536

void token_set_release(struct token_set *t)
{
    FREE_AND_NULL(t->access_token);
    FREE_AND_NULL(t->refresh_token);
    FREE_AND_NULL(t->account);
    FREE_AND_NULL(t->seed);
    t->expires_at = 0;
    t->updated_at = 0;
    t->livemode = -1;
}

char *tokenstore_path(const struct profile *p)
{
    const char *name = p->name && *p->name ? p->name : "default";
    const char *v;

    if (p->oauth.token_store && *p->oauth.token_store) {
        return xstrdup(p->oauth.token_store);
    }
    /* the loader's default (profiles/spec_profile.c), for profiles that
     * were not loaded from a file */
    v = getenv("STRIPE_READER_STATE_DIR");
    if (v && *v) {
        return xstrfmt("%s/%s.oauth.json", v, name);
    }
    v = getenv("XDG_STATE_HOME");
    if (v && v[0] == '/') {
        return xstrfmt("%s/stripe-reader/%s.oauth.json", v, name);
    }
    v = getenv("HOME");
    return xstrfmt("%s/.local/state/stripe-reader/%s.oauth.json",
                   v && *v ? v : ".", name);
}

void tokenstore_seed(const char *refresh_token, char out[17])
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 */

    for (const char *p = refresh_token ? refresh_token : ""; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ULL;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* mkdir -p of the directory part of 'path', mode 0700. */
static int make_parent_dirs(const char *path, struct err *err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int ret = 0;

    if (!slash || slash == dir) {
        free(dir);
        return 0;
    }
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') {
            continue;
        }
        *p = '\0';
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            ret = err_set(err, ERR_IO, "cannot create directory '%s': %s", dir,
                          strerror(errno));
            goto out;
        }
        *p = '/';
    }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        ret = err_set(err, ERR_IO, "cannot create directory '%s': %s", dir,
                      strerror(errno));
    }
out:
    free(dir);
    return ret;
}

static char *dup_string(const cJSON *root, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

    if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
        return xstrdup(v->valuestring);
    }
    return NULL;
}

/*
 * A time field: a whole number within +-2^53 (json_int64), else 0, which
 * makes a damaged expiry an expired token (refreshed), never a valid one.
 */
static int64_t get_time(const cJSON *root, const char *key)
{
    int64_t v = 0;

    if (json_int64(cJSON_GetObjectItemCaseSensitive(root, key), &v) < 0) {
        return 0;
    }
    return v;
}

int tokenstore_read(const char *path, struct token_set *t, struct err *err)
{
    struct buf text = BUF_INIT;
    cJSON *root = NULL;
    const cJSON *live;
    int ret = -1, found;

    token_set_release(t);
    found = file_read(path, "token store", STORE_MAX_BYTES, FILE_MISSING_OK,
                      &text, err);
    if (found < 0) {
        if (err) {
            err->kind = ERR_CONFIG; /* the user must fix or remove it */
        }
        goto out;
    }
    if (found == 1) {
        ret = 0; /* no store yet */
        goto out;
    }
    root = cJSON_ParseWithLengthOpts(text.buf, text.len, NULL, 0);
    if (!cJSON_IsObject(root)) {
        err_set(err, ERR_CONFIG,
                "token store '%s' is not a JSON object (remove it and "
                "put a fresh refresh token in the profile)",
                path);
        goto out;
    }
    t->access_token = dup_string(root, "access_token");
    t->refresh_token = dup_string(root, "refresh_token");
    t->account = dup_string(root, "account");
    t->seed = dup_string(root, "seed");
    t->expires_at = get_time(root, "expires_at");
    t->updated_at = get_time(root, "updated_at");
    live = cJSON_GetObjectItemCaseSensitive(root, "livemode");
    t->livemode = cJSON_IsBool(live) ? cJSON_IsTrue(live) : -1;
    secret_register(t->access_token);
    secret_register(t->refresh_token);
    ret = 0;
out:
    cJSON_Delete(root);
    buf_release(&text);
    return ret;
}

static void add_field(struct buf *b, const char *key, const char *value)
{
    /* the buffer holds "{" before the first field */
    buf_addstr(b, b->len > 1 ? ",\n  " : "\n  ");
    json_quote(b, key);
    buf_addstr(b, ": ");
    if (value) {
        json_quote(b, value);
    }
    else {
        buf_addstr(b, "null");
    }
}

static void format_store(const struct token_set *t, struct buf *b)
{
    char live[8];

    buf_addch(b, '{');
    add_field(b, "access_token", t->access_token);
    add_field(b, "refresh_token", t->refresh_token);
    add_field(b, "account", t->account);
    add_field(b, "seed", t->seed);
    snprintf(live, sizeof(live), "%s",
             t->livemode < 0 ? "null"
             : t->livemode   ? "true"
                             : "false");
    buf_addf(b,
             ",\n  \"livemode\": %s,\n  \"expires_at\": %lld,\n"
             "  \"updated_at\": %lld\n}\n",
             live, (long long)t->expires_at, (long long)t->updated_at);
}

int tokenstore_write(const char *path, const struct token_set *t,
                     struct err *err)
{
    struct buf text = BUF_INIT;
    int ret = -1;

    if (make_parent_dirs(path, err) < 0) {
        goto out;
    }
    format_store(t, &text);
    /* unique temporary name: another process may write the same store */
    ret = file_replace(path, text.buf, text.len, FILE_PRIVATE | FILE_UNIQUE_TMP,
                       err);
out:
    /* the text holds tokens: do not leave it in freed memory */
    if (text.alloc) {
        memset(text.buf, 0, text.alloc);
    }
    buf_release(&text);
    return ret;
}

int tokenstore_lock(const char *path, int *fd, struct err *err)
{
    char *lock = xstrfmt("%s.lock", path);
    int ret = -1;

    *fd = -1;
    if (make_parent_dirs(path, err) < 0) {
        goto out;
    }
    *fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0) {
        err_set(err, ERR_IO, "cannot open lock file '%s': %s", lock,
                strerror(errno));
        goto out;
    }
    /*
     * Another run may be refreshing (one HTTP request, at most the total
     * timeout): wait for it, but not forever — a stuck holder must not
     * hang this run past any deadline.
     */
    for (int waited_ms = 0; flock(*fd, LOCK_EX | LOCK_NB) < 0;
         waited_ms += 20) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };

        if (errno != EWOULDBLOCK && errno != EINTR) {
            err_set(err, ERR_IO, "cannot lock '%s': %s", lock, strerror(errno));
            goto fail;
        }
        if (waited_ms >= TOKENSTORE_LOCK_WAIT_MS) {
            err_set(err, ERR_LOCKED,
                    "the token store lock '%s' has been held by another "
                    "run for %d s",
                    lock, TOKENSTORE_LOCK_WAIT_MS / 1000);
            goto fail;
        }
        nanosleep(&ts, NULL);
    }
    ret = 0;
    goto out;
fail:
    close(*fd);
    *fd = -1;
out:
    free(lock);
    return ret;
}

void tokenstore_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}
