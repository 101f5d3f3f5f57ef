/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/manifest.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <unistd.h>

#define MANIFEST_FORMAT 1
#define MANIFEST_MAX_BYTES ((size_t)512 * 1024 * 1024)

static cJSON *empty_root(void)
{
    cJSON *root = cJSON_CreateObject();

    cJSON_AddNumberToObject(root, "format", MANIFEST_FORMAT);
    cJSON_AddNumberToObject(root, "sequence", 0);
    cJSON_AddItemToObject(root, "files", cJSON_CreateArray());
    cJSON_AddItemToObject(root, "commits", cJSON_CreateArray());
    cJSON_AddItemToObject(root, "states", cJSON_CreateObject());
    return root;
}

static int check_root(const cJSON *root, long long *sequence, struct err *err)
{
    int64_t format = 0, seq = 0;
    const cJSON *node = NULL;

    if (json_get_int64(root, "", "format", JSON_REQUIRED, &format, err) < 0 ||
        json_get_int64(root, "", "sequence", JSON_REQUIRED, &seq, err) < 0 ||
        json_get_array(root, "", "files", JSON_REQUIRED, &node, err) < 0 ||
        json_get_array(root, "", "commits", JSON_REQUIRED, &node, err) < 0 ||
        json_get_object(root, "", "states", JSON_REQUIRED, &node, err) < 0) {
        return -1;
    }
    if (format != MANIFEST_FORMAT) {
        return err_set(err, ERR_CONFIG, "format %lld is not %d",
                       (long long)format, MANIFEST_FORMAT);
    }
    *sequence = seq;
    return 0;
}

int manifest_load(struct manifest *m, const char *path, struct err *err)
{
    struct buf text = BUF_INIT;
    int ret;

    memset(m, 0, sizeof(*m));
    m->path = xstrdup(path);
    ret =
        file_read(path, NULL, MANIFEST_MAX_BYTES, FILE_MISSING_OK, &text, err);
    if (ret == 1) {
        m->root = empty_root();
        return 0;
    }
    if (ret == 0) {
        m->root = json_parse(text.buf, text.len, "the manifest", err);
        if (!m->root || check_root(m->root, &m->sequence, err) < 0) {
            err->kind = ERR_CONFIG;
            err_prefix(err, "'%s'", path);
            ret = -1;
        }
    }
    buf_release(&text);
    if (ret < 0) {
        manifest_release(m); /* callers release only what loaded */
    }
    return ret;
}

int manifest_save(struct manifest *m, struct err *err)
{
    char *text;
    int ret;

    cJSON_ReplaceItemInObjectCaseSensitive(
        m->root, "sequence", cJSON_CreateNumber((double)m->sequence));
    text = cJSON_Print(m->root);
    ret = file_replace(m->path, text, strlen(text), 0, err);
    cJSON_free(text);
    return ret;
}

void manifest_release(struct manifest *m)
{
    cJSON_Delete(m->root);
    m->root = NULL;
    FREE_AND_NULL(m->path);
}

int manifest_state(const struct manifest *m, const char *key, const cJSON **cp,
                   long long *updated_at, struct err *err)
{
    const cJSON *states = cJSON_GetObjectItemCaseSensitive(m->root, "states");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(states, key);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(st, "updated_at");
    int64_t when = 0;

    *cp = NULL;
    if (updated_at) {
        *updated_at = 0;
    }
    if (!st) {
        return 0;
    }
    *cp = cJSON_GetObjectItemCaseSensitive(st, "checkpoint");
    if (!cJSON_IsObject(st) || !cJSON_IsObject(*cp)) {
        *cp = NULL;
        return err_set(err, ERR_CONFIG,
                       "'%s': the state of '%s' is damaged (no checkpoint); "
                       "'stripe-reader state reset' forgets it",
                       m->path, key);
    }
    if (t && json_int64(t, &when) < 0) {
        *cp = NULL;
        return err_set(err, ERR_CONFIG,
                       "'%s': the state of '%s' is damaged ('updated_at' is "
                       "not a time); 'stripe-reader state reset' forgets it",
                       m->path, key);
    }
    if (updated_at) {
        *updated_at = when;
    }
    return 1;
}

int manifest_set_state(struct manifest *m, const char *key, const char *json,
                       long long now, struct err *err)
{
    cJSON *states = cJSON_GetObjectItemCaseSensitive(m->root, "states");
    cJSON *cp = json_parse(json, strlen(json), "a checkpoint", err);
    cJSON *entry;

    if (!cp) {
        return err_prefix(err, "state '%s'", key);
    }
    entry = cJSON_CreateObject();
    cJSON_AddNumberToObject(entry, "updated_at", (double)now);
    cJSON_AddItemToObject(entry, "checkpoint", cp);
    cJSON_DeleteItemFromObjectCaseSensitive(states, key);
    cJSON_AddItemToObject(states, key, entry);
    return 0;
}

void manifest_delete_state(struct manifest *m, const char *key)
{
    cJSON *states = cJSON_GetObjectItemCaseSensitive(m->root, "states");

    cJSON_DeleteItemFromObjectCaseSensitive(states, key);
}

cJSON *manifest_files(struct manifest *m)
{
    return cJSON_GetObjectItemCaseSensitive(m->root, "files");
}

cJSON *manifest_commits(struct manifest *m)
{
    return cJSON_GetObjectItemCaseSensitive(m->root, "commits");
}

/* A crash leftover: a temp file, or a data file of a later commit. */
static bool leftover(const struct manifest *m, const char *name)
{
    if (name[0] == '.' && ends_with(name, ".tmp")) {
        return true;
    }
    if (!ends_with(name, ".ndjson") && !ends_with(name, ".ndjson.gz")) {
        return false;
    }
    return strtoll(name, NULL, 10) > m->sequence;
}

int manifest_cleanup(const struct manifest *m, const char *dir,
                     const char *const *stream_names, size_t n, struct err *err)
{
    struct buf path = BUF_INIT;
    int ret = 0;

    for (size_t i = 0; i < n && ret == 0; i++) {
        DIR *d;
        struct dirent *de;

        buf_reset(&path);
        buf_addf(&path, "%s/%s", dir, stream_names[i]);
        d = opendir(path.buf);
        if (!d) {
            continue;
        }
        while ((de = readdir(d))) {
            size_t base = path.len;

            if (!leftover(m, de->d_name)) {
                continue;
            }
            buf_addf(&path, "/%s", de->d_name);
            if (unlink(path.buf) < 0) {
                ret = err_set(err, ERR_IO, "cannot remove '%s': %s", path.buf,
                              strerror(errno));
            }
            buf_setlen(&path, base);
        }
        closedir(d);
    }
    buf_release(&path);
    return ret;
}
