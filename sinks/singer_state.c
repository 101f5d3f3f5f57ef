/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/singer_state.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "sinks/singer_recall.h"

#define SINGER_STATE_FORMAT 2
#define SINGER_STATE_MAX_BYTES ((size_t)64 << 20)
#define SINGLE_NAME "singer"

void singer_states_init(struct singer_states *st, bool several)
{
    memset(st, 0, sizeof(*st));
    st->several = several;
    strset_init(&st->index);
}

void singer_states_release(struct singer_states *st)
{
    free(st->single);
    for (size_t i = 0; i < st->nr; i++) {
        free(st->items[i].name);
        free(st->items[i].json);
    }
    free(st->items);
    strset_release(&st->index);
    singer_states_init(st, st->several);
}

/* What a key is kept by: what follows its '/', NULL for a profile's. */
static const char *suffix(const char *key)
{
    const char *slash = key ? strchr(key, '/') : NULL;

    return slash ? slash + 1 : NULL;
}

const char *singer_states_get(const struct singer_states *st, const char *key)
{
    const char *name = suffix(key);
    int64_t i;

    if (!name) {
        return st->single;
    }
    return strset_get(&st->index, name, &i) ? st->items[i].json : NULL;
}

/* Keep 'json' as the checkpoint named 'name' in a state of several. */
static void set_named(struct singer_states *st, const char *name,
                      const char *json)
{
    int64_t i;

    if (strset_get(&st->index, name, &i)) {
        free(st->items[i].json);
        st->items[i].json = xstrdup(json);
        return;
    }
    ALLOC_GROW(st->items, st->nr + 1, st->alloc);
    st->items[st->nr].name = xstrdup(name);
    st->items[st->nr].json = xstrdup(json);
    strset_set(&st->index, name, (int64_t)st->nr++);
}

void singer_states_set(struct singer_states *st, const char *key,
                       const char *json)
{
    const char *name = suffix(key);

    if (name) {
        set_named(st, name, json);
        return;
    }
    free(st->single);
    st->single = xstrdup(json);
}

int singer_states_each(const struct singer_states *st,
                       int (*fn)(const char *key, const char *json, void *),
                       void *data)
{
    int ret = st->single ? fn(SINGLE_NAME, st->single, data) : 0;

    for (size_t i = 0; ret == 0 && i < st->nr; i++) {
        char key[200];

        snprintf(key, sizeof(key), SINGLE_NAME "/%s", st->items[i].name);
        ret = fn(key, st->items[i].json, data);
    }
    return ret;
}

void singer_states_write(const struct singer_states *st, struct buf *out)
{
    buf_addf(out, "\"format\":%d,", SINGER_STATE_FORMAT);
    if (!st->several) {
        buf_addstr(out, "\"checkpoint\":");
        json_quote(out, st->single ? st->single : "");
        return;
    }
    buf_addstr(out, "\"checkpoints\":{");
    for (size_t i = 0; i < st->nr; i++) {
        buf_addstr(out, i ? "," : "");
        json_quote(out, st->items[i].name);
        buf_addch(out, ':');
        json_quote(out, st->items[i].json);
    }
    buf_addch(out, '}');
}

/* "checkpoints": each member a checkpoint string, named by an account. */
static int read_checkpoints(struct singer_states *st, const cJSON *all,
                            struct err *err)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, all)
    {
        if (!cJSON_IsString(m) || !*m->string || strchr(m->string, '/') ||
            strlen(m->string) > 128) {
            return err_set(err, ERR_CONFIG,
                           "'stripe_reader.checkpoints': member '%.60s' is "
                           "not a checkpoint of an account",
                           m->string);
        }
        if (strset_contains(&st->index, m->string)) {
            return err_set(err, ERR_CONFIG,
                           "'stripe_reader.checkpoints': '%.60s' twice",
                           m->string);
        }
        set_named(st, m->string, m->valuestring);
    }
    return 0;
}

#define NOT_THIS_CONFIG "is not a stripe-reader Singer state of this config"

