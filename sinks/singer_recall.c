/* SPDX-License-Identifier: MIT */
#include "core/compat.h"
#include "sinks/singer_recall.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/xalloc.h"

#include <errno.h>

void singer_recall_init(struct singer_recall *r)
{
    strset_init(&r->ranks);
    for (size_t i = 0; i < MAX_STREAMS; i++) {
        r->below[i] = INT64_MIN;
    }
}

void singer_recall_release(struct singer_recall *r)
{
    strset_release(&r->ranks);
}

/* "<stream>[:<id>]=<rank>" of length 'len' at 'p': its parts. */
static int parse_item(const char *p, size_t len, const struct stream **s,
                      char **id, int64_t *rank)
{
    const char *eq = memchr(p, '=', len);
    const char *colon = memchr(p, ':', len);
    char *name, *end;

    if (!eq || (colon && colon > eq)) {
        return -1;
    }
    name = xstrndup(p, (size_t)((colon ? colon : eq) - p));
    *s = stream_find(name);
    free(name);
    *id = colon ? xstrndup(colon + 1, (size_t)(eq - colon - 1)) : NULL;
    errno = 0;
    *rank = strtoll(eq + 1, &end, 10);
    if (!*s || stream_hidden(*s) || (*s)->is_events || errno ||
        end != p + len || end == eq + 1 || (colon && !**id)) {
        free(*id);
        *id = NULL;
        return -1;
    }
    return 0;
}

/* The items of 'list' (comma-separated), into the set or 'below'. */
static int parse_list(struct singer_recall *r, const char *list, bool ids,
                      const char *what, struct err *err)
{
    const char *p = list;

    while (*p) {
        size_t len = strcspn(p, ",");
        const struct stream *s;
        int64_t rank;
        char *id = NULL, *key;

        if (parse_item(p, len, &s, &id, &rank) < 0 || !id != !ids) {
            free(id);
            return err_set(err, ERR_CONFIG, "'%s' is damaged near '%.*s'", what,
                           (int)(len > 40 ? 40 : len), p);
        }
        if (ids) {
            key = xstrfmt("%s:%s", s->name, id);
            strset_set(&r->ranks, key, rank);
            free(key);
        }
        else {
            r->below[stream_index(s)] = rank;
        }
        free(id);
        p += len + (p[len] == ',');
    }
    return 0;
}

int singer_recall_parse(struct singer_recall *r, const char *ranks,
                        const char *below, struct err *err)
{
    if (parse_list(r, ranks, true, "recall", err) < 0) {
        return -1;
    }
    return parse_list(r, below, false, "below", err);
}

bool singer_recall_get(const struct singer_recall *r, const struct stream *s,
                       const char *id, int64_t *rank)
{
    char key[256];

    if (!strset_count(&r->ranks) ||
        (size_t)snprintf(key, sizeof(key), "%s:%s", s->name, id) >=
            sizeof(key)) {
        return false;
    }
    return strset_get(&r->ranks, key, rank);
}

struct recalled {
    size_t stream;  /* stream index */
    const char *id; /* borrowed */
    int64_t rank;
};

/* Newest first; then by stream and id, so that a STATE is reproducible. */
static int newest_first(const void *a, const void *b)
{
    const struct recalled *x = a, *y = b;

    if (x->rank != y->rank) {
        return x->rank > y->rank ? -1 : 1;
    }
    if (x->stream != y->stream) {
        return x->stream < y->stream ? -1 : 1;
    }
    return strcmp(x->id, y->id);
}

/* Every object sent or recalled, the copy sent in this run first. */
static struct recalled *gather(const struct singer_recall *loaded,
                               const struct strset *sent, size_t *nr)
{
    const struct strset_entry *e;
    struct recalled *all = NULL;
    size_t n = 0, alloc = 0, it = 0;

    for (size_t i = 0; i < nr_streams; i++) {
        if (streams[i].is_events) {
            continue;
        }
        for (it = 0; (e = strset_next(&sent[i], &it));) {
            ALLOC_GROW(all, n + 1, alloc);
            all[n++] = (struct recalled){ i, e->key, e->value };
        }
    }
    for (it = 0; (e = strset_next(&loaded->ranks, &it));) {
        const char *colon = strchr(e->key, ':');
        char name[64];
        const struct stream *s;

        if (!colon || (size_t)(colon - e->key) >= sizeof(name)) {
            continue;
        }
        memcpy(name, e->key, (size_t)(colon - e->key));
        name[colon - e->key] = '\0';
        s = stream_find(name);
        if (s && !strset_contains(&sent[stream_index(s)], colon + 1)) {
            ALLOC_GROW(all, n + 1, alloc);
            all[n++] =
                (struct recalled){ stream_index(s), colon + 1, e->value };
        }
    }
    *nr = n;
    return all;
}

void singer_recall_write(const struct singer_recall *loaded,
                         const struct strset *sent, size_t max,
                         struct buf *ranks, struct buf *below)
{
    int64_t under[MAX_STREAMS];
    struct buf text = BUF_INIT;
    size_t n;
    struct recalled *all = gather(loaded, sent, &n);

    memcpy(under, loaded->below, sizeof(under));
    if (n) {
        qsort(all, n, sizeof(*all), newest_first);
    }
    for (size_t k = 0; k < n; k++) {
        if (k >= max) {
            if (all[k].rank > under[all[k].stream]) {
                under[all[k].stream] = all[k].rank;
            }
            continue;
        }
        buf_addf(&text, "%s%s:%s=%lld", k ? "," : "",
                 streams[all[k].stream].name, all[k].id,
                 (long long)all[k].rank);
    }
    json_quote(ranks, text.buf);
    buf_reset(&text);
    for (size_t i = 0; i < nr_streams; i++) {
        if (under[i] != INT64_MIN) {
            buf_addf(&text, "%s%s=%lld", text.len ? "," : "", streams[i].name,
                     (long long)under[i]);
        }
    }
    json_quote(below, text.buf);
    buf_release(&text);
    free(all);
}
