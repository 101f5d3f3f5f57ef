/* SPDX-License-Identifier: MIT */
/*
 * The checkpoint as JSON: what a sink stores, written and read back with
 * every field checked (reader/checkpoint.h).
 */
#include "core/compat.h"
#include "reader/checkpoint.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "model/streams.h"
#include "reader/checkpoint_int.h"

#define CHECKPOINT_FORMAT 1

static void window_json(const struct window *w, struct buf *out)
{
    buf_addf(out, "{\"lo\":%lld,\"hi\":%lld", (long long)w->lo,
             (long long)w->hi);
    if (w->after) {
        buf_addstr(out, ",\"after\":");
        json_quote(out, w->after);
        buf_addf(out, ",\"after_created\":%lld", (long long)w->after_created);
    }
    /* event copies of the cursor's second: the rest of that second may
     * hold another event on the same object */
    if (w->after && w->nr_derived && w->derived_second == w->after_created) {
        buf_addstr(out, ",\"derived\":[");
        for (size_t i = 0; i < w->nr_derived; i++) {
            if (i) {
                buf_addch(out, ',');
            }
            json_quote(out, w->derived_ids[i]);
        }
        buf_addch(out, ']');
    }
    buf_addch(out, '}');
}

static void recent_json(const struct recent_list *l, const char *key,
                        struct buf *out)
{
    if (!l->nr) {
        return;
    }
    buf_addf(out, ",\"%s\":[", key);
    for (size_t i = 0; i < l->nr; i++) {
        buf_addstr(out, i ? ",[" : "[");
        json_quote(out, l->items[i].id);
        buf_addf(out, ",%lld,%lld]", (long long)l->items[i].version,
                 (long long)l->items[i].created);
    }
    buf_addch(out, ']');
}

static void stream_json(const struct stream_state *st, struct buf *out)
{
    bool first = true;

    buf_addch(out, '{');
    if (st->has_hwm) {
        buf_addf(out, "\"hwm\":%lld,", (long long)st->hwm);
    }
    /* a pass whose bound is not known yet has stored nothing */
    if (st->newest) {
        buf_addf(out, "\"newest\":%lld,", (long long)st->newest);
    }
    buf_addf(out, "\"hi\":%lld,\"lo\":%lld,",
             st->hi == WINDOW_OPEN ? 0LL : (long long)st->hi,
             (long long)st->pass_lo);
    if (st->nr_done) {
        buf_addstr(out, "\"done\":[");
        for (size_t i = 0; i < st->nr_done; i++) {
            buf_addf(out, "%s[%lld,%lld]", i ? "," : "",
                     (long long)st->done[i].lo, (long long)st->done[i].hi);
        }
        buf_addstr(out, "],");
    }
    buf_addstr(out, "\"windows\":[");
    for (size_t i = 0; i < st->nr_windows; i++) {
        const struct window *w = st->windows[i];

        /* an unbounded window has no progress worth keeping */
        if (w->done || w->hi == WINDOW_OPEN) {
            continue;
        }
        if (!first) {
            buf_addch(out, ',');
        }
        first = false;
        window_json(w, out);
    }
    buf_addch(out, ']');
    recent_json(&st->recent, "recent", out);
    recent_json(&st->recent_new, "recent_new", out);
    recent_json(&st->retrieved, "retrieved", out);
    buf_addch(out, '}');
}

static void set_json(const struct stream_set *set, struct buf *out)
{
    buf_addch(out, '{');
    for (size_t i = 0; i < set->nr; i++) {
        if (i) {
            buf_addch(out, ',');
        }
        json_quote(out, set->streams[i].stream->name);
        buf_addch(out, ':');
        stream_json(&set->streams[i], out);
    }
    buf_addch(out, '}');
}