/* A state of the other shape than the run's: say so, not start over. */
static int wrong_shape(bool several, struct err *err)
{
    return err_set(err, ERR_CONFIG,
                   several ? "it was written by a run of one account, and "
                             "this config reads several ('accounts'): give "
                             "a state of this config, or none to read from "
                             "the start"
                           : "it was written by a run of several accounts "
                             "('accounts'), and this config reads one: give "
                             "a state of this config, or none to read from "
                             "the start");
}

int singer_states_refuse(const struct singer_states *st, const char *key,
                         const char *path, struct err *err)
{
    if (!st->from_several || suffix(key)) {
        return 0;
    }
    wrong_shape(false, err);
    return err_prefix(err, "state '%s' " NOT_THIS_CONFIG, path);
}

/* The members of "stripe_reader" in a state value. */
static int read_value(struct singer_states *st, struct singer_recall *r,
                      const cJSON *sr, struct err *err)
{
    const char *cp = NULL, *ranks = NULL, *below = NULL;
    const cJSON *all = NULL;
    int64_t format = 0;
    int has_cp, has_all;

    if (json_get_int64(sr, "stripe_reader", "format", JSON_REQUIRED, &format,
                       err) < 0) {
        return -1;
    }
    if (format != SINGER_STATE_FORMAT) {
        return err_set(err, ERR_CONFIG,
                       "format %lld is not %d (written by another version "
                       "of stripe-reader)",
                       (long long)format, SINGER_STATE_FORMAT);
    }
    if ((has_cp = json_get_string(sr, "stripe_reader", "checkpoint", 0, &cp,
                                  err)) < 0 ||
        (has_all = json_get_object(sr, "stripe_reader", "checkpoints", 0, &all,
                                   err)) < 0 ||
        json_get_string(sr, "stripe_reader", "recall", JSON_REQUIRED, &ranks,
                        err) < 0 ||
        json_get_string(sr, "stripe_reader", "below", JSON_REQUIRED, &below,
                        err) < 0) {
        return -1;
    }
    if (has_cp == has_all) {
        return err_set(err, ERR_CONFIG,
                       "'stripe_reader' needs 'checkpoint' or 'checkpoints'");
    }
    if (st->several && !has_all) {
        return wrong_shape(true, err);
    }
    st->from_several = has_all != 0;
    if ((all && read_checkpoints(st, all, err) < 0) ||
        singer_recall_parse(r, ranks, below, err) < 0) {
        return -1;
    }
    if (cp) {
        singer_states_set(st, NULL, cp);
    }
    return 0;
}

static int load_value(struct singer_states *st, struct singer_recall *r,
                      const struct buf *text, struct err *err)
{
    cJSON *value = json_parse(text->buf, text->len, "the state", err);
    const cJSON *sr = NULL;
    int ret = -1;

    if (!value) {
        return -1;
    }
    if (!cJSON_IsObject(value) || !value->child) {
        ret = 0; /* {}: what runners pass before any state */
    }
    else if (json_get_object(value, "", "stripe_reader", JSON_REQUIRED, &sr,
                             err) == 1) {
        ret = read_value(st, r, sr, err);
    }
    cJSON_Delete(value);
    return ret;
}

int singer_states_load(struct singer_states *st, struct singer_recall *r,
                       const char *path, struct err *err)
{
    struct buf text = BUF_INIT;
    int ret;

    ret = file_read(path, "state", SINGER_STATE_MAX_BYTES, FILE_MISSING_OK,
                    &text, err);
    if (ret == 1 || (ret == 0 && !text.len)) {
        log_info("state '%s' is %s: reading from the start", path,
                 ret == 1 ? "missing" : "empty");
        buf_release(&text);
        return 0;
    }
    if (ret == 0 && load_value(st, r, &text, err) < 0) {
        singer_states_release(st);
        singer_recall_release(r);
        singer_recall_init(r);
        err_prefix(err,
                   "state '%s' is not a stripe-reader Singer state of "
                   "this config",
                   path);
        ret = -1;
    }
    buf_release(&text);
    if (ret < 0) {
        err->kind = ERR_CONFIG;
    }
    return ret;
}