/* "owed":[["charges","ch_x",1767225600],...], sorted */
static void owed_json(const struct strset *owed, struct buf *out)
{
    const struct strset_entry **all = strset_sorted(owed);

    buf_addstr(out, ",\"owed\":[");
    for (size_t i = 0; i < strset_count(owed); i++) {
        const char *colon = strchr(all[i]->key, ':');

        /* stream names are plain words; ids come from Stripe: quoted */
        buf_addf(out, "%s[\"%.*s\",", i ? "," : "", (int)(colon - all[i]->key),
                 all[i]->key);
        json_quote(out, colon + 1);
        buf_addf(out, ",%lld]", (long long)all[i]->value);
    }
    buf_addch(out, ']');
    free(all);
}

/* "kids":[["subscription_items","sub_x",["si_a","si_b"]],...], sorted */
static void kids_json(const struct checkpoint *cp, struct buf *out)
{
    const struct strset_entry **all = strset_sorted(&cp->kids);

    buf_addstr(out, ",\"kids\":[");
    for (size_t i = 0; i < strset_count(&cp->kids); i++) {
        const char *colon = strchr(all[i]->key, ':');
        const char *p = cp->kid_ids[all[i]->value];

        /* stream names are plain words; ids have no quote, no space */
        buf_addf(out, "%s[\"%.*s\",\"%s\",[\"", i ? "," : "",
                 (int)(colon - all[i]->key), all[i]->key, colon + 1);
        for (; *p; p++) {
            buf_add(out, *p == ' ' ? "\",\"" : p, *p == ' ' ? 3 : 1);
        }
        buf_addstr(out, "\"]]");
    }
    buf_addch(out, ']');
    free(all);
}

void checkpoint_to_json(const struct checkpoint *cp, struct buf *out)
{
    buf_addf(out, "{\"format\":%d,\"account\":", CHECKPOINT_FORMAT);
    json_quote(out, cp->account);
    buf_addstr(out, ",\"mode\":");
    json_quote(out, cp->mode);
    buf_addf(out, ",\"server_skew\":%lld,\"last_ok_at\":%lld,\"streams\":",
             (long long)cp->server_skew, (long long)cp->last_ok_at);
    set_json(&cp->sync, out);
    if (cp->feed_since) {
        buf_addf(out, ",\"feed_since\":%lld", (long long)cp->feed_since);
    }
    if (cp->feed_start) {
        buf_addf(out, ",\"feed_start\":%lld,\"events_history\":",
                 (long long)cp->feed_start);
        stream_json(&cp->history, out);
    }
    if (strset_count(&cp->owed)) {
        owed_json(&cp->owed, out);
    }
    if (strset_count(&cp->kids)) {
        kids_json(cp, out);
    }
    for (size_t i = 0; i < cp->nr_relists; i++) {
        const struct relist *r = &cp->relists[i];

        buf_addf(out, "%s[\"%s\",%lld,%lld,%lld]", i ? "," : ",\"relist\":[",
                 r->stream->name, (long long)r->until, (long long)r->lo,
                 (long long)r->hi);
    }
    if (cp->nr_relists) {
        buf_addch(out, ']');
    }
    buf_addstr(out, ",\"backfills\":{");
    for (size_t i = 0; i < cp->nr_backfills; i++) {
        if (i) {
            buf_addch(out, ',');
        }
        json_quote(out, cp->backfills[i].range);
        buf_addch(out, ':');
        set_json(&cp->backfills[i].set, out);
    }
    buf_addstr(out, "}}");
}

static int window_from_json(struct stream_state *st, const cJSON *jw,
                            const char *path, struct err *err)
{
    int64_t lo = 0, hi = 0, ac = 0;
    const char *after = NULL;
    const cJSON *derived = NULL, *id;
    struct window *w;

    if (json_get_int64(jw, path, "lo", JSON_REQUIRED, &lo, err) < 0 ||
        json_get_int64(jw, path, "hi", JSON_REQUIRED, &hi, err) < 0 ||
        json_get_string(jw, path, "after", 0, &after, err) < 0 ||
        json_get_int64(jw, path, "after_created", after ? JSON_REQUIRED : 0,
                       &ac, err) < 0) {
        return -1;
    }
    if (lo > hi) {
        return err_set(err, ERR_CONFIG, "'%s': window lo %lld > hi %lld", path,
                       (long long)lo, (long long)hi);
    }
    w = stream_state_add_window(st, lo, hi);
    if (after) {
        window_set_cursor(w, after, ac);
    }
    if (json_get_array(jw, path, "derived", 0, &derived, err) < 0) {
        return -1;
    }
    cJSON_ArrayForEach(id, derived)
    {
        if (cJSON_IsString(id)) {
            window_derived_seen(w, id->valuestring, ac);
        }
    }
    return 0;
}

static int recent_from_json(struct recent_list *l, const cJSON *js,
                            const char *path, const char *key, struct err *err)
{
    const cJSON *arr = NULL, *it;

    if (json_get_array(js, path, key, 0, &arr, err) < 0) {
        return -1;
    }
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *id = cJSON_GetArrayItem(it, 0);
        int64_t v = 0, c = 0;

        if (!cJSON_IsString(id) ||
            json_int64(cJSON_GetArrayItem(it, 1), &v) < 0 ||
            json_int64(cJSON_GetArrayItem(it, 2), &c) < 0) {
            return err_set(err, ERR_CONFIG,
                           "'%s.%s': expected [id, version, created] items",
                           path, key);
        }
        recent_push(l, id->valuestring, v, c);
    }
    return 0;
}

static int done_from_json(struct stream_state *st, const cJSON *js,
                          const char *path, struct err *err)
{
    const cJSON *done = NULL, *it;

    if (json_get_array(js, path, "done", 0, &done, err) < 0) {
        return -1;
    }
    cJSON_ArrayForEach(it, done)
    {
        int64_t lo = 0, hi = 0;

        if (json_int64(cJSON_GetArrayItem(it, 0), &lo) < 0 ||
            json_int64(cJSON_GetArrayItem(it, 1), &hi) < 0) {
            return err_set(err, ERR_CONFIG, "'%s.done': expected [lo, hi]",
                           path);
        }
        stream_state_pass_done(st, lo, hi);
    }
    return 0;
}

static int stream_from_json(struct stream_state *st, const cJSON *js,
                            const char *path, struct err *err)
{
    const cJSON *jwins = NULL, *jw;
    char wpath[256];
    int found, i = 0;

    found = json_get_int64(js, path, "hwm", 0, &st->hwm, err);
    if (found < 0 || json_get_int64(js, path, "hi", 0, &st->hi, err) < 0 ||
        json_get_int64(js, path, "lo", 0, &st->pass_lo, err) < 0 ||
        json_get_int64(js, path, "newest", 0, &st->newest, err) < 0 ||
        done_from_json(st, js, path, err) < 0 ||
        json_get_array(js, path, "windows", 0, &jwins, err) < 0) {
        return -1;
    }
    st->has_hwm = found == 1;
    if (recent_from_json(&st->recent, js, path, "recent", err) < 0 ||
        recent_from_json(&st->recent_new, js, path, "recent_new", err) < 0 ||
        recent_from_json(&st->retrieved, js, path, "retrieved", err) < 0) {
        return -1;
    }
    recent_compact(&st->recent, INT64_MIN);
    recent_compact(&st->retrieved, INT64_MIN);
    cJSON_ArrayForEach(jw, jwins)
    {
        snprintf(wpath, sizeof(wpath), "%s.windows[%d]", path, i++);
        if (window_from_json(st, jw, wpath, err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int set_from_json(struct stream_set *set, const cJSON *jset,
                         const char *where, struct err *err)
{
    char path[160];

    for (size_t i = 0; i < set->nr; i++) {
        const char *name = set->streams[i].stream->name;
        const cJSON *js = NULL;

        if (json_get_object(jset, where, name, 0, &js, err) < 0) {
            return -1;
        }
        snprintf(path, sizeof(path), "%s.%s", where, name);
        if (js && stream_from_json(&set->streams[i], js, path, err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A range stored twice (the file was edited): sorted, so not quadratic. */
static const char *duplicate_range(const cJSON *jb)
{
    const char **keys =
        xcalloc((size_t)cJSON_GetArraySize(jb) + 1, sizeof(*keys));
    const char *dup = NULL;
    const cJSON *it;
    size_t n = 0;

    cJSON_ArrayForEach(it, jb)
    {
        keys[n++] = it->string ? it->string : "";
    }
    qsort(keys, n, sizeof(*keys), cmp_key);
    for (size_t i = 1; i < n && !dup; i++) {
        if (!strcmp(keys[i - 1], keys[i])) {
            dup = keys[i];
        }
    }
    free(keys);
    return dup;
}

static int backfills_from_json(struct checkpoint *cp, const cJSON *jb,
                               struct err *err)
{
    const cJSON *it;
    const char *dup = duplicate_range(jb);
    char path[160];

    if (dup) {
        return err_set(err, ERR_CONFIG, "'backfills.%s': stored twice", dup);
    }
    cJSON_ArrayForEach(it, jb)
    {
        snprintf(path, sizeof(path), "backfills.%s", it->string);
        if (!cJSON_IsObject(it)) {
            return err_set(err, ERR_CONFIG, "'%s': expected an object", path);
        }
        /* ranges are unique (checked above): no lookup needed */
        if (set_from_json(backfill_add(cp, it->string), it, path, err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int owed_from_json(struct checkpoint *cp, const cJSON *root,
                          struct err *err)
{
    const cJSON *arr = NULL, *it;

    if (json_get_array(root, "", "owed", 0, &arr, err) < 0) {
        return -1;
    }
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *name = cJSON_GetArrayItem(it, 0);
        const cJSON *id = cJSON_GetArrayItem(it, 1);
        const struct stream *s =
            cJSON_IsString(name) ? stream_find(name->valuestring) : NULL;
        int64_t t = 0;

        if (!s || s->is_events || !cJSON_IsString(id) || !*id->valuestring ||
            json_int64(cJSON_GetArrayItem(it, 2), &t) < 0) {
            return err_set(err, ERR_CONFIG,
                           "'owed': expected [stream, id, event time] items "
                           "naming a stream other than events");
        }
        checkpoint_owe(cp, s, id->valuestring, t);
    }
    return 0;
}

/* A child's id as remembered: Stripe's, so no space and no quote. */
static bool plain_id(const cJSON *id)
{
    return cJSON_IsString(id) && *id->valuestring &&
           !strpbrk(id->valuestring, " \"\\:");
}

static int kids_from_json(struct checkpoint *cp, const cJSON *root,
                          struct err *err)
{
    const cJSON *arr = NULL, *it, *id;
    struct buf ids = BUF_INIT;

    if (json_get_array(root, "", "kids", 0, &arr, err) < 0) {
        return -1;
    }
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *name = cJSON_GetArrayItem(it, 0);
        const cJSON *parent = cJSON_GetArrayItem(it, 1);
        const cJSON *list = cJSON_GetArrayItem(it, 2);
        const struct stream *s =
            cJSON_IsString(name) ? stream_find(name->valuestring) : NULL;
        bool ok = s && s->removable && plain_id(parent) && cJSON_IsArray(list);

        buf_reset(&ids);
        if (!ok) {
            list = NULL;
        }
        cJSON_ArrayForEach(id, list)
        {
            ok = ok && plain_id(id);
            if (ok) {
                buf_addf(&ids, "%s%s", ids.len ? " " : "", id->valuestring);
            }
        }
        if (!ok) {
            buf_release(&ids);
            return err_set(err, ERR_CONFIG,
                           "'kids': expected [stream, parent, [id, ...]] "
                           "items naming a stream of removable children");
        }
        checkpoint_set_kids(cp, s, parent->valuestring, ids.buf);
    }
    buf_release(&ids);
    return 0;
}

static int relist_from_json(struct checkpoint *cp, const cJSON *root,
                            struct err *err)
{
    const cJSON *arr = NULL, *it;

    if (json_get_array(root, "", "relist", 0, &arr, err) < 0) {
        return -1;
    }
    if (arr && cJSON_GetArraySize(arr) > 1000) {
        /* one entry per day a transaction becomes available: a few */
        return err_set(err, ERR_CONFIG, "'relist': more than 1000 items");
    }
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *name = cJSON_GetArrayItem(it, 0);
        const struct stream *s =
            cJSON_IsString(name) ? stream_find(name->valuestring) : NULL;
        int64_t until = 0, lo = 0, hi = 0;

        if (!s || !s->relist_until ||
            json_int64(cJSON_GetArrayItem(it, 1), &until) < 0 ||
            json_int64(cJSON_GetArrayItem(it, 2), &lo) < 0 ||
            json_int64(cJSON_GetArrayItem(it, 3), &hi) < 0 || lo > hi) {
            return err_set(err, ERR_CONFIG,
                           "'relist': expected [stream, until, lo, hi] items "
                           "naming a stream that is re-listed");
        }
        checkpoint_relist(cp, s, until, lo);
        checkpoint_relist(cp, s, until, hi);
    }
    return 0;
}

static int parse_root(struct checkpoint *cp, const cJSON *root, struct err *err)
{
    const char *account = NULL, *mode = NULL;
    const cJSON *jstreams = NULL, *jback = NULL, *jhist = NULL;
    int64_t format = 0;

    if (json_get_int64(root, "", "format", JSON_REQUIRED, &format, err) < 0 ||
        json_get_string(root, "", "account", JSON_REQUIRED, &account, err) <
            0 ||
        json_get_string(root, "", "mode", JSON_REQUIRED, &mode, err) < 0 ||
        json_get_int64(root, "", "server_skew", 0, &cp->server_skew, err) < 0 ||
        json_get_int64(root, "", "last_ok_at", 0, &cp->last_ok_at, err) < 0 ||
        json_get_object(root, "", "streams", JSON_REQUIRED, &jstreams, err) <
            0 ||
        json_get_object(root, "", "backfills", 0, &jback, err) < 0 ||
        json_get_int64(root, "", "feed_start", 0, &cp->feed_start, err) < 0 ||
        json_get_int64(root, "", "feed_since", 0, &cp->feed_since, err) < 0 ||
        json_get_object(root, "", "events_history", 0, &jhist, err) < 0) {
        return -1;
    }
    if (format != CHECKPOINT_FORMAT) {
        return err_set(err, ERR_CONFIG,
                       "checkpoint format %lld is not %d (written by "
                       "another version of stripe-reader)",
                       (long long)format, CHECKPOINT_FORMAT);
    }
    free(cp->account);
    free(cp->mode);
    cp->account = xstrdup(account);
    cp->mode = xstrdup(mode);
    if (set_from_json(&cp->sync, jstreams, "streams", err) < 0 ||
        (jhist &&
         stream_from_json(&cp->history, jhist, "events_history", err) < 0) ||
        owed_from_json(cp, root, err) < 0 ||
        kids_from_json(cp, root, err) < 0 ||
        relist_from_json(cp, root, err) < 0) {
        return -1;
    }
    return jback ? backfills_from_json(cp, jback, err) : 0;
}

int checkpoint_from_json(struct checkpoint *cp, const char *json,
                         const char *where, struct err *err)
{
    cJSON *root;
    int ret;

    if (!json) {
        return err_set(err, ERR_CONFIG, "%s: no checkpoint", where);
    }
    root = json_parse(json, strlen(json), "the checkpoint", err);
    if (!root) {
        err->kind = ERR_CONFIG;
        return err_prefix(err, "%s", where);
    }
    ret = parse_root(cp, root, err);
    cJSON_Delete(root);
    if (ret < 0) {
        err->kind = ERR_CONFIG;
        return err_prefix(err, "%s: invalid checkpoint", where);
    }
    return 0;
}
